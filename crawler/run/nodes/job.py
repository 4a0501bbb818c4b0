"""The Scrapy extension a node's job runs with: it keeps its portal's lease and records its run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crawler.run.crawl import add_portal, stored_status
from crawler.store import RunStats, StoreError, open_store, shared_store

#: How long a node's silence is taken for death: a lease not renewed for this long expires.
LEASE_SECONDS = 60.0


class NodeJob:
    """A Scrapy extension, on for a node's job (`GOVWATCH_NODE_RUN`). While the crawl runs it
    keeps its portal's lease (renewed every third of the lease): the lease lives as long as the
    crawl, not as long as the scheduler that dispatched it, so a scheduler taking over never
    starts a portal still being crawled — and a job that finds its lease taken (its node was cut
    off for longer than the lease) stops, so no two nodes crawl one portal. When the crawl closes
    it records its run as `govwatch crawl` does — status (done, blocked, failed, interrupted),
    requests, documents, errors, blocked columns, defences — so the scheduler raises the same
    health alerts for a portal crawled on a node as for one crawled here."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db = str(settings.get("GOVWATCH_DB"))
        self.holder = settings.get("GOVWATCH_LEASE_HOLDER")
        self.seconds = settings.getfloat("GOVWATCH_LEASE_SECONDS", LEASE_SECONDS)
        self.renewing: Any = None

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
        from twisted.internet import task

        if self.holder:
            self.renewing = task.LoopingCall(self.keep, spider)
            self.renewing.start(self.seconds / 3, now=False)

    def keep(self, spider: Any) -> None:
        """Renew the lease; close the crawl when it was lost."""
        try:
            store = shared_store(self.db)  # the crawl's own connection, not one more each time
            try:
                kept = store.renew_lease(spider.profile.name, self.holder, self.seconds)
            finally:
                store.release()
        except StoreError as error:  # the database is out of reach: the lease may expire
            spider.logger.warning(f"cannot renew the lease of {spider.profile.name}: {error}")
            return
        if not kept:
            spider.logger.error(f"{spider.profile.name}: lease lost to another node; stopping")
            self.crawler.engine.close_spider(spider, "lease_lost")

    def closed(self, spider: Any, reason: str) -> None:
        if self.renewing is not None and self.renewing.running:
            self.renewing.stop()
        run_id = self.crawler.settings.getint("GOVWATCH_RUN_ID")
        values = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        stats = RunStats()
        portal = add_portal(stats, spider.profile.name, values, None, False)
        begun = values.get("start_time")
        duration = (
            (dt.datetime.now(dt.UTC) - begun).total_seconds()
            if isinstance(begun, dt.datetime)
            else 0.0
        )
        with open_store(self.db) as store:
            store.finish_run(run_id, stats, duration, stored_status(portal["status"]))
