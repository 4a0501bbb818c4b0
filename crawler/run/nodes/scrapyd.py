"""Scrapyd over HTTP: a node's health and jobs, scheduling and cancelling a job, and the files
a node needs beside govwatch (`node_files`; `start_node` runs one on loopback)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PROJECT = "govwatch"


class NodeError(RuntimeError):
    """A node that cannot be used as asked; the message names it and the fix."""


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


def schedule_batch(url: str, run_id: int, settings: dict[str, str], timeout: float = 10.0) -> str:
    """Start a batch job on a node: the `batch` spider crawling every portal of run `run_id`
    (`crawler.run.nodes.batch`); the Scrapyd job id."""
    return schedule_job(url, "batch", {"run": str(run_id)}, settings, timeout)


def schedule_job(
    url: str, spider: str, arguments: dict[str, str], settings: dict[str, str],
    timeout: float = 10.0,
) -> str:  # fmt: skip
    """Start a job of `spider` on a node, with its arguments and settings; the Scrapyd job id."""
    what = " ".join(f"{key}={value}" for key, value in arguments.items()) or spider
    fields = [("project", PROJECT), ("spider", spider), *arguments.items()]
    fields += [("setting", f"{key}={value}") for key, value in settings.items()]
    request = urllib.request.Request(
        f"{url}/schedule.json", data=urllib.parse.urlencode(fields).encode()
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            reply = json.loads(answer.read().decode())
    except (OSError, ValueError) as error:
        raise NodeError(f"{url}: cannot schedule {what}: {error}") from None
    if reply.get("status") != "ok":
        raise NodeError(f"{url}: refused {what}: {reply.get('message', reply)}")
    return str(reply["jobid"])


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


def node_files(directory: Path, port: int, host: str = "127.0.0.1") -> None:
    """What a node needs beside govwatch: scrapyd.conf (where it listens, where it keeps jobs)
    and scrapy.cfg naming govwatch's settings as the `govwatch` project. Scrapyd reads both from
    the directory it starts in. A pass is a few batch jobs a node, but a node serves pass after
    pass, and Scrapyd's defaults (the last 100 finished jobs, 5 logs per spider) would forget
    the logs of all but the last few: the node keeps 5000 of each. A job polls its queue every
    half second (Scrapyd's default: 5 s), so a batch starts as soon as it is scheduled."""
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
