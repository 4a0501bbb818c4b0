"""One crawl run: the chosen portals' spiders in one Scrapy process, recorded in the runs table.

Scrapy's reactor cannot restart, so a process runs one crawl; the scheduler starts a child
process per run.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import is_reactor_installed

# (Imported before Scrapy's own TLS modules, which it imports in a way that spares each
# crawl's start a walk of the whole stack: crawler.fetch.tls says why.)
import crawler.fetch.tls as _tls_first  # noqa: F401
from crawler.clock import now
from crawler.fetch.middlewares import drop_waiting
from crawler.listings.blocked import remedy, solvable
from crawler.portals.profiles import Profile
from crawler.store import RunStats, open_store
from crawler.watch.rules import load_rules

#: For crawling the replica: no politeness delays (it is ours), more concurrency.
REPLICA_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "GOVWATCH_RETRY_BACKOFF_BASE": 0.1,
    "GOVWATCH_RETRY_BACKOFF_MAX": 2.0,
    "DOWNLOAD_TIMEOUT": 5,  # the replica answers in milliseconds; a slow fault is a timeout
}


def crawl_settings(
    db: str, run_id: int, full: bool, replica: str | None, today: str | None, profiles_dir: str | None,
    log_level: str = "WARNING", polite: bool = False, origins: dict[str, str] | None = None,
) -> Settings:  # fmt: skip
    """A crawl's settings; on a replica (its portals at `origins`) the delays are lifted unless
    `polite` (benchmarks that measure a crawl as real portals would have it)."""
    settings = get_project_settings()
    if not settings.get("SPIDER_MODULES"):
        settings.setmodule("crawler.fetch.settings", priority="project")
    settings.setdict(
        {"GOVWATCH_DB": db, "GOVWATCH_RUN_ID": run_id, "GOVWATCH_FULL": full,
         "GOVWATCH_REPLICA": replica, "GOVWATCH_ORIGINS": origins or {}, "GOVWATCH_TODAY": today,
         "GOVWATCH_PROFILES": profiles_dir,
         "LOG_LEVEL": log_level},
        priority="cmdline",
    )  # fmt: skip
    if polite:
        settings.set("GOVWATCH_POLITENESS", True, priority="cmdline")
    elif replica:
        settings.setdict(REPLICA_SETTINGS, priority="cmdline")
    return settings


#: What a crawl's status means to cron and systemd: its exit code. `timed_out`: the scheduler
#: stopped a crawl that ran longer than govwatch.yaml's schedule.timeout (not a Ctrl-C).
EXIT_CODES = {"done": 0, "failed": 1, "blocked": 3, "timed_out": 4, "interrupted": 130}
_SEVERITY = ("done", "blocked", "failed", "timed_out", "interrupted")


def worst(statuses: list[str]) -> str:
    """The status of several portals' crawls: the worst of theirs."""
    return max(statuses, key=_SEVERITY.index, default="done")


def portal_status(values: dict[str, Any], start_failure: str | None, interrupted: bool) -> str:
    """One portal's crawl: done (all well), blocked, failed (errors, or it could not run or
    store), or interrupted (a signal stopped it)."""
    reason = values.get("finish_reason")
    if start_failure or values.get("govwatch/store_failed"):
        return "failed"
    if reason == "shutdown" or (interrupted and reason != "finished"):
        return "interrupted"
    if (
        reason != "finished"
        or values.get("govwatch/error")
        or values.get("spider_exceptions/count")
    ):
        return "failed"
    return "blocked" if values.get("govwatch/blocked") else "done"


class _Stop:
    """Whether a signal asked the crawl to stop (`asked`). Before Scrapy's own handler is in,
    a SIGTERM comes here: noted (an exception raised from a handler would land in whatever code
    runs, Scrapy's start-up included, which may swallow it) and, once the process exists,
    handed to Scrapy's handler, which stops the crawl gracefully — once the process's reactor
    is installed: Scrapy's handler reaches for the reactor, and reaching for it earlier installs
    Twisted's default one, which the crawlers then refuse."""

    def __init__(self) -> None:
        self.asked = False
        self.process: _Process | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        self.asked = True
        if self.process is not None and is_reactor_installed():
            self.process._signal_shutdown(signum, frame)


class _Process(CrawlerProcess):
    """Scrapy's process, noting in `stop` that a signal asked it to stop: a crawler still
    starting then stops before it has a finish reason, and the run is interrupted, not
    failed."""

    def __init__(self, settings: Settings, stop: _Stop) -> None:
        super().__init__(settings)
        self.signal_stop = stop
        stop.process = self

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.signal_stop.asked = True
        super()._signal_shutdown(signum, frame)

    def stop(self) -> Any:
        """Stop every crawl, dropping what waits for a delay (`drop_waiting`) rather than
        sending it delay after delay."""
        for crawler in self.crawlers:
            drop_waiting(crawler)
        return super().stop()


def run(
    profiles: list[Profile],
    *,
    db: str,
    full: bool = False,
    replica: str | None = None,
    origins: dict[str, str] | None = None,
    today: str | None = None,
    profiles_dir: str | None = None,
    log_level: str = "WARNING",
    progress: bool = False,
    rules: str | None = None,
    polite: bool = False,
) -> dict[str, Any]:
    """Crawl the portals once; the run's summary (also stored in the runs table).

    The run is stored `done`, `failed` (a portal had errors, was blocked, could not start or
    could not store) or `interrupted` (SIGINT/SIGTERM) — never left `running` by anything but
    a kill -9. A broken rules file is a `RulesError` before any crawl starts."""
    load_rules(rules)
    names = [p.name for p in profiles]
    crawlers: dict[str, Crawler] = {}
    start_failures: dict[str, str] = {}
    run_id: int | None = None
    started = time.monotonic()
    stop = _Stop()
    previous = signal.signal(signal.SIGTERM, stop)  # until Scrapy installs its handlers
    try:
        try:
            with open_store(db) as store:
                run_id = store.start_run(names, full)
            settings = crawl_settings(
                db, run_id, full, replica, today, profiles_dir, log_level, polite, origins
            )
            if progress:
                settings.set("GOVWATCH_PROGRESS", True, priority="cmdline")
            if rules:
                settings.set("GOVWATCH_RULES", rules, priority="cmdline")
            logging.getLogger("scrapy").setLevel(log_level)
            process = _Process(settings, stop)
            start_crawlers(process, profiles, crawlers, start_failures)
            if not stop.asked:
                process.start()
        except KeyboardInterrupt:
            stop.asked = True
        # The run is recorded next, whatever comes: a late SIGTERM must not leave it `running`.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        return finish(run_id, db, names, crawlers, start_failures, stop.asked, started)
    finally:
        signal.signal(signal.SIGTERM, previous)


def start_crawlers(
    runner: CrawlerRunner, profiles: list[Profile], crawlers: dict[str, Crawler],
    start_failures: dict[str, str],
) -> None:  # fmt: skip
    """Each portal's crawler added to `runner` (this process's, or a node's batch's): in
    `crawlers` by portal; one that cannot start noted in `start_failures`; each closes at once
    when a stop came while it started (`stop_when_started`: a SIGTERM, or a node's cancel, in
    the first second of a crawl)."""
    from spiders import SPIDERS

    for profile in profiles:
        crawler = runner.create_crawler(SPIDERS[profile.family])
        crawlers[profile.name] = crawler
        crawler.signals.connect(
            stop_when_started(crawler), signal=signals.spider_opened, weak=False
        )
        deferred = runner.crawl(crawler, portal=profile.name, profile=profile)
        deferred.addErrback(_start_failed, profile.name, start_failures)


def stop_when_started(crawler: Crawler) -> Callable[[], None]:
    """A handler of the crawler's spider opening: a crawler asked to stop while it was starting
    (Scrapy's stop sets `crawling` off, and stops only an engine already running) is stopped
    once its engine starts; otherwise it would crawl to its end.

    It looks when the engine starts (hooked at the opening, after every extension's own hook,
    so it runs last) and again at the first request the engine schedules: the engine runs its
    `engine_started` handlers before it counts as running, so a stop between the first look
    and the engine running is seen at the second. And a spider that closes while its crawler
    is stopped already has its engine stopped too: Scrapy stops the engine at a spider's close
    only through the crawler's stop, which does nothing twice, and the crawl never ended (a
    node's cancelled job "kept running")."""
    closing = False

    def close_if_stopped() -> None:
        nonlocal closing
        engine = crawler.engine
        if not closing and not crawler.crawling and engine.spider is not None:
            closing = True
            stopped = (
                engine.stop_async()
                if engine.running
                else engine.close_spider_async(reason="shutdown")
            )
            deferred_from_coro(stopped)

    def first_request() -> None:
        crawler.signals.disconnect(first_request, signal=signals.request_scheduled)
        close_if_stopped()

    def spider_closed() -> None:
        engine = crawler.engine
        if not crawler.crawling and engine.running:  # the crawler's stop came first
            deferred_from_coro(engine.stop_async())

    def spider_opened() -> None:
        crawler.signals.connect(close_if_stopped, signal=signals.engine_started, weak=False)
        crawler.signals.connect(first_request, signal=signals.request_scheduled, weak=False)
        crawler.signals.connect(spider_closed, signal=signals.spider_closed, weak=False)

    return spider_opened


def finish(
    run_id: int | None, db: str, names: list[str], crawlers: dict[str, Crawler],
    start_failures: dict[str, str], interrupted: bool, started: float,
) -> dict[str, Any]:  # fmt: skip
    """The run's summary from its crawlers' stats, stored with the run."""
    duration = time.monotonic() - started
    stats = RunStats()
    failures: list[str] = []
    statuses: list[str] = []
    for name in names:
        portal = add_portal(stats, name, _stats(crawlers.get(name)), start_failures.get(name),
                            interrupted)  # fmt: skip
        if "error" in portal:
            failures.append(f"{name}: {portal['error']}")
        statuses.append(portal["status"])
    status = worst(statuses)
    stored = stored_status(status)
    try:
        if run_id is not None:
            with open_store(db) as store:
                store.finish_run(run_id, stats, duration, stored)
    except Exception as error:  # the run row is bookkeeping; the error is reported
        failures.append(f"cannot record the run in {db}: {error}")
        status = worst([status, "failed"])
    return {
        **({"error": failures[0]} if failures else {}),
        "run": run_id,
        "status": status,
        "requests": stats.requests,
        "documents_new": stats.documents_new,
        "documents_changed": stats.documents_changed,
        "documents_gone": stats.documents_gone,
        "errors": stats.errors,
        "robots_forbidden": sum(p["robots_forbidden"] for p in stats.portals.values()),
        "blocked": stats.blocked,
        "portals": stats.portals,
        "duration_s": round(duration, 2),
        "finished_at": now(),
    }


def add_portal(
    stats: RunStats, name: str, values: dict[str, Any], start_failure: str | None,
    interrupted: bool,
) -> dict[str, Any]:  # fmt: skip
    """One portal's summary from its crawler's stats, added to the run's `stats`."""
    problems = values.get("govwatch/problems", [])
    status = portal_status(values, start_failure, interrupted)
    error = start_failure or values.get("govwatch/store_failed")
    # A callback that raised lost its page: an error too (Scrapy counts it, the spider cannot).
    crashes = int(values.get("spider_exceptions/count", 0))
    errors = int(values.get("govwatch/error", 0)) + crashes
    if status == "failed":
        errors = max(errors, 1)  # a failed portal is at least one error, whatever failed
    portal: dict[str, Any] = {
        "status": status,
        "requests": int(values.get("downloader/request_count", 0)),
        "documents_new": int(values.get("govwatch/documents_new", 0)),
        "documents_changed": int(values.get("govwatch/documents_changed", 0)),
        "documents_gone": int(values.get("govwatch/documents_gone", 0)),
        # Documents found at a new URL with the same 索引号 (no alert when unchanged).
        "documents_moved": int(values.get("govwatch/documents_moved", 0)),
        "not_modified": int(values.get("govwatch/documents_not_modified", 0)),
        "errors": errors,
        "blocked": int(values.get("govwatch/blocked", 0)),
        # Links listings showed that are no documents of the portal: not fetched.
        "entries_skipped": int(values.get("govwatch/entries_skipped", 0)),
        # URLs the portal's robots.txt forbids (its profile obeys it): not fetched, no error.
        "robots_forbidden": int(values.get("robotstxt/forbidden", 0)),
        "finish_reason": values.get("finish_reason"),
        # Every listing walked and every document revisited, to its end: a --full crawl,
        # or a portal's first (nothing known yet). The scheduler counts full_every from it.
        "full": bool(values.get("govwatch/full_walk")) and status != "interrupted",
    }
    if error:
        portal["error"] = str(error)
    if problems:
        first = problems[0]
        portal["first_problem"] = f"{first['url']}: {first['message']}"
    elif crashes:
        kinds = sorted(k.split("/", 1)[1] for k in values if k.startswith("spider_exceptions/")
                       and k != "spider_exceptions/count")  # fmt: skip
        portal["first_problem"] = (f"{crashes} page(s) crashed the spider ({', '.join(kinds)}); "
                                   "the crawl's log (--verbose) has the traceback")  # fmt: skip
    elif status == "failed" and not error:
        portal["first_problem"] = (
            f"the crawl ended as {values.get('finish_reason') or 'never started'}"
        )
    if portal["robots_forbidden"]:
        portal["robots_first"] = values.get("govwatch/robots_first")
    portal.update(defences(values, problems))
    stats.portals[name] = portal
    stats.requests += portal["requests"]
    stats.documents_new += portal["documents_new"]
    stats.documents_changed += portal["documents_changed"]
    stats.documents_gone += portal["documents_gone"]
    stats.errors += portal["errors"]
    stats.blocked += [
        {k: p[k] for k in ("portal", "column", "url", "message")}
        for p in problems
        if p["kind"] == "blocked"
    ]
    return portal


def stored_status(status: str) -> str:
    """A crawl's status as its run row keeps it: done, interrupted, or failed (blocked too)."""
    return {"done": "done", "interrupted": "interrupted"}.get(status, "failed")


def defences(values: dict[str, Any], problems: list[dict[str, Any]]) -> dict[str, Any]:
    """What a portal's defences cost and what is still in the way: the browser's work
    (`browser`), legacy TLS and certificate problems (`tls`), and for a portal still blocked,
    the likely cause and what to do (`remedy`)."""
    out: dict[str, Any] = {}
    browser = {
        key: values[f"govwatch/{stat}"]
        for key, stat in (("challenges", "challenges"), ("solves", "browser_solves"),
                          ("launches", "browser_launches"), ("seconds", "browser_seconds"),
                          ("pages", "browser_pages"), ("failures", "browser_failures"),
                          ("missing", "browser_missing"), ("off", "browser_off"))
        if values.get(f"govwatch/{stat}")
    }  # fmt: skip
    if browser:
        out["browser"] = browser
    tls = {
        key: values[f"govwatch/{stat}"]
        for key, stat in (
            ("legacy", "tls_legacy"),
            ("fallbacks", "tls_fallbacks"),
            ("certificate", "certificate"),
        )
        if values.get(f"govwatch/{stat}")
    }
    if tls:
        out["tls"] = tls
    blocked = [p["message"] for p in problems if p.get("kind") == "blocked"]
    if blocked:
        out["remedy"] = remedy_for(blocked[0], out)
    return out


#: The likely cause and remedy of a challenge that stayed blocked because GOVWATCH_BROWSER turned
#: the browser off (crawler.fetch.browser's OFF_HINT; not imported: it installs a reactor).
OFF_REMEDY = (
    "a JavaScript challenge, and the browser is turned off (GOVWATCH_BROWSER=off): unset it or "
    "set GOVWATCH_BROWSER=auto so govwatch can solve it in Chromium"
)


def remedy_for(reason: str, portal: dict[str, Any]) -> str:
    """The likely cause of a block and its remedy, knowing the crawl's browser: a challenge met
    with the browser turned off asks to turn it on, not to install Chromium."""
    if solvable(reason) and portal.get("browser", {}).get("off"):
        return OFF_REMEDY
    return remedy(reason)


def defence_lines(summary: dict[str, Any]) -> list[str]:
    """Per portal, in plain words: what the browser and legacy TLS did, certificate problems,
    and what still blocks it with the likely cause and remedy."""
    lines = []
    for name, portal in summary.get("portals", {}).items():
        browser = portal.get("browser", {})
        if browser.get("solves"):
            lines.append(
                f"  {name}: {browser['solves']} challenge(s) passed in the browser "
                f"({browser.get('seconds', 0):.1f} s, {browser.get('launches', 0)} launch(es))"
            )
        for said in ("missing", "off"):  # no Chromium, or GOVWATCH_BROWSER=off
            if browser.get(said):
                lines.append(f"  {name}: {browser[said]}")
        tls = portal.get("tls", {})
        if tls.get("legacy"):
            lines.append(f"  {name}: legacy TLS for {', '.join(tls['legacy'])}")
        for host, problem in tls.get("certificate", {}).items():
            lines.append(f"  {name}: certificate problem on {host}: {problem}")
        if portal.get("remedy"):
            lines.append(f"  {name} still blocked — likely: {portal['remedy']}")
        if portal.get("robots_forbidden"):
            lines.append(robots_line(name, portal))
    return lines


def robots_line(name: str, portal: dict[str, Any]) -> str:
    """The URLs a portal's robots.txt forbade, in one line (they used to be a warning each)."""
    first = f" (first: {portal['robots_first']})" if portal.get("robots_first") else ""
    return (f"  {name}: {portal['robots_forbidden']} URL(s) forbidden by its robots.txt, not "
            f"fetched{first}; `robots: ignore` in its profile fetches them")  # fmt: skip


def _stats(crawler: Crawler | None) -> dict[str, Any]:
    """A crawler's stats; none when it never started."""
    try:
        return crawler.stats.get_stats() if crawler is not None and crawler.stats else {}
    except RuntimeError:  # Scrapy: "Crawler.stats is not set yet"
        return {}


def _start_failed(failure: Any, portal: str, failures: dict[str, str]) -> None:
    """A crawler that could not start (a profile value only the spider rejects, a broken
    pipeline): recorded as that portal's failure, in one line, not a Twisted traceback."""
    failures[portal] = f"could not start: {failure.type.__name__}: {failure.getErrorMessage()}"


def portal_problem(name: str, portal: dict[str, Any]) -> str:
    """What went wrong in one portal's crawl, with its first problem ('' when nothing did)."""
    status = portal.get("status", "done")
    first = f" (first: {portal['first_problem']})" if portal.get("first_problem") else ""
    if portal.get("error"):
        line = f"{name} failed: {portal['error']}"
    elif status == "interrupted":
        return f"{name} interrupted"
    elif status == "failed":
        blocked = f", {portal['blocked']} blocked" if portal.get("blocked") else ""
        line = f"{name} failed: {portal['errors']} errors{blocked}{first}"
    elif status == "blocked":
        line = f"{name} blocked: {portal['blocked']} answers{first}"
    else:
        return ""
    if portal.get("remedy") and status in ("blocked", "failed"):
        line += f" — likely: {portal['remedy']}"
    return line


def problem_line(summary: dict[str, Any]) -> str:
    """What went wrong in a crawl, in one line for people and cron mail."""
    parts = [portal_problem(name, portal) for name, portal in summary.get("portals", {}).items()]
    parts = [part for part in parts if part]
    if not parts and summary.get("error"):
        parts.append(str(summary["error"]))
    stored = {"done": "done", "interrupted": "interrupted"}.get(summary.get("status", ""), "failed")
    return "; ".join(parts) + f" — run {summary.get('run')} stored as {stored}"
