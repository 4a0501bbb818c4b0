"""The parsed page: a tree, its text cells, and the body container.

A *cell* is the text between two block boundaries (a table cell, a list item, a paragraph, a line
broken by `<br>`); `<span>` and `<label>` add a space inside a cell, since templates set label and
value side by side in them; `<a>`, `<b>`, `<font>`… add nothing. Text inside `<script>`, `<style>`,
`<noscript>`, `<template>` and comments is never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from crawler.extract.text import Folded, fold

SKIPPED = frozenset(("script", "style", "noscript", "template", "head", "title", "select"))
INLINE = frozenset((
    "a", "b", "strong", "em", "i", "u", "font", "small", "big", "sub", "sup", "abbr", "code",
    "s", "strike", "ins", "del", "mark", "nobr", "tt", "var", "cite", "q", "o:p",
))  # fmt: skip
SOFT = frozenset(("span", "label"))

# Known body containers, in order of trust: gov.cn, TRS WCM, Hanweb classic (#zoom), then common
# templates. ("id", name) or ("class", name).
BODY_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("id", "UCAP-CONTENT"),
    ("class", "TRS_Editor"),
    ("class", "trs_editor_view"),
    ("class", "TRS_UEDITOR"),
    ("id", "zoom"),
    ("class", "zoom"),
    ("id", "zoomcon"),
    ("class", "article-content"),
    ("class", "article_content"),
    ("id", "article-content"),
    ("class", "art_con"),
    ("class", "pages_content"),
    ("class", "main-txt"),
    ("id", "mainText"),
    ("class", "detail-content"),
    ("class", "xxgk_content"),
)


def _container_xpath(kind: str, name: str) -> etree.XPath:
    if kind == "id":
        return etree.XPath(f"//*[@id='{name}']")
    return etree.XPath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


_CONTAINER_XPATHS = [_container_xpath(kind, name) for kind, name in BODY_CONTAINERS]
_ATTRIBUTE_NAMES = etree.XPath("//@id | //@class")


# Private-use characters: a block boundary, and an empty table cell (so that the cell after an
# empty value is never taken for it). Neither occurs in real text, and folding keeps both.
BREAK = "\ue001"
EMPTY_CELL = "\ue000"
_EMPTY_CHUNK = BREAK + EMPTY_CELL + BREAK
_VALUE_HOLDERS = frozenset(("td", "th", "dd"))
# Elements that stand for an empty value only when they are empty leaves (`<div></div>`).
_LEAF_HOLDERS = frozenset(("div", "p", "span", "li"))
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")


# Plain lxml elements: lxml.html's element classes cost a Python call per element.
_PARSER = etree.HTMLParser(recover=True, remove_comments=False, huge_tree=False)


def parse_html(text: str) -> etree._Element:
    """A tree for any text at all: markup errors are repaired, nothing raises."""
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1).replace("\x00", "")
    root = None
    if text.strip():
        try:
            root = etree.fromstring(text, _PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            root = None
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    return root


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _has_text(el: etree._Element) -> bool:
    if len(el) == 0:
        return bool(el.text and el.text.strip())
    return any(isinstance(text, str) and text.strip() for text in el.itertext())


def _is_link_list(el: etree._Element, tag: str) -> bool:
    """A menu or a list of related documents: every item a link. No label lives there."""
    if tag not in ("ul", "ol") or len(el) == 0:
        return False
    return all(item.tag == "li" and item.find(".//a") is not None for item in el)


def chunks(
    root: etree._Element, skip: Iterable[etree._Element] = (), *, link_lists: bool = True
) -> list[str]:
    """Text pieces in document order, `BREAK` at block boundaries and " " at soft ones.

    The hot loop of extraction: one pass over the tree with an explicit stack (pages nest deeper
    than Python recursion allows), appending to a list.
    """
    skipped = set(skip)
    out: list[str] = []
    emit = out.append
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        el, closing = pop()
        tag = el.tag
        if closing:
            if tag not in INLINE:
                emit(" " if tag in SOFT else BREAK)
            if el.tail:
                emit(el.tail)
            continue
        if (
            not isinstance(tag, str)
            or tag in SKIPPED
            or el in skipped
            or (not link_lists and _is_link_list(el, tag))
        ):
            # Comments, processing instructions and skipped elements: only their tail is text.
            if isinstance(tag, str) and tag not in INLINE:
                emit(BREAK)
            if el.tail and el is not root:
                emit(el.tail)
            continue
        if (tag in _VALUE_HOLDERS or (tag in _LEAF_HOLDERS and len(el) == 0)) and not _has_text(el):
            emit(_EMPTY_CHUNK)
            if el.tail:
                emit(el.tail)
            continue
        if tag not in INLINE:
            emit(" " if tag in SOFT else BREAK)
        if el.text:
            emit(el.text)
        if len(el):
            push((el, True))
            stack.extend([(child, False) for child in reversed(el)])
        else:
            if tag not in INLINE:
                emit(" " if tag in SOFT else BREAK)
            if el.tail:
                emit(el.tail)
    return out


def render_text(root: etree._Element, skip: Iterable[etree._Element] = ()) -> str:
    """Readable text: one line per block, spaces collapsed, empty lines dropped."""
    # A newline inside a text node is a space, as a browser renders it.
    joined = "".join(chunks(root, skip)).replace(EMPTY_CELL, "").replace("\r", " ")
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in joined.replace("\n", " ").split(BREAK))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Cells:
    """Non-empty text cells, each with its folded twin (see `text.fold`)."""

    original: list[str]
    folded: list[str]


def cells(root: etree._Element, skip: Iterable[etree._Element] = ()) -> Cells:
    """The page's text cells, menus and link lists left out (no label lives there)."""
    joined = "".join(chunks(root, skip, link_lists=False)).replace("\r", " ").replace("\n", " ")
    folded: Folded = fold(joined)
    originals = joined.split(BREAK)
    foldeds = folded.folded.split(BREAK) if folded.aligned else originals
    keep = [i for i, cell in enumerate(foldeds) if cell.strip()]
    original = [originals[i].strip().replace(EMPTY_CELL, "") for i in keep]
    return Cells(original, [foldeds[i].strip().replace(EMPTY_CELL, "") for i in keep])


def text_content(el: etree._Element) -> str:
    return "".join(text for text in el.itertext() if isinstance(text, str))


def elements(result: object) -> list[etree._Element]:
    """The elements of an XPath or CSS selector result (which may also hold strings)."""
    if not isinstance(result, list):
        return []
    return [el for el in result if isinstance(el, etree._Element)]


def find_body(root: etree._Element) -> etree._Element | None:
    """The main-content element: a known container, else the densest block of prose.

    The page's id and class names are read in one XPath call; only the containers among them
    are then looked up (a walk over every element in Python costs more).
    """
    present: set[str] = set()
    values = _ATTRIBUTE_NAMES(root)
    for value in values if isinstance(values, list) else []:
        present.update(str(value).split())
    for rank, (_, name) in enumerate(BODY_CONTAINERS):
        if name in present:
            found = elements(_CONTAINER_XPATHS[rank](root))
            if found:
                return found[0]
    return _densest(root)


def _block_parent(node: etree._Element) -> etree._Element | None:
    el: etree._Element | None = node
    while el is not None and _tag(el) in INLINE:
        el = el.getparent()
    return el


def _densest(root: etree._Element) -> etree._Element | None:
    """Readability's idea in brief: prose credits its block's parent, half its grandparent."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter():
        tag = _tag(el)
        if tag is None or tag in SKIPPED:
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if not text or owner is None or _tag(owner) in SKIPPED or _tag(owner) == "a":
                continue
            length = len(text.strip())
            if length < 20:
                continue
            block = _block_parent(owner)
            if block is None:
                continue
            score = length + 10 * text.count("，") + 10 * text.count("。")
            parent = block.getparent()
            if parent is None or _tag(parent) in ("html", "body"):
                scores[block] = scores.get(block, 0.0) + score
                continue
            scores[parent] = scores.get(parent, 0.0) + score
            grandparent = parent.getparent()
            if grandparent is not None and _tag(grandparent) not in ("html", "body"):
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    if not scores:
        return None
    best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:5]

    def adjusted(item: tuple[etree._Element, float]) -> float:
        el, score = item
        total = len(text_content(el)) or 1
        links = sum(len(text_content(a)) for a in el.iter("a"))
        return score * (1 - min(links / total, 1.0))

    return max(best, key=adjusted)[0]
