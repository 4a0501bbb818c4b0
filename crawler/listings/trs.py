"""TRS WCM listings: static `index.html`, `index_1.html` … with the page count in JavaScript.

The paging call comes in several forms, all seen on real portals:
`createPageHTML(37, 0, "index", "html")` (page count, current page from 0),
`createPageHTML(191, 13, 0, "index", "html")` (record count first), and
`createPageHTML('page_div', 6, 1, 'fg', 'shtml', 85)` (a target element, the current page from 1).
Only calls in live `<script>` elements count: a call left in an HTML comment is an old one, and
the definition `function createPageHTML(_nPageCount, …)` is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.extract.decode import decode_html
from crawler.items import ListingEntry
from crawler.listings.links import ARTICLE_PATTERNS, document_links, parse_tree

_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_ARGUMENT = re.compile(r"""\s*(?:(-?\d+)|'([^']*)'|"([^"]*)")\s*""")


@dataclass
class IndexPage:
    entries: list[ListingEntry]
    pages: int | None
    #: The next listing page's URL, when the paging call says there is one.
    next_page: str | None = None
    skipped: int = 0
    unmatched: int = 0
    signature: str | None = None
    links: int = 0


@dataclass(frozen=True)
class Paging:
    pages: int
    current: int  # from 0
    name: str = "index"
    extension: str = "html"


def page_url(section_url: str, number: int) -> str:
    """Page 0 is index.html, page 1 index_1.html (the second page) …"""
    return urljoin(
        section_url.rstrip("/") + "/", "index.html" if number == 0 else f"index_{number}.html"
    )


def paging(scripts: list[str]) -> Paging | None:
    """The page count, current page and page names of the first real paging call."""
    for script in scripts:
        for call in _CALL.finditer(script):
            values: list[int | str] = []
            for raw in call.group(1).split(","):
                found = _ARGUMENT.fullmatch(raw)
                if found is None:
                    values = []  # a definition or a call with expressions
                    break
                number, single, double = found.groups()
                values.append(int(number) if number is not None else (single or double or ""))
            found_paging = _read(values)
            if found_paging is not None:
                return found_paging
    return None


def _read(values: list[int | str]) -> Paging | None:
    if not values:
        return None
    target = isinstance(values[0], str)
    rest = values[1:] if target else values
    numbers: list[int] = []
    for value in rest:
        if not isinstance(value, int):
            break
        numbers.append(value)
    names = [value for value in rest[len(numbers) :] if isinstance(value, str)]
    name, extension = (names[0], names[1]) if len(names) >= 2 else ("index", "html")
    if target and len(numbers) >= 2:  # ('page_div', pages, current from 1, name, ext, records)
        return Paging(numbers[0], max(numbers[1] - 1, 0), name, extension)
    if len(numbers) >= 3:  # (records, pages, current, name, ext)
        return Paging(numbers[1], numbers[2], name, extension)
    if len(numbers) == 2:  # (pages, current, name, ext)
        return Paging(numbers[0], numbers[1], name, extension)
    return None


def parse_index(
    body: bytes,
    url: str,
    encoding: str | None = None,
    *,
    pattern: str | re.Pattern[str] | None = None,
    list_selector: str | None = None,
    prefer: str | None = None,
) -> IndexPage:
    """A static listing page: its documents (see `crawler.listings.links`) and its paging."""
    text = decode_html(body, encoding).text
    root = parse_tree(text)
    found = document_links(
        root, url, pattern or ARTICLE_PATTERNS["trs"], list_selector=list_selector, prefer=prefer
    )
    scripts = [script.text or "" for script in root.iter("script")]
    paged = paging(scripts)
    next_page = None
    if paged is not None and paged.current + 1 < paged.pages:
        next_page = urljoin(url, f"{paged.name}_{paged.current + 1}.{paged.extension}")
    return IndexPage(
        found.entries,
        paged.pages if paged else None,
        next_page,
        found.skipped,
        found.unmatched,
        found.signature,
        found.links,
    )
