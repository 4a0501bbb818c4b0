"""Which type a file is (by its bytes first, then its name, then the server's content type), and
its text, page by page, each page saying which reader made it.

Libraries, chosen for licence (Apache-2.0-compatible), speed and Chinese text, one module per
family under `formats/`:
- PDF (`formats.pdf`): pypdfium2 for the text layer, judged page by page (`garbage`), and for
  rendering the pages without a readable one, which Tesseract then reads (`ocr`);
- DOCX, XLS/XLSX/ET/ODS (`formats.office`): lxml streaming the XML, python-calamine;
- DOC and WPS (`formats.word`): the WordDocument stream's own text, antiword and catdoc (GPL
  programs run, not linked), the most complete kept; pictures of scans through OCR;
- OFD (`formats.ofd`), ZIP and RAR (`formats.archive`), RTF, HTML/MHT and text (`formats.plain`).

Every ZIP container (DOCX, XLSX, OFD, ODS, ZIP, nested ones) shares one unpack budget per file
(`zipsafe`); `isolated.read_attachment_isolated` reads in a child process with a memory limit.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import zipfile
from pathlib import Path

from crawler.attachments.formats.archive import read_rar, read_zip
from crawler.attachments.formats.images import read_image
from crawler.attachments.formats.ofd import read_ofd
from crawler.attachments.formats.office import read_docx, read_sheet
from crawler.attachments.formats.pdf import read_pdf
from crawler.attachments.formats.plain import read_html, read_rtf, read_text
from crawler.attachments.formats.word import byte_scan, read_word
from crawler.attachments.model import (
    MAX_OCR_PAGES,
    MAX_TEXT_CHARS,
    MIN_TEXT_LAYER,
    Context,
    FileText,
    PageText,
    Reader,
    printed,
)
from crawler.attachments.zipsafe import MAX_UNPACKED, Budget, UnpackLimit

__all__ = [
    "MAX_OCR_PAGES", "MAX_TEXT_CHARS", "MAX_UNPACKED", "MIN_TEXT_LAYER", "READERS",
    "TYPES", "FileText", "PageText", "detect_type", "read_attachment", "read_path",
]  # fmt: skip

#: Every type a file can be given; `unknown` is one no reader knows.
TYPES = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "ods", "ofd", "zip", "rar", "image",
         "rtf", "html", "txt", "unknown")  # fmt: skip
#: A file of no known layout that claims to be Word or WPS is read by scanning its bytes when
#: that finds at least this many characters of text.
MIN_SCANNED = 20
#: How deep archives within archives are opened.
MAX_DEPTH = 3

_EXTENSIONS = {
    "pdf": "pdf", "docx": "docx", "docm": "docx", "wps": "wps", "wpt": "wps", "doc": "doc",
    "dot": "doc", "xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "et": "et", "ods": "ods",
    "ofd": "ofd", "zip": "zip", "rar": "rar", "png": "image", "jpg": "image", "jpeg": "image",
    "tif": "image", "tiff": "image", "bmp": "image", "gif": "image", "webp": "image", "txt": "txt",
    "rtf": "rtf", "htm": "html", "html": "html", "mht": "html", "mhtml": "html",
}  # fmt: skip
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/ofd": "ofd",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "text/html": "html",
    "text/plain": "txt",
}


def _extension_type(name: str | None) -> str | None:
    if not name:
        return None
    base = name.rsplit("/", 1)[-1].split("?", 1)[0]
    if "." not in base:
        return None
    return _EXTENSIONS.get(base.rsplit(".", 1)[-1].strip().lower())


def _zip_type(data: bytes, by_name: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {n.lower() for n in archive.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "wps" if by_name == "wps" and "word/document.xml" not in names else "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ofd.xml" in names:
        return "ofd"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


def _ole_type(data: bytes, by_name: str | None) -> str:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path).lower() for path in ole.listdir()}
    except Exception:  # olefile raises plain exceptions on broken files
        return by_name if by_name in ("doc", "wps", "xls", "et") else "doc"
    if "workbook" in streams or "book" in streams:
        return "et" if by_name == "et" else "xls"
    if "worddocument" in streams:
        return "wps" if by_name == "wps" else "doc"
    return by_name if by_name in ("doc", "wps", "xls", "et") else "doc"


def _markup_type(data: bytes) -> str | None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"mime-version") or b"content-type: multipart/related" in head[:1024]:
        return "html"
    if head.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or (
        head.startswith(b"<?xml") and (b"<html" in head or b"w:worddocument" in head)
    ):
        return "html"
    return None


def _office_html(data: bytes, claimed: str | None) -> bool:
    """HTML that Word or Excel saved ("web page" .doc, .xls exports of a table), not a portal's
    error page where an office file was promised."""
    head = data[:8192].lower()
    if claimed in ("doc", "wps"):
        return (
            b"multipart/related" in head
            or b"urn:schemas-microsoft-com:office" in head
            or (b"progid" in head and b"word.document" in head)
        )
    if claimed in ("xls", "et"):
        return (
            b"urn:schemas-microsoft-com:office" in head
            or b"multipart/related" in head
            or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<table", b"<meta"))
        )
    return False


def detect_type(data: bytes, name: str | None = None, content_type: str | None = None) -> str:
    """The file's type: its first bytes decide; its name or content type only where they don't."""
    by_name = _extension_type(name)
    head = data[:8]
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_type(data, by_name)
    if head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        return _ole_type(data, by_name)
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if (
        head.startswith(b"\x89PNG")
        or head.startswith(b"\xff\xd8\xff")
        or head[:4] in (b"II*\x00", b"MM\x00*")
        or head.startswith((b"GIF87a", b"GIF89a", b"BM"))
        or (head.startswith(b"RIFF") and data[8:12] == b"WEBP")
    ):
        return "image"
    by_type = _CONTENT_TYPES.get((content_type or "").split(";", 1)[0].strip().lower())
    guess = by_name or by_type
    markup = _markup_type(data)
    # RTF is always a document; HTML only when nothing else was promised, or Word or Excel saved
    # it: an HTML page where a PDF was promised is the portal's error page.
    if markup == "rtf" or (markup == "html" and (
        guess in (None, "html", "txt") or _office_html(data, guess)
    )):  # fmt: skip
        return markup
    if guess in ("html", "rtf") and _looks_like_text(data):
        return guess
    if guess in ("doc", "wps", "xls", "et") and markup is None and _looks_like_text(data):
        return "txt"  # an office file saved as plain text or CSV (GBK, Big5, UTF-16)
    if guess == "txt" or (guess is None and _looks_like_text(data)):
        return "txt"
    return "unknown" if guess is None else f"unknown-{guess}"


def _looks_like_text(data: bytes) -> bool:
    """UTF-8, GB18030, Big5 or UTF-16 text that reads as text (a binary file of another kind
    decodes as GB18030 too, so the text is judged, not only decoded)."""
    from crawler.attachments import garbage

    sample = data[:4096]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample and sample.count(0) * 4 < len(sample):
        return False
    cut = len(sample) if len(data) <= 4096 else len(sample) - 4
    text, encoding = garbage.best_decoding(sample[:cut])
    return "replacements" not in encoding and not garbage.quality(text).unreadable


READERS: dict[str, Reader] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "doc": read_word,
    "wps": read_word,
    "xlsx": read_sheet,
    "xls": read_sheet,
    "et": read_sheet,
    "ods": read_sheet,
    "ofd": read_ofd,
    "zip": read_zip,
    "rar": read_rar,
    "image": read_image,
    "rtf": read_rtf,
    "html": read_html,
    "txt": read_text,
}


def read_attachment(
    data: bytes,
    name: str | None = None,
    content_type: str | None = None,
    *,
    depth: int = 0,
    budget: Budget | None = None,
) -> FileText:
    """The text of a file, page by page, with warnings; never raises on the file's content.
    `budget` is what its ZIP containers may unpack to (shared with the file it was found in)."""
    kind = detect_type(data, name, content_type)
    shown = name or "attachment"
    result = FileText(
        shown, kind.removeprefix("unknown-"), len(data), hashlib.sha256(data).hexdigest()
    )
    if not data:
        result.type = "unknown" if kind.startswith("unknown") else kind
        result.warnings.append("empty file")
        return result
    if kind in ("unknown-doc", "unknown-wps") and _markup_type(data) is None:
        scanned = byte_scan(data)
        if printed(scanned) >= MIN_SCANNED:
            result.pages = [PageText(1, scanned, reader="byte-scan")]
            result.warnings.append(
                f"not a {kind[8:].upper()} layout govwatch knows (an old WPS format?); its text "
                "was found by scanning its bytes (order and tables lost): convert it to DOCX "
                "for a full reading"
            )
            return result
    if kind.startswith("unknown"):
        claimed = kind.removeprefix("unknown").lstrip("-")
        result.type = "unknown"
        result.warnings.append(
            f"not a {claimed.upper()} file (its bytes say otherwise); not read"
            if claimed
            else "unknown file type (not PDF, Word, WPS, Excel, OFD, an archive or an image); not read"
        )
        return result
    if kind in ("zip", "rar") and depth >= MAX_DEPTH:
        result.warnings.append(f"archive nested deeper than {MAX_DEPTH}; not opened")
        return result
    ctx = Context(depth, budget if budget is not None else Budget(), read_attachment)
    try:
        result.pages = READERS[kind](data, result, ctx)
    except UnpackLimit as error:
        result.warnings.append(str(error))
    except MemoryError:
        result.warnings.append(f"reading stopped: out of memory reading this {kind.upper()} file")
    except Exception as error:  # every library raises its own: one warning, never a crash
        reason = " ".join(str(error).split())[:200] or type(error).__name__
        result.warnings.append(f"broken or unreadable {kind.upper()} file: {reason}")
    if not result.warnings and not any(page.text for page in result.pages):
        result.warnings.append("no text found in the file")
    return result


def read_path(path: str | Path) -> FileText:
    """A file on disk (OSError when it cannot be read at all)."""
    data = Path(path).read_bytes()
    return read_attachment(data, str(path), mimetypes.guess_type(str(path))[0])
