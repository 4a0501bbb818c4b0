"""Crawls meet faults and sudden death: transient errors recover, blocks are reported, nothing is
stored twice, and a killed crawl leaves a consistent database that the next crawl completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawl_helpers import ROOT, crawl, crawl_command, served_replica, truth

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store
from replica.client import served_origins

DOCS = 120
DAY = 1400
FAULTS = ";".join([
    "hubei-jxt:*/t2*=503@0.15,reset@0.05",  # transient, on TRS articles
    "govcn:/search-gov/data=500@0.2",  # transient, on the listing API
    "hangzhou-jxj:/col/col1229125421/index.html=418",  # 工作动态 blocked (加速乐)
    "hangzhou-jxj:*dataproxy*=empty-proxy",  # dataproxy answers bots with nothing
    "hangzhou-gov:/col/*=illegal",  # no session cookie, no article
])  # fmt: skip


def test_faults(tmp_path: Path) -> None:
    docs = 250  # enough for Hanweb columns longer than their inline group of 45
    db = tmp_path / "faults.db"
    with served_replica(docs, DAY, FAULTS) as url:
        summary = crawl(url, db, exit_codes=(1, 3))  # blocked columns; maybe errors
        with open_store(db) as store:
            first = {r["url"] for r in store.records()}
            errors = store.run_errors(summary["run"])
        # A fault that outlasted the retries is an error with its URL, and the next crawl
        # fetches what it missed.
        missed = {
            u
            for u in truth(docs, DAY)
            if ("jxt.hubei" in u or "//www.gov.cn/" in u) and u not in first
        }
        reported = {e["url"] for e in errors if e["kind"] == "error"}
        assert len(missed) <= len(reported)
        again = crawl(url, db, exit_codes=(1, 3))
    expected = truth(docs, DAY)
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
        counts = store.counts()
    # Transient faults recovered: TRS and gov.cn are complete and right.
    for host in ("jxt.hubei.gov.cn", "www.gov.cn"):
        want = {u for u in expected if host in u}
        assert want <= set(got), (host, again["errors"])
    # Blocks are reported per column, with the reason; nothing blocked was stored.
    blocked = {(b["portal"], b["column"], b["message"]) for b in summary["blocked"]}
    assert (
        "hangzhou-jxj",
        "1229125421",
        "HTTP 418: 加速乐/创宇盾 challenge (__jsl_clearance)",
    ) in blocked
    assert any(b[0] == "hangzhou-jxj" and b[2] == "empty answer" for b in blocked)
    assert any(b[0] == "hangzhou-gov" and "非法请求" in b[2] for b in blocked)
    assert len(errors) >= len(summary["blocked"])
    # What was stored is right, and stored once.
    assert all(all(got[u][k] == expected[u][k] for k in DOCUMENT_KEYS) for u in got)
    assert counts["versions"] == counts["documents"] == len(got)
    # The inline group of the other Hanweb columns still came through (degraded, not silent).
    assert any("jxj.hangzhou.gov.cn" in u for u in got)


def test_kill_9_then_complete(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    expected = truth(DOCS, DAY)
    with served_replica(DOCS, DAY) as url:
        for delay in (1.2, 1.8, 2.6):
            process = subprocess.Popen(crawl_command(url, db), cwd=ROOT, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
            time.sleep(delay)
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            with sqlite3.connect(db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        summary = crawl(url, db)
    assert summary["errors"] == 0
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
        counts = store.counts()
    assert set(got) == set(expected)
    assert all(all(got[u][k] == expected[u][k] for k in DOCUMENT_KEYS) for u in expected)
    assert counts["versions"] == counts["documents"]


def test_scrapy_crawl_works(tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    with served_replica(30, DAY) as url:
        origin = served_origins(url)["hangzhou-jxj"]  # only the origin swapped
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "hanweb", "-a", "portal=hangzhou-jxj",
             "-a", f"origin={origin}", "-s", f"GOVWATCH_REPLICA={url}", "-s", f"GOVWATCH_DB={db}",
             "-s", "LOG_LEVEL=WARNING",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],  # replica runs lift the delays
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    expected = {u for u in truth(30, DAY) if "jxj.hangzhou" in u}
    with open_store(db) as store:
        assert {r["url"] for r in store.records()} == expected


def test_a_column_that_empties_is_an_error_and_progress_shows(tmp_path: Path) -> None:
    from crawl_helpers import set_day

    db = tmp_path / "emptied.db"
    with served_replica(40, DAY) as url:
        crawl(url, db)
        with open_store(db) as store:
            listed = [
                c for c in ("rddbjy", "zxwyta", "gzdt") if store.column_listed("hubei-jxt", c)
            ]
        set_day(url, 0)  # 2023-01-01: columns list next to nothing
        result = subprocess.run(crawl_command(url, db, "hubei-jxt", "--progress"), cwd=ROOT,
                                capture_output=True, text=True, timeout=300)  # fmt: skip
    # A column that lists nothing any more is an error: the crawl failed, and says so last.
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("govwatch crawl: hubei-jxt failed: ")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    from replica.corpus import Corpus

    emptied = [c for c in listed if not Corpus(40, 1).listing("hubei-jxt", c, 0)]
    assert emptied and summary["errors"] == len(emptied)
    with open_store(db) as store:
        errors = store.run_errors(summary["run"])
    assert sorted(e["column_id"] for e in errors) == sorted(emptied)
    assert all("none now" in e["message"] for e in errors)
    assert "[hubei-jxt]" in result.stderr and "pages" in result.stderr


def test_hanweb_parameters_are_read_off_the_column_page(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (ROOT / "crawler" / "portals" / "shipped" / "hangzhou-jxj.yaml").read_text(
        encoding="utf-8"
    )
    (profiles / "hangzhou-jxj.yaml").write_text(
        "\n".join(
            line for line in text.splitlines() if "webid" not in line and "unitid" not in line
        ),
        encoding="utf-8",
    )
    db = tmp_path / "discovered.db"
    with served_replica(250, DAY) as url:
        summary = crawl(url, db, "hangzhou-jxj", "--profiles", str(profiles))
    expected = {u for u in truth(250, DAY) if "jxj.hangzhou" in u}
    assert summary["errors"] == 0
    with open_store(db) as store:
        assert {r["url"] for r in store.records()} == expected
