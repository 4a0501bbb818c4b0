"""PDF: pypdfium2 (Google's PDFium; Apache-2.0/BSD) for the text layer, and for rendering the
pages whose text layer is missing, garbled or only a stamp on a scan, which Tesseract then reads.

Each page's text layer is judged (`garbage.quality`) before it is kept: a font whose ToUnicode
map is broken gives private-use characters, replacement characters, Latin-1 letters or random
rare ideographs where the page shows plain Chinese. Such a page is read by OCR, and the better of
the two texts is kept; a good text layer is never replaced. Radicals and GBK read as Latin-1 are
repaired first (`garbage.repair`), since they keep the meaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.attachments import garbage, ocr
from crawler.attachments.formats.images import ocr_image
from crawler.attachments.model import (
    MAX_OCR_PAGES,
    MIN_TEXT_LAYER,
    Context,
    FileText,
    PageText,
    printed,
    tidy,
)

#: A page whose pictures cover this share of it, and whose text layer is shorter than
#: `SHORT_LAYER` characters, is a scan with a stamp or page number in text: OCR reads it too.
SCAN_COVER = 0.5
SHORT_LAYER = 200
#: A page whose garbled lines hold less than this share of its characters has only those lines
#: read by OCR (the rest keeps its exact text layer); more, and the whole page is.
SPLICE_SHARE = 0.6


def _images(page: Any, pdfium_c: Any) -> tuple[int, float]:
    """How many pictures the page draws, and the share of the page the largest covers."""
    width, height = page.get_size()
    area = max(width * height, 1.0)
    count, cover = 0, 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        count += 1
        try:
            left, bottom, right, top = obj.get_pos()
        except Exception:  # a picture without bounds: counted, not measured
            continue
        cover = max(cover, min(abs(right - left) * abs(top - bottom) / area, 1.0))
    return count, cover


def _better(layer: PageText, scanned: PageText) -> PageText:
    """The text layer or its OCR, whichever has more good characters (OCR only when clearly)."""
    if not scanned.ocr or not scanned.text:
        return layer
    ours, theirs = garbage.quality(layer.text), garbage.quality(scanned.text)
    if ours.garbled and not theirs.garbled:
        return scanned
    return scanned if theirs.good > ours.good * 1.2 + MIN_TEXT_LAYER else layer


@dataclass
class _Run:
    """What reading a PDF's pages has done so far."""

    warnings: list[str]
    ocr_pages: int = 0
    garbled: list[int] = field(default_factory=list)  # pages, their text layer garbled
    spliced: list[int] = field(default_factory=list)  # pages, garbled lines read by OCR

    def may_ocr(self) -> bool:
        if self.ocr_pages >= MAX_OCR_PAGES:
            if self.ocr_pages == MAX_OCR_PAGES:
                self.warnings.append(f"only the first {MAX_OCR_PAGES} pages were read by OCR")
            self.ocr_pages += 1
            return False
        self.ocr_pages += 1
        return True


def read_pdf(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    import pypdfium2 as pdfium

    warnings = into.warnings
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            warnings.append("encrypted PDF (a password is needed); its text was not read")
        else:
            warnings.append(f"broken PDF, not read: {message}")
        return []
    pages: list[PageText] = []
    run = _Run(warnings)
    try:
        for index in range(len(document)):
            number = index + 1
            try:
                page = document[index]
            except pdfium.PdfiumError as error:
                warnings.append(f"page {number} cannot be read: {error}")
                continue
            try:
                pages.append(_read_page(page, number, run))
            finally:
                page.close()
    finally:
        document.close()
    chosen = {page.number: page.reader for page in pages}
    replaced = [n for n in run.garbled if chosen.get(n) == "ocr"]
    if replaced:
        warnings.append(
            f"the text layer of page(s) {_ranges(replaced)} is garbled (a font without a "
            "usable Unicode map); read by OCR instead"
        )
    if run.spliced:
        warnings.append(
            f"lines of page(s) {_ranges(run.spliced)} are garbled in the text layer (a font "
            "without a usable Unicode map); those lines were read by OCR"
        )
    return pages


def _read_page(page: Any, number: int, run: _Run) -> PageText:
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
        lines = _lines(raw)
        bad = [(a, b) for a, b in lines if _bad_line(raw[a:b])]
        text = tidy("".join(_fold(raw[a:b]) + raw[b : b + 2] for a, b in lines))
        layer = PageText(number, text, reader="pdf-text" if text else "")
        found = garbage.quality(_fold(raw))
        count, cover = _images(page, pdfium_c)
        scan = count and (
            printed(text) < MIN_TEXT_LAYER or (cover >= SCAN_COVER and printed(text) < SHORT_LAYER)
        )
        if not scan and printed(text) < MIN_TEXT_LAYER:
            # Text "converted to curves" is drawn as paths: a page without text that draws
            # anything is read by OCR too (a blank page draws nothing and is not).
            scan = any(True for _ in page.get_objects(
                filter=[pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING], max_depth=2))  # fmt: skip
        bad_share = sum(printed(raw[a:b]) for a, b in bad) / max(printed(raw), 1)
        rest = "\n".join(_fold(raw[a:b]) for a, b in lines if (a, b) not in bad)
        if not scan and found.garbled and bad_share < SPLICE_SHARE and not garbled(rest):
            found = garbage.Quality()  # a few garbled lines among good ones: OCR only those
        if not (scan or found.garbled):
            if bad and ocr.available():
                run.warnings.append(
                    f"page {number}: {len(bad)} line(s) of its text layer are garbled and OCR "
                    f"cannot read them instead: {ocr.available()}"
                )
            elif bad and run.may_ocr():
                spliced = _splice(page, textpage, raw, lines, bad, number)
                if spliced is not None:
                    run.spliced.append(number)
                    return spliced
            return layer
    finally:
        textpage.close()
    if found.garbled:
        run.garbled.append(number)
    if not run.may_ocr():
        return layer
    reason = ocr.available()
    if reason and found.garbled:
        run.warnings.append(
            f"page {number}: its text layer is garbled ({found.reason()}) and OCR cannot read "
            f"it instead: {reason}"
        )
    if reason and printed(text) >= MIN_TEXT_LAYER:
        return layer  # no OCR: keep what the text layer has
    image = page.render(scale=ocr.DPI / 72, grayscale=True).to_pil()
    scanned = ocr_image(image, number, run.warnings, "page")
    return _better(layer, scanned) if printed(text) else scanned


def garbled(text: str) -> bool:
    return garbage.quality(text).garbled


def _fold(text: str) -> str:
    """Radicals folded; Latin-1 letters are left for OCR, which sees what the page shows."""
    return garbage.repair(text, mojibake=False)


def _lines(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each line of PDFium's text (lines end with \r\n, two characters that
    are in its character list too, so indexes stay those of the characters)."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start <= len(raw):
        end = raw.find("\r\n", start)
        if end == -1:
            end = len(raw)
        spans.append((start, end))
        start = end + 2
    return spans


_ODD_ASCII = frozenset('"#$*+;<=>@[\\]^_`{|}~')


def _bad_line(line: str) -> bool:
    """A line drawn in a font whose map is broken, on a page whose other lines read well."""
    judged = garbage.quality(_fold(line))
    wrong = judged.bad + judged.odd + judged.rare
    if judged.chars >= 2 and wrong * 2 > judged.chars:
        return True
    if judged.cjk or judged.chars < 6:
        return False
    # Glyph numbers as ASCII: a line mostly of punctuation, or of the symbols Chinese text has
    # no use for (a URL, a date or a phone number is neither).
    odd_symbols = sum(1 for ch in line if ch in _ODD_ASCII)
    return judged.symbols * 2 > judged.chars or (
        odd_symbols >= 2 and odd_symbols * 5 >= judged.chars
    )


def _splice(
    page: Any, textpage: Any, raw: str, lines: list[tuple[int, int]],
    bad: list[tuple[int, int]], number: int,
) -> PageText | None:  # fmt: skip
    """The page's text with its garbled lines replaced by OCR of where they are drawn (consecutive
    garbled lines read as one block); None when their place on the page is not known."""
    if page.get_rotation():
        return None
    scale = ocr.DPI / 72
    width, height = page.get_size()
    blocks: list[list[tuple[int, int]]] = []
    for span in bad:
        if blocks and lines.index(span) == lines.index(blocks[-1][-1]) + 1:
            blocks[-1].append(span)
        else:
            blocks.append([span])
    image = page.render(scale=scale, grayscale=True).to_pil()
    read: dict[tuple[int, int], str] = {}
    confidences: list[float] = []
    for block in blocks:
        boxes = [textpage.get_charbox(i) for a, b in block for i in range(a, b)]
        boxes = [box for box in boxes if box[2] > box[0] and box[3] > box[1]]
        if not boxes:
            return None
        left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
        margin = max((top - bottom) / len(block), 4.0) * 0.5
        crop = image.crop((
            int(max(left - margin, 0) * scale), int(max(height - top - margin, 0) * scale),
            int(min(right + margin, width) * scale), int(min(height - bottom + margin, height) * scale),
        ))  # fmt: skip
        try:
            found = ocr.recognize(crop)
        except RuntimeError:
            return None
        read[block[0]] = found.text
        for span in block[1:]:
            read[span] = ""
        if found.confidence is not None:
            confidences.append(found.confidence)
    parts = []
    for span in lines:
        a, b = span
        parts.append((read[span] if span in read else _fold(raw[a:b])) + raw[b : b + 2])
    return PageText(
        number, tidy("".join(parts)), ocr=True, reader="pdf-text+ocr",
        confidence=round(sum(confidences) / len(confidences), 3) if confidences else None,
    )  # fmt: skip


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 → "1-3, 5"."""
    parts: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(str(start) if start == previous else f"{start}-{previous}")
        if n is not None:
            start = previous = n
    return ", ".join(parts)
