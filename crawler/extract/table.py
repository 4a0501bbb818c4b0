"""The disclosure table and the header line, in every layout, read from a page's text cells.

Layouts handled alike, because each reduces to a sequence of cells; what finds the pairs is the
label vocabulary (`labels.py`), never a template's name:
- `<td>label</td><td>value</td>` pairs, two or three per row, `<dt>`/`<dd>`, `<label>`/`<div>`
  pairs, a label on one line and its value on the next: a cell that is a label and nothing else
  takes the next cell as its value — unless that cell is itself a label (known or not), in
  which case the value is empty; a colon in a cell of its own between them is skipped;
- a row of labels over a row of their values (`索引号 | 发布机构` / `… | …`), read column by
  column, when the values are one row only and the labels name a document's own metadata;
- `label：value` inside one element, several per element (the header line
  `来源：… 发布时间：… 浏览次数：`), a flattened `label value label value` line, bracketed labels
  (`[发文字号] …`, `【发布机构】…`, read as `label：`): a cell that starts with a label is split at
  every label in it; its last label, left empty, takes its value from the next cell;
- a label broken over two cells (`成文<br>日期`) is put back together first.
A label above the body never takes a value from below it. Counters (浏览次数, 点击率) are
recognised and dropped.
"""

from __future__ import annotations

import re

from crawler.extract.dates import parse_date
from crawler.extract.labels import (
    BLOCK_LABEL_FIRST,
    COUNTERS,
    DATE_FIELDS,
    GLUED_COLON_RE,
    GLUED_NEXT_RE,
    GLUED_RE,
    LABEL_RE,
    LABEL_STARTS,
    LINE_STRIP,
    field_for,
    looks_like_label,
)
from crawler.extract.labels import label_of as _whole_label
from crawler.extract.page import Cells
from crawler.extract.text import clean, squeeze

# Values that mean "none" on real pages.
_EMPTY_VALUES = frozenset(("无", "/", "-", "--", "—", "——", "暂无", "null", "none", "空"))
# (`【` opens the next bracketed label; a path's separator ends a category's steps: `交通运输 \`.)
_TRAILING = re.compile(r"[\s|｜;；,，、\[【\\/＼／>]+$")
_LEADING = re.compile(r"^(?:[\s:：|｜]|[-–•·●](?=\s))+")  # (and a bullet: `- 南政〔2025〕39号`)
_BAR = re.compile(r"\s[|｜]\s")
_DIGITS = re.compile(r"^\s*\d*\s*(次)?\s*$")


# A label nobody knows after a space (`来源：人大办公室  阅读：次  字体：[大]`): the value before it
# ends there. A short word and a colon, no digit (a time `0:00` is part of its date).
_NEXT_UNKNOWN_LABEL = re.compile(r"\s+[^\s\d:：|｜,，。;；()（）\[\]【】<>《》/]{1,6}[ \t]*[:：]")


def _value(text: str) -> str | None:
    # In a flattened `label：value | label：value` line a bar ends the value (`… | 查看更多属性`).
    text = _BAR.split(_LEADING.sub("", text), maxsplit=1)[0]
    text = _NEXT_UNKNOWN_LABEL.split(text, maxsplit=1)[0]
    value = clean(_TRAILING.sub("", text))
    if value is None or value.lower() in _EMPTY_VALUES:
        return None
    return value


# A date and nothing else (a time may follow): the value of a date label only.
_ONLY_DATE = re.compile(
    r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def _accepts(field: str, value: str | None) -> bool:
    """A value the field can have: a date for a date; for anything else, not a date alone (the
    date of the next line, taken by a label left empty, is no publisher)."""
    if value is None:
        return False
    if (":" in value or "：" in value) and BLOCK_LABEL_FIRST.match(value):
        return False  # the next label, after one left empty (`文 号:发布日期: 2018-03-31`)
    if field in DATE_FIELDS:
        return parse_date(value) is not None
    if field == "doc_no" and not _DOC_NUMBER_LIKE.search(value):
        return False
    return _ONLY_DATE.match(value) is None and not (field != "title" and _titled(value))


def _titled(value: str) -> bool:
    """A document's title: what a label left empty takes from the line below it (`对…第41号建议
    的答复`, `解读《…》`), and no number's, publisher's or category's value (a category's path
    may end in a kind: `城乡建设 / 部门文件 / 通知`)."""
    return len(value) > 14 and "/" not in value and _TITLE_LIKE.search(value) is not None


# (Not `title.KIND_END`, what a printed title ends with: a category's value may end in 建议,
# 提案 or 公示, `市人大代表建议和市政协委员提案`, and still be no title.)
_TITLE_LIKE = re.compile(
    r"^(?:关于|对|解读)|《|(?:通知|通报|答复|复函|意见|办法|决定|公告|通告|报告|方案|规划|细则"
    r"|规定|批复|解读|预案|决议|纲要)$"
)


# A document number holds a number and is no sentence: a template's blanks (`无文号`, `〔〕号`,
# `———`) are none, nor the title a label left empty takes from the line below it, nor the
# issuer's name under it (`十堰市…人民政府`: a numeral in a place name is no number).
_DOC_NUMBER_LIKE = re.compile(
    r"^(?!.*关于)(?=.*(?:[0-9０-９]|[〇一二三四五六七八九十百]+\s*[号期])).{0,60}[0-9０-９〇一二三四五六七八九十].{0,60}$"
)


def _splits_label(cell: str, following: str) -> bool:
    """A short cell that is no label and, with the next cell, starts one reaching into it."""
    if not 0 < len(cell) <= 4 or cell.replace(" ", "") not in LABEL_STARTS:
        return False
    match = LABEL_RE.match(cell + following)
    return match is not None and match.end("label") > len(cell)


def _joined(
    folded: list[str], original: list[str], boundary: int | None
) -> tuple[list[str], list[str], int | None]:
    """The cells with a label broken over two cells (`成文<br>日期`, `<p>发布</p><p>机构：</p>`)
    put back together, and where the body stood among them then; the lists as they are when
    no label is broken (the common case). No label is joined across the body."""
    count = len(folded)
    breaks = {
        i for i in range(count - 1) if i + 1 != boundary and _splits_label(folded[i], folded[i + 1])
    }
    if not breaks:
        return folded, original, boundary
    joined_folded, joined_original = [], []
    index = 0
    while index < count:
        if index in breaks:
            joined_folded.append(folded[index] + folded[index + 1])
            joined_original.append(original[index] + original[index + 1])
            index += 2
            continue
        joined_folded.append(folded[index])
        joined_original.append(original[index])
        index += 1
    if boundary is not None:
        boundary -= sum(1 for at in breaks if at < boundary)  # one cell fewer per join above
    return joined_folded, joined_original, boundary


# The fields only a document's own metadata table has (a table of documents has titles and
# dates, a 索引号 or a 文号 column at most beside them … and more than one row).
_TABLE_FIELDS = frozenset(
    ("index_no", "doc_no", "publisher", "publisher_owner", "written_date", "written_date_issued",
     "category", "category_info", "category_other", "disclosure_form")
)  # fmt: skip


def _header_row(
    folded: list[str], labels: list[str | None], run_ends: list[int], index: int, end: int,
    not_values: frozenset[str],
) -> tuple[list[str], int] | None:  # fmt: skip
    """A row of labels over a row of their values (`索引号 | 发布机构` / `… | …`): the fields
    of the labels from `index` on and where their values start, when as many cells follow the
    run of labels as it has, none of them a label or the title, each a value its field takes
    (a date for a date), most of them filled. `labels` is each cell's label, `run_ends` where
    the run of labels each cell stands in ends (so a long run is walked once, not from each of
    its cells)."""
    at = min(run_ends[index], end)
    fields = [label for label in labels[index:at] if label is not None]
    count = len(fields)
    if count < 2 or at + count > end or not _TABLE_FIELDS.intersection(fields):
        return None
    values = folded[at : at + count]
    # A second row of values under the first is a table of documents (标题 | 发布日期 …), not
    # one document's metadata.
    below = folded[at + count : at + 2 * count]
    if len(below) == count and all(
        cell and not looks_like_label(cell) and not _starts_with_label(cell) for cell in below
    ):
        return None
    filled = 0
    for field, value in zip(fields, values, strict=True):
        if value == "":
            continue
        if looks_like_label(value) or _starts_with_label(value):
            return None
        if field != "title" and (squeeze(value) in not_values or _titled(value)):
            return None
        if field in DATE_FIELDS and parse_date(value) is None:
            return None
        filled += 1
    return (fields, at) if 2 * filled >= count else None


def read_fields(cells: Cells, not_values: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """field → every value found for it, in page order (empty values are not listed).

    `not_values` holds texts (folded, without spaces) that are never a label's value: the page's
    title, which often follows a last, empty label (`点击率` then the heading).
    """
    reader = _FieldReader(cells, not_values)
    index = 0
    while index < reader.count:
        field = reader.labels[index]
        if field is not None:
            index = reader.label_cell(index, field)
        else:
            index = reader.text_cell(index, reader.folded[index])
    return reader.found


class _FieldReader:
    """The cells of one page read as label/value pairs: a label alone in its cell (its value in
    the next cell, or a row of labels over a row of values), or labels inside a cell's text."""

    def __init__(self, cells: Cells, not_values: frozenset[str]) -> None:
        self.not_values = not_values
        self.found: dict[str, list[str]] = {}
        self.folded, self.original, self.boundary = _joined(
            cells.folded, cells.original, cells.body_at
        )
        self.count = len(self.folded)
        self.labels = [_whole_label(cell) for cell in self.folded]
        # Where the run of labels (a counter ends one) that each cell stands in ends.
        self.run_ends = [0] * self.count
        stop = self.count
        for at in range(self.count - 1, -1, -1):
            label = self.labels[at]
            if label is None or label in COUNTERS:
                stop = at
            self.run_ends[at] = stop
        # Where the body stood: a label above it never takes a value from below it.
        self.end_above = self.boundary if self.boundary is not None else self.count
        # Labels glued to their values count where the page prints two such cells or more
        # above its text (a block of them; one alone may be a sentence's first word).
        self.glued = (
            sum(1 for cell in self.folded[: self.end_above] if _glued(cell) is not None) >= 2
        )

    def record(self, field: str, value: str | None) -> None:
        if value is not None and not field.startswith("_") and _accepts(field, value):
            self.found.setdefault(field, []).append(value)

    def end_of(self, index: int) -> int:
        return self.end_above if index < self.end_above else self.count

    def colon_after(self, index: int) -> bool:
        """The label's colon in a cell of its own (`文号` | `：` | `…`)."""
        return index + 1 < self.count and self.folded[index + 1].strip() == ":"

    def next_value(self, index: int, field: str) -> str | None:
        """The cell after `index` as the value of a label left empty in its own cell: not a
        label, not a pair of its own, not the title, and a value the field accepts."""
        folded, count = self.folded, self.count
        following = folded[index + 1] if index + 1 < count and index + 1 != self.boundary else None
        if following is not None and following.strip() == ":" and index + 2 < self.end_of(index):
            index += 1
            following = folded[index + 1]
        if not following:
            return None
        bare = following.lstrip(LINE_STRIP)  # (`- 发文日期:…`, a line of a bulleted block)
        if looks_like_label(bare) or _starts_with_label(bare):
            return None
        if field != "title" and squeeze(following) in self.not_values:
            return None
        candidate = _value(self.original[index + 1])
        return candidate if _accepts(field, candidate) else None

    def label_cell(self, index: int, field: str) -> int:
        """A cell that is a label and nothing else; the index after what it took."""
        folded = self.folded
        following = folded[index + 1] if index + 1 < self.count else None
        if field[0] == "_" and field in COUNTERS:
            # A counter's number, if the server rendered one, is not a value of anything.
            return index + (2 if following is not None and _DIGITS.match(following) else 1)
        if following == "":
            return index + 2  # an empty cell: the value is empty
        # A row of labels: only where the next cell is a label too (the cheap look first).
        row = (
            _header_row(
                folded, self.labels, self.run_ends, index, self.end_of(index), self.not_values
            )
            if following is not None and self.labels[index + 1] is not None
            else None
        )
        if row is not None:
            fields, at = row
            for offset, name in enumerate(fields):
                self.record(name, _value(self.original[at + offset]))
            return at + len(fields)
        candidate = self.next_value(index, field)
        if candidate is None:
            return index + 1
        self.record(field, candidate)
        return index + (3 if self.colon_after(index) else 2)

    def text_cell(self, index: int, cell: str) -> int:
        """A cell of text that may hold `label：value` pairs; the index after what it took."""
        if LABEL_RE.match(cell):
            matches = list(LABEL_RE.finditer(cell))
        elif ":" in cell:
            # Mid-cell, only `label:` counts (`2017-06-08 16:30 来源：中国政府网`).
            matches = [match for match in LABEL_RE.finditer(cell) if match["colon"]]
        else:
            if self.glued and (glued := _glued(cell)) is not None:
                label, at = glued
                original = self.original[index]
                source = original if len(original) == len(cell) else cell
                for following in GLUED_NEXT_RE.finditer(cell, at):
                    self.record(field_for(label), _value(source[at : following.start()]))
                    label, at = following["label"], following.end()
                self.record(field_for(label), _value(source[at:]))
            return index + 1
        if ":" in cell and len(cell) <= 200:
            matches = _with_glued_labels(cell, matches)
        step = 1
        original = self.original[index]
        source = original if len(original) == len(cell) else cell
        for position, match in enumerate(matches):
            end = matches[position + 1].start() if position + 1 < len(matches) else len(cell)
            label_field = field_for(match["label"])
            value = _value(source[match.end() : end])
            if value is None and position == len(matches) - 1 and label_field[0] != "_":
                # The last label of the line left empty: its value is on the next line
                # (`来源：市政府 发布时间：` / `2023-11-03`).
                value = self.next_value(index, label_field)
                if value is not None:
                    step = 3 if self.colon_after(index) else 2
            self.record(label_field, value)
        return index + step


def _with_glued_labels(cell: str, matches: list[re.Match[str]]) -> list[re.Match[str]]:
    """The labels of a cell, with a block's own label and colon run into the value before it
    (`发布机构:某某人民政府成文日期:2021年11月01日`), where it stands inside no label found."""
    glued = [
        match
        for match in GLUED_COLON_RE.finditer(cell)
        if not any(match.start() < other.end() and other.start() < match.end() for other in matches)
    ]
    return sorted([*matches, *glued], key=lambda match: match.start()) if glued else matches


def _glued(folded_cell: str) -> tuple[str, int] | None:
    """A block's own label glued to its value, in a short cell that is no sentence: (the
    label, where its value starts)."""
    stripped = folded_cell.lstrip(LINE_STRIP)
    match = GLUED_RE.match(stripped)
    if match is None or len(folded_cell) > 80 or _SENTENCE_MARK.search(folded_cell):
        return None
    return match["label"], len(folded_cell) - len(stripped) + match.end()


_SENTENCE_MARK = re.compile(r"[。！？!?；;，,]")


def _starts_with_label(folded_cell: str) -> bool:
    """A cell like `发布时间:2023-11-03` or `文号 杭经信提…` is a pair of its own, never a value."""
    return LABEL_RE.match(folded_cell) is not None
