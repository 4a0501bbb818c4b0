"""www.gov.cn: the policy search API (with a browser-like User-Agent and a Referer), page by page."""

from __future__ import annotations

import re
from typing import Any

from crawler.listings import govcn
from spiders.base import NumberedPagesSpider


class GovcnSpider(NumberedPagesSpider):
    name = "govcn"
    family = "govcn"
    id_pattern = re.compile(r"/content_(\d+)\.htm")

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return int(self.profile.params.get("page_size", "20"))

    def listing_url(self, column: str, page: int) -> str:
        return govcn.search_url(
            self.profile.origin_for("search"), self.profile.params, page, self.page_size
        )

    def listing_headers(self) -> dict[str, str]:
        headers = {"Referer": f"{self.profile.origin}/zhengce/zhengceku/"}
        agent = self.profile.params.get("user_agent")
        if agent:
            headers["User-Agent"] = agent
        return headers

    def parse_listing(self, body: bytes, url: str, column: str) -> Any:
        return govcn.parse_search(body, url, self.article_pattern(column))
