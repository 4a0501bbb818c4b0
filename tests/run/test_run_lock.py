"""`govwatch run` takes the scheduler's lock (issue 24, item 1): while another run or schedule
holds it, run refuses in one line (exit 75), waits with --wait, or exits 0 quietly with --if-idle;
a scheduler refuses to start beside a run."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.config import Config
from crawler.run.schedule import Scheduler, SchedulerLocked
from crawler.store import RunStats, open_store

T0 = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def idle(corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config whose one portal ran a minute ago: a run crawls nothing, delivers nothing."""
    with open_store(corpus) as store:
        run = store.start_run(["govcn"], False)
        store.finish_run(run, RunStats(portals={"govcn": {"errors": 0}}), 1.0)
    monkeypatch.setenv(
        "GOVWATCH_NOW", (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).isoformat()
    )
    config = tmp_path / "govwatch.yaml"
    config.write_text(
        json.dumps({"db": corpus, "portals": ["govcn"], "sinks": []}), encoding="utf-8"
    )
    return config


def test_run_refuses_while_a_scheduler_holds_the_lock(
    corpus: str, idle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduler = Scheduler(Config(path=None, db=corpus))
    scheduler.acquire()
    try:
        assert main(["run", "--config", str(idle)]) == 75
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1
        assert err.startswith("govwatch run: another govwatch scheduler") and "--wait" in err
        if not corpus.startswith("postgresql"):
            assert f"{corpus}.scheduler.lock" in err  # and the pid of the scheduler
        assert main(["run", "--if-idle", "--config", str(idle)]) == 0
        assert capsys.readouterr() == ("", "")  # cron mails nothing
    finally:
        scheduler.release()
    assert main(["run", "--if-idle", "--config", str(idle)]) == 0
    assert "no portal is due" in capsys.readouterr().out  # free again: it ran


def test_run_waits_for_the_lock_with_wait(
    corpus: str, idle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scheduler = Scheduler(Config(path=None, db=corpus))
    scheduler.acquire()
    threading.Timer(1.0, scheduler.release).start()
    started = time.monotonic()
    assert main(["run", "--wait", "--config", str(idle)]) == 0
    assert time.monotonic() - started >= 0.9
    assert "no portal is due" in capsys.readouterr().out


def test_a_scheduler_refuses_to_start_beside_a_run(corpus: str) -> None:
    from crawler.run.lock import RunLock

    running = RunLock(corpus, "run")
    assert running.try_acquire()
    try:
        with pytest.raises(SchedulerLocked, match=r"another govwatch (run|scheduler)"):
            Scheduler(Config(path=None, db=corpus)).acquire()
        if not corpus.startswith("postgresql"):
            with pytest.raises(SchedulerLocked, match="another govwatch run runs on"):
                Scheduler(Config(path=None, db=corpus)).acquire()
    finally:
        running.release()


def test_the_lock_names_a_postgresql_database_without_its_password() -> None:
    from crawler.run.lock import RunLock

    where = RunLock("postgresql://govwatch:s3cret@db.example/corpus", "schedule").where
    assert "s3cret" not in where and "db.example" in where
