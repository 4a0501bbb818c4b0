"""Hanweb jpaas listings: the column page's paging attributes and the JSON listing API."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin

from lxml import etree

from crawler.items import ListingEntry

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_COUNT = re.compile(r"""\bcount\s*=\s*["'](\d+)["']""")


def _text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


@dataclass
class ApiPage:
    entries: list[ListingEntry]
    total: int | None


class ListingFormatError(ValueError):
    """A listing answer that is not in the expected format."""


def api_url(origin: str, params: dict[str, str], column: str, page: int, rows: int) -> str:
    query = {
        "webId": params["webId"], "pageId": column, "parseType": "bulidstatic", "pageType": "column",
        "tagId": params.get("tagId", "信息列表"), "tplSetId": params["tplSetId"],
        "rows": str(rows), "pageNo": str(page),
    }  # fmt: skip
    return f"{origin}{API}?{urlencode(query)}"


def entries_from_html(fragment: str, base_url: str) -> list[ListingEntry]:
    if not fragment.strip():
        return []
    root = etree.fromstring(f"<div>{fragment}</div>", etree.HTMLParser())
    found = []
    for item in root.iter("li"):
        link = next((a for a in item.iter("a") if a.get("href")), None)
        if link is None:
            continue
        title = (link.get("title") or _text(link)).strip() or None
        date = next(
            (
                s.text.strip()
                for s in item.iter("span")
                if s.text and re.match(r"\d{4}-", s.text.strip())
            ),
            None,
        )
        found.append(ListingEntry(urljoin(base_url, link.get("href") or ""), title, date))
    return found


def parse_api(body: bytes | str, base_url: str) -> ApiPage:
    """`{success, data: {html}}` → the rows and the total the fragment declares."""
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise ListingFormatError(f"jpaas listing at {base_url} is not JSON: {error}") from None
    if not isinstance(answer, dict) or not answer.get("success"):
        raise ListingFormatError(f"jpaas listing at {base_url} answered {str(answer)[:200]}")
    fragment = str((answer.get("data") or {}).get("html") or "")
    total = _COUNT.search(fragment)
    return ApiPage(entries_from_html(fragment, base_url), int(total.group(1)) if total else None)
