"""Between the crawl and the store: the attachments fetched with a document, read (each file
once: a file whose content hash is already stored is not read again) and applied to its record."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from crawler.attachments.apply import with_attachment_text
from crawler.attachments.isolated import IsolatedReader
from crawler.items import FetchedFile
from crawler.store import Store


def unread(store: Store, files: list[FetchedFile]) -> list[FetchedFile]:
    """The fetched files whose content is not stored yet: those that need reading."""
    return [
        file for file in files
        if file.status == 200 and not store.has_file(hashlib.sha256(file.raw).hexdigest())
    ]  # fmt: skip


#: One reading at a time, in one child process kept for the crawl (started on the first file).
_READING = threading.Lock()
_READER = IsolatedReader()


def read_all(files: list[FetchedFile]) -> dict[str, dict[str, Any]]:
    """content hash → reading, for files not stored yet. Slow (OCR): the pipeline runs it in a
    thread, so that the crawl's downloads go on meanwhile. Each file is read in a child process
    under a memory limit and a timeout: a file that would eat the machine (a bomb the unpack
    budget misses, a reader that loops) is a warning on that file, stored like any reading, so
    the next crawl neither fetches nor reads it again until it changes."""
    readings: dict[str, dict[str, Any]] = {}
    with _READING:
        for file in files:
            reading = _READER.read(file.raw, file.name or file.url, file.content_type)
            readings[reading.sha256] = reading.to_record()
    return readings


def close_reader() -> None:
    """End the reading child (at the end of a crawl; the next file starts another)."""
    with _READING:
        _READER.close()


def read_fetched(
    store: Store, files: list[FetchedFile], readings: dict[str, dict[str, Any]] | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The files as `Store.save` takes them, and each attachment URL's text (fetched now, or
    stored before when the server answered 304). `readings` are those `read_all` made already
    (what is missing is read here)."""
    readings = readings or {}
    out: list[dict[str, Any]] = []
    texts: dict[str, str] = {}
    for file in files:
        entry: dict[str, Any] = {
            "url": file.url, "name": file.name, "fetched_url": file.fetched_url,
            "fetched_at": file.fetched_at, "status": file.status, "error": file.error,
            "etag": file.etag, "last_modified": file.last_modified,
            "content_type": file.content_type, "raw": file.raw, "reading": None,
        }  # fmt: skip
        if file.status == 200:
            sha = hashlib.sha256(file.raw).hexdigest()
            if store.has_file(sha):
                entry["reading"] = {"sha256": sha, "known": True}
                known = store.file_text(sha)
                if known:
                    texts[file.url] = known
            else:
                reading = readings.get(sha) or read_all([file])[sha]
                entry["reading"] = reading
                if reading["text"]:
                    texts[file.url] = reading["text"]
        elif file.status == 304:
            stored = store.stored_reading(file.url)
            if stored and stored.get("text"):
                texts[file.url] = stored["text"]
        out.append(entry)
    return out, texts


def stored_texts(store: Store, record: dict[str, Any]) -> dict[str, str]:
    """The text stored for each of a record's attachment URLs."""
    texts = {}
    for attachment in record.get("attachments") or []:
        stored = store.stored_reading(attachment["url"])
        if stored and stored.get("text"):
            texts[attachment["url"]] = stored["text"]
    return texts


def applied(record: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """The record with what its attachments' text says (kind, reply) where its page is silent."""
    named = [
        (a.get("name") or a["url"], texts[a["url"]])
        for a in record.get("attachments") or []
        if a["url"] in texts
    ]
    return with_attachment_text(record, named)


def watched(record: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """The record as watch rules read it: each attachment with its text."""
    return {
        **record,
        "attachments": [
            {**a, "text": texts.get(a["url"])} for a in record.get("attachments") or []
        ],
    }
