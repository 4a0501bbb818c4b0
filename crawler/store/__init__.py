"""The corpus: a deduplicated, versioned store of documents with their raw responses, attachment
files, runs, the alerts outbox and crawl nodes — in SQLite or PostgreSQL.

`open_store(db)` opens it: a file path is SQLite (`crawler.store.sqlite`), a `postgresql://` URL
is PostgreSQL (`crawler.store.postgres`); both implement one interface
(`crawler.store.base.Store`) over one schema (`crawler.store.schema`). Every write is an explicit
transaction: a crash at any moment leaves the corpus as before or after it.
"""

from __future__ import annotations

from pathlib import Path

from crawler.store.base import Store
from crawler.store.core import (
    SHARED,
    Connection,
    NewerSchemaError,
    StoreError,
    StoreWriteError,
    is_url,
)
from crawler.store.documents import Outcome, Save
from crawler.store.runs import RunStats
from crawler.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Connection",
    "NewerSchemaError",
    "Outcome",
    "RunStats",
    "Save",
    "Store",
    "StoreError",
    "StoreWriteError",
    "is_url",
    "open_store",
    "shared_store",
]


def open_store(
    db: str | Path, *, create: bool = True, readonly: bool = False, immutable: bool = False
) -> Store:
    """The corpus `db` names: a SQLite file, or a PostgreSQL database (`postgresql://…`).
    `readonly` opens it for reading only (nothing migrated or written); `create=False` refuses
    a file that does not exist yet."""
    if is_url(db):
        from crawler.store.postgres import PostgresStore

        return PostgresStore(str(db), readonly=readonly or immutable)
    from crawler.store.sqlite import SqliteStore

    return SqliteStore(db, create=create, readonly=readonly, immutable=immutable)


def shared_store(db: str | Path) -> Store:
    """The process's one open store of `db`, for the components of one crawl: its pipelines
    and extensions read and write it from the crawl's one thread (each opening its own would
    take two connections a portal: 50 portals used up PostgreSQL's default 100). `release()`
    it when done."""
    key = str(db)
    entry = SHARED.get(key)
    if entry is None:
        entry = SHARED[key] = [open_store(key), 0]
    entry[1] += 1
    store: Store = entry[0]
    return store
