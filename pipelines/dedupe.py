"""Dedupe: one document identity once per run (a cross-posted page is listed twice)."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawler.items import Fetched


class DedupePipeline:
    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Fetched) -> Fetched:
        if item.identity in self.seen:
            raise DropItem(f"{item.fetched_url}: {item.identity} already stored in this run")
        self.seen.add(item.identity)
        return item
