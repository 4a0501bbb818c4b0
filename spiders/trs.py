"""TRS WCM portals: static index pages, index.html, index_1.html …"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.listings import trs
from spiders.base import IndexPagesSpider, declared_charset


class TrsSpider(IndexPagesSpider):
    name = "trs"
    family = "trs"
    id_pattern = re.compile(r"/t\d{8}_(\d+)\.s?html?")

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            section = f"{self.profile.origin}/{column.path}/"
            yield self.index_request(column.id, trs.page_url(section, 0), 0)

    def parse_index(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        column = meta["column"]
        # A column index may be a JS or meta-refresh stub to its first sub-column: followed.
        if (yield from self.index_stub(response, column)):
            return
        charset = declared_charset(response)
        listing = trs.parse_index(
            response.body, response.url, charset, pattern=self.article_pattern(column),
            list_selector=self.list_selector(column), prefer=meta.get("prefer"),
        )  # fmt: skip
        if listing.skipped:
            self.skipped_link("", "links in the list that are not documents", listing.skipped)
        if meta["page"] == 0:
            self.check_column(column, len(listing.entries), response.url, listing.unmatched)
        requests, all_known = self.follow_entries(listing.entries, column)
        yield from requests
        if listing.entries and listing.next_page and self.keep_paging(column, all_known):
            # Later pages prefer the list chosen on the first (a short last page has fewer
            # entries than a sidebar of hot documents).
            prefer = meta.get("prefer") or listing.signature
            yield self.index_request(column, listing.next_page, meta["page"] + 1, prefer)
        else:
            self.column_done(column)
