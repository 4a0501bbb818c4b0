"""The corpus in SQLite (sqlite-utils): WAL, one writer at a time, readers never blocked;
full-text search through FTS5 over CJK bigrams. A crash at any moment leaves the database as
before or after a write, never between. Read-only commands open it read-only
(`readonly=True`): nothing is migrated or written, a file that is no govwatch corpus is refused,
and read-only media are read as immutable."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.store.base import Store
from crawler.store.capacity import cap_reached
from crawler.store.core import Connection, StoreError, StoreWriteError, max_pages
from crawler.store.documents import decoded, filters
from crawler.store.query import field_key, parse
from crawler.store.search import asked


def _import_sqlite_utils() -> Any:
    """sqlite-utils without its optional pandas and numpy: on import it loads both where they are
    installed (0.35 s of every command's start, for column types of values govwatch never stores).
    Hidden only while it loads, and only if not loaded already: pandas works as ever afterwards."""
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # its probe meets ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            del sys.modules[name]
    return sqlite_utils


if TYPE_CHECKING:
    import sqlite_utils
else:
    sqlite_utils = _import_sqlite_utils()


class SqliteStore(Store):
    """The corpus in a SQLite file."""

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False,
        immutable: bool = False,
    ) -> None:  # fmt: skip
        self.path = Path(path)
        self.where = str(self.path)  # how messages name the database
        self.readonly = readonly or immutable
        self.immutable = immutable  # read as immutable (asked, or read-only media)
        if (not create or self.readonly) and not self.path.exists():
            raise StoreError(
                f"{self.path}: no such database; run `govwatch crawl --db {self.path}` first"
            )
        if not self.readonly and (problem := unwritable(self.path)):
            raise StoreError(problem)  # said before SQLite's "unable to open database file"
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
            raise StoreError(f"{self.path}: cannot open the database: {damage(error)}") from None
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
            problem = _damaged(conn, self.path)
        except sqlite3.DatabaseError as error:
            conn.close()
            said = damage(error)
            if "malformed" in said or "not a database" in said:
                raise StoreError(damaged(self.path, said)) from None
            raise StoreError(f"{self.path}: cannot use the database: {said}") from None
        if problem:
            conn.close()
            raise StoreError(problem)

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
                self.immutable = attempt.endswith("immutable=1")
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
        except sqlite3.DatabaseError as error:
            if self.sqlite.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse it too
                    self.sqlite.execute("ROLLBACK")
            refused = self._refused(error)
            if refused is None:
                raise
            raise refused from None

    def file_pages(self) -> tuple[Path, int, int, int]:
        page_size, pages, free = (
            int(self.conn.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("page_size", "page_count", "freelist_count")
        )
        return self.path, page_size, pages, free

    def _refused(self, error: sqlite3.DatabaseError) -> StoreError | None:
        """What a refused write means for the operator: the cap reached, a full or read-only
        disk, a damaged file (None: an error of the caller's)."""
        message = damage(error)
        if getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "full" in message:
            reached = cap_reached(self)
            if reached:
                return StoreWriteError(f"cannot write to {self.where}: {reached} (nothing stored "
                                       "was changed)")  # fmt: skip
        if "malformed" in message or "not a database" in message:
            return StoreError(damaged(self.where, message))
        if isinstance(error, sqlite3.OperationalError) and any(
            word in message for word in ("full", "readonly", "read-only", "disk")
        ):
            return StoreWriteError(
                f"cannot write to {self.where}: {message}; free disk space or fix permissions "
                "(nothing stored was changed)"
            )
        return None

    def lock_documents(self, conn: Connection, keys: list[str]) -> None:
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


def on_read_only_media(path: str | Path) -> bool:
    """Whether the file (or, before it exists, its directory) is on a read-only file system."""
    place = Path(path) if Path(path).exists() else Path(path).parent
    try:
        return bool(os.statvfs(place).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def unwritable(path: str | Path) -> str | None:
    """Why a crawl could not write the corpus at `path` (read-only media, a file or directory
    it may not write: SQLite writes its -wal and -shm files beside the database), else None."""
    path = Path(path)
    if not path.exists() and not path.parent.is_dir():
        return None  # no directory to write in: SQLite's own error names the path
    if on_read_only_media(path):
        return (f"{path}: on read-only media: it cannot be crawled into; give --db a file on "
                "writable storage, or remount it read-write (search, export and "
                "serve --immutable read it as it is)")  # fmt: skip
    for place, what in ((path, "the file"), (path.parent, "its directory")):
        if place.exists() and not os.access(place, os.W_OK):
            return (f"{path}: {what} is not writable (SQLite writes its -wal and -shm files "
                    "beside it): it cannot be crawled into; fix the permissions, or give --db "
                    "a file in a writable directory")  # fmt: skip
    return None


#: Files a writer found whole in this process (`_damaged`), as they were then (inode, size,
#: time written): a crawl's components open one file several times.
_CHECKED: set[tuple[Path, int, int, int]] = set()
#: How long a writer's check may take (SQLite reads about a gigabyte a second from the cache).
CHECK_SECONDS = 2.0


def _damaged(conn: sqlite3.Connection, path: Path) -> str | None:
    """What is wrong with a file a writer opens, before anything is written into it: SQLite's
    quick check of every page (a damaged page is otherwise found only by the write that needs
    it, half-way through a crawl). Once per process and file; a check that would take longer
    than CHECK_SECONDS is given up (a write finding damage still says so, `_refused`)."""
    stat = path.stat()
    key = (path.resolve(), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key in _CHECKED:
        return None
    deadline = time.monotonic() + CHECK_SECONDS
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as error:
        found = ["ok"] if "interrupt" in str(error) else [damage(error)]  # interrupted: too large
    finally:
        conn.set_progress_handler(None, 0)
    if found == ["ok"]:
        _CHECKED.add(key)
        return None
    return damaged(path, "; ".join(found))


def damaged(path: str | Path, what: str) -> str:
    """A damaged file, and the way out."""
    return (f"{path}: the database is damaged ({what}); restore it from a backup, or salvage "
            f"what is readable with `sqlite3 {path} .recover`")  # fmt: skip


def damage(error: sqlite3.Error) -> str:
    """SQLite's complaint about a damaged file, without the bytes it quotes: a column that is
    not UTF-8 comes back with its raw content ("Could not decode to UTF-8 column 'x' with text
    '…'"), binary junk on a terminal."""
    message = " ".join(str(error).split())
    if message.startswith("Could not decode to UTF-8"):
        column = message.split(" with text ", 1)[0].removeprefix("Could not decode to UTF-8 ")
        return f"{column} holds bytes that are not UTF-8 text: the file is damaged"
    return message


def _foreign(conn: sqlite3.Connection) -> str:
    """What a database holds when it is not a govwatch corpus ('' when it is one, or empty)."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
    if not tables or "meta" in tables:
        return ""
    shown = ", ".join(tables[:3]) + (" …" if len(tables) > 3 else "")
    return f"the tables {shown}"
