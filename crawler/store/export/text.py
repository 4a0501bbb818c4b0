"""The text formats and the archive: JSONL (one JSON object a line, nested values kept), CSV
(nested values as JSON; `--excel` has its own shape, `crawler.store.export.excel`), and WARC (the
raw responses as fetched).

Attachments (issue 13): JSONL rows carry `attachment_files` (each fetched file's hash, type,
pages, whether OCR read it and how confidently, its text and warnings), CSV rows
`attachment_text`; the WARC keeps every stored attachment file as a `resource` record under its
URL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from http import HTTPStatus
from typing import IO, Any

from crawler.store import Store
from crawler.store.export.records import FIELDS


def jsonl_lines(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_rows(rows: Iterable[dict[str, Any]], out: IO[str], what: str = "documents") -> int:
    """One row per record; lists and objects as JSON; a document's attachment files as the
    text of them all (`attachment_text`)."""
    names = [f.name for f in FIELDS[what] if f.name != "attachment_files"]
    if what == "documents":
        names.append("attachment_text")
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        files = row.pop("attachment_files", None) or []
        row["attachment_text"] = "\n\n".join(f["text"] for f in files if f.get("text"))
        for key, value in row.items():
            if isinstance(value, list | dict):
                row[key] = json.dumps(value, ensure_ascii=False)
        writer.writerow(row)
        count += 1
    return count


def write_warc(store: Store, out: IO[bytes], kind: str | None, since: str | None) -> int:
    """Each document's stored response, as fetched, under its canonical URL; then its
    attachment files."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    count = 0
    for record in store.records(kind=kind, since=since):
        for version in store.conn.execute(
            "SELECT version, fetched_at, url, status, headers, raw FROM versions WHERE document_id = ? "
            "ORDER BY version",
            (record["id"],),
        ):
            number, fetched_at, fetched_url, status, headers_json, _ = version
            raw = store.raw(record["id"], number) or b""
            headers = [
                (name, value)
                for name, value in json.loads(headers_json or "{}").items()
                if name.lower() not in ("content-length", "content-encoding", "transfer-encoding")
            ]
            headers.append(("Content-Length", str(len(raw))))
            code = int(status or 200)
            phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else ""
            http_headers = StatusAndHeaders(f"{code} {phrase}", headers, protocol="HTTP/1.1")
            warc_headers = {
                "WARC-Date": _warc_date(fetched_at),
                "WARC-Source-URI": fetched_url,
                "WARC-govwatch-Version": str(number),
            }
            item = writer.create_warc_record(
                record["url"], "response", payload=io.BytesIO(raw), http_headers=http_headers,
                warc_headers_dict=warc_headers,
            )  # fmt: skip
            writer.write_record(item)
            count += 1
        count += _write_files(store, writer, record)
    return count


def _write_files(store: Store, writer: Any, record: dict[str, Any]) -> int:
    """A document's attachment files as fetched, each a `resource` record under its URL."""
    written = 0
    rows = store.conn.execute(
        "SELECT v.url, v.fetched_at, v.sha256, f.content_type, v.version FROM attachments a "
        "JOIN attachment_versions v ON v.url = a.url JOIN attachment_files f ON f.sha256 = v.sha256 "
        "WHERE a.document_id = ?",
        (record["id"],),
    ).fetchall()
    order = {
        link.get("url"): place
        for place, link in reversed(list(enumerate(record.get("attachments") or [])))
    }
    rows.sort(key=lambda row: (order.get(row[0], len(order)), row[0], row[4]))
    for url, fetched_at, sha, content_type, _ in rows:
        raw = store.attachment_raw(sha) or b""
        item = writer.create_warc_record(
            url, "resource", payload=io.BytesIO(raw),
            warc_content_type=content_type or "application/octet-stream",
            warc_headers_dict={"WARC-Date": _warc_date(fetched_at),
                               "WARC-govwatch-SHA256": sha,
                               "WARC-govwatch-Document": record["url"]},
        )  # fmt: skip
        writer.write_record(item)
        written += 1
    return written


def _warc_date(value: str) -> str:
    return value.replace("+00:00", "Z") if value else value
