"""Crawling many portals: a replica of N portals (`replica.fleet`, default 200, each its
own origin, port and profile) crawled with the profiles' politeness on, as real portals are —
by one local `govwatch crawl` process (every portal a crawler in one Scrapy process), by one
Scrapyd node and by two (each portal one Scrapyd job under a lease, as `govwatch run` dispatches
them), into a throwaway PostgreSQL (each setup its own database). Each figure comes with what
bounds it: the delays, Scrapyd's process slots (max_proc per node) and the cost of starting a
Scrapy process per portal, or the CPU (the machine's busy share while it ran).

    python -m bench.nodes --portals 200 [--docs 1]

Without PostgreSQL's server or scrapyd it says so and measures nothing (nodes writing to one
corpus at once need PostgreSQL).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.crawl import run_measured
from replica.client import served_origins
from replica.ports import free_port_block

#: Documents per portal: with politeness each request costs ~2 s, and one node runs max_proc
#: portals at once, so the corpus per portal is what keeps 200 portals within minutes.
DOCS = 1
DAY = 1425


@contextmanager
def fleet_replica(portals: int, docs: int, profiles: Path) -> Iterator[tuple[str, int]]:
    """The fleet in a child process, its profiles written to `profiles`; (its first URL, pid)."""
    port = free_port_block(portals)
    process = subprocess.Popen(
        [sys.executable, "-m", "replica.fleet", "--portals", str(portals), "--docs", str(docs),
         "--day", str(DAY), "--port", str(port), "--profiles", str(profiles)],
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
    from its log's stats dump."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, 0
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", text)
    requests = re.search(r"'downloader/request_count': (\d+)", text)
    return (float(elapsed.group(1)) if elapsed else None), int(requests.group(1)) if requests else 0


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


def _max_proc(directory: Path) -> int:
    found = re.search(r"^max_proc\s*=\s*(\d+)", (directory / "scrapyd.conf").read_text(), re.M)
    return int(found.group(1)) if found else 0


def _share(cpu: float, wall: float) -> float:
    """CPU seconds as a share of what the machine's cores offer in `wall` seconds."""
    return round(cpu / (wall * (os.cpu_count() or 1)), 2) if wall > 0 else 0.0


def on_nodes(
    count: int, url: str, replica: int, profiles: Path, db: str, work: Path
) -> dict[str, Any]:
    """Every fleet portal crawled once on `count` Scrapyd nodes (crawler.run.nodes.dispatch.crawl_round)."""
    from crawler.portals.profiles import load_profiles
    from crawler.run.nodes.dispatch import crawl_round, stand_in_settings
    from crawler.run.nodes.scrapyd import start_node
    from crawler.store import open_store

    found = load_profiles(profiles)
    portals = {name: (found[name].family, tuple(found[name].nodes)) for name in served_origins(url)}
    first = free_port_block(count, 20000 + 10 * count)
    urls = [f"http://127.0.0.1:{first + n}" for n in range(count)]
    dirs = [work / f"{count}-node-{n + 1}" for n in range(count)]
    nodes = [start_node(directory, first + n) for n, directory in enumerate(dirs)]
    settings = {**stand_in_settings(url, polite=True), "GOVWATCH_PROFILES": str(profiles),
                "GOVWATCH_POLITENESS": "True"}  # fmt: skip
    try:
        with open_store(db) as store:
            for node_url in urls:
                store.add_node(node_url, [])
            meter, cpu, started = CpuMeter(), time.process_time(), time.monotonic()
            served, before = cpu_seconds(replica), [cpu_seconds(node.pid) for node in nodes]
            done = crawl_round(store, db, portals, "bench", 60.0, settings, timeout=3600)
            wall = time.monotonic() - started
            scheduler_cpu = time.process_time() - cpu
            busy = meter.busy()
            jobs_cpu = sum(cpu_seconds(node.pid) for node in nodes) - sum(before)
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
    slots = sum(_max_proc(directory) for directory in dirs)
    mean_job = sum(job["wall"] for job in jobs) / max(len(jobs), 1)
    return {
        "nodes": count, "seconds": round(wall, 1), "cpu_busy": busy, "documents": documents,
        "requests": sum(job["requests"] for job in jobs), "jobs": len(jobs), "failed": failed,
        "slots": slots, "mean_job_s": round(mean_job, 2),
        "mean_crawl_s": round(sum(crawled) / max(len(crawled), 1), 2),
        "parallel": round(sum(job["wall"] for job in jobs) / wall, 2),
        "slot_bound_s": round(math.ceil(len(portals) / max(slots, 1)) * mean_job, 1),
        "scheduler_cpu_s": round(scheduler_cpu, 1), "jobs_cpu_s": round(jobs_cpu, 1),
        "cpu_per_job_s": round(jobs_cpu / max(len(jobs), 1), 2), "replica_cpu_s": round(replica_cpu, 1),
        "own_cpu_share": _share(jobs_cpu + scheduler_cpu + replica_cpu, wall),
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
    if "slots" in result:
        start = result["mean_job_s"] - result["mean_crawl_s"]
        slots = (f"{result['slots']} Scrapyd slots (max_proc × {result['nodes']} node(s)) ran "
                 f"{result['parallel']:.1f} jobs at once; a job took {result['mean_job_s']:.1f} s, "
                 f"{start:.1f} s of it starting a Scrapy process ({result['cpu_per_job_s']:.1f} CPU-s "
                 f"a job) and {result['mean_crawl_s']:.1f} s crawling under the delays")  # fmt: skip
        if result["parallel"] >= 0.75 * result["slots"]:
            within = "process-start" if start > result["mean_crawl_s"] else "delay"
            return (f"slot-bound, {within}-bound within each slot (ideal "
                    f"{result['slot_bound_s']:.0f} s): {slots}; {cpu}")  # fmt: skip
        if own >= OWN_CPU_BOUND:
            return f"CPU-bound, mostly starting a process per portal ({cpu}): {slots}"
        if busy >= BUSY:
            return f"CPU-contended ({cpu}): {slots}"
        return f"dispatch-bound: {slots}; {cpu}"
    if result["crawl_s"] <= 1.5 * delay_floor:
        return (f"delay-bound: the portals crawl at once, each in its own slot; the busiest's "
                f"{result['max_portal_requests']} requests take ≥ {delay_floor:.0f} s at its delay ({cpu})")  # fmt: skip
    if own >= OWN_CPU_BOUND:
        return f"CPU-bound ({cpu}): every portal's requests, parsing and storing in one process"
    if busy >= BUSY:
        return (f"CPU-contended ({cpu}): one Scrapy process starts every portal's crawler and "
                f"does all their work, {result['crawl_s']:.0f} s against {delay_floor:.0f} s of delays")  # fmt: skip
    return f"process-bound: one Scrapy process for every portal ({cpu})"


def measure(portals: int = 200, docs: int = DOCS) -> dict[str, Any]:
    """The fleet crawled locally, on one node and on two; figures, bounds, or why skipped."""
    from replica.pgcluster import TempCluster, missing_reason

    out: dict[str, Any] = {"portals": portals, "docs_per_portal": docs}
    reason = missing_reason()
    if reason is None and not (Path(sys.executable).parent / "scrapyd").exists():
        reason = "scrapyd is not installed: pip install -e '.[dev]'"
    if reason:
        out["skipped"] = reason
        return out
    with tempfile.TemporaryDirectory(prefix="govwatch-bench-nodes-") as tmp:
        work = Path(tmp)
        # One local process holds two connections per portal (the spider's, the pipeline's).
        with contextlib.ExitStack() as stack:
            # One local process holds two connections per portal (the spider's, the pipeline's).
            cluster = stack.enter_context(TempCluster(max_connections=2 * portals + 50))
            url, replica = stack.enter_context(fleet_replica(portals, docs, work / "profiles"))
            out["local"] = local(url, replica, work / "profiles", cluster.create_database("local"))
            for count in (1, 2):
                key = f"nodes_{count}"
                db = cluster.create_database(key)
                out[key] = on_nodes(count, url, replica, work / "profiles", db, work)
    # The delay between two requests to one portal: AutoThrottle never goes below DOWNLOAD_DELAY.
    from crawler.fetch.settings import DOWNLOAD_DELAY

    floor = (out["local"]["max_portal_requests"] - 1) * DOWNLOAD_DELAY
    from replica.app import Replica
    from replica.fleet import fleet

    out["truth_documents"] = sum(
        1 for _ in Replica(docs, DAY, 1, sites=fleet(portals)).crawl_truth()
    )
    out["requests_per_portal"] = round(out["local"]["requests"] / portals, 1)
    for key in ("local", "nodes_1", "nodes_2"):
        out[key]["limit"] = limit(out[key], floor)
    return out


def lines(result: dict[str, Any]) -> list[str]:
    """The figures as the benchmark prints them."""
    if "skipped" in result:
        return [f"crawl of {result['portals']} portals skipped: {result['skipped']}"]
    head = (f"{result['portals']} portals, politeness on ({result['docs_per_portal']} document(s), "
            f"{result['requests_per_portal']} requests per portal; {result['truth_documents']} "
            f"documents live in all):")  # fmt: skip
    rows = [head]
    for key, label in (("local", "one local process"), ("nodes_1", "one Scrapyd node"),
                       ("nodes_2", "two Scrapyd nodes")):  # fmt: skip
        one = result[key]
        rows.append(
            f"  {label:18} {one['seconds']:>7.1f} s, {one['documents']} documents — {one['limit']}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nodes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--docs", type=int, default=DOCS, help="documents per portal")
    parser.add_argument(
        "--local", nargs=3, metavar=("URL", "PROFILES", "DB"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.local:
        local_child(*args.local)
        return
    result = measure(args.portals, args.docs)
    print("\n".join(lines(result)))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
