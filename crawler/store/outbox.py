"""The alerts outbox: alerts written with the version (or the health state) that caused them,
and their delivery to each sink — pending, claimed by one deliverer, delivered or failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crawler.clock import now
from crawler.store.core import Connection, StoreCore

ALERT_COLUMNS = "a.id, a.key, a.rule, a.rules, a.created_at, a.portal, a.payload"


def alert_row(row: tuple[Any, ...]) -> dict[str, Any]:
    alert_id, key, rule, rules, created, portal, payload = row
    return {"portal": portal, **json.loads(payload), "id": alert_id, "key": key, "rule": rule,
            "rules": json.loads(rules) if rules else [rule], "created_at": created}  # fmt: skip


def write_alert(
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


class OutboxPart(StoreCore):
    """The alerts outbox of the corpus (part of `crawler.store.base.Store`)."""

    def add_alert(
        self, key: str, rules: list[str], payload: dict[str, Any], *, portal: str | None = None
    ) -> bool:
        """An alert of no document version (a health alert, a test alert); once per key."""
        with self.transaction() as conn:
            return write_alert(conn, key, rules, None, None, portal, payload) > 0

    def add_health_alert(self, key: str, portal: str, payload: dict[str, Any]) -> bool:
        """A health alert (a portal blocked or failing); once per key."""
        body = {"portal": portal, **payload, "rule": "health"}
        return self.add_alert(key, ["health"], body, portal=portal)

    def pending_alerts(
        self, sink: str, limit: int = 1000, after: int = 0, only: list[int] | None = None
    ) -> list[dict[str, Any]]:
        """Alerts this sink has not delivered yet (of `only` these), oldest first (from alert id
        `after` on)."""
        among = f"AND a.id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        rows = self.conn.execute(
            f"SELECT {ALERT_COLUMNS}, COALESCE(d.attempts, 0) FROM alerts a "
            "LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            f"WHERE (d.status IS NULL OR d.status != 'delivered') AND a.id > ? {among} "
            "ORDER BY a.id LIMIT ?",
            (sink, after, *(only or []), limit),
        )
        return [{**alert_row(row[:-1]), "attempts": row[-1]} for row in rows]

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
            clauses.append(f"(a.rule = ? OR {self.rules_have('a.rules')})")
            params += [rule, rule]
        if since:
            clauses.append("a.created_at >= ?")
            params.append(since)
        if ids is not None:
            clauses.append(f"a.id IN ({', '.join('?' for _ in ids)})")
            params += ids
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            f"SELECT {ALERT_COLUMNS} FROM alerts a {where} ORDER BY a.id DESC LIMIT ?",
            (*params, limit),
        )
        return [alert_row(row) for row in rows]

    def alerted_documents(self) -> set[str]:
        """The documents some alert was written for."""
        rows = self.conn.execute(
            "SELECT DISTINCT document_id FROM alerts WHERE document_id IS NOT NULL"
        )
        return {str(row[0]) for row in rows}

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
