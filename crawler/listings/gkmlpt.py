"""Guangdong's 政府信息公开目录管理平台 (gkmlpt), on every city and department site of the province.

- `/gkmlpt/index` (and every gkmlpt page) holds `window._CONFIG = {SID: '…', TREE: [...], …}`:
  the site id the API wants and the category tree (`{id, name, parent, jump_url, children}`);
- `GET /gkmlpt/api/all/{cat_id}?page=N&sid=SID` → `{articles: [...], classify: {post_count}}`,
  each article with `id, title, identifier` (索引号), `document_number, publisher, date,
  url, is_expired, is_abolished, attachment[]`; a page holds as many rows as the portal chooses;
- articles at `/gkmlpt/content/{a}/{b}/post_{id}.html` (mobile `mpost_{id}.html`), whose page
  embeds the post record as escaped JSON (`DETAIL: {…, gkml_url, gkml_data: {identifier, …}}`);
  legacy `/gkml/…/post_{id}.html` stubs go through `/postmeta/p/…/{id}.json` (listings.answers).

Pure: text in, plain data out.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin

from crawler.clock import CHINA
from crawler.items import ListingEntry
from crawler.listings import jpaas
from crawler.listings.jpaas import ListingFormatError
from crawler.listings.links import compile_pattern, is_article

#: Article URLs of the platform: its own, mobile copies and legacy /gkml/ stubs.
ARTICLE_PATTERN = r"/(?:gkmlpt/content/\d+/\d+/|gkml/(?:[\w-]+/)*)m?post_\d+\.html?(?:\?|$)"
_SID = re.compile(r"""\bSID\s*:\s*['"]?(\w+)['"]?""")
_CONFIG = re.compile(r"window\._CONFIG\s*=\s*\{")


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    parent: str
    #: A category that only sends readers elsewhere (jump_url) lists nothing of the platform.
    jump_url: str = ""
    path: tuple[str, ...] = ()  # names from the root down to this one


@dataclass
class Config:
    sid: str | None
    tree: list[Category] = field(default_factory=list)


@dataclass
class ApiPage(jpaas.ApiPage):
    """A page of the platform's listing API, as jpaas's, with each row's own metadata."""

    #: Per URL: the row's own metadata (索引号, 文号, publisher, whether expired or abolished).
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)


def api_url(origin: str, sid: str, category: str, page: int) -> str:
    return f"{origin}/gkmlpt/api/all/{category}?{urlencode({'page': page, 'sid': sid})}"


def _value(text: str, key: str) -> Any:
    """The JSON value written after `key:` in a script (a literal the page embeds), or None."""
    found = re.search(rf"\b{key}\s*:\s*", text)
    if found is None:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text, found.end())
    except ValueError:
        return None
    return value


def _categories(nodes: Any, parent: str = "0", path: tuple[str, ...] = ()) -> list[Category]:
    found: list[Category] = []
    if not isinstance(nodes, list):
        return found
    for node in nodes:
        if not isinstance(node, dict) or "id" not in node:
            continue
        name = str(node.get("name") or "").strip()
        here = (*path, name)
        found.append(
            Category(
                str(node["id"]),
                name,
                str(node.get("parent") or parent),
                str(node.get("jump_url") or "").strip(),
                here,
            )
        )
        found += _categories(node.get("children"), str(node["id"]), here)
    return found


def parse_config(text: str) -> Config:
    """SID and category tree of a gkmlpt page (`window._CONFIG`); empty when there is none."""
    start = _CONFIG.search(text)
    if start is None:
        return Config(None)
    script = text[start.start() :]
    sid = _SID.search(script)
    return Config(sid.group(1) if sid else None, _categories(_value(script, "TREE")))


def is_gkmlpt(text: str) -> bool:
    return _CONFIG.search(text) is not None and "TREE" in text and "SID" in text


def _date(row: dict[str, Any]) -> str | None:
    value = row.get("date") or row.get("display_publish_time") or row.get("created_at")
    if isinstance(value, (int, float)) and value > 0:
        return dt.datetime.fromtimestamp(value, CHINA).date().isoformat()
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def post_path(post_id: int) -> str:
    """The platform's page of a post: /gkmlpt/content/{id//1e6}/{id//1e3}/post_{id}.html."""
    return f"/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html"


def _row_url(row: dict[str, Any], base_url: str, regex: re.Pattern[str]) -> str | None:
    """A row's page on the platform: the first of its addresses that is one (`url`, `post_url`,
    `gkml_url`), else the one its id names — rows may point at the site's own copy of the post
    (`/xxgk/…/content/post_{id}.html`), which is another template; None for a row that is no
    post (an external link without an id)."""
    for key in ("url", "post_url", "gkml_url"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            link = urljoin(base_url, value.strip())
            if is_article(link, regex):
                return link
    post_id = row.get("id")
    if isinstance(post_id, int) and not isinstance(post_id, bool) and post_id > 0:
        link = urljoin(base_url, post_path(post_id))
        return link if is_article(link, regex) else None
    return None


def parse_api(body: bytes | str, url: str, pattern: str | re.Pattern[str] | None = None) -> ApiPage:
    """One page of `/gkmlpt/api/all/{cat}`: its rows as entries and the category's post count."""
    regex = compile_pattern(pattern or ARTICLE_PATTERN)
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise ListingFormatError(f"gkmlpt listing at {url} is not JSON: {error}") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("articles"), list):
        raise ListingFormatError(f"gkmlpt listing at {url} has no articles: {str(answer)[:200]}")
    classify = answer.get("classify") if isinstance(answer.get("classify"), dict) else {}
    total = classify.get("post_count") if classify else None
    entries: list[ListingEntry] = []
    rows: dict[str, dict[str, Any]] = {}
    skipped = 0
    for row in answer["articles"]:
        link = _row_url(row, url, regex) if isinstance(row, dict) else None
        if link is None:
            skipped += 1
            continue
        entries.append(ListingEntry(link, str(row.get("title") or "").strip() or None, _date(row)))
        rows[link] = row
    unmatched = skipped if not entries else 0
    return ApiPage(entries, int(total) if isinstance(total, (int, str)) and str(total).isdigit()
                   else None, skipped, unmatched, rows)  # fmt: skip


def post_record(text: str) -> dict[str, Any] | None:
    """The post record an article page embeds (`DETAIL: {…}` in `window._CONFIG`), or None."""
    start = _CONFIG.search(text)
    if start is None:
        return None
    detail = _value(text[start.start() :], "DETAIL")
    return detail if isinstance(detail, dict) else None


def post_fields(detail: dict[str, Any]) -> dict[str, Any]:
    """The document fields the portal's own post record states (only those it states)."""
    raw = detail.get("gkml_data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    fields: dict[str, Any] = {}
    for key, value in (
        ("title", detail.get("title") or data.get("title")),
        ("index_no", data.get("identifier")),
        ("doc_no", data.get("document_number")),
        ("publisher", data.get("publisher")),
        ("url", detail.get("gkml_url")),
    ):
        if isinstance(value, str) and value.strip():
            fields[key] = value.strip()
    published = detail.get("publish_time") or detail.get("first_publish_time")
    if isinstance(published, int) and published > 0:
        fields["published_at"] = dt.datetime.fromtimestamp(published, CHINA).isoformat()
    return fields
