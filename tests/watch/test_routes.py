"""Alert routing (issue 24, item 14): a sink may take only some rules or kinds, so that operations
alerts and topic alerts reach different people; what a sink does not take is never sent to it,
never pending for it, and `govwatch alerts` says "not routed"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.store import Store, open_store
from crawler.store.outbox import Route
from crawler.watch.notify import ConfigError, check_routes, deliver, sinks_from_config
from crawler.watch.rules import alerts_for, load_rules

RULES = load_rules()
SINKS = [
    {"type": "jsonl", "name": "ops", "path": "ops.jsonl", "kinds": ["health"]},
    {"type": "jsonl", "name": "topics", "path": "topics.jsonl", "rules": ["open-source-replies"]},
    {"type": "jsonl", "name": "all", "path": "all.jsonl"},
]


def _save(store: Store, number: int, kind: str) -> None:
    record = {"url": f"http://x.gov.cn/{number}.html", "title": f"关于开源软件的文件{number}",
              "body_text": "支持开源软件发展。", "kind": kind, "attachments": [], "warnings": [],
              "published_at": "2024-01-02"}  # fmt: skip
    store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
               fetched_at="2024-01-02T00:00:00+00:00", status=200, headers={}, raw=b"", etag=None,
               last_modified=None, run_id=None, alerts=alerts_for(RULES, record, "p"))  # fmt: skip


def _outbox(db: str) -> None:
    """A reply (open-source-replies and open-source), a notice (open-source), two health alerts."""
    with open_store(db) as store:
        _save(store, 1, "reply")
        _save(store, 2, "notice")
        store.add_health_alert("health:p:blocked", "p", {"message": "column 1 blocked"})
        store.add_health_alert("health:p:failing", "p", {"message": "3 runs in a row failed"})


def _keys(path: Path) -> list[str]:
    return [json.loads(line)["key"] for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_sink_gets_only_what_it_takes(corpus: str, tmp_path: Path) -> None:
    _outbox(corpus)
    sinks = sinks_from_config(SINKS, tmp_path)
    assert [getattr(s, "route", None) for s in sinks] == [
        Route(kinds=("health",)), Route(rules=("open-source-replies",)), Route()]  # fmt: skip
    with open_store(corpus) as store:
        assert [store.pending_count(s.name, s.route) for s in sinks] == [2, 1, 4]  # type: ignore[attr-defined]
        result = deliver(store, sinks)
        assert (result.delivered, result.waiting) == (2 + 1 + 4, 0)
        assert [store.pending_count(s.name, s.route) for s in sinks] == [0, 0, 0]  # type: ignore[attr-defined]
        assert deliver(store, sinks).delivered == 0
    assert sorted(_keys(tmp_path / "ops.jsonl")) == ["health:p:blocked", "health:p:failing"]
    (reply,) = [json.loads(line) for line in (tmp_path / "topics.jsonl").read_text().splitlines()]
    assert reply["rules"] == ["open-source-replies", "open-source"]
    assert len(_keys(tmp_path / "all.jsonl")) == 4


def test_a_document_kind_and_a_rule_together(corpus: str, tmp_path: Path) -> None:
    """A sink takes an alert naming one of its rules or of one of its kinds."""
    _outbox(corpus)
    entry = {"type": "jsonl", "path": "mixed.jsonl", "rules": ["health"], "kinds": ["document"]}
    with open_store(corpus) as store:
        assert deliver(store, sinks_from_config([entry], tmp_path)).delivered == 4
    entry = {"type": "jsonl", "name": "docs", "path": "docs.jsonl", "kinds": "document"}
    with open_store(corpus) as store:
        assert deliver(store, sinks_from_config([entry], tmp_path)).delivered == 2


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"kinds": ["healt"]}, "sinks[0].kinds: 'healt' is no kind of alert; use health or document"),
        ({"kinds": []}, "sinks[0].kinds: expected a list of kinds"),
        ({"rules": [7]}, "sinks[0].rules: expected a list of rules, e.g. rules: [open-source-replies]"),
        ({"rules": {"a": 1}}, "sinks[0].rules: expected a list"),
        ({"rule": ["open-source"]}, "sinks[0].rule: not a console sink field"),
    ],
)  # fmt: skip
def test_routes_are_checked(entry: dict[str, Any], fragment: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        sinks_from_config([{"type": "console", **entry}], tmp_path)
    assert fragment in str(error.value)


def test_a_rule_no_rules_file_has_is_refused(tmp_path: Path) -> None:
    """A typo would route that sink nothing, silently: `check` and `run` say so."""
    sinks = sinks_from_config(
        [{"type": "console"}, {"type": "jsonl", "rules": ["open-sauce"]}], tmp_path
    )
    with pytest.raises(
        ConfigError, match=r"sinks\[1\]\.rules: no rule 'open-sauce'; the rules are"
    ):
        check_routes(sinks, [rule.name for rule in RULES])
    check_routes(sinks_from_config([{"type": "console", "rules": ["health"]}], tmp_path), [])
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": str(tmp_path / "c.db"), "sinks": [
        {"type": "console"}, {"type": "jsonl", "rules": ["open-sauce"]}]}), encoding="utf-8")  # fmt: skip
    assert main(["check", "--config", str(config)]) == 2
    assert main(["run", "--config", str(config)]) == 2


def test_alerts_shows_not_routed_and_counts_only_routed_pending(
    corpus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _outbox(corpus)
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": corpus, "sinks": SINKS[:2]}), encoding="utf-8")
    assert main(["alerts", "--json", "--config", str(config)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    shown = {a["key"]: a["deliveries"] for a in listed}
    assert shown["health:p:blocked"] == {
        "ops": {"status": "pending"},
        "topics": {"status": "not routed"},
    }
    (notice,) = [a["deliveries"] for a in listed if a["rules"] == ["open-source"]]
    assert notice == {"ops": {"status": "not routed"}, "topics": {"status": "not routed"}}
    with open_store(corpus) as store:
        deliver(store, sinks_from_config(SINKS[:1], tmp_path))  # ops has its health alerts
    assert main(["alerts", "--pending", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "ops: not routed · topics: pending" in out and "1 pending alert(s)" in out
    assert main(["alerts", "--config", str(config)]) == 0
    assert "ops: delivered" in capsys.readouterr().out


def test_alerts_with_a_limit_says_of_how_many(
    corpus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _outbox(corpus)
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": corpus, "sinks": []}), encoding="utf-8")
    assert main(["alerts", "--limit", "3", "--config", str(config)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("3 of 4 alert(s)")
    assert main(["alerts", "--limit", "9", "--config", str(config)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "4 alert(s)"


def test_an_atom_sink_of_one_rule_writes_only_its_feed(corpus: str, tmp_path: Path) -> None:
    _outbox(corpus)
    entry = {"type": "atom", "dir": "feeds", "rules": ["open-source-replies"]}
    with open_store(corpus) as store:
        assert deliver(store, sinks_from_config([entry], tmp_path)).delivered == 1
    assert sorted(path.name for path in (tmp_path / "feeds").iterdir()) == [
        "open-source-replies.atom"
    ]
