"""Which type a file is (by its bytes first, then its name, then the server's content type), and
its text, page by page.

Libraries, chosen for licence (Apache-2.0-compatible), speed and Chinese text:
- PDF: pypdfium2 (Google's PDFium; Apache-2.0/BSD) for the text layer and for rendering pages
  without one, which Tesseract then reads;
- DOCX: its word/document.xml read with lxml, paragraphs and tables in document order
  (python-docx reads the same an order of magnitude slower);
- XLS/XLSX/ET/ODS: python-calamine (MIT, Rust's calamine), every cell as text;
- DOC and WPS (OLE2 Word-format files): antiword, else catdoc, as subprocesses (GPL tools run,
  not linked); olefile (BSD) tells the OLE2 kinds apart;
- OFD (GB/T 33190): its XML pages read here, since no maintained Python library reads them;
- ZIP (zipfile, GBK member names too) and RAR (rarfile, with unrar or bsdtar) of all these.
"""

from __future__ import annotations

import functools
import hashlib
import io
import mimetypes
import posixpath
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.attachments import ocr

#: Every type a file can be given; `unknown` is one no reader knows.
TYPES = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "ods", "ofd", "zip", "rar", "image",
         "txt", "unknown")  # fmt: skip
#: A page with fewer printed characters than this, and an image on it, is read by OCR.
MIN_TEXT_LAYER = 8
#: At most this many pages of one file go through OCR (a 300-page scan would take an hour).
MAX_OCR_PAGES = 40
#: Archives: how deep archives within archives are opened, and how many bytes they may unpack to.
MAX_DEPTH = 3
MAX_UNPACKED = 200 * 1024 * 1024

_EXTENSIONS = {
    "pdf": "pdf", "docx": "docx", "docm": "docx", "wps": "wps", "doc": "doc", "dot": "doc",
    "xlsx": "xlsx", "xlsm": "xlsx", "xls": "xls", "et": "et", "ods": "ods", "ofd": "ofd",
    "zip": "zip", "rar": "rar", "png": "image", "jpg": "image", "jpeg": "image", "tif": "image",
    "tiff": "image", "bmp": "image", "gif": "image", "webp": "image", "txt": "txt",
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
    "text/plain": "txt",
}


@dataclass
class PageText:
    """The text of one page (a PDF or OFD page, a sheet, a whole Word file, an image)."""

    number: int  # 1-based, within its file
    text: str
    ocr: bool = False
    confidence: float | None = None  # OCR's, 0..1
    file: str | None = None  # the member of an archive it comes from

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"page": self.number, "ocr": self.ocr, "chars": len(self.text)}
        if self.ocr:
            record["confidence"] = self.confidence
        if self.file is not None:
            record["file"] = self.file
        record["text"] = self.text
        return record


@dataclass
class FileText:
    """What a file says: its type, its pages' text, and what went wrong reading it."""

    name: str
    type: str
    size: int
    sha256: str
    pages: list[PageText] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # an archive's files, as read

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages if page.text)

    @property
    def ocr(self) -> bool:
        return any(page.ocr for page in self.pages)

    @property
    def ocr_confidence(self) -> float | None:
        """The mean OCR confidence over the pages read by OCR, weighted by their length."""
        scored = [(p.confidence, len(p.text)) for p in self.pages if p.ocr and p.confidence]
        total = sum(n for _, n in scored)
        if not total:
            return None
        return round(sum(c * n for c, n in scored if c is not None) / total, 3)

    def to_record(self) -> dict[str, Any]:
        """The JSON `govwatch attachment` prints."""
        return {
            "file": self.name,
            "type": self.type,
            "size": self.size,
            "sha256": self.sha256,
            "page_count": len(self.pages),
            "ocr": self.ocr,
            "ocr_confidence": self.ocr_confidence,
            "text": self.text,
            "pages": [page.to_record() for page in self.pages],
            **({"members": self.members} if self.members else {}),
            "warnings": self.warnings,
        }


def _extension_type(name: str | None) -> str | None:
    if not name:
        return None
    base = name.rsplit("/", 1)[-1].split("?", 1)[0]
    if "." not in base:
        return None
    return _EXTENSIONS.get(base.rsplit(".", 1)[-1].strip().lower())


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names or "ofd.xml" in {n.lower() for n in names}:
        return "ofd"
    if "content.xml" in names and "mimetype" in names:
        return "ods"
    return "zip"


def _ole_type(data: bytes, by_name: str | None) -> str:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path).lower() for path in ole.listdir()}
    except (OSError, ValueError, Exception):  # olefile raises plain exceptions on broken files
        return by_name if by_name in ("doc", "wps", "xls", "et") else "doc"
    if "workbook" in streams or "book" in streams:
        return "et" if by_name == "et" else "xls"
    if "worddocument" in streams:
        return "wps" if by_name == "wps" else "doc"
    return by_name if by_name in ("doc", "wps", "xls", "et") else "doc"


def detect_type(data: bytes, name: str | None = None, content_type: str | None = None) -> str:
    """The file's type: its first bytes decide; its name or content type only where they don't."""
    by_name = _extension_type(name)
    head = data[:8]
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_type(data)
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
    if guess == "txt" or (guess is None and _looks_like_text(data)):
        return "txt"
    return "unknown" if guess is None else f"unknown-{guess}"


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    if not sample or b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start > len(sample) - 4:  # a character cut by the sample's end
                return True
    return False


# Readers: bytes → pages, warnings appended to the list they are given.
Reader = Callable[[bytes, "FileText", int], list[PageText]]


def _tidy(text: str) -> str:
    """Line ends as \\n, no trailing spaces, no runs of blank lines, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]", "", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _ocr_image(image: Any, number: int, warnings: list[str], what: str) -> PageText:
    try:
        found = ocr.recognize(image)
    except RuntimeError as error:
        warnings.append(f"{what} {number} has no text layer and was not read: {error}")
        return PageText(number, "", ocr=False)
    return PageText(number, _tidy(found.text), ocr=True, confidence=found.confidence)


def _read_pdf(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

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
    try:
        for index in range(len(document)):
            try:
                page = document[index]
            except pdfium.PdfiumError as error:
                warnings.append(f"page {index + 1} cannot be read: {error}")
                continue
            try:
                textpage = page.get_textpage()
                text = _tidy(textpage.get_text_range())
                textpage.close()
                printed = len(re.sub(r"\s", "", text))
                if printed < MIN_TEXT_LAYER and any(
                    True
                    for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
                ):
                    if ocr_done >= MAX_OCR_PAGES:
                        if ocr_done == MAX_OCR_PAGES:
                            warnings.append(
                                f"only the first {MAX_OCR_PAGES} scanned pages were read by OCR"
                            )
                        ocr_done += 1
                        pages.append(PageText(index + 1, text))
                        continue
                    ocr_done += 1
                    image = page.render(scale=ocr.DPI / 72, grayscale=True).to_pil()
                    scanned = _ocr_image(image, index + 1, warnings, "page")
                    if printed and not scanned.text:
                        scanned = PageText(index + 1, text)
                    pages.append(scanned)
                else:
                    pages.append(PageText(index + 1, text))
            finally:
                page.close()
    finally:
        document.close()
    return pages


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_paragraph(paragraph: Any) -> str:
    parts: list[str] = []
    for el in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        else:
            parts.append("\t" if el.tag == f"{_W}tab" else "\n")
    return "".join(parts)


def _docx_blocks(parent: Any, lines: list[str]) -> None:
    """Paragraphs and tables in document order (a table row a line, its cells tab-separated;
    content controls and nested tables opened)."""
    for child in parent:
        if child.tag == f"{_W}p":
            lines.append(_docx_paragraph(child))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells: list[str] = []
                for cell in row.iterchildren(f"{_W}tc"):
                    inner: list[str] = []
                    _docx_blocks(cell, inner)
                    cells.append(" ".join(line.strip() for line in inner if line.strip()))
                lines.append("\t".join(cells))
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins"):
            _docx_blocks(child, lines)


def _read_docx(data: bytes, into: FileText, depth: int) -> list[PageText]:
    """word/document.xml read with lxml: what python-docx gives, without building its object
    model (an order of magnitude faster, bench/attachments.py)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"), parser)
    body = root.find(f"{_W}body")
    lines: list[str] = []
    _docx_blocks(body if body is not None else root, lines)
    return [PageText(1, _tidy("\n".join(lines)))]


def _run_tool(command: list[str], data: bytes, suffix: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(
            [*command, handle.name], capture_output=True, timeout=120, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(" ".join(done.stderr.decode("utf-8", "replace").split())[:200])
    return done.stdout.decode("utf-8", "replace")


#: The legacy Word readers, best first: each a Debian package.
WORD_TOOLS = (
    ("antiword", ["antiword", "-m", "UTF-8.txt", "-w", "0"]),
    ("catdoc", ["catdoc", "-d", "utf-8", "-w"]),
)


def _read_word(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    reasons: list[str] = []
    for tool, command in WORD_TOOLS:
        if shutil.which(tool) is None:
            reasons.append(f"{tool} is not installed")
            continue
        try:
            text = _tidy(_run_tool(command, data, ".doc"))
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            reasons.append(f"{tool}: {error}")
            continue
        if text:
            return [PageText(1, text)]
        reasons.append(f"{tool} found no text")
    warnings.append(
        "legacy Word/WPS file not read ("
        + "; ".join(reasons)
        + "); apt-get install antiword catdoc, or convert it to DOCX"
    )
    return []


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def _read_sheet(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    pages = []
    for number, name in enumerate(book.sheet_names, 1):
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
        except Exception as error:  # calamine raises its own error types per format
            warnings.append(f"sheet {name!r} cannot be read: {error}")
            continue
        lines = ["\t".join(_cell(value) for value in row).rstrip("\t") for row in rows]
        pages.append(PageText(number, _tidy("\n".join(line for line in lines if line.strip()))))
    return pages


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _ofd_path(base: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, location))


def _read_ofd(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    """GB/T 33190: OFD.xml → each DocBody's DocRoot → its Pages → each page's Content.xml, whose
    TextObjects carry TextCode runs; an object on a new baseline starts a new line. A page with
    no text and an image on it goes through OCR."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    pages: list[PageText] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = {name.lower(): name for name in archive.namelist()}

        def xml(path: str) -> Any:
            real = names.get(path.lower())
            if real is None:
                raise KeyError(path)
            return etree.fromstring(archive.read(real), parser)

        root = xml("OFD.xml")
        doc_roots = [el.text or "" for el in root.iter() if _local(el.tag) == "DocRoot"]
        if not doc_roots:
            warnings.append("OFD without a DocRoot: no document in it")
        for doc_root in doc_roots:
            document_path = _ofd_path("", doc_root)
            document = xml(document_path)
            base = posixpath.dirname(document_path)
            media = _ofd_media(xml, document, base)
            for page_el in (el for el in document.iter() if _local(el.tag) == "Page"):
                location = page_el.get("BaseLoc")
                if not location:
                    continue
                number = len(pages) + 1
                try:
                    content = xml(_ofd_path(base, location))
                except (KeyError, etree.XMLSyntaxError) as error:
                    warnings.append(f"OFD page {number} cannot be read: {error}")
                    pages.append(PageText(number, ""))
                    continue
                text, images = _ofd_page_text(content)
                if len(re.sub(r"\s", "", text)) < MIN_TEXT_LAYER and images:
                    page = _ofd_ocr(archive, names, media, images, number, warnings)
                    if page is not None:
                        pages.append(page)
                        continue
                pages.append(PageText(number, text))
    return pages


def _ofd_media(xml: Callable[[str], Any], document: Any, base: str) -> dict[str, str]:
    """Resource id → path of the media file, from the document's PublicRes and DocumentRes."""
    found: dict[str, str] = {}
    for el in document.iter():
        if _local(el.tag) not in ("PublicRes", "DocumentRes") or not el.text:
            continue
        path = _ofd_path(base, el.text)
        try:
            res = xml(path)
        except Exception:  # a missing or broken resource file: its media are not found
            continue
        res_base = _ofd_path(posixpath.dirname(path), res.get("BaseLoc") or "")
        for media in res.iter():
            if _local(media.tag) != "MultiMedia":
                continue
            for child in media:
                if _local(child.tag) == "MediaFile" and child.text:
                    found[media.get("ID", "")] = _ofd_path(res_base, child.text)
    return found


def _ofd_page_text(content: Any) -> tuple[str, list[str]]:
    lines: list[str] = []
    last_y: float | None = None
    images: list[str] = []
    for el in content.iter():
        name = _local(el.tag)
        if name == "ImageObject" and el.get("ResourceID"):
            images.append(el.get("ResourceID"))
        if name != "TextObject":
            continue
        boundary = (el.get("Boundary") or "0 0 0 0").split()
        try:
            y = float(boundary[1])
        except (IndexError, ValueError):
            y = last_y or 0.0
        codes = "".join(code.text or "" for code in el if _local(code.tag) == "TextCode")
        if last_y is not None and abs(y - last_y) < 1.0 and lines:
            lines[-1] += codes
        else:
            lines.append(codes)
        last_y = y
    return _tidy("\n".join(lines)), images


def _ofd_ocr(
    archive: zipfile.ZipFile, names: dict[str, str], media: dict[str, str], images: list[str],
    number: int, warnings: list[str],
) -> PageText | None:  # fmt: skip
    from PIL import Image

    texts: list[PageText] = []
    for resource in images:
        path = media.get(resource)
        real = names.get(path.lower()) if path else None
        if real is None:
            continue
        try:
            image = Image.open(io.BytesIO(archive.read(real)))
            image.load()
        except Exception as error:  # Pillow raises many kinds on a broken image
            warnings.append(f"OFD page {number}: image {path} cannot be opened: {error}")
            continue
        texts.append(_ocr_image(_upscaled(image.convert("L")), number, warnings, "OFD page"))
    read = [t for t in texts if t.ocr]
    if not read:
        return None
    confidences = [t.confidence for t in read if t.confidence is not None]
    return PageText(
        number,
        "\n".join(t.text for t in read),
        ocr=True,
        confidence=round(sum(confidences) / len(confidences), 3) if confidences else None,
    )


#: Images narrower than this are enlarged before OCR: Tesseract misses characters drawn smaller
#: than about 20 pixels, which is what a page scanned or photographed at 150 dpi gives.
OCR_WIDTH = 2400


def _upscaled(image: Any) -> Any:
    from PIL import Image

    factor = min(4, -(-OCR_WIDTH // max(image.width, 1)))
    if factor <= 1:
        return image
    return image.resize((image.width * factor, image.height * factor), Image.Resampling.LANCZOS)


def _read_image(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    from PIL import Image, ImageSequence

    image = Image.open(io.BytesIO(data))
    pages = []
    for number, frame in enumerate(ImageSequence.Iterator(image), 1):
        if number > MAX_OCR_PAGES:
            warnings.append(f"only the first {MAX_OCR_PAGES} frames were read by OCR")
            break
        pages.append(_ocr_image(_upscaled(frame.convert("L")), number, warnings, "image"))
    return pages


def _read_text(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return [PageText(1, _tidy(data.decode(encoding)))]
        except UnicodeDecodeError:
            continue
    warnings.append("text in an unknown encoding; read as UTF-8 with replacements")
    return [PageText(1, _tidy(data.decode("utf-8", "replace")))]


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name: ZIP files made on Chinese Windows write GBK names without the UTF-8 flag
    (zipfile then decodes them as CP437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_members(
    members: Sequence[tuple[str, Callable[[], bytes]]],
    warnings: list[str],
    depth: int,
    container: str,
) -> tuple[list[PageText], list[str]]:
    pages: list[PageText] = []
    names: list[str] = []
    for name, load in members:
        try:
            data = load()
        except Exception as error:  # encrypted, broken or unsupported compression
            reason = " ".join(str(error).split()) or type(error).__name__
            warnings.append(f"{name}: cannot be unpacked from the {container} ({reason})")
            continue
        inner = read_attachment(data, name, depth=depth + 1)
        names.append(name)
        warnings.extend(f"{name}: {warning}" for warning in inner.warnings)
        for page in inner.pages:
            page.file = f"{name}/{page.file}" if page.file else name
            pages.append(page)
    return pages, names


def _read_zip(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    pages: list[PageText] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos) > MAX_UNPACKED:
            warnings.append(f"archive unpacks to more than {MAX_UNPACKED // 2**20} MB; not opened")
            return []
        members: list[tuple[str, Callable[[], bytes]]] = []
        for info in infos:
            if info.flag_bits & 0x1:
                warnings.append(f"{_member_name(info)}: encrypted in the archive; not read")
                continue
            members.append((_member_name(info), functools.partial(archive.read, info)))
        pages, names = _read_members(members, warnings, depth, "ZIP file")
    into.members.extend(names)
    return pages


def _read_rar(data: bytes, into: FileText, depth: int) -> list[PageText]:
    warnings = into.warnings
    import rarfile

    if not any(shutil.which(tool) for tool in ("unrar", "unar", "bsdtar", "7z")):
        warnings.append(
            "RAR not opened: no unrar, unar, bsdtar or 7z; apt-get install libarchive-tools"
        )
        return []
    try:
        archive = rarfile.RarFile(io.BytesIO(data))
    except (rarfile.Error, OSError) as error:
        warnings.append(f"broken RAR file, not opened: {error}")
        return []
    with archive:
        if archive.needs_password():
            warnings.append("encrypted RAR file (a password is needed); not opened")
            return []
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size or 0 for i in infos) > MAX_UNPACKED:
            warnings.append(f"archive unpacks to more than {MAX_UNPACKED // 2**20} MB; not opened")
            return []
        members = [(str(i.filename), functools.partial(archive.read, i)) for i in infos]
        pages, names = _read_members(members, warnings, depth, "RAR file")
    into.members.extend(names)
    return pages


READERS: dict[str, Reader] = {
    "pdf": _read_pdf,
    "docx": _read_docx,
    "doc": _read_word,
    "wps": _read_word,
    "xlsx": _read_sheet,
    "xls": _read_sheet,
    "et": _read_sheet,
    "ods": _read_sheet,
    "ofd": _read_ofd,
    "zip": _read_zip,
    "rar": _read_rar,
    "image": _read_image,
    "txt": _read_text,
}


def read_attachment(
    data: bytes, name: str | None = None, content_type: str | None = None, *, depth: int = 0
) -> FileText:
    """The text of a file, page by page, with warnings; never raises on the file's content."""
    kind = detect_type(data, name, content_type)
    shown = name or "attachment"
    result = FileText(
        shown, kind.removeprefix("unknown-"), len(data), hashlib.sha256(data).hexdigest()
    )
    if not data:
        result.type = "unknown" if kind.startswith("unknown") else kind
        result.warnings.append("empty file")
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
    try:
        result.pages = READERS[kind](data, result, depth)
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
