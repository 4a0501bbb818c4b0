"""Standard meta tags (国办发〔2017〕47号), the page title, and attachment links."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

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
        # Attributes read by name: a mangled page may carry unreadable others.
        name = (el.get("name") or el.get("property") or "").strip().lower()
        standard = _STANDARD.get(name)
        value = clean(el.get("content"))
        if standard and value and standard not in found:
            found[standard] = value
    return found


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


# Links that name a file but are not the document's attachments: the gazette issue that printed
# it (公报PDF), a print or "PDF version" button.
_NOT_ATTACHMENT = re.compile(r"公报|^(?:打印|打印本页|PDF|pdf|PDF版|WORD版|Word版|下载)$")
# Attachment links that a template writes with a script (`var file='<a href="…">附件</a>'`).
_SCRIPT_LINK = re.compile(
    r"<a\s[^<>]*?href\s*=\s*[\\]?[\"'](?P<href>[^\"'<>]+)[\\]?[\"'][^<>]*>(?P<name>[^<>]{1,200})</a>",
    re.IGNORECASE,
)


def _links(scopes: list[etree._Element]) -> list[tuple[str, str | None]]:
    """(href, visible name) of the links in `scopes`, in page order, those written by inline
    scripts too. A link without visible text (a download icon with only a `title`) names
    nothing a reader sees; it is left out.

    A plain walk over `<a>` and `<script>`: on every page of a crawl, parsel's wrapper per
    match costs more than the rest of the attachment reading."""
    found: list[tuple[str, str | None]] = []
    for scope in scopes:
        for el in scope.iter("a", "script"):
            if el.tag == "script":
                code = el.text or ""
                if "<a" in code or "<A" in code:
                    found.extend((m["href"], clean(m["name"])) for m in _SCRIPT_LINK.finditer(code))
                continue
            href = el.get("href")
            if href and _MAYBE.search(href):
                found.append((href, clean(text_content(el))))
    return found


def find_attachments(
    page: Selector, base_url: str, within: list[etree._Element] | None = None
) -> list[Attachment]:
    """Every attachment link on the page (or `within` the elements a profile names) with a
    visible name, once, in page order."""
    base = page.root.find(".//base")
    if base is not None and base.get("href"):
        base_url = urljoin(base_url, base.get("href") or "")
    seen: set[str] = set()
    found: list[Attachment] = []
    for href, name in _links(within or [page.root]):
        if not name or _NOT_ATTACHMENT.search(name):
            continue
        attachment = attachment_for(href, base_url, name)
        if attachment and attachment.url not in seen:
            seen.add(attachment.url)
            found.append(attachment)
    return found
