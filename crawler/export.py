"""Export the corpus: JSONL, CSV, or the raw responses as WARC, every record with provenance."""

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


def rows(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    for record in store.records(kind=kind, since=since):
        yield {
            **{key: record.get(key) for key in DOCUMENT_KEYS},
            **{key: record.get(key) for key in PROVENANCE},
        }


def write_jsonl(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    count = 0
    for row in rows(store, kind, since):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    writer = csv.DictWriter(out, fieldnames=[*DOCUMENT_KEYS, *PROVENANCE])
    writer.writeheader()
    count = 0
    for row in rows(store, kind, since):
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
    return count


def _warc_date(value: str) -> str:
    return value.replace("+00:00", "Z") if value else value
