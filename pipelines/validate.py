"""Validate: only well-formed fetched documents go on to be stored."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import Fetched


class ValidatePipeline:
    def process_item(self, item: Fetched) -> Fetched:
        adapter = ItemAdapter(item)
        if not adapter.get("portal") or not adapter.get("identity"):
            raise DropItem(f"{adapter.get('fetched_url')}: no portal or identity; a spider bug")
        if item.status not in (200, 304, 404):
            raise DropItem(f"{item.fetched_url}: HTTP {item.status} is not a document")
        if item.status == 200:
            record = item.record or {}
            if not record.get("title") and not record.get("body_text"):
                raise DropItem(
                    f"{item.fetched_url}: neither a title nor a body; the page is not a document "
                    "(an error or block page, or a layout the extractor does not know)"
                )
        return item
