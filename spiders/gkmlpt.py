"""Guangdong's gkmlpt: the JSON listing API per category, the post record each page embeds."""

from __future__ import annotations

import re
from typing import Any

from scrapy.http import Response

from crawler.items import Fetched
from crawler.listings import gkmlpt
from spiders.base import NumberedPagesSpider


class GkmlptSpider(NumberedPagesSpider):
    name = "gkmlpt"
    family = "gkmlpt"
    id_pattern = re.compile(r"/m?post_(\d+)\.html?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Rows a page holds: the portal's choice, read off the pages (the largest seen).
        self.rows_seen = int(self.profile.params.get("page_size", "0") or 0)

    @property
    def page_size(self) -> int:  # type: ignore[override]
        return self.rows_seen or 20

    def listing_url(self, column: str, page: int) -> str:
        return gkmlpt.api_url(self.profile.origin, self.profile.params["sid"], column, page)

    def parse_listing(self, body: bytes, url: str, column: str) -> Any:
        listing = gkmlpt.parse_api(body, url, self.article_pattern(column))
        self.rows_seen = max(self.rows_seen, len(listing.entries) + listing.skipped)
        return listing

    def refine(self, item: Fetched, response: Response) -> Fetched:
        """The fields the portal's own post record states (索引号, 文号, publisher, the time of
        publication, the platform's URL of a mobile copy) win over what the page shows."""
        if item.record is None:
            return item
        detail = gkmlpt.post_record(response.text)
        if detail is not None:
            fields = gkmlpt.post_fields(detail)
            url = fields.pop("url", None)
            if (
                url
                and url.startswith(self.profile.canonical_origin + "/")
                and (self.identity(self.profile.to_fetch(url)) == item.identity)
            ):
                item.url = url
                fields["url"] = url
            item.record.update(fields)
        return item
