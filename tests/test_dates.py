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
