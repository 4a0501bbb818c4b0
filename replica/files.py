"""Attachment files with real bytes of their type and the text the corpus gives them: PDF with a
text layer, scanned PDF (page images only), DOCX, XLSX, OFD, ZIP of a DOCX (made by
`replica.formats`); legacy DOC, WPS and XLS are real samples made once with LibreOffice
(`samples/`, no free library writes them). Keys the corpus no longer names still answer with a
stand-in: a DOC of them is an OLE2 header without Word text, which readers must report as
unreadable, never crash on."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from replica import formats
from replica.content import Attachment
from replica.web import Response, not_found

if TYPE_CHECKING:
    from replica.corpus import Corpus

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "wps": "application/octet-stream",  # what portals send for WPS Office files
    "xls": "application/vnd.ms-excel",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
_KEY = re.compile(r"^[\w-]+-\d+-\d+\.(pdf|doc|ofd)$")


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(key.rsplit(".", 1)[-1], "application/octet-stream")


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _doc(text: str) -> bytes:
    """An OLE2 compound-file header (what `file` and Word check first), then the text."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + bytes.fromhex("3E000300FEFF0900")
    header += bytes(512 - len(header))
    return header + text.encode("utf-16-le").ljust(1024, b"\0")


def _ofd(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
            'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>'
            f"{text}</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
            "</ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:Document/>'
        )
    return out.getvalue()


@lru_cache(maxsize=256)
def attachment_bytes(key: str) -> bytes | None:
    """The bytes of an attachment named by the corpus (`<site>-<serial>-<n>.<type>`)."""
    match = _KEY.match(key)
    if match is None:
        return None
    return {"pdf": _pdf, "doc": _doc, "ofd": _ofd}[match.group(1)](f"govwatch replica {key}")


@lru_cache(maxsize=256)
def file_bytes(attachment: Attachment) -> bytes:
    """The file of an attachment, in its format, saying its text."""
    text = list(attachment.text)
    if attachment.type == "pdf":
        if attachment.scan and formats.can_scan():
            return formats.pdf_scan(text)
        return formats.pdf_text(text)
    if attachment.type == "docx":
        return formats.docx(text)
    if attachment.type == "xlsx":
        rows = [[_cell(value) for value in line.split("\t")] for line in text]
        return formats.xlsx({"Sheet1": rows})
    if attachment.type == "ofd":
        return formats.ofd(text)
    if attachment.type == "zip":
        base = attachment.name.rsplit(".", 1)[0].split("：", 1)[-1]
        return formats.zip_of({f"{base}.docx": formats.docx(text)}, gbk_names=True)
    if attachment.type in ("doc", "wps", "xls"):
        return _sample(attachment.type)
    return _doc(f"govwatch replica {attachment.key}")


@lru_cache(maxsize=4)
def _sample(type_: str) -> bytes:
    name = {"doc": "notice.doc", "wps": "notice.wps", "xls": "table.xls"}[type_]
    return (Path(__file__).parent / "samples" / name).read_bytes()


def _cell(value: str) -> str | int:
    return int(value) if value.isdigit() else value


def dated_name(day: dt.date, article_id: str, key: str) -> str:
    """A TRS-style attachment file name beside its article: P0<YYYYMMDD><id>_<key>."""
    return f"P0{day:%Y%m%d}{article_id}_{key}"


def response(name: str, path: str, corpus: Corpus | None = None) -> Response:
    """The attachment a file name ends in (`P0…_<key>` or `<key>`), or 404 for the path."""
    key = name.split("_", 1)[1] if name.startswith("P0") and "_" in name else name
    attachment = corpus.attachment(key) if corpus is not None else None
    body = file_bytes(attachment) if attachment is not None else attachment_bytes(key)
    return Response(200, body, content_type(key)) if body is not None else not_found(path)
