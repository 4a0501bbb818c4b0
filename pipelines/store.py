"""Store: fetched documents into the SQLite corpus (crawler/store.py owns every write)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import Fetched
from crawler.store import Store


class StorePipeline:
    def __init__(self, db_path: str, run_id: int | None, stats: StatsCollector) -> None:
        self.db_path, self.run_id, self.stats = db_path, run_id, stats
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        return cls(
            settings.get("GOVWATCH_DB"), settings.getint("GOVWATCH_RUN_ID") or None, crawler.stats
        )

    def open_spider(self) -> None:
        self.store = Store(self.db_path)

    def close_spider(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_item(self, item: Fetched) -> Fetched:
        assert self.store is not None
        if item.status == 304:
            self.store.seen(item.identity, item.fetched_at)
            self.stats.inc_value("govwatch/documents_not_modified")
        elif item.status == 404:
            gone = self.store.mark_gone([item.identity], item.fetched_at)
            self.stats.inc_value("govwatch/documents_gone", gone)
        else:
            assert item.record is not None
            outcome = self.store.save(
                portal=item.portal, identity=item.identity, record=item.record,
                fetched_url=item.fetched_url, fetched_at=item.fetched_at, status=item.status,
                headers=item.headers, raw=item.raw, etag=item.etag,
                last_modified=item.last_modified, run_id=self.run_id,
            )  # fmt: skip
            self.stats.inc_value(f"govwatch/documents_{outcome.kind}")
        return item
