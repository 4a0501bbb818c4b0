"""Crawls into PostgreSQL: the corpus equals the truth, crawls at once duplicate nothing, and
`govwatch migrate` copies a SQLite corpus whole (and back)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import ROOT, crawl, crawl_command, served_replica, set_day, truth

from crawler.cli.scale import run_migrate
from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store

DOCS = 60
DAY = 1400


@pytest.fixture(scope="module")
def replica_url() -> Any:
    with served_replica(DOCS, DAY) as url:
        set_day(url, DAY)
        yield url


def _live(db: str | Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        return {record["url"]: record for record in store.records() if record["status"] == "live"}


def test_two_crawls_at_once_into_postgresql_equal_the_truth(
    replica_url: str, pg_cluster: Any
) -> None:
    url = pg_cluster.create_database()
    open_store(url).close()
    processes = [
        subprocess.Popen(
            crawl_command(replica_url, url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
    expected = truth(DOCS, DAY)
    got = _live(url)
    assert set(got) == set(expected)
    wrong = [(u, k) for u, r in expected.items() for k in DOCUMENT_KEYS if got[u][k] != r[k]]
    assert wrong == []
    with open_store(url) as store:
        # One row and one version per document although two crawls fetched each.
        assert store.counts() == {
            "documents": len(expected),
            "live": len(expected),
            "versions": len(expected),
        }
        keys = [alert["key"] for alert in store.alerts(limit=100_000)]
        assert len(keys) == len(set(keys))
        hit = store.search("开源")
        assert hit and all("开源" in (h["title"] or "") + (h["body_text"] or "") for h in hit)


def test_migrate_copies_a_corpus_whole_and_back(
    replica_url: str, pg_cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lite = tmp_path / "govwatch.db"
    crawl(replica_url, lite)
    with open_store(lite) as store:
        store.add_health_alert("health:p:x", "p", {"message": "m"})
        (alert,) = store.alerts("health")
        store.record_delivery(alert["id"], "jsonl", True)
        before = store.counts()
        searched = {h["id"] for h in store.search("开源 答复", limit=1000)}
    url = pg_cluster.create_database()
    assert run_migrate(str(lite), url) == 0
    out = capsys.readouterr().out
    assert "counts and hashes match" in out and "DIFFERS" not in out and "versions:" in out
    with open_store(url) as store:
        copied_runs = [row["id"] for row in store.db.query("SELECT id FROM runs")]
        assert store.counts() == before
        assert {h["id"] for h in store.search("开源 答复", limit=1000)} == searched
        first = next(iter(store.records()))
        assert store.raw(first["id"]) is not None
        # New rows continue after the copied ids.
        assert store.start_run(["p"], False) == max(copied_runs) + 1
        assert store.pending_count("jsonl") == len(store.alerts(limit=100_000)) - 1
    assert run_migrate(str(lite), url) == 2  # never into a corpus
    assert "already holds a corpus" in capsys.readouterr().err
    back = tmp_path / "back.db"
    assert run_migrate(url, str(back)) == 0
    with open_store(back) as store:
        assert {h["id"] for h in store.search("开源 答复", limit=1000)} == searched
        assert store.integrity() == "ok"


def test_the_reading_commands_work_on_a_postgresql_corpus(
    replica_url: str, pg_cluster: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """show, search, export (JSON lines and WARC), alerts and status read a PostgreSQL corpus as
    they read a SQLite one: no SQLite-only SQL left in them."""
    import json

    from crawler.cli import main

    monkeypatch.chdir(tmp_path)  # no govwatch.yaml of the developer's
    url = pg_cluster.create_database()
    crawl(replica_url, url)  # type: ignore[arg-type]
    with open_store(url) as store:
        records = [r for r in store.records() if r["status"] == "live"]
    with_files = next(r for r in records if r["attachments"])
    capsys.readouterr()
    assert main(["show", with_files["url"], "--db", url, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [f["url"] for f in shown["attachment_files"]] == [
        a["url"] for a in with_files["attachments"]
    ]
    assert main(["search", "开源", "--db", url, "--json"]) == 0
    assert capsys.readouterr().out.strip()
    assert main(["export", "--db", url, "-o", str(tmp_path / "all.jsonl")]) == 0
    lines = (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(records)
    assert main(["export", "--format", "warc", "--db", url, "-o", str(tmp_path / "all.warc")]) == 0
    assert (tmp_path / "all.warc").stat().st_size > 0
    capsys.readouterr()
    assert main(["alerts", "--db", url]) == 0  # a first crawl is the baseline: no alert
    assert capsys.readouterr().out.strip().endswith("0 alert(s)")
    assert main(["status", "--db", url]) == 0
