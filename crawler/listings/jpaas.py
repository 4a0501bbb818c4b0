"""Hanweb jpaas listings: the column page's paging attributes and the JSON listing API.

The API's HTML fragment is read like any listing page (`crawler.listings.links`): only links to
the family's article URLs are entries.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from crawler.items import ListingEntry
from crawler.listings.links import ARTICLE_PATTERNS, document_links

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_COUNT = re.compile(r"""\bcount\s*=\s*["'](\d+)["']""")


@dataclass
class ApiPage:
    entries: list[ListingEntry]
    total: int | None
    skipped: int = 0
    unmatched: int = 0


class ListingFormatError(ValueError):
    """A listing answer that is not in the expected format."""


def api_url(origin: str, params: dict[str, str], column: str, page: int, rows: int) -> str:
    query = {
        "webId": params["webId"], "pageId": column, "parseType": "bulidstatic", "pageType": "column",
        "tagId": params.get("tagId", "信息列表"), "tplSetId": params["tplSetId"],
        "rows": str(rows), "pageNo": str(page),
    }  # fmt: skip
    return f"{origin}{API}?{urlencode(query)}"


def entries_from_html(
    fragment: str,
    base_url: str,
    pattern: str | re.Pattern[str] | None = None,
    list_selector: str | None = None,
) -> list[ListingEntry]:
    """The documents an HTML fragment (or page) lists."""
    return _read(fragment, base_url, pattern, list_selector)[0]


def _read(
    fragment: str,
    base_url: str,
    pattern: str | re.Pattern[str] | None,
    list_selector: str | None,
) -> tuple[list[ListingEntry], int, int]:
    if not fragment.strip():
        return [], 0, 0
    found = document_links(
        f"<html><body>{fragment}</body></html>",
        base_url,
        pattern or ARTICLE_PATTERNS["jpaas"],
        list_selector=list_selector,
    )
    return found.entries, found.skipped, found.unmatched


def parse_api(
    body: bytes | str,
    base_url: str,
    pattern: str | re.Pattern[str] | None = None,
    list_selector: str | None = None,
) -> ApiPage:
    """`{success, data: {html}}` → the rows and the total the fragment declares."""
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise ListingFormatError(f"jpaas listing at {base_url} is not JSON: {error}") from None
    if not isinstance(answer, dict) or not answer.get("success"):
        raise ListingFormatError(f"jpaas listing at {base_url} answered {str(answer)[:200]}")
    fragment = str((answer.get("data") or {}).get("html") or "")
    total = _COUNT.search(fragment)
    entries, skipped, unmatched = _read(fragment, base_url, pattern, list_selector)
    return ApiPage(entries, int(total.group(1)) if total else None, skipped, unmatched)
