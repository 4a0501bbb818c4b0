"""Hanweb jpaas portals: the JSON listing API, page by page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.listings import jpaas
from spiders.base import HANDLED, PortalSpider


class JpaasSpider(PortalSpider):
    name = "jpaas"
    family = "jpaas"
    id_pattern = re.compile(r"/art_([0-9a-f]{32})\.html")

    @property
    def rows(self) -> int:
        return int(self.profile.params.get("rows", "15"))

    def page_request(self, column: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            jpaas.api_url(self.profile.origin, self.profile.params, column, page, self.rows),
            callback=self.parse_page, errback=self.failed,
            meta={"column": column, "page": page, "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield self.page_request(column.id, 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield from self.walk_pages(response, jpaas.parse_api, self.rows, self.page_request)
