"""The parsed page: a tree, its text cells, and its text rendered as a reader sees it.

A *cell* is the text between two block boundaries (a table cell, a list item, a paragraph, a line
broken by `<br>`); `<span>` and `<label>` add a space inside a cell, since templates set label and
value side by side in them; `<a>`, `<b>`, `<font>`… add nothing. Text inside `<script>`, `<style>`,
`<noscript>`, `<template>` and comments is never read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from lxml import etree

from crawler.extract.labels import BULLETS, unbracket
from crawler.extract.text import Folded, fold

SKIPPED = frozenset(("script", "style", "noscript", "template", "head", "title", "select"))
INLINE = frozenset((
    "a", "b", "strong", "em", "i", "u", "font", "small", "big", "sub", "sup", "abbr", "code",
    "s", "strike", "ins", "del", "mark", "nobr", "tt", "var", "cite", "q", "o:p",
))  # fmt: skip
SOFT = frozenset(("span", "label"))

# Private-use characters: a block boundary, and an empty table cell (so that the cell after an
# empty value is never taken for it). Neither occurs in real text, and folding keeps both.
BREAK = "\ue001"
EMPTY_CELL = "\ue000"
# Where a skipped element (the body) stood, so that what stands above it can be found.
SKIPPED_MARK = "\ue002"
_EMPTY_CHUNK = BREAK + EMPTY_CELL + BREAK
_VALUE_HOLDERS = frozenset(("td", "th", "dd"))
# Elements that stand for an empty value only when they are empty leaves (`<div></div>`).
_LEAF_HOLDERS = frozenset(("div", "p", "span", "li"))
_ROW_BAR = re.compile(r"\s*[|｜]\s*")
# What a cell is stripped of: spaces (folded), and bullets before a metadata line.
_STRIPPED = " \t\n\r\f\v\u3000\u00a0\u200b\ufeff" + BULLETS
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def is_hidden(el: etree._Element) -> bool:
    """An element a browser does not show: `display:none` or `hidden`.

    Templates park metadata there (TRS `NewsArticlePubDay` divs, whole disclosure tables); what a
    reader never sees is not the page's value. `visibility:hidden` is not enough: templates hide
    the whole `<body>` that way until their scripts have run.
    """
    if el.tag in ("body", "html"):
        return False
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style)) or el.get("hidden") is not None


@dataclass(frozen=True)
class Scan:
    """What one pass over a page's elements and their attributes finds, for every later step.

    `hidden`: the elements that `is_hidden`; `named`: (element, id, class) of those with either;
    `anchors`: the `<a href>` (with the address) and `<script>` (with None) in page order."""

    hidden: frozenset[etree._Element]
    named: list[tuple[etree._Element, str, str]]
    anchors: list[tuple[etree._Element, str | None]]


_KNOWN = ("class", "id", "href", "hidden", "style")


def scan(root: etree._Element) -> Scan:
    """One walk over the elements, reading of each only the attributes it has that matter
    (`keys()` is one call, empty for most elements): visibility, names, links."""
    hidden: list[etree._Element] = []
    named: list[tuple[etree._Element, str, str]] = []
    anchors: list[tuple[etree._Element, str | None]] = []
    for el in root.iter():
        try:
            keys = el.keys()
        except ValueError:  # a mangled page's unreadable attribute: look for the known ones
            keys = [key for key in _KNOWN if el.get(key) is not None]
        if not keys:
            if el.tag == "script":
                anchors.append((el, None))
            continue
        tag = el.tag
        if tag == "a":
            if "href" in keys and (href := el.get("href")):
                anchors.append((el, str(href)))
        elif tag == "script":
            anchors.append((el, None))
        if "class" in keys or "id" in keys:
            named.append((el, str(el.get("id") or ""), str(el.get("class") or "")))
        if ("style" in keys or "hidden" in keys) and tag not in ("body", "html") and is_hidden(el):
            hidden.append(el)
    return Scan(frozenset(hidden), named, anchors)


def hidden_elements(root: etree._Element) -> frozenset[etree._Element]:
    """Every element of the page that `is_hidden`, found once: a walk then skips a hidden
    subtree by one set look-up instead of reading two attributes of every element."""
    return scan(root.getroottree().getroot()).hidden


# Plain lxml elements: lxml.html's element classes cost a Python call per element.
_PARSER = etree.HTMLParser(recover=True, remove_comments=False, huge_tree=False, encoding="utf-8")


def parse_html(text: str) -> etree._Element:
    """A tree for any text at all: markup errors are repaired, nothing raises."""
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1).replace("\x00", "")
    root = None
    if text.strip():
        try:
            # As UTF-8 bytes with the encoding given: libxml2 reads them twice as fast as a
            # Python str (which it receives as UCS-4), and no <meta charset> can switch it.
            root = etree.fromstring(text.encode("utf-8", "replace"), _PARSER)
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


# Text beside a link that says nothing of its own: a date, a count, brackets.
_DATE_OR_COUNT = re.compile(r"^[\s\d\-/.:年月日()（）\[\]【】·|]*$")


def _own_text(item: etree._Element) -> bool:
    """Whether a list item has words outside its links, one level down (`<li>[主题分类] <a>…`,
    `<li><span>发布机构：</span><a>…</a></li>`): a labelled value, not a menu entry nor a dated
    link to a document."""
    text = item.text
    if text and not text.isspace() and not _DATE_OR_COUNT.match(text):
        return True
    for child in item:
        text = child.tail
        if text and not text.isspace() and not _DATE_OR_COUNT.match(text):
            return True
        text = child.text
        if (
            text
            and child.tag != "a"
            and not text.isspace()
            and not _DATE_OR_COUNT.match(text)
            and child.find(".//a") is None
        ):
            return True
    return False


_LISTS = frozenset(("ul", "ol"))


def _is_link_list(el: etree._Element, tag: str) -> bool:
    """A menu or a list of related documents: every item a link and nothing else. No label
    lives there; a list whose items have words of their own beside the link is read."""
    if tag not in ("ul", "ol") or len(el) == 0:
        return False
    return all(
        item.tag == "li" and item.find(".//a") is not None and not _own_text(item) for item in el
    )


def chunks(
    root: etree._Element,
    skip: Iterable[etree._Element] = (),
    *,
    link_lists: bool = True,
    hidden: Collection[etree._Element] | None = None,
) -> list[str]:
    """Text pieces in document order, `BREAK` at block boundaries and " " at soft ones.

    The hot loop of extraction: one pass over the tree with an explicit stack (pages nest deeper
    than Python recursion allows), appending to a list. `hidden` is the page's
    `hidden_elements`, when the caller has it already.
    """
    skipped = set(skip)
    if hidden is None:
        hidden = hidden_elements(root)
    out: list[str] = []
    emit = out.append
    # lxml walks the tree in C; an element whose subtree is passed over still gets its "end"
    # event, which `passed` swallows. Comments come as events of their own (their tails are text).
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    skip_subtree = walker.skip_subtree
    passed = False
    for event, el in walker:
        if event == "end":
            if passed:
                passed = False
            else:
                tag = el.tag
                if tag not in INLINE:
                    emit(" " if tag in SOFT else BREAK)
                if el.tail:
                    emit(el.tail)
            continue
        if event != "start":
            # Comments and processing instructions: only their tail is text.
            if el.tail and el is not root:
                emit(el.tail)
            continue
        tag = el.tag
        if skipped and el in skipped:
            emit(BREAK + SKIPPED_MARK + BREAK)
            if el.tail:
                emit(el.tail)
        elif (
            tag in SKIPPED
            or (not link_lists and tag in _LISTS and _is_link_list(el, tag))
            or (hidden and el in hidden and el is not root)
        ):
            if tag not in INLINE:
                emit(BREAK)
            if el.tail and el is not root:
                emit(el.tail)
        elif (tag in _VALUE_HOLDERS or tag in _LEAF_HOLDERS) and (
            not ((text := el.text) and not text.isspace())
            if len(el) == 0
            else tag in _VALUE_HOLDERS and not _has_text(el)
        ):
            # An empty value: a cell, or a leaf `<div></div>` (`_has_text`, read inline for a leaf).
            emit(_EMPTY_CHUNK)
            if el.tail:
                emit(el.tail)
        else:
            if tag not in INLINE:
                emit(" " if tag in SOFT else BREAK)
            if text := el.text:
                emit(text)
            continue
        skip_subtree()
        passed = True
    return out


def render_text(
    root: etree._Element,
    skip: Iterable[etree._Element] = (),
    hidden: Collection[etree._Element] | None = None,
) -> str:
    """Readable text: one line per block, spaces collapsed, empty lines dropped."""
    # A newline inside a text node is a space, as a browser renders it.
    joined = (
        "".join(chunks(root, skip, hidden=hidden)).replace(EMPTY_CELL, "").replace(SKIPPED_MARK, "")
    )
    joined = _SPACE_RUN.sub(" ", joined.replace("\r", " ").replace("\n", " "))
    # (No space run holds a BREAK: collapsing them over the whole text is collapsing per line.)
    lines = (line.strip() for line in joined.split(BREAK))
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Cells:
    """Non-empty text cells, each with its folded twin (see `text.fold`).

    `body_at` is the index of the first cell after the (skipped) body, or None without a body.
    """

    original: list[str]
    folded: list[str]
    body_at: int | None = None


def cells(
    root: etree._Element,
    skip: Iterable[etree._Element] = (),
    hidden: Collection[etree._Element] | None = None,
) -> Cells:
    """The page's text cells, menus and link lists left out (no label lives there)."""
    joined = (
        "".join(chunks(root, skip, link_lists=False, hidden=hidden))
        .replace("\r", " ")
        .replace("\n", " ")
    )
    folded: Folded = fold(joined)
    originals = joined.split(BREAK)
    # Bracketed labels (`[发文字号]`) read as `label:` in one pass over the page's text.
    foldeds = unbracket(folded.folded if folded.aligned else joined).split(BREAK)
    original: list[str] = []
    folded_cells: list[str] = []
    body_at: int | None = None
    for index, cell in enumerate(foldeds):
        if cell == SKIPPED_MARK:
            if body_at is None:
                body_at = len(original)
            continue
        # Spaces, and the bullets set before a line of a metadata block, are no part of a cell.
        stripped = cell.strip(_STRIPPED)
        if stripped:
            # The original cut where the folded one is (both have the same length), so that a
            # value found in the folded cell is sliced out of the original one.
            if len(stripped) == len(cell):
                kept = originals[index]
            else:
                start = len(cell) - len(cell.lstrip(_STRIPPED))
                kept = originals[index][start : start + len(stripped)]
            original.append(kept.replace(EMPTY_CELL, ""))
            folded_cells.append(stripped.replace(EMPTY_CELL, ""))
    return Cells(original, folded_cells, body_at)


def text_content(el: etree._Element) -> str:
    return "".join(text for text in el.itertext() if isinstance(text, str))


def line_cells(lines: list[str]) -> Cells:
    """Cells of rendered lines (the top of a content area), for the table reader."""
    # A table row copied as `| 标 题 | … | 文 号 | … |`: each cell of its own.
    split = [
        part
        for line in lines
        for part in (_ROW_BAR.split(line) if line.count("|") >= 2 else [line])
    ]
    kept = [line.strip(_STRIPPED) for line in split if line.strip(_STRIPPED)]
    folded = [unbracket(fold(line).folded) for line in kept]
    # A bracket read as a space is stripped from the original too (the lengths stay equal).
    return Cells(
        [o[len(f) - len(f.lstrip()) :] for o, f in zip(kept, folded, strict=True)],
        [f.lstrip() for f in folded],
    )
