"""Attachment text: every type read from files made here, scans through OCR, bad files warned."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from saved_pages import ROOT

from crawler.attachments import detect_type, read_attachment
from crawler.attachments.ocr import assemble, available, char_accuracy, plain
from replica import formats

REPLY = [
    "关于加快开源软件产业发展的建议的答复",
    "王建国代表：",
    "您在市十五届人大三次会议上提出的《关于支持开源软件发展的建议》（第0123号）收悉。现答复如下：",
    "一、我市高度重视开源软件生态建设，去年共投入资金1200万元。",
    "联系人：软件处李明，联系电话：0571-85123456。",
    "杭州市经济和信息化局",
    "2024年5月20日",
]
needs_ocr = pytest.mark.skipif(
    available() is not None or not formats.can_scan(),
    reason=f"OCR or a CJK font missing ({available() or 'apt-get install fonts-wqy-zenhei'})",
)


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (lambda: formats.pdf_text(REPLY), "答复.pdf", "pdf"),
        (lambda: formats.docx(REPLY), "答复.docx", "docx"),
        (lambda: formats.ofd(REPLY), "答复.ofd", "ofd"),
    ],
)
def test_text_formats_give_their_text_exactly(make, name, kind) -> None:  # type: ignore[no-untyped-def]
    result = read_attachment(make(), name)
    assert result.type == kind
    assert result.warnings == []
    assert plain(result.text) == plain("\n".join(REPLY))
    assert not result.ocr and all(not page.ocr for page in result.pages)


def test_type_comes_from_the_bytes_not_the_name() -> None:
    assert detect_type(formats.pdf_text(["一"]), "file.doc") == "pdf"
    assert detect_type(formats.docx(["一"]), "download.do?id=3") == "docx"
    assert detect_type(formats.xlsx({"a": [["1"]]}), None) == "xlsx"
    assert detect_type(formats.ofd(["一"]), "x.zip") == "ofd"
    assert detect_type(formats.zip_of({"a.txt": b"x"}), "x.ofd") == "zip"
    assert detect_type(b"\x89PNG\r\n\x1a\n....", None) == "image"
    assert detect_type(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600), "通知.wps") == "wps"


def test_docx_tables_are_read_in_order_and_pdf_pages_are_counted() -> None:
    result = read_attachment(
        formats.docx(["前言"], [["项目", "金额"], ["开源社区", "30"]]), "a.docx"
    )
    assert result.text.splitlines() == ["前言", "项目\t金额", "开源社区\t30"]
    long = read_attachment(formats.pdf_text([f"第{i}行开源软件" for i in range(80)]), "long.pdf")
    assert len(long.pages) == 3 and [p.number for p in long.pages] == [1, 2, 3]
    assert "第79行开源软件" in long.pages[-1].text


def test_spreadsheet_cells_are_text_one_row_a_line_one_sheet_a_page() -> None:
    data = formats.xlsx({"汇总": [["单位", "件数"], ["经信局", 12], ["财政局", 3.5]], "空": []})
    result = read_attachment(data, "表.xlsx")
    assert result.type == "xlsx"
    assert result.pages[0].text == "单位\t件数\n经信局\t12\n财政局\t3.5"
    assert len(result.pages) == 2 and result.pages[1].text == ""


def test_zip_members_are_read_with_gbk_names_and_nested() -> None:
    inner = formats.zip_of({"附表.xlsx": formats.xlsx({"s": [["开源", 1]]})})
    data = formats.zip_of(
        {"答复.ofd": formats.ofd(REPLY), "说明.docx": formats.docx(["说明文字"]), "内.zip": inner},
        gbk_names=True,
    )
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        assert not archive.infolist()[0].flag_bits & 0x800  # written as Chinese Windows does
    result = read_attachment(data, "材料.zip")
    assert result.type == "zip"
    assert result.members == ["答复.ofd", "说明.docx", "内.zip"]
    files = {page.file for page in result.pages}
    assert files == {"答复.ofd", "说明.docx", "内.zip/附表.xlsx"}
    assert "说明文字" in result.text and "开源\t1" in result.text


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"%PDF-1.7\n1 0 obj garbage", "坏.pdf", "broken PDF"),
        (b"", "空.pdf", "empty file"),
        (b"PK\x03\x04broken", "坏.docx", "broken or unreadable"),
        (b"\x00\x01\x02binary\x00", "x.bin", "unknown file type"),
        (b"<html>not a pdf", "x.pdf", "not a PDF file"),
    ],
)
def test_bad_files_are_a_warning_never_an_exception(data: bytes, name: str, says: str) -> None:
    result = read_attachment(data, name)
    assert any(says in warning for warning in result.warnings), result.warnings
    assert result.text == ""


def test_encrypted_pdf_says_so() -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf (a dev dependency) writes the encrypted PDF")
    import io

    reader = pypdf.PdfReader(io.BytesIO(formats.pdf_text(REPLY)))
    writer = pypdf.PdfWriter()
    writer.append(reader)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    result = read_attachment(out.getvalue(), "密.pdf")
    assert any("encrypted" in w for w in result.warnings), result.warnings


def test_encrypted_zip_member_is_skipped_with_a_warning() -> None:
    data = bytearray(formats.zip_of({"a.txt": "开源".encode()}))
    # Set the "encrypted" bit in the local and the central header of the one member.
    data[6] |= 1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1
    result = read_attachment(bytes(data), "x.zip")
    assert any("encrypted" in w for w in result.warnings), result.warnings


def test_ocr_output_is_joined_as_chinese_text() -> None:
    data = {
        "level": ["5"] * 12,
        "text": ["开", "源", "软", "件", "", "第", "(", "3", ")", "号", "open", "source"],
        "conf": [90, 80, 100, 90, -1, 50, 60, 70, 80, 90, 95, 95],
        "block_num": [1] * 12,
        "par_num": [1] * 12,
        "line_num": [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3],
    }
    found = assemble(data)
    assert found.text.splitlines() == ["开源软件", "第（3）号", "open source"]
    assert found.confidence is not None and 0.5 < found.confidence < 1


@needs_ocr
def test_scanned_pdf_is_read_by_ocr_with_confidence() -> None:
    result = read_attachment(formats.pdf_scan(REPLY), "扫描件.pdf")
    assert result.type == "pdf" and result.ocr
    page = result.pages[0]
    assert page.ocr and page.confidence is not None and page.confidence > 0.6
    assert char_accuracy("\n".join(REPLY), result.text) >= 0.95, result.text
    record = result.to_record()
    assert record["pages"][0]["ocr"] is True and "confidence" in record["pages"][0]


@needs_ocr
def test_an_ofd_page_that_is_only_a_scan_is_read_by_ocr() -> None:
    result = read_attachment(formats.ofd_scan(REPLY[:4]), "答复.ofd")
    assert result.type == "ofd" and result.ocr and result.pages[0].ocr
    assert char_accuracy("\n".join(REPLY[:4]), result.text) >= 0.95, result.text


@needs_ocr
def test_image_is_read_by_ocr() -> None:
    result = read_attachment(formats.png_scan(REPLY[:3]), "照片.png")
    assert result.type == "image" and result.ocr
    assert char_accuracy("\n".join(REPLY[:3]), result.text) >= 0.95, result.text


def test_without_ocr_a_scan_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    if not formats.can_scan():
        pytest.skip("no CJK font to draw a scan with (apt-get install fonts-wqy-zenhei)")
    from crawler.attachments import ocr

    monkeypatch.setattr(ocr, "available", lambda: "no OCR engine (tesseract) installed")
    result = read_attachment(formats.pdf_scan(REPLY[:2]), "扫描件.pdf")
    assert result.text == "" and not result.ocr
    assert any("no text layer" in w and "tesseract" in w for w in result.warnings)


@pytest.mark.skipif(
    shutil.which("antiword") is None, reason="antiword missing (apt-get install antiword)"
)
def test_fake_word_file_is_a_warning_naming_the_tools() -> None:
    data = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1000)
    result = read_attachment(data, "旧.doc")
    assert result.type == "doc"
    assert any("legacy Word/WPS file not read" in w for w in result.warnings), result.warnings


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "attachment", *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


def test_cli_prints_one_json_object_per_file(tmp_path: Path) -> None:
    (tmp_path / "a.ofd").write_bytes(formats.ofd(REPLY))
    (tmp_path / "b.xlsx").write_bytes(formats.xlsx({"表": [["开源", 2]]}))
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4 broken")
    done = _cli(
        str(tmp_path / "a.ofd"), str(tmp_path / "b.xlsx"), str(tmp_path / "c.pdf"), "--json"
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["type"] for r in records] == ["ofd", "xlsx", "pdf"]
    assert records[0]["page_count"] == 1 and "开源软件" in records[0]["text"]
    assert records[0]["pages"][0]["ocr"] is False
    assert records[2]["warnings"] and records[2]["text"] == ""


def test_cli_unreadable_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _cli(str(tmp_path / "missing.pdf"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "missing.pdf" in done.stderr
    assert "Traceback" not in done.stderr


REPLY_TITLE = "关于市十五届人大三次会议第0123号建议的答复"


def test_a_reply_said_only_in_its_attachment_is_read_from_it() -> None:
    from crawler.attachments.apply import points_to_attachment, with_attachment_text

    record = {"title": REPLY_TITLE, "body_text": "详见附件。", "kind": "other", "reply": None,
              "doc_no": None, "category": None, "publisher": "杭州市经济和信息化局", "warnings": []}  # fmt: skip
    text = read_attachment(formats.pdf_text(REPLY[1:]), "答复.pdf").text
    got = with_attachment_text(record, [("答复.pdf", text)])
    assert got["kind"] == "reply"
    assert got["reply"]["addressee"] == "王建国" and got["reply"]["proposal_no"] == "第0123号"
    assert got["reply"]["contact_phone"] == "0571-85123456"
    assert got["warnings"] == ["kind and reply fields read from the attachment 答复.pdf"]
    # A page with a body of its own keeps what its page says.
    assert (
        with_attachment_text({**record, "body_text": "正文" * 80}, [("答复.pdf", text)])["kind"]
        == "other"
    )
    assert points_to_attachment(None) and points_to_attachment("具体内容详见附件：答复.pdf")
    assert not points_to_attachment("附件：申报表（见附件）" + "。本通知自发布之日起施行" * 20)


@needs_ocr
def test_a_reply_published_as_a_scan_is_still_a_reply_with_its_deputy_and_number() -> None:
    from crawler.attachments.apply import with_attachment_text

    record = {"title": REPLY_TITLE, "body_text": None, "kind": "other", "reply": None,
              "doc_no": None, "category": None, "publisher": None, "warnings": []}  # fmt: skip
    scanned = read_attachment(formats.pdf_scan(REPLY[1:]), "答复（扫描件）.pdf")
    assert scanned.ocr
    got = with_attachment_text(record, [(scanned.name, scanned.text)])
    assert got["kind"] == "reply"
    assert got["reply"]["addressee"] == "王建国"
    assert got["reply"]["proposal_no"] == "第0123号"


@needs_ocr
def test_the_replicas_scans_are_read_at_95_percent() -> None:
    from replica.app import Replica
    from replica.files import file_bytes

    replica = Replica(150, 1400, 1)
    scans = [a for doc in (replica.corpus.document(s, 1400) for site in replica.corpus.specs
                           for s in replica.corpus.specs[site][:150])
             for a in doc.attachments if a.scan][:4]  # fmt: skip
    assert scans
    for attachment in scans:
        result = read_attachment(file_bytes(attachment), attachment.name)
        assert result.ocr and all(page.ocr for page in result.pages)
        assert char_accuracy("\n".join(attachment.text), result.text) >= 0.95, result.text


@pytest.mark.parametrize("name", ["notice.doc", "notice.wps", "table.xls"])
def test_real_legacy_office_files_are_read(name: str) -> None:
    """The replica's legacy samples are real files (made with LibreOffice): their text comes out."""
    from pathlib import Path

    from replica.content import LEGACY_TEXT

    kind = name.rsplit(".", 1)[1]
    if kind != "xls" and not (shutil.which("antiword") or shutil.which("catdoc")):
        pytest.skip("no legacy Word reader: apt-get install antiword catdoc (.ci/run does)")
    data = (Path(formats.__file__).parent / "samples" / name).read_bytes()
    result = read_attachment(data, name)
    assert result.type == kind and not result.warnings
    assert plain(result.text) == plain("\n".join(LEGACY_TEXT[kind]))
