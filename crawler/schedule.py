"""Running crawls on schedule: each portal on its own trigger, one run at a time per portal, each
crawl in a child process with a timeout (Scrapy's reactor cannot restart), alerts delivered after.

- `run_pass` is one pass (`govwatch run --due`, for people who prefer system cron);
- `Scheduler` runs passes with APScheduler (`govwatch schedule`): a job per portal with its
  interval or cron trigger and jitter, missed runs coalesced, overdue portals run at start, a lock
  so that a second scheduler on the same database refuses to start, SIGTERM handled cleanly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config import Config, Trigger
from crawler.notify import Delivery, deliver, sinks_from_config
from crawler.profiles import Profile, load_profiles
from crawler.store import Store

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SchedulerLocked(RuntimeError):
    """Another scheduler already runs on this database."""


def trigger_for(profile: Profile, config: Config) -> Trigger:
    """The config's trigger for a portal, else its profile's."""
    return config.triggers.get(profile.name) or Trigger(
        profile.interval_seconds if not profile.cron else None, profile.cron, profile.jitter_seconds
    )


def next_after(trigger: Trigger, last: dt.datetime) -> dt.datetime:
    """When a portal last run at `last` is due again (jitter aside)."""
    if trigger.cron:
        from apscheduler.triggers.cron import CronTrigger

        cron = CronTrigger.from_crontab(trigger.cron, timezone="Asia/Shanghai")
        after = (last + dt.timedelta(seconds=1)).astimezone(dt.timezone(dt.timedelta(hours=8)))
        fire = cron.get_next_fire_time(None, after)
        return fire.astimezone(dt.UTC) if fire else last + dt.timedelta(days=1)
    return last + dt.timedelta(seconds=trigger.interval_seconds or 6 * 3600)


def last_runs(store: Store) -> dict[str, dict[str, Any]]:
    """portal → its latest run (start, finish, status, errors, full)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in store.db.query("SELECT * FROM runs ORDER BY id"):
        for portal in json.loads(row["portals"] or "[]"):
            latest[portal] = row
    return latest


def last_full(store: Store) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in store.db.query(
        "SELECT portals, started_at FROM runs WHERE full = 1 AND status = 'done' ORDER BY id"
    ):
        for portal in json.loads(row["portals"] or "[]"):
            found[portal] = row["started_at"]
    return found


def due(profiles: list[Profile], config: Config, store: Store, now: dt.datetime) -> list[Profile]:
    """The portals whose next run is now or overdue (never run: due)."""
    latest = last_runs(store)
    chosen = []
    for profile in profiles:
        run = latest.get(profile.name)
        if (
            run is None
            or next_after(
                trigger_for(profile, config), dt.datetime.fromisoformat(run["started_at"])
            )
            <= now
        ):
            chosen.append(profile)
    return chosen


@dataclass
class PassResult:
    crawls: dict[str, dict[str, Any]] = field(default_factory=dict)
    delivery: Delivery = field(default_factory=Delivery)
    health: int = 0


def crawl_child(
    config: Config, portal: str, full: bool, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One portal's crawl in a child process; its summary, or an error entry on timeout/failure."""
    command = [sys.executable, "-m", "crawler", "crawl", portal, "--db", config.db, "--json"]
    if full:
        command.append("--full")
    if config.replica:
        command += ["--replica", config.replica]
    if config.profiles:
        command += ["--profiles", config.profiles]
    if config.rules:
        command += ["--rules", config.rules]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _current.append(process)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        return {"portal": portal, "error": f"timed out after {int(timeout)} s and was stopped"}
    finally:
        _current.remove(process)
    if process.returncode != 0:
        return {
            "portal": portal,
            "error": (err.strip().splitlines() or [f"exit {process.returncode}"])[-1],
        }
    summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return summary


_current: list[subprocess.Popen[str]] = []  # the crawl running now, for SIGTERM


def quiet_for(store: Store, portal: str, today: dt.date, sample: int = 20) -> str | None:
    """Why a portal looks stalled — no new document for much longer than usual — or None.

    Usual is the median gap between its latest publications; much longer is five times that, and
    never less than two weeks (portals publish in bursts)."""
    dates = sorted(
        {dt.date.fromisoformat(row[0][:10]) for row in store.conn.execute(
            "SELECT published_at FROM documents WHERE portal = ? AND published_at IS NOT NULL "
            "ORDER BY published_at DESC LIMIT ?", (portal, sample))},
    )  # fmt: skip
    if len(dates) < 5:
        return None
    gaps = sorted((b - a).days for a, b in itertools.pairwise(dates))
    usual = max(gaps[len(gaps) // 2], 1)
    silent = (today - dates[-1]).days
    if silent > max(5 * usual, 14):
        return f"no new document for {silent} days (usually one every {usual} days); last on {dates[-1]}"
    return None


def health_checks(
    store: Store,
    portal: str,
    summary: dict[str, Any],
    failing_runs: int = 3,
    today: dt.date | None = None,
) -> int:
    """Health alerts through the same sinks: blocked columns, columns gone silent, a portal
    failing run after run, a portal with no new document for much longer than usual. Each
    raised once, when the state starts."""
    raised = 0
    stalled = quiet_for(store, portal, today or dt.date.today())
    if stalled:
        last = stalled.rsplit(" ", 1)[-1]
        raised += store.add_health_alert(
            f"health:{portal}:stalled:{last}", portal, {"message": stalled}
        )
    run = summary.get("run")
    previous = list(store.db.query(
        "SELECT id, errors, blocked, status FROM runs WHERE portals LIKE ? AND id < ? ORDER BY id DESC LIMIT ?",
        # The previous N runs: the streak of N includes this one, the N+1-th tells if it just began.
        [f'%"{portal}"%', run or 1 << 62, failing_runs],
    ))  # fmt: skip
    before = (
        {(b.get("column"), b.get("message")) for b in json.loads(previous[0]["blocked"] or "[]")}
        if previous
        else set()
    )
    for blocked in summary.get("blocked", []):
        if (
            blocked.get("portal") != portal
            or (blocked.get("column"), blocked.get("message")) in before
        ):
            continue
        message = f"column {blocked.get('column') or '—'} blocked: {blocked.get('message')}"
        raised += store.add_health_alert(f"health:{portal}:{blocked.get('column')}:blocked:{run}", portal,
                                         {"message": message, "url": blocked.get("url"), "run": run})  # fmt: skip
    if run is not None:
        for error in store.run_errors(run):
            if "none now" in (error["message"] or ""):
                raised += store.add_health_alert(
                    f"health:{portal}:{error['column_id']}:silent:{run}", portal,
                    {"message": f"column {error['column_id']} lists nothing: {error['message']}", "url": error["url"], "run": run},
                )  # fmt: skip
    # Failing N runs in a row: raised when the streak reaches N, not again while it lasts.
    failed_now = bool(summary.get("error")) or int(summary.get("errors", 0)) > 0
    history = [failed_now] + [bool(r["errors"]) or r["status"] != "done" for r in previous]
    reached = len(history) >= failing_runs and all(history[:failing_runs])
    if reached and (len(history) == failing_runs or not history[failing_runs]):
        raised += store.add_health_alert(f"health:{portal}:failing:{run}", portal,
                                         {"message": f"{failing_runs} runs in a row with errors", "run": run})  # fmt: skip
    if summary.get("error"):
        raised += store.add_health_alert(f"health:{portal}:crash:{utcnow().isoformat(timespec='minutes')}", portal,
                                         {"message": f"crawl failed: {summary['error']}"})  # fmt: skip
    return raised


def run_pass(
    config: Config, *, only_due: bool = True, portals: list[str] | None = None, now: Clock = utcnow,
    crawler: Callable[[Config, str, bool, float], dict[str, Any]] = crawl_child,
) -> PassResult:  # fmt: skip
    """One pass: crawl the due portals (or the named ones), one at a time, then deliver alerts."""
    sinks = sinks_from_config(config.sinks, config.base)  # a broken sink fails before any crawl
    profiles = load_profiles(config.profiles)
    if config.replica:
        from spiders.base import replica_sites

        served = replica_sites(config.replica)
        profiles = {name: p for name, p in profiles.items() if name in served}
    chosen = [profiles[name] for name in portals] if portals else list(profiles.values())
    result = PassResult()
    today = dt.date.today()
    if config.replica:
        from spiders.base import replica_today

        today = dt.date.fromisoformat(replica_today(config.replica))
    with Store(config.db) as store:
        if only_due:
            chosen = due(chosen, config, store, now())
        fulls = last_full(store)
    for profile in chosen:
        last = fulls.get(profile.name)
        full = (
            last is not None
            and dt.datetime.fromisoformat(last) + dt.timedelta(seconds=config.full_every_seconds)
            <= now()
        )
        summary = crawler(config, profile.name, full, config.timeout_seconds)
        result.crawls[profile.name] = summary
        with Store(config.db) as store:
            result.health += health_checks(store, profile.name, summary, today=today)
    with Store(config.db) as store:
        result.delivery = deliver(store, sinks)
    return result


class Scheduler:
    """APScheduler around `run_pass`: one job per portal, never two runs of a portal at once."""

    def __init__(self, config: Config, clock: Clock = utcnow) -> None:
        self.config, self.clock = config, clock
        self.lock_path = Path(config.db + ".scheduler.lock")
        self._lock_file: Any = None
        self._run_lock = threading.Lock()  # crawls go one at a time: one Scrapy child at once

    def acquire(self) -> None:
        self._lock_file = self.lock_path.open("a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise SchedulerLocked(
                f"another govwatch scheduler runs on {self.config.db} (lock {self.lock_path}); stop it first"
            ) from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()

    def release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def run_portal(self, portal: str) -> None:
        with self._run_lock:
            run_pass(self.config, only_due=False, portals=[portal], now=self.clock)

    def build(self, scheduler: Any) -> list[str]:
        """Add a job per portal; the portals overdue now (to run at start)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        profiles = load_profiles(self.config.profiles)
        if self.config.replica:
            from spiders.base import replica_sites

            served = replica_sites(self.config.replica)
            profiles = {name: p for name, p in profiles.items() if name in served}
        for profile in profiles.values():
            trigger = trigger_for(profile, self.config)
            job_trigger: Any
            if trigger.cron:
                job_trigger = CronTrigger.from_crontab(trigger.cron, timezone="Asia/Shanghai")
                job_trigger.jitter = trigger.jitter_seconds or None
            else:
                job_trigger = IntervalTrigger(
                    seconds=trigger.interval_seconds or 6 * 3600,
                    jitter=trigger.jitter_seconds or None,
                )
            scheduler.add_job(self.run_portal, job_trigger, args=[profile.name], id=profile.name,
                              max_instances=1, coalesce=True, misfire_grace_time=3600)  # fmt: skip
        with Store(self.config.db) as store:
            return [p.name for p in due(list(profiles.values()), self.config, store, self.clock())]

    def run_forever(self) -> None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        self.acquire()
        scheduler = BlockingScheduler(timezone="Asia/Shanghai")
        overdue = self.build(scheduler)

        def stop(signum: int, frame: Any) -> None:
            for process in list(_current):
                process.terminate()  # abandon the current crawl cleanly: its run stays consistent
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for portal in overdue:
            scheduler.add_job(
                self.run_portal, args=[portal], id=f"{portal}-catch-up", max_instances=1
            )
        try:
            scheduler.start()
        finally:
            self.release()


def status(config: Config, now: Clock = utcnow) -> list[dict[str, Any]]:
    """Each portal's last run, health and next run."""
    profiles = load_profiles(config.profiles)
    rows = []
    with Store(config.db) as store:
        latest = last_runs(store)
        for profile in profiles.values():
            run = latest.get(profile.name)
            trigger = trigger_for(profile, config)
            next_run = (
                next_after(trigger, dt.datetime.fromisoformat(run["started_at"])) if run else now()
            )
            portal_stats = json.loads(run["stats"] or "{}").get(profile.name, {}) if run else {}
            health = "never run"
            if run:
                blocked = [
                    b for b in json.loads(run["blocked"] or "[]") if b.get("portal") == profile.name
                ]
                health = (
                    "blocked"
                    if blocked
                    else ("errors" if portal_stats.get("errors") else run["status"])
                )
                if run["status"] == "running":
                    health = "running or interrupted"
            rows.append({
                "portal": profile.name,
                "last_run": run["started_at"] if run else None,
                "health": health,
                "documents_new": portal_stats.get("documents_new"),
                "next_run": max(next_run, now()).isoformat(timespec="minutes"),
            })  # fmt: skip
    return rows
