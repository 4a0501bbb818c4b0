"""Portals on no known family: a column is any listing page whose main list has dated links.

The article URL pattern is the profile's (`article_pattern`), else learnt from the column's first
page; pages follow by 下一页 links or the pager's numbered links. Identity is the URL (these URLs
carry no id the spider could trust), and the store keeps a document that moves with the same
索引号 as one document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from crawler.listings import generic
from crawler.listings.links import ANY_ARTICLE
from spiders.base import IndexPagesSpider, declared_charset

#: A walk that never ends (a pager that loops) stops here.
MAX_PAGES = 1000


class GenericSpider(IndexPagesSpider):
    name = "generic"
    family = "generic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.learned: dict[str, re.Pattern[str]] = {}
        self.pages_seen: dict[str, set[str]] = {}

    def article_pattern(self, column: str) -> re.Pattern[str]:
        own = self.profile.listing_overrides(column)[0]
        if own:
            return re.compile(own)
        return self.learned.get(column) or re.compile(ANY_ARTICLE)

    def column_url(self, path: str) -> str:
        return (
            urljoin(self.profile.origin + "/", path.lstrip("/"))
            if path
            else self.profile.origin + "/"
        )

    def index_request(
        self, column: str, url: str, number: int, prefer: str | None = None
    ) -> scrapy.Request:
        self.pages_seen.setdefault(column, set()).add(url)
        return super().index_request(column, url, number, prefer)

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield self.index_request(column.id, self.column_url(column.path), 0)

    def parse_index(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        column = meta["column"]
        if response.status in (404, 410):
            self.report("error", column, response.url,
                        f"listing page answered HTTP {response.status}; check the column's path")  # fmt: skip
            return
        if (yield from self.index_stub(response, column)):
            return
        charset = declared_charset(response)
        own = self.profile.listing_overrides(column)[0]
        learned = self.learned.get(column)
        page = generic.parse_listing(
            response.body, self.profile.canonical(response.url), charset,
            pattern=own or (learned.pattern if learned else None),
            list_selector=self.list_selector(column), prefer=meta.get("prefer"),
        )  # fmt: skip
        if page.pattern and not own and learned is None:
            self.learned[column] = re.compile(page.pattern)
            self.logger.info(
                "%s column %s: article pattern %s", self.profile.name, column, page.pattern
            )
        if page.skipped:
            self.skipped_link("", "links in the list that are not documents", page.skipped)
        if meta["page"] == 0:
            self.check_column(column, len(page.entries), response.url, page.unmatched)
        requests, all_known = self.follow_entries(page.entries, column)
        yield from requests
        following = self.profile.to_fetch(page.next_page) if page.next_page else None
        seen = self.pages_seen.setdefault(column, set())
        if (
            page.entries and following and following not in seen and len(seen) < MAX_PAGES
            and self.profile.allows(following) and self.keep_paging(column, all_known)
        ):  # fmt: skip
            yield self.index_request(
                column, following, meta["page"] + 1, meta.get("prefer") or page.signature
            )
        else:
            self.column_done(column)
