"""DOCX (and WPS saved as OOXML) and spreadsheets.

DOCX: its main part (found through _rels/.rels; transitional or strict namespace) streamed with
lxml's iterparse — paragraphs and tables in document order, text boxes once, headers, footers
and notes after — so a bomb of repeated XML never becomes a tree in memory. A DOCX that is only
scanned pictures (little text for its pictures) has its pictures read by OCR, in document order.

XLS/XLSX/ET/ODS: python-calamine (MIT, Rust's calamine), every cell as text. An XLSX whose cells
span more than `MAX_CELLS` (one cell at XFD1048576 is enough) would make calamine allocate the
whole grid and abort the process, so such a workbook is read here, cell by cell.
"""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Iterator
from typing import IO, Any

from crawler.attachments.formats.images import ocr_pictures
from crawler.attachments.model import MAX_TEXT_CHARS, Context, FileText, PageText, printed, tidy
from crawler.attachments.zipsafe import SafeZip

#: A DOCX with fewer printed characters than this per picture is read from its pictures too.
THIN_TEXT = 300
#: The most cells calamine is given a grid of (a cell a few dozen bytes in memory).
MAX_CELLS = 20_000_000
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_R_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _iterparse(stream: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    from lxml import etree

    yield from etree.iterparse(
        stream, events=events, resolve_entities=False, no_network=True, huge_tree=True,
        load_dtd=False,
    )  # fmt: skip


def _rels(archive: SafeZip, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type's last word, target path in the package)."""
    base = posixpath.dirname(part)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(part) + ".rels")
    if archive.find(rels_path) is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    with archive.open(rels_path) as stream:
        for _, el in _iterparse(stream):
            if _local(el.tag) == "Relationship" and el.get("TargetMode") != "External":
                target = el.get("Target") or ""
                path = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(base, target))
                )
                found[el.get("Id") or ""] = ((el.get("Type") or "").rsplit("/", 1)[-1], path)
    return found


def _main_part(archive: SafeZip) -> str:
    for kind, path in _rels(archive, "").values():
        if kind == "officeDocument" and archive.find(path) is not None:
            return path
    return "word/document.xml"


class _Body:
    """Lines of a WordprocessingML part, built as iterparse goes: a table row a line with its
    cells tab-separated; a text box's paragraphs before the paragraph that holds it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pictures: list[str] = []  # relationship ids, in document order
        self.size = 0
        self._rows: list[list[str]] = []
        self._cells: list[list[str]] = []
        self._boxed: list[str] = []  # paragraphs of text boxes in the paragraph being read
        self._paragraphs = 0  # open w:p elements (a text box's are inside another's)
        self._fallback = 0  # inside mc:Fallback (a copy of mc:Choice for old readers)

    def _emit(self, line: str) -> None:
        self.size += len(line)
        if self._cells:
            self._cells[-1].append(line)
        elif line or (self.lines and self.lines[-1]):  # one empty line for a run of them
            self.lines.append(line)

    def start(self, el: Any) -> None:
        name = _local(el.tag)
        if name == "Fallback":
            self._fallback += 1
        elif self._fallback:
            return
        elif name == "p":
            self._paragraphs += 1
        elif name == "tr":
            self._rows.append([])
        elif name == "tc":
            self._cells.append([])
        elif name == "blip" or name == "imagedata":
            rid = el.get(f"{_R}embed") or el.get(f"{_R}id") or el.get(f"{_R_STRICT}embed")
            if rid:
                self.pictures.append(rid)

    def end(self, el: Any) -> None:
        name = _local(el.tag)
        if name == "Fallback":
            self._fallback -= 1
            el.clear()
            return
        if self._fallback:
            return
        if name == "p":
            self._paragraphs -= 1
            text = _paragraph(el)
            if self._paragraphs:  # a text box's paragraph: said before the one it is in
                self._boxed.append(text)
            else:
                for boxed in self._boxed:
                    self._emit(boxed)
                self._boxed.clear()
                self._emit(text)
            el.clear()
        elif name == "tc" and self._cells:
            inner = self._cells.pop()
            if self._rows:
                self._rows[-1].append(" ".join(s.strip() for s in inner if s.strip()))
        elif name == "tr" and self._rows:
            self._emit("\t".join(self._rows.pop()))
            el.clear()


def _paragraph(paragraph: Any) -> str:
    parts: list[str] = []
    for el in paragraph.iter():
        name = _local(el.tag)
        if name == "t":
            parts.append(el.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


#: The elements a WordprocessingML part is read by (the others are inside them).
_BODY_TAGS = tuple(
    f"{{*}}{name}" for name in ("p", "tr", "tc", "tbl", "Fallback", "blip", "imagedata")
)
#: More of those than this in one part is a bomb (millions of empty paragraphs, each a few bytes
#: packed and a microsecond or two to read), not a document: 2,000,000 is some 60,000 pages.
MAX_ELEMENTS = 2_000_000


def _part_text(archive: SafeZip, part: str, body: _Body) -> None:
    from lxml import etree

    with archive.open(part) as stream:
        events = etree.iterparse(
            stream, events=("start", "end"), tag=_BODY_TAGS, resolve_entities=False,
            no_network=True, huge_tree=True, load_dtd=False,
        )  # fmt: skip
        for count, (event, el) in enumerate(events):
            if count > 2 * MAX_ELEMENTS:
                raise ValueError(f"{part} has more than {MAX_ELEMENTS:,} paragraphs; a bomb?")
            if event == "start":
                body.start(el)
                continue
            body.end(el)
            if _local(el.tag) in ("p", "tr", "tbl"):
                # What was read is dropped from the tree too, so that a part of millions of
                # empty paragraphs takes no memory either.
                while el.getprevious() is not None:
                    del el.getparent()[0]
            if body.size > MAX_TEXT_CHARS:
                raise ValueError(f"more than {MAX_TEXT_CHARS:,} characters of text; a bomb?")


def read_docx(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    with SafeZip(data, ctx.budget, "DOCX file") as archive:
        main = _main_part(archive)
        body = _Body()
        _part_text(archive, main, body)
        rels = _rels(archive, main)
        extra = _Body()
        for kind in ("header", "footer", "footnotes", "endnotes"):
            for rel_kind, path in sorted(rels.values(), key=lambda r: r[1]):
                if rel_kind == kind and archive.find(path) is not None:
                    _part_text(archive, path, extra)
        text = tidy("\n".join(body.lines))
        seen = set(text.splitlines())
        added = []
        for line in tidy("\n".join(extra.lines)).splitlines():
            if line.strip() and line not in seen:
                seen.add(line)
                added.append(line)
        text = tidy("\n".join([text, *added]))
        pages = [PageText(1, text, reader="docx-xml")]
        pictures = [rels[rid][1] for rid in dict.fromkeys(body.pictures) if rid in rels]
        if pictures and printed(text) < THIN_TEXT * len(pictures):
            found = [(path, archive.read(path)) for path in pictures if archive.find(path)]
            pages += ocr_pictures(found, into, 2, "docx-ocr")
    if len(pages) > 1 and not pages[0].text:
        pages = [PageText(n, p.text, p.ocr, p.confidence, reader=p.reader)
                 for n, p in enumerate(pages[1:], 1)]  # fmt: skip
    return pages


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _unpack_all(archive: SafeZip) -> int:
    """Unpack every member once without keeping it (so that what calamine will unpack is known
    to fit the budget; only the sheets when the container is too small to go past it), and measure the most cells any sheet's grid spans (first to last row ×
    first to last column, from the cells' references)."""
    largest = 0
    fits = archive.fits_budget()
    for info in archive.members():
        sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        if fits and not sheet:
            continue  # (it cannot unpack past the budget: only the sheets need reading)
        low_row = low_col = 1 << 30
        high_row = high_col = 0
        tail = b""
        with archive.open(info) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                if not sheet:
                    continue
                block = tail + chunk
                found = _REF.findall(block)
                if found:
                    rows = [int(row) for _, row in found]
                    cols = [_column(letters) for letters in {letters for letters, _ in found}]
                    low_row, high_row = min(low_row, *rows), max(high_row, *rows)
                    low_col, high_col = min(low_col, *cols), max(high_col, *cols)
                tail = block[-40:]
        if high_row:
            largest = max(largest, (high_row - low_row + 1) * (high_col - low_col + 1))
    return largest


def _sparse_xlsx(archive: SafeZip, into: FileText) -> list[PageText]:
    """An XLSX read cell by cell (values as stored: dates stay serial numbers)."""
    strings: list[str] = []
    if archive.find("xl/sharedStrings.xml"):
        with archive.open("xl/sharedStrings.xml") as stream:
            for _, el in _iterparse(stream):
                if _local(el.tag) == "si":
                    strings.append("".join(t.text or "" for t in el.iter() if _local(t.tag) == "t"))
                    el.clear()
    rels = _rels(archive, "xl/workbook.xml")
    sheets: list[tuple[str, str]] = []
    with archive.open("xl/workbook.xml") as stream:
        for _, el in _iterparse(stream):
            if _local(el.tag) == "sheet":
                rid = el.get(f"{_R}id") or el.get(f"{_R_STRICT}id") or ""
                if rid in rels:
                    sheets.append((el.get("name") or "", rels[rid][1]))
    pages: list[PageText] = []
    for number, (_, path) in enumerate(sheets, 1):
        lines: list[str] = []
        size = 0
        with archive.open(path) as stream:
            for _, el in _iterparse(stream):
                if _local(el.tag) != "row":
                    continue
                values = []
                for cell in el:
                    kind = cell.get("t")
                    value = "".join(
                        t.text or "" for t in cell.iter() if _local(t.tag) in ("v", "t")
                    )
                    if kind == "s" and value.isdigit() and int(value) < len(strings):
                        value = strings[int(value)]
                    values.append(value.strip())
                line = "\t".join(values).rstrip("\t")
                if line.strip():
                    lines.append(line)
                    size += len(line)
                el.clear()
                if size > MAX_TEXT_CHARS:
                    raise ValueError(f"more than {MAX_TEXT_CHARS:,} characters of text; a bomb?")
        pages.append(PageText(number, tidy("\n".join(lines)), reader="xlsx-xml"))
    into.warnings.append(
        f"its cells span more than {MAX_CELLS:,} cells; read cell by cell (dates as serial numbers)"
    )
    return pages


def read_sheet(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    from python_calamine import CalamineWorkbook

    if data[:2] == b"PK":
        with SafeZip(data, ctx.budget, f"{into.type.upper()} file") as archive:
            if _unpack_all(archive) > MAX_CELLS and into.type == "xlsx":
                return _sparse_xlsx(archive, into)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    pages = []
    for number, name in enumerate(book.sheet_names, 1):
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as error:  # calamine raises its own error types per format
            into.warnings.append(f"sheet {name!r} cannot be read: {error}")
            continue
        lines = ["\t".join(_cell(value) for value in row).rstrip("\t") for row in rows]
        text = tidy("\n".join(line for line in lines if line.strip()))
        pages.append(PageText(number, text, reader="calamine"))
    return pages
