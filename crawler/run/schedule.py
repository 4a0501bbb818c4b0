"""Running crawls on schedule: each portal on its own trigger, one run at a time per portal, each
crawl in a child process with a timeout (Scrapy's reactor cannot restart), alerts delivered after.

- `run_pass` is one pass (`govwatch run --due`, for people who prefer system cron);
- `Scheduler` runs passes with APScheduler (`govwatch schedule`): a job per portal with its
  interval or cron trigger and jitter, missed runs coalesced, overdue portals run at start, a lock
  (`crawler.run.lock`, which `govwatch run` takes too) so that a second scheduler on the same
  database refuses to start, SIGTERM handled cleanly: the
  running crawl is stopped (stored `interrupted`), nothing else starts, and the lock is released
  only once the crawl has ended.

A portal gets a full crawl (`--full`) when its last full walk — a `--full` crawl or its first
crawl, which walks everything — is older than `full_every` (or there is none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.clock import CHINA, shown, utcnow
from crawler.config import Config, ConfigFileError, Trigger
from crawler.portals.origins import served_day, served_origins
from crawler.portals.profiles import Profile, ProfileError, load_profiles, select
from crawler.run.crawl import EXIT_CODES, portal_problem, remedy_for, worst
from crawler.run.lock import RunLock
from crawler.run.lock import SchedulerLocked as SchedulerLocked  # where callers find it
from crawler.run.nodes.dispatch import crawl_on_nodes, has_nodes
from crawler.store import Store, StoreError, open_store
from crawler.store.capacity import cap_check
from crawler.watch.notify import ConfigError, Delivery, check_routes, deliver, sinks_from_config
from crawler.watch.rules import RulesError, load_rules

Clock = Callable[[], dt.datetime]
DEFAULT_INTERVAL = 6 * 3600
#: Set by SIGTERM/SIGINT: the running crawl is being stopped, nothing else may start.
stopping = threading.Event()


def trigger_for(profile: Profile, config: Config) -> Trigger:
    """The config's trigger for a portal, else its profile's."""
    return config.triggers.get(profile.name) or Trigger(
        profile.interval_seconds if not profile.cron else None, profile.cron, profile.jitter_seconds
    )


def next_after(trigger: Trigger, last: dt.datetime) -> dt.datetime:
    """When a portal last run at `last` is due again (jitter aside)."""
    if trigger.cron:
        from apscheduler.triggers.cron import CronTrigger

        cron = CronTrigger.from_crontab(trigger.cron, timezone=CHINA)
        after = (last + dt.timedelta(seconds=1)).astimezone(CHINA)
        fire = cron.get_next_fire_time(None, after)
        return fire.astimezone(dt.UTC) if fire else last + dt.timedelta(days=1)
    interval = (
        trigger.interval_seconds if trigger.interval_seconds is not None else DEFAULT_INTERVAL
    )
    return last + dt.timedelta(seconds=interval)


def last_runs(store: Store) -> dict[str, dict[str, Any]]:
    """portal → its latest run (start, finish, status, errors, full)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in store.runs():
        for portal in json.loads(row["portals"] or "[]"):
            latest[portal] = row
    return latest


def portal_run(run: dict[str, Any], portal: str) -> dict[str, Any]:
    """A portal's part of a stored run (its status, errors, whether it walked everything)."""
    stats: dict[str, Any] = json.loads(run["stats"] or "{}").get(portal, {})
    if "status" not in stats:  # a run stored before per-portal statuses
        failed = run["status"] != "done" or bool(stats.get("errors"))
        stats["status"] = "failed" if failed and run["status"] != "running" else run["status"]
    if "full" not in stats:
        stats["full"] = bool(run["full"]) and run["status"] == "done"
    return stats


def last_full(store: Store) -> dict[str, str]:
    """portal → when its last full walk started: a finished --full crawl, or its first crawl
    (which walks every listing and fetches every document; runs stored before this was
    recorded count their first)."""
    found: dict[str, str] = {}
    first: dict[str, str] = {}
    for row in store.runs(finished=True):
        for portal in json.loads(row["portals"] or "[]"):
            first.setdefault(portal, row["started_at"])
            if portal_run(row, portal)["full"]:
                found[portal] = row["started_at"]
    return {**first, **found}


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
    interrupted: bool = False

    @property
    def status(self) -> str:
        """done, blocked, failed (a crawl failed, or a delivery is waiting for a retry) or
        interrupted — as `govwatch crawl` reports it."""
        statuses = [crawl_status(summary) for summary in self.crawls.values()]
        if self.delivery.failed:
            statuses.append("failed")
        if self.interrupted:
            statuses.append("interrupted")
        return worst(statuses)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def crawl_status(summary: dict[str, Any]) -> str:
    """A crawl child's outcome: its status, failed when it crashed, timed_out when the
    scheduler stopped it for running longer than schedule.timeout."""
    status = str(summary.get("status") or "failed")
    return worst([status, "failed"]) if summary.get("error") else status


def crawl_problem(portal: str, summary: dict[str, Any]) -> str:
    """Why a portal's crawl did not end well, in a few words: its first problem (the blocked URL
    and why, the crash line) or what stopped it."""
    status = crawl_status(summary)
    found = summary.get("portals", {}).get(portal)
    line = portal_problem(portal, {**found, "status": status}) if found else ""
    error = summary.get("error")
    if status == "timed_out" or not line:
        return f"{portal} {status}" + (f": {error}" if error else "")
    return line + (f" ({error})" if error and str(error) not in line else "")


def crawl_child(
    config: Config, portal: str, full: bool, timeout: float, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One portal's crawl in a child process: its summary (whatever its exit code), with an
    `error` when it crashed, timed out or was stopped."""
    if stopping.is_set():
        return {"portal": portal, "status": "interrupted", "error": "not started: stopping"}
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
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        process.terminate()  # the crawl stops cleanly and stores its run as interrupted
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
    finally:
        _current.remove(process)
    summary = _summary(out)
    if summary is None:
        reason = (err.strip().splitlines() or [f"exit {process.returncode}"])[-1]
        summary = {"portal": portal, "status": "failed", "error": reason}
    if timed_out:  # worth a health alert; a stop asked for by SIGTERM is not
        summary["error"] = f"timed out after {int(timeout)} s (schedule.timeout) and was stopped"
        summary["status"] = "timed_out"
    return summary


def _summary(out: str) -> dict[str, Any] | None:
    """The JSON summary a crawl prints last, if it got that far."""
    lines = out.strip().splitlines()
    try:
        found = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return found if isinstance(found, dict) and "run" in found else None


_current: list[subprocess.Popen[str]] = []  # the crawl running now, for SIGTERM


def request_stop() -> None:
    """SIGTERM/SIGINT: stop the running crawl cleanly (it stores its run as interrupted) and
    start nothing more."""
    stopping.set()
    for process in list(_current):
        process.terminate()


def quiet_for(store: Store, portal: str, today: dt.date, sample: int = 20) -> str | None:
    """Why a portal looks stalled — no new document for much longer than usual — or None.

    Usual is the median gap between its latest publications; much longer is five times that, and
    never less than two weeks (portals publish in bursts)."""
    dates = sorted(
        {dt.date.fromisoformat(moment[:10]) for moment in store.publication_dates(portal, sample)}
    )
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
    # The previous N runs: the streak of N includes this one, the N+1-th tells if it just began.
    previous = store.runs_before(portal, run, failing_runs)
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
        # issue 12: the likely cause, the remedy (knowing whether the browser was turned off)
        cause = remedy_for(str(blocked.get("message")), summary.get("portals", {}).get(portal, {}))
        raised += store.add_health_alert(f"health:{portal}:{blocked.get('column')}:blocked:{run}", portal,
                                         {"message": f"{message} — likely: {cause}", "remedy": cause,
                                          "url": blocked.get("url"), "run": run})  # fmt: skip
    # Certificate problems (crawler.fetch.tls): the crawl goes on, the operator hears of it once.
    certificates = summary.get("portals", {}).get(portal, {}).get("tls", {}).get("certificate", {})
    for host, problem in certificates.items():
        raised += store.add_health_alert(f"health:{portal}:certificate:{host}:{problem}", portal,
                                         {"message": f"certificate problem on {host}: {problem}", "run": run})  # fmt: skip
    if run is not None:
        for error in store.run_errors(run):
            if "none now" in (error["message"] or ""):
                raised += store.add_health_alert(
                    f"health:{portal}:{error['column_id']}:silent:{run}", portal,
                    {"message": f"column {error['column_id']} lists nothing: {error['message']}", "url": error["url"], "run": run},
                )  # fmt: skip
    # Failing N runs in a row: raised when the streak reaches N, not again while it lasts.
    failed_now = crawl_status(summary) == "failed"
    history = [failed_now] + [portal_run(r, portal)["status"] == "failed" for r in previous]
    reached = len(history) >= failing_runs and all(history[:failing_runs])
    if reached and (len(history) == failing_runs or not history[failing_runs]):
        raised += store.add_health_alert(f"health:{portal}:failing:{run}", portal,
                                         {"message": f"{failing_runs} runs in a row failed", "run": run})  # fmt: skip
    if summary.get("error"):
        raised += store.add_health_alert(f"health:{portal}:crash:{utcnow().isoformat(timespec='minutes')}", portal,
                                         {"message": f"crawl failed: {summary['error']}"})  # fmt: skip
    return raised


def run_pass(
    config: Config, *, only_due: bool = True, portals: list[str] | None = None, now: Clock = utcnow,
    crawler: Callable[[Config, str, bool, float], dict[str, Any]] = crawl_child,
) -> PassResult:  # fmt: skip
    """One pass: crawl the due portals (or the named ones), one at a time, then deliver alerts.
    A broken sink or rules file fails before any crawl; SIGTERM (`request_stop`) ends it after
    the running crawl, without delivering."""
    sinks = sinks_from_config(config.sinks, config.base)  # a broken sink fails before any crawl
    check_routes(sinks, [rule.name for rule in load_rules(config.rules)])
    profiles = config.watched(load_profiles(config.profiles))
    if config.replica:
        served = served_origins(config.replica)
        profiles = {name: p for name, p in profiles.items() if name in served}
    chosen = select(profiles, portals or [])
    result = PassResult()
    today = now().astimezone(CHINA).date()
    if config.replica:
        today = dt.date.fromisoformat(served_day(config.replica))
    with open_store(config.db) as store:
        if only_due:
            chosen = due(chosen, config, store, now())
        fulls = last_full(store)

    def is_full(name: str) -> bool:
        last = fulls.get(name)
        return (
            last is None
            or dt.datetime.fromisoformat(last) + dt.timedelta(seconds=config.full_every_seconds)
            <= now()
        )

    if crawler is crawl_child and chosen and has_nodes(config.db):  # crawl nodes: all at once
        found = crawl_on_nodes(
            config, chosen, {p.name for p in chosen if is_full(p.name)}, stopping.is_set
        )
        crawler = lambda cfg, name, full, timeout: found[name]  # noqa: E731
    for profile in chosen:
        if stopping.is_set():
            break
        summary = crawler(config, profile.name, is_full(profile.name), config.timeout_seconds)
        result.crawls[profile.name] = summary
        with open_store(config.db) as store:
            result.health += health_checks(store, profile.name, summary, today=today)
    if stopping.is_set():
        result.interrupted = True
        return result  # the outbox keeps the alerts for the next run
    with open_store(config.db) as store:
        result.health += cap_check(store)  # near $GOVWATCH_DB_MAX_MB: said before it is reached
        result.delivery = deliver(store, sinks)
    return result


def pass_line(when: dt.datetime, portal: str, result: PassResult) -> str:
    """What one scheduled run did, in one line for the operator's log."""
    summary = result.crawls.get(portal, {})
    status = crawl_status(summary) if summary else "not run"
    counts = (
        f"{summary['requests']} requests, {summary['documents_new']} new, "
        f"{summary['documents_changed']} changed, {summary['documents_gone']} gone, "
        f"{summary['errors']} errors" if "requests" in summary else str(summary.get("error") or "")
    )  # fmt: skip
    delivery = result.delivery
    sent = f"alerts: {delivery.delivered} delivered, {delivery.waiting} waiting" + (
        f" ({delivery.errors[0]})" if delivery.errors else ""
    )
    return f"{shown(when.isoformat())} {portal}: {status}: {counts}; {sent}"


#: Told of each scheduled pass (config, result, seconds): `crawler.run.metrics` listens here.
observers: list[Callable[[Config, PassResult, float], None]] = []


class Scheduler:
    """APScheduler around `run_pass`: one job per portal, never two runs of a portal at once."""

    def __init__(self, config: Config, clock: Clock = utcnow) -> None:
        self.config, self.clock = config, clock
        self.lock = RunLock(config.db, "schedule")  # `govwatch run` takes it too
        self._run_lock = threading.Lock()  # crawls go one at a time: one Scrapy child at once
        self._scheduler: Any = None  # APScheduler's, while it runs (to say what runs next)

    def acquire(self) -> None:
        """The runs' lock (`crawler.run.lock`), or SchedulerLocked naming who holds it."""
        if not self.lock.try_acquire():
            raise SchedulerLocked(f"{self.lock.held()}; stop it first")

    def release(self) -> None:
        self.lock.release()

    def run_portal(self, portal: str) -> None:
        with self._run_lock:
            if stopping.is_set():
                return
            started = time.monotonic()
            try:
                chosen = self.batch(portal)
                result = run_pass(self.config, only_due=False, portals=chosen, now=self.clock)
            except (ConfigError, ConfigFileError, ProfileError, RulesError, StoreError) as error:
                self.not_run(portal, " ".join(str(error).split()))
                return
            print(pass_line(self.clock(), portal, result), flush=True)
            for observe in observers:  # the metrics endpoint (crawler/run/metrics.py)
                observe(self.config, result, time.monotonic() - started)
            if self._scheduler is not None:
                print(self.next_line(self._scheduler), flush=True)

    def batch(self, portal: str) -> list[str]:
        """What one trigger crawls: its portal; with crawl nodes registered, every other portal
        due now as well, so that the pass sends them to the nodes in batches (one trigger at a
        time would send batches of one, each a Scrapy process of its own)."""
        if not has_nodes(self.config.db):
            return [portal]
        profiles = self.config.watched(load_profiles(self.config.profiles))
        with open_store(self.config.db) as store:
            others = due(list(profiles.values()), self.config, store, self.clock())
        return [portal, *(profile.name for profile in others if profile.name != portal)]

    @staticmethod
    def next_line(scheduler: Any) -> str:
        """What runs next, and when (the scheduler's own next fire times, jitter included)."""
        jobs = [job for job in scheduler.get_jobs() if job.next_run_time is not None]
        if not jobs:
            return "govwatch schedule: nothing more is scheduled"
        job = min(jobs, key=lambda job: job.next_run_time)
        later = [j for j in jobs if j is not job and not j.id.endswith("-catch-up")]
        return (f"govwatch schedule: next {job.args[0]} at {shown(job.next_run_time.isoformat())}"
                + (f" (then {len(later)} more on their own triggers)" if later else ""))  # fmt: skip

    def not_run(self, portal: str, reason: str) -> None:
        """A rules file, profile or sink broken while the scheduler runs: each run of the portal
        says so in one line and raises a health alert (once per reason), never a silent no-op."""
        print(f"govwatch schedule: {portal} not crawled: {reason}", file=sys.stderr, flush=True)
        digest = hashlib.sha256(reason.encode()).hexdigest()[:12]
        try:
            with open_store(self.config.db) as store:
                store.add_health_alert(f"health:{portal}:not-run:{digest}", portal,
                                       {"message": f"not crawled: {reason}"})  # fmt: skip
                deliver(store, sinks_from_config(self.config.sinks, self.config.base))
        except (ConfigError, StoreError) as error:  # the sinks or the database are what is broken
            print(f"govwatch schedule: {portal}: {error}", file=sys.stderr, flush=True)

    def build(self, scheduler: Any) -> list[str]:
        """Add a job per portal; the portals overdue now (to run at start)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        profiles = self.config.watched(load_profiles(self.config.profiles))
        if self.config.replica:
            served = served_origins(self.config.replica)
            profiles = {name: p for name, p in profiles.items() if name in served}
        for profile in profiles.values():
            trigger = trigger_for(profile, self.config)
            job_trigger: Any
            if trigger.cron:
                job_trigger = CronTrigger.from_crontab(trigger.cron, timezone=CHINA)
                job_trigger.jitter = trigger.jitter_seconds or None
            else:
                job_trigger = IntervalTrigger(
                    seconds=trigger.interval_seconds or DEFAULT_INTERVAL,
                    jitter=trigger.jitter_seconds or None,
                )
            scheduler.add_job(self.run_portal, job_trigger, args=[profile.name], id=profile.name,
                              max_instances=1, coalesce=True, misfire_grace_time=3600)  # fmt: skip
        with open_store(self.config.db) as store:
            return [p.name for p in due(list(profiles.values()), self.config, store, self.clock())]

    def run_forever(self) -> None:
        from apscheduler.events import EVENT_SCHEDULER_STARTED
        from apscheduler.schedulers.blocking import BlockingScheduler

        sinks = sinks_from_config(self.config.sinks, self.config.base)  # broken: no start
        check_routes(sinks, [rule.name for rule in load_rules(self.config.rules)])
        stopping.clear()
        self.acquire()
        scheduler = BlockingScheduler(timezone=CHINA)
        try:
            overdue = self.build(scheduler)
        except BaseException:
            self.release()
            raise
        said: list[str] = []

        def stop(signum: int, frame: Any) -> None:
            said.append(signal.Signals(signum).name)
            request_stop()  # the running crawl stops cleanly; queued runs never start
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for portal in overdue:
            scheduler.add_job(
                self.run_portal, args=[portal], id=f"{portal}-catch-up", max_instances=1
            )
        watched = len([job for job in scheduler.get_jobs() if not job.id.endswith("-catch-up")])
        scheduler.add_listener(lambda event: self.started(scheduler, watched, overdue),
                               EVENT_SCHEDULER_STARTED)  # fmt: skip
        self._scheduler = scheduler
        try:
            scheduler.start()
        finally:
            stopping.set()
            with self._run_lock:  # the running crawl has ended: only now may another start
                self.release()
            self._scheduler = None
            why = f" on {said[0]}" if said else ""
            print(f"govwatch schedule: stopped{why}; the lock on {self.lock.where} is released",
                  flush=True)  # fmt: skip

    def started(self, scheduler: Any, watched: int, overdue: list[str]) -> None:
        """Said once the jobs have their fire times: what runs, and what runs next."""
        late = f"; overdue, run now: {', '.join(overdue)}" if overdue else ""
        print(f"govwatch schedule: started on {self.lock.where}: {watched} portal(s){late}",
              flush=True)  # fmt: skip
        print(self.next_line(scheduler), flush=True)


def status(config: Config, now: Clock = utcnow) -> list[dict[str, Any]]:
    """Each portal's last run, health and next run (the database is only read)."""
    profiles = config.watched(load_profiles(config.profiles))
    rows = []
    with open_store(config.db, readonly=True) as store:
        latest = last_runs(store)
        for profile in profiles.values():
            run = latest.get(profile.name)
            trigger = trigger_for(profile, config)
            next_run = (
                next_after(trigger, dt.datetime.fromisoformat(run["started_at"])) if run else now()
            )
            portal_stats = portal_run(run, profile.name) if run else {}
            health = "never run"
            if run:
                health = portal_stats["status"]
                if health == "failed" and portal_stats.get("errors"):
                    health = f"failed ({portal_stats['errors']} errors)"
                if run["status"] == "running":
                    health = "running or killed"
            rows.append({
                "portal": profile.name,
                "last_run": run["started_at"] if run else None,
                "health": health,
                "documents_new": portal_stats.get("documents_new"),
                # URLs its robots.txt forbade in the last run (not fetched; no error).
                "robots_forbidden": portal_stats.get("robots_forbidden") or 0,
                "next_run": max(next_run, now()).isoformat(timespec="minutes"),
            })  # fmt: skip
    return rows
