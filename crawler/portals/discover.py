"""`govwatch portals add URL`: a profile from the page a user pastes — a column's page, an
article, or the portal's home page.

Recognition is pure (`recognise(text, url)`: what kind of page, which family, and what its
profile needs, read off the page and its URL). An article names its column (in its URL or its
breadcrumb) and a home page links its disclosure columns: both are leads, which the edges
(`crawler.portals.onboard`) fetch and recognise in turn. When the family or a field cannot be
told, the result says what was seen and which field to fill.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract.text import normalize
from crawler.listings import generic, gkmlpt, hanweb
from crawler.listings.links import ANY_ARTICLE, ARTICLE_PATTERNS, parse_tree, text_of

#: Words naming the columns this monitor is for (replies to deputies and CPPCC members).
REPLY_WORDS = ("建议提案", "人大代表建议", "政协委员提案", "政协提案", "代表建议", "委员提案",
               "人大建议", "建议办理", "提案办理", "建议答复", "提案答复")  # fmt: skip
#: Words naming a portal's disclosure columns on its home page (docs/DOMAIN.md §3).
DISCLOSURE_WORDS = ("政府信息公开", "信息公开目录", "法定主动公开", "政务公开", "信息公开",
                    "公开目录")  # fmt: skip
#: Disclosure columns that hold no documents to watch: the guide, rules, yearly reports, forms.
_ASIDE_WORDS = ("指南", "制度", "年报", "年度报告", "依申请", "申请表")
#: Column names are short; a longer link text is a document's title.
_NAME_MAX = 16
USER_AGENT = "Mozilla/5.0 (compatible; govwatch; +https://github.com/govwatch/govwatch)"
_META = re.compile(
    r"""<meta\s+[^>]*name\s*=\s*["']?(\w+)["']?[^>]*content\s*=\s*["']([^"']*)["']""", re.I
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_JPAAS_KEY = r"""["']?{key}["']?\s*:\s*["']([^"']+)["']"""
_HANWEB_COLUMN = re.compile(r"/col/col(\d+)/")
_HANWEB_MARKS = re.compile(r"dataproxy\.jsp|<datastore>|\.jpage\(|jpage/jquery", re.I)
_TRS_MARKS = re.compile(r"createPageHTML\s*\(|/t\d{8}_\d+\.s?html?", re.I)
_SEPARATORS = re.compile(r"\s*[-_|｜—–－·]+\s*|\s{2,}|\u3000+")
# Articles by their URL, per family (docs/DOMAIN.md §1): the column is in the URL.
_HANWEB_ART = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.html?$")
_JPAAS_ART = re.compile(r"/col/col(\d+)/art/\d{4}/art_[0-9a-f]{32}\.html?$")
_TRS_ART = re.compile(r"^/?(.*?)/(?:\d{6}/)?t\d{8}_\d+(?:_[a-z]+)?\.s?html?$")
_GKMLPT_ART = re.compile(ARTICLE_PATTERNS["gkmlpt"])
# Articles of sites of no known family: an id for a file name (digits, hex, a UUID), a dated
# directory, or a script showing one record (`show`, `view`, `detail` with an id).
_OTHER_ART = re.compile(
    r"/\d{3,}\.\w+$|/[0-9a-f-]{16,}\.\w+$|/c\d{3,}/content\.\w+$|/(?:19|20)\d{2}-?\d{2}(?:-?\d{2})?/[^/]+$"
    r"|(?:show|view|detail|content)\w*[-_./?][^/]*\d{3,}[^/]*$",
    re.I,
)
_ANY_ART = re.compile(ANY_ARTICLE)
# Directories under a column that hold its articles: dates, `content`, jpaas's `art/<year>`.
_ARTICLE_DIRS = re.compile(
    r"(?:/(?:(?:19|20)\d{2}(?:-?\d{2}){0,2}|\d{2}-\d{2}|content|art|show|detail|view))+$", re.I
)
# A column's page: a directory, its index, a Hanweb column, gkmlpt's catalogue (docs/DOMAIN.md §1).
_COLUMN_SHAPE = re.compile(
    r"(?:/col/col\d+/(?:index\.html?)?|/gkmlpt/(?:index(?:\.html)?)?|/|"
    r"/(?:index|default|list)(?:_\d+)?\.(?:s?html?|jsp|php|aspx?|jhtml))$",
    re.I,
)
_HOME = re.compile(r"^/?(?:(?:index|default|home|main)\.(?:s?html?|jsp|php|aspx?|jhtml))?$", re.I)
_INDEX = re.compile(r"(?:index|default)\.\w+$", re.I)
# A breadcrumb: its container's class or id, or the words it starts with.
_CRUMB_CLASS = re.compile(r"crumb|position|location|weizhi|dqwz|curpos|lujing|path", re.I)
_CRUMB_WORDS = re.compile(r"^\s*(?:您?当前(?:的)?位置|您的位置|您现在的位置|所在位置|当前栏目)")


@dataclass(frozen=True)
class Lead:
    """A column a page points to: its URL, its name as linked, whether it holds replies."""

    url: str
    name: str
    reply: bool = False
    #: 0 replies, 1 disclosure catalogues and columns, 2 guides, rules and yearly reports.
    rank: int = 1


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
    #: `column` (a listing), `article` or `home`.
    kind: str = "column"
    #: Column pages to read next: an article's column, a home page's disclosure columns.
    leads: list[Lead] = field(default_factory=list)
    #: Disclosure columns seen but not proposed (shown, for the user to add).
    others: list[Lead] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.family and self.columns and not self.missing)

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


def _site_name(text: str, home: bool = False) -> str:
    """The SiteName tag (without the "中国," some templates put first), else the title's last
    part (a home page's whole title)."""
    name = metas(text).get("sitename", "")
    if name:
        return re.sub(r"^中国\s*[,，、]\s*", "", name)
    parts = _title_parts(text)
    return parts[-1] if len(parts) > 1 or (home and parts) else ""


def _column_name(text: str, site: str) -> str:
    """A column page's name: the ColumnName tag, else its title without the site's name."""
    meta = metas(text)
    if meta.get("columnname"):
        return meta["columnname"]
    rest = [p for p in _title_parts(text) if not site or (p not in site and site not in p)]
    return rest[0] if rest else ""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def suggest_name(url: str) -> str:
    """A portal name from the host: jxj.hangzhou.gov.cn → hangzhou-jxj; an address by its
    port: 127.0.0.1:8401 → replica-8401 (loopback is the replica), 10.0.0.5 → portal-10-0-0-5."""
    parts = urlsplit(url)
    host = (parts.hostname or "portal").lower()
    if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host) and any(c.isdigit() for c in host):
        loopback = host.startswith("127.") or host == "::1"
        port = f"-{parts.port}" if parts.port else ""
        dashed = re.sub(r"[^0-9a-f]+", "-", host).strip("-")
        return f"replica{port}" if loopback and port else f"portal-{dashed}{port}"
    labels = [p for p in host.split(".") if p not in ("www", "gov", "cn", "com", "org", "net")]
    labels = [p for p in labels if not p.isdigit()] or ["portal"]
    name = "-".join(reversed(labels[:2])) if len(labels) > 1 else labels[0]
    name = re.sub(r"[^a-z0-9-]+", "-", name).strip("-")
    return name if len(name) >= 2 else f"portal-{name}"


# What kind of page: a home page, an article, or (anything else) a column's page.


def is_home(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.query and bool(_HOME.match(parts.path))


def is_article(url: str, text: str = "") -> bool:
    """An article by its URL (a family's article URL, or an id for a file name), or by the
    ArticleTitle tag the government website specification asks of articles (docs/DOMAIN.md §2.1)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if _ANY_ART.search(path) or _OTHER_ART.search(path):
        return True
    return bool(text and metas(text).get("articletitle"))


def _column_key(url: str) -> str:
    """One key for a column's directory and its index page."""
    return _INDEX.sub("", url.split("#", 1)[0])


def column_leads(root: etree._Element, url: str) -> list[Lead]:
    """The disclosure columns a page links on its own site: replies first, then catalogues and
    columns, then guides and yearly reports (each once, in the page's order within a rank)."""
    host = urlsplit(url).netloc
    found: dict[str, Lead] = {}
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urljoin(url, html.unescape(href))
        parts = urlsplit(target)
        if parts.netloc != host or is_article(target) or not _COLUMN_SHAPE.search(parts.path):
            continue
        name = text_of(link) or (link.get("title") or "").strip()
        folded = normalize(name)
        catalogue = "/gkmlpt/" in parts.path
        if (not folded or len(folded) > _NAME_MAX) and not catalogue:
            continue
        reply = any(word in folded for word in REPLY_WORDS)
        if not (reply or catalogue or any(word in folded for word in DISCLOSURE_WORDS)):
            continue
        rank = 0 if reply else 2 if any(word in folded for word in _ASIDE_WORDS) else 1
        key = _column_key(target)
        if key not in found or rank < found[key].rank:
            found[key] = Lead(target, name, reply, rank)
    return sorted(found.values(), key=lambda lead: lead.rank)


def breadcrumb(root: etree._Element, url: str) -> list[tuple[str, str]]:
    """The links of the page's breadcrumb (当前位置：首页 > … > the column), in order."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body", "a"):
            continue
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not (_CRUMB_CLASS.search(marks) or _CRUMB_WORDS.match(element.text or "")):
            continue
        links = [(urljoin(url, html.unescape(a.get("href") or "")), text_of(a))
                 for a in element.iter("a") if (a.get("href") or "").strip()]  # fmt: skip
        links = [(u, n) for u, n in links if u.startswith("http") and n]
        if links and len(links) <= 8:
            return links
    return []


def _crumb_column(root: etree._Element, url: str) -> tuple[str, str] | None:
    """The article's column from its breadcrumb: the last link that is neither the home page
    nor the article itself."""
    host = urlsplit(url).netloc
    for target, name in reversed(breadcrumb(root, url)):
        if urlsplit(target).netloc != host or is_home(target) or is_article(target):
            continue
        if _column_key(target) != _column_key(url):
            return target, name
    return None


# The families, from a column's page.


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
        name = _column_name(text, found.site_name) or column.group(1)
        found.columns = [{"id": column.group(1), "name": name}]
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
        name = _column_name(text, found.site_name) or section
        found.columns = [{"id": section.rsplit("/", 1)[-1], "name": name, "path": section}]
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


def _generic(text: str, url: str, root: etree._Element) -> Discovery:
    found = Discovery("generic", origin_of(url), _site_name(text))
    pattern = generic.learn_pattern(root, url)
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
    name = _column_name(text, found.site_name) or path or "listing"
    found.columns = [{"id": re.sub(r"[^\w-]+", "-", path.strip("/")).strip("-") or "index",
                      "name": name, "path": path}]  # fmt: skip
    return found


# Articles and home pages: what they point to.


def _url_column(url: str) -> tuple[str, str, str, str] | None:
    """(family, column id, section path, the column's URL) an article's own URL names."""
    origin, path = origin_of(url), urlsplit(url).path
    if found := _JPAAS_ART.search(path):
        return "jpaas", found[1], "", f"{origin}/col/col{found[1]}/index.html"
    if found := _HANWEB_ART.search(path):
        return "hanweb", found[1], "", f"{origin}/col/col{found[1]}/index.html"
    if (found := _TRS_ART.match(path)) and found[1]:
        section = found[1].strip("/")
        return "trs", section.rsplit("/", 1)[-1], section, f"{origin}/{section}/"
    if _GKMLPT_ART.search(path):
        return "gkmlpt", "", "", f"{origin}/gkmlpt/index"
    return None


def _article(text: str, url: str, root: etree._Element) -> Discovery:
    """An article: the family from its own URL, its column from the URL, else the breadcrumb,
    else the article's directory — never the article itself — to be read from the column's page."""
    named = _url_column(url)
    crumb = _crumb_column(root, url)
    found = Discovery(None, origin_of(url), _site_name(text), kind="article")
    if named:
        family, column, section, target = named
        how = "its URL"
    else:
        family = marks_family(text, root) or ""
        if crumb:
            target, how = crumb[0], "its breadcrumb"
        else:
            directory = _ARTICLE_DIRS.sub("", urlsplit(url).path.rsplit("/", 1)[0])
            target = f"{origin_of(url)}{directory}/" if directory else ""
            how = "its directory"
        section = _INDEX.sub("", urlsplit(target).path).strip("/")
        column = section.rsplit("/", 1)[-1]
    found.family = family or None
    if not target:
        found.seen.append("an article whose URL and breadcrumb name no column")
        found.missing.append(("columns", "paste the column's page (the list it is in)"))
        return found
    crumbs = {_column_key(u): n for u, n in breadcrumb(root, url)}
    name = metas(text).get("columnname") or crumbs.get(_column_key(target), "")
    found.seen.append(f"an article; its column {name or '(unnamed)'} at {target}, from {how}")
    found.leads = [Lead(target, name, any(w in normalize(name) for w in REPLY_WORDS))]
    if family == "trs" and section:
        found.seen.append(f"TRS WCM, from {'its URL' if named else 'its marks'}")
        found.columns = [{"id": column, "name": name or column, "path": section}]
    elif family in ("hanweb", "jpaas") and named:
        found.seen.append(
            f"an art_ article URL (Hanweb {'jpaas' if family == 'jpaas' else 'JCMS'})"
        )
        found.columns = [{"id": column, "name": name or column}]
        found.missing.append((f"{family} parameters", f"read off the column's page {target}"))
    elif family != "gkmlpt":
        found.missing.append(("columns", f"read the column's page {target}, or paste it"))
    return found


def _home(text: str, url: str, leads: list[Lead]) -> Discovery:
    found = Discovery(None, origin_of(url), _site_name(text, home=True), kind="home")
    found.leads = leads
    replies = sum(lead.reply for lead in leads)
    found.seen.append(f"a home page linking {len(leads)} disclosure columns ({replies} of replies)")
    return found


def recognise(text: str, url: str) -> Discovery:
    """The kind and family of the page at `url` and what its profile needs, read off its text."""
    host = urlsplit(url).hostname or ""
    if gkmlpt.is_gkmlpt(text):
        return _gkmlpt(text, url)
    if host in ("www.gov.cn", "gov.cn") or metas(text).get("sitedomain") == "www.gov.cn":
        return _govcn(text, url)
    root = parse_tree(text)
    if is_home(url) and (leads := column_leads(root, url)):
        return _home(text, url, leads)
    if is_article(url, text):
        return _article(text, url, root)
    family = marks_family(text, root)
    if family == "jpaas":
        return _jpaas(text, url)
    if family == "hanweb":
        return _hanweb(text, url)
    if family == "trs":
        return _trs(text, url)
    return _generic(text, url, root)


def marks_family(text: str, root: etree._Element) -> str | None:
    """The family a page's own marks show: jpaas's queryData, Hanweb's jpage and dataproxy,
    TRS's createPageHTML or links to t<YYYYMMDD>_<id> articles (docs/DOMAIN.md §1)."""
    if re.search(r"queryData", text) and "tplSetId" in text:
        return "jpaas"
    if _HANWEB_MARKS.search(text):
        return "hanweb"
    scripts = " ".join(s.text or "" for s in root.iter("script"))
    links = "\n".join(a.get("href") or "" for a in root.iter("a"))
    if _TRS_MARKS.search(scripts) or re.search(ARTICLE_PATTERNS["trs"], links, re.M):
        return "trs"
    return None
