"""Listings of portals on no known family: any page whose main list has links with dates.

`learn_pattern` reads the article URL pattern off the list itself (the list holding most links
with a date beside them: their paths generalised segment by segment), so that the document list
is then found as on any family's page (`crawler.listings.links`). `next_page` finds the page
after this one: a 下一页 link with a real address, else the numbered links of the pager
(`index_N.html`, `?page=N` and their kin).

Pure: text or a tree and a URL in, plain data out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract.decode import decode_html
from crawler.items import ListingEntry
from crawler.listings.links import (
    _date_in,
    _path,
    _place,
    _resolve,
    document_links,
    parse_tree,
    text_of,
)

_NEXT = frozenset(("下一页", "下页", "后一页", "下一頁", "next", "next page", ">", "›", "»", ">>"))
_NUMBERED = re.compile(
    r"(?:/index_(\d+)\.\w+$)|(?:[?&](?:page|pageNo|pageno|pageIndex|pageindex|curPage|currentPage|p|pn)=(\d+))"
)
_SLUG = re.compile(r"^[0-9A-Za-z_-]+$")
_DIGITS = re.compile(r"\d+")
_EXTENSION = re.compile(r"(\.[A-Za-z]{2,5})$")
#: Too few dated links to learn from.
MIN_LINKS = 2


@dataclass
class Page:
    entries: list[ListingEntry]
    next_page: str | None
    pattern: str | None
    skipped: int = 0
    unmatched: int = 0
    signature: str | None = None


def _dated_links(root: etree._Element, base_url: str) -> list[str]:
    """The URLs of the list (on the page's own host) with most links dated beside them."""
    host = urlsplit(base_url).netloc
    groups: dict[str, list[str]] = {}
    asides: dict[str, bool] = {}
    for link in root.iterfind(".//a[@href]"):
        url = _resolve(link.get("href") or "", base_url)
        if url is None or urlsplit(url).netloc != host:
            continue
        row, container = _place(link)
        if not _date_in(row, link):
            continue
        signature, aside = _path(container)
        asides[signature] = aside
        found = groups.setdefault(signature, [])
        if url not in found:
            found.append(url)
    if not groups:
        return []
    best = max(
        groups, key=lambda s: (len(groups[s]) / (2 if asides[s] else 1), -list(groups).index(s))
    )
    return groups[best]


def _segment(values: list[str]) -> str:
    """One path segment of every link, generalised just enough to cover them all."""
    # Digits are never literal: a first page all of one month must not tie the pattern to it.
    if len(set(values)) == 1 and not _DIGITS.search(values[0]):
        return re.escape(values[0])
    shapes = {_DIGITS.sub("\0", v) for v in values}
    if len(shapes) == 1:
        return re.escape(shapes.pop()).replace("\0", r"\d+").replace("\\\0", r"\d+")
    extensions = {m.group(1) if (m := _EXTENSION.search(v)) else "" for v in values}
    stems = (
        [v[: len(v) - len(next(iter(extensions)))] for v in values] if len(extensions) == 1 else []
    )
    if stems and all(_SLUG.match(s) for s in stems):
        return r"[0-9A-Za-z_-]+" + re.escape(next(iter(extensions)))
    return r"[^/]+"


def pattern_for(urls: list[str]) -> str | None:
    """A regex (searched in path and query, as `links.is_article` does) covering the URLs:
    the most common shape of path, and any other shape at least two of them share."""
    if len(urls) < MIN_LINKS:
        return None
    by_length: dict[int, list[list[str]]] = {}
    queries: Counter[str] = Counter()
    for url in urls:
        parts = urlsplit(url)
        by_length.setdefault(len(parts.path.split("/")), []).append(parts.path.split("/"))
        queries[_DIGITS.sub("\0", parts.query)] += 1
    alternatives: list[str] = []
    for _, paths in sorted(by_length.items(), key=lambda item: -len(item[1])):
        if len(paths) < MIN_LINKS and alternatives:
            continue
        alternatives.append("/".join(_segment([p[i] for p in paths]) for i in range(len(paths[0]))))
    query, count = queries.most_common(1)[0]
    tail = r"(?:\?|$)"
    if query and count == len(urls):
        tail = r"\?" + re.escape(query).replace("\0", r"\d+") + "$"
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"^{body}{tail}"


def learn_pattern(page: etree._Element | str, base_url: str) -> str | None:
    """The article URL pattern of a listing page: learnt from its main dated list, or None."""
    root = parse_tree(page) if isinstance(page, str) else page
    return pattern_for(_dated_links(root, base_url))


def _number(url: str, query_scheme: bool) -> int:
    """A listing URL's page number; a URL without one is the first page (`?page=1`, while a
    TRS-style `index_1.html` is the second)."""
    found = _NUMBERED.search(url)
    if found is None:
        return 1 if query_scheme else 0
    return int(found.group(1) or found.group(2))


def next_page(page: etree._Element | str, base_url: str) -> str | None:
    """The listing page after this one: a 下一页 link with an address, else the next of the
    pager's numbered links; None on the last page."""
    root = parse_tree(page) if isinstance(page, str) else page
    here = urlsplit(base_url)
    numbered: list[tuple[int, str]] = []
    for link in root.iterfind(".//a[@href]"):
        url = _resolve(link.get("href") or "", base_url)
        if url is None or url == base_url or urlsplit(url).netloc != here.netloc:
            continue
        label = (text_of(link) or link.get("title") or "").strip().lower()
        if label in _NEXT:
            return url
        found = _NUMBERED.search(url)
        if found and urlsplit(url).path.rsplit("/", 1)[0] == here.path.rsplit("/", 1)[0]:
            numbered.append((int(found.group(1) or found.group(2)), url))
    later = sorted(
        (number, url) for number, url in numbered if number > _number(base_url, "?" in url)
    )
    return later[0][1] if later else None


def parse_listing(
    body: bytes, url: str, encoding: str | None = None, *, pattern: str | None = None,
    list_selector: str | None = None, prefer: str | None = None,
) -> Page:  # fmt: skip
    """A listing page of no known family: its documents (by `pattern`, else the pattern learnt
    from the page), the next page, and the pattern used."""
    root = parse_tree(decode_html(body, encoding).text)
    used = pattern or learn_pattern(root, url)
    following = next_page(root, url)
    if used is None:
        return Page([], following, None)
    found = document_links(root, url, used, list_selector=list_selector, prefer=prefer)
    return Page(found.entries, following, used, found.skipped, found.unmatched, found.signature)
