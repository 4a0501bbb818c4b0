"""Prometheus metrics of govwatch schedule: the counters a pass moves, and /metrics read over HTTP
(urllib, as curl would) while a scheduled run crawls the replica."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from crawl_helpers import ROOT, free_block, served_replica
from prometheus_client import generate_latest

from crawler.config import Config, load_config
from crawler.run.metrics import Metrics, MetricsError, listen_address
from crawler.run.schedule import PassResult
from crawler.store import open_store
from crawler.watch.notify import Delivery


def _value(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include these."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:{{(.*)}})? (\S+)$", line)
        if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
            total += float(match.group(2))
    return total


def test_a_pass_moves_the_counters(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    with open_store(db) as store:
        store.add_alert("a:1", ["open-source"], {"title": "t"})
    config = Config(
        path=None, db=db, sinks=[{"type": "console"}, {"type": "jsonl", "name": "file"}]
    )
    metrics = Metrics()
    metrics.read_corpus(config)
    before = generate_latest(metrics.registry).decode()
    assert _value(before, "govwatch_alerts_queued") == 1
    assert _value(before, "govwatch_alert_deliveries_state", sink="file", state="pending") == 1
    result = PassResult(
        crawls={"govcn": {"status": "done", "documents_new": 5, "documents_changed": 2,
                          "documents_gone": 1, "finished_at": "2024-06-01T00:00:00+00:00"},
                "hubei-jxt": {"status": "blocked", "documents_new": 0}},
        delivery=Delivery(delivered=3, failed=1),
    )  # fmt: skip
    metrics.observe(config, result, 12.5)
    metrics.observe(config, PassResult(crawls={"govcn": {"status": "failed", "error": "boom"}}))
    text = generate_latest(metrics.registry).decode()
    assert _value(text, "govwatch_crawls_total", portal="govcn", outcome="done") == 1
    assert _value(text, "govwatch_crawls_total", portal="govcn", outcome="failed") == 1
    assert _value(text, "govwatch_documents_total", portal="govcn", change="new") == 5
    assert _value(text, "govwatch_documents_total", portal="govcn", change="gone") == 1
    assert _value(text, "govwatch_portal_blocked", portal="hubei-jxt") == 1
    assert _value(text, "govwatch_portal_blocked", portal="govcn") == 0
    assert _value(text, "govwatch_last_success_timestamp_seconds", portal="govcn") == 1717200000
    assert _value(text, "govwatch_alert_deliveries_total", outcome="delivered") == 3
    assert _value(text, "govwatch_alert_deliveries_total", outcome="failed") == 1
    assert _value(text, "govwatch_pass_seconds_count") == 1


def test_the_listening_address_and_the_config_key(tmp_path: Path) -> None:
    assert listen_address("9108") == ("127.0.0.1", 9108)
    assert listen_address("0.0.0.0:9200") == ("0.0.0.0", 9200)
    for bad in ("ninety", "0", "70000", "host:"):
        with pytest.raises(MetricsError, match="--metrics-port"):
            listen_address(bad)
    path = tmp_path / "govwatch.yaml"
    path.write_text("schedule: {metrics_port: 9108}\n", encoding="utf-8")
    assert load_config(path).metrics_port == "9108"


def _scrape(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return str(answer.read().decode())
    except OSError:
        return None


def test_metrics_move_during_a_scheduled_run(tmp_path: Path) -> None:
    port = free_block(1)
    with served_replica(40, 1400) as url:
        config = tmp_path / "govwatch.yaml"
        config.write_text(json.dumps({"db": "s.db", "replica": url, "sinks": [{"type": "jsonl", "path": "a.jsonl"}],
                                      "schedule": {"metrics_port": port}}), encoding="utf-8")  # fmt: skip
        scheduler = subprocess.Popen([sys.executable, "-m", "crawler", "schedule", "--config", str(config)],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        seen: list[float] = []
        text = ""
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and (not seen or seen[-1] < 4):
                scraped = _scrape(f"http://127.0.0.1:{port}/metrics")
                if scraped is not None:
                    text = scraped
                    seen.append(_value(text, "govwatch_crawls_total"))
                time.sleep(0.3)
        finally:
            scheduler.send_signal(signal.SIGTERM)
            _, err = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 0 and "Traceback" not in err
    assert seen and seen[0] < 4 <= seen[-1], seen  # the counter moved while we watched
    assert seen == sorted(seen)  # a counter never goes back
    assert _value(text, "govwatch_documents_total", change="new") > 0
    for portal in ("govcn", "hangzhou-gov", "hangzhou-jxj", "hubei-jxt"):
        assert _value(text, "govwatch_last_success_timestamp_seconds", portal=portal) > 1.6e9
        assert _value(text, "govwatch_crawls_total", portal=portal, outcome="done") == 1
    assert "govwatch_alert_deliveries_state" in text and 'sink="jsonl"' in text


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "crawler", "schedule", "--db", str(tmp_path / "x.db"),
                               "--metrics-port", str(port)], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)  # fmt: skip
    assert done.returncode == 2 and f"127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
