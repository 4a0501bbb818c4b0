"""Bad input everywhere a user can give it: a clear error or a bounded, reported degradation —
never a traceback, never lost data."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_helpers import ROOT, served_replica

from crawler.listings import hanweb
from crawler.store import Store


def govwatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})  # fmt: skip


def clear(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr[-1000:])


@pytest.fixture
def newer_db(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    return path


def test_broken_files(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "my-portal.yaml").write_text(
        "name: my-portal\nfamily: hanweb\norigin: ftp://x\ncolumns: []\n", encoding="utf-8"
    )
    clear(govwatch("portals", "--profiles", str(profiles)), "my-portal.yaml", "'origin'")
    clear(govwatch("crawl", "--profiles", str(profiles)), "my-portal.yaml")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: r\n    kinds: [memo]\n    any: [开源]\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("开源", encoding="utf-8")
    clear(govwatch("rules", "test", str(page), "--rules", str(rules)), "rule 'r' field 'kinds'")
    config = tmp_path / "govwatch.yaml"
    config.write_text("sinks: {type: console}\n", encoding="utf-8")
    clear(govwatch("run", "--config", str(config), "--db", str(tmp_path / "x.db")), "'sinks'")
    config.write_text("sinks: [{type: pager}]\n", encoding="utf-8")
    clear(
        govwatch("run", "--config", str(config), "--db", str(tmp_path / "x.db"), "govcn"),
        "sinks[0].type",
    )
    config.write_text(": not yaml [", encoding="utf-8")
    clear(govwatch("status", "--config", str(config)), "not valid YAML")


def test_unknown_names(tmp_path: Path) -> None:
    clear(govwatch("crawl", "nowhere", "--db", str(tmp_path / "x.db")), "unknown portal nowhere")
    clear(
        govwatch("rules", "backtest", "--rule", "nope", "--db", str(tmp_path / "x.db")),
        "no rule 'nope'",
    )
    clear(govwatch("search", "开源", "--db", str(tmp_path / "missing.db")), "no such database")


def test_a_database_from_a_newer_govwatch(newer_db: Path) -> None:
    for command in (("search", "开源"), ("export",), ("crawl", "govcn"), ("status",)):
        clear(govwatch(*command, "--db", str(newer_db)), "newer govwatch", "Upgrade govwatch")


def test_a_full_disk_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    with served_replica(200, 1400) as url:
        assert govwatch("crawl", "hubei-jxt", "--replica", url, "--db", str(db)).returncode == 0
        with Store(db) as store:
            before = {r["id"]: r["content_hash"] for r in store.records()}
        size_mb = db.stat().st_size / 1024 / 1024 + 0.2
        result = govwatch(
            "crawl", "--replica", url, "--db", str(db), env={"GOVWATCH_DB_MAX_MB": f"{size_mb:.2f}"}
        )
    assert result.returncode != 0
    assert "database or disk is full; free disk space or fix permissions" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(db) as store:
        after = {r["id"]: r["content_hash"] for r in store.records()}
    assert {k: after[k] for k in before} == before  # nothing already stored lost or changed


def test_an_unwritable_database_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    clear(
        govwatch("crawl", "govcn", "--db", str(tmp_path / "file" / "x.db")),
        "cannot open the database",
    )


def test_billion_laughs_in_a_dataproxy_answer() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol{}".format(i - 1 if i > 1 else "") * 10};">'.replace("&lol0", "&lol")
        for i in range(1, 10)
    ) + ']><datastore><recordset><record><![CDATA[<li><a href="/art/1.html">&lol9;</a></li>]]></record>' \
        "</recordset><totalrecord>1</totalrecord></datastore>"  # fmt: skip
    started = time.perf_counter()
    group = hanweb.parse_datastore(bomb, "http://x.gov.cn/")
    assert time.perf_counter() - started < 1.0
    assert group.total == 1 and len(group.entries) == 1
    assert len(group.entries[0].title or "") < 100  # entities were not expanded


def test_json_summaries_stay_json_on_errors(tmp_path: Path) -> None:
    with served_replica(30, 1400, "govcn:/search-gov/data=418") as url:
        result = govwatch(
            "crawl", "govcn", "--replica", url, "--db", str(tmp_path / "b.db"), "--json"
        )
    assert result.returncode == 3  # blocked: cron and systemd see it
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["blocked"] and summary["blocked"][0]["column"] == "gongwen"
    assert summary["status"] == "blocked"
    assert result.stderr.strip().splitlines()[-1].startswith("govwatch crawl: govcn blocked: ")
