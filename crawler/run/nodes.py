"""Crawl nodes on Scrapyd: where crawls run when portals answer only from some networks.

A node is a Scrapyd daemon (`pip install scrapyd`, govwatch installed beside it, its
scrapyd.conf naming `govwatch = crawler.fetch.settings` under `[settings]`) with tags saying where it
stands (`cn`: inside China). The corpus database keeps the nodes and, per portal, a **lease**: the
node crawling it, the Scrapyd job, and when the lease expires. A lease is taken atomically (an
upsert that only replaces an expired one), so no two nodes crawl one portal at once; a node that
dies, or a job that stalls, stops renewing it, and once it expires the portal goes to another
node. The tables are made on first use, on SQLite or PostgreSQL alike.

Pure parts (`choose`) take plain data; HTTP to Scrapyd (`node_status`, `schedule_job`) stays at
the edge, replaceable in tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.store import RunStats, Store, StoreError, utcnow

PROJECT = "govwatch"
#: How long a node's silence is taken for death: a lease not renewed for this long expires.
LEASE_SECONDS = 60.0
TABLES = (
    "CREATE TABLE IF NOT EXISTS nodes (url TEXT PRIMARY KEY, tags TEXT NOT NULL, "
    "added_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS leases (portal TEXT PRIMARY KEY, node TEXT NOT NULL, job TEXT, "
    "run_id INTEGER, holder TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
)


@dataclass(frozen=True)
class Node:
    url: str
    tags: tuple[str, ...] = ()


class NodeError(RuntimeError):
    """A node that cannot be used as asked; the message names it and the fix."""


def ensure_tables(store: Store) -> None:
    """The nodes' and leases' tables, made on first use (once per open store)."""
    if getattr(store, "_nodes_ready", False):
        return
    with store.transaction() as conn:
        store._lock_document(conn, "govwatch:nodes-schema")
        for statement in TABLES:
            conn.execute(statement, ())
    store._nodes_ready = True  # type: ignore[attr-defined]


def normal_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise NodeError(f"{url!r}: a node is a Scrapyd URL, e.g. http://10.0.0.5:6800")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def add_node(store: Store, url: str, tags: list[str]) -> Node:
    ensure_tables(store)
    node = Node(normal_url(url), tuple(sorted(set(tags))))
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO nodes (url, tags, added_at) VALUES (?, ?, ?) ON CONFLICT (url) "
            "DO UPDATE SET tags = excluded.tags",
            (node.url, json.dumps(list(node.tags)), _iso(utcnow())),
        )
    return node


def remove_node(store: Store, url: str) -> bool:
    ensure_tables(store)
    with store.transaction() as conn:
        cursor = conn.execute("DELETE FROM nodes WHERE url = ?", (normal_url(url),))
    return cursor.rowcount > 0


def list_nodes(store: Store) -> list[Node]:
    """The registered nodes; reading makes no table (a read-only corpus may have none)."""
    if not getattr(store, "_nodes_ready", False) and "nodes" not in store.db.table_names():
        return []
    rows = store.conn.execute("SELECT url, tags FROM nodes ORDER BY url", ()).fetchall()
    return [Node(url, tuple(json.loads(tags))) for url, tags in rows]


# Scrapyd over HTTP


def _get(url: str, timeout: float) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        data: dict[str, Any] = json.loads(answer.read().decode())
    return data


def node_status(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """A node's health from daemonstatus.json and its govwatch jobs from listjobs.json:
    {"status": "ok", "running": [...], "pending": n, ...} or {"status": "down", "error": …}."""
    try:
        daemon = _get(f"{url}/daemonstatus.json", timeout)
        jobs = _get(f"{url}/listjobs.json?project={PROJECT}", timeout)
    except (OSError, ValueError, urllib.error.URLError) as error:
        return {"status": "down", "error": " ".join(str(error).split())}
    return {
        "status": daemon.get("status", "?"),
        "node_name": daemon.get("node_name"),
        "running": [job.get("id") for job in jobs.get("running", [])],
        "pending": len(jobs.get("pending", [])),
        "finished": [job.get("id") for job in jobs.get("finished", [])],
    }


def schedule_job(
    url: str, spider: str, portal: str, settings: dict[str, str], timeout: float = 10.0
) -> str:
    """Start a crawl of one portal on a node; the Scrapyd job id."""
    fields = [("project", PROJECT), ("spider", spider), ("portal", portal)]
    fields += [("setting", f"{key}={value}") for key, value in settings.items()]
    request = urllib.request.Request(
        f"{url}/schedule.json", data=urllib.parse.urlencode(fields).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            reply = json.loads(answer.read().decode())
    except (OSError, ValueError) as error:
        raise NodeError(f"{url}: cannot schedule {portal}: {error}") from None
    if reply.get("status") != "ok":
        raise NodeError(f"{url}: refused {portal}: {reply.get('message', reply)}")
    return str(reply["jobid"])


# Choosing and leasing


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


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def acquire_lease(
    store: Store,
    portal: str,
    node: str,
    holder: str,
    seconds: float,
    now: dt.datetime | None = None,
) -> bool:
    """Take the portal's lease for `node` unless a live one is held: atomic on both backends."""
    ensure_tables(store)
    moment = now or utcnow()
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO leases (portal, node, job, run_id, holder, acquired_at, expires_at) "
            "VALUES (?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT (portal) DO UPDATE SET node = excluded.node, "
            "job = NULL, run_id = NULL, holder = excluded.holder, acquired_at = excluded.acquired_at, "
            "expires_at = excluded.expires_at WHERE leases.expires_at <= excluded.acquired_at",
            (portal, node, holder, _iso(moment), _iso(moment + dt.timedelta(seconds=seconds))),
        )
    return cursor.rowcount > 0


def renew_lease(
    store: Store, portal: str, holder: str, seconds: float, now: dt.datetime | None = None,
    job: str | None = None, run_id: int | None = None,
) -> bool:  # fmt: skip
    """Extend a lease this holder still has (and note its job); False when it was lost."""
    moment = now or utcnow()
    with store.transaction() as conn:
        cursor = conn.execute(
            "UPDATE leases SET expires_at = ?, job = COALESCE(?, job), run_id = COALESCE(?, run_id) "
            "WHERE portal = ? AND holder = ? AND expires_at > ?",
            (
                _iso(moment + dt.timedelta(seconds=seconds)),
                job,
                run_id,
                portal,
                holder,
                _iso(moment),
            ),
        )
    return cursor.rowcount > 0


def cancel_job(url: str, job: str, timeout: float = 10.0) -> str | None:
    """Ask a node to stop a job (Scrapyd sends it SIGINT: Scrapy closes the crawl cleanly); its
    state before ("running", "pending"; None when the node knew no such job)."""
    request = urllib.request.Request(
        f"{url}/cancel.json", data=urllib.parse.urlencode({"project": PROJECT, "job": job}).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            reply = json.loads(answer.read().decode())
    except (OSError, ValueError) as error:
        raise NodeError(f"{url}: cannot cancel job {job}: {error}") from None
    state = reply.get("prevstate")
    return None if state is None else str(state)


def release_lease(store: Store, portal: str, holder: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM leases WHERE portal = ? AND holder = ?", (portal, holder))


def leases(store: Store) -> list[dict[str, Any]]:
    ensure_tables(store)
    return list(store.db.query("SELECT * FROM leases ORDER BY portal"))


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
    nodes = list_nodes(store)
    results = []
    for portal, spider, need in portals:
        node = choose(need, nodes, statuses)
        if node is None:
            results.append(
                Dispatched(portal, reason=f"no healthy node tagged {list(need) or 'any'}")
            )
            continue
        before = store.conn.execute(
            "SELECT run_id FROM leases WHERE portal = ?", (portal,)
        ).fetchone()
        if not acquire_lease(store, portal, node.url, holder, lease_seconds, now):
            results.append(Dispatched(portal, reason="leased: a node crawls it now"))
            continue
        if before and before[0]:  # an expired lease: its crawl died with its node
            _interrupted(store, int(before[0]))
        run_id = store.start_run([portal], portal in full)
        try:
            extra = {"GOVWATCH_DB": db, "GOVWATCH_RUN_ID": str(run_id), "GOVWATCH_NODE_RUN": "1",
                     "GOVWATCH_LEASE_HOLDER": holder, "GOVWATCH_LEASE_SECONDS": str(lease_seconds)}  # fmt: skip
            if portal in full:
                extra["GOVWATCH_FULL"] = "1"
            job = schedule(node.url, spider, portal, {**(settings or {}), **extra})
        except NodeError as error:
            release_lease(store, portal, holder)
            store.finish_run(run_id, RunStats(errors=1), 0.0, "failed")
            results.append(Dispatched(portal, node.url, reason=str(error)))
            continue
        renew_lease(store, portal, holder, lease_seconds, now, job=job, run_id=run_id)
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
    for lease in leases(store):
        if lease["holder"] != holder:
            continue
        state = statuses.get(lease["node"], {"status": "down"})
        if state.get("status") != "ok":
            outcome[lease["portal"]] = "node down: lease left to expire"
        elif lease["job"] in state.get("finished", []):
            if lease["run_id"]:
                _finish_run(store, int(lease["run_id"]))
            release_lease(store, lease["portal"], holder)
            outcome[lease["portal"]] = "finished"
        elif lease["job"] in state.get("running", []) or state.get("pending"):
            renew_lease(store, lease["portal"], holder, lease_seconds, now)
            outcome[lease["portal"]] = "running"
        else:
            outcome[lease["portal"]] = "job unknown to its node: lease left to expire"
    return outcome


def _interrupted(store: Store, run_id: int) -> None:
    """A run whose node died mid-crawl: recorded as interrupted (what it stored stays)."""
    row = store.conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row and row[0] == "running":
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
        statuses = {node.url: node_status(node.url, 2) for node in list_nodes(store)}
        held = {lease["portal"]: lease for lease in leases(store)}
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
        moment = _iso(utcnow())
        live = {lease["portal"] for lease in leases(store) if lease["expires_at"] > moment}
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
    for lease in leases(store):
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
    rows = list(store.db.query("SELECT * FROM runs WHERE id = ?", [lease["run_id"] or 0]))
    run = rows[0] if rows else {}
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


def crawl_on_nodes(config: Any, profiles: list[Any], full: set[str]) -> dict[str, dict[str, Any]]:
    """The scheduler's pass on crawl nodes: every chosen portal dispatched to a node whose tags
    fit (in parallel across nodes), waited for, its summary as a local crawl's."""
    import socket

    from crawler.run.schedule import stopping

    holder = f"{socket.gethostname()}:{os.getpid()}"
    portals = {p.name: (p.family, tuple(p.nodes)) for p in profiles}
    with Store(config.db) as store:
        return crawl_round(store, config.db, portals, holder, LEASE_SECONDS, node_settings(config),
                           config.timeout_seconds, frozenset(full), stop=stopping.is_set)  # fmt: skip


def has_nodes(db: str) -> bool:
    """Whether crawls go to nodes: some are registered in the corpus."""
    with Store(db) as store:
        return bool(list_nodes(store))


def node_settings(config: Any) -> dict[str, str]:
    """What a node's crawl needs from the config: the replica (delays lifted), rules, profiles
    (paths as the nodes see them)."""
    settings: dict[str, str] = {}
    if config.replica:
        from crawler.run.crawl import REPLICA_SETTINGS

        settings.update({key: str(value) for key, value in REPLICA_SETTINGS.items()})
        settings["GOVWATCH_REPLICA"] = config.replica
    if config.rules:
        settings["GOVWATCH_RULES"] = config.rules
    if config.profiles:
        settings["GOVWATCH_PROFILES"] = config.profiles
    return settings


class NodeJob:
    """A Scrapy extension, on for a node's job (`GOVWATCH_NODE_RUN`). While the crawl runs it
    keeps its portal's lease (renewed every third of the lease): the lease lives as long as the
    crawl, not as long as the scheduler that dispatched it, so a scheduler taking over never
    starts a portal still being crawled — and a job that finds its lease taken (its node was cut
    off for longer than the lease) stops, so no two nodes crawl one portal. When the crawl closes
    it records its run as `govwatch crawl` does — status (done, blocked, failed, interrupted),
    requests, documents, errors, blocked columns, defences — so the scheduler raises the same
    health alerts for a portal crawled on a node as for one crawled here."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db = str(settings.get("GOVWATCH_DB"))
        self.holder = settings.get("GOVWATCH_LEASE_HOLDER")
        self.seconds = settings.getfloat("GOVWATCH_LEASE_SECONDS", LEASE_SECONDS)
        self.renewing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> NodeJob:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("GOVWATCH_NODE_RUN"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        from twisted.internet import task

        if self.holder:
            self.renewing = task.LoopingCall(self.keep, spider)
            self.renewing.start(self.seconds / 3, now=False)

    def keep(self, spider: Any) -> None:
        """Renew the lease; close the crawl when it was lost."""
        try:
            store = Store.shared(self.db)  # the crawl's own connection, not one more each time
            try:
                kept = renew_lease(store, spider.profile.name, self.holder, self.seconds)
            finally:
                store.release()
        except StoreError as error:  # the database is out of reach: the lease may expire
            spider.logger.warning(f"cannot renew the lease of {spider.profile.name}: {error}")
            return
        if not kept:
            spider.logger.error(f"{spider.profile.name}: lease lost to another node; stopping")
            self.crawler.engine.close_spider(spider, "lease_lost")

    def closed(self, spider: Any, reason: str) -> None:
        from crawler.run.crawl import add_portal, stored_status

        if self.renewing is not None and self.renewing.running:
            self.renewing.stop()
        run_id = self.crawler.settings.getint("GOVWATCH_RUN_ID")
        values = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        stats = RunStats()
        portal = add_portal(stats, spider.profile.name, values, None, False)
        begun = values.get("start_time")
        duration = (
            (dt.datetime.now(dt.UTC) - begun).total_seconds()
            if isinstance(begun, dt.datetime)
            else 0.0
        )
        with Store(self.db) as store:
            store.finish_run(run_id, stats, duration, stored_status(portal["status"]))


def _finish_run(store: Store, run_id: int) -> None:
    """A node's job ended without recording its run (it crashed, or its node killed it): the run
    is recorded failed, with what it stored (the job's log on its node tells why)."""
    status = store.conn.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
    if status and status[0] != "running":
        return  # recorded by the job itself (NodeJob)
    row = store.conn.execute(
        "SELECT SUM(CASE WHEN version = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN version > 1 THEN 1 "
        "ELSE 0 END), (SELECT COUNT(*) FROM run_errors WHERE run_id = ?) FROM versions WHERE run_id = ?",
        (run_id, run_id),
    ).fetchone()
    stats = RunStats(documents_new=int(row[0] or 0), documents_changed=int(row[1] or 0),
                     errors=int(row[2] or 0))  # fmt: skip
    stats.errors += 1
    store.finish_run(run_id, stats, 0.0, "failed")


def run_nodes(db: str, action: str | None, url: str | None, tags: list[str]) -> int:
    """`govwatch nodes [add URL --tag T | remove URL]`: the nodes, their health and jobs."""
    try:
        with Store(db) as store:
            if action == "add" and url:
                node = add_node(store, url, tags)
                print(f"added {node.url} tags {', '.join(node.tags) or '(none)'}")
            elif action == "remove" and url:
                if not remove_node(store, url):
                    print(f"govwatch nodes: no node {url}", file=sys.stderr)
                    return 2
                print(f"removed {normal_url(url)}")
            nodes = list_nodes(store)
            held: dict[str, list[str]] = {}
            for lease in leases(store):
                held.setdefault(lease["node"], []).append(lease["portal"])
    except (StoreError, NodeError) as error:
        print(f"govwatch nodes: {error}", file=sys.stderr)
        return 2
    if not nodes:
        print("no crawl nodes; add one: govwatch nodes add http://HOST:6800 --tag cn")
        return 0
    unhealthy = 0
    for node in nodes:
        state = node_status(node.url)
        unhealthy += state["status"] != "ok"
        detail = (f"{len(state['running'])} running, {state['pending']} pending"
                  if state["status"] == "ok" else state.get("error", ""))  # fmt: skip
        crawling = f", crawling {', '.join(held[node.url])}" if node.url in held else ""
        print(f"{node.url:32} [{', '.join(node.tags)}] {state['status']}: {detail}{crawling}")
    return 1 if unhealthy else 0


def node_files(directory: Path, port: int, host: str = "127.0.0.1") -> None:
    """What a node needs beside govwatch: scrapyd.conf (where it listens, where it keeps jobs)
    and scrapy.cfg naming govwatch's settings as the `govwatch` project. Scrapyd reads both from
    the directory it starts in. Each portal is one job of its family's spider, so Scrapyd's
    defaults (the last 100 finished jobs, 5 logs per spider) would forget a pass's jobs and the
    logs of all but a few portals: the node keeps 5000 of each."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = {host}\nhttp_port = {port}\neggs_dir = {directory / 'eggs'}\n"
        f"logs_dir = {directory / 'logs'}\nitems_dir =\ndbs_dir = {directory / 'dbs'}\n"
        "max_proc = 4\npoll_interval = 0.5\nfinished_to_keep = 5000\njobs_to_keep = 5000\n\n"
        "[settings]\ngovwatch = crawler.fetch.settings\n",
        encoding="utf-8",
    )
    (directory / "scrapy.cfg").write_text(
        "[settings]\ndefault = crawler.fetch.settings\ngovwatch = crawler.fetch.settings\n",
        encoding="utf-8",
    )


def start_node(directory: Path, port: int) -> subprocess.Popen[bytes]:
    """A Scrapyd node on loopback (for tests and `govwatch cluster demo`); wait until it answers."""
    node_files(directory, port)
    scrapyd = Path(sys.executable).parent / "scrapyd"
    if not scrapyd.exists():
        raise NodeError("scrapyd is not installed: pip install scrapyd")
    log = (directory / "scrapyd.log").open("wb")
    # A session of its own: killing the node (os.killpg) ends its crawls too, as a machine's death would.
    process = subprocess.Popen([str(scrapyd)], cwd=directory, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while node_status(f"http://127.0.0.1:{port}", 1)["status"] != "ok":
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise NodeError(
                f"scrapyd did not start on port {port}; see {directory / 'scrapyd.log'}"
            )
        time.sleep(0.2)
    return process
