"""Watch rules: the topic, not the word — 开源 in both senses, either script, full-width Latin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from saved_pages import FIXTURES

from crawler.watch.rules import RulesError, alert_payload, load_rules, matches, parse_rules
from replica.app import Replica
from replica.sites import SITES_BY_NAME

RULES = {rule.name: rule for rule in load_rules()}


def _doc(
    body: str, kind: str | None = "reply", title: str = "", attachments: list[str] | None = None
) -> dict[str, Any]:
    return {
        "title": title,
        "body_text": body,
        "kind": kind,
        "attachments": [{"name": n} for n in attachments or []],
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("坚持开源节流、量入为出，严控一般性支出。", False),
        ("会同开源证券举办投融资对接活动。", False),
        ("开源路沿线道路改造工程已完成立项。", False),
        ("拓宽收入来源，做好开源文章，推动开源增收。", False),
        ("支持开源软件发展，培育开源社区。", True),
        (
            "坚持开源节流；同时支持开源鸿蒙生态建设。",
            True,
        ),  # both senses: matches on the software one
        ("支持開源軟件發展，堅持開源節流。", True),  # traditional
        ("基于ｏｐｅｎＥｕｌｅｒ的服务器操作系统。", True),  # full-width Latin
        ("推动 OpenHarmony 在工业领域落地。", True),
        ("The open-source community welcomed it.", True),
        ("We reopen sourcing next week.", False),  # Latin terms on word boundaries
        ("与开放原子开源基金会合作。", True),
        # the sense of 开源 from its context, not a list of masks
        ("開源措施包括調高部分收費。", False),  # revenue, traditional script
        ("财政困难，要积极开源，增加收入。", False),
        ("基金管理人：前海开源基金管理有限公司。", False),
        ("利用开源情报追踪军事调动。", False),
        ("村民王开源说，今年收成不错。", False),
        ("要展开源头治理，查明数据公开源于何处。", False),  # not the word 开源 at all
        ("发布开源路线图，推进开源市场培育。", True),  # not the street 开源路, nor 开源市
        ("Analysts use open source intelligence daily.", False),
        ("开源情报（Open Source Intelligence）与开源软件运动。", True),  # both senses
    ],
)
def test_open_source_topic(body: str, expected: bool) -> None:
    assert bool(RULES["open-source"].match(_doc(body))) is expected


def test_matches_say_which_evidence_decided() -> None:
    record = _doc("坚持开源节流，同时支持开源社区建设。")
    hits, rejected = RULES["open-source"].judge(record)
    assert [hit.why for hit in hits] == ["open-source software: 开源社区"]
    assert hits[0].evidence == ("开源社区",) and "【开源】社区" in hits[0].snippet
    assert [r.why for r in rejected] == ["another sense: 开源节流"]
    plain = RULES["open-source"].match(_doc("推动 OpenHarmony 落地。"))
    assert plain[0].explanation == "the term 'OpenHarmony'"
    payload = alert_payload("open-source", record, "p", hits)
    assert payload["evidence"] == ["open-source software: 开源社区"]


def test_title_is_judged_with_the_body_beside_it() -> None:
    rule = RULES["open-source"]
    hits = rule.match(_doc("建议支持开源社区发展，培育开源人才。", title="关于推动开源的建议"))
    assert hits and hits[0].field == "title"
    assert not rule.match(_doc("财政收入下降，要增收节支。", title="关于开源的通知"))


def test_masks_still_work_without_a_sense() -> None:
    rules = parse_rules(
        {"rules": [{"name": "t", "any": ["开源"], "masks": ["开源节流", "开源大道"]}]}, "x"
    )
    assert not matches(rules, _doc("坚持开源节流，修缮开源大道。"))
    assert matches(rules, _doc("开源措施。"))  # no sense: the word as written
    assert not matches(rules, _doc("全面展开源头治理。"))  # but never where it is not the word
    sensed = parse_rules({"rules": [{"name": "t", "any": ["开源"], "sense": "open-source",
                                     "masks": ["开源社区"]}]}, "x")  # fmt: skip
    assert not matches(sensed, _doc("支持开源社区。"))  # a user's mask beats the sense
    assert matches(sensed, _doc("支持开源社区和开源软件。"))


def test_kinds_restrict_the_headline_rule() -> None:
    body = "支持开源软件发展。"
    assert RULES["open-source-replies"].match(_doc(body, "reply"))
    assert RULES["open-source-replies"].match(_doc(body, "co_handling_opinion"))
    assert not RULES["open-source-replies"].match(_doc(body, "other"))
    assert not RULES["open-source-replies"].match(_doc(body, None))  # a text file: unknown kind
    assert RULES["open-source"].match(_doc(body, None))


def test_fields_title_and_attachments() -> None:
    rules = parse_rules({"rules": [{"name": "t", "any": ["开源"], "fields": ["attachments"]}]}, "x")
    assert matches(rules, _doc("", attachments=["开源项目清单.xlsx"]))
    assert not matches(rules, _doc("开源项目", title="开源"))


def test_all_terms_and_portals() -> None:
    rules = parse_rules(
        {"rules": [{"name": "t", "all": ["开源", "芯片"], "portals": ["hubei-jxt"]}]}, "x"
    )
    assert matches(rules, _doc("RISC-V开源芯片"), "hubei-jxt")
    assert not matches(rules, _doc("开源软件"), "hubei-jxt")
    assert not matches(rules, _doc("RISC-V开源芯片"), "govcn")


def test_snippets_show_the_match_in_the_text() -> None:
    hits = RULES["open-source"].match(_doc("杭州市支持開源軟件發展。"))
    assert hits[0].snippet == "杭州市支持【開源】軟件發展。"


def test_precision_and_recall_on_the_replica_corpus() -> None:
    """Every replica document about open-source software matches; none about 开源节流 does.
    Each is read as the crawl reads it: with its attachments' text (a reply published only as
    its file says what it says there)."""
    from pipelines.attachments import watched

    replica = Replica(200, 1425, 1)
    wrong = []
    for site in ("hangzhou-jxj", "hangzhou-gov", "hubei-jxt", "govcn"):
        for spec in replica.corpus.live(site, 1425):
            doc = replica.corpus.document(spec, 1425)
            about = doc.open_source
            page = replica.record(SITES_BY_NAME[site], spec, 1425)
            texts = {link["url"]: "\n".join(attachment.text)
                     for link, attachment in zip(page["attachments"], doc.attachments, strict=True)}  # fmt: skip
            record = watched(page, texts)
            if bool(RULES["open-source"].match(record, site)) != about:
                wrong.append(record["url"])
    assert wrong == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"name": "Bad Name", "any": ["x"]}, "field 'name'"),
        ({"name": "r"}, "rule 'r' field 'any': a rule needs terms"),
        ({"name": "r", "any": ["x"], "kinds": ["memo"]}, "rule 'r' field 'kinds': 'memo'"),
        ({"name": "r", "any": ["x"], "fields": ["footer"]}, "rule 'r' field 'fields': 'footer'"),
        ({"name": "r", "any": ["x"], "realert_on_change": "yes"}, "field 'realert_on_change'"),
        ({"name": "r", "any": ["x"], "mask": ["y"]}, "field 'mask': unknown"),
        ({"name": "r", "any": [""]}, "field 'any': expected a list of non-empty phrases"),
        (
            {"name": "r", "any": ["x"], "sense": "software"},
            "field 'sense': 'software'; write open-source",
        ),
    ],
)
def test_broken_rules_name_the_rule_and_field(
    tmp_path: Path, rule: dict[str, Any], message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_rules_test_command(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("坚持开源节流。", encoding="utf-8")
    page = FIXTURES / "hanweb" / "xihu31-reply-hant.html"
    result = subprocess.run([sys.executable, "-m", "crawler", "rules", "test", str(page), str(text), "--json"],
                            capture_output=True, text=True, check=True)  # fmt: skip
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["file"] == str(page) and first["rules"]["open-source-replies"]["matched"] is True
    assert "【開源】" in first["rules"]["open-source-replies"]["snippets"][0]
    assert first["rules"]["open-source-replies"]["evidence"][0].startswith("open-source software: ")
    assert second["rules"] == {
        "open-source": {"matched": False, "snippets": [], "evidence": [],
                        "rejected": [{"snippet": "坚持【开源】节流。", "why": "another sense: 开源节流"}]},
        "open-source-replies": {"matched": False, "snippets": [], "evidence": [], "rejected": []},
    }  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "crawler", "rules", "test", str(page), "--rule", "nope"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2 and "no rule 'nope'" in result.stderr


def test_rules_backtest_command(tmp_path: Path) -> None:
    from crawler.store import open_store

    db = tmp_path / "corpus.db"
    replica = Replica(40, 1425, 1)
    with open_store(db) as store:
        for number, record in enumerate(replica.truth()):
            store.save(portal=record.pop("portal"), identity=f"x:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2026-01-01T00:00:00+00:00", status=200, headers={}, raw=b"", etag=None,
                       last_modified=None, run_id=None)  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "crawler", "rules", "backtest", "--db", str(db), "--json"],
                            capture_output=True, text=True, check=True)  # fmt: skip
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    seed = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
    assert {h["rule"] for h in hits if h["url"] == seed} == {"open-source", "open-source-replies"}
    assert all(
        h["kind"] in ("reply", "co_handling_opinion")
        for h in hits
        if h["rule"] == "open-source-replies"
    )
