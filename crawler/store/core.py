"""What both corpus backends share below the model: errors, the connection they speak through,
the lifecycle (open, shared, closed), the schema's migrations driven in order, and the dialect
hooks each backend fills in (`crawler.store.sqlite`, `crawler.store.postgres`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, Self

from crawler.store.schema import MIGRATIONS, SCHEMA_VERSION

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


#: Stores open for sharing in this process: database → [store, users] (`shared_store`).
SHARED: dict[str, list[Any]] = {}


class StoreCore(ABC):
    """A corpus connection: its lifecycle, its migrations and its dialect. The model — documents,
    files, runs, the outbox, nodes — is written once over these (`crawler.store.base.Store`)."""

    where: str  # how messages name the database (a path, or a URL without its password)
    readonly: bool
    conn: Connection
    db: Database

    # The dialect: what each backend says its own way.

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """All or nothing: the block's statements commit together, or none does."""

    def batched(self) -> AbstractContextManager[Connection]:
        """A transaction whose statements may travel to the server together: inside it, a
        statement's answer is there once its rows are fetched, and its row count is never read
        (`save` writes through this; SQLite, in the process, has nothing to batch)."""
        return self.transaction()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def lock_documents(self, conn: Connection, keys: list[str]) -> None:
        """Serialise the writers of these documents (and files, `documents._lock_keys`) inside a
        transaction: all taken in one order, so that writers of overlapping sets never
        deadlock."""

    @abstractmethod
    def key(self, expression: str) -> str:
        """SQL comparing `expression` as `crawler.store.query.field_key` does (文号 brackets,
        width, spaces)."""

    @abstractmethod
    def reply_field(self, name: str) -> str:
        """SQL for a key of a document's reply (its JSON)."""

    @abstractmethod
    def rules_have(self, column: str) -> str:
        """SQL: the JSON list of rule names in `column` holds the parameter."""

    @abstractmethod
    def integrity(self) -> str:
        """'ok', or what the database says is wrong with it."""

    def file_pages(self) -> tuple[Path, int, int, int] | None:
        """A corpus in a file: its path, page size, pages and free pages (None: a server's, whose
        size its disk and quotas bound)."""
        return None

    def _migration_db(self) -> Any:
        """What a migration's `db.execute(SQL)` runs on."""
        return self.db

    def _after_migration(self, conn: Connection, version: int) -> None:  # noqa: B027
        """What a backend adds after a shared migration (none on SQLite): a hook, not abstract."""

    # Lifecycle

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def release(self) -> None:
        """Done with a store from `shared_store`: closed once its last user releases it."""
        for key, entry in list(SHARED.items()):
            if entry[0] is self:
                entry[1] -= 1
                if entry[1] <= 0:
                    del SHARED[key]
                    self.close()
                return
        self.close()

    # The schema

    def schema_version(self) -> int:
        """The govwatch schema the file holds (0: none yet)."""
        if "meta" not in self.db.table_names():
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        """Bring the schema up to this govwatch's, one migration a transaction."""
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

    def _check_readable(self) -> None:
        """A read-only open of something govwatch can read: its corpus, at this schema."""
        try:
            version = self.schema_version()
        except Exception as error:  # the backend's own error: the file or server says why
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
