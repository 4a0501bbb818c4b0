"""Retention: what a long-running monitor may let go of, by age, to stay under its cap.

Every document keeps its latest version and that version's raw response; a version an alert
names keeps its raw response too (the alert's evidence); alerts, and attachment files a document
links, are never touched. Older than the cut-off, and none of those:

1. the raw responses of documents' older versions (their records stay: `show --versions` and
   `--diff` still work), or with `versions=True` those versions whole;
2. with `versions=True`, older versions of attachment URLs whose file no document links;
3. the raw bytes of attachment files no document links and none fetched since (their text stays),
   or with `versions=True` such files whole once no version names them.

Each step is one transaction (a crash at any moment leaves the corpus as before or after that
step, and the next run takes up the rest), then VACUUM gives the space back: to the file system
on SQLite, to the tables' own reuse on PostgreSQL (which has no cap of govwatch's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from crawler.store.base import Store

# Each step: (what it lets go of, its table, the rows' condition, the column of their bytes).
# `?` is the cut-off. Old versions: older than it, not a document's latest, named by no alert.
_OLD_VERSIONS = (
    "fetched_at < ? "
    "AND version < (SELECT d.version FROM documents d WHERE d.id = versions.document_id) "
    "AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.document_id = versions.document_id "
    "AND a.version = versions.version)"
)
_LINKED = "SELECT sha256 FROM attachments WHERE sha256 IS NOT NULL"
# Attachment files no document links, none fetched since the cut-off.
_UNLINKED_FILES = (
    f"sha256 NOT IN ({_LINKED}) AND sha256 NOT IN "
    "(SELECT sha256 FROM attachment_versions WHERE fetched_at >= ?)"
)
KEEP_RAW = [
    ("raw responses of old versions", "versions", _OLD_VERSIONS + " AND raw IS NOT NULL", "raw"),
    ("raw bytes of attachment files no document links", "attachment_files",
     _UNLINKED_FILES + " AND raw IS NOT NULL", "raw"),
]  # fmt: skip
WHOLE = [
    ("old versions", "versions", _OLD_VERSIONS, "raw"),
    # Older than the cut-off, not its URL's latest, its file linked by no document.
    ("old versions of attachment URLs", "attachment_versions",
     "fetched_at < ? AND version < (SELECT MAX(v.version) FROM attachment_versions v "
     f"WHERE v.url = attachment_versions.url) AND sha256 NOT IN ({_LINKED})", None),
    ("attachment files no document links", "attachment_files",
     _UNLINKED_FILES + " AND sha256 NOT IN (SELECT sha256 FROM attachment_versions)", "raw"),
]  # fmt: skip


@dataclass
class Step:
    """What one step lets go of: rows, and the stored bytes they held."""

    what: str
    rows: int = 0
    bytes: int = 0


@dataclass
class Pruned:
    """What `prune` let go of (or, dry, would), and the corpus's size before and after."""

    cutoff: str
    steps: list[Step] = field(default_factory=list)
    size_before: int = 0
    size_after: int = 0
    dry_run: bool = False
    vacuum_error: str | None = None  # VACUUM refused (busy, no room): freed pages are reused

    @property
    def rows(self) -> int:
        return sum(step.rows for step in self.steps)


def prune(store: Store, cutoff: str, *, versions: bool = False, dry_run: bool = False) -> Pruned:
    """Let go of what is older than `cutoff` (a UTC ISO time, as `fetched_at` is stored) and no
    document, alert or link needs (see the module's docstring), a transaction a step; then
    VACUUM. With `versions`, old versions go whole, not only their raw responses."""
    result = Pruned(cutoff, size_before=size(store), dry_run=dry_run)
    for what, table, condition, blob in WHOLE if versions else KEEP_RAW:
        measure = f"COALESCE(SUM(LENGTH({blob})), 0)" if blob else "0"
        with store.transaction() as conn:  # what a step counts is what it changes
            rows, stored = conn.execute(
                f"SELECT COUNT(*), {measure} FROM {table} WHERE {condition}", (cutoff,)
            ).fetchone()
            if rows and not dry_run:
                change = "DELETE FROM" if versions else "UPDATE"
                assign = "" if versions else " SET raw = NULL"
                conn.execute(f"{change} {table}{assign} WHERE {condition}", (cutoff,))
        result.steps.append(Step(what, int(rows), int(stored)))
    if not dry_run and result.rows:
        try:
            vacuum(store)
        except Exception as error:  # the backend's own: the file is busy, or no room to rewrite
            result.vacuum_error = " ".join(str(error).split())
    result.size_after = size(store)
    return result


def _sqlite(store: Store) -> bool:
    from crawler.store.sqlite import SqliteStore

    return isinstance(store, SqliteStore)


def size(store: Store) -> int:
    """The corpus's size in bytes: the SQLite file and its write-ahead log, or the PostgreSQL
    database."""
    if _sqlite(store):
        path = str(store.where)
        return sum(os.path.getsize(path + suffix) for suffix in ("", "-wal")
                   if os.path.exists(path + suffix))  # fmt: skip
    row = store.conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0])


def vacuum(store: Store) -> None:
    """Space freed given back: SQLite rewrites the file (then checkpoints its write-ahead log,
    so that the file is what shrinks); PostgreSQL marks the pruned tables' space for reuse and
    refreshes their statistics. Neither runs inside a transaction."""
    if _sqlite(store):
        store.conn.execute("VACUUM")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return
    for table in ("versions", "attachment_versions", "attachment_files"):
        store.conn.execute(f"VACUUM (ANALYZE) {table}")
