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
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlite_utils

from crawler.extract.text import fold
from crawler.items import DOCUMENT_KEYS
from crawler.store.query import field_key, fts_query, parse, search_form, words

__all__ = ["fts_query", "search_form"]  # where the search index's helpers were always found

SCHEMA_VERSION = 8
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


@dataclass
class Outcome:
    """What saving one fetched document did."""

    kind: str  # new | changed | moved (same 索引号, new URL) | unchanged | revived
    identity: str
    version: int
    alerts: int = 0


@dataclass(frozen=True)
class Alert:
    """A rule a document matched, with what the alert will say."""

    rule: str
    payload: dict[str, Any]
    on_change: bool = False
    alone: bool = False


def merged(alerts: list[Alert]) -> list[tuple[str, list[str], dict[str, Any]]]:
    """One alert per document for every rule it matched (the first leads), and one per rule
    that stands alone: (key prefix, rules, payload)."""
    together = [alert for alert in alerts if not alert.alone]
    out = [(alert.rule, [alert.rule], {**alert.payload, "rules": [alert.rule]})
           for alert in alerts if alert.alone]  # fmt: skip
    if together:
        payload = dict(together[0].payload)
        pairs: list[tuple[str, str]] = []
        for alert in together:
            for pair in zip(alert.payload.get("snippets") or [], alert.payload.get("evidence") or [],
                            strict=False):  # fmt: skip
                if pair not in pairs:
                    pairs.append(pair)
        payload["snippets"] = [snippet for snippet, _ in pairs[:3]]
        payload["evidence"] = [why for _, why in pairs[:3]]
        payload["rules"] = [alert.rule for alert in together]
        out.insert(0, ("doc", payload["rules"], payload))
    return out


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


def _migrate_5(db: sqlite_utils.Database) -> None:
    """One alert per document and pass, naming every rule it matched; 文号, 索引号 and the
    publisher searchable as words of the document."""
    db.execute("ALTER TABLE alerts ADD COLUMN rules TEXT")
    db.execute("""UPDATE alerts SET rules = '["' || rule || '"]'""")  # rule names need no escape
    rows = list(db.query("SELECT id, title, body_text, reply, attachments, doc_no, index_no, "
                         "publisher FROM documents"))  # fmt: skip
    for row in rows:
        record = {**row, "reply": json.loads(row["reply"]) if row["reply"] else None,
                  "attachments": json.loads(row["attachments"]) if row["attachments"] else []}  # fmt: skip
        db.execute(
            "UPDATE documents SET search_body = ? WHERE id = ?",
            (search_form(search_text(record)), row["id"]),
        )


def search_text(record: dict[str, Any]) -> str:
    """What full-text search reads of a document besides its title."""
    return " ".join(filter(None, (
        record.get("body_text"), _reply_text(record), _attachment_names(record),
        record.get("doc_no"), record.get("index_no"), record.get("publisher"),
    )))  # fmt: skip


def _migrate_6(db: sqlite_utils.Database) -> None:
    """Identity by 索引号: the URLs a document moved from (its aliases), and index numbers found
    fast per portal."""
    db.execute("""CREATE TABLE IF NOT EXISTS aliases (
        alias TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id),
        portal TEXT NOT NULL, at TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS documents_index_no ON documents (portal, index_no)")


def _migrate_7(db: sqlite_utils.Database) -> None:
    """A portal's cookie jar, kept between runs: what a browser earned on a challenge, session
    and WAF cookies (a JSON list of cookies, Playwright's keys)."""
    db.execute("ALTER TABLE portals ADD COLUMN cookies TEXT")
    db.execute("ALTER TABLE portals ADD COLUMN cookies_at TEXT")


def _migrate_8(db: sqlite_utils.Database) -> None:
    """Attachment files: each file once by content hash with its text, every fetch of
    an attachment URL as a version, and a document's attachment links pointing at their file."""
    db.execute("""CREATE TABLE IF NOT EXISTS attachment_files (
        sha256 TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT,
        page_count INTEGER, ocr INTEGER NOT NULL DEFAULT 0, ocr_confidence REAL, text TEXT,
        pages TEXT, warnings TEXT, raw BLOB, first_fetched TEXT NOT NULL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS attachment_versions (
        url TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL
        REFERENCES attachment_files(sha256), fetched_at TEXT NOT NULL, fetched_url TEXT,
        etag TEXT, last_modified TEXT, run_id INTEGER, PRIMARY KEY (url, version))""")
    for column in ("sha256 TEXT", "fetched_at TEXT", "fetch_status TEXT", "fetch_error TEXT"):
        db.execute(f"ALTER TABLE attachments ADD COLUMN {column}")


#: Schema migrations, shared by both backends: each runs its statements with `db.execute(SQL)`,
#: in SQL both understand (ON CONFLICT, not INSERT OR …). On PostgreSQL, crawler/store/postgres.py
#: translates the types (INTEGER PRIMARY KEY, BLOB, REAL), leaves out SQLite's full-text table
#: and triggers, and adds its own full-text columns (pgstore.PG_AFTER, by migration number).
MIGRATIONS: dict[int, Callable[[Any], None]] = {
    1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6,
    7: _migrate_7, 8: _migrate_8,
}  # fmt: skip


#: Stores open for sharing in this process: database → [store, users] (Store.shared).
_SHARED: dict[str, list[Any]] = {}


class Store:
    """The corpus database. One writer at a time; readers never block it (WAL).

    `Store("postgresql://…")` opens the same corpus in PostgreSQL instead (crawler/store/postgres.py):
    the same methods, the same SQL, the same guarantees."""

    path: Path
    conn: Connection
    db: Database

    def __new__(cls, path: str | Path, **options: Any) -> Store:
        if cls is Store and is_url(path):
            from crawler.store.postgres import PgStore

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

    @classmethod
    def shared(cls, db: str | Path) -> Store:
        """The process's one open store of `db`, for the crawlers of one crawl: their spiders and
        pipelines read and write it from the crawl's one thread. (Each opened its own: two
        connections a portal, and 50 portals used up PostgreSQL's default 100.) `release()` it."""
        key = str(db)
        entry = _SHARED.get(key)
        if entry is None:
            entry = _SHARED[key] = [Store(key), 0]
        entry[1] += 1
        store: Store = entry[0]
        return store

    def release(self) -> None:
        """Done with a store from `shared`: closed once its last user releases it."""
        for key, entry in list(_SHARED.items()):
            if entry[0] is self:
                entry[1] -= 1
                if entry[1] <= 0:
                    del _SHARED[key]
                    self.close()
                return
        self.close()

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
        for version in sorted(v for v in MIGRATIONS if current < v <= SCHEMA_VERSION):
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

    def aliases(self, portal: str) -> dict[str, str]:
        """alias identity (a URL a document moved from or to) → the document's identity."""
        rows = self.conn.execute(
            "SELECT alias, document_id FROM aliases WHERE portal = ?", (portal,)
        )
        return {row[0]: row[1] for row in rows}

    def document(self, identity: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [identity]))
        return _decoded(rows[0]) if rows else None

    def find(self, key: str) -> dict[str, Any] | None:
        """A document by its id, its URL or the URL it was last fetched from."""
        for column in ("id", "url", "fetched_url"):
            rows = list(self.db.query(
                f"SELECT * FROM documents WHERE {column} = ? ORDER BY last_seen DESC LIMIT 1", [key]
            ))  # fmt: skip
            if rows:
                return _decoded(rows[0])
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
        files: list[dict[str, Any]] | None = None,
    ) -> Outcome:
        """Store a fetched document: a new document, a new version, or only 'seen again'.

        `alerts` are the rules the document matches: written to the outbox in the same
        transaction as the version that caused them (a new document alerts every rule; a changed
        one only the rules that re-alert), so no crash can lose or repeat one. `column` is the
        listing column it was found under (what decides, per column, that it is gone). `files`
        are the attachments fetched with it (`StorePipeline` reads them): each stored once by
        content hash, every new content of an attachment URL a version, their text searched."""
        digest = content_hash(record)
        with self.transaction() as conn:
            self._lock_document(conn, identity)
            row = conn.execute(
                "SELECT content_hash, version, status FROM documents WHERE id = ?", (identity,)
            ).fetchone()
            moved = None if row is not None else _moved_from(conn, portal, identity, record)
            if moved is not None:
                # The same 索引号 at a new URL: the same document, which moved (a new version).
                conn.execute(
                    "INSERT INTO aliases (alias, document_id, portal, at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (alias) DO UPDATE SET document_id = excluded.document_id, "
                    "portal = excluded.portal, at = excluded.at",
                    (identity, moved, portal, fetched_at),
                )
                identity = moved
                row = conn.execute(
                    "SELECT content_hash, version, status FROM documents WHERE id = ?", (identity,)
                ).fetchone()
            same = row is not None and row[0] == digest
            if same and moved is None:
                conn.execute(
                    "UPDATE documents SET last_seen = ?, status = 'live', gone_at = NULL, etag = ?, "
                    "last_modified = ?, fetched_url = ?, column_id = COALESCE(?, column_id) "
                    "WHERE id = ?",
                    (fetched_at, etag, last_modified, fetched_url, column, identity),
                )
                if files:
                    self._save_files(conn, identity, record, files, run_id)
                    conn.execute(
                        "UPDATE documents SET search_body = ? WHERE id = ?",
                        (search_form(self._search_body(conn, identity, record)), identity),
                    )
                return Outcome("revived" if row[2] == "gone" else "unchanged", identity, row[1])
            version = 1 if row is None else row[1] + 1
            values = {key: record.get(key) for key in DOCUMENT_KEYS}
            for key in _JSON_FIELDS:
                values[key] = (
                    json.dumps(values[key], ensure_ascii=False) if values[key] is not None else None
                )
            search_body = search_text(record)
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
            self._save_files(conn, identity, record, files or [], run_id)
            if files:
                conn.execute(
                    "UPDATE documents SET search_body = ? WHERE id = ?",
                    (search_form(self._search_body(conn, identity, record)), identity),
                )
            written = 0
            due = [alert for alert in alerts or [] if row is None or (alert.on_change and not same)]
            for prefix, rules, payload in merged(due):
                written += self._add_alert(
                    conn, f"{prefix}:{identity}:v{version}", rules, identity, version, portal,
                    {**payload, "version": version},
                )  # fmt: skip
        kind = "new" if row is None else "moved" if same else "changed"
        return Outcome(kind, identity, version, written)

    # Attachments

    @staticmethod
    def _save_files(
        conn: Connection, identity: str, record: dict[str, Any],
        files: list[dict[str, Any]], run_id: int | None,
    ) -> None:  # fmt: skip
        """The document's attachment links, each pointing at its stored file (when fetched)."""
        before = {
            url: (sha, at, state, error)
            for url, sha, at, state, error in conn.execute(
                "SELECT url, sha256, fetched_at, fetch_status, fetch_error FROM attachments "
                "WHERE document_id = ?", (identity,))
        }  # fmt: skip
        by_url = {file["url"]: file for file in files}
        conn.execute("DELETE FROM attachments WHERE document_id = ?", (identity,))
        for attachment in record.get("attachments") or []:
            url = attachment["url"]
            sha, at, state, error = before.get(url, (None, None, None, None))
            file = by_url.get(url)
            if file is not None:
                at, error = file["fetched_at"], file.get("error")
                if file["status"] == 200 and file.get("reading") is not None:
                    sha, state = Store._save_file(conn, url, file, run_id), "fetched"
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

    @staticmethod
    def _save_file(conn: Connection, url: str, file: dict[str, Any], run_id: int | None) -> str:
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

    @staticmethod
    def _search_body(conn: Connection, identity: str, record: dict[str, Any]) -> str:
        texts = [row[0] for row in conn.execute(
            "SELECT f.text FROM attachments a JOIN attachment_files f ON f.sha256 = a.sha256 "
            "WHERE a.document_id = ? AND f.text IS NOT NULL", (identity,))]  # fmt: skip
        return " ".join(filter(None, (search_text(record), *texts)))

    def document_hash(self, identity: str) -> str | None:
        row = self.conn.execute(
            "SELECT content_hash FROM documents WHERE id = ?", (identity,)
        ).fetchone()
        return str(row[0]) if row else None

    def attachment_files(self, identity: str) -> dict[str, str | None]:
        """A document's attachment URLs → the hash of the file stored for each (None: none yet)."""
        rows = self.conn.execute(
            "SELECT url, sha256 FROM attachments WHERE document_id = ?", (identity,)
        )
        return {row[0]: row[1] for row in rows}

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

    # Alerts

    @staticmethod
    def _add_alert(
        conn: Connection, key: str, rules: list[str], identity: str | None,
        version: int | None, portal: str | None, payload: dict[str, Any],
    ) -> int:  # fmt: skip
        cursor = conn.execute(
            "INSERT INTO alerts (key, rule, rules, document_id, version, portal, created_at, "
            "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (key, rules[0], json.dumps(rules, ensure_ascii=False), identity, version, portal,
             now(), json.dumps({**payload, "key": key}, ensure_ascii=False)),
        )  # fmt: skip
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

    def cookies(self, portal: str) -> list[dict[str, Any]]:
        """The portal's cookie jar as the last run left it (expired cookies included: the
        caller drops them)."""
        row = self.conn.execute("SELECT cookies FROM portals WHERE name = ?", (portal,)).fetchone()
        if not row or not row[0]:
            return []
        try:
            value = json.loads(row[0])
        except ValueError:
            return []
        return [c for c in value if isinstance(c, dict)] if isinstance(value, list) else []

    def set_cookies(self, portal: str, cookies: list[dict[str, Any]]) -> None:
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO portals (name, cookies, cookies_at) VALUES (?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET cookies = excluded.cookies,
                   cookies_at = excluded.cookies_at""",
                (portal, json.dumps(cookies, ensure_ascii=False), now()),
            )

    def add_health_alert(self, key: str, portal: str, payload: dict[str, Any]) -> bool:
        """A health alert (a portal blocked or failing); once per key."""
        body = {"portal": portal, **payload, "rule": "health"}
        with self.transaction() as conn:
            return self._add_alert(conn, key, ["health"], None, None, portal, body) > 0

    def pending_alerts(
        self, sink: str, limit: int = 1000, after: int = 0, only: list[int] | None = None
    ) -> list[dict[str, Any]]:
        """Alerts this sink has not delivered yet (of `only` these), oldest first (from alert id
        `after` on)."""
        among = f"AND a.id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        rows = self.conn.execute(
            f"SELECT {_ALERT_COLUMNS}, COALESCE(d.attempts, 0) FROM alerts a "
            "LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            f"WHERE (d.status IS NULL OR d.status != 'delivered') AND a.id > ? {among} "
            "ORDER BY a.id LIMIT ?",
            (sink, after, *(only or []), limit),
        )
        return [{**_alert(row[:-1]), "attempts": row[-1]} for row in rows]

    def pending_count(self, sink: str) -> int:
        """How many alerts this sink has not delivered yet."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            "WHERE d.status IS NULL OR d.status != 'delivered'",
            (sink,),
        ).fetchone()
        return int(row[0])

    def alerts(
        self, rule: str | None = None, limit: int = 100, *, since: str | None = None,
        ids: list[int] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The latest alerts (of a rule, created since a time, or these), newest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if rule:
            clauses.append(f"(a.rule = ? OR {self._rules_have('a.rules')})")
            params += [rule, rule]
        if since:
            clauses.append("a.created_at >= ?")
            params.append(since)
        if ids is not None:
            clauses.append(f"a.id IN ({', '.join('?' for _ in ids)})")
            params += ids
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts a {where} ORDER BY a.id DESC LIMIT ?",
            (*params, limit),
        )
        return [_alert(row) for row in rows]

    def deliveries(self, alert_ids: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
        """alert id → sink → its delivery (status, attempts, last error, when)."""
        found: dict[int, dict[str, dict[str, Any]]] = {}
        for start in range(0, len(alert_ids), 500):
            chunk = alert_ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT alert_id, sink, status, attempts, last_error, updated_at FROM deliveries "
                f"WHERE alert_id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            for alert_id, sink, status, attempts, error, updated in rows:
                found.setdefault(alert_id, {})[sink] = {
                    "status": status, "attempts": attempts, "error": error, "at": updated,
                }  # fmt: skip
        return found

    def requeue(self, alert_ids: list[int], sink: str) -> int:
        """Make these alerts pending again for a sink (to send them again); how many exist."""
        with self.transaction() as conn:
            marks = ", ".join("?" for _ in alert_ids)
            conn.execute(
                f"DELETE FROM deliveries WHERE sink = ? AND alert_id IN ({marks})",
                (sink, *alert_ids),
            )
            row = conn.execute(f"SELECT COUNT(*) FROM alerts WHERE id IN ({marks})", alert_ids)
            return int(row.fetchone()[0])

    def open_deliveries(self, sink: str, only: list[int] | None = None) -> None:
        """Ready the sink's pending alerts to be claimed (on PostgreSQL: a delivery row for each,
        to be locked); nothing to do on SQLite, where a corpus has one machine."""

    @contextmanager
    def claim_pending(
        self, sink: str, *, limit: int, after: int = 0, only: list[int] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """The next alerts this sink has not delivered (oldest first, from alert id `after` on),
        held for this deliverer until the block ends; record each delivery inside it. On
        PostgreSQL each is a locked row that other deliverers skip, freed when the block ends or
        its holder dies; on SQLite (one machine, one scheduler) just the pending alerts."""
        yield self.pending_alerts(sink, limit, after, only)

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
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, limit: int = 20, fields: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Ranked hits with a highlighted snippet; any script, two-character words included.
        `query` takes OR, NOT/-word and "phrases" (crawler.store.query); `fields` narrows by
        doc_no, index_no, deputy, proposal or publisher (width, script, spaces and the year's
        brackets ignored). With no query words, the newest documents the filters admit."""
        parsed = parse(query)
        sql, params = self._search_sql(parsed, portal, kind, since, fields or {})
        if sql is None:
            return []
        if parsed.positive:
            sql = sql.replace("SELECT d.*", "SELECT d.*, bm25(documents_fts, 5.0, 1.0) AS rank", 1)
            order = "rank"
        else:
            order = "d.published_at DESC, d.id"
        hits = []
        for row in self.db.query(f"{sql} ORDER BY {order} LIMIT ?", [*params, limit]):
            record = _decoded(row)
            record.pop("rank", None)
            record["snippet"] = self._snippet(record, " ".join(parsed.words))
            hits.append(record)
        return hits

    def _snippet(self, record: dict[str, Any], wanted: str) -> str:
        """The hit's snippet; where the words are found only in an attachment's text, quoted
        there, naming the file."""
        found = snippet(record, wanted)
        if "【" not in found and record.get("attachments"):
            for file in self.attachment_texts(record["id"]):
                inside = snippet({"body_text": file["text"]}, wanted)
                if "【" in inside:
                    return f"{file['name'] or file['url']}: {inside}"
        return found

    def search_count(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, fields: dict[str, str] | None = None,
    ) -> int:  # fmt: skip
        """How many documents `search` would find without a limit."""
        sql, params = self._search_sql(parse(query), portal, kind, since, fields or {})
        if sql is None:
            return 0
        row = self.conn.execute(sql.replace("SELECT d.*", "SELECT COUNT(*)", 1), params).fetchone()
        return int(row[0])

    def _search_sql(
        self, parsed: Any, portal: str | None, kind: str | None, since: str | None,
        fields: dict[str, str],
    ) -> tuple[str | None, list[Any]]:  # fmt: skip
        wanted = _asked(fields)
        if not parsed.positive and not wanted:
            return None, []  # nothing asked (only words that are no words, or negatives alone)
        self._key_function()
        where, params = _filters(kind=kind, since=since, portal=portal, prefix="d.")
        clauses = [where.removeprefix("WHERE ")] if where else []
        more, values = self._field_clauses(wanted)
        clauses += more
        params += values
        if parsed.negative:
            clauses.append("d.rowid NOT IN (SELECT rowid FROM documents_fts WHERE documents_fts "
                           "MATCH ?)")  # fmt: skip
            params.append(parsed.negative)
        if parsed.positive:
            clauses.insert(0, "documents_fts MATCH ?")
            params.insert(0, parsed.positive)
            source = "documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
        else:
            source = "documents d"
        condition = " AND ".join(clauses)
        return f"SELECT d.* FROM {source}" + (f" WHERE {condition}" if condition else ""), params

    def _field_clauses(self, wanted: dict[str, str]) -> tuple[list[str], list[Any]]:
        """SQL for the field filters asked (each field: any of its places contains the value,
        compared as `field_key`), and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in wanted.items():
            columns = [self._field(where) for where in FIELD_FILTERS[name]]
            clauses.append("(" + " OR ".join(
                f"{self._key(column)} LIKE '%' || ? || '%'" for column in columns) + ")")  # fmt: skip
            params += [field_key(value)] * len(columns)
        return clauses, params

    # What SQLite and PostgreSQL say differently (crawler/store/postgres.py overrides these).

    def _key_function(self) -> None:
        """Make `_key` callable in SQL: 文号 and names compared as `crawler.store.query.field_key`."""
        self.conn.create_function("govwatch_key", 1, field_key, deterministic=True)  # type: ignore[attr-defined]

    @staticmethod
    def _key(expression: str) -> str:
        return f"govwatch_key({expression})"

    @staticmethod
    def _field(where: str) -> str:
        """A field filter's place as SQL: a column of `d`, or a key of its reply's JSON."""
        if where.startswith("reply."):
            return f"json_extract(d.reply, '$.{where[6:]}')"
        return f"d.{where}"

    @staticmethod
    def _rules_have(column: str) -> str:
        """SQL: the JSON list of rule names in `column` holds the parameter."""
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"

    def counts(self) -> dict[str, int]:
        row = self.conn.execute(
            "SELECT COUNT(*), SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END), "
            "(SELECT COUNT(*) FROM versions) FROM documents"
        ).fetchone()
        return {"documents": row[0] or 0, "live": row[1] or 0, "versions": row[2] or 0}

    def integrity(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


#: Search by field: where each field filter looks (a column, or `reply.<key>` of the reply).
FIELD_FILTERS = {
    "doc_no": ("doc_no",),
    "index_no": ("index_no",),
    "deputy": ("reply.addressee", "addressee"),
    "proposal": ("reply.proposal_no", "reply.proposal_title"),
    "publisher": ("publisher", "source", "reply.lead_agency"),
}


def _asked(fields: dict[str, str]) -> dict[str, str]:
    """The field filters given a value; an unknown field is an error naming the known ones."""
    unknown = set(fields) - set(FIELD_FILTERS)
    if unknown:
        raise ValueError(f"no search field {sorted(unknown)[0]!r}; the fields are "
                         f"{', '.join(FIELD_FILTERS)}")  # fmt: skip
    return {name: value for name, value in fields.items() if value}


_ALERT_COLUMNS = "a.id, a.key, a.rule, a.rules, a.created_at, a.portal, a.payload"


def _alert(row: tuple[Any, ...]) -> dict[str, Any]:
    alert_id, key, rule, rules, created, portal, payload = row
    return {"portal": portal, **json.loads(payload), "id": alert_id, "key": key, "rule": rule,
            "rules": json.loads(rules) if rules else [rule], "created_at": created}  # fmt: skip


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
    wanted = [w for w in words(query) if w]
    for text in (record.get("body_text") or "", record.get("title") or ""):
        folded = fold(text).folded.lower()
        positions = [(folded.find(w), w) for w in wanted if folded.find(w) >= 0]
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
