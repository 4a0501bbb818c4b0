"""www.gov.cn's policy search API: `searchVO.catMap.<category>.listVO[]`."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from crawler.clock import CHINA
from crawler.items import ListingEntry
from crawler.listings.jpaas import ListingFormatError
from crawler.listings.links import ARTICLE_PATTERNS, compile_pattern, is_article


@dataclass
class SearchPage:
    entries: list[ListingEntry]
    total: int | None
    #: Rows whose URL is not a content page (the profile's `article_pattern` or the family's).
    skipped: int = 0


def search_url(origin: str, params: dict[str, str], page: int, size: int) -> str:
    query = {"t": params.get("t", "zhengcelibrary"), "q": "", "timetype": "timeqb", "mintime": "",
             "maxtime": "", "sort": "pubtime", "sortType": "1", "searchfield": "", "p": str(page),
             "n": str(size), "type": "gwyzcwjk"}  # fmt: skip
    return f"{origin}/search-gov/data?{urlencode(query)}"


def _date(row: dict[str, object]) -> str | None:
    text = row.get("pubtimeStr")
    if isinstance(text, str) and len(text) >= 10:
        return text[:10].replace(".", "-")
    ms = row.get("ptime")
    if isinstance(ms, (int, float)):
        return dt.datetime.fromtimestamp(ms / 1000, CHINA).date().isoformat()
    return None


def parse_search(
    body: bytes | str, url: str, pattern: str | re.Pattern[str] | None = None
) -> SearchPage:
    """Rows of every category; the total is the categories' (the top-level one is always 0)."""
    regex = compile_pattern(pattern or ARTICLE_PATTERNS["govcn"])
    try:
        answer = json.loads(body)
        categories = answer["searchVO"]["catMap"]
    except (ValueError, KeyError, TypeError) as error:
        raise ListingFormatError(f"gov.cn search at {url}: unexpected answer ({error})") from None
    entries: list[ListingEntry] = []
    total = skipped = 0
    for category in categories.values():
        total += int(category.get("totalCount") or 0)
        for row in category.get("listVO") or []:
            if row.get("url") and is_article(str(row["url"]), regex):
                entries.append(ListingEntry(str(row["url"]), row.get("title"), _date(row)))
            else:
                skipped += 1
    return SearchPage(entries, total, skipped)
