"""Two deliverers at once send each alert once (issue 24, item 1): on SQLite too, where two
`govwatch run`s 0.3 s apart once made 361 POSTs for 183 alerts. Each delivery is claimed before
it is sent; nothing is locked while it is sent; a dead deliverer's claim is freed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest
from delivery_helpers import DIES_MID_SEND, FileSink, receiving

import crawler.store.outbox
from crawler.store import Store, open_store
from crawler.watch.notify import WebhookSink, deliver

SECRET = "s3cret-for-claims"


class Counting(BaseHTTPRequestHandler):
    """A webhook receiver that counts every POST by its Idempotency-Key, a little slowly."""

    posts: ClassVar[Counter[str]] = Counter()
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.005)  # long enough for deliverers to overlap
        with Counting.lock:
            Counting.posts[self.headers["Idempotency-Key"]] += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Counting.posts = Counter()
    with receiving(Counting) as port:
        yield f"http://127.0.0.1:{port}/hook"


def _alerts(db: str, count: int, prefix: str = "h") -> list[str]:
    with open_store(db) as store:
        for number in range(count):
            store.add_health_alert(f"health:{prefix}:{number}", "p", {"message": f"m{number}"})
    return [f"health:{prefix}:{number}" for number in range(count)]


def test_two_deliverers_at_once_post_each_alert_once(corpus: str, receiver: str) -> None:
    keys = _alerts(corpus, 60)
    results: list[Any] = []

    def deliverer() -> None:
        with open_store(corpus) as own:
            results.append(deliver(own, [WebhookSink(receiver, SECRET)], retries=0))

    threads = [threading.Thread(target=deliverer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counting.posts == Counter(dict.fromkeys(keys, 1))  # each alert exactly once
    assert sum(result.delivered for result in results) == 60
    with open_store(corpus) as store:
        assert store.pending_count("webhook") == 0


_DELIVERER = """
import sys
from crawler.store import open_store
from crawler.watch.notify import WebhookSink, deliver
with open_store(sys.argv[1]) as store:
    result = deliver(store, [WebhookSink(sys.argv[2], "s")], retries=0)
print(result.delivered)
"""


def test_two_processes_delivering_at_once_post_each_alert_once(
    tmp_path: Path, receiver: str
) -> None:
    """As two `govwatch run`s on one SQLite corpus did, 0.1 s apart."""
    db = str(tmp_path / "c.db")
    keys = _alerts(db, 120)
    command = [sys.executable, "-c", _DELIVERER, db, receiver]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    time.sleep(0.1)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    delivered = [int(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert Counting.posts == Counter(dict.fromkeys(keys, 1))
    assert sum(delivered) == 120 and min(delivered) > 0  # both took part, neither twice


class _Writing:
    """A sink that writes to the corpus from another connection while it sends: it can only if
    the deliverer holds no write lock meanwhile."""

    name, batch = "writing", False

    def __init__(self, path: str) -> None:
        self.path = path
        self.wrote = 0

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        conn = sqlite3.connect(self.path, timeout=0.5, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # 'database is locked' if the deliverer held it
            conn.execute("COMMIT")
            self.wrote += 1
        finally:
            conn.close()


def test_no_write_lock_is_held_while_an_alert_is_sent(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    _alerts(db, 3)
    sink = _Writing(db)
    with open_store(db) as store:
        result = deliver(store, [sink], retries=0)  # type: ignore[list-item]
    assert (result.delivered, result.errors, sink.wrote) == (3, [], 3)


def test_a_deliverer_killed_mid_send_leaves_only_the_alert_in_flight(tmp_path: Path) -> None:
    """Its claim belonged to a process of this machine that is gone: free at once, and only
    the alert it was sending goes again."""
    db = str(tmp_path / "c.db")
    keys = _alerts(db, 8, "k")
    received = tmp_path / "received.txt"
    killed = subprocess.run([sys.executable, "-c", DIES_MID_SEND, db, str(received)], timeout=60)
    assert killed.returncode == -9
    with open_store(db) as store:
        result = deliver(store, [FileSink(received)], retries=0)  # type: ignore[list-item]
        assert store.pending_count("file") == 0
    assert result.delivered == 5
    sent = received.read_text().split()
    assert sorted(set(sent)) == sorted(keys)
    assert [key for key in set(sent) if sent.count(key) > 1] == ["health:k:3"]


def test_a_claim_is_skipped_while_it_lasts_and_taken_once_it_expires(
    corpus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alerts(corpus, 3, "c")
    sent: list[str] = []

    class Sink:
        name, batch = "held", False

        def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
            sent.extend(alert["key"] for alert in alerts)

    with open_store(corpus) as holder, open_store(corpus) as other:
        holder.open_deliveries("held")
        with holder.claim_pending("held", limit=1) as group:  # a deliverer sending #1
            assert [alert["key"] for alert in group] == ["health:c:0"]
            assert deliver(other, [Sink()]).delivered == 2  # type: ignore[list-item]
            assert sent == ["health:c:1", "health:c:2"]
            if corpus.startswith("postgresql"):
                return  # a row lock lasts as long as its holder's transaction: no lease
            later = time.time() + crawler.store.outbox.LEASE_SECONDS + 1
            monkeypatch.setattr(crawler.store.outbox.time, "time", lambda: later)
            assert deliver(other, [Sink()]).delivered == 1  # type: ignore[list-item]
            assert sent == ["health:c:1", "health:c:2", "health:c:0"]
