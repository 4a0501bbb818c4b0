"""Crawl nodes (Scrapyd daemons with tags saying where they stand) and per-portal leases: a
lease is taken atomically (an upsert that only replaces an expired one), so no two nodes crawl
one portal at once; one not renewed expires, and its portal goes to another node. A node's job
crawls a batch of portals (one run, one lease each): it renews them together
(`renew_leases`) and records each portal's outcome in its run as the portal finishes
(`record_portal`), so that the scheduler collects finished portals while the batch goes on, and
a batch killed mid-way loses only the portals still being crawled."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from crawler.clock import utcnow
from crawler.store.core import StoreCore


@dataclass(frozen=True)
class Node:
    url: str
    tags: tuple[str, ...] = ()


def normal_url(url: str) -> str:
    """A node's URL as the corpus keeps it (scheme, host and port, no trailing slash)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r}: a node is a Scrapyd URL, e.g. http://10.0.0.5:6800")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def iso(moment: dt.datetime) -> str:
    """A time as the leases keep it: UTC, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class NodesPart(StoreCore):
    """Nodes and leases of the corpus (part of `crawler.store.base.Store`)."""

    def add_node(self, url: str, tags: list[str]) -> Node:
        """Register a node with its tags (a ValueError names a URL that is no node's)."""
        node = Node(normal_url(url), tuple(sorted(set(tags))))
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO nodes (url, tags, added_at) VALUES (?, ?, ?) ON CONFLICT (url) "
                "DO UPDATE SET tags = excluded.tags",
                (node.url, json.dumps(list(node.tags)), iso(utcnow())),
            )
        return node

    def remove_node(self, url: str) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM nodes WHERE url = ?", (normal_url(url),))
        return cursor.rowcount > 0

    def nodes(self) -> list[Node]:
        """The registered nodes."""
        rows = self.conn.execute("SELECT url, tags FROM nodes ORDER BY url", ()).fetchall()
        return [Node(url, tuple(json.loads(tags))) for url, tags in rows]

    def acquire_lease(
        self, portal: str, node: str, holder: str, seconds: float, now: dt.datetime | None = None
    ) -> bool:
        """Take the portal's lease for `node` unless a live one is held: atomic on both backends."""
        moment = now or utcnow()
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO leases (portal, node, job, run_id, holder, acquired_at, expires_at) "
                "VALUES (?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT (portal) DO UPDATE SET node = excluded.node, "
                "job = NULL, run_id = NULL, holder = excluded.holder, acquired_at = excluded.acquired_at, "
                "expires_at = excluded.expires_at WHERE leases.expires_at <= excluded.acquired_at",
                (portal, node, holder, iso(moment), iso(moment + dt.timedelta(seconds=seconds))),
            )
        return cursor.rowcount > 0

    def renew_lease(
        self, portal: str, holder: str, seconds: float, now: dt.datetime | None = None,
        job: str | None = None, run_id: int | None = None,
    ) -> bool:  # fmt: skip
        """Extend a lease this holder still has (and note its job); False when it was lost."""
        moment = now or utcnow()
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE leases SET expires_at = ?, job = COALESCE(?, job), "
                "run_id = COALESCE(?, run_id) WHERE portal = ? AND holder = ? AND expires_at > ?",
                (iso(moment + dt.timedelta(seconds=seconds)), job, run_id, portal, holder,
                 iso(moment)),
            )  # fmt: skip
        return cursor.rowcount > 0

    def renew_leases(
        self, portals: list[str], holder: str, seconds: float, now: dt.datetime | None = None,
        job: str | None = None, run_id: int | None = None,
    ) -> set[str]:  # fmt: skip
        """Extend the leases this holder still has among `portals`, in one statement (a batch's
        job renews hundreds at once); the portals whose lease was kept."""
        if not portals:
            return set()
        moment = now or utcnow()
        marks = ", ".join("?" for _ in portals)
        with self.transaction() as conn:
            rows = conn.execute(
                f"UPDATE leases SET expires_at = ?, job = COALESCE(?, job), run_id = COALESCE(?, run_id) "
                f"WHERE portal IN ({marks}) AND holder = ? AND expires_at > ? RETURNING portal",
                (
                    iso(moment + dt.timedelta(seconds=seconds)),
                    job,
                    run_id,
                    *portals,
                    holder,
                    iso(moment),
                ),
            ).fetchall()
        return {str(row[0]) for row in rows}

    def record_portal(self, run_id: int, portal: str, summary: dict[str, Any]) -> None:
        """One portal of a batch's run finished: its summary (as `govwatch crawl` gives it per
        portal) kept in the run's stats now, before the run ends. One job writes its run."""
        with self.transaction() as conn:
            row = conn.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return
            stats = json.loads(row[0] or "{}")
            stats[portal] = summary
            conn.execute(
                "UPDATE runs SET stats = ? WHERE id = ?",
                (json.dumps(stats, ensure_ascii=False), run_id),
            )

    def recorded_portals(self, run_id: int) -> dict[str, dict[str, Any]]:
        """The portals of a run recorded so far (by its batch as each finished, or at its end)."""
        row = self.conn.execute("SELECT stats FROM runs WHERE id = ?", (run_id,)).fetchone()
        found: dict[str, dict[str, Any]] = json.loads(row[0] or "{}") if row else {}
        return found

    def release_lease(self, portal: str, holder: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM leases WHERE portal = ? AND holder = ?", (portal, holder))

    def release_leases(self, portals: list[str], holder: str) -> None:
        """Release several leases this holder has, in one statement."""
        if portals:
            marks = ", ".join("?" for _ in portals)
            with self.transaction() as conn:
                conn.execute(
                    f"DELETE FROM leases WHERE holder = ? AND portal IN ({marks})",
                    (holder, *portals),
                )

    def leases(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM leases ORDER BY portal"))

    def lease_run(self, portal: str) -> int | None:
        """The run of the portal's lease (live or expired), if it has one."""
        row = self.conn.execute("SELECT run_id FROM leases WHERE portal = ?", (portal,)).fetchone()
        return int(row[0]) if row and row[0] else None
