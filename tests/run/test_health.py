"""The monitor's figures (crawler/run/health.py), on both backends: each portal's last crawl,
last full walk, last new document, documents, failing-or-blocked streak, next run and colour;
deliveries pending per sink; the corpus against its cap. And `govwatch status` showing them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.config import Config, Trigger
from crawler.run.health import lines, snapshot
from crawler.store import RunStats, Store, open_store

T0 = dt.datetime(2024, 6, 1, 0, 0, tzinfo=dt.UTC)
HOURLY = {name: Trigger(interval_seconds=3600) for name in ("govcn", "hangzhou-jxj", "hubei-jxt")}


def _run(store: Store, portal: str, at: dt.datetime, status: str, full: bool = False) -> None:
    run_id = store.start_run([portal], full)
    with store.transaction() as conn:
        conn.execute("UPDATE runs SET started_at = ? WHERE id = ?", (at.isoformat(), run_id))
    store.finish_run(run_id, RunStats(portals={portal: {"status": status, "documents_new": 1,
                                                        "errors": int(status == "failed")}}), 1.0,
                     status="done" if status != "failed" else "failed")  # fmt: skip


def _document(store: Store, portal: str, number: int, seen: str) -> None:
    record = {"url": f"http://x/{portal}/{number}", "title": "t", "attachments": [], "warnings": []}
    store.save(portal=portal, identity=f"{portal}:{number}", record=record, fetched_url=record["url"],
               fetched_at=seen, status=200, headers={}, raw=b"", etag=None, last_modified=None,
               run_id=None)  # fmt: skip


def _corpus(db: str) -> None:
    with open_store(db) as store:
        _run(store, "govcn", T0, "done", full=True)
        _run(store, "govcn", T0 + dt.timedelta(hours=5), "done")
        _run(store, "hangzhou-jxj", T0 + dt.timedelta(hours=1), "failed")
        _run(store, "hangzhou-jxj", T0 + dt.timedelta(hours=2), "blocked")
        _run(store, "hangzhou-jxj", T0 + dt.timedelta(hours=5), "failed")
        _run(store, "hubei-jxt", T0 + dt.timedelta(hours=1), "failed")
        _run(store, "hubei-jxt", T0 + dt.timedelta(hours=5), "done")
        _document(store, "govcn", 1, "2024-06-01T00:10:00+00:00")
        _document(store, "govcn", 2, "2024-06-01T05:10:00+00:00")
        _document(store, "hangzhou-jxj", 1, "2024-06-01T01:10:00+00:00")
        store.add_alert("test:1", ["open-source"], {"title": "t"})


def test_snapshot(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _corpus(corpus)
    monkeypatch.setenv("GOVWATCH_DB_MAX_MB", "100")
    config = Config(
        path=None, db=corpus, triggers=HOURLY, sinks=[{"type": "console"}, {"type": "jsonl"}]
    )
    found = snapshot(config, now=lambda: T0 + dt.timedelta(hours=5, minutes=30))
    rows = {row.portal: row for row in found.portals}
    govcn, jxj, hubei = rows["govcn"], rows["hangzhou-jxj"], rows["hubei-jxt"]
    assert (govcn.health, govcn.colour, govcn.documents) == ("done", "green", 2)
    assert govcn.last_full == T0.isoformat() and govcn.last_new == "2024-06-01T05:10:00+00:00"
    assert (
        govcn.last_run == (T0 + dt.timedelta(hours=5)).isoformat() and govcn.trouble_since is None
    )
    assert govcn.next_run == "2024-06-01T06:00+00:00"
    # failed, blocked, failed: failing since the first of them; 1 document.
    assert jxj.colour == "red" and jxj.documents == 1 and jxj.health.startswith("failed")
    assert jxj.trouble_since == (T0 + dt.timedelta(hours=1)).isoformat()
    assert hubei.trouble_since is None and hubei.colour == "green" and hubei.documents == 0
    assert rows["hangzhou-gov"].colour == "grey" and rows["hangzhou-gov"].health == "never run"
    assert found.sinks == {"console": 1, "jsonl": 1}
    assert found.cap_bytes == 100 * 1024 * 1024 and 0 < (found.size_share or 0) < 1
    later = snapshot(config, now=lambda: T0 + dt.timedelta(hours=9))  # no scheduler ran since
    assert {row.portal: row.colour for row in later.portals if row.last_run} == {
        "govcn": "yellow", "hangzhou-jxj": "red", "hubei-jxt": "yellow"
    }  # fmt: skip
    assert all(row.overdue for row in later.portals if row.last_run)
    text = [line for line, _ in lines(found)]
    assert text[0].startswith("corpus: 3 documents") and "of 100 MB cap (" in text[0]
    assert any(
        line.startswith("hangzhou-jxj") and "since 2024-06-01 09:00 CST" in line for line in text
    )
    assert text[-2:] == ["sink console: 1 deliveries pending", "sink jsonl: 1 deliveries pending"]


def test_status_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "corpus.db")
    _corpus(db)
    assert main(["status", "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    rows = {row["portal"]: row for row in shown["portals"]}
    assert rows["govcn"]["documents"] == 2 and rows["hangzhou-jxj"]["colour"] == "red"
    assert shown["documents"]["documents"] == 3 and shown["sinks"] == {"console": 1}
    assert main(["status", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "sink console: 1 deliveries pending" in out and out.count("\n") >= 6
