"""Property-based: arbitrary bytes and mangled pages never raise, and yield a well-formed record."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from saved_pages import FIXTURES, fixture_pages

from crawler.extract import extract_document
from crawler.extract.kind import _PROSE_LINE
from crawler.extract.page import _hides
from crawler.extract.text import _FOLD_TABLE, narrow
from crawler.items import KINDS, RECORD_KEYS

PAGES = [path.read_bytes() for path in fixture_pages()]
URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _well_formed(body: bytes | str, encoding: str | None = None) -> None:
    record = extract_document(body, URL, encoding=encoding).to_record()
    assert tuple(record) == RECORD_KEYS
    assert record["kind"] in KINDS
    assert record["script"] in (None, "zh-Hans", "zh-Hant")
    assert (record["reply"] is None) == (record["kind"] == "other")
    for key in ("title", "index_no", "doc_no", "publisher", "source", "body_text"):
        assert record[key] is None or (isinstance(record[key], str) and record[key].strip())


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(body: bytes) -> None:
    _well_formed(body)


@SETTINGS
@given(st.text(max_size=2048))
def test_arbitrary_text(body: str) -> None:
    _well_formed(body)


@SETTINGS
@given(st.binary(max_size=64), st.sampled_from([None, "gbk", "utf-8", "big5", "bogus", "utf-16"]))
def test_arbitrary_declared_encoding(body: bytes, encoding: str | None) -> None:
    _well_formed(b"<html><body><p>" + body + b"</p></body></html>", encoding)


@SETTINGS
@given(
    st.sampled_from(range(len(PAGES))),
    st.lists(
        st.tuples(st.integers(0, 60000), st.integers(0, 400), st.binary(max_size=40)), max_size=6
    ),
)
def test_mangled_pages(index: int, edits: list[tuple[int, int, bytes]]) -> None:
    """Cut, truncate and splice random bytes into real pages."""
    body = PAGES[index]
    for position, length, insert in edits:
        position %= len(body) + 1
        body = body[:position] + insert + body[position + length :]
    _well_formed(body)


@SETTINGS
@given(st.sampled_from(range(len(PAGES))), st.integers(1, 100))
def test_truncated_pages(index: int, percent: int) -> None:
    body = PAGES[index]
    _well_formed(body[: len(body) * percent // 100])


def test_deeply_nested_markup() -> None:
    depth = 20000
    body = "<div>" * depth + "发布机构：市经信局" + "</div>" * depth
    _well_formed(body)
    _well_formed(("<table><tr><td>" * 3000).encode())


def test_huge_attribute_and_many_labels() -> None:
    body = "<p title='" + "x" * 1_000_000 + "'>索引号</p>" + "<p>文号</p>" * 5000
    _well_formed(body)


def test_a_long_run_of_labels_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cell's label is looked up a bounded number of times, however long the run of labels:
    a row of labels was walked again from each of its cells (5,000 labels: 12.5 million looks,
    5.5 s)."""
    from crawler.extract import labels, table

    looks = 0
    real = labels.label_of

    def counted(cell: str) -> str | None:
        nonlocal looks
        looks += 1
        return real(cell)

    monkeypatch.setattr(table, "_whole_label", counted)
    extract_document(("<p>文号</p>" * 2000).encode(), URL)
    assert 2000 <= looks <= 3 * 2000


def test_seed_page_bytes_and_text_agree() -> None:
    page = FIXTURES / "hanweb" / "xihu31-reply.html"
    as_bytes = extract_document(page.read_bytes(), URL).to_record()
    as_text = extract_document(page.read_text(encoding="utf-8"), URL).to_record()
    assert as_bytes == as_text


# Characters the fold table touches, and ordinary ones: the fast narrowing must equal the table.
_MIXED = st.text(
    alphabet=st.sampled_from(list("关于開源，：（）；！？。、 \t　\u00a0\u200bＡｚ０９abc1"))
)


@given(st.one_of(_MIXED, st.text(max_size=200)))
def test_fast_narrowing_equals_the_fold_table(text: str) -> None:
    assert narrow(text) == text.translate(_FOLD_TABLE)


# Styles of every case and space, and characters that fold case in Unicode (İ, ſ, K).
_STYLES = st.text(
    alphabet=st.sampled_from(list("displayDISPLAYnoeNOE:; \t\u3000İſK-")), max_size=40
)


@given(st.one_of(_STYLES, st.text(max_size=60)))
def test_the_quick_look_at_a_style_agrees_with_the_pattern(style: str) -> None:
    assert _hides(style) == bool(re.search(r"display\s*:\s*none", style, re.IGNORECASE))


_LINES = st.text(alphabet=st.sampled_from(list("甲乙。\n ，")), max_size=80)


@given(_LINES)
def test_a_prose_line_is_found_where_the_unanchored_pattern_finds_it(text: str) -> None:
    # The pattern anchored at line starts (linear) finds the span the unanchored one (quadratic
    # on a long line without a full stop) found.
    unanchored = re.search(r"[^\n]{15,}?。", text)
    found = _PROSE_LINE.search(text)
    assert (found and found.span()) == (unanchored and unanchored.span())


def test_body_tag_lxml_will_not_look_for() -> None:
    """A mangled page's body has a control character in its tag (`<div\\x01>`, found by
    test_mangled_pages): lxml refuses to look for that tag by name; the heading above the body
    is still read, and the body too."""
    page = (
        "<html><head><title>某市档案馆</title></head><body><h1>关于做好档案开放工作的通知</h1>"
        '<div\x01 class="TRS_Editor"><p>各单位：为做好档案开放工作，现将有关事项通知如下。</p>'
        "</div\x01></body></html>"
    )
    document = extract_document(page.encode(), URL)
    assert document.title == "关于做好档案开放工作的通知"
    assert document.body_text == "各单位：为做好档案开放工作，现将有关事项通知如下。"
