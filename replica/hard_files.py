"""Tricky attachment files of our own making, for the benchmark (`bench/attachments.py`) and the
tests: PDFs whose text layer is garbled the ways real ones are (a font whose ToUnicode map points
at private-use characters, rare ideographs, Latin-1 letters or Kangxi radicals while its glyphs
draw plain Chinese), Word files that are only scans, WPS and DOC files in the other forms
portals serve them in (OOXML, RTF in GBK, Word HTML, MHT, UTF-16 and Big5 text), and ZIP bombs
small on disk. Nothing here is a real government document.

LibreOffice-made DOC/WPS files (which no Python library writes) are in
tests/fixtures/attachments/, with how they were made in its README.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import IO

from replica import formats

REPLY = (
    "关于加快开源软件产业发展的建议的答复",
    "王建国代表：",
    "您提出的《关于支持开源软件发展的建议》（第0123号）收悉。现答复如下：",
    "一、我市高度重视开源软件生态建设，去年共投入资金1200万元。",
    "联系人：软件处李明，联系电话：0571-85123456。",
    "杭州市经济和信息化局",
    "2024年5月20日",
)
#: What a reader must find in REPLY's text (each compared without whitespace).
REPLY_FACTS = ("开源软件产业发展", "王建国", "第0123号", "1200万元", "李明", "0571-85123456",
               "杭州市经济和信息化局", "2024年5月20日")  # fmt: skip

#: Ways a PDF font's ToUnicode map goes wrong.
GARBLINGS = ("private-use", "rare", "latin1", "ascii", "radicals")


@lru_cache(maxsize=1)
def _rare_chars() -> str:
    from crawler.attachments.garbage import common_chars

    common = common_chars()
    return "".join(chr(c) for c in range(0x8C00, 0x9FA0) if chr(c) not in common)[:4096]


def _garble(code: int, how: str, index: int) -> int:
    import unicodedata

    if how == "private-use":
        return 0xE000 + index
    if how == "rare":
        return ord(_rare_chars()[index * 7 % len(_rare_chars())])
    if how == "latin1":
        return 0x00C0 + index % 64
    if how == "ascii":  # the glyph's number as an ASCII code, as fonts without a map give
        return 0x21 + index % 94
    if how == "radicals":  # the Kangxi radical that looks like the character, where there is one
        for radical in range(0x2F00, 0x2FD6):
            if unicodedata.normalize("NFKC", chr(radical)) == chr(code):
                return radical
        return code
    return code


def can_garble() -> bool:
    """Whether `pdf_garbled` can run: it needs WenQuanYi Zen Hei's two faces."""
    font = formats.cjk_font()
    return font is not None and font.endswith("wqy-zenhei.ttc")


def pdf_garbled(
    pages: Sequence[tuple[Sequence[str], bool | Sequence[int]]], how: str = "private-use"
) -> bytes:
    """A PDF of pages of text drawn with an embedded CJK font (WenQuanYi Zen Hei); on the pages
    marked True (or on the lines of the given indexes) its ToUnicode map is garbled `how` (one
    of GARBLINGS): the page shows the text, its text layer says something else. Good text uses
    the font's other face (Mono), whose map is left right."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = formats.cjk_font()
    if font is None or not can_garble():
        raise RuntimeError("no WenQuanYi Zen Hei font; apt-get install fonts-wqy-zenhei")
    for name, face in (("GWBad", 0), ("GWGood", 1)):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font, subfontIndex=face))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True, pageCompression=0)
    for lines, garbled in pages:
        y = A4[1] - 72
        for at, line in enumerate(lines):
            bad = garbled is True or (not isinstance(garbled, bool) and at in garbled)
            pdf.setFont("GWBad" if bad else "GWGood", 18 if bad else 14)
            pdf.drawString(60, y, line)
            y -= 24
        pdf.showPage()
    pdf.save()
    data = bytearray(out.getvalue())
    # The bad face's ToUnicode CMaps: `<XX> <YYYY>` pairs rewritten in place (the same length,
    # so the file's offsets stay right).
    for match in list(
        re.finditer(rb"/CMapName /\w+\+WenQuanYiZenHei-\d+ def.*?endcmap", data, re.S)
    ):
        index = 0

        def swap(pair: re.Match[bytes]) -> bytes:
            nonlocal index
            code = int(pair.group(2), 16)
            if code in (0, 0x20):
                return pair.group(0)
            index += 1
            return pair.group(1) + b"<%04X>" % _garble(code, how, index)

        block = re.sub(rb"(<[0-9A-F]{2}> )<([0-9A-F]{4})>", swap, match.group(0))
        data[match.start() : match.end()] = block
    return bytes(data)


def pdf_outlined(paragraphs: Sequence[str], dpi: int = 150) -> bytes:
    """A PDF whose text is drawn as vector shapes (text "converted to curves"): no text layer
    and no picture, only paths — a scan's dark pixels, row by row, as filled rectangles."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    scan = Image.open(io.BytesIO(formats.png_scan(list(paragraphs), dpi))).convert("1")
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    step = 72 / dpi
    path = pdf.beginPath()
    pixels = scan.load()
    assert pixels is not None  # a decoded image always has its pixels
    for y in range(scan.height):
        x = 0
        while x < scan.width:
            if pixels[x, y]:
                x += 1
                continue
            start = x
            while x < scan.width and not pixels[x, y]:
                x += 1
            path.rect(start * step, A4[1] - (y + 1) * step, (x - start) * step, step)
    pdf.drawPath(path, fill=1, stroke=0)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def docx_scanned(paragraphs: Sequence[str], title: str = "", per_page: int = 4) -> bytes:
    """A DOCX that is a title at most and then pictures of pages (a scan pasted into Word)."""
    import docx as python_docx
    from docx.shared import Cm

    document = python_docx.Document()
    if title:
        document.add_paragraph(title)
    for start in range(0, len(paragraphs), per_page):
        picture = io.BytesIO(formats.png_scan(list(paragraphs[start : start + per_page])))
        document.add_picture(picture, width=Cm(16))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def emf_of(png: bytes) -> bytes:
    """An EMF that draws one bitmap (how Word keeps some pasted scans): header, one
    EMR_STRETCHDIBITS with the picture as a 24-bit DIB, end of file."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    bmp = io.BytesIO()
    image.save(bmp, "BMP")
    dib = bmp.getvalue()[14:]
    bmi, bits = dib[:40], dib[40:]
    width, height = image.size
    header = struct.pack("<II4i4i", 1, 88, 0, 0, width, height, 0, 0, width * 26, height * 26)
    header += b" EMF" + struct.pack("<IIIHHIII", 0x10000, 0, 3, 0, 0, 0, 0, 0)
    header += struct.pack("<2i2i", 1024, 768, 320, 240)
    record = struct.pack("<II4i6i4I2I2i", 81, 0, 0, 0, width, height, 0, 0, 0, 0, width,
                         height, 80, len(bmi), 80 + len(bmi), len(bits), 0, 0xCC0020, width,
                         height)  # fmt: skip
    body = record + bmi + bits
    body = body[:4] + struct.pack("<I", len(body)) + body[8:]
    eof = struct.pack("<IIIII", 14, 20, 0, 16, 20)
    total = header + body + eof
    total = total[:48] + struct.pack("<I", len(total)) + total[52:]
    return total


def docx_emf_scan(paragraphs: Sequence[str]) -> bytes:
    """A DOCX whose one picture is an EMF around a scanned page."""
    source = docx_scanned(paragraphs, per_page=len(paragraphs))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            name = info.filename
            if name.startswith("word/media/"):
                data, name = emf_of(data), re.sub(r"\.\w+$", ".emf", name)
            elif name in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                data = re.sub(rb"media/(image\d+)\.png", rb"media/\1.emf", data)
                data = data.replace(b'Extension="png" ContentType="image/png"',
                                    b'Extension="emf" ContentType="image/x-emf"')  # fmt: skip
            new.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def traditional(text: str) -> str:
    """Simplified to traditional script (OpenCC, Apache-2.0), for Big5 samples."""
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def rtf(paragraphs: Sequence[str], encoding: str = "gbk", unicode: bool = False) -> bytes:
    """An RTF file as WPS and old Word write them: \\'hh bytes in the code page (936 for GBK,
    950 for Big5), or \\uN escapes."""
    codepage = {"gbk": 936, "big5": 950}[encoding]
    if encoding == "big5":
        paragraphs = [traditional(p) for p in paragraphs]
    body = []
    for paragraph in paragraphs:
        out = []
        for ch in paragraph:
            if ord(ch) < 128:
                out.append(ch if ch not in "\\{}" else "\\" + ch)
            elif unicode:
                out.append(f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?")
            else:
                out.append("".join(f"\\'{b:02x}" for b in ch.encode(encoding)))
        body.append("".join(out) + "\\par\n")
    head = (
        f"{{\\rtf1\\ansi\\ansicpg{codepage}\\deff0{{\\fonttbl{{\\f0\\fnil\\fcharset134 "
        "\\'cb\\'ce\\'cc\\'e5;}}{\\colortbl;\\red0\\green0\\blue0;}{\\*\\generator WPS Office;}"
        "{\\info{\\title draft}}\\pard\\f0\\fs28 "
    )
    return (head + "".join(body) + "}").encode("ascii")


def word_html(paragraphs: Sequence[str], mht: bool = False) -> bytes:
    """Word's "web page" saved under a .doc name: HTML in GBK, or MHT (MIME, quoted-printable)."""
    import quopri

    body = "".join(f"<p class=MsoNormal><span lang=ZH-CN>{p}</span></p>\n" for p in paragraphs)
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta http-equiv=Content-Type '
        'content="text/html; charset=gb2312"><meta name=ProgId content=Word.Document>'
        f"<style>p {{margin:0}}</style></head><body>{body}</body></html>"
    )
    if not mht:
        return html.encode("gbk")
    part = quopri.encodestring(html.encode("gbk")).decode("ascii")
    return (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01"\r\n'
        "\r\n------=_NextPart_01\r\nContent-Location: file:///C:/x.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; "
        f'charset="gb2312"\r\n\r\n{part}\r\n------=_NextPart_01--\r\n'
    ).encode("ascii")


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rezip(source: bytes, part: str, write: Callable[[IO[bytes]], None]) -> bytes:
    """The ZIP `source` with its member `part` written anew, streamed (ZIP64: it may be large)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new,
    ):
        for info in old.infolist():
            if info.filename != part:
                new.writestr(info.filename, old.read(info))
                continue
            with new.open(_deflated(part), "w", force_zip64=True) as stream:
                write(stream)
    return out.getvalue()


def _repeat(stream: IO[bytes], head: bytes, unit: bytes, tail: bytes, megabytes: int) -> None:
    stream.write(head)
    block = unit * max(1, 2**20 // len(unit))
    for _ in range(megabytes * 2**20 // len(block)):
        stream.write(block)
    stream.write(tail)


def docx_bomb(unpacked_mb: int) -> bytes:
    """A DOCX whose document.xml unpacks to `unpacked_mb` MB of paragraphs (about 1/1000 of
    that on disk): the shape of the 1.5 MB DOCX that took 7.7 GB to read."""
    head = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body>')  # fmt: skip
    unit = b"<w:p><w:r><w:t>" + b"A" * 4000 + b"</w:t></w:r></w:p>"
    return _rezip(formats.docx(["开头"]), "word/document.xml",
                  lambda s: _repeat(s, head, unit, b"</w:body></w:document>", unpacked_mb))  # fmt: skip


def ofd_bomb(unpacked_mb: int) -> bytes:
    """An OFD whose page unpacks to `unpacked_mb` MB of TextObjects."""
    head = (b'<?xml version="1.0"?><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">'
            b"<ofd:Content><ofd:Layer>")  # fmt: skip
    unit = (b'<ofd:TextObject Boundary="0 0 1 1"><ofd:TextCode>' + b"A" * 4000
            + b"</ofd:TextCode></ofd:TextObject>")  # fmt: skip
    tail = b"</ofd:Layer></ofd:Content></ofd:Page>"
    return _rezip(formats.ofd(["开头"]), "Doc_0/Pages/Page_0/Content.xml",
                  lambda s: _repeat(s, head, unit, tail, unpacked_mb))  # fmt: skip


def xlsx_bomb(unpacked_mb: int) -> bytes:
    """An XLSX whose sheet unpacks to `unpacked_mb` MB of rows."""
    head = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
    unit = b'<row><c t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"
    return _rezip(formats.xlsx({"s": [["开头"]]}), "xl/worksheets/sheet1.xml",
                  lambda s: _repeat(s, head, unit, b"</sheetData></worksheet>", unpacked_mb))  # fmt: skip


def xlsx_far_cell() -> bytes:
    """A 6 KB XLSX with one cell at A1 and one at XFD1048576: calamine would allocate the grid
    between them (17 billion cells) and abort the process."""
    source = formats.xlsx({"表": [["开源软件", 1]]})
    with zipfile.ZipFile(io.BytesIO(source)) as old:
        sheet = old.read("xl/worksheets/sheet1.xml")
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>7</v></c></row></sheetData>'

    def write(stream: IO[bytes]) -> None:
        stream.write(sheet.replace(b"</sheetData>", far))

    return _rezip(source, "xl/worksheets/sheet1.xml", write)


def zip_nested_bomb(unpacked_mb: int, depth: int = 2) -> bytes:
    """ZIPs in a ZIP, the innermost a text file of `unpacked_mb` MB: each level passes the
    declared-size check alone, their total does not."""
    inner = io.BytesIO()
    with (
        zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(_deflated("big.txt"), "w") as stream,
    ):
        for _ in range(unpacked_mb):
            stream.write(b"A" * 2**20)
    data = inner.getvalue()
    for level in range(depth):
        data = formats.zip_of({f"level{level}.zip": data, f"copy{level}.zip": data})
    return data


def lying_zip(unpacked_mb: int) -> bytes:
    """A ZIP whose one member declares 1 KB and unpacks to `unpacked_mb` MB."""
    data = bytearray(zip_nested_bomb(unpacked_mb, depth=0))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 1024)
    struct.pack_into("<I", data, central + 24, 1024)
    return bytes(data)
