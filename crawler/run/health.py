"""The monitor's view of the operation, for `govwatch status` and the monitor page of `govwatch
serve` alike: per portal its last crawl, last full walk, last new document, documents, since when
it has been failing or blocked, its next run and a colour; per sink the deliveries pending; the
corpus's size against its cap ($GOVWATCH_DB_MAX_MB). The database is only read."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.clock import shown, utcnow
from crawler.config import Config
from crawler.portals.profiles import load_profiles
from crawler.run.schedule import Clock, last_full, next_after, portal_run, status, trigger_for
from crawler.store import Store, open_store
from crawler.store.stats import portal_counts, size_bytes
from crawler.watch.notify import sink_name

#: How late a run may be before the portal shows as overdue (jitter and a long crawl before it).
GRACE = dt.timedelta(hours=1)
#: A megabyte as GOVWATCH_DB_MAX_MB counts it (crawler/store/core.py: 1024 × 1024 bytes).
MB = 1024 * 1024
#: Colours as the terminal and the page show them.
COLOURS = ("green", "yellow", "red", "grey")


@dataclass
class PortalHealth:
    portal: str
    health: str  # done, blocked, failed (n errors), interrupted, running or killed, never run
    colour: (
        str  # green: fine; yellow: blocked, interrupted or overdue; red: failing; grey: never run
    )
    last_run: str | None = None
    last_full: str | None = None
    last_new: str | None = None  # when its newest document was first stored
    documents: int = 0
    live: int = 0
    documents_new: int | None = None  # in its last run
    trouble_since: str | None = (
        None  # the start of the run that began its failing or blocked streak
    )
    next_run: str | None = None
    overdue: bool = False
    robots_forbidden: int = 0  # URLs its robots.txt forbade in its last run


@dataclass
class Snapshot:
    portals: list[PortalHealth] = field(default_factory=list)
    sinks: dict[str, int] = field(default_factory=dict)  # sink → deliveries pending
    counts: dict[str, int] = field(default_factory=dict)  # documents, live, versions
    size_bytes: int = 0
    cap_bytes: int | None = None  # $GOVWATCH_DB_MAX_MB, where set (SQLite)

    @property
    def size_share(self) -> float | None:
        return self.size_bytes / self.cap_bytes if self.cap_bytes else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "size_share": self.size_share}


def _streaks(store: Store) -> dict[str, str]:
    """portal → the start of its current run of failed or blocked crawls (absent when its last
    crawl went well)."""
    since: dict[str, str | None] = {}
    for row in store.runs(finished=True):
        for portal in json.loads(row["portals"] or "[]"):
            bad = portal_run(row, portal)["status"] in ("failed", "blocked")
            since[portal] = (since.get(portal) or row["started_at"]) if bad else None
    return {portal: start for portal, start in since.items() if start}


def colour_of(row: PortalHealth) -> str:
    if row.health == "never run":
        return "grey"
    if row.health.startswith("failed") or row.health == "running or killed":
        return "red"
    if row.health != "done" or row.overdue:
        return "yellow"
    return "green"


def cap_bytes() -> int | None:
    value = os.environ.get("GOVWATCH_DB_MAX_MB")
    try:
        return int(float(value) * MB) if value else None
    except ValueError:
        return None  # the store says what is wrong with it when it opens for writing


def snapshot(config: Config, now: Clock = utcnow) -> Snapshot:
    """The whole picture, read from the corpus and the config."""
    rows = status(config, now)
    result = Snapshot(cap_bytes=cap_bytes())
    with open_store(config.db, readonly=True) as store:
        counts, fulls, streaks = portal_counts(store), last_full(store), _streaks(store)
        result.counts = store.counts()
        result.size_bytes = size_bytes(store)
        for index, entry in enumerate(config.sinks):
            name = sink_name(entry, index)
            result.sinks[name] = store.pending_count(name)
    moment = now()
    profiles = config.watched(load_profiles(config.profiles))
    for row in rows:
        # Due well before now and not run: no scheduler runs it (status shows such a next run
        # as now).
        due = (next_after(trigger_for(profiles[row["portal"]], config),
                          dt.datetime.fromisoformat(row["last_run"])) if row["last_run"] else None)  # fmt: skip
        found = counts.get(row["portal"], {})
        next_run = row["next_run"]
        health = PortalHealth(
            portal=row["portal"], health=row["health"], colour="grey", last_run=row["last_run"],
            last_full=fulls.get(row["portal"]), last_new=found.get("last_new"),
            documents=found.get("documents", 0), live=found.get("live", 0),
            documents_new=row.get("documents_new"), trouble_since=streaks.get(row["portal"]),
            next_run=next_run,
            overdue=due is not None and due + GRACE < moment,
            robots_forbidden=row.get("robots_forbidden") or 0,
        )  # fmt: skip
        health.colour = colour_of(health)
        result.portals.append(health)
    return result


def lines(found: Snapshot) -> list[tuple[str, str | None]]:
    """`govwatch status` as (line, colour) pairs: the corpus, each portal, each sink."""
    size = f"{found.size_bytes / MB:,.1f} MB"
    if found.cap_bytes:
        size += f" of {found.cap_bytes / MB:,.0f} MB cap ({100 * (found.size_share or 0):.0f}%)"
    share = found.size_share or 0
    out: list[tuple[str, str | None]] = [(
        f"corpus: {found.counts.get('documents', 0)} documents ({found.counts.get('live', 0)} live), "
        f"{found.counts.get('versions', 0)} versions, {size}",
        "red" if share >= 0.9 else "yellow" if share >= 0.75 else None,
    )]  # fmt: skip
    out.append((f"{'portal':16} {'health':22} {'last crawl':21} {'last full':21} "
                f"{'last new':21} {'docs':>6}  next run", None))  # fmt: skip
    for row in found.portals:
        health = row.health + (" (overdue)" if row.overdue else "")
        if row.trouble_since:
            health += f" since {shown(row.trouble_since)}"
        out.append((f"{row.portal:16} {health:22} {shown(row.last_run):21} {shown(row.last_full):21} "
                    f"{shown(row.last_new):21} {row.documents:>6}  {shown(row.next_run)}"
                    + (f"  ({row.robots_forbidden} URL(s) forbidden by robots.txt)"
                       if row.robots_forbidden else ""), row.colour))  # fmt: skip
    for sink, pending in found.sinks.items():
        out.append((f"sink {sink}: {pending} deliveries pending", "yellow" if pending else None))
    return out
