"""Truth is what the pages say: the extractor over every replica page agrees with the page
truth (`truth(crawled=False)`); the truth a crawl reaches (`truth()`, what `replica truth` prints)
differs only where a reply is published as its file."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replica_helpers import get
from saved_pages import FIXTURES

from crawler.extract import extract_document
from crawler.extract.text import normalize
from replica.app import Replica
from replica.corpus import SEED_DAY, day_number
from replica.sites import SITES_BY_NAME


def _extract(replica: Replica, record: dict[str, Any], site: str | None = None) -> dict[str, Any]:
    portal = site or record["portal"]
    real = SITES_BY_NAME[record["portal"]]
    path = record["url"][len(real.origin) :]
    answer = get(replica, portal, path)
    assert answer.status == 200, (portal, path)
    charset = answer.content_type.partition("charset=")[2] or None
    return extract_document(answer.body, record["url"], encoding=charset).fields()


@pytest.fixture(scope="module")
def truth(replica: Replica) -> list[dict[str, Any]]:
    """What each page says, as `govwatch extract` reads it."""
    return list(replica.truth(crawled=False))


def test_every_page_extracts_to_its_truth(replica: Replica, truth: list[dict[str, Any]]) -> None:
    wrong = []
    for record in truth:
        got = _extract(replica, record)
        expected = {key: value for key, value in record.items() if key != "portal"}
        if got != expected:
            wrong.append((record["url"], [key for key in expected if got[key] != expected[key]]))
    assert not wrong, wrong[:5]
    assert len(truth) > 1000


def test_the_mirror_reads_the_same_in_traditional(
    replica: Replica, truth: list[dict[str, Any]]
) -> None:
    records = [r for r in truth if r["portal"] == "hangzhou-jxj"][:80]
    for record in records:
        got = _extract(replica, record, site="hangzhou-jxj-hant")
        assert got["script"] == "zh-Hant"
        for key in ("title", "index_no", "doc_no", "publisher", "source", "category", "body_text"):
            assert (got[key] and normalize(got[key])) == (record[key] and normalize(record[key])), (
                key
            )
        assert got["kind"] == record["kind"]
        assert got["published_at"] == record["published_at"]


def test_the_seed_reply_is_served_at_its_real_path_with_its_real_facts() -> None:
    replica = Replica(100, SEED_DAY)
    answer = get(replica, "hangzhou-jxj", "/art/2023/11/3/art_1229265378_4216448.html")
    got = extract_document(
        answer.body, "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
    )
    expected = json.loads((FIXTURES / "hanweb" / "xihu31-reply.json").read_text(encoding="utf-8"))
    assert got.fields() == expected


def test_the_crawl_truth_reads_a_reply_published_as_its_file(
    replica: Replica, truth: list[dict[str, Any]]
) -> None:
    pages = {record["url"]: record for record in truth}
    crawled = {record["url"]: record for record in replica.truth()}
    assert crawled.keys() == pages.keys()
    differ = [url for url in crawled if crawled[url] != pages[url]]
    assert 0 < len(differ) < len(crawled) / 10
    for url in differ:
        page, crawl = pages[url], crawled[url]
        # The page says 详见附件; its file says which suggestion it answers and how.
        assert {key for key in crawl if crawl[key] != page[key]} <= {"kind", "reply", "warnings"}
        assert crawl["kind"] in ("reply", "co_handling_opinion") and crawl["reply"]
        assert page["warnings"] == [] and crawl["attachments"]
        assert crawl["warnings"] == [
            f"kind and reply fields read from the attachment {crawl['attachments'][0]['name']}"
        ]


def test_truth_cli_prints_what_a_crawl_reaches(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 24: it printed the page truth, so 10 of 289 documents differed from a good crawl.
    from crawler.cli import main

    assert main(["replica", "truth", "--docs", "60", "--day", "2023-11-06"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed == list(Replica(60, day_number("2023-11-06"), 1).truth())
    assert any(record["warnings"] for record in printed)


def test_truth_cli_prints_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.cli import main

    assert main(["replica", "truth", "--docs", "20", "--day", "2023-11-03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert any(r["url"].endswith("art_1229265378_4216448.html") for r in records)
    assert all(r["published_at"] <= "2023-11-04" for r in records)
    assert {"portal", "url", "title", "reply", "attachments"} <= set(records[0])


def test_trs_pages_are_gbk_some_declaring_the_wrong_charset(
    replica: Replica, truth: list[dict[str, Any]]
) -> None:
    declared = {"gb2312": 0, "utf-8": 0}
    for record in (r for r in truth if r["portal"] == "hubei-jxt"):
        answer = get(replica, "hubei-jxt", record["url"][len("http://jxt.hubei.gov.cn") :])
        answer.body.decode("gbk")  # the bytes are GBK whatever the page says
        label = answer.body.split(b"charset=", 1)[1].split(b'"', 1)[0].decode()
        declared[label] += 1
        if label == "utf-8":
            document = extract_document(answer.body, record["url"])
            assert document.title == record["title"]
            assert any("gb18030" in warning for warning in document.warnings)
    assert declared["gb2312"] > 0 and declared["utf-8"] > 0
