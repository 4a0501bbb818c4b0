"""Hanweb jpaas portals: the JSON listing API, page by page."""

from __future__ import annotations

import re
from typing import Any

from crawler.listings import jpaas
from spiders.base import NumberedPagesSpider


class JpaasSpider(NumberedPagesSpider):
    name = "jpaas"
    family = "jpaas"
    id_pattern = re.compile(r"/art_([0-9a-f]{32})\.html")

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return int(self.profile.params.get("rows", "15"))

    def listing_url(self, column: str, page: int) -> str:
        return jpaas.api_url(self.profile.origin, self.profile.params, column, page, self.page_size)

    def parse_listing(self, body: bytes, url: str, column: str) -> Any:
        return jpaas.parse_api(body, url, self.article_pattern(column), self.list_selector(column))
