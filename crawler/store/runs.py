"""Runs and what each crawl learns of a portal: its run rows and errors, each column's listing,
walk and baseline, and the portal's cookie jar."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crawler.clock import now
from crawler.store.core import StoreCore


@dataclass
class RunStats:
    """What a run did, in total and per portal (`portals`)."""

    requests: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_gone: int = 0
    errors: int = 0
    blocked: list[dict[str, str]] = field(default_factory=list)
    portals: dict[str, dict[str, Any]] = field(default_factory=dict)


class RunsPart(StoreCore):
    """Runs, columns and portals of the corpus (part of `crawler.store.base.Store`)."""

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

    def runs(self, *, finished: bool = False) -> Iterator[dict[str, Any]]:
        """Every run, oldest first (`finished`: only those no longer running)."""
        where = "WHERE status != 'running' " if finished else ""
        yield from self.db.query(f"SELECT * FROM runs {where}ORDER BY id")

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return rows[0] if rows else None

    def runs_before(self, portal: str, run_id: int | None, limit: int) -> list[dict[str, Any]]:
        """A portal's runs before `run_id` (all, when None), newest first."""
        return list(self.db.query(
            "SELECT * FROM runs WHERE portals LIKE ? AND id < ? ORDER BY id DESC LIMIT ?",
            [f'%"{portal}"%', run_id or 1 << 62, limit],
        ))  # fmt: skip

    def stored_by_run(self, run_id: int) -> tuple[int, int]:
        """(new documents, new versions of known ones) a run stored."""
        row = self.conn.execute(
            "SELECT SUM(CASE WHEN version = 1 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN version > 1 THEN 1 ELSE 0 END) FROM versions WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def first_stored_in(self, run_ids: list[int]) -> list[dict[str, Any]]:
        """The documents whose first version these runs stored (id, title, body_text)."""
        if not run_ids:
            return []
        return list(self.db.query(
            "SELECT d.id, d.title, d.body_text FROM documents d JOIN versions v ON "
            "v.document_id = d.id WHERE v.version = 1 AND v.run_id IN "
            f"({', '.join('?' for _ in run_ids)})", run_ids,
        ))  # fmt: skip

    def publication_dates(self, portal: str, limit: int) -> list[str]:
        """The portal's latest publication times, newest first."""
        rows = self.conn.execute(
            "SELECT published_at FROM documents WHERE portal = ? AND published_at IS NOT NULL "
            "ORDER BY published_at DESC LIMIT ?", (portal, limit))  # fmt: skip
        return [str(row[0]) for row in rows]

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

    def columns_state(self, portal: str) -> dict[str, tuple[int, bool]]:
        """A portal's columns → (entries listed last time, whether the last walk completed)."""
        rows = self.conn.execute(
            "SELECT column_id, listed, complete FROM columns WHERE portal = ?", (portal,)
        )
        return {str(row[0]): (int(row[1]), bool(row[2])) for row in rows}

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
