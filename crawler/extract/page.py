"""The parsed page: a tree, its text cells, and the body container.

A *cell* is the text between two block boundaries (a table cell, a list item, a paragraph, a line
broken by `<br>`); `<span>` and `<label>` add a space inside a cell, since templates set label and
value side by side in them; `<a>`, `<b>`, `<font>`… add nothing. Text inside `<script>`, `<style>`,
`<noscript>`, `<template>` and comments is never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree, html
from lxml.cssselect import CSSSelector

from crawler.extract.text import Folded, fold

SKIPPED = frozenset(("script", "style", "noscript", "template", "head", "title", "select"))
INLINE = frozenset((
    "a", "b", "strong", "em", "i", "u", "font", "small", "big", "sub", "sup", "abbr", "code",
    "s", "strike", "ins", "del", "mark", "nobr", "tt", "var", "cite", "q", "o:p",
))  # fmt: skip
SOFT = frozenset(("span", "label"))

# Known body containers: gov.cn, TRS WCM, Hanweb classic (#zoom), then common templates.
BODY_SELECTORS = tuple(
    CSSSelector(css)
    for css in (
        "#UCAP-CONTENT",
        ".TRS_Editor",
        ".trs_editor_view",
        ".TRS_UEDITOR",
        "#zoom",
        ".zoom",
        "#zoomcon",
        ".article-content",
        ".article_content",
        "#article-content",
        ".art_con",
        "#content .article",
        ".pages_content",
        ".main-txt",
        "#mainText",
        ".detail-content",
        ".xxgk_content",
    )
)

_BREAK = "\n"
# Stands for an empty table cell, so that the cell after an empty value is never taken for it.
EMPTY_CELL = "\ue000"
_VALUE_HOLDERS = frozenset(("td", "th", "dd"))
# Elements that stand for an empty value only when they are empty leaves (`<div></div>`).
_LEAF_HOLDERS = frozenset(("div", "p", "span", "li"))
_NEWLINES = re.compile(r"[\r\n]+")
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")


def parse_html(text: str) -> etree._Element:
    """A tree for any text at all: markup errors are repaired, nothing raises."""
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1).replace("\x00", "")
    if not text.strip():
        return html.fromstring("<html><body></body></html>")
    parser = html.HTMLParser(recover=True, remove_comments=False, huge_tree=False)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return html.fromstring("<html><body></body></html>")
    return root


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def iter_chunks(root: etree._Element, skip: Iterable[etree._Element] = ()) -> Iterator[str]:
    """Text pieces in document order, `_BREAK` at block boundaries and " " at soft ones."""
    skipped = set(skip)
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag not in INLINE:
                yield " " if tag in SOFT else _BREAK
            if el.tail:
                yield el.tail
            continue
        if tag is None or tag in SKIPPED or el in skipped:
            # Comments, processing instructions and skipped elements: only their tail is text.
            if tag is not None and tag not in INLINE:
                yield _BREAK
            if el.tail and el is not root:
                yield el.tail
            continue
        if (tag in _VALUE_HOLDERS or (tag in _LEAF_HOLDERS and len(el) == 0)) and not any(
            isinstance(text, str) and text.strip() for text in el.itertext()
        ):
            yield _BREAK + EMPTY_CELL + _BREAK
            if el.tail:
                yield el.tail
            continue
        if tag not in INLINE:
            yield " " if tag in SOFT else _BREAK
        if el.text:
            yield el.text
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


def render_text(root: etree._Element, skip: Iterable[etree._Element] = ()) -> str:
    """Readable text: one line per block, spaces collapsed, empty lines dropped."""
    joined = "".join(iter_chunks(root, skip)).replace(EMPTY_CELL, "")
    lines = (_SPACE_RUN.sub(" ", line).strip() for line in joined.split(_BREAK))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Cells:
    """Non-empty text cells, each with its folded twin (see `text.fold`)."""

    original: list[str]
    folded: list[str]


def cells(root: etree._Element, skip: Iterable[etree._Element] = ()) -> Cells:
    chunks = (
        _NEWLINES.sub(" ", chunk) if chunk != _BREAK else chunk for chunk in iter_chunks(root, skip)
    )
    joined = "".join(chunks)
    folded: Folded = fold(joined)
    originals = joined.split(_BREAK)
    foldeds = folded.folded.split(_BREAK) if folded.aligned else originals
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
    """The main-content element: a known container, else the densest block of prose."""
    for selector in BODY_SELECTORS:
        found = elements(selector(root))
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
