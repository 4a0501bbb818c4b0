"""Crawl tests' helpers: a replica in a child process, crawls in child processes (Scrapy's
reactor runs once per process), and the truth to compare with."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from replica.app import Replica
from replica.client import set_day as set_day  # the tests move the replica's day through its client
from replica.ports import free_port_block

ROOT = Path(__file__).parent.parent


def free_block(count: int) -> int:
    """Free consecutive loopback ports, from a start of this process's own (tests run side by
    side), below the ephemeral range (32768 and up on Linux), where the system hands out ports to
    `--port 0` servers and outgoing connections between the look and the bind."""
    return free_port_block(count, random.Random(os.getpid() * 7 + count).randrange(20000, 32000))


@contextmanager
def served_replica(docs: int, day: int, faults: str | None = None) -> Iterator[str]:
    """A replica in a child process; yields the URL of its first site."""
    # Port 0: each site on a port the system picks, so replicas started side by side (tests
    # running in parallel) never race for a block of ports.
    command = [sys.executable, "-m", "crawler", "replica", "serve", "--docs", str(docs), "--day", str(day),
               "--port", "0"]  # fmt: skip
    if faults:
        command += ["--faults", faults]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    sites = json.loads(process.stdout.readline())["sites"]
    try:
        yield next(iter(sites.values()))
    finally:
        process.terminate()
        process.wait(timeout=10)


def crawl_command(replica_url: str, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawler",
        "crawl",
        "--replica",
        replica_url,
        "--db",
        str(db),
        "--json",
        *extra,
    ]


def crawl(
    replica_url: str, db: Path, *extra: str, exit_codes: tuple[int, ...] = (0,)
) -> dict[str, Any]:
    """A crawl's summary; its exit code must be one of `exit_codes` (0: all well; 1: a portal
    failed; 3: a portal was blocked)."""
    result = subprocess.run(crawl_command(replica_url, db, *extra), capture_output=True, text=True, cwd=ROOT,
                            timeout=600)  # fmt: skip
    assert result.returncode in exit_codes, result.stderr[-3000:]
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def truth(docs: int, day: int) -> dict[str, dict[str, Any]]:
    """url → true record of every document live on `day`, as a crawl stores it (a reply
    published only as its attachment has the fields its file gives)."""
    return {record["url"]: record for record in Replica(docs, day, 1).truth()}


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(str(source) + suffix).exists():
            shutil.copy(str(source) + suffix, str(target) + suffix)
    return target
