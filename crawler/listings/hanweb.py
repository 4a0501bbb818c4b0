"""Hanweb JCMS classic listings: the column page's embedded datastore and `dataproxy.jsp`."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urljoin

from lxml import etree

from crawler.items import ListingEntry

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
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")


def _text(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


@dataclass
class Group:
    """One group of records: the column page's inline store or a dataproxy answer."""

    entries: list[ListingEntry]
    total: int | None = None
    next_page: int | None = None


@dataclass
class ColumnPage(Group):
    proxy: str | None = None
    per_page: int = 15
    params: dict[str, str] = field(default_factory=dict)


def _entry(record: str, base_url: str) -> ListingEntry | None:
    try:
        fragment = etree.fromstring(f"<div>{record}</div>", etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return None
    link = next((a for a in fragment.iter("a") if a.get("href")), None)
    if link is None:
        return None
    title = (link.get("title") or _text(link)).strip() or None
    found = _DATE.search(_text(fragment))
    date = (
        f"{found.group(1)}-{int(found.group(2)):02d}-{int(found.group(3)):02d}" if found else None
    )
    return ListingEntry(urljoin(base_url, html.unescape(link.get("href") or "")), title, date)


def parse_datastore(text: str, base_url: str) -> Group:
    """The records of a `<datastore>` (inline or from dataproxy.jsp), its totals and next page."""
    store = _STORE.search(text)
    body = store.group(0) if store else ""
    entries = [e for e in (_entry(r, base_url) for r in _RECORD.findall(body)) if e is not None]
    total = _TOTAL_RECORD.search(body)
    next_page = None
    nxt = _NEXT.search(body)
    if nxt:
        href = _HREF.search(nxt.group(1))
        if href:
            query = dict(parse_qsl(html.unescape(href.group(1)).partition("?")[2]))
            if query.get("page", "").isdigit():
                next_page = int(query["page"])
    return Group(entries, int(total.group(1)) if total else None, next_page)


def parse_column_page(text: str, base_url: str) -> ColumnPage:
    """The column page: its first group, the record total, and the dataproxy parameters."""
    group = parse_datastore(text, base_url)
    total = _JS_TOTAL.search(text)
    proxy = _JS_PROXY.search(text)
    per_page = _JS_PERPAGE.search(text)
    params: dict[str, str] = {}
    found = _JS_PARAMS.search(text)
    if found:
        params = {k: unquote(v.strip()) for k, v in _JS_PAIR.findall(found.group(1))}
    return ColumnPage(
        entries=group.entries,
        total=int(total.group(1)) if total else group.total,
        next_page=group.next_page,
        proxy=proxy.group(1) if proxy else None,
        per_page=int(per_page.group(1)) if per_page else 15,
        params=params,
    )


def dataproxy_form(params: dict[str, str], column: str) -> dict[str, str]:
    """The form fields of a dataproxy POST (DOMAIN.md §1.1)."""
    form = {"col": "1", "appid": "1", "webid": "", "path": "/", "columnid": column,
            "sourceContentType": "1", "unitid": "", "webname": "", "permissiontype": "0"}  # fmt: skip
    form.update({k: v for k, v in params.items() if k in form and v})
    form["columnid"] = column
    return form
