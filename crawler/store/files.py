"""Attachment files: each file once by content hash with its text, every new content of an
attachment URL a version, and a document's attachment links pointing at their file."""

from __future__ import annotations

import json
import zlib
from typing import Any

from crawler.store.core import Connection, StoreCore
from crawler.store.query import search_form
from crawler.store.schema import search_text


def save_files(
    conn: Connection, identity: str, record: dict[str, Any],
    files: list[dict[str, Any]], run_id: int | None, *, new: bool = False,
) -> None:  # fmt: skip
    """The document's attachment links, each pointing at its stored file (when fetched). A
    `new` document has none stored yet: nothing is read back or replaced."""
    before = {} if new else {
        url: (sha, at, state, error)
        for url, sha, at, state, error in conn.execute(
            "SELECT url, sha256, fetched_at, fetch_status, fetch_error FROM attachments "
            "WHERE document_id = ?", (identity,))
    }  # fmt: skip
    by_url = {file["url"]: file for file in files}
    if not new:
        conn.execute("DELETE FROM attachments WHERE document_id = ?", (identity,))
    for attachment in record.get("attachments") or []:
        url = attachment["url"]
        sha, at, state, error = before.get(url, (None, None, None, None))
        file = by_url.get(url)
        if file is not None:
            at, error = file["fetched_at"], file.get("error")
            if file["status"] == 200 and file.get("reading") is not None:
                sha, state = save_file(conn, url, file, run_id), "fetched"
            elif file["status"] == 304:
                latest = conn.execute(
                    "SELECT sha256 FROM attachment_versions WHERE url = ? "
                    "ORDER BY version DESC LIMIT 1", (url,)).fetchone()  # fmt: skip
                sha, state = (latest[0] if latest else sha), "not_modified"
            else:
                state = "failed"
        conn.execute(
            "INSERT INTO attachments (document_id, url, name, type, sha256, fetched_at, "
            "fetch_status, fetch_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (identity, url, attachment.get("name"), attachment.get("type"), sha, at, state,
             error),
        )  # fmt: skip


def save_file(conn: Connection, url: str, file: dict[str, Any], run_id: int | None) -> str:
    """A fetched file: stored once by content hash; a new content of its URL a version."""
    reading = file["reading"]
    sha = str(reading["sha256"])
    if not reading.get("known"):  # a file stored already is not stored (nor read) again
        conn.execute(
            "INSERT INTO attachment_files (sha256, type, size, content_type, page_count, "
            "ocr, ocr_confidence, text, pages, warnings, raw, first_fetched) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (sha, reading["type"], reading["size"], file.get("content_type"),
             reading["page_count"], int(reading["ocr"]), reading["ocr_confidence"],
             reading["text"], json.dumps(reading["pages"], ensure_ascii=False),
             json.dumps(reading["warnings"], ensure_ascii=False),
             zlib.compress(file.get("raw") or b"", 6), file["fetched_at"]),
        )  # fmt: skip
    latest = conn.execute(
        "SELECT version, sha256 FROM attachment_versions WHERE url = ? "
        "ORDER BY version DESC LIMIT 1", (url,)).fetchone()  # fmt: skip
    if latest is not None and latest[1] == sha:
        conn.execute(
            "UPDATE attachment_versions SET etag = ?, last_modified = ? WHERE url = ? AND version = ?",
            (file.get("etag"), file.get("last_modified"), url, latest[0]),
        )
    else:
        conn.execute(
            "INSERT INTO attachment_versions (url, version, sha256, fetched_at, fetched_url, "
            "etag, last_modified, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (url, (latest[0] if latest else 0) + 1, sha, file["fetched_at"],
             file.get("fetched_url"), file.get("etag"), file.get("last_modified"), run_id),
        )  # fmt: skip
    return sha


def reindex(conn: Connection, identity: str, record: dict[str, Any]) -> None:
    """A document's search text again, with its attachments' text."""
    texts = [row[0] for row in conn.execute(
        "SELECT f.text FROM attachments a JOIN attachment_files f ON f.sha256 = a.sha256 "
        "WHERE a.document_id = ? AND f.text IS NOT NULL", (identity,))]  # fmt: skip
    body = " ".join(filter(None, (search_text(record), *texts)))
    conn.execute("UPDATE documents SET search_body = ? WHERE id = ?", (search_form(body), identity))


class FilesPart(StoreCore):
    """The attachment files of the corpus (part of `crawler.store.base.Store`)."""

    def attachment_files(self, identity: str) -> dict[str, str | None]:
        """A document's attachment URLs → the hash of the file stored for each (None: none yet)."""
        rows = self.conn.execute(
            "SELECT url, sha256 FROM attachments WHERE document_id = ?", (identity,)
        )
        return {row[0]: row[1] for row in rows}

    def refused_files(self, identity: str) -> set[str]:
        """A document's attachment URLs whose last fetch was refused for a reason that does not
        pass by itself (the file is larger than the profile's cap): not asked for again while
        the page is unchanged."""
        rows = self.conn.execute(
            "SELECT url FROM attachments WHERE document_id = ? AND fetch_status = 'failed' "
            "AND fetch_error LIKE 'larger than %'", (identity,),
        )  # fmt: skip
        return {str(row[0]) for row in rows}

    def attachment_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The ETag and Last-Modified of the file last stored for an attachment URL."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM attachment_versions WHERE url = ? "
            "ORDER BY version DESC LIMIT 1", (url,)).fetchone()  # fmt: skip
        return (row[0], row[1]) if row else None

    def stored_reading(self, url: str) -> dict[str, Any] | None:
        """What the file last stored for an attachment URL says (its text and how it was read)."""
        row = self.conn.execute(
            "SELECT f.sha256, f.type, f.text FROM attachment_versions v JOIN attachment_files f "
            "ON f.sha256 = v.sha256 WHERE v.url = ? ORDER BY v.version DESC LIMIT 1", (url,),
        ).fetchone()  # fmt: skip
        return {"sha256": row[0], "type": row[1], "text": row[2]} if row else None

    def file_text(self, sha256: str) -> str | None:
        row = self.conn.execute(
            "SELECT text FROM attachment_files WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return row[0] if row else None

    def has_file(self, sha256: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM attachment_files WHERE sha256 = ?", (sha256,)
            ).fetchone()
            is not None
        )

    def attachment_texts(self, identity: str) -> list[dict[str, Any]]:
        """A document's attachments with their stored file and text, in link order."""
        found = self.conn.execute(
            "SELECT a.url, a.name, a.type, a.sha256, a.fetched_at, a.fetch_status, a.fetch_error, "
            "f.type, f.size, f.page_count, f.ocr, f.ocr_confidence, f.text, f.warnings "
            "FROM attachments a LEFT JOIN attachment_files f ON f.sha256 = a.sha256 "
            "WHERE a.document_id = ?", (identity,),
        )  # fmt: skip
        order = self.link_order(identity)
        rows = sorted(found, key=lambda row: (order.get(row[0], len(order)), row[0]))
        return [
            {"url": url, "name": name, "type": link_type, "sha256": sha, "fetched_at": at,
             "fetch_status": state, "fetch_error": error, "file_type": file_type, "size": size,
             "page_count": pages, "ocr": bool(ocr) if ocr is not None else None,
             "ocr_confidence": confidence, "text": text,
             "warnings": json.loads(warnings) if warnings else []}
            for (url, name, link_type, sha, at, state, error, file_type, size, pages, ocr,
                 confidence, text, warnings) in rows
        ]  # fmt: skip

    def link_order(self, identity: str) -> dict[str, int]:
        """attachment URL → its place among the document's links (as the page lists them)."""
        row = self.conn.execute(
            "SELECT attachments FROM documents WHERE id = ?", (identity,)
        ).fetchone()
        links = json.loads(row[0]) if row and row[0] else []
        return {link.get("url"): place for place, link in reversed(list(enumerate(links)))}

    def attachment_raw(self, sha256: str) -> bytes | None:
        row = self.conn.execute(
            "SELECT raw FROM attachment_files WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else None
