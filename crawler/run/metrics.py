"""Prometheus metrics of `govwatch schedule` (`--metrics-port`, or `schedule: {metrics_port: …}`
in govwatch.yaml): an HTTP endpoint `/metrics` fed from each scheduler pass's result and the
outbox, for an operator's Prometheus and its alert rules (docs/metrics.md).

- `govwatch_crawls_total{portal,outcome}`: crawls by outcome (done, blocked, failed, interrupted);
- `govwatch_documents_total{portal,change}`: documents new, changed and gone;
- `govwatch_alerts_queued`: alerts in the outbox (every alert ever raised: they are kept);
- `govwatch_alert_deliveries_state{sink,state}`: per sink, alerts delivered, failed at their
  last try, and pending;
- `govwatch_alert_deliveries_total{outcome}`: deliveries made and failed by the passes;
- `govwatch_last_success_timestamp_seconds{portal}`: when the portal's last good crawl finished;
- `govwatch_portal_blocked{portal}`: 1 while its last crawl was blocked;
- `govwatch_pass_seconds`: how long passes take.

The figures kept in the corpus (last success, blocked, the outbox) are read from it when the
endpoint starts, so a restarted scheduler shows them at once; counters count from the start.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from crawler.clock import utcnow
from crawler.config import Config
from crawler.run import schedule
from crawler.run.schedule import PassResult, crawl_status, portal_run
from crawler.store import StoreError, open_store
from crawler.store.stats import alerts_count, deliveries_by_sink
from crawler.watch.notify import sink_name


class MetricsError(ValueError):
    """A --metrics-port that is no port."""


def listen_address(value: str | int) -> tuple[str, int]:
    """`9108` (this machine only: 127.0.0.1) or `HOST:PORT` (e.g. 0.0.0.0:9108 for a Prometheus
    elsewhere) as (host, port)."""
    text = str(value).strip()
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise MetricsError(f"--metrics-port {value!r}: give a port (9108) or HOST:PORT "
                           "(0.0.0.0:9108 to be scraped from another machine)")  # fmt: skip
    return host.strip("[]") or "127.0.0.1", int(port)


class Metrics:
    """The scheduler's metrics, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.crawls = Counter("govwatch_crawls", "Crawls by portal and outcome",
                              ["portal", "outcome"], registry=r)  # fmt: skip
        self.documents = Counter("govwatch_documents", "Documents new, changed and gone",
                                 ["portal", "change"], registry=r)  # fmt: skip
        self.delivered = Counter("govwatch_alert_deliveries", "Alert deliveries made by passes",
                                 ["outcome"], registry=r)  # fmt: skip
        self.queued = Gauge("govwatch_alerts_queued", "Alerts in the outbox", registry=r)
        self.sinks = Gauge("govwatch_alert_deliveries_state", "Alert deliveries per sink and state "
                           "(delivered, failed, pending)", ["sink", "state"], registry=r)  # fmt: skip
        self.success = Gauge("govwatch_last_success_timestamp_seconds",
                             "When the portal's last good crawl finished (Unix time)", ["portal"], registry=r)  # fmt: skip
        self.blocked = Gauge("govwatch_portal_blocked", "1 while the portal's last crawl was blocked",
                             ["portal"], registry=r)  # fmt: skip
        self.passes = Histogram("govwatch_pass_seconds", "Seconds a scheduler pass takes",
                                buckets=(1, 10, 60, 300, 900, 1800, 3600, 7200), registry=r)  # fmt: skip
        self._lock = threading.Lock()

    def observe(self, config: Config, result: PassResult, seconds: float | None = None) -> None:
        """A pass's crawls and deliveries, then the outbox as it stands."""
        with self._lock:
            for portal, summary in result.crawls.items():
                outcome = crawl_status(summary)
                self.crawls.labels(portal, outcome).inc()
                for change in ("new", "changed", "gone"):
                    self.documents.labels(portal, change).inc(
                        summary.get(f"documents_{change}") or 0
                    )
                self.blocked.labels(portal).set(int(outcome == "blocked"))
                if outcome == "done":
                    finished = summary.get("finished_at")
                    self.success.labels(portal).set(
                        _seconds(finished) if finished else utcnow().timestamp()
                    )
            self.delivered.labels("delivered").inc(result.delivery.delivered)
            self.delivered.labels("failed").inc(result.delivery.failed)
            if seconds is not None:
                self.passes.observe(seconds)
            self.read_outbox(config)

    def read_corpus(self, config: Config) -> None:
        """What the corpus already says: each portal's last good crawl and whether it is blocked."""
        try:
            store = open_store(config.db, readonly=True)
        except StoreError:
            return  # no corpus yet: the first crawl makes it
        with store:
            for row in store.runs(finished=True):
                for portal in json.loads(row["portals"] or "[]"):
                    status = portal_run(row, portal)["status"]
                    self.blocked.labels(portal).set(int(status == "blocked"))
                    if status == "done":
                        self.success.labels(portal).set(
                            _seconds(row["finished_at"] or row["started_at"])
                        )
        self.read_outbox(config)

    def read_outbox(self, config: Config) -> None:
        try:
            store = open_store(config.db, readonly=True)
        except StoreError:
            return  # no corpus yet
        with store:
            self.queued.set(alerts_count(store))
            states = deliveries_by_sink(store)
            for index, entry in enumerate(config.sinks):
                name = sink_name(entry, index)
                found = states.get(name, {})
                self.sinks.labels(name, "delivered").set(found.get("delivered", 0))
                self.sinks.labels(name, "failed").set(found.get("failed", 0))
                self.sinks.labels(name, "pending").set(store.pending_count(name))


def _seconds(value: str) -> float:
    return dt.datetime.fromisoformat(value).timestamp()


#: The endpoint's metrics while `govwatch schedule` runs with one (None: no endpoint).
active: Metrics | None = None


def start(config: Config, listen: str | int) -> tuple[str, int]:
    """Serve /metrics at `listen` (see `listen_address`) in a thread; the address it serves."""
    global active
    host, port = listen_address(listen)
    metrics = Metrics()
    metrics.read_corpus(config)
    try:
        start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as error:
        raise MetricsError(f"--metrics-port {listen}: cannot listen on {host}:{port}: "
                           f"{error.strerror or error}; choose another port (or is another govwatch schedule "
                           "serving it?)") from None  # fmt: skip
    active = metrics
    schedule.observers.append(metrics.observe)  # each scheduled pass is counted
    return host, port


__all__ = ["Metrics", "MetricsError", "listen_address", "start"]
