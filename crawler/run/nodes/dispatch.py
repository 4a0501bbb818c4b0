"""Crawls on Scrapyd nodes: where crawls run when portals answer only from some networks.

A node is a Scrapyd daemon (govwatch installed beside it, `node_files` for its configuration)
with tags saying where it stands (`cn`: inside China). The corpus keeps the nodes and, per
portal, a **lease** (`crawler.store.nodes`): the node crawling it, the Scrapyd job, the run, and
when the lease expires. So no two nodes crawl one portal at once; a node that dies, or a job
that stalls, stops renewing its leases, and once they expire its portals go to another node.

Portals go in **batches**: one Scrapyd job (`crawler.run.nodes.batch`) crawls a batch in one
Scrapy process, as a local crawl does, because a process per portal spent its slot starting
Scrapy and then idling under the portal's politeness delays (`plan` sizes the batches from the
nodes' free slots and the portals' politeness). A batch is one run; each portal is recorded in
it as it finishes, and collected then (`reconcile`).

Pure parts (`choose`) take plain data; HTTP to Scrapyd (`crawler.run.nodes.scrapyd`) stays at
the edge, replaceable in tests.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.clock import utcnow
from crawler.portals.origins import served_origins
from crawler.run.crawl import REPLICA_SETTINGS
from crawler.run.nodes.job import LEASE_SECONDS
from crawler.run.nodes.scrapyd import NodeError, cancel_job, node_status, schedule_batch
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


#: Batch jobs a node runs at once, when not told (each a Scrapy process: about a core's work).
NODE_SLOTS = 2
#: Requests per second one Scrapy process sustains, extracting and storing (bench/nodes.py):
#: a batch takes portals until their politeness lets them ask this much together.
PROCESS_RATE = 400.0
#: At most this many portals in one batch: what one process holds in memory stays bounded.
MAX_BATCH = 1000
#: Seconds between two looks at the nodes and the leases while a round runs.
POLL_SECONDS = 1.0


@dataclass
class Dispatched:
    portal: str
    node: str | None = None
    job: str | None = None
    reason: str = ""
    run: int | None = None


@dataclass
class _Batch:
    node: Node
    full: bool | None = None
    portals: list[str] = field(default_factory=list)
    rate: float = 0.0


def plan(
    portals: list[tuple[str, tuple[str, ...], float, bool]], nodes: list[Node],
    statuses: dict[str, dict[str, Any]], slots: int = NODE_SLOTS,
    capacity: float = PROCESS_RATE, most: int = MAX_BATCH,
) -> tuple[list[_Batch], dict[str, str]]:  # fmt: skip
    """Portals (name, tags needed, requests/s its politeness allows, full) into batches, one per
    free slot of the healthy nodes (`slots` a node, less the jobs it runs or queues), as even as
    the tags allow: as many portals a batch as spread them over every free slot, no more than
    one process serves (`capacity` requests/s in all, at most `most` portals). The batches, and
    why each portal left out waits."""
    batches = []
    for node in nodes:
        state = statuses.get(node.url, {})
        if state.get("status") == "ok":
            busy = len(state.get("running", [])) + int(state.get("pending", 0))
            batches += [_Batch(node) for _ in range(max(slots - busy, 0))]
    size = min(math.ceil(len(portals) / max(len(batches), 1)), most)
    waiting = {}
    for name, need, rate, full in portals:
        healthy = [node for node in nodes if set(need) <= set(node.tags)
                   and statuses.get(node.url, {}).get("status") == "ok"]  # fmt: skip
        if not healthy:
            waiting[name] = f"no healthy node tagged {list(need) or 'any'}"
            continue
        fit = [b for b in batches if set(need) <= set(b.node.tags) and len(b.portals) < size
               and (not b.portals or (b.full == full and b.rate + rate <= capacity))]  # fmt: skip
        if not fit:
            waiting[name] = "waiting for a free slot on a node"
            continue
        batch = min(fit, key=lambda b: (len(b.portals), b.node.url))
        batch.portals.append(name)
        batch.full = full
        batch.rate += rate
    return [batch for batch in batches if batch.portals], waiting


def dispatch(
    store: Store, portals: list[tuple[str, str, tuple[str, ...]]], holder: str, db: str,
    lease_seconds: float, statuses: dict[str, dict[str, Any]],
    schedule: Callable[[str, int, dict[str, str]], str] = schedule_batch,
    now: dt.datetime | None = None, settings: dict[str, str] | None = None,
    full: frozenset[str] = frozenset(), rates: dict[str, float] | None = None,
    slots: int = NODE_SLOTS,
) -> list[Dispatched]:  # fmt: skip
    """The due portals (name, spider, tags needed) in batches, a batch a job on a node that fits
    (`plan`), each portal under its own lease and the batch one run; a portal whose lease
    another holds, or with no fitting healthy node or free slot, waits (said why)."""
    moment = iso(now or utcnow())
    live = {lease["portal"] for lease in store.leases() if lease["expires_at"] > moment}
    results = [Dispatched(name, reason="leased: a node crawls it now")
               for name, _spider, _need in portals if name in live]  # fmt: skip
    asked = [(name, need, (rates or {}).get(name, 1.0), name in full)
             for name, _spider, need in portals if name not in live]  # fmt: skip
    batches, waiting = plan(asked, store.nodes(), statuses, slots)
    results += [Dispatched(name, reason=reason) for name, reason in waiting.items()]
    for batch in batches:
        results += _send(store, batch, holder, db, lease_seconds, statuses, schedule, now,
                         settings or {})  # fmt: skip
    return results


def _send(
    store: Store, batch: _Batch, holder: str, db: str, lease_seconds: float,
    statuses: dict[str, dict[str, Any]], schedule: Callable[[str, int, dict[str, str]], str],
    now: dt.datetime | None, settings: dict[str, str],
) -> list[Dispatched]:  # fmt: skip
    """One batch leased, recorded as a run and scheduled on its node."""
    node = batch.node.url
    leased, results = [], []
    for portal in batch.portals:
        before = store.lease_run(portal)
        if not store.acquire_lease(portal, node, holder, lease_seconds, now):
            results.append(Dispatched(portal, reason="leased: a node crawls it now"))
            continue
        if before:  # an expired lease: its crawl died with its node
            _interrupted(store, before)
        leased.append(portal)
    if not leased:
        return results
    run_id = store.start_run(leased, bool(batch.full))
    extra = {"GOVWATCH_DB": db, "GOVWATCH_RUN_ID": str(run_id), "GOVWATCH_NODE_RUN": "1",
             "GOVWATCH_LEASE_HOLDER": holder, "GOVWATCH_LEASE_SECONDS": str(lease_seconds)}  # fmt: skip
    if batch.full:
        extra["GOVWATCH_FULL"] = "1"
    try:
        job = schedule(node, run_id, {**settings, **extra})
    except NodeError as error:
        store.release_leases(leased, holder)
        store.finish_run(run_id, RunStats(errors=1), 0.0, "failed")
        return results + [Dispatched(portal, node, reason=str(error)) for portal in leased]
    store.renew_leases(leased, holder, lease_seconds, now, job=job, run_id=run_id)
    statuses[node].setdefault("running", []).append(job)
    return results + [Dispatched(portal, node, job, run=run_id) for portal in leased]


def reconcile(
    store: Store, holder: str, lease_seconds: float, statuses: dict[str, dict[str, Any]],
    now: dt.datetime | None = None,
) -> dict[str, str]:  # fmt: skip
    """Per leased portal: one its batch has recorded, or whose job ended, is finished (its lease
    released); one whose job still runs or waits keeps its lease (renewed, for jobs not started
    yet); a node that is down renews nothing, so the lease expires and the portal goes
    elsewhere."""
    outcome: dict[str, str] = {}
    jobs: dict[tuple[str, str | None, int | None], list[str]] = {}
    for lease in store.leases():
        if lease["holder"] == holder:
            key = (lease["node"], lease["job"], lease["run_id"])
            jobs.setdefault(key, []).append(lease["portal"])
    finished, running = [], []
    for (node, job, run_id), portals in jobs.items():
        state = statuses.get(node, {"status": "down"})
        recorded = store.recorded_portals(int(run_id)) if run_id else {}
        ended = state.get("status") == "ok" and job in state.get("finished", [])
        if ended and run_id:
            _finish_run(store, int(run_id))
        for portal in portals:
            if portal in recorded or ended:
                finished.append(portal)
                outcome[portal] = "finished"
            elif state.get("status") != "ok":
                outcome[portal] = "node down: lease left to expire"
            elif job in state.get("running", []) or state.get("pending"):
                running.append(portal)
                outcome[portal] = "running"
            else:
                outcome[portal] = "job unknown to its node: lease left to expire"
    store.renew_leases(running, holder, lease_seconds, now)
    store.release_leases(finished, holder)
    return outcome


def _interrupted(store: Store, run_id: int) -> None:
    """A run whose node died mid-crawl: recorded as interrupted, with the portals its batch
    finished before (what it stored stays)."""
    run = store.run(run_id)
    if run and run["status"] == "running":
        store.finish_run(run_id, _recorded_stats(store, run_id), 0.0, "interrupted")


def _recorded_stats(store: Store, run_id: int, errors: int = 0) -> RunStats:
    """What a run's batch recorded of its portals before it ended, as the run's totals."""
    portals = store.recorded_portals(run_id)
    stats = RunStats(portals=portals, errors=errors)
    for portal in portals.values():
        stats.requests += int(portal.get("requests", 0))
        stats.documents_gone += int(portal.get("documents_gone", 0))
        stats.errors += int(portal.get("errors", 0))
        stats.blocked += portal.get("blocked_problems", [])
    stats.documents_new, stats.documents_changed = store.stored_by_run(run_id)
    return stats


def crawl_round(
    store: Store, db: str, portals: dict[str, tuple[str, tuple[str, ...]]], holder: str,
    lease_seconds: float, settings: dict[str, str], timeout: float,
    full: frozenset[str] = frozenset(), on_poll: Callable[[dict[str, dict[str, Any]]], None] | None = None,
    say: Callable[[str], None] = lambda text: None, stop: Callable[[], bool] = lambda: False,
    rates: dict[str, float] | None = None, slots: int = NODE_SLOTS,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Crawl every portal once on the nodes, in batches (a batch a job, many portals in one
    process), each portal under its lease; portals finished are collected as their batch records
    them, and a portal whose node dies goes to another once its lease expires. portal → its
    summary (run, status, documents, the node that finished it); portals not finished within
    `timeout` → an error; once `stop()` (SIGTERM to the scheduler), the jobs running are
    cancelled and the portals not finished → interrupted."""
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
        outcome = reconcile(store, holder, lease_seconds, statuses)
        finished = [p for p, said in outcome.items() if said == "finished" and p in pending]
        done.update(_summaries(store, [held[portal] for portal in finished]))
        for portal in finished:
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
        if waiting:
            sent = dispatch(store, waiting, holder, db, lease_seconds, statuses,
                            settings=settings, full=full, rates=rates, slots=slots)  # fmt: skip
            for (node, job, run), names in _by_job(sent).items():
                say(f"   {len(names)} portal(s) → {node} (job {job[:8]}, run {run})")
        if on_poll:
            on_poll(statuses)
        time.sleep(POLL_SECONDS)
    return done


def _by_job(sent: list[Dispatched]) -> dict[tuple[str, str, int], list[str]]:
    jobs: dict[tuple[str, str, int], list[str]] = {}
    for one in sent:
        if one.job and one.node and one.run:
            jobs.setdefault((one.node, one.job, one.run), []).append(one.portal)
    return jobs


def cancel_held(store: Store, holder: str) -> list[str]:
    """The scheduler stops: every job it dispatched is cancelled on its node and its run stored
    as interrupted (what it stored stays). The leases are left to expire, so that no other
    scheduler starts a portal while its cancelled job is still closing. The portals whose job
    was cancelled."""
    jobs: dict[tuple[str, str | None, int | None], list[str]] = {}
    for lease in store.leases():
        if lease["holder"] == holder:
            jobs.setdefault((lease["node"], lease["job"], lease["run_id"]), []).append(
                lease["portal"]
            )
    cancelled = []
    for (node, job, run_id), portals in jobs.items():
        if job:
            try:
                if cancel_job(node, job) is not None:
                    cancelled += portals
            except NodeError:
                pass  # the node is down: its crawl died with it
        if run_id:
            _interrupted(store, int(run_id))
    return cancelled


def _summaries(store: Store, leases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Finished portals' summaries from the runs their batches recorded (each run read once)."""
    runs: dict[int, dict[str, Any]] = {}
    found = {}
    for lease in leases:
        run_id = int(lease["run_id"] or 0)
        if run_id not in runs:
            runs[run_id] = store.run(run_id) or {}
        found[lease["portal"]] = _summary(store, lease, runs[run_id])
    return found


def _summary(
    store: Store, lease: dict[str, Any], run: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A portal's summary from what its batch recorded of it, as a local crawl's."""
    run = run if run is not None else store.run(lease["run_id"] or 0) or {}
    portals = json.loads(run.get("stats") or "{}")
    mine = portals.get(lease["portal"], {})
    blocked = mine.get("blocked_problems")
    if blocked is None:
        blocked = [problem for problem in json.loads(run.get("blocked") or "[]")
                   if problem.get("portal") in (None, lease["portal"])]  # fmt: skip
    summary = {"portal": lease["portal"], "run": lease["run_id"], "node": lease["node"],
               "status": mine.get("status") or run.get("status", "failed"),
               "requests": mine.get("requests", 0), "documents_new": mine.get("documents_new", 0),
               "documents_changed": mine.get("documents_changed", 0),
               "documents_gone": mine.get("documents_gone", 0), "errors": mine.get("errors", 0),
               "blocked": blocked, "portals": {lease["portal"]: mine} if mine else {},
               "duration_s": mine.get("duration_s", run.get("duration_s") or 0.0)}  # fmt: skip
    if not mine:
        summary["status"] = "failed"
        summary["error"] = (f"the job ended without recording its run; see its log on {lease['node']} "
                            f"(job {lease['job']})")  # fmt: skip
    elif "error" in mine:
        summary["error"] = mine["error"]
    return summary


def crawl_on_nodes(
    config: Any, profiles: list[Any], full: set[str], stop: Callable[[], bool]
) -> dict[str, dict[str, Any]]:
    """The scheduler's pass on crawl nodes: every chosen portal dispatched in batches to nodes
    whose tags fit (in parallel across nodes), waited for, its summary as a local crawl's;
    `stop()` says the scheduler is stopping."""
    holder = f"{socket.gethostname()}:{os.getpid()}"
    portals = {p.name: (p.family, tuple(p.nodes)) for p in profiles}
    with open_store(config.db) as store:
        return crawl_round(store, config.db, portals, holder, LEASE_SECONDS, node_settings(config),
                           config.timeout_seconds, frozenset(full), stop=stop,
                           rates=rates_of(profiles))  # fmt: skip


def rates_of(profiles: list[Any]) -> dict[str, float]:
    """portal → the requests per second its politeness allows at most (each host its
    concurrency per delay): what it adds to a batch's process."""
    return {p.name: len(p.hosts) * p.concurrency / max(p.delay, 0.1) for p in profiles}


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
    """A node's job ended without recording its run's end (it crashed, or its node killed it):
    the run is recorded failed, with the portals its batch recorded and what it stored (the
    job's log on its node tells why)."""
    run = store.run(run_id)
    if run and run["status"] != "running":
        return  # recorded by the job itself (the batch, or NodeJob)
    store.finish_run(run_id, _recorded_stats(store, run_id, len(store.run_errors(run_id)) + 1),
                     0.0, "failed")  # fmt: skip
