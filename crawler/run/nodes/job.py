"""The Scrapy extension a node's crawls run with: it keeps their portals' leases and records each
portal's outcome in its run as the portal finishes."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from crawler.run.crawl import add_portal, stored_status
from crawler.store import RunStats, StoreError, open_store, shared_store

#: How long a node's silence is taken for death: a lease not renewed for this long expires.
LEASE_SECONDS = 60.0


class LeaseKeeper:
    """The leases of every portal a node's process crawls, renewed together every third of the
    lease (one statement for a batch of hundreds, not one timer and transaction per portal);
    a crawl whose lease was lost is closed."""

    #: (database, holder) → the keeper of this process's crawls under that holder.
    KEEPERS: ClassVar[dict[tuple[str, str], LeaseKeeper]] = {}

    def __init__(self, db: str, holder: str, seconds: float) -> None:
        self.db, self.holder, self.seconds = db, holder, seconds
        self.crawls: dict[str, tuple[Any, Any]] = {}  # portal → (crawler, spider)
        self.loop: Any = None

    @classmethod
    def of(cls, db: str, holder: str, seconds: float) -> LeaseKeeper:
        key = (db, holder)
        if key not in cls.KEEPERS:
            cls.KEEPERS[key] = cls(db, holder, seconds)
        return cls.KEEPERS[key]

    def add(self, crawler: Any, spider: Any) -> None:
        from twisted.internet import task

        self.crawls[spider.profile.name] = (crawler, spider)
        if self.loop is None:
            self.loop = task.LoopingCall(self.keep)
            self.loop.start(self.seconds / 3, now=False)

    def remove(self, portal: str) -> None:
        self.crawls.pop(portal, None)
        if not self.crawls and self.loop is not None:
            if self.loop.running:
                self.loop.stop()
            self.loop = None

    def keep(self, only: list[str] | None = None) -> list[str]:
        """Renew the leases (of `only`, else of every crawl here); close each crawl whose lease
        was lost. The portals lost."""
        portals = sorted(self.crawls) if only is None else only
        try:
            store = shared_store(self.db)  # the crawls' own connection, not one more
            try:
                kept = store.renew_leases(portals, self.holder, self.seconds)
            finally:
                store.release()
        except StoreError as error:  # the database is out of reach: the leases may expire
            for portal in portals[:1]:
                self.crawls[portal][1].logger.warning(f"cannot renew the leases: {error}")
            return []
        lost = [portal for portal in portals if portal not in kept]
        for portal in lost:
            crawler, spider = self.crawls[portal]
            spider.logger.error(f"{portal}: lease lost to another node; stopping")
            crawler.engine.close_spider(spider, "lease_lost")
        return lost


class NodeJob:
    """A Scrapy extension, on for a node's crawls (`GOVWATCH_NODE_RUN`). While a portal's crawl
    runs its lease is kept (`LeaseKeeper`): the lease lives as long as the crawl, not as long as
    the scheduler that dispatched it, so a scheduler taking over never starts a portal still being
    crawled — and a crawl whose lease was taken (its node was cut off for longer than the lease)
    stops, so no two nodes crawl one portal. When the portal's crawl closes, its outcome — status
    (done, blocked, failed, interrupted), requests, documents, errors, blocked columns, defences,
    as `govwatch crawl` gives it — is recorded in its run at once, so the scheduler raises the
    same health alerts for a portal crawled on a node as for one crawled here, and collects it
    while the rest of its batch goes on. A crawl on its own (not in a batch, `GOVWATCH_BATCH`)
    also records the run's end; a batch records it when its last portal is done
    (`crawler.run.nodes.batch`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db = str(settings.get("GOVWATCH_DB"))
        self.holder = settings.get("GOVWATCH_LEASE_HOLDER")
        self.seconds = settings.getfloat("GOVWATCH_LEASE_SECONDS", LEASE_SECONDS)
        self.in_batch = settings.getbool("GOVWATCH_BATCH")
        self.keeper = LeaseKeeper.of(self.db, self.holder, self.seconds) if self.holder else None

    @classmethod
    def from_crawler(cls, crawler: Any) -> NodeJob:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GOVWATCH_NODE_RUN"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        if not hasattr(spider, "profile"):
            return  # the batch spider itself: its portals' crawlers are the ones kept
        if self.keeper is not None:
            self.keeper.add(self.crawler, spider)

    def keep(self, spider: Any) -> None:
        """Renew this portal's lease now; close its crawl when the lease was lost."""
        if self.keeper is not None:
            self.keeper.crawls.setdefault(spider.profile.name, (self.crawler, spider))
            self.keeper.keep([spider.profile.name])

    def closed(self, spider: Any, reason: str) -> None:
        if not hasattr(spider, "profile"):
            return
        portal_name = spider.profile.name
        if self.keeper is not None:
            self.keeper.remove(portal_name)
        run_id = self.crawler.settings.getint("GOVWATCH_RUN_ID")
        values = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        stats = RunStats()
        portal = add_portal(stats, portal_name, values, None, False)
        begun = values.get("start_time")
        duration = (
            (dt.datetime.now(dt.UTC) - begun).total_seconds()
            if isinstance(begun, dt.datetime)
            else 0.0
        )
        portal["duration_s"] = round(duration, 2)
        portal["blocked_problems"] = stats.blocked  # the scheduler's health checks read them
        store = shared_store(self.db)
        try:
            store.record_portal(run_id, portal_name, portal)
        finally:
            store.release()
        if not self.in_batch:
            with open_store(self.db) as own:
                own.finish_run(run_id, stats, duration, stored_status(portal["status"]))
