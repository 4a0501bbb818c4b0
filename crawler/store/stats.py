"""Figures of the corpus for the monitor (`crawler.run.health`, the monitor page of `govwatch
serve`, the scheduler's metrics): documents per portal and when each last got a new one,
documents per month, the database's size on disk, the outbox per sink — on either backend."""

from __future__ import annotations

from typing import Any

from crawler.store.base import Store


def portal_counts(store: Store) -> dict[str, dict[str, Any]]:
    """portal → its documents, how many are live, and when the newest was first stored."""
    rows = store.conn.execute(
        "SELECT portal, COUNT(*), SUM(CASE WHEN status = 'live' THEN 1 ELSE 0 END), "
        "MAX(first_seen) FROM documents GROUP BY portal",
        (),
    )
    return {
        str(portal): {"documents": int(count), "live": int(live or 0), "last_new": newest}
        for portal, count, live, newest in rows
    }


def monthly(store: Store, kinds: tuple[str, ...] = ()) -> list[tuple[str, str, int]]:
    """(portal, month as YYYY-MM, documents published that month), by the date the page prints;
    of these kinds only, when given."""
    where = "WHERE published_at IS NOT NULL"
    if kinds:
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
    rows = store.conn.execute(
        f"SELECT portal, substr(published_at, 1, 7) AS month, COUNT(*) FROM documents {where} "
        "GROUP BY portal, substr(published_at, 1, 7) ORDER BY 2, 1",
        kinds,
    )
    return [(str(portal), str(month), int(count)) for portal, month, count in rows]


def size_bytes(store: Store) -> int:
    """The database's size: SQLite's pages in use, or PostgreSQL's database on disk."""
    if getattr(store, "pg", None) is not None:
        row = store.conn.execute("SELECT pg_database_size(current_database())", ()).fetchone()
        return int(row[0])
    pages = store.conn.execute("PRAGMA page_count", ()).fetchone()[0]
    size = store.conn.execute("PRAGMA page_size", ()).fetchone()[0]
    return int(pages) * int(size)


def alerts_count(store: Store) -> int:
    """How many alerts the outbox holds (they are kept once delivered)."""
    return int(store.conn.execute("SELECT COUNT(*) FROM alerts", ()).fetchone()[0])


def deliveries_by_sink(store: Store) -> dict[str, dict[str, int]]:
    """sink → {delivered, failed}: the alerts it took, and those whose last try failed."""
    found: dict[str, dict[str, int]] = {}
    for sink, status, count in store.conn.execute(
        "SELECT sink, status, COUNT(*) FROM deliveries GROUP BY sink, status", ()
    ):
        found.setdefault(str(sink), {})[str(status)] = int(count)
    return found
