"""PDF: pypdfium2 (Google's PDFium; Apache-2.0/BSD) for the text layer, and for rendering the
pages whose text layer is missing, garbled or only a stamp on a scan, which Tesseract then reads.

Each page's text layer is judged (`garbage.quality`) before it is kept: a font whose ToUnicode
map is broken gives private-use characters, replacement characters, Latin-1 letters or random
rare ideographs where the page shows plain Chinese. Such a page is read by OCR, and the better of
the two texts is kept; a good text layer is never replaced. Radicals and GBK read as Latin-1 are
repaired first (`garbage.repair`), since they keep the meaning."""

from __future__ import annotations

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


def read_pdf(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

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
    ocr_done = 0
    garbled: list[int] = []
    try:
        for index in range(len(document)):
            number = index + 1
            try:
                page = document[index]
            except pdfium.PdfiumError as error:
                warnings.append(f"page {number} cannot be read: {error}")
                continue
            try:
                textpage = page.get_textpage()
                raw = garbage.repair(textpage.get_text_range())
                textpage.close()
                text = tidy(raw)
                layer = PageText(number, text, reader="pdf-text" if text else "")
                found = garbage.quality(raw)
                count, cover = _images(page, pdfium_c)
                scan = count and (
                    printed(text) < MIN_TEXT_LAYER
                    or (cover >= SCAN_COVER and printed(text) < SHORT_LAYER)
                )
                if not (scan or found.garbled):
                    pages.append(layer)
                    continue
                if found.garbled:
                    garbled.append(number)
                if ocr_done >= MAX_OCR_PAGES:
                    if ocr_done == MAX_OCR_PAGES:
                        warnings.append(f"only the first {MAX_OCR_PAGES} pages were read by OCR")
                    ocr_done += 1
                    pages.append(layer)
                    continue
                ocr_done += 1
                reason = ocr.available()
                if reason and found.garbled:
                    warnings.append(
                        f"page {number}: its text layer is garbled ({found.reason()}) and OCR "
                        f"cannot read it instead: {reason}"
                    )
                if reason and printed(text) >= MIN_TEXT_LAYER:
                    pages.append(layer)  # no OCR: keep what the text layer has
                    continue
                image = page.render(scale=ocr.DPI / 72, grayscale=True).to_pil()
                scanned = ocr_image(image, number, warnings, "page")
                pages.append(_better(layer, scanned) if printed(text) else scanned)
            finally:
                page.close()
    finally:
        document.close()
    chosen = {page.number: page.reader for page in pages}
    replaced = [n for n in garbled if chosen.get(n) == "ocr"]
    if replaced:
        warnings.append(
            f"the text layer of page(s) {_ranges(replaced)} is garbled (a font without a "
            "usable Unicode map); read by OCR instead"
        )
    return pages


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
