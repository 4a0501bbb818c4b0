"""Freshness as the user sees it: how long after a portal publishes a document its alert arrives.

The fleet replica (`replica.fleet`, N portals) publishes one new document a portal, spread over
a window (`--spread`, portal by portal: `replica.fleet.publish_offset`), after every portal's
baseline was crawled. Passes run every `--interval` seconds — each a crawl of every portal with
the profiles' politeness, then the alerts delivered to a sink that notes when each arrives —
until every new document's alert has arrived. Per document: arrival minus publication. Reported
beside the configured interval and the passes' time, for one local process and for Scrapyd nodes
(batch jobs). A document published just after a pass began waits for the next one: the wait is
at most the interval (or a pass, when passes outlast it) plus the pass that finds it.

    python -m bench.freshness --portals 1000 --interval 180 [--nodes 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.crawl import run_measured
from bench.nodes import fleet_replica, nodes_missing
from replica.client import served_origins

#: The watch rule that every fleet document matches (every body has a full stop), so that each
#: new document raises an alert to time.
RULES = "rules:\n  - name: every-document\n    any: ['。']\n    fields: [body]\n"
DOCS = 2


class Witness:
    """A sink noting when each alert arrives (key → seconds since the epoch)."""

    name = "witness"
    batch = True

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    def send(self, alerts: list[dict[str, Any]], store: Any) -> None:
        moment = time.time()
        for alert in alerts:
            self.arrived.setdefault(alert["key"], moment)


def days(docs: int, portals: int) -> tuple[int, int, dict[str, int]]:
    """(the baseline day, the publishing day, portal → documents it publishes between them)."""
    from replica.corpus import LAST_DAY, Corpus
    from replica.fleet import fleet

    corpus = Corpus(docs, 1, fleet(portals))
    last = max(s.day for specs in corpus.specs.values() for s in specs if s.day <= LAST_DAY)
    new = {
        name: sum(1 for s in specs if s.day == last and s.live(last))
        for name, specs in corpus.specs.items()
    }
    return last - 1, last, new


def pass_child(url: str, profiles: str, db: str, rules: str) -> None:
    """(In a child process.) One crawl of every fleet portal, politeness on; one JSON line."""
    from crawler.portals.profiles import load_profiles
    from crawler.run.crawl import run

    found = load_profiles(profiles)
    origins = served_origins(url)
    summary = run([found[name] for name in sorted(origins)], db=db, replica=url, origins=origins,
                  profiles_dir=profiles, polite=True, log_level="ERROR", rules=rules)  # fmt: skip
    print(json.dumps({key: summary[key] for key in ("status", "documents_new", "duration_s")}))


class Passes:
    """One way of running a pass (a local process, or a round on nodes) and delivering after it."""

    def __init__(self, db: str, url: str, profiles: Path, rules: Path, nodes: int, work: Path):
        self.db, self.url, self.profiles, self.rules = db, url, profiles, rules
        self.nodes: list[Any] = []
        self.witness = Witness()
        self.peak_mb = 0.0
        if nodes:
            self._start_nodes(nodes, work)

    def _start_nodes(self, count: int, work: Path) -> None:
        from crawler.run.nodes.scrapyd import start_node
        from crawler.store import open_store
        from replica.ports import free_port_block

        first = free_port_block(count, 21000 + 10 * count)
        self.nodes = [start_node(work / f"fresh-node-{n}", first + n) for n in range(count)]
        with open_store(self.db) as store:
            for n in range(count):
                store.add_node(f"http://127.0.0.1:{first + n}", [])

    def crawl(self) -> float:
        """One pass; its seconds."""
        started = time.monotonic()
        if self.nodes:
            self._on_nodes()
        else:
            _, _, peak = run_measured([sys.executable, "-m", "bench.freshness", "--pass", self.url,
                                       str(self.profiles), self.db, str(self.rules)])  # fmt: skip
            self.peak_mb = max(self.peak_mb, peak)
        return time.monotonic() - started

    def _on_nodes(self) -> None:
        from crawler.portals.profiles import load_profiles
        from crawler.run.nodes.dispatch import crawl_round, rates_of, stand_in_settings
        from crawler.store import open_store

        found = load_profiles(self.profiles)
        names = list(served_origins(self.url))
        settings = {**stand_in_settings(self.url, polite=True), "GOVWATCH_POLITENESS": "True",
                    "GOVWATCH_PROFILES": str(self.profiles), "GOVWATCH_RULES": str(self.rules)}  # fmt: skip
        with open_store(self.db) as store:
            crawl_round(store, self.db, {n: (found[n].family, ()) for n in names}, "fresh", 60.0,
                        settings, 3600, rates=rates_of([found[n] for n in names]))  # fmt: skip

    def deliver(self) -> None:
        from crawler.store import open_store
        from crawler.watch.notify import deliver

        with open_store(self.db) as store:
            deliver(store, [self.witness], retries=0)

    def close(self) -> None:
        import os
        import signal

        for node in self.nodes:
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
                node.wait()


def one_mode(portals: int, interval: float, nodes: int, docs: int = DOCS) -> dict[str, Any]:
    """Freshness with one local process (`nodes` 0) or on Scrapyd nodes."""
    from crawler.store import open_store
    from replica.client import set_day
    from replica.fleet import fleet, publish_offset
    from replica.pgcluster import TempCluster

    before, publishing, new = days(docs, portals)
    spread = interval
    offsets = {site.name: publish_offset(n, portals, spread)
               for n, site in enumerate(fleet(portals))}  # fmt: skip
    with (
        tempfile.TemporaryDirectory(prefix="govwatch-fresh-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp)
        rules = work / "rules.yaml"
        rules.write_text(RULES, encoding="utf-8")
        db = stack.enter_context(TempCluster(max_connections=100)).create_database("fresh")
        url, _ = stack.enter_context(
            fleet_replica(portals, docs, work / "profiles", day=before, spread=spread)
        )
        passes = Passes(db, url, work / "profiles", rules, nodes, work)
        stack.callback(passes.close)
        baseline = passes.crawl()
        moved = time.time()
        set_day(url, publishing)
        durations: list[float] = []
        expected = sum(new.values())
        deadline = moved + spread + 4 * interval + 2 * baseline
        while len(passes.witness.arrived) < expected and time.time() < deadline:
            planned = moved + len(durations) * interval
            time.sleep(max(planned - time.time(), 0))
            durations.append(passes.crawl())
            passes.deliver()
        with open_store(db) as store:
            portal_of = {a["key"]: a["portal"] for a in store.alerts(limit=10 * expected + 100)}
    waits = sorted(
        arrived - (moved + offsets[portal_of[key]])
        for key, arrived in passes.witness.arrived.items()
        if key in portal_of and portal_of[key] in offsets
    )
    return _figures(waits, expected, durations, baseline, interval, nodes, passes.peak_mb)


def _figures(
    waits: list[float], expected: int, durations: list[float], baseline: float,
    interval: float, nodes: int, peak_mb: float,
) -> dict[str, Any]:  # fmt: skip
    pass_s = statistics.mean(durations) if durations else 0.0
    p95 = waits[max(int(len(waits) * 0.95) - 1, 0)] if waits else None
    return {
        "setup": f"{nodes} Scrapyd node(s)" if nodes else "one local process",
        "interval_s": interval, "published": expected, "alerted": len(waits),
        "p50_s": round(statistics.median(waits), 1) if waits else None,
        "p95_s": round(p95, 1) if p95 is not None else None,
        "max_s": round(waits[-1], 1) if waits else None,
        "pass_s": round(pass_s, 1), "passes": len(durations), "baseline_s": round(baseline, 1),
        "goal_s": round(interval + pass_s, 1),
        "met": p95 is not None and len(waits) == expected and p95 <= interval + pass_s,
        **({"peak_rss_mb": peak_mb} if peak_mb else {}),
    }  # fmt: skip


def measure(portals: int = 1000, interval: float = 180.0, nodes: int = 2) -> dict[str, Any]:
    """Freshness for one local process and for `nodes` Scrapyd nodes (or why skipped)."""
    out: dict[str, Any] = {"portals": portals, "interval_s": interval}
    reason = nodes_missing()
    if reason:
        out["skipped"] = reason
        return out
    out["local"] = one_mode(portals, interval, 0)
    out["nodes"] = one_mode(portals, interval, nodes)
    return out


def lines(result: dict[str, Any]) -> list[str]:
    if "skipped" in result:
        return [f"freshness skipped: {result['skipped']}"]
    rows = [f"freshness, {result['portals']} portals, a pass every {result['interval_s']:.0f} s "
            "(publication → alert delivered):"]  # fmt: skip
    for key in ("local", "nodes"):
        one = result[key]
        rows.append(
            f"  {one['setup']:18} p50 {one['p50_s']} s, p95 {one['p95_s']} s, max {one['max_s']} s "
            f"({one['alerted']}/{one['published']} alerted); a pass {one['pass_s']} s; goal p95 ≤ "
            f"interval + a pass = {one['goal_s']} s: {'met' if one['met'] else 'NOT met'}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.freshness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--portals", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=180.0, help="seconds between passes")
    parser.add_argument("--nodes", type=int, default=2, help="Scrapyd nodes for the second setup")
    parser.add_argument("--pass", dest="one_pass", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_pass:
        pass_child(*args.one_pass)
        return
    result = measure(args.portals, args.interval, args.nodes)
    print("\n".join(lines(result)))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
