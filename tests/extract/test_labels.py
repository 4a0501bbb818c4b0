"""Every label variant of docs/DOMAIN.md §2.2 in every layout: pages the extractor was not written for.

Each page is generated: one field under test carries the variant, the others carry their plain
labels, in one of the real layouts, with and without colons, with ASCII, ideographic and
non-breaking spaces inside the label.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from crawler.extract import extract_document
from crawler.extract.labels import looks_like_label, whole_label
from crawler.extract.text import fold

VALUES = {
    "index_no": ("002489452/2023-00334", "002489452/2023-00334"),
    "doc_no": ("杭经信提〔2023〕140号", "杭经信提〔2023〕140号"),
    "publisher": ("市经信局", "市经信局"),
    "written_date": ("2023-06-09", "2023-06-09"),
    "published_at": ("2023-11-03 11:04", "2023-11-03T11:04:00+08:00"),
    "category": ("人大代表建议", "人大代表建议"),
    "disclosure_form": ("主动公开", "主动公开"),
    "source": ("杭州市经济和信息化局", "杭州市经济和信息化局"),
}
PLAIN = {
    "index_no": "索引号",
    "doc_no": "文号",
    "publisher": "发布机构",
    "written_date": "成文日期",
    "published_at": "发布时间",
    "category": "信息分类",
    "disclosure_form": "公开形式",
    "source": "来源",
}
VARIANTS = {
    "index_no": ["索引号", "信息索引号", "索 引 号", "索   引   号", "索引號", "信息索引號"],
    "doc_no": ["文号", "文  号", "文件编号", "发文字号", "文號", "文件編號"],
    "publisher": [
        "发布机构",
        "发 布 机 构",
        "发文机关",
        "发文机构",
        "发布单位",
        "报送单位",
        "發布機構",
        "發布單位",
    ],
    # On real pages a bare 日期 beside the title is the publication date (../shared/data/real/).
    "written_date": ["成文日期", "发文日期", "发 文 日 期", "生成日期", "公文生成日期", "印发日期"],
    "published_at": [
        "日期",
        "文章日期",
        "发表时间",
        "发布日期",
        "公开日期",
        "公布日期",
        "发布时间",
        "上 载 日 期",
        "時間",
        "公開日期",
    ],
    "category": [
        "信息分类",
        "主题分类",
        "分  类",
        "公开目录",
        "组配分类",
        "体裁分类",
        "信息分類",
        "主題分類",
    ],
    "disclosure_form": ["公开形式", "公开方式", "公開形式", "公開方式"],
    "source": ["来源", "信息来源", "來源"],
}
ORDER = list(PLAIN)

Pairs = list[tuple[str, str]]


def _td_rows(per_row: int) -> Callable[[Pairs], str]:
    def layout(pairs: Pairs) -> str:
        rows = []
        for start in range(0, len(pairs), per_row):
            cells = "".join(
                f"<td class='l'>{label}</td><td>{value}</td>"
                for label, value in pairs[start : start + per_row]
            )
            rows.append(f"<tr>{cells}</tr>")
        return f"<table class='xxgk'>{''.join(rows)}</table>"

    return layout


def _label_div(pairs: Pairs) -> str:
    return "".join(f"<div class='row'><label>{k}</label><div>{v}</div></div>" for k, v in pairs)


def _li_inline(pairs: Pairs) -> str:
    return "<ul>" + "".join(f"<li><b>{k}</b>{v}</li>" for k, v in pairs) + "</ul>"


def _flattened(pairs: Pairs) -> str:
    return "<p>" + " ".join(f"{k} {v}" for k, v in pairs) + "</p>"


def _one_per_line(pairs: Pairs) -> str:
    return "".join(f"<p>{k}</p><p>{v}</p>" for k, v in pairs)


def _spans(pairs: Pairs) -> str:
    return "<div class='info'>" + "".join(f"<span>{k}{v}</span>" for k, v in pairs) + "</div>"


LAYOUTS: dict[str, Callable[[Pairs], str]] = {
    "td-2-per-row": _td_rows(2),
    "td-3-per-row": _td_rows(3),
    "label-div": _label_div,
    "li-inline": _li_inline,
    "flattened": _flattened,
    "one-per-line": _one_per_line,
    "spans": _spans,
}
# Layouts whose label and value share one text cell need a colon or a space between them.
SAME_CELL = {"li-inline", "flattened", "spans"}


def _spaced(label: str, spacing: str) -> str:
    if " " in label or spacing == "":
        return label.replace(" ", "&nbsp;") if spacing == "&nbsp;" else label
    return spacing.join(label)


def page(layout: str, field: str, label: str, colon: str, empty: str | None = None) -> str:
    pairs: Pairs = []
    for name in ORDER:
        shown = label if name == field else PLAIN[name]
        value = "" if name == empty else html.escape(VALUES[name][0])
        sep = colon if colon or layout not in SAME_CELL else " "
        pairs.append((shown + sep, value))
    table = LAYOUTS[layout](pairs)
    return (
        "<html><head><meta charset='utf-8'><title>测试页面</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>"
        f"{table}<h1>关于做好信息公开工作的通知</h1>"
        "<div id='zoom'><p>各有关单位：现将有关事项通知如下，请认真贯彻落实。</p></div>"
        "</body></html>"
    )


CASES = [
    (layout, field, label)
    for layout in LAYOUTS
    for field, labels in VARIANTS.items()
    for label in labels
]


@pytest.mark.parametrize(("layout", "field", "label"), CASES)
def test_label_variant_in_layout(layout: str, field: str, label: str) -> None:
    for colon in ("：", ":", ""):
        for spacing in ("", "\u3000", "&nbsp;"):
            shown = _spaced(label, spacing)
            document = extract_document(
                page(layout, field, shown, colon), "http://example.gov.cn/a.html"
            )
            record = document.to_record()
            for name in ORDER:
                assert record[name] == VALUES[name][1], (layout, shown, colon, name, record[name])


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("empty", ORDER)
def test_empty_value_never_takes_the_next_label(layout: str, empty: str) -> None:
    for colon in ("：", ""):
        record = extract_document(
            page(layout, "", "", colon, empty=empty), "http://x.gov.cn/"
        ).to_record()
        for name in ORDER:
            expected = None if name == empty else VALUES[name][1]
            assert record[name] == expected, (layout, colon, empty, name, record[name])


def test_script_and_style_are_never_read() -> None:
    markup = (
        "<html><body><script>var a = '发布机构：假机构';</script>"
        "<style>.x{content:'索引号：1'}</style>"
        "<table><tr><td>发布机构</td><td><script>document.write('x')</script>市经信局</td></tr></table>"
        "<div id='zoom'><p>正文内容足够长，说明这是一个正常的页面。</p></div></body></html>"
    )
    record = extract_document(markup, "http://x.gov.cn/").to_record()
    assert record["publisher"] == "市经信局"
    assert record["index_no"] is None


def test_counters_are_ignored() -> None:
    markup = (
        "<html><body><div>来源：市经信局 发布时间：2023-11-03 浏览次数：123 点击率：45</div>"
        "<table><tr><td>点击率</td><td>88</td><td>发布机构</td><td>市经信局</td></tr></table>"
        "<div id='zoom'><p>正文内容。</p></div></body></html>"
    )
    record = extract_document(markup, "http://x.gov.cn/").to_record()
    assert record["source"] == "市经信局"
    assert record["published_at"] == "2023-11-03"
    assert record["publisher"] == "市经信局"


def test_source_is_never_the_publisher() -> None:
    markup = (
        "<html><body><p>来源：浙江发布微信公众号</p>"
        "<div id='zoom'><p>正文。</p></div></body></html>"
    )
    record = extract_document(markup, "http://x.gov.cn/").to_record()
    assert record["source"] == "浙江发布微信公众号"
    assert record["publisher"] is None


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("索 引 号：", "index_no"),
        ("發布機構", "publisher"),
        ("标　　题:", "title"),
        ("日期", "published_at"),
        ("公文生成日期", "written_date"),
        ("人大代表建议", None),
        ("发布机构市经信局", None),
    ],
)
def test_whole_label(cell: str, field: str | None) -> None:
    assert whole_label(fold(cell).folded) == field


@pytest.mark.parametrize(
    ("cell", "is_label"),
    [
        ("投诉电话：", True),
        ("索引号", True),
        ("市经信局", False),
        ("2023-11-03", False),
        ("0571:", False),
    ],
)
def test_looks_like_label(cell: str, is_label: bool) -> None:
    assert looks_like_label(fold(cell).folded) is is_label
