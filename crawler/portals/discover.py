"""`govwatch portals add URL`: a profile from the page a user pastes.

Recognition is pure (`recognise(text, url)`: which family, and what its profile needs, read off
the page); fetching, proving (one listing page read) and writing the file stay at the edges
(`run_portals_add`). When the family or a field cannot be told, the result says what was seen and
which field to fill.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.decode import decode_html
from crawler.listings import generic, gkmlpt, govcn, hanweb, jpaas, trs
from crawler.listings.links import ARTICLE_PATTERNS, parse_tree
from crawler.portals.profiles import Profile

#: Words naming the columns this monitor is for (replies to deputies and CPPCC members).
REPLY_WORDS = ("建议提案", "人大代表建议", "政协委员提案", "政协提案", "代表建议", "委员提案")
USER_AGENT = "Mozilla/5.0 (compatible; govwatch; +https://github.com/govwatch/govwatch)"
_META = re.compile(
    r"""<meta\s+[^>]*name\s*=\s*["']?(\w+)["']?[^>]*content\s*=\s*["']([^"']*)["']""", re.I
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_JPAAS_KEY = r"""["']?{key}["']?\s*:\s*["']([^"']+)["']"""
_HANWEB_COLUMN = re.compile(r"/col/col(\d+)/")
_HANWEB_MARKS = re.compile(r"dataproxy\.jsp|<datastore>|\.jpage\(|jpage/jquery", re.I)
_TRS_MARKS = re.compile(r"createPageHTML\s*\(|/t\d{8}_\d+\.s?html?", re.I)
_SEPARATORS = re.compile(r"\s*[-_|｜—–]\s*")


@dataclass
class Discovery:
    """What a page says about its portal: a family, the profile's fields, and what is missing."""

    family: str | None
    origin: str
    site_name: str = ""
    columns: list[dict[str, str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    #: What the page showed that decided (or failed to decide) the family.
    seen: list[str] = field(default_factory=list)
    #: Fields that could not be read: (field, how to fill it).
    missing: list[tuple[str, str]] = field(default_factory=list)

    def profile_data(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = {"name": name, "family": self.family, "origin": self.origin}
        if self.origins:
            data["origins"] = dict(self.origins)
        if self.site_name:
            data["site_name"] = self.site_name
        if self.params and self.family:
            data[self.family] = dict(self.params)
        data["columns"] = [dict(c) for c in self.columns]
        return data


def metas(text: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value).strip() for name, value in _META.findall(text)}


def _title_parts(text: str) -> list[str]:
    found = _TITLE.search(text)
    title = html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""
    return [part for part in _SEPARATORS.split(title) if part]


def _site_name(text: str) -> str:
    meta = metas(text)
    if meta.get("sitename"):
        return meta["sitename"]
    parts = _title_parts(text)
    return parts[-1] if len(parts) > 1 else ""


def _column_name(text: str) -> str:
    meta = metas(text)
    if meta.get("columnname"):
        return meta["columnname"]
    parts = _title_parts(text)
    return parts[0] if parts else ""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def suggest_name(url: str) -> str:
    """A portal name from the host: jxj.hangzhou.gov.cn → hangzhou-jxj."""
    host = (urlsplit(url).hostname or "portal").lower()
    labels = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "org", "net")]
    labels = [p for p in labels if not p.isdigit()] or ["portal"]
    name = "-".join(reversed(labels[:2])) if len(labels) > 1 else labels[0]
    name = re.sub(r"[^a-z0-9-]+", "-", name).strip("-")
    return name if len(name) >= 2 else f"portal-{name}"


def _gkmlpt(text: str, url: str) -> Discovery:
    config = gkmlpt.parse_config(text)
    found = Discovery("gkmlpt", origin_of(url), _site_name(text))
    found.seen.append("window._CONFIG with SID and TREE (Guangdong's gkmlpt)")
    if config.sid:
        found.params["sid"] = config.sid
    else:
        found.missing.append(("gkmlpt.sid", "the SID in window._CONFIG on /gkmlpt/index"))
    parents = {c.parent for c in config.tree}
    usable = [c for c in config.tree if not c.jump_url and c.id not in parents]
    wanted = [c for c in usable if any(w in "/".join(c.path) for w in REPLY_WORDS)] or usable
    found.columns = [{"id": c.id, "name": c.name} for c in wanted]
    if not found.columns:
        found.missing.append(("columns", "the category ids of TREE to watch"))
    return found


def _jpaas(text: str, url: str) -> Discovery:
    found = Discovery("jpaas", origin_of(url), _site_name(text))
    found.seen.append("queryData with webId and tplSetId (Hanweb jpaas)")
    values = html.unescape(text)
    for key in ("webId", "tplSetId", "tagId"):
        match = re.search(_JPAAS_KEY.format(key=key), values)
        if match:
            found.params[key] = match.group(1)
        elif key != "tagId":
            found.missing.append((f"jpaas.{key}", "read it off the column page's queryData"))
    column = _HANWEB_COLUMN.search(url) or re.search(_JPAAS_KEY.format(key="pageId"), values)
    return _with_column(found, column, text)


def _with_column(found: Discovery, column: re.Match[str] | None, text: str) -> Discovery:
    """The column a Hanweb or jpaas page is found to be (its id, its printed name), or what
    is missing."""
    if column:
        found.columns = [{"id": column.group(1), "name": _column_name(text) or column.group(1)}]
    else:
        found.missing.append(("columns[0].id", "the column id (col<ID> in the column's URL)"))
    return found


def _hanweb(text: str, url: str) -> Discovery:
    found = Discovery("hanweb", origin_of(url), _site_name(text))
    found.seen.append("a jpage/dataproxy column page (Hanweb JCMS)")
    page = hanweb.parse_column_page(text, url)
    for key in ("webid", "unitid"):
        if page.params.get(key):
            found.params[key] = page.params[key]
    if page.proxy:
        found.params["proxy"] = page.proxy
    column = _HANWEB_COLUMN.search(url) or re.search(r"columnid\s*:\s*['\"]?(\d+)", text)
    return _with_column(found, column, text)


def _trs(text: str, url: str) -> Discovery:
    found = Discovery("trs", origin_of(url), _site_name(text))
    found.seen.append("createPageHTML paging or t<YYYYMMDD>_<id> article links (TRS WCM)")
    path = urlsplit(url).path
    section = re.sub(r"/(?:index(?:_\d+)?\.s?html?)?$", "", path).strip("/")
    if section:
        found.columns = [{"id": section.rsplit("/", 1)[-1], "name": _column_name(text) or section,
                          "path": section}]  # fmt: skip
    else:
        found.missing.append(("columns[0].path", "the section's path (paste the column's page)"))
    return found


def _govcn(text: str, url: str) -> Discovery:
    found = Discovery("govcn", origin_of(url), "中国政府网")
    found.seen.append("a www.gov.cn page")
    host = urlsplit(url).hostname or ""
    search = "https://sousuo.www.gov.cn" if host.endswith("gov.cn") else origin_of(url)
    found.origins = {"search": search}
    found.params = {"t": "zhengcelibrary", "page_size": "20", "user_agent": USER_AGENT}
    found.columns = [{"id": "gongwen", "name": "国务院文件"}]
    return found


def _generic(text: str, url: str) -> Discovery:
    found = Discovery("generic", origin_of(url), _site_name(text))
    pattern = generic.learn_pattern(text, url)
    parts = urlsplit(url)
    path = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    if pattern is None:
        found.family = None
        found.seen.append("no family's marks and no list of links with dates")
        found.missing.append(
            ("family", "paste a column's listing page (a list of documents with dates)")
        )
        return found
    # Not written into the profile: the spider learns it again on every crawl, so a rebuilt
    # site's new URLs are followed (a profile's own article_pattern would pin it).
    found.seen.append(
        f"a list of links with dates; article URLs like {pattern} (learnt again on each crawl)"
    )
    name = _column_name(text) or path or "listing"
    found.columns = [{"id": re.sub(r"[^\w-]+", "-", path.strip("/")).strip("-") or "index",
                      "name": name, "path": path}]  # fmt: skip
    return found


def recognise(text: str, url: str) -> Discovery:
    """The family of the page at `url` and what its profile needs, read off its text."""
    host = urlsplit(url).hostname or ""
    if gkmlpt.is_gkmlpt(text):
        return _gkmlpt(text, url)
    if re.search(r"queryData", text) and "tplSetId" in text:
        return _jpaas(text, url)
    if _HANWEB_MARKS.search(text):
        return _hanweb(text, url)
    if host in ("www.gov.cn", "gov.cn") or metas(text).get("sitedomain") == "www.gov.cn":
        return _govcn(text, url)
    root = parse_tree(text)
    scripts = " ".join(s.text or "" for s in root.iter("script"))
    links = " ".join(a.get("href") or "" for a in root.iter("a"))
    if _TRS_MARKS.search(scripts) or re.search(
        ARTICLE_PATTERNS["trs"], links.replace(" ", "\n"), re.M
    ):
        return _trs(text, url)
    return _generic(text, url)


# The edges: fetching, proving, writing.

Fetch = Callable[[str, dict[str, str] | None, bytes | None], tuple[bytes, str | None]]


def fetch(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[bytes, str | None]:
    """A page's bytes and its declared charset (browser-like, as portals want)."""
    request = urllib.request.Request(
        url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        return answer.read(), answer.headers.get_content_charset()


def prove(profile: Profile, get: Fetch = fetch) -> list[str]:
    """Read one listing page of each column: a line per column (raises ValueError when no
    column lists anything)."""
    lines = []
    empty = 0
    for column in profile.columns:
        pattern, selector = profile.listing_overrides(column.id)
        family = profile.family
        if family == "gkmlpt":
            url = gkmlpt.api_url(profile.origin, profile.params["sid"], column.id, 1)
            entries = gkmlpt.parse_api(get(url, None, None)[0], url).entries
        elif family == "jpaas":
            url = jpaas.api_url(profile.origin, profile.params, column.id, 1, 15)
            entries = jpaas.parse_api(get(url, None, None)[0], url, pattern, selector).entries
        elif family == "hanweb":
            url = f"{profile.origin}/col/col{column.id}/index.html"
            body, charset = get(url, None, None)
            text = decode_html(body, charset).text
            entries = hanweb.parse_column_page(text, url, pattern, selector).entries
        elif family == "trs":
            url = trs.page_url(f"{profile.origin}/{column.path}/", 0)
            body, charset = get(url, None, None)
            entries = trs.parse_index(
                body, url, charset, pattern=pattern, list_selector=selector
            ).entries
        elif family == "govcn":
            url = govcn.search_url(profile.origin_for("search"), profile.params, 1, 20)
            headers = {"Referer": f"{profile.origin}/zhengce/zhengceku/"}
            entries = govcn.parse_search(get(url, headers, None)[0], url).entries
        else:
            url = f"{profile.origin}/{column.path}"
            body, charset = get(url, None, None)
            entries = generic.parse_listing(
                body, url, charset, pattern=pattern, list_selector=selector
            ).entries
        if not entries:
            empty += 1
            lines.append(f"  {column.name} ({column.id}): lists no documents at {url} "
                         "(kept; remove the column if it is not one to watch)")  # fmt: skip
            continue
        first = entries[0]
        lines.append(f"  {column.name} ({column.id}): {len(entries)} documents on its first page, "
                     f"e.g. {first.title or first.url} ({first.date or 'no date'})")  # fmt: skip
    if empty == len(profile.columns):
        raise ValueError("no column lists any document:\n" + "\n".join(lines))
    return lines
