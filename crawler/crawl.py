"""One crawl run: the chosen portals' spiders in one Scrapy process, recorded in the runs table.

Scrapy's reactor cannot restart, so a process runs one crawl; the scheduler starts a child
process per run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.profiles import Profile
from crawler.store import RunStats, Store

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
    log_level: str = "WARNING",
) -> Settings:  # fmt: skip
    settings = get_project_settings()
    if not settings.get("SPIDER_MODULES"):
        settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {"GOVWATCH_DB": db, "GOVWATCH_RUN_ID": run_id, "GOVWATCH_FULL": full,
         "GOVWATCH_REPLICA": replica, "GOVWATCH_TODAY": today, "GOVWATCH_PROFILES": profiles_dir,
         "LOG_LEVEL": log_level},
        priority="cmdline",
    )  # fmt: skip
    if replica:
        settings.setdict(REPLICA_SETTINGS, priority="cmdline")
    return settings


def politeness(profiles: list[Profile]) -> dict[str, dict[str, Any]]:
    """Per-host delay and concurrency from each profile (Scrapy's DOWNLOAD_SLOTS)."""
    slots = {}
    for profile in profiles:
        for host in profile.hosts:
            name = host.split(":")[0]
            slots[name] = {"delay": profile.delay, "concurrency": profile.concurrency}
    return slots


def run(
    profiles: list[Profile],
    *,
    db: str,
    full: bool = False,
    replica: str | None = None,
    today: str | None = None,
    profiles_dir: str | None = None,
    log_level: str = "WARNING",
    progress: bool = False,
    rules: str | None = None,
) -> dict[str, Any]:
    """Crawl the portals once; the run's summary (also stored in the runs table)."""
    from spiders import SPIDERS

    names = [p.name for p in profiles]
    with Store(db) as store:
        run_id = store.start_run(names, full)
    settings = crawl_settings(db, run_id, full, replica, today, profiles_dir, log_level)
    if not replica:
        settings.set("DOWNLOAD_SLOTS", politeness(profiles), priority="cmdline")
    if progress:
        settings.set("GOVWATCH_PROGRESS", True, priority="cmdline")
    if rules:
        settings.set("GOVWATCH_RULES", rules, priority="cmdline")
    logging.getLogger("scrapy").setLevel(log_level)
    process = CrawlerProcess(settings)
    crawlers = []
    for profile in profiles:
        crawler = process.create_crawler(SPIDERS[profile.family])
        crawlers.append((profile.name, crawler))
        process.crawl(crawler, portal=profile.name, profile=profile)
    started = time.monotonic()
    process.start()
    duration = time.monotonic() - started
    stats = RunStats()
    for name, crawler in crawlers:
        values = crawler.stats.get_stats() if crawler.stats else {}
        portal: dict[str, Any] = {
            "requests": int(values.get("downloader/request_count", 0)),
            "documents_new": int(values.get("govwatch/documents_new", 0)),
            "documents_changed": int(values.get("govwatch/documents_changed", 0)),
            "documents_gone": int(values.get("govwatch/documents_gone", 0)),
            "not_modified": int(values.get("govwatch/documents_not_modified", 0)),
            "errors": int(values.get("govwatch/error", 0)),
            "blocked": int(values.get("govwatch/blocked", 0)),
            # Links listings showed that are no documents of the portal: not fetched.
            "entries_skipped": int(values.get("govwatch/entries_skipped", 0)),
            "finish_reason": values.get("finish_reason"),
        }
        stats.portals[name] = portal
        stats.requests += portal["requests"]
        stats.documents_new += portal["documents_new"]
        stats.documents_changed += portal["documents_changed"]
        stats.documents_gone += portal["documents_gone"]
        stats.errors += portal["errors"]
        stats.blocked += [
            {k: p[k] for k in ("portal", "column", "url", "message")}
            for p in values.get("govwatch/problems", [])
            if p["kind"] == "blocked"
        ]
    failures = [str(c.stats.get_value("govwatch/store_failed")) for _, c in crawlers
                if c.stats and c.stats.get_value("govwatch/store_failed")]  # fmt: skip
    try:
        with Store(db) as store:
            store.finish_run(run_id, stats, duration, "failed" if failures else "done")
    except Exception as error:  # the run row is bookkeeping; the error is reported
        failures.append(f"cannot record the run in {db}: {error}")
    return {
        **({"error": failures[0]} if failures else {}),
        "run": run_id,
        "requests": stats.requests,
        "documents_new": stats.documents_new,
        "documents_changed": stats.documents_changed,
        "documents_gone": stats.documents_gone,
        "errors": stats.errors,
        "blocked": stats.blocked,
        "portals": stats.portals,
        "duration_s": round(duration, 2),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
