"""Documents and their versions: what is known of a portal, a fetched page stored as a new
document, a new version or only "seen again", gone marks, and reading them back."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from crawler.items import RECORD_KEYS, DueAlerts, content_hash
from crawler.store.core import Connection, StoreCore
from crawler.store.files import reindex, save_files
from crawler.store.outbox import write_alert
from crawler.store.query import search_form
from crawler.store.schema import EXTRACTOR_VERSION, search_text

#: Record fields kept as JSON in their column.
JSON_FIELDS = ("reply", "attachments", "warnings", "evidence")


@dataclass
class Outcome:
    """What saving one fetched document did."""

    kind: str  # new | changed | moved (same 索引号, new URL) | unchanged | revived
    identity: str
    version: int
    alerts: int = 0


#: A stored document's content hash, version and status.
State = tuple[str, int, str]


@dataclass
class Save:
    """One fetched document to store (`DocumentsPart.save_many`).

    `alerts` are what its watch rules call for (`crawler.watch.alerts.due`): written to the
    outbox in the same transaction as the version that caused them (a new document gets
    `alerts.new`, a changed one `alerts.changed`), so no crash can lose or repeat one.
    `column` is the listing column it was found under (what decides, per column, that it is
    gone). `files` are the attachments fetched with it: each stored once by content hash,
    every new content of an attachment URL a version, their text searched. `page_hash` is
    the hash of the page as extracted, before its attachments' text was applied."""

    portal: str
    identity: str
    record: dict[str, Any]
    fetched_url: str
    fetched_at: str
    status: int
    headers: dict[str, str]
    raw: bytes
    etag: str | None = None
    last_modified: str | None = None
    run_id: int | None = None
    alerts: DueAlerts | None = None
    column: str | None = None
    files: list[dict[str, Any]] | None = None
    page_hash: str | None = None


class DocumentsPart(StoreCore):
    """The documents of the corpus (part of `crawler.store.base.Store`)."""

    def known(self, portal: str) -> dict[str, tuple[str | None, str | None, str | None, str]]:
        """identity → (etag, last_modified, published_at, status) for a portal's documents."""
        rows = self.conn.execute(
            "SELECT id, etag, last_modified, published_at, status FROM documents WHERE portal = ?",
            (portal,),
        )
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}

    def aliases(self, portal: str) -> dict[str, str]:
        """alias identity (a URL a document moved from or to) → the document's identity."""
        rows = self.conn.execute(
            "SELECT alias, document_id FROM aliases WHERE portal = ?", (portal,)
        )
        return {row[0]: row[1] for row in rows}

    def document(self, identity: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [identity]))
        return decoded(rows[0]) if rows else None

    def find(self, key: str) -> dict[str, Any] | None:
        """A document by its id, its URL or the URL it was last fetched from."""
        for column in ("id", "url", "fetched_url"):
            rows = list(self.db.query(
                f"SELECT * FROM documents WHERE {column} = ? ORDER BY last_seen DESC LIMIT 1", [key]
            ))  # fmt: skip
            if rows:
                return decoded(rows[0])
        return None

    def versions(self, identity: str) -> list[dict[str, Any]]:
        """Every stored version of a document, oldest first, with the record it held."""
        rows = self.conn.execute(
            "SELECT version, content_hash, fetched_at, url, status, run_id, record FROM versions "
            "WHERE document_id = ? ORDER BY version",
            (identity,),
        )
        return [
            {"version": version, "content_hash": digest, "fetched_at": fetched, "url": url,
             "status": status, "run_id": run_id, "record": json.loads(record)}
            for version, digest, fetched, url, status, run_id, record in rows
        ]  # fmt: skip

    def document_hash(self, identity: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM documents WHERE id = ?", (identity,)
        ).fetchone()
        return str(row[0]) if row else None

    def page_hash(self, identity: str) -> str | None:
        """The hash of the page as last extracted, before its attachments' text was applied:
        a page whose extraction hashes the same is unchanged (its files need no fetch)."""
        row = self.conn.execute(
            "SELECT COALESCE(page_hash, content_hash) FROM documents WHERE id = ?", (identity,)
        ).fetchone()
        return str(row[0]) if row else None

    def save(self, **fields: Any) -> Outcome:
        """Store one fetched document (the fields of `Save`): `save_many` of one."""
        return self.save_many([Save(**fields)])[0]

    def save_many(self, saves: Sequence[Save]) -> list[Outcome]:
        """Store fetched documents, in one transaction, in order: each a new document, a new
        version, or only 'seen again' (`Save` says what each carries). All are stored or none:
        a crash or a refused write leaves the corpus as before. One transaction for many spares
        each document a commit (a flush of the write-ahead log, of SQLite's full-text segments)
        and, on PostgreSQL, a round trip: the documents' locks and states are read at once,
        their writes streamed, the server working on one while the client prepares the next."""
        if not saves:
            return []
        with self.batched() as conn:
            self.lock_documents(conn, _lock_keys(saves))
            states = _states(conn, [save.identity for save in saves])
            return [_save_one(conn, save, states) for save in saves]

    def seen(
        self, identity: str, at: str, etag: str | None = None, last_modified: str | None = None,
        column: str | None = None,
    ) -> bool:  # fmt: skip
        """A conditional fetch answered 304: the document is still there, unchanged."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE documents SET last_seen = ?, etag = COALESCE(?, etag), "
                "last_modified = COALESCE(?, last_modified), column_id = COALESCE(?, column_id) "
                "WHERE id = ? AND status = 'live'",
                (at, etag, last_modified, column, identity),
            )
        return cursor.rowcount > 0

    def mark_gone(self, identities: list[str], at: str) -> int:
        """Mark documents gone (never deleted); the number that were live."""
        if not identities:
            return 0
        with self.transaction() as conn:
            count = 0
            for identity in sorted(identities):  # one order: concurrent writers never deadlock
                cursor = conn.execute(
                    "UPDATE documents SET status = 'gone', gone_at = ? WHERE id = ? AND status = 'live'",
                    (at, identity),
                )
                count += cursor.rowcount
        return count

    def live(self, portal: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE portal = ? AND status = 'live'", (portal,)
        )
        return {row[0] for row in rows}

    def live_columns(self, portal: str) -> dict[str, str | None]:
        """A portal's live documents → the column each was last found under (None: unknown)."""
        rows = self.conn.execute(
            "SELECT id, column_id FROM documents WHERE portal = ? AND status = 'live'", (portal,)
        )
        return {row[0]: row[1] for row in rows}

    def raw(self, identity: str, version: int | None = None) -> bytes | None:
        """The bytes a version was extracted from (the latest by default)."""
        row = self.conn.execute(
            "SELECT raw FROM versions WHERE document_id = ? ORDER BY version DESC LIMIT 1"
            if version is None
            else "SELECT raw FROM versions WHERE document_id = ? AND version = ?",
            (identity,) if version is None else (identity, version),
        ).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else None

    def records(
        self, *, kind: str | None = None, since: str | None = None, portal: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored documents, oldest first, with provenance."""
        where, params = filters(kind=kind, since=since, portal=portal)
        sql = f"SELECT * FROM documents {where} ORDER BY published_at NULLS FIRST, id"
        for row in self.db.query(sql, params):
            yield decoded(row)

    def counts(self) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END), "
            "(SELECT COUNT(*) FROM versions) FROM documents"
        ).fetchone()
        return {"documents": row[0] or 0, "live": row[1] or 0, "versions": row[2] or 0}


def _lock_keys(saves: Sequence[Save]) -> list[str]:
    """What a batch writes that another writer may write too: its documents, and the files
    and attachment URLs it stores (shared between documents: two batches storing the same
    files in other orders would wait on each other)."""
    keys = [save.identity for save in saves]
    for save in saves:
        for file in save.files or []:
            if file.get("reading") is not None:
                keys += [f"file:{file['reading']['sha256']}", f"url:{file['url']}"]
    return keys


def _states(conn: Connection, identities: list[str]) -> dict[str, State | None]:
    """Stored documents' content hash, version and status (None: not stored), read at once."""
    unique = sorted(set(identities))
    marks = ", ".join("?" for _ in unique)
    rows = conn.execute(
        f"SELECT id, content_hash, version, status FROM documents WHERE id IN ({marks})", unique
    ).fetchall()
    found: dict[str, State | None] = dict.fromkeys(unique)
    found.update({str(row[0]): (str(row[1]), int(row[2]), str(row[3])) for row in rows})
    return found


def _state(conn: Connection, identity: str, states: dict[str, State | None]) -> State | None:
    """A document's state: as this transaction last left it, else as stored."""
    if identity not in states:
        states.update(_states(conn, [identity]))
    return states[identity]


def _save_one(conn: Connection, save: Save, states: dict[str, State | None]) -> Outcome:
    """One document of `save_many`, inside its transaction; `states` follows what it writes."""
    identity, record, files = save.identity, save.record, save.files
    digest = content_hash(record)
    row = _state(conn, identity, states)
    moved = None if row is not None else _moved_from(conn, save.portal, identity, record)
    if moved is not None:
        # The same 索引号 at a new URL: the same document, which moved (a new version).
        _alias(conn, identity, moved, save.portal, save.fetched_at)
        identity, row = moved, _state(conn, moved, states)
    same = row is not None and row[0] == digest
    if row is not None and same and moved is None:
        conn.execute(
            "UPDATE documents SET last_seen = ?, status = 'live', gone_at = NULL, etag = ?, "
            "last_modified = ?, fetched_url = ?, column_id = COALESCE(?, column_id), "
            "page_hash = COALESCE(?, page_hash) WHERE id = ?",
            (save.fetched_at, save.etag, save.last_modified, save.fetched_url, save.column,
             save.page_hash, identity),
        )  # fmt: skip
        if files:
            save_files(conn, identity, record, files, save.run_id)
            reindex(conn, identity, record)
        states[identity] = (row[0], row[1], "live")
        return Outcome("revived" if row[2] == "gone" else "unchanged", identity, row[1])
    version = 1 if row is None else row[1] + 1
    _write_document(conn, row is None, identity, save.portal, record, {
        "fetched_url": save.fetched_url, "content_hash": digest, "version": version,
        "last_seen": save.fetched_at, "last_changed": save.fetched_at, "etag": save.etag,
        "last_modified": save.last_modified, "column_id": save.column, "page_hash": save.page_hash,
    })  # fmt: skip
    conn.execute(
        "INSERT INTO versions (document_id, version, content_hash, fetched_at, url, status, "
        "headers, raw, record, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (identity, version, digest, save.fetched_at, save.fetched_url, save.status,
         json.dumps(save.headers, ensure_ascii=False), zlib.compress(save.raw, 6),
         json.dumps(record, ensure_ascii=False), save.run_id),
    )  # fmt: skip
    save_files(conn, identity, record, files or [], save.run_id, new=row is None)
    if files:
        reindex(conn, identity, record)
    states[identity] = (digest, version, "live")
    written = 0
    if save.alerts is not None and not same:
        for alert in save.alerts.new if row is None else save.alerts.changed:
            written += write_alert(
                conn, f"{alert.prefix}:{identity}:v{version}", alert.rules, identity,
                version, save.portal, {**alert.payload, "version": version},
            )  # fmt: skip
    kind = "new" if row is None else "moved" if same else "changed"
    return Outcome(kind, identity, version, written)


def _alias(conn: Connection, alias: str, identity: str, portal: str, at: str) -> None:
    conn.execute(
        "INSERT INTO aliases (alias, document_id, portal, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (alias) DO UPDATE SET document_id = excluded.document_id, "
        "portal = excluded.portal, at = excluded.at",
        (alias, identity, portal, at),
    )


def _write_document(
    conn: Connection, new: bool, identity: str, portal: str, record: dict[str, Any],
    state: dict[str, Any],
) -> None:  # fmt: skip
    """A document's row as of a new version: its fields, its search text, its `state`."""
    values = {key: record.get(key) for key in RECORD_KEYS}
    for key in JSON_FIELDS:
        values[key] = (
            json.dumps(values[key], ensure_ascii=False) if values[key] is not None else None
        )
    values.update(
        state, id=identity, portal=portal, status="live", gone_at=None,
        extractor_version=EXTRACTOR_VERSION, search_title=search_form(record.get("title")),
        search_body=search_form(search_text(record)),
    )  # fmt: skip
    if new:
        values["first_seen"] = values["last_seen"]
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        conn.execute(f"INSERT INTO documents ({columns}) VALUES ({marks})", list(values.values()))
    else:
        assignments = ", ".join(f"{key} = ?" for key in values if key != "id")
        params = [v for k, v in values.items() if k != "id"] + [identity]
        conn.execute(f"UPDATE documents SET {assignments} WHERE id = ?", params)


#: An index number worth an identity: an issuer code and a serial, not a bare year or dash.
_INDEX_NO = re.compile(r"^(?=.*\d{3})[\w\-/.〔〕()（）]{8,}$")


def _moved_from(conn: Connection, portal: str, identity: str, record: dict[str, Any]) -> str | None:
    """The document a new page is, when its URL carries no id of its own (the identity is the
    URL) and exactly one other such document of the portal has the same 索引号; else None."""
    index_no = str(record.get("index_no") or "").strip()
    prefix = f"{portal}:http"
    if not identity.startswith(prefix) or not _INDEX_NO.match(index_no):
        return None
    rows = conn.execute(
        "SELECT id FROM documents WHERE portal = ? AND index_no = ? AND id != ? "
        "AND substr(id, 1, ?) = ? LIMIT 2",
        (portal, index_no, identity, len(prefix), prefix),
    ).fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def filters(
    *, kind: str | None, since: str | None, portal: str | None, prefix: str = ""
) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if kind:
        clauses.append(f"{prefix}kind = ?")
        params.append(kind)
    if since:
        # `since` is written as published_at is (`crawler.clock.Since.published`); a page that
        # prints only the date of a `since` time may have published after it, and is kept.
        clauses.append(f"({prefix}published_at >= ? OR {prefix}published_at = ?)")
        params += [since, since[:10]]
    if portal:
        clauses.append(f"{prefix}portal = ?")
        params.append(portal)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    record = dict(row)
    for key in JSON_FIELDS:
        if isinstance(record.get(key), str):
            record[key] = json.loads(record[key])
    for key in ("search_title", "search_body", "search_t", "search_b", "page_hash"):
        record.pop(key, None)
    return record
