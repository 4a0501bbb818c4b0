"""Copying a corpus to another database, losslessly, and proving it (`govwatch migrate`).

Every table of the corpus is copied row by row (raw responses as stored, ids kept) in one
transaction of the target: an interrupted copy leaves the target empty. Then each table is
counted and hashed on both sides (a digest of every row, independent of order); any difference
fails the command. The target must be a new, empty corpus; either side may be SQLite or
PostgreSQL. SQLite's full-text index is rebuilt by its triggers; PostgreSQL's search columns are
computed from the same search text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from crawler.store import Store, StoreError

#: Tables in an order that satisfies the foreign keys; tables added later follow in name order.
ORDER = ("documents", "versions", "attachments", "runs", "run_errors", "columns", "alerts",
         "portals", "deliveries")  # fmt: skip
_SKIP_PREFIXES = ("documents_fts", "sqlite_")


class MigrateError(StoreError):
    """The copy cannot be made as asked; the message says why."""


@dataclass
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str

    @property
    def ok(self) -> bool:
        return (self.source_rows, self.source_digest) == (self.target_rows, self.target_digest)


@dataclass
class Report:
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.tables)


def tables(store: Store) -> list[str]:
    """The corpus tables to copy, in foreign-key order (never `meta`, never the FTS index)."""
    names = [
        name for name in store.db.table_names()
        if name != "meta" and not name.startswith(_SKIP_PREFIXES)
    ]  # fmt: skip
    return [name for name in ORDER if name in names] + sorted(set(names) - set(ORDER))


def columns(store: Store, table: str) -> list[str]:
    """The table's stored columns (never PostgreSQL's generated search columns)."""
    if hasattr(store, "pg"):
        rows = store.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,),
        )
        return [row[0] for row in rows]
    return [row[1] for row in store.conn.execute(f'PRAGMA table_info("{table}")', ())]


def rows(store: Store, table: str, names: list[str]) -> Iterator[tuple[Any, ...]]:
    """Every row, streamed (a server-side cursor on PostgreSQL: raw responses do not fit RAM)."""
    sql = "SELECT " + ", ".join(f'"{name}"' for name in names) + f' FROM "{table}"'
    pg = getattr(store, "pg", None)
    if pg is not None:
        with pg.transaction(), pg.cursor(name=f"copy_{table}") as cursor:
            cursor.itersize = 500
            cursor.execute(sql)
            yield from (tuple(row) for row in cursor)
        return
    yield from (tuple(row) for row in store.conn.execute(sql, ()))


def row_digest(row: tuple[Any, ...]) -> bytes:
    """A row's digest, the same on both backends (bytes as hex, memoryview as bytes)."""
    values = [
        bytes(value).hex() if isinstance(value, bytes | memoryview | bytearray) else value
        for value in row
    ]
    blob = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).digest()


def table_digest(store: Store, table: str, names: list[str]) -> tuple[int, str]:
    """(rows, a digest of every row regardless of order)."""
    digests = sorted(row_digest(row) for row in rows(store, table, names))
    total = hashlib.sha256(b"".join(digests)).hexdigest()
    return len(digests), total


def _is_empty(store: Store) -> bool:
    for table in tables(store):
        if store.conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1', ()).fetchone():
            return False
    return True


#: Wraps a table's rows with a progress display: (rows, total, label) → the same rows.
Progress = Callable[[Iterable[Any], int | None, str], Iterable[Any]]


def copy_corpus(
    source: Store, target: Store, out: TextIO | None = None, progress: Progress | None = None
) -> Report:
    """Copy every table of `source` into the empty `target`, then count and hash both."""
    if not _is_empty(target):
        raise MigrateError(
            f"{target.where}: already holds a corpus; migrate into a new, empty database"
        )
    plan: list[tuple[str, list[str]]] = []
    for table in tables(source):
        names = columns(source, table)
        missing = sorted(set(names) - set(columns(target, table)))
        if table not in target.db.table_names() or missing:
            raise MigrateError(
                f"{target.where}: has no {'table ' + table if not missing else 'column ' + table + '.' + missing[0]}; "
                "upgrade govwatch where the target is written"
            )
        plan.append((table, names))
    with target.transaction():
        for table, names in plan:
            count = _copy_table(source, target, table, names, progress)
            if out:
                print(f"  {table}: {count} rows copied", file=out)
        _reset_identities(target)
    report = Report()
    for table, names in plan:
        source_rows, source_digest = table_digest(source, table, names)
        target_rows, target_digest = table_digest(target, table, names)
        report.tables.append(
            TableCheck(table, source_rows, target_rows, source_digest, target_digest)
        )
    return report


def _copy_table(
    source: Store, target: Store, table: str, names: list[str], progress: Progress | None = None
) -> int:
    quoted = ", ".join(f'"{name}"' for name in names)
    pg = getattr(target, "pg", None)
    count = 0
    found = rows(source, table, names)
    source_rows = progress(found, None, f"  {table}") if progress else found
    if pg is not None:
        with pg.cursor().copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in source_rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in names)
    for row in source_rows:
        target.conn.execute(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', row)
        count += 1
    return count


def _reset_identities(target: Store) -> None:
    """PostgreSQL: identity columns continue after the ids copied."""
    if getattr(target, "pg", None) is None:
        return
    found = target.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND is_identity = 'YES'",
        (),
    ).fetchall()
    for table, column in found:
        target.conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"'
        )
