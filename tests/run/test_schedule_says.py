"""`govwatch schedule` says that it started, what runs next and that it stopped (issue 24,
item 13): it used to print nothing until its first crawl ended."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from crawler.portals.profiles import load_profiles
from crawler.store import RunStats, open_store

ROOT = Path(__file__).parent.parent.parent


def test_schedule_says_it_started_what_runs_next_and_that_it_stopped(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    portals = list(load_profiles())
    with open_store(db) as store:  # every portal ran just now: none is overdue
        run = store.start_run(portals, False)
        store.finish_run(run, RunStats(portals={p: {"errors": 0} for p in portals}), 1.0)
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": str(db), "sinks": []}), encoding="utf-8")
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "crawler", "schedule", "--config", str(config)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert scheduler.stdout is not None
    silent = threading.Timer(30, scheduler.terminate)  # one that says nothing is stopped anyway
    silent.start()
    try:
        first = scheduler.stdout.readline()
        second = scheduler.stdout.readline()
    finally:
        silent.cancel()
        time.sleep(0.2)
        scheduler.send_signal(signal.SIGTERM)
        rest, err = scheduler.communicate(timeout=60)
    assert first == f"govwatch schedule: started on {db}: {len(portals)} portal(s)\n", err
    # The soonest of the portals' own triggers: a 6-hour interval, or hubei-jxt's cron.
    assert second.startswith("govwatch schedule: next ") and " CST" in second
    assert second.split()[3] in portals and "then 3 more" in second
    assert rest == f"govwatch schedule: stopped on SIGTERM; the lock on {db} is released\n"
    assert scheduler.returncode == 0 and "Traceback" not in err


def test_the_next_line_names_the_soonest_job() -> None:
    import datetime as dt

    from apscheduler.schedulers.background import BackgroundScheduler

    from crawler.run.schedule import Scheduler

    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    soon = dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC)
    scheduler.add_job(print, "date", run_date=soon + dt.timedelta(hours=1), args=["govcn"], id="a")
    scheduler.add_job(print, "date", run_date=soon, args=["hubei-jxt"], id="b")
    scheduler.start(paused=True)
    try:
        assert Scheduler.next_line(scheduler) == (
            "govwatch schedule: next hubei-jxt at 2030-01-01 16:00 CST (then 1 more on their own "
            "triggers)"
        )
    finally:
        scheduler.shutdown()
