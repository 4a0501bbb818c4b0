"""Crawls on Scrapyd nodes: where crawls run when portals answer only from some networks.

A node is a Scrapyd daemon (govwatch installed beside it, `node_files` for its configuration)
with tags saying where it stands (`cn`: inside China). The corpus keeps the nodes and, per
portal, a **lease** (`crawler.store.nodes`): the node crawling it, the Scrapyd job, and when
the lease expires. So no two nodes crawl one portal at once; a node that dies, or a job that
stalls, stops renewing its lease, and once it expires the portal goes to another node.

Pure parts (`choose`) take plain data; HTTP to Scrapyd (`crawler.run.nodes.scrapyd`) stays at
the edge, replaceable in tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crawler.clock import utcnow
from crawler.portals.origins import served_origins
from crawler.run.crawl import REPLICA_SETTINGS
from crawler.run.nodes.job import LEASE_SECONDS
from crawler.run.nodes.scrapyd import NodeError, cancel_job, node_status, schedule_job
from crawler.store import RunStats, Store, open_store
from crawler.store.nodes import Node, iso


def choose(
    need: tuple[str, ...], nodes: list[Node], statuses: dict[str, dict[str, Any]]
) -> Node | None:
    """The healthy node carrying every tag the portal needs, least busy first (then by URL)."""
    fit = [
        node for node in nodes
        if set(need) <= set(node.tags) and statuses.get(node.url, {}).get("status") == "ok"
    ]  # fmt: skip
    if not fit:
        return None
    return min(
        fit,
        key=lambda n: (
            len(statuses[n.url].get("running", [])) + statuses[n.url].get("pending", 0),
            n.url,
        ),
    )


@dataclass
class Dispatched:
    portal: str
    node: str | None = None
    job: str | None = None
    reason: str = ""


def dispatch(
    store: Store, portals: list[tuple[str, str, tuple[str, ...]]], holder: str, db: str,
    lease_seconds: float, statuses: dict[str, dict[str, Any]],
    schedule: Callable[[str, str, str, dict[str, str]], str] = schedule_job,
    now: dt.datetime | None = None, settings: dict[str, str] | None = None,
    full: frozenset[str] = frozenset(),
) -> list[Dispatched]:  # fmt: skip
    """Each due portal (name, spider, tags needed) to a node that fits, under its lease; a portal
    whose lease another holds, or with no fitting healthy node, waits (said why)."""
    nodes = store.nodes()
    results = []
    for portal, spider, need in portals:
        node = choose(need, nodes, statuses)
        if node is None:
            results.append(
                Dispatched(portal, reason=f"no healthy node tagged {list(need) or 'any'}")
            )
            continue
        before = store.lease_run(portal)
        if not store.acquire_lease(portal, node.url, holder, lease_seconds, now):
            results.append(Dispatched(portal, reason="leased: a node crawls it now"))
            continue
        if before:  # an expired lease: its crawl died with its node
            _interrupted(store, before)
        run_id = store.start_run([portal], portal in full)
        try:
            extra = {"GOVWATCH_DB": db, "GOVWATCH_RUN_ID": str(run_id), "GOVWATCH_NODE_RUN": "1",
                     "GOVWATCH_LEASE_HOLDER": holder, "GOVWATCH_LEASE_SECONDS": str(lease_seconds)}  # fmt: skip
            if portal in full:
                extra["GOVWATCH_FULL"] = "1"
            job = schedule(node.url, spider, portal, {**(settings or {}), **extra})
        except NodeError as error:
            store.release_lease(portal, holder)
            store.finish_run(run_id, RunStats(errors=1), 0.0, "failed")
            results.append(Dispatched(portal, node.url, reason=str(error)))
            continue
        store.renew_lease(portal, holder, lease_seconds, now, job=job, run_id=run_id)
        statuses[node.url].setdefault("running", []).append(job)
        results.append(Dispatched(portal, node.url, job))
    return results


def reconcile(
    store: Store, holder: str, lease_seconds: float, statuses: dict[str, dict[str, Any]],
    now: dt.datetime | None = None,
) -> dict[str, str]:  # fmt: skip
    """Per leased portal: a job still running renews its lease; a finished one releases it; a
    node that is down renews nothing, so the lease expires and the portal goes elsewhere."""
    outcome = {}
    for lease in store.leases():
        if lease["holder"] != holder:
            continue
        state = statuses.get(lease["node"], {"status": "down"})
        if state.get("status") != "ok":
            outcome[lease["portal"]] = "node down: lease left to expire"
        elif lease["job"] in state.get("finished", []):
            if lease["run_id"]:
                _finish_run(store, int(lease["run_id"]))
            store.release_lease(lease["portal"], holder)
            outcome[lease["portal"]] = "finished"
        elif lease["job"] in state.get("running", []) or state.get("pending"):
            store.renew_lease(lease["portal"], holder, lease_seconds, now)
            outcome[lease["portal"]] = "running"
        else:
            outcome[lease["portal"]] = "job unknown to its node: lease left to expire"
    return outcome


def _interrupted(store: Store, run_id: int) -> None:
    """A run whose node died mid-crawl: recorded as interrupted (what it stored stays)."""
    run = store.run(run_id)
    if run and run["status"] == "running":
        store.finish_run(run_id, RunStats(), 0.0, "interrupted")


def crawl_round(
    store: Store, db: str, portals: dict[str, tuple[str, tuple[str, ...]]], holder: str,
    lease_seconds: float, settings: dict[str, str], timeout: float,
    full: frozenset[str] = frozenset(), on_poll: Callable[[dict[str, dict[str, Any]]], None] | None = None,
    say: Callable[[str], None] = lambda text: None, stop: Callable[[], bool] = lambda: False,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Crawl every portal once on the nodes, in parallel, each under its lease; a portal whose
    node dies goes to another once its lease expires. portal → its summary (run, status,
    documents, the node that finished it); portals not finished within `timeout` → an error;
    once `stop()` (SIGTERM to the scheduler), the jobs running are cancelled and the portals
    not finished → interrupted."""
    pending = dict(portals)
    done: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while pending:
        if stop():
            stopped = cancel_held(store, holder)
            for portal in pending:
                done[portal] = {"portal": portal, "status": "interrupted",
                                "error": "stopped with the scheduler" + (
                                    " (its job cancelled)" if portal in stopped else "")}  # fmt: skip
            break
        statuses = {node.url: node_status(node.url, 2) for node in store.nodes()}
        held = {lease["portal"]: lease for lease in store.leases()}
        for portal, outcome in reconcile(store, holder, lease_seconds, statuses).items():
            if outcome == "finished" and portal in pending:
                done[portal] = _summary(store, held[portal])
                del pending[portal]
        if not pending:
            break
        if time.monotonic() > deadline:
            for portal in pending:
                done[portal] = {"portal": portal, "status": "failed",
                                "error": f"not crawled on any node within {int(timeout)} s"}  # fmt: skip
            break
        # Only portals with no live lease: one a job holds is not asked for again every poll.
        moment = iso(utcnow())
        live = {lease["portal"] for lease in store.leases() if lease["expires_at"] > moment}
        waiting = [(name, spider, tags) for name, (spider, tags) in pending.items()
                   if name not in live]  # fmt: skip
        for sent in dispatch(
            store, waiting, holder, db, lease_seconds, statuses, settings=settings, full=full
        ):
            if sent.job:
                say(f"   {sent.portal} → {sent.node} (job {sent.job[:8]})")
        if on_poll:
            on_poll(statuses)
        time.sleep(0.5)
    return done


def cancel_held(store: Store, holder: str) -> list[str]:
    """The scheduler stops: every job it dispatched is cancelled on its node and its run stored
    as interrupted (what it stored stays). The leases are left to expire, so that no other
    scheduler starts a portal while its cancelled job is still closing. The portals whose job
    was cancelled."""
    cancelled = []
    for lease in store.leases():
        if lease["holder"] != holder:
            continue
        if lease["job"]:
            try:
                if cancel_job(lease["node"], lease["job"]) is not None:
                    cancelled.append(lease["portal"])
            except NodeError:
                pass  # the node is down: its crawl died with it
        if lease["run_id"]:
            _interrupted(store, int(lease["run_id"]))
    return cancelled


def _summary(store: Store, lease: dict[str, Any]) -> dict[str, Any]:
    """A portal's summary from the run its node's job recorded, as a local crawl's."""
    run = store.run(lease["run_id"] or 0) or {}
    portals = json.loads(run.get("stats") or "{}")
    mine = portals.get(lease["portal"], {})
    summary = {"portal": lease["portal"], "run": lease["run_id"], "node": lease["node"],
               "status": mine.get("status") or run.get("status", "failed"),
               "requests": run.get("requests") or 0, "documents_new": run.get("documents_new") or 0,
               "documents_changed": run.get("documents_changed") or 0,
               "documents_gone": run.get("documents_gone") or 0, "errors": run.get("errors") or 0,
               "blocked": json.loads(run.get("blocked") or "[]"), "portals": portals,
               "duration_s": run.get("duration_s") or 0.0}  # fmt: skip
    if run.get("status") == "failed" and not portals:
        summary["error"] = (f"the job ended without recording its run; see its log on {lease['node']} "
                            f"(job {lease['job']})")  # fmt: skip
    elif "error" in mine:
        summary["error"] = mine["error"]
    return summary


def crawl_on_nodes(
    config: Any, profiles: list[Any], full: set[str], stop: Callable[[], bool]
) -> dict[str, dict[str, Any]]:
    """The scheduler's pass on crawl nodes: every chosen portal dispatched to a node whose tags
    fit (in parallel across nodes), waited for, its summary as a local crawl's; `stop()` says
    the scheduler is stopping."""
    holder = f"{socket.gethostname()}:{os.getpid()}"
    portals = {p.name: (p.family, tuple(p.nodes)) for p in profiles}
    with open_store(config.db) as store:
        return crawl_round(store, config.db, portals, holder, LEASE_SECONDS, node_settings(config),
                           config.timeout_seconds, frozenset(full), stop=stop)  # fmt: skip


def has_nodes(db: str) -> bool:
    """Whether crawls go to nodes: some are registered in the corpus."""
    with open_store(db) as store:
        return bool(store.nodes())


def stand_in_settings(url: str, *, polite: bool = False) -> dict[str, str]:
    """What a node's crawl of a stand-in for the portals (the replica at `url`) needs: its
    portals' origins, asked here once (a job reads them from its settings), and no politeness
    delays unless `polite`."""
    settings = {} if polite else {key: str(value) for key, value in REPLICA_SETTINGS.items()}
    settings["GOVWATCH_REPLICA"] = url
    settings["GOVWATCH_ORIGINS"] = json.dumps(served_origins(url))
    return settings


def node_settings(config: Any) -> dict[str, str]:
    """What a node's crawl needs from the config: the replica (delays lifted), rules, profiles
    (paths as the nodes see them)."""
    settings = stand_in_settings(config.replica) if config.replica else {}
    if config.rules:
        settings["GOVWATCH_RULES"] = config.rules
    if config.profiles:
        settings["GOVWATCH_PROFILES"] = config.profiles
    return settings


def _finish_run(store: Store, run_id: int) -> None:
    """A node's job ended without recording its run (it crashed, or its node killed it): the run
    is recorded failed, with what it stored (the job's log on its node tells why)."""
    run = store.run(run_id)
    if run and run["status"] != "running":
        return  # recorded by the job itself (NodeJob)
    new, changed = store.stored_by_run(run_id)
    stats = RunStats(documents_new=new, documents_changed=changed,
                     errors=len(store.run_errors(run_id)) + 1)  # fmt: skip
    store.finish_run(run_id, stats, 0.0, "failed")
