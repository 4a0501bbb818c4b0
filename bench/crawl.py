"""Crawl benchmarks: govwatch crawling a replica site beside `scrapy bench`, in the same run.

The replica runs in its own process (it must not be the bottleneck); each crawl runs in a child
process, as the scheduler runs them, and its peak RSS is read from /proc while it runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from replica.client import set_day
from replica.corpus import LAST_DAY, Corpus
from replica.ports import free_port_block

PORTAL = "hangzhou-jxj"  # Hanweb classic: column pages, dataproxy groups, the richest pages


@contextmanager
def replica(docs: int, day: int, faults: str | None = None) -> Iterator[tuple[str, float]]:
    """A replica in a child process; (its URL, seconds it took to start)."""
    port = free_port_block()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "replica", "serve", "--docs", str(docs), "--day", str(day),
         "--port", str(port), *(["--faults", faults] if faults else [])],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.readline()
    try:
        yield f"http://127.0.0.1:{port}", time.monotonic() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def _peak_rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else None


def run_measured(command: list[str]) -> tuple[str, float, float]:
    """(stdout, wall seconds, peak RSS in MB) of a child process."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.1)
    out = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}")
    return out, time.monotonic() - started, round(peak, 1)


def crawl(url: str, db: Path, *extra: str) -> tuple[dict[str, Any], float]:
    """A crawl of PORTAL; its summary and peak RSS (MB)."""
    out, _, peak = run_measured(
        [
            sys.executable,
            "-m",
            "crawler",
            "crawl",
            PORTAL,
            "--replica",
            url,
            "--db",
            str(db),
            "--json",
            *extra,
        ]
    )
    summary: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return summary, peak


def day_before_new(docs: int, new: int = 10) -> tuple[int, int]:
    """A day from which moving to the corpus's last day brings about `new` new documents of PORTAL
    (documents share days, so the count is the nearest achievable); (day, count)."""
    specs = [s for s in Corpus(docs, 1).specs[PORTAL] if s.live(LAST_DAY)]
    best = (LAST_DAY - 1, 0)
    for day in range(LAST_DAY - 1, 0, -1):
        count = sum(1 for s in specs if s.day > day)
        if abs(count - new) <= abs(best[1] - new):
            best = (day, count)
        if count > new:
            break
    return best


def full_and_incremental(docs: int) -> dict[str, Any]:
    """A full crawl of PORTAL, a re-crawl with nothing new, and one with about 10 new documents."""
    start_day, new = day_before_new(docs)
    with tempfile.TemporaryDirectory() as tmp, replica(docs, start_day) as (url, start_s):
        db = Path(tmp) / "bench.db"
        full, peak = crawl(url, db)
        nochange, _ = crawl(url, db)
        set_day(url, LAST_DAY)
        fresh, _ = crawl(url, db)
    return {
        "docs": docs,
        "replica_start_s": round(start_s, 2),
        "full_crawl_requests": full["requests"],
        "full_crawl_documents": full["documents_new"],
        "full_crawl_s": full["duration_s"],
        "crawl_pages_per_s": round(full["requests"] / full["duration_s"], 1),
        "crawl_peak_rss_mb": peak,
        "recrawl_nochange_requests": nochange["requests"],
        "recrawl_nochange_s": nochange["duration_s"],
        "recrawl_10new_documents": fresh["documents_new"],
        "recrawl_10new_expected": new,
        "recrawl_10new_requests": fresh["requests"],
        "recrawl_10new_s": fresh["duration_s"],
    }


#: Every page of PORTAL behind a 瑞数-style challenge whose cookie lives an hour.
CHALLENGE = f"{PORTAL}:*=412"


def challenged(docs: int) -> dict[str, Any]:
    """The cost of a challenge: a full crawl of PORTAL behind CHALLENGE (the browser passing it)
    beside the same crawl unchallenged, on the same replica corpus. Without Chromium: skipped."""
    from crawler.fetch.browser import find_chromium

    if find_chromium(os.environ.get("GOVWATCH_BROWSER")) is None:
        return {"skipped": "no Chromium (Debian: apt-get install chromium)"}
    out: dict[str, Any] = {"docs": docs}
    for name, faults in (("plain", None), ("challenged", CHALLENGE)):
        with tempfile.TemporaryDirectory() as tmp, replica(docs, LAST_DAY, faults) as (url, _):
            summary, peak = crawl(url, Path(tmp) / "challenge.db")
        browser = summary["portals"][PORTAL].get("browser", {})
        out[name] = {
            "seconds": summary["duration_s"], "requests": summary["requests"],
            "documents": summary["documents_new"], "blocked": len(summary["blocked"]),
            "peak_rss_mb": peak, "browser_solves": browser.get("solves", 0),
            "browser_s": round(browser.get("seconds", 0.0), 2),
        }  # fmt: skip
    out["challenge_overhead_s"] = round(out["challenged"]["seconds"] - out["plain"]["seconds"], 2)
    return out


def scale(docs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, replica(docs, LAST_DAY) as (url, _):
        summary, peak = crawl(url, Path(tmp) / "scale.db")
    return {
        "docs": docs,
        "seconds": summary["duration_s"],
        "pages": summary["requests"],
        "peak_rss_mb": peak,
    }


def scrapy_bench(seconds: int = 15) -> float:
    """`scrapy bench` pages/s: Scrapy following links on its own local server, parsing nothing.
    Run outside the project, so that none of govwatch's settings apply to it."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOG_LEVEL=INFO"],
            cwd=tmp, capture_output=True, text=True, timeout=seconds + 120,
        )  # fmt: skip
    pages = re.search(r"'response_received_count': (\d+)", result.stderr)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", result.stderr)
    if not pages or not elapsed:
        raise RuntimeError("scrapy bench printed no stats:\n" + result.stderr[-2000:])
    return round(int(pages.group(1)) / float(elapsed.group(1)), 1)
