"""Crawling many portals: a replica of N portals (`replica.fleet`, each its own origin, port
and profile) crawled with the profiles' politeness on, as real portals are — by one local
`govwatch crawl` process (every portal a crawler in one Scrapy process), by one Scrapyd node and
by two (the portals leased in batches, a batch one Scrapyd job crawling its portals in one
Scrapy process, as `govwatch run` dispatches them), into a throwaway PostgreSQL (each setup its
own database). Per setup: seconds, the ratio to the local process, passes an hour, documents a
second, the share of the machine's CPUs its processes used, the peak memory of one crawling
process, and what bounds it (the delays, the CPU, or the machine's other work); per node, the
CPU its jobs used (what says how nodes on machines of their own would add up).

    python -m bench.nodes --portals 1000 --docs 1 3

Each `--docs` value is a setting (documents a portal): with one, a crawl is mostly delays; with
more, parsing and storing weigh too. Without PostgreSQL's server or scrapyd it says so and
measures nothing (nodes writing to one corpus at once need PostgreSQL).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.crawl import _peak_rss_mb, run_measured
from replica.client import served_origins
from replica.ports import free_port_block

#: Documents per portal: with politeness each request costs ~2 s, so the corpus per portal is
#: what keeps a pass of 1,000 portals within minutes.
DOCS = 1
DAY = 1425


@contextmanager
def fleet_replica(
    portals: int, docs: int, profiles: Path, day: int = DAY, spread: float = 0.0
) -> Iterator[tuple[str, int]]:
    """The fleet in a child process, its profiles written to `profiles`; (its first URL, pid).
    `spread`: a move of its day reaches the portals over this many seconds (replica.fleet)."""
    port = free_port_block(portals)
    process = subprocess.Popen(
        [sys.executable, "-m", "replica.fleet", "--portals", str(portals), "--docs", str(docs),
         "--day", str(day), "--port", str(port), "--profiles", str(profiles),
         "--spread", str(spread)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    if not process.stdout.readline():
        raise RuntimeError("the fleet replica did not start")
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


class CpuMeter:
    """The machine's busy share of its CPUs between start and stop (from /proc/stat): other
    work on the machine counts too, as it takes the same cores."""

    def __init__(self) -> None:
        self.begin = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except OSError:
            return 0, 0
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    def busy(self) -> float | None:
        total, idle = self._read()
        spent = total - self.begin[0]
        return round(1 - (idle - self.begin[1]) / spent, 2) if spent > 0 else None


def cpu_seconds(pid: int) -> float:
    """CPU seconds a process has used, with those of its children it has reaped (a Scrapyd
    node's finished jobs)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def local_child(url: str, profiles: str, db: str) -> None:
    """(In a child process.) One `govwatch crawl` of every fleet portal, politeness on; prints
    the summary as one JSON line."""
    from crawler.portals.profiles import load_profiles
    from crawler.run.crawl import run

    found = load_profiles(profiles)
    names = sorted(served_origins(url))
    summary = run([found[name] for name in names], db=db, replica=url, origins=served_origins(url),
                  profiles_dir=profiles, polite=True, log_level="ERROR")  # fmt: skip
    # One short line: the parent reads it once the child has ended, and a pipe holds 64 KB (the
    # whole summary of 1,000 portals filled it, and the child waited for ever to print).
    busiest = max((portal["requests"] for portal in summary["portals"].values()), default=0)
    print(json.dumps({**{key: summary[key] for key in ("status", "requests", "documents_new",
                      "errors", "duration_s")}, "max_portal_requests": busiest}))  # fmt: skip


def local(url: str, replica: int, profiles: Path, db: str) -> dict[str, Any]:
    meter, children, served = CpuMeter(), _children_cpu(), cpu_seconds(replica)
    out, wall, peak = run_measured(
        [sys.executable, "-m", "bench.nodes", "--local", url, str(profiles), db]
    )
    crawl_cpu, replica_cpu = _children_cpu() - children, cpu_seconds(replica) - served
    summary = json.loads(out.strip().splitlines()[-1])
    return {
        "seconds": round(wall, 1), "crawl_s": summary["duration_s"], "cpu_busy": meter.busy(),
        "crawl_cpu_s": round(crawl_cpu, 1), "replica_cpu_s": round(replica_cpu, 1),
        "own_cpu_share": _share(crawl_cpu + replica_cpu, wall),
        "peak_rss_mb": peak, "requests": summary["requests"], "documents": summary["documents_new"],
        "errors": summary["errors"], "max_portal_requests": summary["max_portal_requests"],
        "status": summary["status"],
    }  # fmt: skip


def _job_log_stats(log: Path) -> tuple[float | None, int]:
    """A job's crawl time (Scrapy's elapsed_time_seconds, from the engine's start) and requests,
    from its log's stats dump (a batch's log holds each of its portals' dumps: the batch
    spider's own comes last, and its requests are the portals')."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, 0
    elapsed = re.findall(r"'elapsed_time_seconds': ([\d.]+)", text)
    requests = re.findall(r"'downloader/request_count': (\d+)", text)
    return (float(elapsed[-1]) if elapsed else None), sum(int(found) for found in requests)


def _jobs(url: str, directory: Path) -> list[dict[str, Any]]:
    """A node's finished govwatch jobs: wall seconds (Scrapyd's start to end), crawl seconds and
    requests (from their logs)."""
    with urllib.request.urlopen(f"{url}/listjobs.json?project=govwatch", timeout=10) as answer:
        finished = json.loads(answer.read())["finished"]
    jobs = []
    for job in finished:
        wall = (dt.datetime.fromisoformat(job["end_time"]) - dt.datetime.fromisoformat(
            job["start_time"])).total_seconds()  # fmt: skip
        crawl, requests = _job_log_stats(
            directory / "logs" / "govwatch" / job["spider"] / f"{job['id']}.log"
        )
        jobs.append({"wall": wall, "crawl": crawl, "requests": requests})
    return jobs


def _share(cpu: float, wall: float) -> float:
    """CPU seconds as a share of what the machine's cores offer in `wall` seconds."""
    return round(cpu / (wall * (os.cpu_count() or 1)), 2) if wall > 0 else 0.0


class PeakWatcher:
    """The peak RSS of every process under the given ones (a node's batch jobs), read from /proc
    every half second while a round runs: pid → MB."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = set(roots)
        self.peaks: dict[int, float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if parent in self.roots:
                    found.append(int(entry.name))
        return found

    def _watch(self) -> None:
        while not self.stopped.wait(0.5):
            for pid in self._children():
                peak = _peak_rss_mb(pid)
                if peak:
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak)

    def stop(self) -> dict[int, float]:
        self.stopped.set()
        self.thread.join(5)
        return self.peaks


def _jobs_ended(urls: list[str], timeout: float = 120.0) -> None:
    """Wait until the nodes run no job: their CPU (reaped children) then counts every job."""
    from crawler.run.nodes.scrapyd import node_status

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [node_status(url) for url in urls]
        if all(not state.get("running") and not state.get("pending") for state in states):
            return
        time.sleep(0.5)


def on_nodes(
    count: int, url: str, replica: int, profiles: Path, db: str, work: Path
) -> dict[str, Any]:
    """Every fleet portal crawled once on `count` Scrapyd nodes, in batches
    (crawler.run.nodes.dispatch.crawl_round, as the scheduler runs a pass)."""
    from crawler.portals.profiles import load_profiles
    from crawler.run.nodes.dispatch import NODE_SLOTS, crawl_round, rates_of, stand_in_settings
    from crawler.run.nodes.scrapyd import start_node
    from crawler.store import open_store

    found = load_profiles(profiles)
    names = list(served_origins(url))
    portals = {name: (found[name].family, tuple(found[name].nodes)) for name in names}
    first = free_port_block(count, 20000 + 10 * count)
    urls = [f"http://127.0.0.1:{first + n}" for n in range(count)]
    dirs = [work / f"{count}-node-{n + 1}" for n in range(count)]
    nodes = [start_node(directory, first + n) for n, directory in enumerate(dirs)]
    settings = {**stand_in_settings(url, polite=True), "GOVWATCH_PROFILES": str(profiles),
                "GOVWATCH_POLITENESS": "True", "LOG_LEVEL": "INFO"}  # fmt: skip
    try:
        with open_store(db) as store:
            for node_url in urls:
                store.add_node(node_url, [])
            meter, cpu, started = CpuMeter(), time.process_time(), time.monotonic()
            served, before = cpu_seconds(replica), [cpu_seconds(node.pid) for node in nodes]
            watcher = PeakWatcher([node.pid for node in nodes])
            done = crawl_round(store, db, portals, "bench", 60.0, settings, timeout=3600,
                               rates=rates_of([found[name] for name in names]))  # fmt: skip
            wall = time.monotonic() - started
            _jobs_ended(urls)  # a round ends as its portals are recorded; a job then closes
            peaks = watcher.stop()
            scheduler_cpu = time.process_time() - cpu
            busy = meter.busy()
            per_node = [cpu_seconds(node.pid) - b for node, b in zip(nodes, before, strict=True)]
            replica_cpu = cpu_seconds(replica) - served
            documents = store.counts()["documents"]
        jobs = [
            job
            for node, directory in zip(urls, dirs, strict=True)
            for job in _jobs(node, directory)
        ]
    finally:
        for node in nodes:
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
                node.wait()
    failed = sorted(name for name, summary in done.items() if summary.get("status") != "done")
    crawled = [job["crawl"] for job in jobs if job["crawl"] is not None]
    jobs_cpu = sum(per_node)
    return {
        "nodes": count, "seconds": round(wall, 1), "cpu_busy": busy, "documents": documents,
        "requests": sum(job["requests"] for job in jobs), "jobs": len(jobs), "failed": failed,
        "slots": NODE_SLOTS * count,
        "longest_job_s": round(max((job["wall"] for job in jobs), default=0.0), 1),
        "longest_crawl_s": round(max(crawled, default=0.0), 1),
        "scheduler_cpu_s": round(scheduler_cpu, 1), "jobs_cpu_s": round(jobs_cpu, 1),
        "cpu_per_node_s": [round(c, 1) for c in per_node], "replica_cpu_s": round(replica_cpu, 1),
        "own_cpu_share": _share(jobs_cpu + scheduler_cpu + replica_cpu, wall),
        "peak_rss_mb": round(max(peaks.values(), default=0.0), 1),
    }  # fmt: skip


#: A figure is CPU-bound when this benchmark's own processes (crawls, nodes, scheduler, replica)
#: used this share of the machine's cores; CPU-contended when the machine as a whole was this
#: busy (other work on it included).
OWN_CPU_BOUND = 0.7
BUSY = 0.85


def limit(result: dict[str, Any], delay_floor: float) -> str:
    """What bounds a figure, in words, from what was measured."""
    busy, own = result.get("cpu_busy") or 0.0, result.get("own_cpu_share") or 0.0
    cpu = f"its processes used {own:.0%} of the CPUs, the machine was {busy:.0%} busy"
    crawl = result.get("longest_crawl_s", result.get("crawl_s", 0.0))
    where = (f"{result['jobs']} batch job(s) on {result['nodes']} node(s), the longest "
             f"{result['longest_job_s']:.0f} s of which {crawl:.0f} s crawling"
             if "jobs" in result else "one Scrapy process for every portal")  # fmt: skip
    if crawl <= 1.5 * delay_floor:
        return (f"delay-bound: {where}; the busiest portal's requests take ≥ {delay_floor:.0f} s "
                f"at its delay ({cpu})")  # fmt: skip
    if own >= OWN_CPU_BOUND:
        return f"CPU-bound ({cpu}): {where}, every portal's requests, parsing and storing"
    if busy >= BUSY:
        return (f"CPU-contended ({cpu}): {where}; starting every portal's crawler and its work "
                f"took {crawl:.0f} s against {delay_floor:.0f} s of delays")  # fmt: skip
    return f"process-bound: {where} ({cpu})"


def nodes_missing() -> str | None:
    """Why nodes cannot run here (no PostgreSQL server, no Scrapyd), or None."""
    from replica.pgcluster import missing_reason

    reason = missing_reason()
    if reason is None and not (Path(sys.executable).parent / "scrapyd").exists():
        reason = "scrapyd is not installed: pip install -e '.[dev]'"
    return reason


def measure(portals: int = 200, docs: tuple[int, ...] = (DOCS,)) -> dict[str, Any]:
    """The fleet crawled locally, on one node and on two, for each documents-per-portal
    setting; figures, bounds, or why skipped."""
    out: dict[str, Any] = {"portals": portals, "settings": []}
    reason = nodes_missing()
    if reason:
        out["skipped"] = reason
        return out
    out["settings"] = [one_setting(portals, count) for count in docs]
    return out


def one_setting(portals: int, docs: int) -> dict[str, Any]:
    """One documents-per-portal setting: local, one node, two nodes, each into its own database."""
    from crawler.fetch.settings import DOWNLOAD_DELAY
    from replica.app import Replica
    from replica.fleet import fleet
    from replica.pgcluster import TempCluster

    out: dict[str, Any] = {"portals": portals, "docs_per_portal": docs}
    with tempfile.TemporaryDirectory(prefix="govwatch-bench-nodes-") as tmp:
        work = Path(tmp)
        with contextlib.ExitStack() as stack:
            # Each crawling process holds one connection (crawler.store.shared_store).
            cluster = stack.enter_context(TempCluster(max_connections=100))
            url, replica = stack.enter_context(fleet_replica(portals, docs, work / "profiles"))
            out["local"] = local(url, replica, work / "profiles", cluster.create_database("local"))
            for count in (1, 2):
                key = f"nodes_{count}"
                db = cluster.create_database(key)
                out[key] = on_nodes(count, url, replica, work / "profiles", db, work)
    # The delay between two requests to one portal: AutoThrottle never goes below DOWNLOAD_DELAY.
    floor = (out["local"]["max_portal_requests"] - 1) * DOWNLOAD_DELAY
    out["truth_documents"] = sum(1 for _ in Replica(docs, DAY, 1, sites=fleet(portals)).truth())
    out["requests_per_portal"] = round(out["local"]["requests"] / portals, 1)
    for key in ("local", "nodes_1", "nodes_2"):
        one = out[key]
        one["limit"] = limit(one, floor)
        one["passes_per_hour"] = round(3600 / one["seconds"], 1) if one["seconds"] else 0.0
        one["documents_per_s"] = (
            round(one["documents"] / one["seconds"], 1) if one["seconds"] else 0.0
        )
        one["ratio"] = round(out["local"]["seconds"] / one["seconds"], 2) if one["seconds"] else 0.0
    return out


def lines(result: dict[str, Any]) -> list[str]:
    """The figures as the benchmark prints them: a table per setting, then what bounds each."""
    if "skipped" in result:
        return [f"crawl of {result['portals']} portals skipped: {result['skipped']}"]
    rows = []
    for setting in result["settings"]:
        rows.append(
            f"{setting['portals']} portals, politeness on, {setting['docs_per_portal']} document(s) "
            f"a portal ({setting['requests_per_portal']} requests a portal; "
            f"{setting['truth_documents']} documents live in all):"
        )
        rows.append(f"  {'':18} {'s':>7} {'× local':>8} {'passes/h':>9} {'docs/s':>7} "
                    f"{'CPU share':>9} {'peak MB/process':>16}")  # fmt: skip
        for key, label in (("local", "one local process"), ("nodes_1", "one Scrapyd node"),
                           ("nodes_2", "two Scrapyd nodes")):  # fmt: skip
            one = setting[key]
            rows.append(
                f"  {label:18} {one['seconds']:>7.1f} {one['ratio']:>8.2f} "
                f"{one['passes_per_hour']:>9.1f} {one['documents_per_s']:>7.1f} "
                f"{one['own_cpu_share']:>9.0%} {one['peak_rss_mb']:>16.0f}"
            )
        for key, label in (("local", "one local process"), ("nodes_1", "one Scrapyd node"),
                           ("nodes_2", "two Scrapyd nodes")):  # fmt: skip
            one = setting[key]
            per_node = (f"; CPU per node {', '.join(f'{c:.0f}' for c in one['cpu_per_node_s'])} s"
                        if "cpu_per_node_s" in one else "")  # fmt: skip
            rows.append(f"  {label}: {one['limit']}{per_node}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nodes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--docs", type=int, nargs="+", default=[DOCS],
                        help="documents per portal; several: a setting each (e.g. --docs 1 3)")  # fmt: skip
    parser.add_argument(
        "--local", nargs=3, metavar=("URL", "PROFILES", "DB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.local:
        local_child(*args.local)
        return
    result = measure(args.portals, tuple(args.docs))
    print("\n".join(lines(result)))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
