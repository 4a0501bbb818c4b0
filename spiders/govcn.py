"""www.gov.cn: the policy search API (with a browser-like User-Agent and a Referer), page by page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.listings import govcn
from spiders.base import HANDLED, PortalSpider


class GovcnSpider(PortalSpider):
    name = "govcn"
    family = "govcn"
    id_pattern = re.compile(r"/content_(\d+)\.htm")

    @property
    def size(self) -> int:
        return int(self.profile.params.get("page_size", "20"))

    def page_request(self, column: str, page: int) -> scrapy.Request:
        headers = {"Referer": f"{self.profile.origin}/zhengce/zhengceku/"}
        agent = self.profile.params.get("user_agent")
        if agent:
            headers["User-Agent"] = agent
        return scrapy.Request(
            govcn.search_url(self.profile.origin_for("search"), self.profile.params, page, self.size),
            headers=headers, callback=self.parse_page, errback=self.failed,
            meta={"column": column, "page": page, "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield self.page_request(column.id, 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield from self.walk_pages(response, govcn.parse_search, self.size, self.page_request)
