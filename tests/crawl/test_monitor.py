"""The monitor against the replica: alerts exactly once across crawls and crashes, health alerts."""

from __future__ import annotations

import json
from pathlib import Path

from crawl_helpers import served_replica, set_day

from crawler.config import Config
from crawler.run.schedule import run_pass
from crawler.store import open_store
from replica.corpus import SEED_DAY

SEED = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"


def test_alerts_exactly_once_across_crawls_and_a_crash_before_delivery(tmp_path: Path) -> None:
    jsonl = tmp_path / "alerts.jsonl"
    with served_replica(150, SEED_DAY - 3) as url:
        config = Config(
            path=None,
            db=str(tmp_path / "m.db"),
            sinks=[{"type": "jsonl", "path": str(jsonl)}],
            replica=url,
        )
        baseline = run_pass(config, only_due=False)
        assert baseline.delivery.delivered == 0  # the first crawl is history, not news
        set_day(url, SEED_DAY + 3)
        # The crawl stores documents and their alerts; the process dies before delivering.
        import subprocess
        import sys

        subprocess.run([sys.executable, "-m", "crawler", "crawl", "--replica", url, "--db", config.db, "--json"],
                       check=True, capture_output=True)  # fmt: skip
        with open_store(config.db) as store:
            pending = store.pending_alerts("jsonl")
        assert {a["url"] for a in pending} >= {SEED}
        first = run_pass(config, only_due=False)  # the next run crawls (nothing new) and delivers
        assert first.delivery.delivered == len(pending)
        again = run_pass(config, only_due=False)  # re-crawls create no new alerts
        assert again.delivery.delivered == 0
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(pending) == len({line for line in lines})
    seed_alerts = [json.loads(line) for line in lines if SEED in line]
    # One alert for the document, naming both rules it matched (the most specific first).
    assert [a["rules"] for a in seed_alerts] == [["open-source-replies", "open-source"]]


def test_health_alerts_for_a_blocked_site_and_silent_listings(tmp_path: Path) -> None:
    faults = "hubei-jxt:/fbjd/xxgkml/jytabl/rddbjy/index.html=412"
    with served_replica(60, 1400, faults) as url:
        config = Config(path=None, db=str(tmp_path / "h.db"), sinks=[], replica=url)
        first = run_pass(config, only_due=False, portals=["hubei-jxt", "govcn"])
        assert first.health == 1
        assert (
            run_pass(config, only_due=False, portals=["hubei-jxt"]).health == 0
        )  # once, while it lasts
        set_day(url, -1)  # 2022-12-31, before anything: the listings stop yielding
        silent = run_pass(config, only_due=False, portals=["govcn"])
        assert silent.health == 1
    with open_store(config.db) as store:
        messages = [a["message"] for a in store.alerts("health")]
    assert any("rddbjy blocked: HTTP 412: 瑞数 challenge ($_ts)" in m for m in messages)
    assert any("gongwen lists nothing" in m for m in messages)


def test_the_scheduler_runs_overdue_portals_at_start_and_stops_on_sigterm(tmp_path: Path) -> None:
    import json
    import signal
    import subprocess
    import sys
    import time

    from crawl_helpers import ROOT

    with served_replica(40, 1400) as url:
        config = tmp_path / "govwatch.yaml"
        config.write_text(json.dumps({"db": "s.db", "replica": url, "sinks": [{"type": "jsonl", "path": "a.jsonl"}]}),
                          encoding="utf-8")  # fmt: skip
        command = [sys.executable, "-m", "crawler", "schedule", "--config", str(config)]
        scheduler = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 120
            done: set[str] = set()
            while time.monotonic() < deadline and len(done) < 4:
                time.sleep(0.5)
                if (tmp_path / "s.db").exists():
                    with open_store(tmp_path / "s.db") as store:
                        done = {p for row in store.db.query("SELECT portals FROM runs WHERE status = 'done'")
                                for p in json.loads(row["portals"])}  # fmt: skip
            assert done == {"govcn", "hangzhou-gov", "hangzhou-jxj", "hubei-jxt"}
            second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert second.returncode == 2 and "another govwatch scheduler" in second.stderr
        finally:
            scheduler.send_signal(signal.SIGTERM)
            scheduler.wait(timeout=60)
    assert scheduler.returncode == 0
    assert scheduler.stderr is not None and "Traceback" not in scheduler.stderr.read()


def test_sigterm_during_the_catch_up_stops_it_all_before_unlocking(tmp_path: Path) -> None:
    """SIGTERM while the start-up catch-up runs: the running crawl stops and is stored
    interrupted, no queued catch-up crawl starts, and the lock is held until the crawl ended."""
    import json
    import signal
    import subprocess
    import sys
    import time

    from crawl_helpers import ROOT

    with served_replica(40, 1400, "*:*=slow:1") as url:
        config = tmp_path / "govwatch.yaml"
        config.write_text(json.dumps({"db": "s.db", "replica": url, "sinks": []}), encoding="utf-8")
        scheduler = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--config", str(config)],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        db = tmp_path / "s.db"
        deadline = time.monotonic() + 60
        started: list[str] = []
        while time.monotonic() < deadline and not started:
            time.sleep(0.2)
            if db.exists():
                with open_store(db) as store:
                    started = [row["status"] for row in store.db.query("SELECT status FROM runs")]
        assert started == ["running"]
        time.sleep(1.0)
        scheduler.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        _, err = scheduler.communicate(timeout=60)
        took = time.monotonic() - stopped
    assert scheduler.returncode == 0 and "Traceback" not in err
    assert took < 20  # the running crawl was stopped, not run to its end with the rest after it
    with open_store(db) as store:
        assert [row["status"] for row in store.db.query("SELECT status FROM runs")] == [
            "interrupted"
        ]
