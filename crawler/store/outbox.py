"""The alerts outbox: alerts written with the version (or the health state) that caused them,
and their delivery to each sink — pending, claimed by one deliverer, delivered or failed.

A sink may take only some alerts (`Route`: some rules, or some kinds — health or document);
the others are no delivery of that sink's at all: never claimed, sent or counted as pending.

Two deliverers at once (a `govwatch run` beside `govwatch schedule`, or two runs) never send an
alert twice: each delivery is claimed before it is sent. Here a claim is a lease written on the
delivery's row in one short transaction (`claimed_by`, `claimed_until`): other deliverers skip
it while it lasts, nothing is locked while the alert is sent, and a deliverer that died leaves
a claim that expires (at once when it ran on this machine and its process is gone), so only the
alert in flight is sent again, under the same Idempotency-Key. PostgreSQL claims with row locks
instead (`crawler.store.postgres`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from crawler.clock import now
from crawler.store.core import Connection, StoreCore

ALERT_COLUMNS = "a.id, a.key, a.rule, a.rules, a.created_at, a.portal, a.payload"
#: How long a claim holds when its deliverer cannot be seen to have died: longer than any one
#: send with its retries (a webhook: 4 tries of 10 s and 7 s of backoff).
LEASE_SECONDS = 600.0
#: The kinds of alert a sink may take: health alerts (rule `health`: a portal blocked, failing,
#: silent…) and the documents that matched a watch rule.
ALERT_KINDS = ("health", "document")


@dataclass(frozen=True)
class Route:
    """Which alerts a sink takes: those naming one of `rules`, or of one of `kinds`; both empty:
    every alert."""

    rules: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.rules and not self.kinds

    def takes(self, alert: dict[str, Any]) -> bool:
        """Whether the sink takes this alert (what `OutboxPart.route_sql` says in SQL)."""
        if self.everything:
            return True
        names = set(alert.get("rules") or [alert.get("rule")])
        kind = "health" if alert.get("rule") == "health" else "document"
        return bool(names & set(self.rules)) or kind in self.kinds


def claimant() -> str:
    """Who claims deliveries: this machine, this process, this claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _gone(owner: str) -> bool:
    """A claimant of this machine whose process has ended (its claims are free at once)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def alert_row(row: tuple[Any, ...]) -> dict[str, Any]:
    alert_id, key, rule, rules, created, portal, payload = row
    return {"portal": portal, **json.loads(payload), "id": alert_id, "key": key, "rule": rule,
            "rules": json.loads(rules) if rules else [rule], "created_at": created}  # fmt: skip


def write_alert(
    conn: Connection, key: str, rules: list[str], identity: str | None,
    version: int | None, portal: str | None, payload: dict[str, Any],
) -> int:  # fmt: skip
    """An alert in the outbox, once per key: 1 written, 0 (its key was there already). Read
    back with RETURNING rather than the row count, which a pipelined connection (PostgreSQL's
    `save`) knows only once it syncs."""
    cursor = conn.execute(
        "INSERT INTO alerts (key, rule, rules, document_id, version, portal, created_at, "
        "payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        (key, rules[0], json.dumps(rules, ensure_ascii=False), identity, version, portal,
         now(), json.dumps({**payload, "key": key}, ensure_ascii=False)),
    )  # fmt: skip
    return 0 if cursor.fetchone() is None else 1


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

    def route_sql(self, route: Route | None) -> tuple[str, list[Any]]:
        """`AND …` keeping the alerts (`a`) a route takes ('' for every alert)."""
        if route is None or route.everything:
            return "", []
        clauses: list[str] = []
        params: list[Any] = []
        for rule in route.rules:
            clauses.append(f"(a.rule = ? OR {self.rules_have('a.rules')})")
            params += [rule, rule]
        if "health" in route.kinds:
            clauses.append("a.rule = 'health'")
        if "document" in route.kinds:
            clauses.append("a.rule != 'health'")
        return f"AND ({' OR '.join(clauses)})", params

    def pending_alerts(
        self, sink: str, limit: int = 1000, after: int = 0, only: list[int] | None = None,
        route: Route | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Alerts this sink takes and has not delivered yet (of `only` these), oldest first
        (from alert id `after` on)."""
        among = f"AND a.id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        routed, params = self.route_sql(route)
        rows = self.conn.execute(
            f"SELECT {ALERT_COLUMNS}, COALESCE(d.attempts, 0) FROM alerts a "
            "LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            f"WHERE (d.status IS NULL OR d.status != 'delivered') AND a.id > ? {among} {routed} "
            "ORDER BY a.id LIMIT ?",
            (sink, after, *(only or []), *params, limit),
        )
        return [{**alert_row(row[:-1]), "attempts": row[-1]} for row in rows]

    def pending_count(self, sink: str, route: Route | None = None) -> int:
        """How many alerts this sink takes and has not delivered yet."""
        routed, params = self.route_sql(route)
        row = self.conn.execute(
            "SELECT COUNT(*) FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id AND d.sink = ? "
            f"WHERE (d.status IS NULL OR d.status != 'delivered') {routed}",
            (sink, *params),
        ).fetchone()
        return int(row[0])

    def count_alerts(self, rule: str | None = None, *, since: str | None = None) -> int:
        """How many alerts there are (of a rule, created since a time): `alerts`' total."""
        clauses, params = _alert_filters(self, rule, since)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return int(
            self.conn.execute(f"SELECT COUNT(*) FROM alerts a {where}", params).fetchone()[0]
        )

    def alerts(
        self, rule: str | None = None, limit: int = 100, *, since: str | None = None,
        ids: list[int] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The latest alerts (of a rule, created since a time, or these), newest first."""
        clauses, params = _alert_filters(self, rule, since)
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

    def open_deliveries(
        self, sink: str, only: list[int] | None = None, route: Route | None = None
    ) -> None:
        """A 'pending' delivery row for each alert the sink takes and has none for yet: the
        rows deliverers claim. Its own short transaction."""
        among = f"AND a.id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        routed, params = self.route_sql(route)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (alert_id, sink, status, attempts, last_error, updated_at) "
                f"SELECT a.id, ?, 'pending', 0, NULL, ? FROM alerts a WHERE TRUE {among} {routed} "
                "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.sink = ?) "
                "ON CONFLICT (alert_id, sink) DO NOTHING",
                (sink, now(), *(only or []), *params, sink),
            )

    @contextmanager
    def claim_pending(
        self, sink: str, *, limit: int, after: int = 0, only: list[int] | None = None,
        route: Route | None = None,
    ) -> Iterator[list[dict[str, Any]]]:  # fmt: skip
        """The next alerts this sink takes and has not delivered (oldest first, from alert id
        `after` on), claimed for this deliverer until the block ends; record each delivery
        inside it. Rows another deliverer holds are skipped; claims left unrecorded when the
        block ends by an exception are given back."""
        owner = claimant()
        ids = self._claim(sink, owner, limit, after, only, route)
        try:
            yield self.pending_alerts(sink, len(ids), 0, ids) if ids else []
        except BaseException:
            with contextlib.suppress(Exception):  # else the claim expires on its own
                self._unclaim(sink, owner, ids)
            raise

    def _claim(
        self, sink: str, owner: str, limit: int, after: int, only: list[int] | None,
        route: Route | None,
    ) -> list[int]:  # fmt: skip
        """Claim up to `limit` delivery rows in one short transaction (on SQLite BEGIN IMMEDIATE:
        no other deliverer reads between the choice and the claim). Leases run on the real
        clock, never $GOVWATCH_NOW."""
        among = f"AND d.alert_id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        routed, params = self.route_sql(route)
        moment = time.time()
        with self.transaction() as conn:
            holders = [str(row[0]) for row in conn.execute(
                "SELECT DISTINCT claimed_by FROM deliveries WHERE sink = ? AND claimed_until >= ?",
                (sink, moment))]  # fmt: skip
            dead = [holder for holder in holders if _gone(holder)]
            freed = f"OR d.claimed_by IN ({', '.join('?' for _ in dead)})" if dead else ""
            rows = conn.execute(
                "SELECT d.alert_id FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
                "WHERE d.sink = ? AND d.status != 'delivered' AND d.alert_id > ? "
                f"AND (d.claimed_until IS NULL OR d.claimed_until < ? {freed}) {among} {routed} "
                "ORDER BY d.alert_id LIMIT ?",
                (sink, after, moment, *dead, *(only or []), *params, limit),
            ).fetchall()
            ids = [int(row[0]) for row in rows]
            if ids:
                conn.execute(
                    "UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE sink = ? "
                    f"AND alert_id IN ({', '.join('?' for _ in ids)})",
                    (owner, moment + LEASE_SECONDS, sink, *ids),
                )
        return ids

    def _unclaim(self, sink: str, owner: str, ids: list[int]) -> None:
        if not ids:
            return
        with self.transaction() as conn:
            conn.execute(
                "UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE sink = ? "
                f"AND claimed_by = ? AND alert_id IN ({', '.join('?' for _ in ids)})",
                (sink, owner, *ids),
            )

    def record_delivery(self, alert_id: int, sink: str, ok: bool, error: str | None = None) -> None:
        """A delivery tried: delivered or failed, its claim given up. A delivery another
        deliverer recorded as delivered stays so (a claim that outlived its lease)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (alert_id, sink, status, attempts, last_error, updated_at) "
                "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (alert_id, sink) DO UPDATE SET "
                "status = CASE WHEN deliveries.status = 'delivered' THEN 'delivered' "
                "ELSE excluded.status END, attempts = deliveries.attempts + 1, "
                "last_error = excluded.last_error, updated_at = excluded.updated_at, "
                "claimed_by = NULL, claimed_until = NULL",
                (alert_id, sink, "delivered" if ok else "failed", error, now()),
            )


def _alert_filters(
    store: OutboxPart, rule: str | None, since: str | None
) -> tuple[list[str], list[Any]]:
    """SQL conditions on alerts (`a`): of a rule, created since a time."""
    clauses: list[str] = []
    params: list[Any] = []
    if rule:
        clauses.append(f"(a.rule = ? OR {store.rules_have('a.rules')})")
        params += [rule, rule]
    if since:
        clauses.append("a.created_at >= ?")
        params.append(since)
    return clauses, params
