"""Store: fetched documents into the corpus (`crawler.store` owns every write), each version with
its attachment files (read here, their text applied once, where the page is silent) and the
alerts its watch rules call for."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from crawler.items import Fetched, content_hash
from crawler.store import Store, StoreError, shared_store
from crawler.watch.rules import Rule, alerts_for, load_rules
from pipelines.attachments import (
    applied,
    close_reader,
    read_all,
    read_fetched,
    stored_texts,
    unread,
    watched,
)

logger = logging.getLogger(__name__)


class StorePipeline:
    """Stores each document version together with the alerts its watch rules call for."""

    crawler: Crawler | None = None

    def __init__(
        self, db_path: str, run_id: int | None, stats: StatsCollector, rules_path: str | None
    ) -> None:
        self.db_path, self.run_id, self.stats, self.rules_path = db_path, run_id, stats, rules_path
        self.rules: list[Rule] = []
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        pipeline = cls(
            settings.get("GOVWATCH_DB"),
            settings.getint("GOVWATCH_RUN_ID") or None,
            crawler.stats,
            settings.get("GOVWATCH_RULES"),
        )
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.rules = load_rules(self.rules_path)
        self.store = shared_store(self.db_path)
        self.baseline: dict[tuple[str, str | None], bool] = {}

    def news(self, portal: str, column: str | None) -> bool:
        """A column's first complete crawl is its baseline: until then its documents are
        history and raise no alerts."""
        assert self.store is not None
        if (portal, column) not in self.baseline:
            self.baseline[portal, column] = self.store.baseline_done(portal, column)
        return self.baseline[portal, column]

    def close_spider(self) -> None:
        close_reader()
        if self.store is not None:
            self.store.release()
            self.store = None

    async def process_item(self, item: Fetched) -> Fetched:
        readings: dict[str, dict[str, Any]] = {}
        if item.status == 200 and item.files and self.store is not None:
            todo = unread(self.store, item.files)
            if todo:
                # Reading files (OCR above all) takes seconds: in a thread, while the crawl's
                # downloads go on; the store is written here, in the crawl's own thread.
                readings = await maybe_deferred_to_future(deferToThread(read_all, todo))
        try:
            return self._store(item, readings)
        except (StoreError, sqlite3.Error) as error:
            # A full or read-only disk: the failed write was rolled back, nothing stored is lost.
            # Stop the crawl with a clear reason rather than fail every page after this one.
            message = (
                str(error)
                if isinstance(error, StoreError)
                else f"cannot write to {self.db_path}: {error}"
            )
            if not self.stats.get_value("govwatch/store_failed"):
                self.stats.set_value("govwatch/store_failed", message)
                logger.error(message)
                crawler = self.crawler
                if (
                    crawler is not None
                    and crawler.engine is not None
                    and crawler.spider is not None
                ):
                    deferred_from_coro(crawler.engine.close_spider_async(reason="store_failed"))
            raise DropItem(message) from None

    def _store(self, item: Fetched, readings: dict[str, dict[str, Any]]) -> Fetched:
        assert self.store is not None
        if item.status == 304:
            self.store.seen(
                item.identity, item.fetched_at, item.etag, item.last_modified, item.column
            )
            self.stats.inc_value("govwatch/documents_not_modified")
        elif item.status == 404:
            gone = self.store.mark_gone([item.identity], item.fetched_at)
            self.stats.inc_value("govwatch/documents_gone", gone)
        else:
            assert item.record is not None
            # Attachments fetched with the document: read, and applied where the page is silent.
            # (Files not fetched again — the page unchanged — are read as stored.)
            files, fetched = (
                read_fetched(self.store, item.files, readings) if item.files else ([], {})
            )
            texts = {**stored_texts(self.store, item.record), **fetched}
            record = applied(item.record, texts) if texts else item.record
            outcome = self.store.save(
                portal=item.portal, identity=item.identity, record=record, files=files,
                page_hash=content_hash(item.record),
                fetched_url=item.fetched_url, fetched_at=item.fetched_at, status=item.status,
                headers=item.headers, raw=item.raw, etag=item.etag,
                last_modified=item.last_modified, run_id=self.run_id, column=item.column,
                alerts=alerts_for(self.rules, watched(record, texts), item.portal)
                if self.news(item.portal, item.column) else None,
            )  # fmt: skip
            self.stats.inc_value(f"govwatch/documents_{outcome.kind}")
            self.stats.inc_value("govwatch/alerts", outcome.alerts)
        return item
