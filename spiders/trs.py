"""TRS WCM portals: static index pages, index.html, index_1.html …"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.listings import trs
from spiders.base import HANDLED, PortalSpider


class TrsSpider(PortalSpider):
    name = "trs"
    family = "trs"
    id_pattern = re.compile(r"/t\d{8}_(\d+)\.s?html?")

    def index_request(self, column: str, path: str, number: int) -> scrapy.Request:
        return scrapy.Request(
            trs.page_url(f"{self.profile.origin}/{path}/", number),
            callback=self.parse_index, errback=self.failed,
            meta={"column": column, "path": path, "page": number, "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield self.index_request(column.id, column.path, 0)

    def parse_index(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        column = meta["column"]
        if self.blocked(response, column):
            return
        header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        charset = header.partition("charset=")[2] or None
        listing = trs.parse_index(response.body, response.url, charset)
        if meta["page"] == 0:
            self.check_column(column, len(listing.entries), response.url)
        requests, all_known = self.follow_entries(listing.entries, column)
        yield from requests
        following = meta["page"] + 1
        if (
            listing.entries
            and following < (listing.pages or 0)
            and self.keep_paging(column, all_known)
        ):
            yield self.index_request(column, meta["path"], following)
        else:
            self.column_done(column)
