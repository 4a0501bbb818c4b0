"""The commands a researcher and an operator reach for: search by field and with syntax,
show a document and what changed, the alerts and their deliveries, resend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.store import Store, open_store
from crawler.store.query import field_key, parse
from crawler.watch.rules import alerts_for, load_rules

SEED = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1.html"


def _record(number: int, title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"url": f"http://jxj.hangzhou.gov.cn/art/2023/11/3/art_{number}.html", "title": title,
            "body_text": body, "kind": "other", "published_at": f"2023-11-0{number}T10:00:00+08:00",
            "attachments": [], "warnings": [], **extra}  # fmt: skip


REPLY = _record(
    1, "市经信局关于“西湖31号”建议的答复", "何征宇代表：\n您提出的关于支持开源软件发展的建议收悉。\n感谢您的关心。",
    kind="reply", doc_no="杭经信提〔2023〕140号", index_no="002489452/2023-00334", publisher="市经信局",
    reply={"addressee": "何征宇", "addressee_role": "代表", "proposal_no": "西湖31号",
           "proposal_title": "关于支持开源软件发展的建议", "lead_agency": "市经信局"},
)  # fmt: skip
OTHERS = [
    _record(2, "关于鸿蒙生态的通知", "支持开源鸿蒙发展。"),
    _record(3, "财政工作要点", "坚持开源节流，压减一般性支出。"),
    _record(4, "关于 open source 社区的说明", "An open source community. 开放 源代码。"),
    _record(5, "政务公开工作", "做好政务公开。", doc_no="杭政办〔2023〕5号"),
]


def _save(
    store: Store, record: dict[str, Any], fetched_at: str = "2023-11-06T00:00:00+00:00"
) -> None:
    number = record["url"].rsplit("_", 1)[1].split(".")[0]
    store.save(portal="hangzhou-jxj", identity=f"hangzhou-jxj:{number}", record=record, fetched_url=record["url"],
               fetched_at=fetched_at, status=200, headers={}, raw=b"<html></html>", etag=None, last_modified=None,
               run_id=None, alerts=alerts_for(load_rules(), record, "hangzhou-jxj"))  # fmt: skip


@pytest.fixture
def corpus(tmp_path: Path) -> str:
    db = tmp_path / "corpus.db"
    with open_store(db) as store:
        for record in [REPLY, *OTHERS]:
            _save(store, record)
        edited = {**REPLY, "body_text": REPLY["body_text"].replace("感谢您的关心。", "感谢您的关心和支持。"),
                  "reply": {**REPLY["reply"], "lead_agency": "杭州市经信局"}}  # fmt: skip
        _save(store, edited, "2023-11-10T00:00:00+00:00")
    return str(db)


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]


def _urls(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    assert main(["search", *argv, "--json"]) == 0
    return {hit["url"] for hit in _json_lines(capsys)}


def test_query_syntax(corpus: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = {
        number: f"http://jxj.hangzhou.gov.cn/art/2023/11/3/art_{number}.html"
        for number in range(1, 6)
    }
    assert _urls(capsys, "开源", "--db", corpus) == {url[1], url[2], url[3]}
    assert _urls(capsys, "开源 -节流", "--db", corpus) == {url[1], url[2]}
    assert _urls(capsys, "开源 NOT 节流", "--db", corpus) == {url[1], url[2]}
    assert _urls(capsys, "节流 OR 鸿蒙", "--db", corpus) == {url[2], url[3]}
    assert _urls(capsys, "节流 鸿蒙", "--db", corpus) == set()  # words are all required
    assert _urls(capsys, '"open source"', "--db", corpus) == {url[4]}
    assert _urls(capsys, '"source open"', "--db", corpus) == set()  # a phrase keeps its order
    assert _urls(capsys, "開源軟件", "--db", corpus) == {url[1]}  # either script


def test_query_syntax_as_a_search_box_takes_it(
    corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = {
        number: f"http://jxj.hangzhou.gov.cn/art/2023/11/3/art_{number}.html"
        for number in range(1, 6)
    }
    for query in ("开源 AND 软件", "开源 && 软件", "开源 +软件"):  # AND is no word to look for
        assert _urls(capsys, query, "--db", corpus) == {url[1]}, query
    assert _urls(capsys, "节流 | 鸿蒙", "--db", corpus) == {url[2], url[3]}
    assert _urls(capsys, "(节流 OR 鸿蒙) AND 开源", "--db", corpus) == {url[2], url[3]}
    assert _urls(capsys, "(开源 软件) OR 节流", "--db", corpus) == {url[1], url[3]}
    assert _urls(capsys, "开源 NOT (节流 OR 鸿蒙)", "--db", corpus) == {url[1]}
    # Several words unquoted are one query; a word may begin with a dash, first or not.
    assert _urls(capsys, "开源", "NOT", "节流", "--db", corpus) == {url[1], url[2]}
    assert _urls(capsys, "-节流", "开源", "--db", corpus) == {url[1], url[2]}
    assert _urls(capsys, "开源", "-hongmeng", "-鸿蒙", "--db", corpus) == {url[1], url[3]}
    assert _urls(capsys, "--db", corpus, "开源 OR source", '-"open source"') == {
        url[1],
        url[2],
        url[3],
    }
    assert _urls(capsys, "开源 OR source", '-"source open"', "--db", corpus) == {
        url[1],
        url[2],
        url[3],
        url[4],
    }
    # The command's options stay options; a misspelt one is still refused, not searched for.
    assert _urls(capsys, "开源", "--limit=1", "--db", corpus) == {url[2]}
    assert main(["search", "开源", "--limt", "1", "--db", corpus]) == 2
    assert "No such option '--limt'" in capsys.readouterr().err
    assert main(["search", "开源 OR -节流", "--db", corpus]) == 2
    assert "NOT or -word inside OR: put what must not occur outside the OR" in (
        capsys.readouterr().err
    )


def test_a_doc_no_and_fields_find_their_documents(
    corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = REPLY["url"]
    assert _urls(capsys, "杭经信提〔2023〕140号", "--db", corpus) == {seed}  # in the query, too
    assert _urls(capsys, "--doc-no", "杭经信提[2023]140 号", "--db", corpus) == {seed}
    assert _urls(capsys, "--doc-no", "杭政办", "--db", corpus) == {OTHERS[3]["url"]}
    assert _urls(capsys, "--index-no", "002489452/2023-00334", "--db", corpus) == {seed}
    assert _urls(capsys, "--deputy", "何征宇", "--db", corpus) == {seed}
    assert _urls(capsys, "--proposal", "西湖31号", "--db", corpus) == {seed}
    assert _urls(capsys, "--publisher", "市经信局", "--db", corpus) == {seed}
    assert _urls(capsys, "开源", "--deputy", "某某", "--db", corpus) == set()


def test_search_counts_every_hit_beyond_the_limit(
    corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "开源", "--limit", "1", "--db", corpus]) == 0
    assert "3 hit(s) (showing 1; --limit shows more)" in capsys.readouterr().out


def test_a_query_of_only_negatives_is_a_clear_error(
    corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "--db", corpus, "--", "-开源"]) == 2
    assert "give words to look for" in capsys.readouterr().err


def test_parse_and_field_key() -> None:
    query = parse('开源 OR 鸿蒙 -节流 "open source" 字')
    assert query.positive == '("开源" OR "鸿蒙") AND "open source" AND 字*'
    assert query.negative == '"节流"'
    assert (
        field_key("杭经信提〔2023〕140 号")
        == field_key("杭经信提[2023]140号")
        == field_key("杭經信提(2023)140号")
    )


def test_show_a_document_its_versions_and_the_diff(
    corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", REPLY["url"], "--db", corpus]) == 0
    out = capsys.readouterr().out
    assert "doc_no:         杭经信提〔2023〕140号" in out and "reply.proposal_no:" in out
    assert "2 version(s)" in out and "2023-11-06 08:00 CST" in out  # times in the portals' zone
    assert main(["show", "hangzhou-jxj:1", "--versions", "--db", corpus]) == 0
    out = capsys.readouterr().out
    assert "v1" in out and "first seen" in out and "reply.lead_agency, body_text" in out
    assert main(["show", "hangzhou-jxj:1", "--diff", "--db", corpus]) == 0
    out = capsys.readouterr().out
    assert "version 1 → version 2" in out
    assert "- 市经信局" in out and "+ 杭州市经信局" in out
    assert "-感谢您的关心。" in out and "+感谢您的关心和支持。" in out
    assert main(["show", "hangzhou-jxj:1", "--diff", "1..2", "--json", "--db", corpus]) == 0
    diff = json.loads(capsys.readouterr().out)["diff"]
    assert diff["fields"] == [
        {"field": "reply.lead_agency", "from": "市经信局", "to": "杭州市经信局"}
    ]
    assert main(["show", "hangzhou-jxj:1", "--diff", "1..9", "--db", corpus]) == 2
    assert "no version 9; the versions are 1, 2" in capsys.readouterr().err
    assert main(["show", "nothing-here", "--db", corpus]) == 2


def test_alerts_lists_deliveries_and_pending(
    corpus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "govwatch.yaml"
    config.write_text(
        json.dumps({"db": corpus, "sinks": [{"type": "jsonl", "path": "a.jsonl"}]}),
        encoding="utf-8",
    )
    assert main(["alerts", "--config", str(config), "--json"]) == 0
    listed = _json_lines(capsys)
    # One alert per document, both rules in it; 开源节流 raised none.
    assert [(a["title"], a["rules"]) for a in listed] == [
        (OTHERS[2]["title"], ["open-source"]), (OTHERS[0]["title"], ["open-source"]),
        (REPLY["title"], ["open-source-replies", "open-source"])]  # fmt: skip
    assert all(a["deliveries"] == {"jsonl": {"status": "pending"}} for a in listed)
    assert (
        main(["alerts", "--pending", "--rule", "open-source-replies", "--config", str(config)]) == 0
    )
    out = capsys.readouterr().out
    assert "jsonl: pending" in out and "1 pending alert(s) of rule open-source-replies" in out
    from crawler.watch.notify import deliver, sinks_from_config

    with open_store(corpus) as store:  # what `run` does after its crawls
        assert (
            deliver(
                store, sinks_from_config([{"type": "jsonl", "path": "a.jsonl"}], tmp_path)
            ).delivered
            == 3
        )
    assert main(["alerts", "--pending", "--config", str(config)]) == 0
    assert "0 pending alert(s)" in capsys.readouterr().out
    assert main(["alerts", "--config", str(config)]) == 0
    assert "jsonl: delivered" in capsys.readouterr().out
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "a.jsonl").unlink()
    first = listed[-1]["id"]
    assert main(["alerts", "resend", str(first), "--sink", "jsonl", "--config", str(config)]) == 0
    assert "1 alert(s) sent again to jsonl" in capsys.readouterr().out
    again = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum(json.loads(line)["rules"] != ["health"] for line in lines) == 3
    assert [json.loads(line)["key"] for line in again] == [listed[-1]["key"]]
    assert main(["alerts", "resend", "999", "--sink", "jsonl", "--config", str(config)]) == 2
    assert "no alert #999" in capsys.readouterr().err
    assert main(["alerts", "resend", str(first), "--sink", "pager", "--config", str(config)]) == 2
    assert "no such sink; the sinks are jsonl" in capsys.readouterr().err
    assert main(["alerts", "--since", "soon", "--config", str(config)]) == 2


def test_check_lists_every_problem_with_its_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "bad.yaml").write_text("name: bad\nfamily: zzz\n", encoding="utf-8")
    (tmp_path / "govwatch.yaml").write_text(
        "portals: [hangzhou-jxj, nope]\nsinks:\n  - {type: jsonl, path: a.jsonl}\n"
        "  - {type: webhook, url: 'http://127.0.0.1:9/h', secret_env: NO_SUCH_SECRET}\n  - {type: pager}\n",
        encoding="utf-8",
    )
    assert main(["check", "--profiles", "mine", "--send-test-alert"]) == 2
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 4, out
    assert "mine/bad.yaml: field 'family': unknown family 'zzz'" in out
    assert "field 'portals[1]': no such portal 'nope'" in out
    assert "sinks[1].secret_env: set the environment variable NO_SUCH_SECRET" in out
    assert "sinks[2].type: 'pager'" in out
    # The sink that works received one test alert, marked as such.
    assert "sent     a test alert through sink jsonl" in out
    sent = [
        json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(sent) == 1 and sent[0]["title"].startswith("[govwatch test alert]")


def test_check_passes_a_good_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert (
        "everything checks out" in out and "rules shipped: open-source, open-source-replies" in out
    )


def test_run_crawls_only_the_portals_the_config_names(tmp_path: Path) -> None:
    from crawler.config import load_config
    from crawler.run.schedule import run_pass

    config_file = tmp_path / "govwatch.yaml"
    config_file.write_text("portals: [govcn]\nsinks: []\n", encoding="utf-8")
    config = load_config(config_file)
    crawled: list[str] = []

    def crawler(config: Any, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        crawled.append(portal)
        return {"error": "not crawled in this test", "status": "failed"}

    run_pass(config, only_due=False, crawler=crawler)
    assert crawled == ["govcn"]


def test_the_scheduler_logs_one_line_per_run() -> None:
    import datetime as dt

    from crawler.run.schedule import PassResult, pass_line
    from crawler.watch.notify import Delivery

    result = PassResult()
    result.crawls["govcn"] = {"requests": 12, "documents_new": 2, "documents_changed": 1,
                              "documents_gone": 0, "errors": 0, "blocked": [], "status": "done"}  # fmt: skip
    result.delivery = Delivery(delivered=2, waiting=1, failed=1, errors=["webhook 127.0.0.1: down"])
    line = pass_line(dt.datetime(2023, 11, 3, 3, 4, tzinfo=dt.UTC), "govcn", result)
    assert line == ("2023-11-03 11:04 CST govcn: done: 12 requests, 2 new, 1 changed, 0 gone, 0 errors; "
                    "alerts: 2 delivered, 1 waiting (webhook 127.0.0.1: down)")  # fmt: skip


@pytest.mark.parametrize("bad", ["2023-13-45", "tomorrow", "7x", "2023/11/01x"])
@pytest.mark.parametrize("command", [["search", "开源"], ["export"], ["alerts"]])
def test_since_is_checked_when_the_command_line_is_read(
    corpus: str, capsys: pytest.CaptureFixture[str], command: list[str], bad: str
) -> None:
    """A --since that is no date, time or age is refused before anything runs (a weekly cron
    exporting nothing with exit 0 was the alternative), the same way by every command."""
    assert main([*command, "--since", bad, "--db", corpus]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"Invalid value for '--since': {bad!r} is no date, time or age" in captured.err
    assert "or an age (36h, 7d, 2w)" in captured.err


def test_since_takes_ages_and_dates_as_portals_print_them(
    corpus: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documents were published on 2023-11-01 … 05 at 10:00 in China.
    monkeypatch.setenv("GOVWATCH_NOW", "2023-11-06T00:00:00+08:00")
    everything = "开源 OR 鸿蒙 OR 财政 OR open OR 政务"
    dated = {number: f"http://jxj.hangzhou.gov.cn/art/2023/11/3/art_{number}.html"
             for number in range(1, 6)}  # fmt: skip
    for since, numbers in (("3d", {3, 4, 5}), ("2023/11/3", {3, 4, 5}), ("2023-11-03", {3, 4, 5}),
                           ("1w", {1, 2, 3, 4, 5}), ("37h", {5}), ("38h", {4, 5}), ("2023-11-05T10:00", {5})):  # fmt: skip
        found = _urls(capsys, everything, "--since", since, "--db", corpus)
        assert found == {dated[n] for n in numbers}, since
        assert main(["export", "--since", since, "--db", corpus]) == 0
        exported = {json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()}
        assert exported == {dated[n] for n in numbers}, since
