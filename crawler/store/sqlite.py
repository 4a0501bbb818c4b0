"""The corpus in SQLite (sqlite-utils): WAL, one writer at a time, readers never blocked;
full-text search through FTS5 over CJK bigrams. A crash at any moment leaves the database as
before or after a write, never between. Read-only commands open it read-only
(`readonly=True`): nothing is migrated or written, a file that is no govwatch corpus is refused,
and read-only media are read as immutable."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.store.base import Store
from crawler.store.core import Connection, StoreError, StoreWriteError, max_pages
from crawler.store.documents import decoded, filters
from crawler.store.query import field_key, parse
from crawler.store.search import asked


class SqliteStore(Store):
    """The corpus in a SQLite file."""

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
            self._functions()
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
        self._functions()
        try:
            self.migrate()
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

    def _functions(self) -> None:
        """`key` in SQL: 文号 and names compared as `crawler.store.query.field_key`."""
        self.sqlite.create_function("govwatch_key", 1, field_key, deterministic=True)

    def close(self) -> None:
        self.conn.close()

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

    def lock_document(self, conn: Connection, identity: str) -> None:
        """Nothing to do: SQLite's BEGIN IMMEDIATE already serialises every writer."""

    def search(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, limit: int = 20, fields: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """FTS5's bm25 ranks the hits, the title weighing five times the body."""
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
            record = decoded(row)
            record.pop("rank", None)
            record["snippet"] = self.hit_snippet(record, " ".join(parsed.words))
            hits.append(record)
        return hits

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
        wanted = asked(fields)
        if not parsed.positive and not wanted:
            return None, []  # nothing asked (only words that are no words, or negatives alone)
        where, params = filters(kind=kind, since=since, portal=portal, prefix="d.")
        clauses = [where.removeprefix("WHERE ")] if where else []
        more, values = self.field_clauses(wanted)
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

    def key(self, expression: str) -> str:
        return f"govwatch_key({expression})"

    def reply_field(self, name: str) -> str:
        return f"json_extract(d.reply, '$.{name}')"

    def rules_have(self, column: str) -> str:
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"

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
