"""Pictures to text: OCR of page images, and the pictures inside other files — JPEG and PNG
streams found by their signatures (in OLE Word/WPS files, in EMF/WMF), and the bitmaps EMF and
WMF metafiles draw (a scanned page pasted into Word is often an EMF around one bitmap)."""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Iterable
from typing import Any

from crawler.attachments import ocr
from crawler.attachments.model import MAX_OCR_PAGES, FileText, PageText, tidy

#: Images narrower than this are enlarged before OCR: Tesseract misses characters drawn smaller
#: than about 20 pixels, which is what a page scanned or photographed at 150 dpi gives.
OCR_WIDTH = 2400
#: A picture smaller than this (pixels a side, pixels in all) is a logo, a seal or a thumbnail,
#: not a page or a table worth OCR.
MIN_SIDE = 200
MIN_AREA = 250_000
#: Pictures of more pixels than this are not decoded (an A4 page at 600 dpi is 35 million).
MAX_PIXELS = 60_000_000
#: OCR of a picture that finds fewer characters than this found no text (a photo, a chart).
MIN_OCR_CHARS = 10


def upscaled(image: Any) -> Any:
    from PIL import Image

    factor = min(4, -(-OCR_WIDTH // max(image.width, 1)))
    if factor <= 1:
        return image
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.LANCZOS)


def ocr_image(
    image: Any, number: int, warnings: list[str], what: str, reader: str = "ocr"
) -> PageText:
    """One picture through OCR; a warning (and an empty page) when OCR cannot run."""
    try:
        found = ocr.recognize(image)
    except RuntimeError as error:
        warnings.append(f"{what} {number} has no text layer and was not read: {error}")
        return PageText(number, "", ocr=False)
    return PageText(number, tidy(found.text), ocr=True, confidence=found.confidence, reader=reader)


def page_like(image: Any) -> bool:
    return bool(min(image.size) >= MIN_SIDE and image.width * image.height >= MIN_AREA)


def open_picture(data: bytes) -> Any | None:
    """A picture's first frame as a PIL image (EMF/WMF: the largest bitmap they draw), or None."""

    if (data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF") or data[:4] in (
        b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00",
    ):  # fmt: skip
        found = [open_picture(inner) for inner in metafile_bitmaps(data)]
        found += [open_picture(inner) for inner in signature_images(data)]
        images = [image for image in found if image is not None]
        return max(images, key=lambda i: i.width * i.height) if images else None
    try:
        image = _open(data)
        if not _fits(image):
            return None
        image.load()
    except Exception:  # Pillow raises many kinds on a broken or unknown picture
        return None
    return image


def _open(data: bytes) -> Any:
    """Pillow's lazy open, without its warning on large pictures (`_fits` judges them)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def _fits(image: Any) -> bool:
    """Whether a picture is small enough to decode (a JPEG is decoded at a fraction of its size
    until it is): its pixels cost memory before OCR sees them."""
    if image.width * image.height <= MAX_PIXELS:
        return True
    if image.format == "JPEG":
        image.draft("L", (image.width // 4, image.height // 4))
        return bool(image.width * image.height <= MAX_PIXELS)
    return False


def _bmp(dib: bytes) -> bytes | None:
    """A device-independent bitmap (BITMAPINFO and bits) as a BMP file."""
    if len(dib) < 40:
        return None
    size, _, _, _, bits, compression = struct.unpack_from("<IiiHHI", dib)
    if size not in (12, 40, 52, 56, 108, 124):
        return None
    if size == 12:
        colours = (1 << bits if bits <= 8 else 0) * 3
    else:
        used = struct.unpack_from("<I", dib, 32)[0]
        colours = (used or (1 << bits if bits <= 8 else 0)) * 4
        if size == 40 and compression in (3, 6):
            colours += 12 if compression == 3 else 16
    offset = 14 + size + colours
    return b"BM" + struct.pack("<IHHI", 14 + len(dib), 0, 0, offset) + dib


def metafile_bitmaps(data: bytes) -> list[bytes]:
    """The bitmaps an EMF or WMF draws, each as a BMP file."""
    found: list[bytes] = []
    if data[40:44] == b" EMF":
        at = 0
        while at + 8 <= len(data):
            kind, size = struct.unpack_from("<II", data, at)
            if size < 8 or at + size > len(data):
                break
            where = {76: 84, 77: 84, 80: 48, 81: 48}.get(kind)
            if where is not None and size >= where + 16:
                bmi_at, bmi_size, bits_at, bits_size = struct.unpack_from("<IIII", data, at + where)
                record = data[at : at + size]
                dib = record[bmi_at : bmi_at + bmi_size] + record[bits_at : bits_at + bits_size]
                bmp = _bmp(dib) if bmi_size and bits_size else None
                if bmp:
                    found.append(bmp)
            if kind == 14:  # EMR_EOF
                break
            at += size
        return found
    at = 22 if data[:4] == b"\xd7\xcd\xc6\x9a" else 0
    if len(data) < at + 18:
        return found
    at += struct.unpack_from("<H", data, at + 2)[0] * 2  # the header's size, in 16-bit words
    while at + 6 <= len(data):
        words, function = struct.unpack_from("<IH", data, at)
        if words < 3 or at + words * 2 > len(data):
            break
        start = {0x0F43: 28, 0x0B41: 26, 0x0940: 22}.get(function)
        if start is not None and words * 2 > start + 40:
            bmp = _bmp(data[at + start : at + words * 2])
            if bmp:
                found.append(bmp)
        if function == 0:
            break
        at += words * 2
    return found


def _jpeg_end(blob: bytes, at: int) -> int:
    """Where the JPEG starting at `at` ends: its segments walked to the scan, then the end
    marker (an EXIF thumbnail's own end marker, inside a segment, is skipped that way)."""
    pos = at + 2
    while pos + 4 <= len(blob) and blob[pos] == 0xFF:
        marker = blob[pos + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the end marker
            found = blob.find(b"\xff\xd9", pos)
            return len(blob) if found == -1 else found + 2
        if marker in (0x01, *range(0xD0, 0xD8)):
            pos += 2
            continue
        pos += 2 + struct.unpack_from(">H", blob, pos + 2)[0]
    return len(blob)


def _png_end(blob: bytes, at: int) -> int:
    found = blob.find(b"IEND", at)
    return len(blob) if found == -1 else found + 8


def signature_images(blob: bytes, limit: int = 200) -> list[bytes]:
    """JPEG and PNG pictures inside other bytes, found by their signatures, each cut at its own
    end (not a copy of the rest of the blob per picture: a stream of many would take gigabytes)."""
    found: list[bytes] = []
    for signature, end_of in ((b"\xff\xd8\xff", _jpeg_end), (b"\x89PNG\r\n\x1a\n", _png_end)):
        at = blob.find(signature)
        while at != -1 and len(found) < limit:
            end = end_of(blob, at)
            found.append(blob[at:end])
            at = blob.find(signature, max(end, at + 1))
    return found


def ocr_pictures(
    pictures: Iterable[tuple[str, bytes]], into: FileText, first: int, reader: str
) -> list[PageText]:
    """Page-like pictures through OCR, one page each, numbered from `first`; the same picture
    twice (a JPEG and its thumbnail, a picture used on two pages) only once."""
    pages: list[PageText] = []
    seen: set[str] = set()
    for name, data in pictures:
        image = open_picture(data)
        if image is None or not page_like(image):
            continue
        key = hashlib.sha256(image.convert("L").resize((32, 32)).tobytes()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        reason = ocr.available()
        if reason:
            into.warnings.append(f"pictures of text in the file were not read: {reason}")
            break
        if len(pages) >= MAX_OCR_PAGES:
            into.warnings.append(f"only the first {MAX_OCR_PAGES} pictures were read by OCR")
            break
        what = f"picture {name}:"
        page = ocr_image(
            upscaled(image.convert("L")), first + len(pages), into.warnings, what, reader
        )
        if page.ocr and _text_like(page.text):
            pages.append(page)
    return pages


def _text_like(text: str) -> bool:
    """OCR of a photograph or a chart gives a few scattered characters: not text to keep."""
    from crawler.attachments import garbage

    judged = garbage.quality(text)
    return judged.chars >= MIN_OCR_CHARS and not judged.unreadable


def read_image(data: bytes, into: FileText, ctx: object) -> list[PageText]:
    from PIL import ImageSequence

    image = _open(data)
    if not _fits(image):
        into.warnings.append(
            f"a picture of {image.width}×{image.height} pixels, too large to read (over "
            f"{MAX_PIXELS // 10**6} million); scan it at 300 dpi or less"
        )
        return []
    pages = []
    for number, frame in enumerate(ImageSequence.Iterator(image), 1):
        if number > MAX_OCR_PAGES:
            into.warnings.append(f"only the first {MAX_OCR_PAGES} frames were read by OCR")
            break
        pages.append(ocr_image(upscaled(frame.convert("L")), number, into.warnings, "image"))
    return pages
