"""Hanweb JCMS classic listings: the column page's embedded datastore and `dataproxy.jsp`.

The records of a datastore are read as one list; a column page without a datastore (some
Shandong sites list `/art/` links straight on the page) is read like any listing page
(`crawler.listings.links`). Either way only links to the family's article URLs are entries.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from crawler.items import ListingEntry
from crawler.listings.links import ARTICLE_PATTERNS, document_links

_STORE = re.compile(r"<datastore>.*?</datastore>", re.S)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXT = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>")
_JS_TOTAL = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d+)")
_JS_PROXY = re.compile(r"proxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_JS_PERPAGE = re.compile(r"perPage\s*:\s*['\"]?(\d+)")
_JS_PARAMS = re.compile(r"ajaxParam\s*:\s*\{([^}]*)\}", re.S)
_JS_PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*['"]?([^,'"}]*)['"]?""")
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")


@dataclass
class Group:
    """One group of records: the column page's inline store or a dataproxy answer."""

    entries: list[ListingEntry]
    total: int | None = None
    next_page: int | None = None
    #: Links among the records that are not documents of the family (or the profile).
    skipped: int = 0
    #: When no record links a document: how many dated rows link something else.
    unmatched: int = 0


@dataclass
class ColumnPage(Group):
    proxy: str | None = None
    per_page: int = 15
    params: dict[str, str] = field(default_factory=dict)


def parse_datastore(
    text: str, base_url: str, pattern: str | re.Pattern[str] | None = None
) -> Group:
    """The records of a `<datastore>` (inline or from dataproxy.jsp), its totals and next page."""
    store = _STORE.search(text)
    body = store.group(0) if store else ""
    records = _RECORD.findall(body)
    found = document_links(
        "<html><body><ul>" + "".join(records) + "</ul></body></html>",
        base_url,
        pattern or ARTICLE_PATTERNS["hanweb"],
    )
    total = _TOTAL_RECORD.search(body)
    next_page = None
    nxt = _NEXT.search(body)
    if nxt:
        href = _HREF.search(nxt.group(1))
        if href:
            query = dict(parse_qsl(html.unescape(href.group(1)).partition("?")[2]))
            if query.get("page", "").isdigit():
                next_page = int(query["page"])
    return Group(
        found.entries,
        int(total.group(1)) if total else None,
        next_page,
        found.skipped,
        found.unmatched,
    )


def parse_column_page(
    text: str,
    base_url: str,
    pattern: str | re.Pattern[str] | None = None,
    list_selector: str | None = None,
) -> ColumnPage:
    """The column page: its first group, the record total, and the dataproxy parameters.

    Without a datastore, or with a profile's `list_selector`, the page's own list is read."""
    if _STORE.search(text) and not list_selector:
        group = parse_datastore(text, base_url, pattern)
    else:
        found = document_links(
            text, base_url, pattern or ARTICLE_PATTERNS["hanweb"], list_selector=list_selector
        )
        group = Group(found.entries, None, None, found.skipped, found.unmatched)
    total = _JS_TOTAL.search(text)
    proxy = _JS_PROXY.search(text)
    per_page = _JS_PERPAGE.search(text)
    params: dict[str, str] = {}
    ajax = _JS_PARAMS.search(text)
    if ajax:
        params = {k: unquote(v.strip()) for k, v in _JS_PAIR.findall(ajax.group(1))}
    return ColumnPage(
        entries=group.entries,
        total=int(total.group(1)) if total else group.total,
        next_page=group.next_page,
        skipped=group.skipped,
        unmatched=group.unmatched,
        proxy=proxy.group(1) if proxy else None,
        per_page=int(per_page.group(1)) if per_page else 15,
        params=params,
    )


def dataproxy_form(params: dict[str, str], column: str) -> dict[str, str]:
    """The form fields of a dataproxy POST (docs/DOMAIN.md §1.1)."""
    form = {"col": "1", "appid": "1", "webid": "", "path": "/", "columnid": column,
            "sourceContentType": "1", "unitid": "", "webname": "", "permissiontype": "0"}  # fmt: skip
    form.update({k: v for k, v in params.items() if k in form and v})
    form["columnid"] = column
    return form
