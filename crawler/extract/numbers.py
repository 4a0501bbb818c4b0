"""Document numbers (文号) and index numbers (索引号), parsed leniently; the raw value is kept.

文号: `<issuer><series>〔YYYY〕<serial>号`, with 〔〕 [] ［］ () （） 【】 brackets,
full-width digits and stray spaces; NFKC first. In Zhejiang bureaus the series 提 marks a
reply to a suggestion or a proposal and 提函 a co-handling opinion.
索引号: usually `<organisation code>/<year>-<serial>`, with many regional variants.
"""

from __future__ import annotations

import re
import unicodedata

from crawler.items import DocNumber, IndexNumber

_DOC_NO = re.compile(
    r"^(?P<issuer>.*?)\s*[〔\[(【［（]\s*(?P<year>(?:19|20)\d{2})\s*[〕\])】］）]\s*"
    r"(?:第\s*)?(?P<serial>\d+)\s*[号號]"
)
# An announcement's or an order's number, with no brackets: `国家税务总局公告2025年第1号`.
_NUMBERED = re.compile(
    r"^(?P<issuer>.*?(?:公告|令))\s*(?P<year>(?:19|20)\d{2})\s*年\s*第\s*(?P<serial>\d+)\s*[号號]$"
)
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕"})


def parse_doc_no(raw: str | None) -> DocNumber | None:
    """`杭经信提〔2023〕140号` → issuer 杭经信提, year 2023, serial 140."""
    if raw is None or not raw.strip():
        return None
    nfkc = unicodedata.normalize("NFKC", raw).strip()
    match = _DOC_NO.match(nfkc)
    if match is None and (numbered := _NUMBERED.match(nfkc)) is not None:
        by = re.sub(r"\s+", "", numbered["issuer"])
        year, serial = int(numbered["year"]), int(numbered["serial"])
        return DocNumber(raw=raw, normalized=f"{by}{year}年第{serial}号", issuer=by, year=year,
                         serial=serial)  # fmt: skip
    if match is None:
        return DocNumber(raw=raw, normalized=re.sub(r"\s+", "", nfkc), issuer=None, year=None,
                         serial=None)  # fmt: skip
    issuer = re.sub(r"\s+", "", match["issuer"]) or None
    year, serial = int(match["year"]), int(match["serial"])
    normalized = f"{issuer or ''}〔{year}〕{serial}号"
    return DocNumber(raw=raw, normalized=normalized, issuer=issuer, year=year, serial=serial)


def doc_series(number: DocNumber | None) -> str | None:
    """`提函` for 杭经信提函〔…〕, `提` for 杭经信提〔…〕, else None."""
    if number is None or number.issuer is None:
        return None
    if number.issuer.endswith("提函"):
        return "提函"
    if number.issuer.endswith("提"):
        return "提"
    return None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})")


def parse_index_no(raw: str | None) -> IndexNumber | None:
    """`002489452/2023-00334` → org 002489452, year 2023, serial 00334; variants leniently."""
    if raw is None or not raw.strip():
        return None
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
    org: str | None = None
    rest = value
    if "/" in value:
        org, _, rest = value.partition("/")
    else:
        head, sep, tail = value.partition("-")
        if sep and not _YEAR.match(head):
            org, rest = head, tail
    parts = [part for part in re.split(r"[-/_.]", rest) if part]
    year: int | None = None
    serial: str | None = None
    if parts:
        for part in parts[:-1] or parts:
            year_match = _YEAR.match(part)
            if year_match:
                year = int(year_match.group(1))
                break
        last = parts[-1]
        if len(parts) > 1 and last.isalnum():
            serial = last
    return IndexNumber(raw=raw, org_code=org or None, year=year, serial=serial)
