"""What a crawl's outcome promises: exit codes cron and systemd can act on, runs stored as what
they were, baselines only from complete walks, documents gone only where the walk was clean."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawl, crawl_command, served_replica, truth

from crawler.store import open_store
from replica.corpus import SEED_DAY

SEED = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
DAY = SEED_DAY + 20  # the 西湖31号 reply is history by now


@pytest.fixture(scope="module")
def clean() -> Iterator[str]:
    """A replica with no fault, where the portals can be read at last."""
    with served_replica(60, DAY) as url:
        yield url


@pytest.fixture(scope="module")
def slow() -> Iterator[str]:
    """A replica that answers everything a second late, to stop crawls in the middle."""
    with served_replica(40, 1400, "*:*=slow:1") as url:
        yield url


def run_crawl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=300)


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def runs(db: Path) -> list[str]:
    """The stored runs' statuses (none while the database is being made)."""
    with sqlite3.connect(db) as conn:
        try:
            return [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]
        except sqlite3.OperationalError:
            return []


def test_a_blocked_first_crawl_is_no_baseline(tmp_path: Path, clean: str) -> None:
    """A WAF in front of the portal on the first crawl: nothing stored, no baseline — so the first
    crawl that gets through is the baseline, and the portal's history raises no alert."""
    db = tmp_path / "b.db"
    with served_replica(60, DAY, "hangzhou-jxj:*=412") as url:
        blocked = run_crawl(*crawl_command(url, db, "hangzhou-jxj"))
    assert blocked.returncode == 3, blocked.stderr[-2000:]
    assert last_line(blocked).startswith("govwatch crawl: hangzhou-jxj blocked: ")
    assert runs(db) == ["failed"]
    summary = crawl(clean, db, "hangzhou-jxj")
    assert summary["documents_new"] == len([u for u in truth(60, DAY) if "jxj.hangzhou" in u])
    with open_store(db) as store:
        assert store.alerts() == []  # history, not news
        assert all(store.baseline_done("hangzhou-jxj", c) for c in ("1229265378", "1229125421"))


def test_one_blocked_column_is_no_baseline_for_that_column(tmp_path: Path, clean: str) -> None:
    db = tmp_path / "c.db"
    with served_replica(60, DAY, "hangzhou-jxj:*1229265378*=418") as url:
        crawl(url, db, "hangzhou-jxj", exit_codes=(3,))
    with open_store(db) as store:
        assert not store.baseline_done("hangzhou-jxj", "1229265378")
        assert store.baseline_done("hangzhou-jxj", "1229125421")
    crawl(clean, db, "hangzhou-jxj")
    with open_store(db) as store:
        assert store.document("hangzhou-jxj:4216448") is not None
        assert store.alerts() == []  # the reply was there before the column could be read


def test_exit_codes_and_stored_runs(tmp_path: Path) -> None:
    faults = "govcn:*=500;hubei-jxt:*=412"
    with served_replica(40, 1400, faults) as url:
        failed = run_crawl(*crawl_command(url, tmp_path / "f.db", "govcn"))
        blocked = run_crawl(*crawl_command(url, tmp_path / "b.db", "hubei-jxt"))
        clean = run_crawl(*crawl_command(url, tmp_path / "c.db", "hangzhou-gov"))
    assert failed.returncode == 1
    assert last_line(failed).startswith("govwatch crawl: govcn failed: ")
    assert "HTTP 500" in last_line(failed) and last_line(failed).endswith("stored as failed")
    assert json.loads(failed.stdout.splitlines()[-1])["status"] == "failed"
    assert runs(tmp_path / "f.db") == ["failed"]
    assert blocked.returncode == 3 and "瑞数" in last_line(blocked)
    assert runs(tmp_path / "b.db") == ["failed"]
    assert clean.returncode == 0 and "Traceback" not in clean.stderr
    assert runs(tmp_path / "c.db") == ["done"]


def test_an_interrupted_crawl_exits_130_and_is_stored_interrupted(
    tmp_path: Path, slow: str
) -> None:
    db = tmp_path / "i.db"
    process = subprocess.Popen(crawl_command(slow, db, "hangzhou-jxj"), cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and runs(db)):
        time.sleep(0.2)
    time.sleep(1.5)  # inside the slow pages
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == (
        f"govwatch crawl: hangzhou-jxj interrupted — run {json.loads(out.splitlines()[-1])['run']} "
        "stored as interrupted"
    )
    assert runs(db) == ["interrupted"]
    with open_store(db) as store:  # an interrupted walk is no baseline, and completes nothing
        assert not store.baseline_done("hangzhou-jxj")


POLITE_CRAWL = """
import sys
from crawler.portals.origins import served_day, served_origins
from crawler.portals.profiles import load_profiles
from crawler.run.crawl import run
db, replica = sys.argv[1:]
run([load_profiles()["hangzhou-jxj"]], db=db, replica=replica, origins=served_origins(replica),
    today=served_day(replica), polite=True)
"""


def test_a_stopped_polite_crawl_drops_what_waits_and_the_next_crawl_fetches_it(
    tmp_path: Path, clean: str
) -> None:
    """A SIGTERM (or a node's cancel) in the middle of a crawl under the portal's politeness
    delays: the requests waiting in the downloader are dropped, not sent a delay apart (Scrapy's
    graceful stop sent them all: 20-30 s here, past 30 s on a busy machine). The run is stored
    interrupted with no error, and the next crawl stores every document the stopped one had
    not."""
    db = tmp_path / "p.db"
    process = subprocess.Popen([sys.executable, "-c", POLITE_CRAWL, str(db), clean], cwd=ROOT,
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not stored_count(db):  # the walk is under way: its listing read, requests queued
            assert time.monotonic() < deadline and process.poll() is None, "nothing stored"
            time.sleep(0.2)
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
        assert time.monotonic() - stopped < 10, "the stop waited for the politeness delays"
    finally:
        process.kill()
    with open_store(db) as store:
        (run,) = store.db.query("SELECT status, errors FROM runs")
        assert (run["status"], run["errors"]) == ("interrupted", 0), err[-2000:]
        first = len(list(store.records()))
    expected = {u for u in truth(60, DAY) if "jxj.hangzhou" in u}
    assert 0 < first < len(expected)
    crawl(clean, db, "hangzhou-jxj")
    with open_store(db) as store:
        assert {r["url"] for r in store.records() if r["status"] == "live"} == expected


STOPPED_AS_IT_STARTS = """
import json, sys
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
import crawler.run.crawl as crawl
from crawler.portals.origins import served_day, served_origins
from crawler.portals.profiles import load_profiles

looks = crawl.stop_when_started

def stop_after_the_look(crawler):
    opened = looks(crawler)
    def spider_opened():
        opened()
        # Connected after the look at the engine's start, it runs after it: the stop falls
        # between that look and the engine counting as running.
        stop = lambda: deferred_from_coro(crawler.stop_async())
        crawler.signals.connect(stop, signal=signals.engine_started, weak=False)
    return spider_opened

crawl.stop_when_started = stop_after_the_look
db, replica = sys.argv[1:]
summary = crawl.run([load_profiles()["hangzhou-jxj"]], db=db, replica=replica,
                    origins=served_origins(replica), today=served_day(replica))
print(json.dumps(summary))
"""


def test_a_stop_just_after_the_engine_starts_closes_the_crawl(tmp_path: Path, clean: str) -> None:
    """Scrapy runs its `engine_started` handlers before the engine counts as running, and its
    stop then stops no engine: a stop that fell after `stop_when_started` looked, and before
    the engine ran, was seen by no one. The crawl went on, and when its spider closed, the
    crawler (stopped already) did not stop its engine: the crawl never ended (a node's
    cancelled job "kept running"). Now it is stopped at its first request: nothing fetched
    past it, nothing stored, no run done, and the process ends."""
    db = tmp_path / "s.db"
    result = subprocess.run([sys.executable, "-c", STOPPED_AS_IT_STARTS, str(db), clean], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["status"] != "done" and summary["documents_new"] == 0, summary
    assert stored_count(db) == 0


def stored_count(db: Path) -> int:
    """Documents stored so far (none while the database is being made)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def test_a_broken_rules_file_stops_the_crawl_before_it_starts(tmp_path: Path, clean: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: r\n    any: [开源\n", encoding="utf-8")
    db = tmp_path / "r.db"
    result = run_crawl(*crawl_command(clean, db, "govcn", "--rules", str(rules)))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and str(rules) in last_line(result)
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db.exists() or runs(db) == []  # no run pretends to be a success


# A crawler that fails while starting — a profile value only the spider rejects, a pipeline that
# cannot open: the portal's crawl failed, in one line, and its run is stored failed, never left
# `running` for ever nor `done`.
START_FAILURE = """
import json, sys
import spiders.base
def refuse(cls, crawler, *args, **kwargs):
    raise OverflowError("date value out of range")
spiders.base.PortalSpider.from_crawler = classmethod(refuse)
from crawler.run import crawl
from crawler.portals.profiles import load_profiles
print(json.dumps(crawl.run([load_profiles()["govcn"]], db=sys.argv[1])))
"""


def test_a_crawler_that_cannot_start_is_a_failed_run(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    result = subprocess.run([sys.executable, "-c", START_FAILURE, str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env={**os.environ})  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "failed"
    assert summary["portals"]["govcn"]["error"] == (
        "could not start: OverflowError: date value out of range"
    )
    assert "Unhandled error in Deferred" not in result.stderr
    assert runs(db) == ["failed"]


def test_gone_is_decided_per_column(tmp_path: Path) -> None:
    """A full crawl on which one column fails still marks what vanished from the clean columns as
    gone (a flaky portal must not keep withdrawn documents live for ever) — and nothing of the
    failing column, whose listing was not read."""
    db = tmp_path / "g.db"
    withdrawn = "hangzhou-jxj:4000150"  # 人大代表建议, published day 498, withdrawn day 584
    with served_replica(60, 560) as url:
        crawl(url, db, "hangzhou-jxj")
    with open_store(db) as store:
        before = {r["id"]: r["column_id"] for r in store.records() if r["status"] == "live"}
    assert withdrawn in before
    with served_replica(60, 600, "hangzhou-jxj:/col/col1229125421/*=500") as url:
        summary = crawl(url, db, "hangzhou-jxj", "--full", exit_codes=(1,))
    assert summary["documents_gone"] == 1
    with open_store(db) as store:
        gone = {r["id"] for r in store.records() if r["status"] == "gone"}
        live = {r["id"]: r for r in store.records() if r["status"] == "live"}
    assert gone == {withdrawn}
    failing = {i for i, column in before.items() if column == "1229125421"}
    assert failing and failing <= set(live)


def test_a_sigterm_before_the_reactor_is_installed_installs_none() -> None:
    """A SIGTERM between Scrapy's process being made and its reactor installed is noted only:
    handing it to Scrapy then installed Twisted's default reactor, and every crawler refused
    to start ("the installed reactor does not match"), a failed run instead of an interrupted
    one (once in the suite, at 0 s)."""
    code = """
import sys
from crawler.run.crawl import _Stop

class Process:
    called = False
    def _signal_shutdown(self, signum, frame):
        from twisted.internet import reactor  # as Scrapy's handler does
        Process.called = True

stop = _Stop()
stop.process = Process()
stop(15, None)
print(stop.asked, Process.called, "twisted.internet.reactor" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)  # fmt: skip
    assert result.stdout.split() == ["True", "False", "False"], result.stderr[-2000:]


@pytest.mark.parametrize("after", [0.0, 0.05, 0.1, 0.2, 0.3, 0.4])
def test_sigterm_while_the_crawl_starts_interrupts_it(
    tmp_path: Path, slow: str, after: float
) -> None:
    """SIGTERM in the first moments of a crawl, before Scrapy's own signal handlers are in or
    while its crawlers start: the crawl stops, stored interrupted, exit 130. (It was raised as
    an exception from the handler, which Scrapy's start-up swallowed; and Scrapy's stop passes
    over a crawler still starting. Either way the crawl went on to its end, stored failed or
    even done.)"""
    db = tmp_path / "c.db"
    process = subprocess.Popen(crawl_command(slow, db), cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and runs(db)):
        time.sleep(0.01)
    time.sleep(after)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, runs(db)) == (130, ["interrupted"]), err[-2000:]
    assert "Traceback" not in err


def test_sigterm_to_run_stops_the_pass(tmp_path: Path, slow: str) -> None:
    """`govwatch run` under systemd or a cron timeout: SIGTERM stops the running crawl (stored
    interrupted), no other portal is crawled, and the pass exits 130 saying so."""
    db = tmp_path / "p.db"
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": "p.db", "replica": slow, "sinks": []}), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "crawler", "run", "--all", "--config", str(config)],
                               cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (db.exists() and runs(db)):
        time.sleep(0.2)
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-2000:]
    assert runs(db) == ["interrupted"]
    assert "interrupted" in err.strip().splitlines()[-1] and "Traceback" not in err
