"""Standard meta tags (国办发〔2017〕47号), the page title, and attachment links."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree

from crawler.extract.page import text_content
from crawler.extract.text import clean
from crawler.items import Attachment

# Meta names as the specification spells them; matched case-insensitively.
STANDARD_META = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
    "ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description",
    "Url", "Image", "firstpublishedtime", "lastmodifiedtime",
)  # fmt: skip
_STANDARD = {name.lower(): name for name in STANDARD_META}


def read_meta(root: etree._Element) -> dict[str, str]:
    """Standard meta tags with a non-empty value, by their standard names (first one wins)."""
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        standard = _STANDARD.get(name)
        value = clean(el.get("content"))
        if standard and value and standard not in found:
            found[standard] = value
    return found


_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|——|—|-| - )\s*")
# Class names and ids that templates give the article heading.
_HEADING_NAMES = frozenset(
    ("title", "tit", "bt", "art_title", "art-title", "article-title", "article_title",
     "xxgk_title", "con_title", "detail-title", "content-title", "news_title", "wap-title")
)  # fmt: skip


def page_heading(root: etree._Element, body: etree._Element | None) -> str | None:
    """The visible heading of the article: `<h1>`, else a title-classed block near the body."""
    for el in root.iter("h1"):
        text = clean(text_content(el))
        if text and 4 <= len(text) <= 200:
            return text
    for el in root.iter("h2", "h3", "div", "td", "p", "span"):
        names = (el.get("class") or "").split()
        if el.get("id") not in _HEADING_NAMES and _HEADING_NAMES.isdisjoint(names):
            continue
        if body is not None and body in el.iterancestors():
            continue
        text = clean(text_content(el))
        if text and 6 <= len(text) <= 200:
            return text
    return None


def title_from_head(root: etree._Element, prefixes: list[str]) -> str | None:
    """`<title>` without site and column names (`市经信局关于…_人大代表建议_杭州市…`)."""
    el = root.find(".//title")
    text = clean(text_content(el)) if el is not None else None
    if not text:
        return None
    for prefix in prefixes:
        if prefix and text != prefix:
            text = text.replace(prefix, " ")
    parts = [part for part in _TITLE_SPLIT.split(text) if part and part.strip()]
    if not parts:
        return None
    return clean(max(parts, key=len))


ATTACHMENT_TYPES = frozenset(
    ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "ceb", "zip", "rar", "7z", "ppt",
     "pptx", "txt", "csv")
)  # fmt: skip
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{2,5})$")
# A cheap first look at an href, so that only likely attachments are resolved and parsed.
_MAYBE = re.compile(
    r"\.(?:" + "|".join(sorted(ATTACHMENT_TYPES)) + r")(?:$|[?#&/])|[?&;](?:file)?name=",
    re.IGNORECASE,
)
_NAME_PARAMS = frozenset(("filename", "name", "fname", "file"))


def _extension(name: str) -> str | None:
    match = _EXTENSION.search(name.strip())
    if match and match.group(1).lower() in ATTACHMENT_TYPES:
        return match.group(1).lower()
    return None


def attachment_for(href: str, base_url: str, link_text: str | None) -> Attachment | None:
    """An attachment when the link points at a document file (by path, or by `fileName=`)."""
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
        return None
    try:
        absolute = urljoin(base_url, href)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    path_name = unquote(parts.path.rsplit("/", 1)[-1])
    kind = _extension(path_name)
    param_name: str | None = None
    if kind is None:
        for key, value in parse_qsl(parts.query, keep_blank_values=False):
            if key.lower() in _NAME_PARAMS:
                kind = _extension(value)
                if kind:
                    param_name = value.rsplit("/", 1)[-1]
                    break
    if kind is None:
        return None
    name = clean(link_text) or param_name or path_name or None
    return Attachment(url=absolute, name=name, type=kind)


def find_attachments(root: etree._Element, base_url: str) -> list[Attachment]:
    """Every attachment link on the page, once, in page order."""
    base = root.find(".//base")
    if base is not None and base.get("href"):
        base_url = urljoin(base_url, base.get("href") or "")
    seen: set[str] = set()
    found: list[Attachment] = []
    for link in root.iter("a"):
        href = link.get("href")
        if not href or not _MAYBE.search(href):
            continue
        name = clean(text_content(link)) or clean(link.get("title"))
        attachment = attachment_for(href, base_url, name)
        if attachment and attachment.url not in seen:
            seen.add(attachment.url)
            found.append(attachment)
    return found
