"""Exports for the analyst who passes files around: an XLSX workbook, and a CSV that Excel on a
Chinese Windows opens as it is (UTF-8 with a byte-order mark, CRLF). Both flatten the reply into
its own columns (代表/委员, 建议编号, 届次, 主办/会办单位, 联系人, dates) instead of a JSON blob,
head each column in Chinese and English, and show times in Beijing time.

Excel takes at most 32,767 characters in a cell: longer texts are cut, and say so in the cell.
A text that opens with = + - @ would be read by Excel as a formula: it gets a leading apostrophe
in the CSV and is stored as text in the workbook."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from crawler.clock import CHINA

CELL_LIMIT = 32767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what XLSX cannot hold
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

Getter = Callable[[dict[str, Any]], Any]


def _reply(key: str) -> Getter:
    return lambda row: (row.get("reply") or {}).get(key)


def _joined(values: Any) -> str | None:
    return "、".join(str(v) for v in values if v) if values else None


#: (heading, value) per column of a spreadsheet of documents.
DOCUMENT_COLUMNS: list[tuple[str, Getter]] = [
    ("标题 title", lambda r: r.get("title")),
    ("发布日期 published", lambda r: r.get("published_at")),
    ("类型 kind", lambda r: r.get("kind")),
    ("门户 portal", lambda r: r.get("portal")),
    ("发布机构 publisher", lambda r: r.get("publisher")),
    ("文号 doc_no", lambda r: r.get("doc_no")),
    ("索引号 index_no", lambda r: r.get("index_no")),
    ("成文日期 written", lambda r: r.get("written_date")),
    ("代表/委员 deputy or member", _reply("addressee")),
    ("身份 role", _reply("addressee_role")),
    ("建议/提案编号 proposal_no", _reply("proposal_no")),
    ("建议/提案标题 proposal_title", _reply("proposal_title")),
    ("届次 session", _reply("session")),
    ("主办单位 lead_agency", _reply("lead_agency")),
    ("会办单位 co_agencies", lambda r: _joined(_reply("co_agencies")(r))),
    ("联系人 contact", _reply("contact_person")),
    ("联系电话 phone", _reply("contact_phone")),
    ("答复日期 signed", _reply("signed_date")),
    ("办理结果 result", _reply("result_class")),
    ("主送 addressee", lambda r: r.get("addressee")),
    ("链接 url", lambda r: r.get("url")),
    ("附件 attachments", lambda r: _joined(a.get("name") or a.get("url") for a in r.get("attachments") or [])),
    ("正文 body_text", lambda r: r.get("body_text")),
    ("附件正文 attachment_text", lambda r: "\n\n".join(f["text"] for f in r.get("attachment_files") or [] if f.get("text")) or None),
    ("状态 status", lambda r: r.get("status")),
    ("首次发现 first_seen", lambda r: r.get("first_seen")),
    ("最后变更 last_changed", lambda r: r.get("last_changed")),
    ("版本 version", lambda r: r.get("version")),
    ("内容哈希 content_hash", lambda r: r.get("content_hash")),
    ("编号 id", lambda r: r.get("id") or r.get("document_id")),
]  # fmt: skip
VERSION_COLUMNS: list[tuple[str, Getter]] = [
    ("版本 version", lambda r: r.get("version")),
    ("抓取时间 fetched_at", lambda r: r.get("fetched_at")),
    *[column for column in DOCUMENT_COLUMNS if not column[0].startswith(("版本", "状态", "首次", "最后", "附件正文"))],
    ("抓取地址 fetched_url", lambda r: r.get("fetched_url")),
    ("运行 run_id", lambda r: r.get("run_id")),
]  # fmt: skip
ALERT_COLUMNS: list[tuple[str, Getter]] = [
    ("编号 id", lambda r: r.get("id")),
    ("时间 created_at", lambda r: r.get("created_at")),
    ("规则 rules", lambda r: ", ".join(r.get("rules") or [])),
    ("门户 portal", lambda r: r.get("portal")),
    ("标题 title", lambda r: r.get("title")),
    ("链接 url", lambda r: r.get("url")),
    ("文件 document_id", lambda r: r.get("document_id")),
    ("版本 version", lambda r: r.get("version")),
    ("送达 deliveries", lambda r: "; ".join(f"{d['sink']}: {d['status']}" for d in r.get("deliveries") or []) or "pending"),
]  # fmt: skip
COLUMNS = {"documents": DOCUMENT_COLUMNS, "versions": VERSION_COLUMNS, "alerts": ALERT_COLUMNS}


def local_time(value: Any) -> dt.datetime | dt.date | None:
    """A stored ISO time in Beijing time, without its zone (Excel has none); a bare ISO date as
    a date; None when it is neither."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        return moment.date()
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA)
    return moment.replace(tzinfo=None)


def cell_text(value: str) -> str:
    """A text as a cell can hold it: XLSX's illegal control characters dropped, cut at the
    cell limit with a note of how much is left out."""
    value = _ILLEGAL.sub("", value)
    if len(value) <= CELL_LIMIT:
        return value
    note = f"…[cut: {len(value):,} characters in all; the JSONL or Parquet export has them]"
    return value[: CELL_LIMIT - len(note)] + note


def flat(row: dict[str, Any], what: str) -> list[Any]:
    """A record's cells: texts, numbers, and dates and times in Beijing time."""
    cells: list[Any] = []
    for heading, get in COLUMNS[what]:
        value = get(row)
        if isinstance(value, str) and heading.split(" ")[-1] in _TIMES:
            value = local_time(value) or value
        elif isinstance(value, str):
            value = cell_text(value)
        cells.append(value)
    return cells


_TIMES = {
    "published",
    "written",
    "signed",
    "first_seen",
    "last_changed",
    "fetched_at",
    "created_at",
}


def _csv_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def write_excel_csv(rows: Iterable[dict[str, Any]], out: IO[str], what: str) -> int:
    """CSV as Excel reads it: a byte-order mark, CRLF, flattened columns."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading for heading, _ in COLUMNS[what]])
    count = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in flat(row, what)])
        count += 1
    return count


def write_xlsx(rows: Iterable[dict[str, Any]], path: Path, what: str) -> int:
    """One sheet named for `what`: a bold, frozen heading row, autofilter, readable widths;
    times as Excel dates in Beijing time; every text stored as text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(what)
    headings = [heading for heading, _ in COLUMNS[what]]
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(headings, 1):
        wide = 60 if heading.startswith(("标题", "正文", "附件正文")) else 18
        sheet.column_dimensions[get_column_letter(index)].width = wide
    bold = Font(bold=True)
    top = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, heading)
        cell.font = bold
        top.append(cell)
    sheet.append(top)
    count = 0
    for row in rows:
        cells = []
        for value in flat(row, what):
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=…" stays text, never a formula
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{count + 1}"
    book.save(path)
    return count
