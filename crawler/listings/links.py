"""Which links of a listing page are its documents.

Real listing pages hold many link lists beside the document list: navigation menus, column menus,
breadcrumbs, footers of friendly links, sidebars of hot or recent documents, hidden mobile copies,
unrendered template rows, download links inside the rows. A document is a link to the family's
article URL (`ARTICLE_PATTERNS`, or a profile's own `article_pattern`), taken from the list that
holds most of them, dates beside them, under the listing's own directory; or from the elements a
profile's `list_selector` names (CSS or XPath).

Links are grouped by the list that holds them: the nearest `ul`/`ol`/`dl`/`table` around each
link and that container's path from the root (tags, classes and ids without their digits), so
that a list split into several `<ul>`s — five rows per hidden group, one `<ul>` per table row — is
one list, while a sidebar or a footer in another part of the page is another.

Pure: a tree (or text) and a URL in, entries out; parsel reads the tree already parsed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.extract.select import select
from crawler.items import ListingEntry

#: Article URLs of each family, searched in a URL's path (and query, when it has one).
ARTICLE_PATTERNS: dict[str, str] = {
    # /art/2023/11/3/art_1229265378_4216448.html (also /col123/art/2024/art_123_456.html)
    "hanweb": r"/art/\d{4}/(?:\d{1,2}/\d{1,2}/)?art_\d+_\d+\.html?(?:\?|$)",
    # /col/col1229063389/art/2023/art_<32 hex>.html, and classic /art/ URLs on the same hosts
    "jpaas": r"/art/\d{4}/(?:\d{1,2}/\d{1,2}/)?art_(?:[0-9a-f]{32}|\d+_\d+)\.html?(?:\?|$)",
    # …/202311/t20231103_4216448.shtml, .html or .htm
    "trs": r"/t\d{8}_\d+\.s?html?(?:\?|$)",
    # /zhengce/content/2023-11/content_6913571.htm
    "govcn": r"/content_\d+\.s?html?(?:\?|$)",
    # /gkmlpt/content/7/7107/post_7107734.html, mobile mpost_, legacy /gkml/…/post_<id>.html
    "gkmlpt": r"/(?:gkmlpt/content/\d+/\d+/|gkml/(?:[\w-]+/)*)m?post_\d+\.html?(?:\?|$)",
}
#: Any known article URL (for answers to article requests and for pages of unknown families):
#: the families above plus Guangdong's `post_<id>.html` and UCAP's `…/content.shtml`.
ANY_ARTICLE = "|".join(
    [*ARTICLE_PATTERNS.values(), r"/m?post_\d+\.html?(?:\?|$)", r"/c\d+/content\.shtml(?:\?|$)"]
)

# Where a list lives: the nearest of these around a link.
_LIST_TAGS = frozenset(("ul", "ol", "dl", "tbody", "table"))
_INLINE = frozenset(("a", "span", "em", "i", "b", "strong", "font", "small", "label", "p"))
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(
    r"[\[(（【]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\])）】]?"
)
# A list in a part of the page named like a sidebar, a footer or a menu weighs less.
_ASIDE = re.compile(
    r"(?:^|[-_\s])(?:side|sidebar|aside|hot|rank|related|recommend|tuijian|xgwz|xgxx|rdwz|"
    r"footer|foot|nav|menu|share|yqlj|friend)(?:$|[-_\s\d])",
    re.I,
)
_ASIDE_DEPTH = 4
_SKIPPED_HREF = re.compile(r"^\s*(?:javascript:|mailto:|tel:|#|$)", re.I)
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\ufeff]+")


@dataclass(frozen=True)
class LinkList:
    """The documents a listing shows, and what was left aside."""

    entries: list[ListingEntry]
    #: Links inside the chosen list that are not documents (downloads, external links…).
    skipped: int = 0
    #: When nothing matched: the links of the biggest dated list on the page — a listing whose
    #: entries all fail the article pattern (a changed layout or URL scheme), not an empty one.
    unmatched: int = 0
    #: The chosen list's path (to prefer the same list on the column's next pages).
    signature: str | None = None
    #: Every link with an href on the page.
    links: int = 0


@dataclass
class _Group:
    signature: str
    links: list[tuple[etree._Element, str, etree._Element]] = field(default_factory=list)
    #: url → (link, row, the list element that holds the row)
    matched: dict[str, tuple[etree._Element, etree._Element, etree._Element]] = field(
        default_factory=dict
    )
    dated: set[str] = field(default_factory=set)
    local: set[str] = field(default_factory=set)
    aside: bool = False
    first: int = 0

    def score(self) -> float:
        matched = len(self.matched)
        score = matched + len(self.dated) + 2 * len(self.local)
        return score / 2 if self.aside else score


def compile_pattern(pattern: str | re.Pattern[str]) -> re.Pattern[str]:
    return pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)


def article_pattern(family: str, override: str | None = None) -> re.Pattern[str]:
    """A profile's own pattern, else the family's (any known article URL for other families)."""
    return re.compile(override or ARTICLE_PATTERNS.get(family, ANY_ARTICLE))


def is_article(url: str, pattern: re.Pattern[str]) -> bool:
    """Whether a URL's path (and query) is an article URL of the pattern."""
    parts = urlsplit(url)
    return bool(pattern.search(parts.path + (f"?{parts.query}" if parts.query else "")))


def parse_tree(text: str) -> etree._Element:
    """A tree for any text: markup errors repaired, never an exception."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1).replace("\x00", "")
    parser = etree.HTMLParser(recover=True, remove_comments=True)
    root = etree.fromstring(text, parser) if text.strip() else None
    if root is None:
        root = etree.fromstring("<html><body></body></html>", parser)
    return root


def text_of(el: etree._Element) -> str:
    return _SPACE.sub(" ", "".join(t for t in el.itertext() if isinstance(t, str))).strip()


def _date_in(row: etree._Element, link: etree._Element) -> str | None:
    """A date printed alone beside the link: an element or a text run that is only a date."""
    for text in row.itertext():
        if not isinstance(text, str):
            continue
        found = _DATE.fullmatch(text.strip())
        if found:
            year, month, day = found.group(1, 2, 3)
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def _title(link: etree._Element) -> str | None:
    # A row wrapped whole in its link holds the date too: a date alone is no part of a title.
    parts = (t for t in link.itertext() if isinstance(t, str) and not _DATE.fullmatch(t.strip()))
    text = _SPACE.sub(" ", "".join(parts)).strip()
    attribute = _SPACE.sub(" ", link.get("title") or "").strip()
    # The title attribute holds the full title when the text is cut ("…" or "...").
    if attribute and len(attribute) >= len(text.rstrip(".…")):
        return attribute
    return text or attribute or None


def _step(el: etree._Element) -> str:
    classes = ".".join(sorted((el.get("class") or "").split()))
    ident = _DIGITS.sub("", el.get("id") or "")
    return f"{el.tag}{'.' + classes if classes else ''}{'#' + ident if ident else ''}"


def _place(link: etree._Element) -> tuple[etree._Element, etree._Element]:
    """(the link's row, the list that holds it)."""
    child = link
    parent = link.getparent()
    while parent is not None:
        if parent.tag in _LIST_TAGS:
            return child, parent
        child, parent = parent, parent.getparent()
    row = link
    above = link.getparent()
    while above is not None and (row.tag in _INLINE or row is link):
        row, above = above, above.getparent()
    container = row.getparent()
    return row, container if container is not None else row


def _path(el: etree._Element) -> tuple[str, bool]:
    """The container's path from the root, and whether the container or one of its nearest
    ancestors is named like a sidebar, menu or footer (a page-wide class on <body> is not)."""
    steps: list[str] = []
    aside = False
    node: etree._Element | None = el
    while node is not None and isinstance(node.tag, str):
        if len(steps) < _ASIDE_DEPTH and node.tag not in ("body", "html"):
            names = f"{node.get('class') or ''} {node.get('id') or ''}"
            aside = aside or node.tag in ("nav", "footer", "aside") or bool(_ASIDE.search(names))
        steps.append(_step(node))
        node = node.getparent()
    return "/".join(reversed(steps)), aside


def _links(nodes: Iterable[etree._Element]) -> list[etree._Element]:
    found: list[etree._Element] = []
    for node in nodes:
        if not isinstance(node.tag, str):
            continue
        found += [node] if node.tag == "a" and node.get("href") else node.iterfind(".//a[@href]")
    return found


def _resolve(href: str, base_url: str) -> str | None:
    if _SKIPPED_HREF.match(href):
        return None
    return urljoin(base_url, html.unescape(href.strip()))


def document_links(
    page: etree._Element | str,
    base_url: str,
    pattern: str | re.Pattern[str],
    list_selector: str | None = None,
    prefer: str | None = None,
) -> LinkList:
    """The documents a listing page shows, in page order, each once.

    `list_selector` (CSS or XPath) names the elements that hold the list; without it the list is
    found as described in the module's docstring. `prefer` is the signature of the list chosen on
    the column's first page: where it is present, it is the list (a last page of three entries
    has fewer than its sidebar of hot documents).
    """
    root = parse_tree(page) if isinstance(page, str) else page
    regex = compile_pattern(pattern)
    directory = base_url.rsplit("/", 1)[0] + "/"
    selector = Selector(root=root)  # over the tree already parsed: no second parse
    if list_selector:
        chosen = [found.root for found in select(selector, list_selector)]
        anchors = _links(el for el in chosen if isinstance(el, etree._Element))
    else:
        anchors = [found.root for found in selector.xpath(".//a[@href]")]
    groups: dict[str, _Group] = {}
    for position, link in enumerate(anchors):
        url = _resolve(link.get("href") or "", base_url)
        row, container = _place(link)
        signature, aside = ("selected", False) if list_selector else _path(container)
        group = groups.get(signature)
        if group is None:
            group = groups[signature] = _Group(signature, aside=aside, first=position)
        group.links.append((link, url or "", row))
        if url is None or not is_article(url, regex) or url in group.matched:
            continue
        group.matched[url] = (link, row, container)
        if _date_in(row, link):
            group.dated.add(url)
        if url.startswith(directory):
            group.local.add(url)
    matched = [g for g in groups.values() if g.matched]
    if not matched:
        dated = [sum(1 for link, _, row in g.links if _date_in(row, link)) for g in groups.values()]
        return LinkList([], unmatched=max(dated, default=0), links=len(anchors))
    # Where some list holds documents under the listing's own directory, those lists compete;
    # else a sidebar, a menu or a footer is no document list (an empty column's page still shows
    # its sidebar of the site's hot documents).
    candidates = [g for g in matched if g.local] or [g for g in matched if not g.aside]
    preferred = groups.get(prefer or "")
    if preferred is not None and preferred.matched:
        best = preferred
    elif candidates:
        best = max(candidates, key=lambda g: (g.score(), -g.first))
    else:
        return LinkList([], links=len(anchors))
    kept = _documents(best, directory)
    entries = [
        ListingEntry(url, _title(link), _date_in(row, link))
        for url, (link, row, _) in best.matched.items()
        if url in kept
    ]
    skipped = sum(1 for _, url, _ in best.links if url not in kept)
    return LinkList(entries, skipped, 0, best.signature, len(anchors))


# A link beside a document's own in its row (解读, 图解, [查看]): short words, not a title.
_SATELLITE = 8


def _documents(group: _Group, directory: str) -> set[str]:
    """The chosen list's documents: one per row, and only from the list itself.

    - A row holding several article links is one document: its title link, the longest; the
      short links beside it (`解读`, `图解`, `一图读懂`) are the document's satellites.
    - Lists of the same make side by side (a column's list between the lists of its neighbour
      columns, tabs) fall into one group: where some of them hold documents under the listing's
      own directory, those are the list, and a neighbour that holds none is left out. Lists
      are told apart by the element that holds them; an element with one document only is a
      row of a list cut one `ul` per row, never a neighbour."""
    kept = set(group.matched)
    rows: dict[etree._Element, list[str]] = {}
    for url, (_, row, _) in group.matched.items():
        rows.setdefault(row, []).append(url)
    for urls in rows.values():
        if len(urls) < 2:
            continue
        lengths = {url: len(text_of(group.matched[url][0])) for url in urls}
        main = max(urls, key=lengths.__getitem__)
        others = [url for url in urls if url != main]
        if all(lengths[url] <= _SATELLITE and 2 * lengths[url] <= lengths[main] for url in others):
            kept.difference_update(others)
    if group.local and len(group.local) < len(group.matched):
        lists: dict[etree._Element, set[str]] = {}
        for url, (_, _, container) in group.matched.items():
            lists.setdefault(container, set()).add(url)
        for held in lists.values():
            # A list of the column's neighbour: several documents, none of them the column's.
            # (One document alone in its element is a row of a list cut one `ul` per row.)
            if len(held) >= 2 and not held & group.local:
                kept.difference_update(held)
    _drop_sub_columns(group, directory, kept)
    return kept


# A path segment that only files a document by its date (`202403`, `2024`, `3`, `t20240305`…).
_DATE_SEGMENT = re.compile(r"^(?:\d{1,8}|t\d{8}_.*|.*\.\w+)$")


def _column(url: str, directory: str) -> tuple[str, ...]:
    """The column a local document is filed in, below the listing's directory: its path's
    segments without the date folders and the file (`sub/202403/t…html` → `("sub",)`)."""
    return tuple(
        segment for segment in url[len(directory) :].split("/") if not _DATE_SEGMENT.match(segment)
    )


def _drop_sub_columns(group: _Group, directory: str, kept: set[str]) -> None:
    """Lists side by side all under the listing's directory, each of one column: the column's
    own documents sit right under it (`./202403/t…`), a sub-column's list deeper
    (`./sub/202403/t…`) is a neighbour. Pieces of one list that gathers its sub-columns'
    documents mix columns in each piece: they are left whole."""
    columns: dict[etree._Element, set[tuple[str, ...]]] = {}
    for url, (_, _, container) in group.matched.items():
        if url in kept and url in group.local:
            columns.setdefault(container, set()).add(_column(url, directory))
    sizes = {
        container: sum(1 for _, _, c in group.matched.values() if c is container)
        for container in columns
    }
    lists = [c for c, found in columns.items() if len(found) == 1 and sizes[c] >= 2]
    if len(lists) < 2 or len(lists) < len([c for c in sizes if sizes[c] >= 2]):
        return  # one list, or a list of mixed columns among them
    own = [c for c in lists if next(iter(columns[c])) == ()]
    if not own:
        return
    deeper = set(lists) - set(own)
    kept.difference_update(
        url for url, (_, _, container) in group.matched.items() if container in deeper
    )
