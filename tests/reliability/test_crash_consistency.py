"""kill -9 at random moments of crawls and alert deliveries, twenty times: the database stays
intact, the next run completes, and documents and alerts equal those of an uninterrupted run."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest
from crawl_helpers import ROOT, served_replica, set_day
from delivery_helpers import receiving

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store
from replica.corpus import SEED_DAY

BEFORE, AFTER = SEED_DAY - 3, SEED_DAY + 40
SECRET = "kill-9-secret"


class SlowReceiver(BaseHTTPRequestHandler):
    """A webhook receiver slow enough for a kill to land in the middle of a delivery."""

    keys: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.15)
        SlowReceiver.keys.append(self.headers["Idempotency-Key"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _config(path: Path, replica: str, hook: str, db: str) -> Path:
    config = path / "govwatch.yaml"
    config.write_text(json.dumps({
        "db": db, "replica": replica,
        "sinks": [{"type": "jsonl", "path": "alerts.jsonl"},
                  {"type": "webhook", "url": hook, "secret_env": "GOVWATCH_WEBHOOK_SECRET"}],
    }), encoding="utf-8")  # fmt: skip
    return config


def _run(command: list[str]) -> None:
    env = {**os.environ, "GOVWATCH_WEBHOOK_SECRET": SECRET}
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env, timeout=300)


def _killed(command: list[str], delay: float) -> None:
    env = {**os.environ, "GOVWATCH_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def _intact(db: str) -> None:
    if Path(db).exists():
        with contextlib.closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _state(directory: Path, db: str) -> tuple[dict[str, dict[str, Any]], set[str], list[str]]:
    with open_store(db) as store:
        documents = {r["url"]: {k: r[k] for k in DOCUMENT_KEYS} for r in store.records()}
        alerts = {a["key"] for a in store.alerts(limit=100000)}
    lines = [
        json.loads(line)["key"]
        for line in (directory / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return documents, alerts, lines


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_twenty_kills(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    def corpus(directory: Path) -> str:
        if backend == "sqlite":
            return str(directory / "govwatch.db")
        return str(request.getfixturevalue("pg_cluster").create_database())

    rng = random.Random(20231103)
    kills = 0
    with receiving(SlowReceiver) as port:
        hook = f"http://127.0.0.1:{port}/hook"
        with served_replica(60, BEFORE) as url:
            reference, interrupted = tmp_path / "reference", tmp_path / "interrupted"
            for directory in (reference, interrupted):
                directory.mkdir()
            reference_db, db = corpus(reference), corpus(interrupted)
            crawl = [sys.executable, "-m", "crawler", "crawl", "--replica", url, "--json"]
            run = [sys.executable, "-m", "crawler", "run", "--all", "--config"]

            # The uninterrupted run: a baseline crawl, time passes, one pass (crawl and deliver).
            set_day(url, BEFORE)
            _run([*crawl, "--db", reference_db])
            set_day(url, AFTER)
            _run([*run, str(_config(reference, url, hook, reference_db))])
            SlowReceiver.keys.clear()

            # The same, killed at random moments: 8 baseline crawls, 8 passes, 4 deliveries.
            config = _config(interrupted, url, hook, db)
            set_day(url, BEFORE)
            for _ in range(8):
                _killed([*crawl, "--db", db], rng.uniform(0.3, 2.2))
                kills += 1
                _intact(db)
            _run([*crawl, "--db", db])
            set_day(url, AFTER)
            for _ in range(8):
                _killed([*run, str(config)], rng.uniform(0.3, 3.0))
                kills += 1
                _intact(db)
            for _ in range(4):
                _killed([*run, str(config)], rng.uniform(1.0, 2.5))
                kills += 1
                _intact(db)
            _run([*run, str(config)])
    assert kills == 20
    documents, alerts, lines = _state(interrupted, db)
    want_documents, want_alerts, want_lines = _state(reference, reference_db)
    assert documents == want_documents
    assert alerts == want_alerts and alerts
    assert sorted(lines) == sorted(want_lines) and len(lines) == len(
        set(lines)
    )  # none lost, none twice
    # The webhook got every alert; a kill between a POST and its record may repeat one, with the
    # same Idempotency-Key, so that the receiver drops the repeat.
    assert set(SlowReceiver.keys) == alerts


def _versions_corpus(path: Path, documents: int = 300) -> None:
    """Three versions of each document (two old, one recent), raw responses that do not
    compress, and an alert on every tenth document's first version."""
    import hashlib

    from crawler.watch.alerts import Alert, due

    with open_store(path) as store:
        for number in range(documents):
            for version, at in enumerate(("2023-01-01", "2023-06-01", "2024-06-01"), 1):
                raw = b"".join(hashlib.sha256(f"{number}:{version}:{i}".encode()).digest()
                               for i in range(400))  # fmt: skip
                record = {"url": f"http://x.gov.cn/{number}.html", "title": f"答复{number}",
                          "body_text": f"第{version}稿", "kind": "reply", "attachments": [], "warnings": []}  # fmt: skip
                alerts = (
                    due([Alert("open-source", {})]) if version == 1 and number % 10 == 0 else None
                )
                store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                           fetched_at=f"{at}T00:00:00+00:00", status=200, headers={}, raw=raw,
                           etag=None, last_modified=None, run_id=None, alerts=alerts)  # fmt: skip


def _still_whole(path: Path, documents: int) -> int:
    """The corpus after a kill: intact, every document's latest version and every alerted
    version there with its raw response; how many old versions are left."""
    # Closed here, not when the garbage collector gets to it (a connection is in a reference
    # cycle): one left open keeps the write-ahead log's index alive under the next copy.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        latest = conn.execute(
            "SELECT COUNT(*) FROM documents d JOIN versions v ON v.document_id = d.id "
            "AND v.version = d.version WHERE v.raw IS NOT NULL"
        ).fetchone()[0]
        alerted = conn.execute(
            "SELECT COUNT(*) FROM alerts a JOIN versions v ON v.document_id = a.document_id "
            "AND v.version = a.version WHERE v.raw IS NOT NULL"
        ).fetchone()[0]
        left = conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    assert latest == documents and alerted == documents // 10
    return int(left) - documents


# `prune` as the command runs it, each SQL statement a little slowed (SQLite's trace callback
# runs as a statement starts), so that a kill lands inside its transactions and its VACUUM.
SLOW_PRUNE = """
import sys, time
from crawler.store import open_store
from crawler.store.prune import prune
store = open_store(sys.argv[1])
print("started", flush=True)
store.conn.set_trace_callback(lambda sql: time.sleep(0.1))
prune(store, "2024-01-01T00:00:00+00:00", versions=True)
"""


def _slow_prune(db: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", SLOW_PRUNE, str(db)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    assert process.stdout is not None and process.stdout.readline() == "started\n"
    return process


def _copy_corpus(original: Path, db: Path) -> None:
    """A fresh copy of a closed corpus: the file alone, the copy's old write-ahead log and its
    index removed first (SQLite would read their pages over the new file's)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(original.read_bytes())


def test_prune_killed_at_any_moment_leaves_the_corpus_whole(tmp_path: Path) -> None:
    documents = 300
    original = tmp_path / "original.db"
    _versions_corpus(original, documents)
    db = tmp_path / "corpus.db"
    _copy_corpus(original, db)
    started = time.monotonic()
    assert _slow_prune(db).wait() == 0
    duration = time.monotonic() - started
    assert _still_whole(db, documents) == documents // 10  # only the alerted old versions
    rng = random.Random(7)
    lefts = []
    for _ in range(6):
        _copy_corpus(original, db)
        process = _slow_prune(db)
        time.sleep(rng.uniform(0.0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        lefts.append(_still_whole(db, documents))
        # The next run takes up the rest.
        command = [
            sys.executable,
            "-m",
            "crawler",
            "prune",
            "--older-than",
            "2024-01-01",
            "--versions",
        ]
        subprocess.run([*command, "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
        assert _still_whole(db, documents) == documents // 10
    assert set(lefts) == {documents * 2, documents // 10}, lefts  # killed before or after a step
