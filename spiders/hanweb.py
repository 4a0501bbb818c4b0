"""Hanweb JCMS classic portals: the column page's inline group, then dataproxy.jsp groups."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.listings import hanweb
from spiders.base import HANDLED, PortalSpider

GROUP = 45


class HanwebSpider(PortalSpider):
    name = "hanweb"
    family = "hanweb"
    id_pattern = re.compile(r"/art_\d+_(\d+)\.html")

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield scrapy.Request(
                f"{self.profile.origin}/col/col{column.id}/index.html",
                callback=self.parse_column, errback=self.failed,
                meta={"column": column.id, "handle_httpstatus_list": HANDLED},
            )  # fmt: skip

    def parse_column(self, response: Response) -> Iterator[Any]:
        column = response.meta["column"]
        # A column page may be a JS or meta-refresh stub to another column: followed.
        handled, follow = self.not_content(response, column, self.parse_column, document=False)
        if follow is not None:
            yield follow
        if handled:
            return
        page = hanweb.parse_column_page(
            response.text, response.url, self.article_pattern(column), self.list_selector(column)
        )
        if page.skipped:
            self.skipped_link("", "links in the list that are not documents", page.skipped)
        self.check_column(column, len(page.entries), response.url, page.unmatched)
        requests, all_known = self.follow_entries(page.entries, column)
        yield from requests
        total = page.total or 0
        if len(page.entries) >= total or not self.keep_paging(column, all_known):
            self.column_done(column)
            return
        # Parameters the profile lacks are read off the column page (webid, unitid …).
        params = {**page.params, **{k: v for k, v in self.profile.params.items() if v}}
        proxy = self.profile.params.get("proxy") or page.proxy or "/module/jpage/dataproxy.jsp"
        yield self.group_request(column, proxy, params, len(page.entries) + 1, page.per_page, total)

    def group_request(self, column: str, proxy: str, params: dict[str, str], start: int, per_page: int,
                      total: int) -> scrapy.Request:  # fmt: skip
        end = min(start + GROUP - 1, total)
        return scrapy.FormRequest(
            f"{self.profile.origin}{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}",
            formdata=hanweb.dataproxy_form(params, column),
            callback=self.parse_group, errback=self.failed,
            meta={"column": column, "handle_httpstatus_list": HANDLED, "dataproxy": proxy, "params": params,
                  "start": start, "per_page": per_page, "total": total},
        )  # fmt: skip

    def parse_group(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        column = meta["column"]
        if self.blocked(response, column):
            # An empty or refused dataproxy: what the column page showed is all this run has.
            return
        group = hanweb.parse_datastore(response.text, response.url, self.article_pattern(column))
        if group.skipped:
            self.skipped_link("", "records that are not documents", group.skipped)
        if not group.entries:
            self.column_done(column)
            return
        requests, all_known = self.follow_entries(group.entries, column)
        yield from requests
        total = group.total or meta["total"]
        start = meta["start"] + len(group.entries)
        if start > total or not self.keep_paging(column, all_known):
            self.column_done(column)
            return
        yield self.group_request(
            column, meta["dataproxy"], meta["params"], start, meta["per_page"], total
        )
