"""The SQLite corpus: the schema, and every write, each in an explicit transaction.

- `documents`: one row per document identity (the family's article id, else 索引号, else the
  canonical URL), every extracted field, first/last seen, last changed, version, live/gone, the
  HTTP validators, and the text to search;
- `versions`: every content version with its hash, fetch time and the compressed raw response, so
  any record can be traced to the bytes it came from;
- `attachments`, `runs`, `run_errors` (errors and blocked columns of each run), `columns`
  (what each column listed last time, whether its walk completed, its baseline), `meta` (the
  schema version);
- `documents_fts`: full-text search over simplified text cut into CJK bigrams, so that two-
  character words (开源) and either script (開源) are found.

WAL mode; a crash at any moment leaves the database as before or after a write, never between.
Opening a database written by a newer govwatch is a clear error, never a silent downgrade.
Read-only commands open it read-only (`Store(path, readonly=True)`): nothing is migrated or
written, a file that is no govwatch corpus is refused, and read-only media are read as immutable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import unicodedata
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from crawler.extract.text import fold, to_simplified
from crawler.items import DOCUMENT_KEYS

SCHEMA_VERSION = 4
EXTRACTOR_VERSION = "1"
#: Fields that make up a document's content (its hash): what a reader would call the content.
CONTENT_KEYS = tuple(k for k in DOCUMENT_KEYS if k not in ("url", "warnings"))
_JSON_FIELDS = ("reply", "attachments", "warnings")


#: A `--db` that names a PostgreSQL server rather than a file.
URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(db: str | Path) -> bool:
    """Whether `db` names a PostgreSQL database (a libpq URL) rather than a SQLite file."""
    return isinstance(db, str) and db.startswith(URL_SCHEMES)


class Cursor(Protocol):
    """What the store reads from a statement, on either backend."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A connection running the store's SQL (`?` placeholders) on either backend."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def close(self) -> None: ...


class Database(Protocol):
    """sqlite-utils' reading side, which the PostgreSQL store offers too."""

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]: ...
    def table_names(self) -> list[str]: ...


class StoreError(RuntimeError):
    """The database cannot be used as it is; the message says why and what to do."""


class NewerSchemaError(StoreError):
    """The database was written by a newer govwatch."""


class StoreWriteError(StoreError):
    """A write the disk refused (full, read-only); it was rolled back."""


class ClockError(ValueError):
    """$GOVWATCH_NOW is set but is no time."""


def utcnow() -> dt.datetime:
    """The time: the real clock, or $GOVWATCH_NOW (an ISO time, UTC unless it says otherwise) to
    simulate weeks of schedule against the replica in seconds."""
    pinned = os.environ.get("GOVWATCH_NOW")
    if not pinned:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(pinned.strip())
    except ValueError:
        raise ClockError(
            f"GOVWATCH_NOW={pinned!r} is not an ISO time; write e.g. 2023-11-06T09:00:00+08:00, "
            "or unset it"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def now() -> str:
    return utcnow().isoformat(timespec="seconds")


def max_pages(value: str, page_size: int) -> int:
    """$GOVWATCH_DB_MAX_MB as SQLite's max_page_count."""
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        raise StoreError(
            f"GOVWATCH_DB_MAX_MB={value!r} is not a size in megabytes; write e.g. 500, or unset it"
        )
    return max(int(megabytes * 1024 * 1024 / page_size), 1)


def content_hash(record: dict[str, Any]) -> str:
    """A hash of the content only: never the fetch, the URL fetched, warnings or counters."""
    content = {key: record.get(key) for key in CONTENT_KEYS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


# Search text: NFKC, simplified, lower case; CJK runs become overlapping bigrams.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


def search_form(text: str | None) -> str:
    """Text as the index holds it: 开源软件 → `开源 源软 软件`; Latin words as words."""
    if not text:
        return ""
    text = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    tokens: list[str] = []
    for word in _WORD.findall(text):
        if _CJK_RUN.fullmatch(word):
            tokens.extend(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
        else:
            tokens.append(word)
    return " ".join(tokens)


def fts_query(query: str) -> str:
    """A user's query as an FTS5 expression: each word a phrase of bigrams, all required."""
    parts = []
    for word in _WORD.findall(to_simplified(unicodedata.normalize("NFKC", query)).lower()):
        if _CJK_RUN.fullmatch(word) and len(word) == 1:
            parts.append(f"{word}*")
        else:
            parts.append('"' + search_form(word) + '"')
    return " AND ".join(parts)


@dataclass
class Outcome:
    """What saving one fetched document did."""

    kind: str  # new | changed | unchanged | revived
    identity: str
    version: int
    alerts: int = 0


@dataclass(frozen=True)
class Alert:
    """A rule a document matched, with what the alert will say."""

    rule: str
    payload: dict[str, Any]
    on_change: bool = False


@dataclass
class RunStats:
    requests: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_gone: int = 0
    errors: int = 0
    blocked: list[dict[str, str]] = field(default_factory=list)
    portals: dict[str, dict[str, Any]] = field(default_factory=dict)


def _migrate_1(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS documents (
        id TEXT PRIMARY KEY, portal TEXT NOT NULL, url TEXT NOT NULL, fetched_url TEXT,
        title TEXT, index_no TEXT, doc_no TEXT, publisher TEXT, source TEXT, category TEXT,
        disclosure_form TEXT, written_date TEXT, published_at TEXT, kind TEXT, reply TEXT,
        body_text TEXT, attachments TEXT, site_name TEXT, column_name TEXT, script TEXT,
        warnings TEXT, content_hash TEXT NOT NULL, version INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'live', first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        last_changed TEXT NOT NULL, gone_at TEXT, etag TEXT, last_modified TEXT,
        extractor_version TEXT, search_title TEXT, search_body TEXT)""")
    db.execute("CREATE INDEX IF NOT EXISTS documents_portal ON documents (portal, status)")
    db.execute("CREATE INDEX IF NOT EXISTS documents_published ON documents (published_at)")
    db.execute("CREATE INDEX IF NOT EXISTS documents_url ON documents (url)")
    db.execute("""CREATE TABLE IF NOT EXISTS versions (
        document_id TEXT NOT NULL REFERENCES documents(id), version INTEGER NOT NULL,
        content_hash TEXT NOT NULL, fetched_at TEXT NOT NULL, url TEXT NOT NULL,
        status INTEGER, headers TEXT, raw BLOB, record TEXT NOT NULL, run_id INTEGER,
        PRIMARY KEY (document_id, version))""")
    db.execute("""CREATE TABLE IF NOT EXISTS attachments (
        document_id TEXT NOT NULL REFERENCES documents(id), url TEXT NOT NULL, name TEXT,
        type TEXT, PRIMARY KEY (document_id, url))""")
    db.execute("""CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, portals TEXT,
        "full" INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'running',
        requests INTEGER, documents_new INTEGER, documents_changed INTEGER,
        documents_gone INTEGER, errors INTEGER, blocked TEXT, stats TEXT, duration_s REAL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS run_errors (
        run_id INTEGER NOT NULL REFERENCES runs(id), portal TEXT, column_id TEXT, url TEXT,
        kind TEXT NOT NULL, message TEXT, at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS columns (
        portal TEXT NOT NULL, column_id TEXT NOT NULL, listed INTEGER NOT NULL,
        checked_at TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (portal, column_id))""")
    if "documents_fts" not in db.table_names():
        db.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5(search_title, search_body, "
            "content='documents', content_rowid='rowid', tokenize='unicode61')"
        )
        # One statement per call: executescript() would commit the migration's transaction.
        db.execute("""CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
              INSERT INTO documents_fts (rowid, search_title, search_body)
              VALUES (new.rowid, new.search_title, new.search_body);
            END""")
        db.execute("""CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
              INSERT INTO documents_fts (documents_fts, rowid, search_title, search_body)
              VALUES ('delete', old.rowid, old.search_title, old.search_body);
            END""")
        db.execute("""CREATE TRIGGER documents_au AFTER UPDATE OF search_title, search_body
            ON documents BEGIN
              INSERT INTO documents_fts (documents_fts, rowid, search_title, search_body)
              VALUES ('delete', old.rowid, old.search_title, old.search_body);
              INSERT INTO documents_fts (rowid, search_title, search_body)
              VALUES (new.rowid, new.search_title, new.search_body);
            END""")


def _migrate_2(db: sqlite_utils.Database) -> None:
    """The alerts outbox: an alert is written with the version that caused it, delivered later."""
    db.execute("""CREATE TABLE IF NOT EXISTS alerts (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, document_id TEXT,
        version INTEGER, portal TEXT, created_at TEXT NOT NULL, payload TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule, id)")
    db.execute("""CREATE TABLE IF NOT EXISTS portals (
        name TEXT PRIMARY KEY, baseline_at TEXT, last_alerted_run INTEGER)""")
    db.execute("""CREATE TABLE IF NOT EXISTS deliveries (
        alert_id INTEGER NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        updated_at TEXT NOT NULL, PRIMARY KEY (alert_id, sink))""")


def _migrate_3(db: sqlite_utils.Database) -> None:
    """Baselines and gone per column: a column's first complete walk is its baseline (a blocked
    column is no baseline), and a document knows the column it was last listed under."""
    db.execute("ALTER TABLE columns ADD COLUMN baseline_at TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN column_id TEXT")
    # A portal whose baseline was taken before: its columns walked so far share it.
    db.execute("""UPDATE columns SET baseline_at = (SELECT baseline_at FROM portals
                  WHERE portals.name = columns.portal) WHERE complete = 1""")


def _migrate_4(db: sqlite_utils.Database) -> None:
    """The salutation that opens a document's body (主送), a field of its own."""
    db.execute("ALTER TABLE documents ADD COLUMN addressee TEXT")


#: Schema migrations, shared by both backends: each runs its statements with `db.execute(SQL)`,
#: in SQL both understand (ON CONFLICT, not INSERT OR …). On PostgreSQL, crawler/pgstore.py
#: translates the types (INTEGER PRIMARY KEY, BLOB, REAL), leaves out SQLite's full-text table
#: and triggers, and adds its own full-text columns (pgstore.PG_AFTER, by migration number).
MIGRATIONS: dict[int, Callable[[Any], None]] = {
    1: _migrate_1,
    2: _migrate_2,
    3: _migrate_3,
    4: _migrate_4,
}


class Store:
    """The corpus database. One writer at a time; readers never block it (WAL).

    `Store("postgresql://…")` opens the same corpus in PostgreSQL instead (crawler/pgstore.py):
    the same methods, the same SQL, the same guarantees."""

    path: Path
    conn: Connection
    db: Database

    def __new__(cls, path: str | Path, **options: Any) -> Store:
        if cls is Store and is_url(path):
            from crawler.pgstore import PgStore

            return super().__new__(PgStore)
        return super().__new__(cls)

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False,
        immutable: bool = False,
    ) -> None:  # fmt: skip
        self.path = Path(path)
        self.where = str(self.path)  # how messages name the database
        self.readonly = readonly or immutable
        if (not create or self.readonly) and not self.path.exists():
            raise StoreError(
                f"{self.path}: no such database; run `govwatch crawl --db {self.path}` first"
            )
        if self.readonly:
            self.sqlite = self._open_readonly(immutable)
            self.conn = self.sqlite
            self.db = sqlite_utils.Database(self.sqlite)
            self._check_readable()
            return
        try:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            foreign = _foreign(conn)
            if not foreign:
                conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot open the database: {error}") from None
        if foreign:
            conn.close()
            raise StoreError(
                f"{self.path}: not a govwatch corpus (it holds {foreign}); give --db a new file "
                "or one govwatch wrote"
            )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # An operator's cap on the corpus size (and how tests simulate a full disk).
        max_mb = os.environ.get("GOVWATCH_DB_MAX_MB")
        if max_mb:
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {max_pages(max_mb, page_size)}")
        self.sqlite = self.conn = conn
        self.db = sqlite_utils.Database(conn)
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{self.path}: cannot use the database: {error}") from None

    def _open_readonly(self, immutable: bool) -> sqlite3.Connection:
        """Read-only, never a write (no WAL switch, no migration). On read-only media a WAL
        database cannot be opened read-only (SQLite needs its -shm file): it is read as immutable,
        which is safe there since nothing can write to it."""
        uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro"
        attempts = [uri + "&immutable=1"] if immutable else [uri, uri + "&immutable=1"]
        last: sqlite3.Error | None = None
        for attempt in attempts:
            try:
                conn = sqlite3.connect(attempt, uri=True, timeout=30, isolation_level=None)
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.Error as error:
                last = error
        raise StoreError(f"{self.path}: cannot open the database read-only: {last}")

    def _check_readable(self) -> None:
        """A read-only open of something govwatch can read: its corpus, at this schema."""
        try:
            version = self.schema_version()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise StoreError(f"{self.where}: cannot read the database: {error}") from None
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise NewerSchemaError(
                f"{self.where}: written by a newer govwatch (schema {version}; this one knows "
                f"{SCHEMA_VERSION}). Upgrade govwatch, or use another --db."
            )
        if version == 0:
            self.conn.close()
            raise StoreError(
                f"{self.where}: not a govwatch corpus (no govwatch schema); give the --db a crawl wrote"
            )
        if version < SCHEMA_VERSION:
            self.conn.close()
            raise StoreError(
                f"{self.where}: written by an older govwatch (schema {version}); upgrade it once with "
                f"`govwatch crawl --db {self.where}` (read-only commands never change it)"
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All or nothing: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        try:
            self.sqlite.execute("BEGIN IMMEDIATE")
            try:
                yield self.sqlite
            except BaseException:
                if self.sqlite.in_transaction:
                    self.sqlite.execute("ROLLBACK")
                raise
            self.sqlite.execute("COMMIT")
        except sqlite3.OperationalError as error:
            if self.sqlite.in_transaction:
                self.sqlite.execute("ROLLBACK")
            message = str(error)
            if (
                "full" in message
                or "readonly" in message
                or "read-only" in message
                or "disk" in message
            ):
                raise StoreWriteError(
                    f"cannot write to {self.where}: {message}; free disk space or fix permissions "
                    "(nothing stored was changed)"
                ) from None
            raise

    def schema_version(self) -> int:
        """The govwatch schema the file holds (0: none yet)."""
        if "meta" not in self.db.table_names():
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"{self.where}: written by a newer govwatch (schema {current}; this one knows "
                f"{SCHEMA_VERSION}). Upgrade govwatch, or use another --db."
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                if self._schema_in(conn) >= version:
                    continue  # another process migrated it meanwhile
                MIGRATIONS[version](self._migration_db())
                self._after_migration(conn, version)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(version),),
                )

    @staticmethod
    def _schema_in(conn: Connection) -> int:
        """The schema version, read inside a migration's transaction."""
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'", ()).fetchone()
        return int(row[0]) if row else 0

    def _migration_db(self) -> Any:
        """What a migration's `db.execute(SQL)` runs on."""
        return self.db

    def _after_migration(self, conn: Connection, version: int) -> None:
        """Backend-specific additions after a shared migration (none on SQLite)."""

    def _lock_document(self, conn: Connection, identity: str) -> None:
        """Serialise writers of one document (SQLite's BEGIN IMMEDIATE already serialises all)."""

    # Runs

    def start_run(self, portals: list[str], full: bool) -> int:
        with self.transaction() as conn:
            row = conn.execute(
                'INSERT INTO runs (started_at, portals, "full") VALUES (?, ?, ?) RETURNING id',
                (now(), json.dumps(portals), int(full)),
            ).fetchone()
        return int(row[0])

    def finish_run(
        self, run_id: int, stats: RunStats, duration: float, status: str = "done"
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                """UPDATE runs SET finished_at = ?, status = ?, requests = ?, documents_new = ?,
                   documents_changed = ?, documents_gone = ?, errors = ?, blocked = ?, stats = ?,
                   duration_s = ? WHERE id = ?""",
                (now(), status, stats.requests, stats.documents_new, stats.documents_changed,
                 stats.documents_gone, stats.errors, json.dumps(stats.blocked, ensure_ascii=False),
                 json.dumps(stats.portals, ensure_ascii=False), round(duration, 3), run_id),
            )  # fmt: skip

    def record_error(
        self, run_id: int, portal: str, column: str | None, url: str, kind: str, message: str
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO run_errors (run_id, portal, column_id, url, kind, message, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, portal, column, url, kind, message, now()),
            )

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM run_errors WHERE run_id = ?", [run_id]))

    # Columns

    def column_listed(self, portal: str, column: str) -> int | None:
        row = self.conn.execute(
            "SELECT listed FROM columns WHERE portal = ? AND column_id = ?", (portal, column)
        ).fetchone()
        return int(row[0]) if row else None

    def set_column_listed(self, portal: str, column: str, listed: int) -> None:
        """What a column listed; its walk starts (complete again only when the walk ends)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO columns (portal, column_id, listed, checked_at, complete) VALUES (?, ?, ?, ?, 0) "
                "ON CONFLICT (portal, column_id) DO UPDATE SET listed = excluded.listed, "
                "checked_at = excluded.checked_at, complete = 0",
                (portal, column, listed, now()),
            )

    def column_complete(self, portal: str, column: str) -> bool:
        """Whether the column's last walk reached its end or its known documents."""
        row = self.conn.execute(
            "SELECT complete FROM columns WHERE portal = ? AND column_id = ?", (portal, column)
        ).fetchone()
        return bool(row and row[0])

    def set_column_baseline(self, portal: str, column: str) -> None:
        """The column's first complete walk is its baseline: what it listed is history, not news."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE columns SET baseline_at = COALESCE(baseline_at, ?) "
                "WHERE portal = ? AND column_id = ?",
                (now(), portal, column),
            )

    def set_column_complete(self, portal: str, column: str, complete: bool = True) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE columns SET complete = ? WHERE portal = ? AND column_id = ?",
                (int(complete), portal, column),
            )

    # Documents

    def known(self, portal: str) -> dict[str, tuple[str | None, str | None, str | None, str]]:
        """identity → (etag, last_modified, published_at, status) for a portal's documents."""
        rows = self.conn.execute(
            "SELECT id, etag, last_modified, published_at, status FROM documents WHERE portal = ?",
            (portal,),
        )
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}

    def document(self, identity: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [identity]))
        return _decoded(rows[0]) if rows else None

    def save(
        self,
        *,
        portal: str,
        identity: str,
        record: dict[str, Any],
        fetched_url: str,
        fetched_at: str,
        status: int,
        headers: dict[str, str],
        raw: bytes,
        etag: str | None,
        last_modified: str | None,
        run_id: int | None,
        alerts: list[Alert] | None = None,
        column: str | None = None,
    ) -> Outcome:
        """Store a fetched document: a new document, a new version, or only 'seen again'.

        `alerts` are the rules the document matches: written to the outbox in the same
        transaction as the version that caused them (a new document alerts every rule; a changed
        one only the rules that re-alert), so no crash can lose or repeat one. `column` is the
        listing column it was found under (what decides, per column, that it is gone)."""
        digest = content_hash(record)
        with self.transaction() as conn:
            self._lock_document(conn, identity)
            row = conn.execute(
                "SELECT content_hash, version, status FROM documents WHERE id = ?", (identity,)
            ).fetchone()
            if row is not None and row[0] == digest:
                conn.execute(
                    "UPDATE documents SET last_seen = ?, status = 'live', gone_at = NULL, etag = ?, "
                    "last_modified = ?, fetched_url = ?, column_id = COALESCE(?, column_id) "
                    "WHERE id = ?",
                    (fetched_at, etag, last_modified, fetched_url, column, identity),
                )
                return Outcome("revived" if row[2] == "gone" else "unchanged", identity, row[1])
            version = 1 if row is None else row[1] + 1
            values = {key: record.get(key) for key in DOCUMENT_KEYS}
            for key in _JSON_FIELDS:
                values[key] = (
                    json.dumps(values[key], ensure_ascii=False) if values[key] is not None else None
                )
            search_body = " ".join(
                filter(
                    None, (record.get("body_text"), _reply_text(record), _attachment_names(record))
                )
            )
            values.update(
                id=identity, portal=portal, fetched_url=fetched_url, content_hash=digest,
                version=version, status="live", last_seen=fetched_at, last_changed=fetched_at,
                gone_at=None, etag=etag, last_modified=last_modified,
                extractor_version=EXTRACTOR_VERSION, search_title=search_form(record.get("title")),
                search_body=search_form(search_body), column_id=column,
            )  # fmt: skip
            if row is None:
                values["first_seen"] = fetched_at
                columns = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                conn.execute(
                    f"INSERT INTO documents ({columns}) VALUES ({marks})", list(values.values())
                )
            else:
                assignments = ", ".join(f"{key} = ?" for key in values if key != "id")
                params = [v for k, v in values.items() if k != "id"] + [identity]
                conn.execute(f"UPDATE documents SET {assignments} WHERE id = ?", params)
            conn.execute(
                "INSERT INTO versions (document_id, version, content_hash, fetched_at, url, status, "
                "headers, raw, record, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (identity, version, digest, fetched_at, fetched_url, status,
                 json.dumps(headers, ensure_ascii=False), zlib.compress(raw, 6),
                 json.dumps(record, ensure_ascii=False), run_id),
            )  # fmt: skip
            conn.execute("DELETE FROM attachments WHERE document_id = ?", (identity,))
            for attachment in record.get("attachments") or []:
                conn.execute(
                    "INSERT INTO attachments (document_id, url, name, type) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (identity, attachment["url"], attachment.get("name"), attachment.get("type")),
                )
            written = 0
            for alert in alerts or []:
                if row is None or alert.on_change:
                    written += self._add_alert(
                        conn, f"{alert.rule}:{identity}:v{version}", alert.rule, identity, version,
                        portal, {**alert.payload, "version": version},
                    )  # fmt: skip
        return Outcome("new" if row is None else "changed", identity, version, written)

    # Alerts

    @staticmethod
    def _add_alert(
        conn: Connection, key: str, rule: str, identity: str | None, version: int | None,
        portal: str | None, payload: dict[str, Any],
    ) -> int:  # fmt: skip
        cursor = conn.execute(
            "INSERT INTO alerts (key, rule, document_id, version, portal, created_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                key,
                rule,
                identity,
                version,
                portal,
                now(),
                json.dumps({**payload, "key": key}, ensure_ascii=False),
            ),
        )
        return cursor.rowcount

    def baseline_done(self, portal: str, column: str | None = None) -> bool:
        """Whether the column (any column of the portal, when None) has its baseline — a first
        walk that reached its end with no error and no block. Until then what it lists is
        history, not news, and raises no alerts."""
        sql = "SELECT 1 FROM columns WHERE portal = ? AND baseline_at IS NOT NULL"
        params: tuple[str, ...] = (portal,)
        if column is not None:
            sql, params = sql + " AND column_id = ?", (portal, column)
        return self.conn.execute(sql, params).fetchone() is not None

    def add_health_alert(self, key: str, portal: str, payload: dict[str, Any]) -> bool:
        """A health alert (a portal blocked or failing); once per key."""
        body = {"portal": portal, **payload, "rule": "health"}
        with self.transaction() as conn:
            return self._add_alert(conn, key, "health", None, None, portal, body) > 0

    def pending_alerts(self, sink: str, limit: int = 1000, after: int = 0) -> list[dict[str, Any]]:
        """Alerts this sink has not delivered yet, oldest first (from alert id `after` on)."""
        rows = self.conn.execute(
            "SELECT a.id, a.key, a.rule, a.created_at, a.portal, a.payload, COALESCE(d.attempts, 0) "
            "FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            "WHERE (d.status IS NULL OR d.status != 'delivered') AND a.id > ? ORDER BY a.id LIMIT ?",
            (sink, after, limit),
        )
        return [
            {
                "portal": portal,
                **json.loads(payload),
                "id": alert_id,
                "key": key,
                "rule": rule,
                "created_at": created,
                "attempts": tries,
            }
            for alert_id, key, rule, created, portal, payload, tries in rows
        ]

    def pending_count(self, sink: str) -> int:
        """How many alerts this sink has not delivered yet."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            "WHERE d.status IS NULL OR d.status != 'delivered'",
            (sink,),
        ).fetchone()
        return int(row[0])

    def alerts(self, rule: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The latest alerts (of a rule), newest first."""
        sql = "SELECT id, key, rule, created_at, portal, payload FROM alerts"
        params: list[Any] = []
        if rule:
            sql += " WHERE rule = ?"
            params.append(rule)
        rows = self.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            {"portal": portal, **json.loads(payload), "id": alert_id, "key": key, "rule": name,
             "created_at": created}
            for alert_id, key, name, created, portal, payload in rows
        ]  # fmt: skip

    @contextmanager
    def delivery_claim(self, sink: str) -> Iterator[bool]:
        """Whether this process may deliver the sink's alerts now: on PostgreSQL only one
        deliverer per sink at a time, across machines (a lock its death frees); a SQLite corpus
        has one machine, and one deliverer per pass."""
        yield True

    def record_delivery(self, alert_id: int, sink: str, ok: bool, error: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (alert_id, sink, status, attempts, last_error, updated_at) "
                "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (alert_id, sink) DO UPDATE SET "
                "status = excluded.status, attempts = deliveries.attempts + 1, last_error = excluded.last_error, "
                "updated_at = excluded.updated_at",
                (alert_id, sink, "delivered" if ok else "failed", error, now()),
            )

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

    # Reading

    def records(
        self, *, kind: str | None = None, since: str | None = None, portal: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stored documents, oldest first, with provenance."""
        where, params = _filters(kind=kind, since=since, portal=portal)
        sql = f"SELECT * FROM documents {where} ORDER BY published_at NULLS FIRST, id"
        for row in self.db.query(sql, params):
            yield _decoded(row)

    def search(
        self,
        query: str,
        *,
        portal: str | None = None,
        kind: str | None = None,
        since: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Ranked hits with a highlighted snippet; any script, two-character words included."""
        expression = fts_query(query)
        if not expression:
            return []
        where, params = _filters(kind=kind, since=since, portal=portal, prefix="d.")
        where = where.replace("WHERE", "AND", 1)
        sql = (
            "SELECT d.*, bm25(documents_fts, 5.0, 1.0) AS rank FROM documents_fts "
            "JOIN documents d ON d.rowid = documents_fts.rowid "
            f"WHERE documents_fts MATCH ? {where} ORDER BY rank LIMIT ?"
        )
        hits = []
        for row in self.db.query(sql, [expression, *params, limit]):
            record = _decoded(row)
            record["snippet"] = snippet(record, query)
            hits.append(record)
        return hits

    def counts(self) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END), "
            "(SELECT COUNT(*) FROM versions) FROM documents"
        ).fetchone()
        return {"documents": row[0] or 0, "live": row[1] or 0, "versions": row[2] or 0}

    def integrity(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _foreign(conn: sqlite3.Connection) -> str:
    """What a database holds when it is not a govwatch corpus ('' when it is one, or empty)."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
    if not tables or "meta" in tables:
        return ""
    shown = ", ".join(tables[:3]) + (" …" if len(tables) > 3 else "")
    return f"the tables {shown}"


def _filters(
    *, kind: str | None, since: str | None, portal: str | None, prefix: str = ""
) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if kind:
        clauses.append(f"{prefix}kind = ?")
        params.append(kind)
    if since:
        clauses.append(f"{prefix}published_at >= ?")
        params.append(since)
    if portal:
        clauses.append(f"{prefix}portal = ?")
        params.append(portal)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    record = dict(row)
    for key in _JSON_FIELDS:
        if isinstance(record.get(key), str):
            record[key] = json.loads(record[key])
    for key in ("search_title", "search_body", "search_t", "search_b"):
        record.pop(key, None)
    return record


def _reply_text(record: dict[str, Any]) -> str:
    reply = record.get("reply") or {}
    values = [v for v in reply.values() if isinstance(v, str)] + list(
        reply.get("co_agencies") or []
    )
    return " ".join(values)


def _attachment_names(record: dict[str, Any]) -> str:
    return " ".join(a.get("name") or "" for a in record.get("attachments") or [])


def snippet(record: dict[str, Any], query: str, width: int = 40) -> str:
    """The first place the query's words occur in title or body, marked 【like this】."""
    words = [
        w for w in _WORD.findall(to_simplified(unicodedata.normalize("NFKC", query)).lower()) if w
    ]
    for text in (record.get("body_text") or "", record.get("title") or ""):
        folded = fold(text).folded.lower()
        positions = [(folded.find(w), w) for w in words if folded.find(w) >= 0]
        if not positions:
            continue
        start, word = min(positions)
        left = max(0, start - width)
        right = min(len(text), start + len(word) + width)
        marked = (
            text[left:start]
            + "【"
            + text[start : start + len(word)]
            + "】"
            + text[start + len(word) : right]
        )
        return (
            ("…" if left else "") + marked.replace("\n", " ") + ("…" if right < len(text) else "")
        )
    return (record.get("title") or "")[: width * 2]
