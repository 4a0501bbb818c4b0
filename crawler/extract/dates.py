"""Dates as the portals write them: ISO, 年月日, Chinese numerals (〇 and a Latin O for zero),
spaces anywhere inside, with or without a time. A date without a year is no date: a guessed year
would be a wrong date. Times are Asia/Shanghai (+08:00).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.clock import CHINA_OFFSET

_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "Ｏ": 0, "０": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "两": 2,
}  # fmt: skip
_NUM = r"[0-9０-９〇○零Oo一二三四五六七八九十两]"
#: A day as a line prints it (`2018/3/26`, `2021-07-07`, `2024年01月26日`), for finding one in
#: text (a byline, the line under a title); `parse_date` reads what is found.
DAY = r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_S = r"[ \u3000\u00a0]*"

# 2023-11-03, 2023/11/3, 2023.11.03, 2011- 09- 01 14: 58: 15, 2023-11-03-11:04:05 (gov.cn).
_NUMERIC = re.compile(
    rf"(?<![0-9])(?P<y>(?:19|20)[0-9]{{2}}){_S}(?P<sep>[-/.]){_S}(?P<m>[0-9]{{1,2}}){_S}(?P=sep)"
    rf"{_S}(?P<d>[0-9]{{1,2}})"
    # (A day of two digits may run into its time: `2021-03-2918:26`.)
    rf"(?:(?![0-9])|(?<=[0-9]{{2}})(?=[0-9]{{1,2}}{_S}[:：]{_S}[0-9]{{2}}))"
    rf"(?:(?:{_S}|[T\-]){_S}(?P<H>[0-9]{{1,2}}){_S}[:：]{_S}(?P<M>[0-9]{{2}})"
    rf"(?:{_S}[:：]{_S}(?P<S>[0-9]{{2}}))?)?"
)
# 2018年12月07日, 二〇二三年六月九日, 二O一一年5月16日 and an optional time after it.
_CHINESE = re.compile(
    rf"(?P<y>{_NUM}{{4}}){_S}年{_S}(?P<m>{_NUM}{{1,3}}){_S}月{_S}(?P<d>{_NUM}{{1,3}}){_S}[日号]"
    rf"(?:{_S}(?P<H>[0-9]{{1,2}}){_S}[:：时]{_S}(?P<M>[0-9]{{1,2}})"
    rf"(?:{_S}[:：分]{_S}(?P<S>[0-9]{{1,2}}))?)?"
)
# A compact 20231103 only where nothing else fits (index numbers carry them too).
_COMPACT = re.compile(r"^(?P<y>(?:19|20)[0-9]{2})(?P<m>[01][0-9])(?P<d>[0-3][0-9])$")


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    time: dt.time | None = None

    def iso(self) -> str:
        """ISO 8601: a date, or a date-time at +08:00 when the time is known."""
        if self.time is None:
            return self.date.isoformat()
        return dt.datetime.combine(self.date, self.time, CHINA_OFFSET).isoformat()


def chinese_number(text: str) -> int | None:
    """十 → 10, 二十九 → 29, 三十一 → 31, 〇九 → 9, 12 → 12; None when it is not a number."""
    text = text.translate({code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)})
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        high = _DIGITS.get(tens, -1) if tens else 1
        low = _DIGITS.get(units, -1) if units else 0
        if high < 0 or low < 0 or len(tens) > 1 or len(units) > 1:
            return None
        return high * 10 + low
    value = 0
    for ch in text:
        digit = _DIGITS.get(ch) if not ch.isdigit() else int(ch)
        if digit is None:
            return None
        value = value * 10 + digit
    return value


def _build(match: re.Match[str]) -> ParsedDate | None:
    year = chinese_number(match["y"])
    month = chinese_number(match["m"])
    day = chinese_number(match["d"])
    if year is None or month is None or day is None or not 1900 <= year <= 2100:
        return None
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    time = None
    groups = match.groupdict()
    if groups.get("H") is not None:
        try:
            time = dt.time(int(groups["H"]), int(groups["M"]), int(groups["S"] or 0))
        except ValueError:
            time = None
    return ParsedDate(date, time)


def find_dates(text: str) -> list[ParsedDate]:
    """Every complete date in `text`, in order of appearance."""
    found: list[tuple[int, ParsedDate]] = []
    for pattern in (_NUMERIC, _CHINESE):
        for match in pattern.finditer(text):
            parsed = _build(match)
            if parsed is not None:
                found.append((match.start(), parsed))
    return [parsed for _, parsed in sorted(found, key=lambda item: item[0])]


@lru_cache(maxsize=1024)
def parse_date(text: str | None) -> ParsedDate | None:
    """The first complete date in `text`, or None (a missing year gives None, never a guess)."""
    if not text:
        return None
    dates = find_dates(text)
    if dates:
        return dates[0]
    compact = _COMPACT.match(text.strip())
    return _build(compact) if compact else None
