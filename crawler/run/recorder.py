"""What a crawl learns of each portal, recorded as the crawl goes: a Scrapy extension.

At a spider's opening it hands the spider what the corpus knows of its portal (`PortalState`).
As the spider signals them it records each problem with the run (and marks its column's walk
unfinished) and each column's listing. At the spider's closing, for a crawl that finished, a
column whose walk ended with no error and no block is complete, its first such walk is its
baseline (what it lists is history, not news: a blocked or failed first crawl is no baseline), and
after a full crawl what it no longer lists is gone (never deleted). A killed or interrupted crawl
changes none of these.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.clock import now
from crawler.store import Store, shared_store
from spiders.base import PortalSpider
from spiders.state import PortalState, column_listed, problem_found


def portal_state(store: Store, portal: str) -> PortalState:
    """What the corpus knows of a portal."""
    return PortalState(
        known=store.known(portal), aliases=store.aliases(portal),
        columns=store.columns_state(portal), files=store,
    )  # fmt: skip


class CrawlRecorder:
    """On whenever a crawl writes a corpus (`GOVWATCH_DB`)."""

    def __init__(self, crawler: Crawler, db: str, run_id: int | None) -> None:
        self.crawler, self.db, self.run_id = crawler, db, run_id
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecorder:
        db = crawler.settings.get("GOVWATCH_DB")
        if not db:
            raise NotConfigured
        recorder = cls(crawler, str(db), crawler.settings.getint("GOVWATCH_RUN_ID") or None)
        crawler.signals.connect(recorder.opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.problem, signal=problem_found)
        crawler.signals.connect(recorder.listed, signal=column_listed)
        return recorder

    def opened(self, spider: Any) -> None:
        if not isinstance(spider, PortalSpider):
            return
        self.store = shared_store(self.db)
        spider.state = portal_state(self.store, spider.profile.name)

    def problem(
        self, spider: PortalSpider, kind: str, column: str | None, url: str, message: str
    ) -> None:
        if self.store is None:
            return
        if column:
            # Something in this column was missed: the next crawl walks it to its end.
            self.store.set_column_complete(spider.profile.name, column, False)
        if self.run_id is not None:
            self.store.record_error(self.run_id, spider.profile.name, column, url, kind, message)

    def listed(self, spider: PortalSpider, column: str, listed: int) -> None:
        """A column's walk starts (complete again only when the walk ends)."""
        if self.store is not None:
            self.store.set_column_listed(spider.profile.name, column, listed)

    def closed(self, spider: Any, reason: str) -> None:
        store, self.store = self.store, None
        if store is None or not isinstance(spider, PortalSpider):
            return
        try:
            if reason == "finished":
                self._finished(store, spider)
        finally:
            store.release()
            # What the corpus knew of the portal (every document's validators) is no longer
            # needed: a process crawling a thousand portals holds it only for those still open.
            spider.state = PortalState()

    def _finished(self, store: Store, spider: PortalSpider) -> None:
        stats = self.crawler.stats
        assert stats is not None
        portal = spider.profile.name
        clean = spider.walk_ended - spider.unfinished
        for column in sorted(clean):
            store.set_column_complete(portal, column)
            store.set_column_baseline(portal, column)
        if spider.full or spider.first_walk:
            stats.set_value("govwatch/full_walk", True)
        if spider.full:
            gone = store.mark_gone(vanished(store, spider, clean), now())
            stats.inc_value("govwatch/documents_gone", gone)


def vanished(store: Store, spider: PortalSpider, clean: set[str]) -> list[str]:
    """After a full crawl: live documents no listing showed, whose column was walked to its end
    with no problem (one of unknown column: when every column was, and the portal too)."""
    portal = spider.profile.name
    columns = {column.id for column in spider.profile.columns}
    everything = columns <= clean and spider.portal_problems == 0
    # Documents that moved during this crawl were listed under their new URL.
    aliases = store.aliases(portal)
    listed = {aliases.get(identity, identity) for identity in spider.listed}
    return sorted(
        identity
        for identity, column in store.live_columns(portal).items()
        if identity not in listed and (column in clean if column in columns else everything)
    )
