"""Dates in every form the portals write them."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.extract.dates import chinese_number, find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-11-03", "2023-11-03"),
        ("2023-11-03 11:04", "2023-11-03T11:04:00+08:00"),
        ("2023-11-03 11:04:59", "2023-11-03T11:04:59+08:00"),
        ("2011- 09- 01 14: 58: 15", "2011-09-01T14:58:15+08:00"),
        ("2017-06-08-16:30:00", "2017-06-08T16:30:00+08:00"),
        ("2024/07/12 09:30:00", "2024-07-12T09:30:00+08:00"),
        ("2024/9/2 10:15", "2024-09-02T10:15:00+08:00"),
        ("2024.03.05", "2024-03-05"),
        ("2018年12月07日", "2018-12-07"),
        ("2018 年 12 月 7 日", "2018-12-07"),
        ("2018年12月7日 10:30", "2018-12-07T10:30:00+08:00"),
        ("二〇二三年六月九日", "2023-06-09"),
        ("二O一一年5月16日", "2011-05-16"),
        ("一九九六年六月二十九日", "1996-06-29"),
        ("二〇二四年十二月三十一日", "2024-12-31"),
        ("二○二四年十月十日", "2024-10-10"),
        ("２０２４年３月５日", "2024-03-05"),
        ("发布时间：2023-11-03 11:04 浏览次数：12", "2023-11-03T11:04:00+08:00"),
        ("20231103", "2023-11-03"),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == iso


@pytest.mark.parametrize(
    "text",
    [
        "6月9日",
        "六月九日",
        "2023-13-01",
        "2023-02-30",
        "二〇二三年十三月一日",
        "",
        "无",
        "1899-01-01",
        "12:30",
        "2023年",
        "第2023号",
    ],
)
def test_no_date_rather_than_a_wrong_one(text: str) -> None:
    assert parse_date(text) is None


def test_find_dates_in_order() -> None:
    text = "成文日期：二〇二三年六月九日，发布时间：2023-11-03 11:04"
    assert [d.date for d in find_dates(text)] == [dt.date(2023, 6, 9), dt.date(2023, 11, 3)]


def test_time_is_shanghai() -> None:
    parsed = parse_date("2023-11-03 23:30")
    assert parsed is not None and parsed.iso().endswith("+08:00")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十九", 29),
        ("三十一", 31),
        ("〇九", 9),
        ("12", 12),
        ("二〇二三", 2023),
        ("二O一一", 2011),
        ("１２", 12),
        ("十十", None),
        ("甲", None),
    ],
)
def test_chinese_number(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_the_date_under_the_heading_counts_where_the_content_repeats_the_title() -> None:
    """`<h3>title</h3><p>2026-03-02</p>`, then the content opening with the title again and its
    number (no date under that one): the date under the heading is the publication date."""
    from crawler.extract.document import extract_document

    title = "关于调整本市住房公积金缴存基数的通知"
    page = (
        "<html><body><div class='nav'>首页 &gt; 通知公告</div>"
        f"<div class='con_tit'><h3>{title}</h3><p>2026-03-02</p></div>"
        f"<div class='content'><p>{title}</p><p>某金管规〔2026〕2号</p><p>各缴存单位：</p>"
        "<p>为进一步做好住房公积金缴存工作，现就有关事项通知如下。</p>"
        "<p>一、缴存基数按上年度月平均工资确定。</p><p>某市住房公积金管理中心</p>"
        "<p>2026年3月1日</p></div></body></html>"
    )
    document = extract_document(page.encode(), "http://gjj.example.gov.cn/t20260302_1.html")
    assert document.title == title
    assert document.published_at is not None and document.published_at.startswith("2026-03-02")


@pytest.mark.parametrize("label", ["发文日期", "登记日期", "签发日期"])
def test_a_date_under_the_title_after_a_written_date_label_is_no_publication(label: str) -> None:
    from crawler.extract.document import extract_document

    title = "示例县人民政府办公室关于印发示例县应急预案的通知"
    page = (
        f"<html><body><p>{title}</p><p>索引号：000000000/2024-00012 {label}：2024年06月28日</p>"
        "<p>各乡镇人民政府，县级有关部门：</p><p>现将有关预案印发给你们，请认真贯彻执行。</p>"
        "</body></html>"
    )
    document = extract_document(page.encode(), "http://www.example.gov.cn/xxgk/1.htm")
    assert document.published_at is None
