"""The hard attachments: garbled PDF text layers, scans inside Word and WPS files, WPS and DOC in
their other forms, DOC text antiword drops — and which reader made each text."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.attachments import read_attachment, read_path
from crawler.attachments.formats.images import metafile_bitmaps, open_picture
from crawler.attachments.garbage import best_decoding, quality, repair
from crawler.attachments.ocr import available, plain
from replica import formats
from replica import hard_files as samples

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "attachments"
REPLY, FACTS = samples.REPLY, samples.REPLY_FACTS
needs_font = pytest.mark.skipif(
    not samples.can_garble(), reason="no WenQuanYi Zen Hei (apt-get install fonts-wqy-zenhei)"
)
needs_ocr = pytest.mark.skipif(
    available() is not None or not formats.can_scan(),
    reason=f"OCR or a CJK font missing ({available() or 'apt-get install fonts-wqy-zenhei'})",
)


def missing(text: str, facts: tuple[str, ...] = FACTS) -> list[str]:
    return [fact for fact in facts if plain(fact) not in plain(text)]


def test_plain_chinese_and_latin_are_not_garbled_and_garbage_is() -> None:
    assert not quality("\n".join(REPLY)).garbled
    assert not quality("Open source software, 2024: 1200 (万元) ①②③ ℃ №5 □■").garbled
    assert not quality("1,234.56  12.3%  2,345.00  (123.4)  45.6%  7,890.12 - 3.4").garbled
    assert quality("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFG" * 2).garbled  # glyph numbers
    assert not quality(samples.traditional("\n".join(REPLY))).garbled
    assert quality("".join(chr(0xE000 + i) for i in range(30))).garbled  # private use
    assert quality("关于" + "\ufffd" * 10 + "答复").garbled
    assert quality("ÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ").garbled  # Latin-1 letters for GBK bytes
    rare = "谑谛谧谵谽豇豓豝豦豱豻貃貎貖貟貰賉賔賛賫賵贁贋贕踦踰踚"
    assert quality(rare).garbled
    misaligned = "\n".join(REPLY).encode("utf-16-le")[1:-1].decode("utf-16-le", "replace")
    assert quality(misaligned).garbled


def test_repair_folds_radicals_and_reads_gbk_read_as_latin1() -> None:
    assert repair("⼀、我市⾼度重视") == "一、我市高度重视"
    mojibake = "联系电话".encode("gbk").decode("cp1252", "replace")
    assert repair(f"({mojibake}) 0571") == "(联系电话) 0571"
    assert repair("Café au lait") == "Café au lait"  # real Latin-1 stays


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5", "utf-16", "utf-16-le"])
def test_text_in_any_chinese_encoding_decodes(encoding: str) -> None:
    text = "\n".join(REPLY)
    if encoding == "big5":
        text = samples.traditional(text)
    decoded, _ = best_decoding(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text


@needs_ocr
@needs_font
@pytest.mark.parametrize("how", ["private-use", "rare", "latin1", "ascii"])
def test_a_garbled_pdf_page_is_read_by_ocr_and_a_good_one_keeps_its_text_layer(how: str) -> None:
    data = samples.pdf_garbled([(REPLY[:3], False), (REPLY[3:], True)], how)
    result = read_attachment(data, "答复.pdf")
    assert [page.reader for page in result.pages] == ["pdf-text", "ocr"]
    assert result.reader == "pdf-text+ocr"
    assert plain(result.pages[0].text) == plain("\n".join(REPLY[:3]))  # the text layer, exact
    assert not missing(result.text), result.text
    assert any("page(s) 2 is garbled" in w for w in result.warnings), result.warnings


@needs_ocr
@needs_font
@pytest.mark.parametrize("how", ["private-use", "rare", "latin1"])
def test_garbled_lines_among_good_ones_are_read_by_ocr_and_the_rest_kept_exact(how: str) -> None:
    # The title and the agency drawn in a font whose map is broken, as a title font often is.
    result = read_attachment(samples.pdf_garbled([(REPLY, [0, 5])], how), "答复.pdf")
    assert result.reader == "pdf-text+ocr" and result.pages[0].ocr
    lines = result.text.splitlines()
    assert lines[1:5] + lines[6:] == list(REPLY[1:5] + REPLY[6:])  # the text layer, exact
    assert not missing(result.text), result.text
    assert any("lines of page(s) 1 are garbled" in w for w in result.warnings)


@needs_ocr
def test_text_converted_to_curves_is_read_by_ocr() -> None:
    result = read_attachment(samples.pdf_outlined(REPLY[:4]), "答复.pdf")
    assert result.reader == "ocr" and not missing(result.text, FACTS[:3]), result.text


def test_a_blank_page_is_not_read_by_ocr() -> None:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.showPage()
    pdf.save()
    result = read_attachment(out.getvalue(), "空白.pdf")
    assert not result.ocr and result.warnings == ["no text found in the file"]


@needs_font
def test_radicals_in_a_pdf_text_layer_are_folded_not_ocr() -> None:
    data = samples.pdf_garbled([(REPLY, True)], "radicals")
    result = read_attachment(data, "答复.pdf")
    assert result.reader == "pdf-text" and not result.ocr
    assert "我市高度重视" in result.text and "\u2f00" not in result.text


@needs_font
def test_without_ocr_a_garbled_page_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.attachments import ocr

    monkeypatch.setattr(ocr, "available", lambda: "no OCR engine (tesseract) installed")
    result = read_attachment(samples.pdf_garbled([(REPLY, True)], "rare"), "答复.pdf")
    assert any("garbled" in w and "tesseract" in w for w in result.warnings), result.warnings


@needs_ocr
def test_a_docx_of_scanned_pictures_is_read_by_ocr_in_order() -> None:
    result = read_attachment(samples.docx_scanned(REPLY, title="附件"), "扫描件.docx")
    assert [page.reader for page in result.pages] == ["docx-xml", "docx-ocr", "docx-ocr"]
    assert result.pages[0].text == "附件"
    assert not missing(result.text), result.text
    assert plain(result.text).index("王建国") < plain(result.text).index("0571-85123456")


@needs_ocr
def test_a_scan_kept_as_an_emf_picture_is_read() -> None:
    result = read_attachment(samples.docx_emf_scan(REPLY[:4]), "扫描件.docx")
    assert result.reader == "docx-ocr"
    assert not missing(result.text, FACTS[:3]), result.text


def test_the_bitmap_an_emf_draws_is_found() -> None:
    if not formats.can_scan():
        pytest.skip("no CJK font (apt-get install fonts-wqy-zenhei)")
    png = formats.png_scan(list(REPLY[:2]))
    emf = samples.emf_of(png)
    assert len(metafile_bitmaps(emf)) == 1
    picture = open_picture(emf)
    assert picture is not None and picture.size == open_picture(png).size


def test_a_docx_with_text_and_a_logo_is_not_read_by_ocr() -> None:
    import io

    import docx as python_docx
    from PIL import Image

    document = python_docx.Document()
    for line in REPLY:
        document.add_paragraph(line)
    logo = io.BytesIO()
    Image.new("L", (120, 60), 0).save(logo, "PNG")
    document.add_picture(logo)
    out = io.BytesIO()
    document.save(out)
    result = read_attachment(out.getvalue(), "答复.docx")
    assert result.reader == "docx-xml" and not result.ocr


@pytest.mark.parametrize("name", ["short.doc", "header.doc", "table.doc"])
def test_doc_files_keep_all_their_text(name: str) -> None:
    result = read_path(FIXTURES / name)
    assert result.type == "doc" and not result.warnings
    assert "ole-stream" in result.reader
    assert not missing(result.text), result.text


def test_doc_headers_and_text_boxes_antiword_drops_are_kept() -> None:
    result = read_path(FIXTURES / "header.doc")
    assert "杭州市经济和信息化局文件" in result.text  # the page header
    assert "关于加快开源软件产业发展的建议的答复" in result.text  # the text box
    if shutil.which("antiword"):
        alone = subprocess.run(["antiword", "-m", "UTF-8.txt", str(FIXTURES / "header.doc")],
                               capture_output=True, text=True, check=False).stdout  # fmt: skip
        assert "杭州市经济和信息化局文件" not in alone  # why the stream is read here


def test_doc_tables_come_out_a_row_a_line() -> None:
    lines = read_path(FIXTURES / "table.doc").text.splitlines()
    assert lines[:2] == ["文号\t浙经信〔2024〕12号", "签发人\t张三"]


@needs_ocr
def test_a_wps_that_is_only_a_scanned_picture_is_read_by_ocr() -> None:
    result = read_path(FIXTURES / "scan.wps")
    assert result.type == "wps" and result.reader == "ole-ocr" and result.ocr
    assert len(missing(result.text)) <= 1, result.text


@pytest.mark.parametrize(
    ("name", "make", "kind", "reader", "big5"),
    [
        ("答复.wps", lambda: formats.docx(list(REPLY)), "docx", "docx-xml", False),
        ("答复.wps", lambda: samples.rtf(REPLY), "rtf", "rtf", False),
        ("答复.doc", lambda: samples.rtf(REPLY, "big5"), "rtf", "rtf", True),
        ("答复.doc", lambda: samples.rtf(REPLY, unicode=True), "rtf", "rtf", False),
        ("答复.doc", lambda: samples.word_html(REPLY), "html", "html", False),
        ("答复.doc", lambda: samples.word_html(REPLY, mht=True), "html", "html", False),
        ("答复.wps", lambda: "\n".join(REPLY).encode("utf-16"), "txt", "text", False),
        ("答复.wps", lambda: "\n".join(REPLY).encode("gbk"), "txt", "text", False),
        ("答复.txt", lambda: samples.traditional("\n".join(REPLY)).encode("big5"), "txt", "text",
         True),
    ],
)  # fmt: skip
def test_wps_and_doc_in_their_other_forms_are_read(  # type: ignore[no-untyped-def]
    name, make, kind, reader, big5
) -> None:
    result = read_attachment(make(), name)
    assert (result.type, result.reader) == (kind, reader)
    facts = tuple(samples.traditional(f) for f in FACTS) if big5 else FACTS
    assert not missing(result.text, facts), result.text
    assert not result.warnings


def test_a_wps_of_an_unknown_layout_is_scanned_for_its_text_with_a_warning() -> None:
    data = b"WPS\x00\x01\x02\x03" + "\n".join(REPLY).encode("gbk") + b"\x00\x07\x08"
    result = read_attachment(data, "旧版.wps")
    assert result.type == "wps" and result.reader == "byte-scan"
    assert not missing(result.text)
    assert any("scanning its bytes" in w and "convert it to DOCX" in w for w in result.warnings)


def test_an_error_page_where_a_doc_was_promised_is_still_refused() -> None:
    result = read_attachment(b"<html><body>404 Not Found</body></html>", "答复.doc")
    assert result.type == "unknown" and result.text == ""
    assert any("not a DOC file" in w for w in result.warnings)


def test_reader_is_in_the_record_and_the_cli(tmp_path: Path) -> None:
    record = read_attachment(formats.docx(list(REPLY)), "a.docx").to_record()
    assert record["reader"] == "docx-xml" and record["pages"][0]["reader"] == "docx-xml"
    (tmp_path / "a.doc").write_bytes((FIXTURES / "short.doc").read_bytes())
    done = subprocess.run([sys.executable, "-m", "crawler", "attachment", str(tmp_path / "a.doc"),
                           "--json"], capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ole-stream" in json.loads(done.stdout)["reader"]
    human = subprocess.run([sys.executable, "-m", "crawler", "attachment", str(tmp_path / "a.doc")],
                           capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
    assert "read by ole-stream" in human.stdout.splitlines()[0]


def test_an_xls_that_is_an_html_table_or_csv_is_read() -> None:
    table = "<table border=1><tr><td>单位</td><td>件数</td></tr><tr><td>经信局</td><td>12</td></tr>"
    result = read_attachment((table + "</table>").encode("gbk"), "导出.xls")
    assert (result.type, result.text) == ("html", "单位\t件数\n经信局\t12")
    csv = read_attachment("单位,件数\n经信局,12\n".encode("gbk"), "导出.xls")
    assert (csv.type, csv.text) == ("txt", "单位,件数\n经信局,12")
    error = read_attachment(b"<html><body>404</body></html>", "导出.xls")
    assert error.type == "unknown" and "not a XLS file" in error.warnings[0]


class _FakeOle:
    """The two calls `ole_text` makes of an OLE file, over streams given here."""

    def __init__(self, streams: dict[str, bytes]) -> None:
        self.streams = streams

    def exists(self, name: str) -> bool:
        return name in self.streams

    def openstream(self, name: str) -> io.BytesIO:
        return io.BytesIO(self.streams[name])


def test_a_word_95_stream_of_gbk_text_is_read() -> None:
    import struct

    from crawler.attachments.formats.word import ole_text

    text = "\r".join(REPLY).encode("gbk")
    stream = bytearray(0x300) + text
    struct.pack_into("<HH", stream, 0, 0xA5DC, 0x65)  # Word 6's signature and version
    struct.pack_into("<II", stream, 0x18, 0x300, 0x300 + len(text))
    found = ole_text(_FakeOle({"WordDocument": bytes(stream)}))
    assert found.body.splitlines() == list(REPLY)


def test_field_codes_are_dropped_and_their_results_kept() -> None:
    from crawler.attachments.formats.word import _fields

    assert _fields('见\x13 HYPERLINK "http://x" \x14附件1\x15。') == "见附件1。"
    assert _fields("第\x13 PAGE \x15页") == "第页"
    assert _fields("\x13 IF \x13 PAGE \x142\x15 \x14结果\x15") == "结果"


def test_lines_only_another_reader_found_are_added() -> None:
    from crawler.attachments.formats.word import combine

    readers, text = combine([("ole-stream", "第一段\n第二段"), ("antiword", "第一段\n页眉")])
    assert readers == "ole-stream+antiword" and text.splitlines()[-1] == "页眉"
    readers, text = combine([("ole-stream", "第一段\n第二段"), ("antiword", "|第一段|\n第二段")])
    assert readers == "ole-stream" and text == "第一段\n第二段"
