"""Export the corpus: JSONL, CSV, or the raw responses as WARC, every record with provenance.

Attachments (issue 13): JSONL rows carry `attachment_files` (each fetched file's hash, type,
pages, whether OCR read it and how confidently, its text and warnings), CSV rows
`attachment_text`; the WARC keeps every stored attachment file as a `resource` record under its
URL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import IO, Any

from crawler.items import DOCUMENT_KEYS
from crawler.store import Store

PROVENANCE = ("portal", "status", "fetched_url", "first_seen", "last_seen", "last_changed",
              "version", "content_hash", "extractor_version")  # fmt: skip
FORMATS = ("jsonl", "csv", "warc")
#: What JSONL says of each fetched attachment file.
FILE_KEYS = ("url", "name", "sha256", "file_type", "size", "page_count", "ocr", "ocr_confidence",
             "fetched_at", "fetch_status", "fetch_error", "warnings", "text")  # fmt: skip


def rows(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    for record in store.records(kind=kind, since=since):
        files = store.attachment_texts(record["id"]) if record.get("attachments") else []
        yield {
            **{key: record.get(key) for key in DOCUMENT_KEYS},
            **{key: record.get(key) for key in PROVENANCE},
            "attachment_files": [
                {key: file.get(key) for key in FILE_KEYS} for file in files if file["fetch_status"]
            ],
        }


def write_jsonl(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    count = 0
    for row in rows(store, kind, since):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    writer = csv.DictWriter(out, fieldnames=[*DOCUMENT_KEYS, *PROVENANCE, "attachment_text"])
    writer.writeheader()
    count = 0
    for row in rows(store, kind, since):
        files = row.pop("attachment_files")
        row["attachment_text"] = "\n\n".join(f["text"] for f in files if f.get("text"))
        for key in ("reply", "attachments", "warnings"):
            row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] is not None else ""
        writer.writerow(row)
        count += 1
    return count


def write_warc(store: Store, out: IO[bytes], kind: str | None, since: str | None) -> int:
    """Each document's stored response, as fetched, under its canonical URL."""
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
