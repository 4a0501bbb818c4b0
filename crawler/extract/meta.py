"""Standard meta tags (国办发〔2017〕47号), the page title, and attachment links.

Attachments are links to document files (by the path, a name parameter or a path parameter of
the link) anywhere the page prints them for the document — in the text, in a download block
after it, in links written by an inline script — but not in the site's chrome (header, menus,
footer, sidebars). Each is named as a reader sees it: the link's text; for a download button
(`点击下载此文件`, `[下载]`) or an icon, the name printed beside it on the same line or in the
same table row; for a button with no name beside it, the file's own name; an icon alone names
nothing and counts not.
"""

from __future__ import annotations

import json
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
        if standard is None or standard in found:
            continue
        value = clean(el.get("content"))
        if value:
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
_NAME_PARAMS = frozenset(("filename", "name", "fname", "file", "title", "filetitle"))
# A path to a file inside a script link (`javascript:download('/upload/a.pdf')`).
_SCRIPT_PATH = re.compile(
    r"""["'](?P<path>[^"'\s]+\.(?:""" + "|".join(sorted(ATTACHMENT_TYPES)) + r"""))["']""",
    re.IGNORECASE,
)


def _extension(name: str) -> str | None:
    match = _EXTENSION.search(name.strip())
    if match and match.group(1).lower() in ATTACHMENT_TYPES:
        return match.group(1).lower()
    return None


def _query_file(query: str) -> tuple[str | None, str | None]:
    """(the file's type, its name) from a download link's query: a name parameter
    (`fileName=通知.pdf`), else any value that is a path to a file (`fileUrl=/cms_files/….doc`)."""
    kind = name = None
    for key, value in parse_qsl(query, keep_blank_values=False):
        found = _extension(value)
        if found is None:
            continue
        if key.lower() in _NAME_PARAMS:
            return found, value.rsplit("/", 1)[-1]
        if kind is None:
            kind, name = found, value.rsplit("/", 1)[-1]
    return kind, name


def attachment_for(href: str, base_url: str, link_text: str | None) -> Attachment | None:
    """An attachment when the link points at a document file: by its path, by a name
    parameter (`fileName=`), or by a parameter that is a file's path (`fileUrl=…/a.doc`).
    Without visible text, the file's name as the link gives it."""
    href = href.strip()
    if href.lower().startswith("javascript:"):
        found = _SCRIPT_PATH.search(href)
        if found is None:
            return None
        href = found["path"]
    if not href or href.startswith(("mailto:", "#", "tel:")):
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
        kind, param_name = _query_file(parts.query)
    elif parts.query:
        # A name parameter names the file better than a stored hash (`…/a1b2.pdf?fileName=…`).
        named, param_name = _query_file(parts.query)
        param_name = param_name if named == kind else None
    if kind is None:
        return None
    name = clean(link_text) or param_name or path_name or None
    return Attachment(url=absolute, name=name, type=kind)


# Links that name a file but are not the document's attachments: the gazette issue that printed
# it (公报PDF), a print or "PDF version" button.
_NOT_ATTACHMENT = re.compile(r"公报|^(?:打印|打印本页|PDF|pdf|PDF版|WORD版|Word版)$")
# Link texts that name no file: a download button or a "click here". The file's name is then
# the text beside the link, or the name the link itself gives.
_GENERIC = re.compile(
    r"^[\[【(（]?(?:点击|请点击|单击)?(?:此处|这里)?(?:下载|查看|预览|打开|阅览|浏览)?"
    r"(?:此|该|本)?(?:文件|附件|文档|原文|全文|原件)?(?:下载|查看|预览)?[\]】)）]?$"
)
# Attachment links that a template writes with a script (`var file='<a href="…">附件</a>'`),
# quotes and slashes escaped or not, icons inside the link or not.
_SCRIPT_LINK = re.compile(
    r"<a\s[^<>]*?href\s*=\s*\\?[\"'](?P<href>[^\"'<>]+?)\\?[\"'][^<>]*>"
    r"(?P<name>(?:[^<]|<(?!\\?/?a[\s>])[^<>]*>){1,400}?)<\\?/a\s*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^<>]*>")
# Attachment records a template's script renders into links (`"attachment":[{"name":"…",
# "url":"…/a.pdf"}]`): an object with a file's address and a name.
_SCRIPT_FILE = re.compile(r"\.(?:" + "|".join(sorted(ATTACHMENT_TYPES)) + r")[\"']", re.IGNORECASE)
_RECORD = re.compile(r"\{[^{}]{0,800}\}")
_RECORD_URL = re.compile(
    r"[\"'](?:url|path|link|href|file_?url|file_?path|download_?url|src)[\"']\s*:\s*"
    r"[\"'](?P<v>[^\"']+\.(?:" + "|".join(sorted(ATTACHMENT_TYPES)) + r"))[\"']",
    re.IGNORECASE,
)
_RECORD_NAME = re.compile(
    r"[\"'](?:name|title|file_?name|file_?title|display_?name)[\"']\s*:\s*[\"'](?P<v>[^\"']{1,200})[\"']",
    re.IGNORECASE,
)


def _unescape(value: str) -> str:
    """A JavaScript string's text (`\\/` and `\\uXXXX` escapes)."""
    if "\\" not in value:
        return value
    try:
        return str(json.loads(f'"{value}"'))
    except ValueError:
        return value.replace("\\/", "/")


def _script_records(code: str) -> list[tuple[str, str | None]]:
    """(href, name) of the attachment records in a script's data."""
    found: list[tuple[str, str | None]] = []
    for record in _RECORD.finditer(code):
        text = record.group(0)
        url = _RECORD_URL.search(text)
        if url is None:
            continue
        name = _RECORD_NAME.search(text)
        shown = clean(_unescape(name["v"])) if name else None
        found.append((_unescape(url["v"]), shown))
    return found


# Site chrome: a link to a file in a menu, a header, a footer or a sidebar is the site's, not
# the document's (a guide to the portal, an app to download). Whole words of an id or a class.
_CHROME_WORDS = frozenset((
    "footer", "foot", "copyright", "banner", "header", "nav", "navbar", "menu", "sidebar",
    "side", "aside", "breadcrumb", "crumb", "crumbs", "location", "position", "share", "login",
    "search", "toolbar", "friend", "yqlj",
))  # fmt: skip
_CHROME_TAGS = frozenset(("nav", "footer", "aside", "header"))
_NAME_PARTS = re.compile(r"[\s_\-]+")
# What a text beside a link may start with before the file's name (`附件1：`, `2.`).
_NAME_PREFIX = re.compile(
    r"^(?:附件\s*\d*\s*[:：.、]\s*|\d{1,3}\s*[.、．:：]\s*|\d{1,3}\s+|[^\s:：]{1,6}[:：]\s*(?=\S{4}))"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SERIAL = re.compile(r"^[\d\s.\-/:年月日]+$")
_BLOCKS = frozenset(("p", "li", "td", "th", "dd", "dt", "div", "tr", "h3", "h4", "h5", "h6"))


def _in_chrome(el: etree._Element) -> bool:
    for node in el.iterancestors():
        tag = node.tag
        if tag in ("body", "html"):
            return False
        if tag in _CHROME_TAGS:
            return True
        names = f"{node.get('id') or ''} {node.get('class') or ''}".strip().lower()
        if names and not _CHROME_WORDS.isdisjoint(_NAME_PARTS.split(names)):
            return True
    return False


def _name_in(text: str | None) -> str | None:
    """A file's name in a text beside a link: some words, without the label or the numbering
    before them (`附件1：`, `原文下载：`, `2.`), brackets kept unless they enclose it whole."""
    name = (text or "").strip()
    while True:
        stripped = _NAME_PREFIX.sub("", name, count=1).strip()
        if stripped == name:
            break
        name = stripped
    for opening, closing in (("[", "]"), ("【", "】"), ("(", ")"), ("（", "）")):
        if name.startswith(opening) and name.endswith(closing):
            name = name[1:-1].strip()
    name = name.strip(" :：")
    if not 2 <= len(name) <= 100 or _GENERIC.match(name):
        return None
    return name if len(_HAN.findall(name)) >= 2 or _extension(name) else None


_INLINE_TAGS = frozenset(("span", "font", "b", "strong", "em", "i", "u", "label", "small", "big"))


def _line_of(link: etree._Element) -> str:
    """The text on the link's line, its own left out: its siblings up to a `<br>` or a block
    on either side (a link set straight in a long text: `…2022年7月4日<br><a>下载</a><br>`)."""
    node = link
    while (parent := node.getparent()) is not None and parent.tag in _INLINE_TAGS:
        node = parent
    parent = node.getparent()
    if parent is None:
        return ""
    left: list[str] = []
    sibling = node.getprevious()
    while sibling is not None:
        if not isinstance(sibling.tag, str) or sibling.tag == "br" or sibling.tag in _BLOCKS:
            if isinstance(sibling.tag, str) and sibling.tail:
                left.append(sibling.tail)
            break
        left.append(text_content(sibling) + (sibling.tail or ""))
        sibling = sibling.getprevious()
    else:
        left.append(parent.text or "")
    right = [node.tail or ""] if node is not link else [link.tail or ""]
    if node is not link:
        right = [text_content(node).replace(text_content(link), " ", 1), node.tail or ""]
    sibling = node.getnext()
    while sibling is not None and isinstance(sibling.tag, str):
        if sibling.tag == "br" or sibling.tag in _BLOCKS:
            break
        right.append(text_content(sibling) + (sibling.tail or ""))
        sibling = sibling.getnext()
    return clean(" ".join([*reversed(left), *right])) or ""


def _beside(link: etree._Element) -> str | None:
    """The file's name printed beside a link that names nothing itself (`申请表.doc [下载]`):
    the text on the link's line without the link's; else in a table, the other cells of the
    link's row, serial numbers and dates left out."""
    line = _line_of(link)
    if line:
        return _name_in(line)
    block = link.getparent()
    while block is not None and block.tag not in _BLOCKS:
        block = block.getparent()
    if block is None or block.tag not in ("td", "th"):
        return None
    row = block.getparent()
    if row is None or row.tag != "tr":
        return None
    cells = [clean(text_content(cell)) for cell in row if cell is not block]
    words = [cell for cell in cells if cell and not _SERIAL.match(cell)]
    return _name_in(" ".join(words))


def _anchors(scopes: list[etree._Element]) -> list[tuple[etree._Element, str | None]]:
    """The `<a href>` (with the address) and `<script>` (with None) in `scopes`, in page order."""
    return [
        (el, None if el.tag == "script" else el.get("href"))
        for scope in scopes
        for el in scope.iter("a", "script")
        if el.tag == "script" or el.get("href")
    ]


# What `_MAYBE` and `_SCRIPT_PATH` need in an address, looked for in every address of a page at
# once: most pages link no file at all, and one search tells so. (It opens with a literal: the
# regex engine then skips ahead in C.)
_ANY_EXTENSION = re.compile(r"\.(?:" + "|".join(sorted(ATTACHMENT_TYPES)) + ")")


def _links(anchors: list[tuple[etree._Element, str | None]]) -> list[tuple[str, str | None, bool]]:
    """(href, visible name, named by a generic word or nothing) of the `anchors` that
    may be attachments, in page order, those written by inline scripts too; links in the site's
    chrome left out. A link whose text names nothing (`点击下载此文件`, an icon) takes the name
    printed beside it, else stays unnamed (its file's name decides, if it is no icon alone).

    The anchors come from the page's one `scan` (no walk of its own); on a page that links no
    file at all, one search over all its addresses at once says so."""
    found: list[tuple[str, str | None, bool]] = []
    hrefs = "\n".join(href for _, href in anchors if href).lower()
    files = "name=" in hrefs or _ANY_EXTENSION.search(hrefs) is not None
    for el, href in anchors:
        if href is None:
            code = el.text or ""
            if "<a" in code or "<A" in code:
                for match in _SCRIPT_LINK.finditer(code):
                    href = match["href"].replace("\\/", "/")
                    name = clean(_TAG.sub("", match["name"]))
                    generic = not name or bool(_GENERIC.match(name))
                    found.append((href, None if generic else name, generic and bool(name)))
            elif ("url" in code or "Url" in code or "path" in code) and _SCRIPT_FILE.search(code):
                # A record without a name: the file's own name is what the list shows.
                found.extend((href, name, name is None) for href, name in _script_records(code))
            continue
        if not files:
            continue
        if _MAYBE.search(href) is None and not (
            href[0] in "jJ" and href[:11].lower() == "javascript:" and _SCRIPT_PATH.search(href)
        ):
            continue
        if _in_chrome(el):
            continue
        name = clean(text_content(el))
        if name and not _GENERIC.match(name):
            found.append((href, name, False))
            continue
        # No name of its own: the one beside it; a download word without one falls back
        # on the file's name, an icon alone names nothing a reader sees.
        beside = _beside(el)
        found.append((href, beside, beside is None and bool(name)))
    return found


def find_attachments(
    page: Selector,
    base_url: str,
    within: list[etree._Element] | None = None,
    anchors: list[tuple[etree._Element, str | None]] | None = None,
) -> list[Attachment]:
    """Every attachment link on the page (or `within` the elements a profile names) with a
    name a reader sees — the link's, the one printed beside it, or for a download button the
    file's own — once, in page order."""
    base = next(page.root.iter("base"), None)
    if base is not None and base.get("href"):
        base_url = urljoin(base_url, base.get("href") or "")
    seen: set[str] = set()
    found: list[Attachment] = []
    if within or anchors is None:
        anchors = _anchors(within or [page.root])
    for href, name, file_named in _links(anchors):
        if (not name and not file_named) or (name and _NOT_ATTACHMENT.search(name)):
            continue
        attachment = attachment_for(href, base_url, name)
        if attachment and attachment.url not in seen:
            seen.add(attachment.url)
            found.append(attachment)
    return found
