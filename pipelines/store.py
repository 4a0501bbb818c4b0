"""Store: fetched documents into the corpus (`crawler.store` owns every write), each version with
its attachment files (read here, their text applied once, where the page is silent) and the
alerts its watch rules call for — several documents a transaction (`BATCH_SIZE`, `BATCH_WAIT`)."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawler.items import Fetched, content_hash
from crawler.store import Outcome, Save, Store, StoreError, shared_store
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

#: At most this many documents are stored in one transaction; the first of them waits at most
#: BATCH_WAIT seconds for the others. A commit a batch instead of a commit a document: 1.5×
#: the documents per second on SQLite (its full-text index writes a segment a commit), twice on
#: PostgreSQL (a round trip and a log flush a commit; `python -m bench.store`). An item is done
#: once its batch is stored, so a crawl ends only after its last batch, and a crash loses only
#: documents not yet stored, which the next crawl fetches again.
BATCH_SIZE = 50
BATCH_WAIT = 0.05


class StorePipeline:
    """Stores each document version together with the alerts its watch rules call for."""

    crawler: Crawler | None = None

    def __init__(
        self, db_path: str, run_id: int | None, stats: StatsCollector, rules_path: str | None
    ) -> None:
        self.db_path, self.run_id, self.stats, self.rules_path = db_path, run_id, stats, rules_path
        self.rules: list[Rule] = []
        self.store: Store | None = None
        self.pending: list[tuple[Save, Deferred[Outcome]]] = []
        self.timer: CallLaterResult | None = None

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
        self._flush()  # (none waits here: the crawl closes once every item is done)
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
            if item.status in (304, 404):
                self._flush()  # in the order the crawl met them
                self._mark(item)
            else:
                outcome = await maybe_deferred_to_future(self._queued(self._save(item, readings)))
                self.stats.inc_value(f"govwatch/documents_{outcome.kind}")
                self.stats.inc_value("govwatch/alerts", outcome.alerts)
            return item
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

    def _mark(self, item: Fetched) -> None:
        """A document unchanged (304) or gone (404)."""
        assert self.store is not None
        if item.status == 304:
            self.store.seen(
                item.identity, item.fetched_at, item.etag, item.last_modified, item.column
            )
            self.stats.inc_value("govwatch/documents_not_modified")
        else:
            gone = self.store.mark_gone([item.identity], item.fetched_at)
            self.stats.inc_value("govwatch/documents_gone", gone)

    def _save(self, item: Fetched, readings: dict[str, dict[str, Any]]) -> Save:
        """What storing a fetched document takes: its record with its attachments' text applied
        where the page is silent (files not fetched again — the page unchanged — read as
        stored), and the alerts its watch rules call for."""
        assert self.store is not None and item.record is not None
        files, fetched = read_fetched(self.store, item.files, readings) if item.files else ([], {})
        texts = {**stored_texts(self.store, item.record), **fetched}
        record = applied(item.record, texts) if texts else item.record
        return Save(
            portal=item.portal, identity=item.identity, record=record, files=files,
            page_hash=content_hash(item.record),
            fetched_url=item.fetched_url, fetched_at=item.fetched_at, status=item.status,
            headers=item.headers, raw=item.raw, etag=item.etag,
            last_modified=item.last_modified, run_id=self.run_id, column=item.column,
            alerts=alerts_for(self.rules, watched(record, texts), item.portal)
            if self.news(item.portal, item.column) else None,
        )  # fmt: skip

    def _queued(self, save: Save) -> Deferred[Outcome]:
        """The outcome of storing `save`, once its batch is stored."""
        done: Deferred[Outcome] = Deferred()
        self.pending.append((save, done))
        if len(self.pending) >= BATCH_SIZE:
            self._flush()
        elif self.timer is None:
            self.timer = call_later(BATCH_WAIT, self._flush)
        return done

    def _flush(self) -> None:
        """Store the waiting documents in one transaction. Should it fail, each is stored on
        its own, so that one bad document (or a refused write) fails only itself."""
        if self.timer is not None:
            self.timer.cancel()  # (nothing, when it is what calls)
            self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        store = self.store
        results: list[Outcome | BaseException]
        if store is None:  # (closed with documents waiting: none is, the crawl waits for them)
            closed = StoreError(f"{self.db_path}: closed before these documents were stored")
            results = [closed] * len(batch)
        else:
            try:
                results = list(store.save_many([save for save, _ in batch]))
            except Exception as error:
                results = [error] if len(batch) == 1 else [_alone(store, s) for s, _ in batch]
        for (_, done), result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                done.errback(result)
            else:
                done.callback(result)


def _alone(store: Store, save: Save) -> Outcome | Exception:
    """One document stored in a transaction of its own; what failed it, if it failed."""
    try:
        return store.save_many([save])[0]
    except Exception as error:
        return error
