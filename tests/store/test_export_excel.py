"""The exports for Excel: a workbook and a CSV with a byte-order mark, the reply flattened into its
own columns, times in Beijing time, texts that look like formulas kept as text, long texts cut
with a note."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from crawler.store import open_store
from crawler.store.export import Request, export
from crawler.store.export.excel import CELL_LIMIT

REPLY = {"addressee": "何征宇", "addressee_role": "代表", "session": "市十四届人大三次会议",
         "proposal_no": "西湖31号", "proposal_title": "关于支持开源软件发展的建议",
         "lead_agency": "杭州市经济和信息化局", "co_agencies": ["市发改委", "市数据资源局"],
         "contact_person": "王某", "contact_phone": "0571-85251234", "signed_date": "2023-10-30",
         "result_class": "A"}  # fmt: skip


def _corpus(path: Path) -> None:
    records: list[dict[str, Any]] = [
        {"url": "http://x.gov.cn/1.html", "title": "市经信局关于“西湖31号”建议的答复", "kind": "reply",
         "reply": REPLY, "published_at": "2023-11-03T11:04:00+08:00", "body_text": "何征宇代表：您好。",
         "attachments": [{"url": "http://x.gov.cn/a.pdf", "name": "答复.pdf", "type": "pdf"}], "warnings": []},
        {"url": "http://x.gov.cn/2.html", "title": "=HYPERLINK(\"http://evil\")", "kind": "other",
         "published_at": "2023-11-04", "body_text": "长" * (CELL_LIMIT + 10), "attachments": [],
         "warnings": []},
    ]  # fmt: skip
    with open_store(path) as store:
        for number, record in enumerate(records):
            store.save(portal="hangzhou-jxj", identity=f"hangzhou-jxj:{number}", record=record,
                       fetched_url=record["url"], fetched_at="2023-11-05T01:00:00+00:00", status=200,
                       headers={}, raw=b"", etag=None, last_modified=None, run_id=None)  # fmt: skip


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    _corpus(path)
    return path


def test_xlsx_flattens_the_reply(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "答复.xlsx"
    with open_store(db, readonly=True) as store:
        assert export(store, Request(form="xlsx", output=str(out))).count == 2
    sheet = load_workbook(out)["documents"]
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    reply = dict(zip(head, rows[1], strict=True))
    assert reply["代表/委员 deputy or member"] == "何征宇" and reply["身份 role"] == "代表"
    assert (
        reply["建议/提案编号 proposal_no"] == "西湖31号"
        and reply["届次 session"] == "市十四届人大三次会议"
    )
    assert reply["主办单位 lead_agency"] == "杭州市经济和信息化局"
    assert reply["会办单位 co_agencies"] == "市发改委、市数据资源局"
    assert reply["联系人 contact"] == "王某" and reply["答复日期 signed"] == dt.datetime(
        2023, 10, 30
    )
    assert reply["发布日期 published"] == dt.datetime(2023, 11, 3, 11, 4)  # Beijing time
    assert reply["首次发现 first_seen"] == dt.datetime(2023, 11, 5, 9, 0)  # 01:00 UTC
    assert reply["附件 attachments"] == "答复.pdf"
    other = dict(zip(head, rows[2], strict=True))
    assert other["标题 title"] == '=HYPERLINK("http://evil")'  # text, not a formula
    assert sheet.cell(row=3, column=1).data_type == "s"
    body = other["正文 body_text"]
    assert len(body) == CELL_LIMIT and body.endswith("the JSONL or Parquet export has them]")
    assert sheet.freeze_panes == "A2"


def test_csv_for_excel_has_a_bom_and_flat_columns(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "replies.csv"
    with open_store(db, readonly=True) as store:
        export(store, Request(form="csv", excel=True, output=str(out), kind="reply"))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    assert rows[0]["代表/委员 deputy or member"] == "何征宇"
    assert rows[0]["会办单位 co_agencies"] == "市发改委、市数据资源局"
    assert rows[0]["发布日期 published"] == "2023-11-03 11:04"
    assert "{" not in "".join(rows[0].values())  # no JSON blob anywhere


def test_csv_for_excel_defuses_formulas(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    with open_store(db, readonly=True) as store:
        export(store, Request(form="csv", excel=True, output=str(out)))
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1]["标题 title"] == '\'=HYPERLINK("http://evil")'
