"""文号 and 索引号: parsed leniently, raw value kept."""

from __future__ import annotations

import pytest

from crawler.extract.numbers import doc_series, parse_doc_no, parse_index_no


@pytest.mark.parametrize(
    ("raw", "issuer", "year", "serial", "normalized"),
    [
        ("杭经信提〔2023〕140号", "杭经信提", 2023, 140, "杭经信提〔2023〕140号"),
        ("国办发〔2017〕47号", "国办发", 2017, 47, "国办发〔2017〕47号"),
        ("延医保函[2024]212号", "延医保函", 2024, 212, "延医保函〔2024〕212号"),
        ("黑政调〔２０２０〕６号", "黑政调", 2020, 6, "黑政调〔2020〕6号"),
        ("浙政办发（2023）15号", "浙政办发", 2023, 15, "浙政办发〔2023〕15号"),
        ("浙政办发［2023］15号", "浙政办发", 2023, 15, "浙政办发〔2023〕15号"),
        ("甬科高(2024)56 号", "甬科高", 2024, 56, "甬科高〔2024〕56号"),
        ("苏政发 〔2022〕 第 8 号", "苏政发", 2022, 8, "苏政发〔2022〕8号"),
        ("杭經信提〔2023〕140號", "杭經信提", 2023, 140, "杭經信提〔2023〕140号"),
        # Announcements and orders number by year with no brackets.
        (
            "财政部 税务总局公告2025年第17号",
            "财政部税务总局公告",
            2025,
            17,
            "财政部税务总局公告2025年第17号",
        ),
        (
            "国家税务总局公告 2024 年第 3 號",
            "国家税务总局公告",
            2024,
            3,
            "国家税务总局公告2024年第3号",
        ),
        (
            "国家发展和改革委员会令2023年第7号",
            "国家发展和改革委员会令",
            2023,
            7,
            "国家发展和改革委员会令2023年第7号",
        ),
        ("第3号", None, None, None, "第3号"),
    ],
)
def test_parse_doc_no(
    raw: str, issuer: str | None, year: int | None, serial: int | None, normalized: str
) -> None:
    number = parse_doc_no(raw)
    assert number is not None
    assert number.raw == raw
    assert (number.issuer, number.year, number.serial) == (issuer, year, serial)
    assert number.normalized == normalized


def test_empty_doc_no_is_none() -> None:
    assert parse_doc_no("") is None
    assert parse_doc_no(None) is None


@pytest.mark.parametrize(
    ("raw", "series"),
    [
        ("杭经信提〔2023〕140号", "提"),
        ("杭科提函〔2023〕17号", "提函"),
        ("国办发〔2017〕47号", None),
        ("无法解析", None),
    ],
)
def test_doc_series(raw: str, series: str | None) -> None:
    assert doc_series(parse_doc_no(raw)) == series


@pytest.mark.parametrize(
    ("raw", "org", "year", "serial"),
    [
        ("002489452/2023-00334", "002489452", 2023, "00334"),
        ("11120000MB1908811Q/2020-04798", "11120000MB1908811Q", 2020, "04798"),
        ("01527918X-2020-153077", "01527918X", 2020, "153077"),
        ("zkx_nyncj/2025-00019", "zkx_nyncj", 2025, "00019"),
        ("MB1665338/2024-00136", "MB1665338", 2024, "00136"),
        ("20191202-189769", None, 2019, "189769"),
        ("003110926/201510-00216", "003110926", 2015, "00216"),
        ("KJ001-0203-2024-0091", "KJ001", 2024, "0091"),
        ("330200-01-2023-12-0004-05", "330200", 2023, "05"),
    ],
)
def test_parse_index_no(raw: str, org: str | None, year: int | None, serial: str | None) -> None:
    number = parse_index_no(raw)
    assert number is not None
    assert number.raw == raw
    assert (number.org_code, number.year, number.serial) == (org, year, serial)
