"""The scheduler with a controllable clock: triggers, due portals, catch-up, one scheduler, jobs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.config import Config, ConfigFileError, Trigger, load_config
from crawler.portals.profiles import load_profiles
from crawler.run.schedule import (
    PassResult,
    Scheduler,
    SchedulerLocked,
    due,
    next_after,
    run_pass,
    status,
)
from crawler.store import RunStats, Store, open_store

UTC = dt.UTC
T0 = dt.datetime(2024, 6, 1, 0, 0, tzinfo=UTC)


def _run(store: Store, portals: list[str], started: dt.datetime) -> None:
    run_id = store.start_run(portals, False)
    with store.transaction() as conn:
        conn.execute("UPDATE runs SET started_at = ? WHERE id = ?", (started.isoformat(), run_id))
    store.finish_run(
        run_id, RunStats(portals={p: {"documents_new": 1, "errors": 0} for p in portals}), 1.0
    )


def test_interval_and_cron_triggers() -> None:
    assert next_after(Trigger(interval_seconds=7200), T0) == T0 + dt.timedelta(hours=2)
    # 07:00 and 19:00 in Shanghai are 23:00 and 11:00 UTC.
    assert next_after(Trigger(cron="0 7,19 * * *"), T0) == dt.datetime(
        2024, 6, 1, 11, 0, tzinfo=UTC
    )
    assert next_after(
        Trigger(cron="0 7,19 * * *"), dt.datetime(2024, 6, 1, 11, 0, tzinfo=UTC)
    ) == dt.datetime(2024, 6, 1, 23, 0, tzinfo=UTC)


def test_due_with_a_controllable_clock(corpus: str) -> None:
    profiles = list(load_profiles().values())
    config = Config(path=None, db=corpus, triggers={"govcn": Trigger(interval_seconds=3600)})
    with open_store(config.db) as store:
        assert {p.name for p in due(profiles, config, store, T0)} == {
            p.name for p in profiles
        }  # never run
        _run(store, [p.name for p in profiles], T0)
        assert due(profiles, config, store, T0 + dt.timedelta(minutes=59)) == []
        assert [p.name for p in due(profiles, config, store, T0 + dt.timedelta(hours=1))] == [
            "govcn"
        ]
        later = {p.name for p in due(profiles, config, store, T0 + dt.timedelta(hours=6))}
        assert later == {
            "govcn",
            "hangzhou-jxj",
            "hangzhou-gov",
        }  # hubei-jxt: cron, next at 11:00 UTC
        assert "hubei-jxt" in {
            p.name for p in due(profiles, config, store, T0 + dt.timedelta(hours=11))
        }


def test_one_pass_runs_only_due_portals_one_at_a_time(corpus: str) -> None:
    config = Config(path=None, db=corpus, sinks=[])
    calls: list[tuple[str, bool]] = []

    def fake_crawl(cfg: Config, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        calls.append((portal, full))
        with open_store(cfg.db) as store:
            _run(store, [portal], T0)
            run = store.conn.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        return {"run": run, "requests": 1, "documents_new": 0, "documents_changed": 0, "documents_gone": 0,
                "errors": 0, "blocked": []}  # fmt: skip

    first = run_pass(config, now=lambda: T0, crawler=fake_crawl)
    assert isinstance(first, PassResult) and sorted(first.crawls) == sorted(load_profiles())
    calls.clear()
    assert (
        run_pass(config, now=lambda: T0 + dt.timedelta(minutes=5), crawler=fake_crawl).crawls == {}
    )
    assert calls == []
    run_pass(config, only_due=False, portals=["govcn"], now=lambda: T0, crawler=fake_crawl)
    assert calls == [("govcn", False)]


def test_full_crawls_come_round(corpus: str) -> None:
    config = Config(path=None, db=corpus, sinks=[], full_every_seconds=86400)
    with open_store(config.db) as store:
        run_id = store.start_run(["govcn"], True)
        with store.transaction() as conn:
            conn.execute("UPDATE runs SET started_at = ? WHERE id = ?", (T0.isoformat(), run_id))
        store.finish_run(run_id, RunStats(), 1.0)
    fulls: list[bool] = []

    def fake(cfg: Config, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        fulls.append(full)
        return {"error": "not crawled"}

    run_pass(
        config,
        only_due=False,
        portals=["govcn"],
        now=lambda: T0 + dt.timedelta(hours=1),
        crawler=fake,
    )
    run_pass(
        config,
        only_due=False,
        portals=["govcn"],
        now=lambda: T0 + dt.timedelta(days=2),
        crawler=fake,
    )
    assert fulls == [False, True]


def test_a_second_scheduler_refuses_to_start(corpus: str) -> None:
    config = Config(path=None, db=corpus)
    first, second = Scheduler(config), Scheduler(config)
    first.acquire()
    try:
        with pytest.raises(SchedulerLocked, match="another govwatch scheduler"):
            second.acquire()
    finally:
        first.release()
    second.acquire()
    second.release()


def test_jobs_coalesce_one_at_a_time_and_overdue_run_at_start(corpus: str) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    config = Config(path=None, db=corpus)
    with open_store(config.db) as store:
        _run(store, ["govcn", "hangzhou-jxj", "hangzhou-gov", "hubei-jxt"], T0)
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    overdue = Scheduler(config, clock=lambda: T0 + dt.timedelta(hours=7)).build(scheduler)
    assert set(overdue) == {
        "hangzhou-jxj",
        "hangzhou-gov",
    }  # 6 h intervals; govcn 12 h, hubei-jxt cron
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"govcn", "hangzhou-jxj", "hangzhou-gov", "hubei-jxt"}
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
    assert "cron" in str(jobs["hubei-jxt"].trigger) and "interval" in str(jobs["govcn"].trigger)


def test_status(corpus: str) -> None:
    config = Config(path=None, db=corpus)
    with open_store(config.db) as store:
        _run(store, ["govcn"], T0)
    rows = {row["portal"]: row for row in status(config, now=lambda: T0 + dt.timedelta(hours=1))}
    assert rows["govcn"]["health"] == "done" and rows["govcn"]["next_run"].startswith(
        "2024-06-01T12:00"
    )
    assert rows["hangzhou-jxj"]["health"] == "never run"


def test_config_file(tmp_path: Path) -> None:
    path = tmp_path / "govwatch.yaml"
    path.write_text(json.dumps({"db": "corpus.db", "schedule": {"timeout": "30m", "portals": {"govcn": {"cron": "0 8 * * *"}}}}),
                    encoding="utf-8")  # fmt: skip
    config = load_config(path)
    assert config.db == str(tmp_path / "corpus.db") and config.timeout_seconds == 1800
    assert config.triggers["govcn"].cron == "0 8 * * *"
    path.write_text("schedule: {portals: {govcn: {cron: daily}}}", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"schedule\.portals\.govcn\.cron"):
        load_config(path)


def test_a_portal_quiet_for_much_longer_than_usual(corpus: str) -> None:
    from crawler.run.schedule import health_checks, quiet_for

    with open_store(corpus) as store:
        for day in range(1, 31, 3):  # a document every three days in June
            record = {"url": f"http://x/{day}", "title": "t", "published_at": f"2024-06-{day:02d}T10:00:00+08:00",
                      "attachments": [], "warnings": []}  # fmt: skip
            store.save(portal="p", identity=f"p:{day}", record=record, fetched_url=record["url"], fetched_at="x",
                       status=200, headers={}, raw=b"", etag=None, last_modified=None, run_id=None)  # fmt: skip
        assert quiet_for(store, "p", dt.date(2024, 7, 5)) is None
        assert "no new document for 45 days (usually one every 3 days); last on 2024-06-28" in (
            quiet_for(store, "p", dt.date(2024, 8, 12)) or ""
        )
        assert health_checks(store, "p", {}, today=dt.date(2024, 8, 12)) == 1
        assert health_checks(store, "p", {}, today=dt.date(2024, 8, 20)) == 0  # once per silence


def test_run_exits_non_zero_with_one_line_when_deliveries_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import functools

    import crawler.run.schedule
    from crawler.cli import main
    from crawler.watch.notify import deliver

    db = tmp_path / "s.db"
    with open_store(db) as store:
        _run(store, list(load_profiles()), T0)  # every portal ran a minute ago: none is due
        for number in range(41):
            store.add_health_alert(f"health:p:{number}", "govcn", {"message": f"problem {number}"})
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": str(db), "sinks": [{"type": "webhook", "url": "http://127.0.0.1:9/hook"}]}),
                      encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("GOVWATCH_WEBHOOK_SECRET", "s")
    monkeypatch.setenv("GOVWATCH_NOW", (T0 + dt.timedelta(minutes=1)).isoformat())
    monkeypatch.setattr(crawler.run.schedule, "deliver", functools.partial(deliver, retries=0))
    assert main(["run", "--due", "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert "no portal is due" in out
    assert "alerts: 0 delivered, 41 waiting for a retry (webhook http://127.0.0.1:9/…: " in out
    assert err.startswith("govwatch run: 41 alert deliveries waiting (webhook http://127.0.0.1:9/…")
    assert len(err.strip().splitlines()) == 1


def test_a_pass_reports_the_worst_outcome(corpus: str) -> None:
    config = Config(path=None, db=corpus, sinks=[])
    outcomes = {"govcn": {"run": 1, "status": "blocked", "requests": 2, "documents_new": 0,
                          "documents_changed": 0, "documents_gone": 0, "errors": 0, "blocked": []},
                "hubei-jxt": {"portal": "hubei-jxt", "error": "timed out after 3600 s and was stopped",
                              "status": "timed_out"}}  # fmt: skip

    def fake(cfg: Config, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        return outcomes.get(portal, {"run": 2, "status": "done", "requests": 1, "documents_new": 0,
                                     "documents_changed": 0, "documents_gone": 0, "errors": 0, "blocked": []})  # fmt: skip

    assert run_pass(config, only_due=False, portals=["govcn"], crawler=fake).exit_code == 3
    assert run_pass(config, only_due=False, portals=["hangzhou-gov"], crawler=fake).exit_code == 0
    everything = run_pass(config, only_due=False, crawler=fake)
    assert (everything.status, everything.exit_code) == ("timed_out", 4)


def test_a_rules_file_broken_while_scheduled_is_said_and_alerted(
    tmp_path: Path, corpus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: r\n    any: [开源]\n", encoding="utf-8")
    jsonl = tmp_path / "alerts.jsonl"
    config = Config(path=None, db=corpus, rules=str(rules),
                    sinks=[{"type": "jsonl", "path": str(jsonl)}])  # fmt: skip
    scheduler = Scheduler(config, clock=lambda: T0)
    rules.write_text("rules:\n  - name: r\n    any: [开源\n", encoding="utf-8")  # broken meanwhile
    scheduler.run_portal("govcn")
    scheduler.run_portal("govcn")
    err = capsys.readouterr().err
    assert err.count("govwatch schedule: govcn not crawled: ") == 2 and "Traceback" not in err
    with open_store(config.db) as store:
        assert [r["status"] for r in store.db.query("SELECT status FROM runs")] == []  # no fake run
        (alert,) = store.alerts("health")
    assert alert["portal"] == "govcn" and str(rules) in alert["message"]
    assert json.loads(jsonl.read_text(encoding="utf-8"))["message"].startswith("not crawled: ")


def test_with_nodes_a_trigger_takes_every_due_portal_along(corpus: str) -> None:
    """On crawl nodes a pass sends its portals in batches: a trigger crawls its portal and every
    other portal due now, not a batch of one per trigger; without nodes, its portal alone."""
    config = Config(path=None, db=corpus)
    with open_store(config.db) as store:
        _run(store, ["govcn", "hangzhou-jxj", "hangzhou-gov", "hubei-jxt"], T0)
    scheduler = Scheduler(config, clock=lambda: T0 + dt.timedelta(hours=7))
    assert scheduler.batch("govcn") == ["govcn"]  # no node registered
    with open_store(config.db) as store:
        store.add_node("http://127.0.0.1:9", ["cn"])
    chosen = scheduler.batch("govcn")
    assert chosen[0] == "govcn" and set(chosen) == {"govcn", "hangzhou-jxj", "hangzhou-gov"}
