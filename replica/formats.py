"""Attachment files of real formats, made from text: what the replica serves and the tests read.

- PDF with a text layer (reportlab, its built-in Adobe CJK font STSong-Light: nothing embedded);
- scanned PDF: the text drawn on a page image (Pillow and a CJK font from Debian,
  `fonts-wqy-zenhei` or `fonts-noto-cjk`), no text layer at all;
- DOCX (python-docx), XLSX (openpyxl), OFD (GB/T 33190 XML pages, written here), ZIP of these.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from PIL import Image

#: CJK fonts Debian installs, best first (`apt-get install fonts-wqy-zenhei`).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_LINE = 30  # characters per printed line


def cjk_font() -> str | None:
    """A CJK font file to draw scans with, or None (then no scan can be made)."""
    return next((path for path in CJK_FONTS if Path(path).exists()), None)


def _wrap(paragraphs: Sequence[str], width: int = _LINE) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        text = paragraph or ""
        while len(text) > width:
            lines.append(text[:width])
            text = text[width:]
        lines.append(text)
    return lines


def pdf_text(paragraphs: Sequence[str], title: str = "govwatch replica") -> bytes:
    """A PDF whose pages carry the text as text (one line per printed line)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    height = A4[1]
    y = height - 72
    for line in _wrap(paragraphs):
        if y < 72:
            pdf.showPage()
            y = height - 72
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(60, y, line)
        y -= 24
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _scan_pages(paragraphs: Sequence[str], dpi: int = 150) -> list[Image.Image]:
    from PIL import Image, ImageDraw, ImageFont

    path = cjk_font()
    if path is None:
        raise RuntimeError("no CJK font to draw a scan with; apt-get install fonts-wqy-zenhei")
    font = ImageFont.truetype(path, size=dpi * 14 // 72)
    width, height = dpi * 827 // 100, dpi * 1169 // 100  # A4
    step = dpi * 24 // 72
    pages = []
    lines = _wrap(paragraphs)
    per_page = (height - 2 * dpi) // step
    for start in range(0, max(len(lines), 1), per_page):
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y = dpi
        for line in lines[start : start + per_page]:
            draw.text((dpi * 60 // 72, y), line, fill=0, font=font)
            y += step
        pages.append(image)
    return pages


def pdf_scan(paragraphs: Sequence[str], dpi: int = 150) -> bytes:
    """A PDF of page images only, as a scanner makes it: no text layer."""
    pages = _scan_pages(paragraphs, dpi)
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return out.getvalue()


def png_scan(paragraphs: Sequence[str], dpi: int = 150) -> bytes:
    out = io.BytesIO()
    _scan_pages(paragraphs, dpi)[0].save(out, "PNG")
    return out.getvalue()


def docx(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.core_properties.created = dt.datetime(2024, 1, 1)  # the same bytes every time
    document.save(out)
    return out.getvalue()


def xlsx(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_OFD_NS = "http://www.ofdspec.org/2016"


def ofd(paragraphs: Sequence[str], per_page: int = 30) -> bytes:
    """An OFD file (GB/T 33190): OFD.xml → Doc_0/Document.xml → Pages/Page_N/Content.xml, each
    printed line one TextObject with its TextCode."""
    lines = _wrap(paragraphs)
    chunks = [lines[i : i + per_page] for i in range(0, max(len(lines), 1), per_page)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0" '
            'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>govwatch-replica</ofd:DocID>'
            "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        pages = "".join(
            f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>'
            for n in range(len(chunks))
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD_NS}">'
            "<ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea>"
            "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
            "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
            f"<ofd:Pages>{pages}</ofd:Pages></ofd:Document>",
        )
        archive.writestr(
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{_OFD_NS}" BaseLoc="Res">'
            '<ofd:Fonts><ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        )
        for n, chunk in enumerate(chunks):
            objects = "".join(
                f'<ofd:TextObject ID="{100 + i}" Boundary="20 {30 + i * 8} 170 8" Font="2" '
                f'Size="5"><ofd:TextCode X="0" Y="6">{escape(line)}</ofd:TextCode></ofd:TextObject>'
                for i, line in enumerate(chunk)
                if line
            )
            archive.writestr(
                f"Doc_0/Pages/Page_{n}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD_NS}">'
                f'<ofd:Content><ofd:Layer ID="{n + 50}">{objects}</ofd:Layer></ofd:Content>'
                "</ofd:Page>",
            )
    return out.getvalue()


def ofd_scan(paragraphs: Sequence[str], dpi: int = 150) -> bytes:
    """An OFD of one page that is only an image (a scan), its picture in DocumentRes."""
    out = io.BytesIO()
    picture = io.BytesIO()
    _scan_pages(paragraphs, dpi)[0].save(picture, "PNG")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{_OFD_NS}" Version="1.0">'
            "<ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{_OFD_NS}">'
            "<ofd:CommonData><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData>"
            '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
            "</ofd:Document>",
        )
        archive.writestr(
            "Doc_0/DocumentRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{_OFD_NS}" BaseLoc="Res">'
            '<ofd:MultiMedias><ofd:MultiMedia ID="7" Type="Image">'
            "<ofd:MediaFile>scan_0.png</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>",
        )
        archive.writestr("Doc_0/Res/scan_0.png", picture.getvalue())
        archive.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{_OFD_NS}"><ofd:Content>'
            '<ofd:Layer ID="2"><ofd:ImageObject ID="3" ResourceID="7" Boundary="0 0 210 297" '
            'CTM="210 0 0 297 0 0"/></ofd:Layer></ofd:Content></ofd:Page>',
        )
    return out.getvalue()


class _GbkName(zipfile.ZipInfo):
    """A member name as Chinese Windows writes it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def zip_of(members: dict[str, bytes], gbk_names: bool = False) -> bytes:
    """A ZIP of files; `gbk_names` writes the names as Chinese Windows does (GBK, no UTF-8 flag)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = (_GbkName if gbk_names else zipfile.ZipInfo)(name, (2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


@lru_cache(maxsize=1)
def can_scan() -> bool:
    return cjk_font() is not None
