"""Bytes to text: BOMs, declared and wrong charsets, GB2312 read as GB18030, undecodable bytes."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract import extract_document
from crawler.extract.decode import canonical_encoding, declared_encoding, decode_html

TEXT = "市经信局关于开源软件发展的建议的答复：镕𠀀"  # 镕 and 𠀀 lie outside GB2312


def _page(charset: str, body: str = TEXT) -> str:
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"</head><body><p>{body}</p></body></html>"
    )


def test_utf8_declared() -> None:
    decoded = decode_html(_page("utf-8").encode("utf-8"))
    assert TEXT in decoded.text
    assert decoded.warnings == []


def test_gb2312_declared_read_as_gb18030() -> None:
    decoded = decode_html(_page("gb2312").encode("gb18030"))
    assert TEXT in decoded.text
    assert decoded.encoding == "gb18030"
    assert decoded.warnings == []


def test_utf8_declared_but_gbk_bytes() -> None:
    decoded = decode_html(_page("utf-8", "杭州市经济和信息化局").encode("gbk"))
    assert "杭州市经济和信息化局" in decoded.text
    assert any("gb18030" in warning for warning in decoded.warnings)


def test_gbk_declared_but_utf8_bytes() -> None:
    decoded = decode_html(_page("gbk").encode("utf-8"))
    assert TEXT in decoded.text
    assert any("UTF-8" in warning for warning in decoded.warnings)


def test_header_declaration_wins_over_meta() -> None:
    body = _page("iso-8859-1", "杭州").encode("gb18030")
    decoded = decode_html(body, encoding="GBK")
    assert "杭州" in decoded.text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_wins(bom: bytes, codec: str) -> None:
    decoded = decode_html(bom + _page("gbk").encode(codec))
    assert TEXT in decoded.text


@pytest.mark.parametrize(
    "meta",
    [
        b'<meta charset="gb2312"">',
        b"<meta charset=x-unknown-charset>",
        b"<meta charset=>",
        b"<meta content=\"text/html; charset='utf8'\">",
    ],
)
def test_malformed_declarations_do_not_crash(meta: bytes) -> None:
    body = b"<html><head>" + meta + b"</head><body>" + "开源软件".encode() + b"</body></html>"
    assert "开源软件" in decode_html(body).text


def test_unknown_declared_charset_warns() -> None:
    decoded = decode_html(b"<meta charset=klingon><p>" + "开源".encode("gbk") + b"</p>")
    assert "开源" in decoded.text
    assert any("klingon" in warning for warning in decoded.warnings)


def test_undecodable_bytes_are_replaced_with_a_warning() -> None:
    body = _page("utf-8", "开源").encode("utf-8") + b"\xff\xfe\x80\x81\xfe\xff" * 3
    document = extract_document(body, "http://x.gov.cn/")
    assert any("undecodable" in warning for warning in document.warnings)


def test_declared_encoding_reads_xml_declaration() -> None:
    assert declared_encoding(b'<?xml version="1.0" encoding="GB2312"?><html/>') == "GB2312"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("UTF8", "utf-8"),
        ("big5", "big5hkscs"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_canonical_encoding(label: str | None, codec: str | None) -> None:
    assert canonical_encoding(label) == codec
