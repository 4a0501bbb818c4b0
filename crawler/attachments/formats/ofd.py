"""OFD (GB/T 33190): OFD.xml → each DocBody's DocRoot → its Pages → each page's Content.xml,
whose TextObjects carry TextCode runs; an object on a new baseline starts a new line. A page with
no text and a picture on it goes through OCR. Read here (lxml), since no maintained Python
library reads OFD; every part comes through the unpack budget (`zipsafe`)."""

from __future__ import annotations

import io
import posixpath
import re
from collections.abc import Callable, Iterable
from typing import Any

from crawler.attachments.formats.images import ocr_image, upscaled
from crawler.attachments.model import (
    MAX_TEXT_CHARS,
    MIN_TEXT_LAYER,
    Context,
    FileText,
    PageText,
    tidy,
)
from crawler.attachments.zipsafe import SafeZip


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _path(base: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, location))


def read_ofd(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    from lxml import etree

    warnings = into.warnings
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    pages: list[PageText] = []
    with SafeZip(data, ctx.budget, "OFD file") as archive:

        def xml(path: str) -> Any:
            if archive.find(path) is None:
                raise KeyError(path)
            return etree.fromstring(archive.read(path), parser)

        root = xml("OFD.xml")
        doc_roots = [el.text or "" for el in root.iter() if _local(el.tag) == "DocRoot"]
        if not doc_roots:
            warnings.append("OFD without a DocRoot: no document in it")
        for doc_root in doc_roots:
            document_path = _path("", doc_root)
            document = xml(document_path)
            base = posixpath.dirname(document_path)
            media = _media(xml, document, base)
            for page_el in (el for el in document.iter() if _local(el.tag) == "Page"):
                location = page_el.get("BaseLoc")
                if not location:
                    continue
                number = len(pages) + 1
                try:
                    text, images = _page_text(archive, _path(base, location))
                except (KeyError, etree.XMLSyntaxError) as error:
                    warnings.append(f"OFD page {number} cannot be read: {error}")
                    pages.append(PageText(number, ""))
                    continue
                if len(re.sub(r"\s", "", text)) < MIN_TEXT_LAYER and images:
                    page = _ocr(archive, media, images, number, warnings)
                    if page is not None:
                        pages.append(page)
                        continue
                pages.append(PageText(number, text, reader="ofd-xml" if text else ""))
    return pages


def _media(xml: Callable[[str], Any], document: Any, base: str) -> dict[str, str]:
    """Resource id → path of the media file, from the document's PublicRes and DocumentRes."""
    found: dict[str, str] = {}
    for el in document.iter():
        if _local(el.tag) not in ("PublicRes", "DocumentRes") or not el.text:
            continue
        path = _path(base, el.text)
        try:
            res = xml(path)
        except Exception:  # a missing or broken resource file: its media are not found
            continue
        res_base = _path(posixpath.dirname(path), res.get("BaseLoc") or "")
        for media in res.iter():
            if _local(media.tag) != "MultiMedia":
                continue
            for child in media:
                if _local(child.tag) == "MediaFile" and child.text:
                    found[media.get("ID", "")] = _path(res_base, child.text)
    return found


#: A page's XML up to this size is parsed whole (faster); a larger one is streamed.
SMALL_PAGE = 4 * 2**20
#: More text and picture objects than this on one page is a bomb, not a page.
MAX_OBJECTS = 1_000_000


def _page_text(archive: SafeZip, path: str) -> tuple[str, list[str]]:
    """A page's text (an object on a new baseline starts a new line) and its pictures'
    resource ids, streamed: a page of a million objects is never a tree in memory."""
    from lxml import etree

    info = archive.find(path)
    if info is None:
        raise KeyError(path)
    if info.file_size <= SMALL_PAGE:  # (zipfile never unpacks past the declared size)
        root = etree.fromstring(archive.read(info), etree.XMLParser(resolve_entities=False,
                                                                    no_network=True))  # fmt: skip
        objects = root.iter("{*}TextObject", "{*}ImageObject")
        return _lines(objects, streamed=False)
    with archive.open(info) as stream:
        events = etree.iterparse(
            stream, tag=("{*}TextObject", "{*}ImageObject"), resolve_entities=False,
            no_network=True, huge_tree=True, load_dtd=False,
        )  # fmt: skip
        return _lines((el for _, el in events), streamed=True)


def _lines(objects: Iterable[Any], streamed: bool) -> tuple[str, list[str]]:
    """The text of a page's objects (an object on a new baseline starts a new line) and its
    pictures' resource ids; streamed objects are dropped from the tree once read."""
    lines: list[str] = []
    last_y: float | None = None
    images: list[str] = []
    size = 0
    for count, el in enumerate(objects):
        if count > MAX_OBJECTS or size > MAX_TEXT_CHARS:
            raise ValueError(f"more than {MAX_OBJECTS:,} objects on the page; a bomb?")
        if _local(el.tag) == "ImageObject":
            if el.get("ResourceID"):
                images.append(el.get("ResourceID"))
        else:
            boundary = (el.get("Boundary") or "0 0 0 0").split()
            try:
                y = float(boundary[1])
            except (IndexError, ValueError):
                y = last_y or 0.0
            codes = "".join(code.text or "" for code in el if _local(code.tag) == "TextCode")
            size += len(codes)
            if last_y is not None and abs(y - last_y) < 1.0 and lines:
                lines[-1] += codes
            else:
                lines.append(codes)
            last_y = y
        if streamed:
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
    return tidy("\n".join(lines)), images


def _ocr(
    archive: SafeZip, media: dict[str, str], images: list[str], number: int, warnings: list[str]
) -> PageText | None:
    from PIL import Image

    texts: list[PageText] = []
    for resource in images:
        path = media.get(resource)
        if path is None or archive.find(path) is None:
            continue
        try:
            image = Image.open(io.BytesIO(archive.read(path)))
            image.load()
        except Exception as error:  # Pillow raises many kinds on a broken image
            warnings.append(f"OFD page {number}: image {path} cannot be opened: {error}")
            continue
        texts.append(ocr_image(upscaled(image.convert("L")), number, warnings, "OFD page"))
    read = [t for t in texts if t.ocr]
    if not read:
        return None
    confidences = [t.confidence for t in read if t.confidence is not None]
    return PageText(
        number,
        "\n".join(t.text for t in read),
        ocr=True,
        confidence=round(sum(confidences) / len(confidences), 3) if confidences else None,
        reader="ocr",
    )
