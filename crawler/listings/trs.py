"""TRS WCM listings: static `index.html`, `index_1.html` … with the page count in JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.extract.decode import decode_html
from crawler.items import ListingEntry
from crawler.listings.jpaas import entries_from_html

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)")


@dataclass
class IndexPage:
    entries: list[ListingEntry]
    pages: int | None


def page_url(section_url: str, number: int) -> str:
    """Page 0 is index.html, page 1 index_1.html (the second page) …"""
    return urljoin(
        section_url.rstrip("/") + "/", "index.html" if number == 0 else f"index_{number}.html"
    )


def parse_index(body: bytes, url: str, encoding: str | None = None) -> IndexPage:
    text = decode_html(body, encoding).text
    found = _CREATE_PAGE.search(text)
    lists = re.findall(r"<ul[^>]*>.*?</ul>", text, re.S)
    entries = [e for fragment in lists for e in entries_from_html(fragment, url)]
    return IndexPage(entries, int(found.group(1)) if found else None)
