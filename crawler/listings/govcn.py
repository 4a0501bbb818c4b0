"""www.gov.cn's policy search API: `searchVO.catMap.<category>.listVO[]`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from crawler.items import ListingEntry
from crawler.listings.jpaas import ListingFormatError

_SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass
class SearchPage:
    entries: list[ListingEntry]
    total: int | None


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
        return dt.datetime.fromtimestamp(ms / 1000, _SHANGHAI).date().isoformat()
    return None


def parse_search(body: bytes | str, url: str) -> SearchPage:
    """Rows of every category; the total is the categories' (the top-level one is always 0)."""
    try:
        answer = json.loads(body)
        categories = answer["searchVO"]["catMap"]
    except (ValueError, KeyError, TypeError) as error:
        raise ListingFormatError(f"gov.cn search at {url}: unexpected answer ({error})") from None
    entries: list[ListingEntry] = []
    total = 0
    for category in categories.values():
        total += int(category.get("totalCount") or 0)
        for row in category.get("listVO") or []:
            if row.get("url"):
                entries.append(ListingEntry(str(row["url"]), row.get("title"), _date(row)))
    return SearchPage(entries, total)
