"""The parsed page: a tree, its text cells, and its text rendered as a reader sees it.

A *cell* is the text between two block boundaries (a table cell, a list item, a paragraph, a line
broken by `<br>`); `<span>` and `<label>` add a space inside a cell, since templates set label and
value side by side in them; `<a>`, `<b>`, `<font>`… add nothing. Text inside `<script>`, `<style>`,
`<noscript>`, `<template>` and comments is never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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
# What an element's text begins and ends with: nothing inline, a space soft, else a BREAK.
_EDGES = {**dict.fromkeys(INLINE, ""), **dict.fromkeys(SOFT, " ")}

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
_HOLDERS = _VALUE_HOLDERS | _LEAF_HOLDERS
_ROW_BAR = re.compile(r"\s*[|｜]\s*")
# What a cell is stripped of: spaces (folded), and bullets before a metadata line.
_STRIPPED = " \t\n\r\f\v\u3000\u00a0\u200b\ufeff" + BULLETS
_BLANK_PIECES = re.compile(f"{BREAK}(?:[ \t\f\v\u00a0\u3000]*{BREAK})+")
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
    return bool(style and _hides(style)) or el.get("hidden") is not None


def _hides(style: str) -> bool:
    # An ASCII style without the word is told in C (a case-blind pattern is tried at every
    # character); any other is left to the pattern, which knows how Unicode folds case.
    if style.isascii() and "display" not in style.lower():
        return False
    return _HIDDEN_STYLE.search(style) is not None


@dataclass(frozen=True)
class Scan:
    """What one walk over a page finds, for every later step.

    `hidden`: the elements that `is_hidden`; `named`: (element, id, class) of those with either;
    `anchors`: the `<a href>` (with the address) and `<script>` (with None) in page order — all
    three over every element, inside passed-over subtrees too. `pieces`: the text, `BREAK` at
    block boundaries and " " at soft ones; `spans`: for every element the text walk reached,
    (its first piece, the piece where its tail starts); `lists`: the link lists (menus) it
    passed over, where the page is walked for its cells (no label lives there)."""

    root: etree._Element
    hidden: frozenset[etree._Element]
    named: list[tuple[etree._Element, str, str]]
    anchors: list[tuple[etree._Element, str | None]]
    pieces: list[str]
    spans: dict[etree._Element, tuple[int, int]]
    lists: list[etree._Element]


_KNOWN = ("class", "id", "href", "hidden", "style")


class _Attributes:
    """The scan's findings so far (hidden, named, anchors), in page order."""

    def __init__(self) -> None:
        self.hidden: list[etree._Element] = []
        self.named: list[tuple[etree._Element, str, str]] = []
        self.anchors: list[tuple[etree._Element, str | None]] = []

    def look(self, el: etree._Element, tag: str, keys: Sequence[str | bytes]) -> bool:
        """Note one element by the attributes it has (`keys`, read in one call, empty for most
        elements); whether it is hidden."""
        if tag == "a":
            if "href" in keys and (href := el.get("href")):
                self.anchors.append((el, str(href)))
        elif tag == "script":
            self.anchors.append((el, None))
        if "class" in keys or "id" in keys:
            self.named.append((el, str(el.get("id") or ""), str(el.get("class") or "")))
        if ("style" in keys or "hidden" in keys) and tag not in ("body", "html"):
            # (`is_hidden`, its tag and attribute looks not made again)
            style = el.get("style")
            if (style and _hides(style)) or el.get("hidden") is not None:
                self.hidden.append(el)
                return True
        return False

    def look_inside(self, el: etree._Element) -> None:
        """The attributes in a subtree whose text is passed over (a script, a hidden block)."""
        if not len(el):  # (a script, an empty value: nothing inside)
            return
        look = self.look
        for inner in el.iterdescendants():
            try:
                keys = inner.keys()
            except ValueError:
                keys = _known_keys(inner)
            if keys:
                look(inner, inner.tag, keys)
            elif inner.tag == "script":
                self.anchors.append((inner, None))


def _known_keys(el: etree._Element) -> list[str]:
    """The attributes that matter, read one by one: a mangled page's unreadable attribute
    makes `keys()` raise."""
    return [key for key in _KNOWN if el.get(key) is not None]


def scan(root: etree._Element) -> Scan:
    """The page read in one walk: every element's attributes, and the text of the page's cells
    (link lists passed over), of its body and of its headings (`render_text`)."""
    return _walk(root, link_lists=False)


def _walk(root: etree._Element, *, link_lists: bool) -> Scan:
    """One walk over the tree in C (lxml's iterwalk), reading the attributes of every element
    and the text, in pieces.

    The hot loop of extraction, kept in one function on purpose: it runs for every element of
    every page, and a call per element would cost more than most of its branches. A script, a hidden element, an empty value (and a link list,
    unless `link_lists`) is passed over: a BREAK, or `_EMPTY_CHUNK`, stands for it, and its
    attributes are read on the spot; it still gets its "end" event, which `passed` swallows.
    Comments come as events of their own (their tails are text)."""
    attributes = _Attributes()
    look = attributes.look
    pieces: list[str] = []
    emit = pieces.append
    spans: dict[etree._Element, tuple[int, int]] = {}
    lists: list[etree._Element] = []
    # Each open element: where its pieces start, and what it ends with (read at its start, so
    # that its tag is read once).
    opened: list[tuple[int, str]] = []
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    skip_subtree = walker.skip_subtree
    passed = False
    for event, el in walker:
        if event == "end":
            if passed:
                passed = False
                continue
            start, edge = opened.pop()
            if edge:
                emit(edge)
            spans[el] = (start, len(pieces))
            if tail := el.tail:  # (each read of `text` or `tail` makes a new string)
                emit(tail)
            continue
        if event != "start":
            # Comments and processing instructions: only their tail is text.
            if (tail := el.tail) and el is not root:
                emit(tail)
            continue
        tag = el.tag
        start = len(pieces)
        edge = _EDGES.get(tag, BREAK)
        try:
            keys = el.keys()  # one call, empty for most elements
        except ValueError:
            keys = _known_keys(el)
        hidden = (keys or tag == "script") and look(el, tag, keys) and el is not root
        if (
            hidden
            or tag in SKIPPED
            or (not link_lists and tag in _LISTS and _is_link_list(el, tag))
        ):
            if tag in _LISTS and not hidden:
                lists.append(el)
            if edge:
                emit(BREAK)
            spans[el] = (start, len(pieces))
            if (tail := el.tail) and el is not root:
                emit(tail)
        else:
            text = el.text  # (read once: whether the element is empty, and what it says)
            if not (
                tag in _HOLDERS
                and (
                    (not text or text.isspace())
                    if len(el) == 0
                    else tag in _VALUE_HOLDERS and not _has_text(el, text)
                )
            ):
                if edge:
                    emit(edge)
                if text:
                    emit(text)
                opened.append((start, edge))
                continue
            # An empty value: a cell, or a leaf `<div></div>` (`_has_text`, read inline for a leaf).
            emit(_EMPTY_CHUNK)
            spans[el] = (start, len(pieces))
            if tail := el.tail:
                emit(tail)
        attributes.look_inside(el)
        skip_subtree()
        passed = True
    return Scan(
        root,
        frozenset(attributes.hidden),
        attributes.named,
        attributes.anchors,
        pieces,
        spans,
        lists,
    )


def hidden_elements(root: etree._Element) -> frozenset[etree._Element]:
    """Every element of the page that `is_hidden`, found once: a walk then skips a hidden
    subtree by one set look-up instead of reading two attributes of every element."""
    return scan(root.getroottree().getroot()).hidden


# Plain lxml elements: lxml.html's element classes cost a Python call per element.
_PARSER = etree.HTMLParser(recover=True, remove_comments=False, huge_tree=False, encoding="utf-8")


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def parse_html(text: str, utf8: bytes | None = None) -> etree._Element:
    """A tree for any text at all: markup errors are repaired, nothing raises. `utf8` is the
    same text in UTF-8, where the caller has it (a page sent so): it is not encoded again."""
    if "\x00" in text or _XML_DECLARATION.match(text):
        # lxml refuses str input that carries an XML encoding declaration.
        text = _XML_DECLARATION.sub("", text, count=1).replace("\x00", "")
        utf8 = None
    root = None
    if text.strip():
        try:
            # As UTF-8 bytes with the encoding given: libxml2 reads them twice as fast as a
            # Python str (which it receives as UCS-4), and no <meta charset> can switch it.
            data = text.encode("utf-8", "replace") if utf8 is None else utf8
            root = etree.fromstring(data, _PARSER)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            root = None
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    return root


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None


def _has_text(el: etree._Element, text: str | None = None) -> bool:
    """Whether any text below the element is more than spaces; `text` is its own text, when
    the caller has read it (a look that finds words there needs no iteration)."""
    if len(el) == 0:
        return bool(el.text and el.text.strip())
    if text is not None and text.strip():
        return True
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
            and not _has_link(child)
        ):
            return True
    return False


_LISTS = frozenset(("ul", "ol"))


def _is_link_list(el: etree._Element, tag: str) -> bool:
    """A menu or a list of related documents: every item a link and nothing else. No label
    lives there; a list whose items have words of their own beside the link is read."""
    if tag not in ("ul", "ol") or len(el) == 0:
        return False
    return all(item.tag == "li" and _has_link(item) and not _own_text(item) for item in el)


def _has_link(el: etree._Element) -> bool:
    """An `<a>` below the element (iterated in C, the first one found ends the look)."""
    return next(el.iterdescendants("a"), None) is not None


def _cut(page: Scan, skip: Iterable[etree._Element]) -> str:
    """The page's text with each `skip`ped element (the body) marked `SKIPPED_MARK`, as a walk
    that passed over it would give (one inside another is passed over with it)."""
    spans = sorted(((*page.spans[el], el) for el in skip if el in page.spans), key=_outer_first)
    kept: list[str] = []
    pos = 0
    last: etree._Element | None = None
    for start, end, el in spans:
        # (An empty span at the end of the last one's is inside it only if it is its child.)
        if start < pos or (start == end == pos and last is not None and last in el.iterancestors()):
            continue
        kept.extend(page.pieces[pos:start])
        kept.append(BREAK + SKIPPED_MARK + BREAK)
        pos, last = end, el
    kept.extend(page.pieces[pos:])
    return "".join(kept)


def _outer_first(span: tuple[int, int, etree._Element]) -> tuple[int, int]:
    return span[0], -span[1]


def _pieces_of(el: etree._Element, page: Scan | None) -> list[str]:
    """The text pieces of one element and its tail, as a walk from it gives them: cut out of
    the page's walk, each link list that walk passed over walked now (a list of attachments in
    the body); an element the page's walk passed over, or that a walk from it reads otherwise
    (hidden itself), walked afresh."""
    span = page.spans.get(el) if page is not None else None
    if page is None or span is None or el in page.hidden or el.tag in SKIPPED:
        return _walk(el, link_lists=True).pieces
    start, end = span
    pieces: list[str] = []
    at = start
    for passed in page.lists:  # in page order
        if passed is el:
            return _walk(el, link_lists=True).pieces
        first, last = page.spans[passed]
        if start <= first < end:
            # What the page's walk put for the list (a BREAK) and its tail, replaced by a walk
            # of the list, which ends with the tail.
            pieces += page.pieces[at:first]
            pieces += _walk(passed, link_lists=True).pieces
            at = last + 1 if passed.tail else last
    pieces += page.pieces[at:end]
    if el.tail:
        pieces.append(el.tail)
    return pieces


def render_text(
    root: etree._Element, page: Scan | None = None, *, empty_cells: bool = False
) -> str:
    """Readable text: one line per block, spaces collapsed, empty lines dropped. `page` is
    the page's `scan`, when the caller has it already. `empty_cells`: an empty table cell
    (or value holder) stays, as a line of `EMPTY_CELL` (see `without_empty_cells`), so that a
    table read from the lines keeps every value in its column."""
    # A newline inside a text node is a space, as a browser renders it.
    joined = "".join(_pieces_of(root, page)).replace(SKIPPED_MARK, "")
    if not empty_cells:
        joined = joined.replace(EMPTY_CELL, "")
    joined = _SPACE_RUN.sub(" ", joined.replace("\r", " ").replace("\n", " "))
    # (No space run holds a BREAK: collapsing them over the whole text is collapsing per line.)
    lines = (line.strip() for line in joined.split(BREAK))
    return "\n".join(line for line in lines if line)


def without_empty_cells(lines: list[str]) -> list[str]:
    """Rendered lines without the lines of empty cells that `render_text(empty_cells=True)`
    kept."""
    return [line for line in lines if line != EMPTY_CELL]


@dataclass(frozen=True)
class Cells:
    """Non-empty text cells, each with its folded twin (see `text.fold`).

    `body_at` is the index of the first cell after the (skipped) body, or None without a body.
    """

    original: list[str]
    folded: list[str]
    body_at: int | None = None


def cells(page: Scan, skip: Iterable[etree._Element] = ()) -> Cells:
    """The page's text cells, menus and link lists left out (no label lives there), the
    `skip`ped elements (the body) marked."""
    joined = _cut(page, skip).replace("\r", " ").replace("\n", " ")
    # Pieces of spaces only (the markup's indentation between blocks) are no cells: taken out
    # by one substitution in C rather than stripped one by one below.
    joined = _BLANK_PIECES.sub(BREAK, joined)
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
    # A bracket read as a space is stripped from the original too (the lengths stay equal);
    # an empty cell's line is an empty value, as in `cells`.
    return Cells(
        [
            o[len(f) - len(f.lstrip()) :].replace(EMPTY_CELL, "")
            for o, f in zip(kept, folded, strict=True)
        ],
        [f.lstrip().replace(EMPTY_CELL, "") for f in folded],
    )
