"""`govwatch cluster demo` (`make cluster-demo`): the scaled-out setup, on one machine, throwaway.

A PostgreSQL cluster (initdb into a temporary directory, a unix socket only), two Scrapyd crawl
nodes on loopback, the replica. Every portal is crawled on the nodes under per-portal leases (the
baseline), time passes, every portal is crawled again — and mid-crawl one node is killed with
kill -9 (its whole process group: the daemon and its crawls). Its leases expire, its portals go
to the other node, and in the end the corpus equals the replica's truth. Three deliverers then
deliver the alerts at once; each alert reaches the sink once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from crawler.items import DOCUMENT_KEYS
from crawler.portals.profiles import load_profiles
from crawler.run.nodes.dispatch import crawl_round, stand_in_settings
from crawler.run.nodes.scrapyd import start_node
from crawler.store import Store, open_store
from replica.app import Replica
from replica.client import set_day
from replica.corpus import day_number
from replica.pgcluster import TempCluster
from replica.ports import free_port_block

BEFORE, AFTER = "2023-10-30", "2023-11-06"
LEASE_SECONDS = 6.0
HOLDER = "cluster-demo"


class _Witness:
    """A sink that keeps every alert it receives, repeats included: the proof of 'once'."""

    name = "witness"
    batch = False

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        time.sleep(0.002)
        with self.lock:
            self.keys.extend(alert["key"] for alert in alerts)


def _crawl_round(
    store: Store, db: str, portals: dict[str, tuple[str, tuple[str, ...]]],
    settings: dict[str, str], say: Any, victim: subprocess.Popen[bytes] | None = None,
    victim_url: str = "", timeout: float = 600,
) -> dict[str, str]:  # fmt: skip
    """Crawl every portal once on the nodes (nodes.crawl_round, as the scheduler does); kill
    `victim` once it runs a crawl. portal → the node that finished it."""
    killed = victim is None

    def poll(statuses: dict[str, dict[str, Any]]) -> None:
        nonlocal killed
        if killed or victim is None or not statuses.get(victim_url, {}).get("running"):
            return
        time.sleep(1.0)  # well into its crawls
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        killed = True
        lost = sorted(lease["portal"] for lease in store.leases() if lease["node"] == victim_url)
        say(f"   kill -9 {victim_url} mid-crawl (it was crawling {', '.join(lost) or 'nothing'}); "
            f"its leases expire in {LEASE_SECONDS:.0f} s and its portals go elsewhere")  # fmt: skip

    done = crawl_round(
        store, db, portals, HOLDER, LEASE_SECONDS, settings, timeout, on_poll=poll, say=say
    )
    failed = {
        portal: summary.get("error") for portal, summary in done.items() if "node" not in summary
    }
    if failed:
        raise RuntimeError(f"portals not crawled: {failed}")
    return {portal: str(summary["node"]) for portal, summary in done.items()}


def run_cluster_demo(docs: int = 60, out: Any = None) -> dict[str, Any]:
    """Run the demo; what happened (for tests). Raises if the corpus or the alerts are wrong."""
    out = out or sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    nodes: list[subprocess.Popen[bytes]] = []
    replica: subprocess.Popen[str] | None = None
    # The nodes' directories go with the demo, whatever happens (the nodes are dead by then).
    scratch = tempfile.TemporaryDirectory(prefix="govwatch-cluster-", ignore_cleanup_errors=True)
    with scratch as work_dir, TempCluster() as cluster:
        work = Path(work_dir)
        try:
            db = cluster.create_database("govwatch")
            say(f"1. PostgreSQL: a throwaway cluster, the corpus at {db}")
            replica = subprocess.Popen(
                [sys.executable, "-m", "crawler", "replica", "serve", "--docs", str(docs), "--day",
                 BEFORE, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )  # fmt: skip
            assert replica.stdout is not None
            sites = json.loads(replica.stdout.readline())["sites"]
            origin = next(iter(sites.values()))
            say(f"2. The replica: {len(sites)} portal sites, {docs} documents each, on {BEFORE}")
            first = free_port_block(2, 20000 + os.getpid() % 20000)
            urls = [f"http://127.0.0.1:{first}", f"http://127.0.0.1:{first + 1}"]
            for number in range(len(urls)):
                nodes.append(start_node(work / f"node-{number + 1}", first + number))
            profiles = load_profiles()
            portals = {
                name: (profiles[name].family, profiles[name].nodes)
                for name in sites
                if name in profiles
            }
            settings = stand_in_settings(origin)
            with open_store(db) as store:
                for url in urls:
                    store.add_node(url, ["cn"])
                say(f"3. Two Scrapyd crawl nodes: {', '.join(urls)} (tag cn)")
                say("4. The baseline: every portal crawled on the nodes, one lease per portal")
                started = time.monotonic()
                _crawl_round(store, db, portals, settings, say)
                say(f"   done in {time.monotonic() - started:.1f} s")
                set_day(origin, AFTER)
                say(f"5. Time passes ({AFTER}); every portal crawled again, and one node dies")
                started = time.monotonic()
                finished = _crawl_round(store, db, portals, settings, say, nodes[0], urls[0])
                say(f"   done in {time.monotonic() - started:.1f} s; finished on: "
                    + ", ".join(f"{p} {n.rsplit(':', 1)[1]}" for p, n in sorted(finished.items())))  # fmt: skip
                got = {r["url"]: r for r in store.records() if r["status"] == "live"}
                counts = store.counts()
            # As a crawl stores them: a reply published only as its file has the file's fields.
            truth = {r["url"]: r for r in Replica(docs, day_number(AFTER), 1).truth()}
            same = _same(got, counts, truth, say)
            once, alerts = _delivered_once(db, say)
            return {"same": same, "once": once, "alerts": alerts, "documents": counts["documents"],
                    "finished": finished}  # fmt: skip
        finally:
            for node in nodes:
                if node.poll() is None:
                    os.killpg(node.pid, signal.SIGKILL)
                    node.wait()
            if replica is not None:
                replica.terminate()
                replica.wait(timeout=10)


def _same(got: dict[str, Any], counts: dict[str, int], truth: dict[str, Any], say: Any) -> bool:
    """Whether the corpus equals the replica's truth, said."""
    wrong = [
        (u, k) for u, r in truth.items() for k in DOCUMENT_KEYS if u in got and got[u][k] != r[k]
    ]
    missing, extra = set(truth) - set(got), set(got) - set(truth)
    same = not (wrong or missing or extra) and counts["documents"] == len(truth)
    say(f"6. The corpus: {counts['documents']} documents, {counts['versions']} versions; the "
        f"truth: {len(truth)} — {'equal' if same else f'DIFFERENT: {len(missing)} missing, {len(extra)} extra, {len(wrong)} wrong fields'}")  # fmt: skip
    return same


def _delivered_once(db: str, say: Any) -> tuple[bool, int]:
    """Three deliverers at once: whether each alert reached the sink once; and how many."""
    witness = _Witness()
    delivered = _deliver_at_once(db, witness, 3)
    with open_store(db) as store:
        expected = {alert["key"] for alert in store.alerts(limit=1_000_000)}
    once = sorted(witness.keys) == sorted(expected) and len(set(witness.keys)) == len(witness.keys)
    say(f"7. Alerts: {len(expected)} in the outbox; three deliverers at once delivered "
        f"{delivered}; the sink received {len(witness.keys)}, "
        f"{'each once' if once else 'NOT each once'}")  # fmt: skip
    return once, len(expected)


def _deliver_at_once(db: str, sink: _Witness, deliverers: int) -> int:
    from crawler.watch.notify import deliver

    results: list[int] = []

    def one() -> None:
        with open_store(db) as store:
            results.append(deliver(store, [sink], retries=0).delivered)

    threads = [threading.Thread(target=one) for _ in range(deliverers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sum(results)


def run_cluster(action: str, docs: int) -> int:
    """`govwatch cluster demo`: 0 when the corpus equals the truth and each alert arrived once."""
    if action != "demo":
        print(
            f"govwatch cluster: unknown action {action!r}; try: govwatch cluster demo",
            file=sys.stderr,
        )
        return 2
    from replica.pgcluster import missing_reason

    reason = missing_reason()
    if reason:
        print(f"govwatch cluster demo: {reason}", file=sys.stderr)
        return 2
    result = run_cluster_demo(docs)
    return 0 if result["same"] and result["once"] else 1
