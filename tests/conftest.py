"""No test reaches outside the machine: in the test process, sockets connect to loopback only."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from xdist_order import spread

_connect = socket.socket.connect

# Crawl tests meet the replica's challenges as a deployment without a browser does (they are
# reported as blocked); the browser's own tests (tests/crawl/test_defences.py) turn it on.
os.environ.setdefault("GOVWATCH_BROWSER", "off")


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"tests must not reach {host}: only loopback is allowed")
    return _connect(self, address)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster for the whole test session, on a unix socket only."""
    from replica.pgcluster import TempCluster, missing_reason

    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason="psycopg missing: pip install -e '.[dev]'")
    with TempCluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def corpus(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A new, empty corpus on each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "corpus.db")
    cluster = request.getfixturevalue("pg_cluster")
    return str(cluster.create_database())


#: Where the end-to-end tests live: whole crawls of the replica, the monitor, kills and faults.
_END_TO_END = ("crawl", "reliability")
#: What makes a test slow wherever it lives: a PostgreSQL server, Scrapyd nodes, Chromium.
_SLOW_FIXTURES = frozenset(("pg_cluster", "scrapyd_url"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests `slow` (`make test-fast` leaves them out; `make test` runs all):
    the end-to-end folders, and tests that start a server, nodes or a browser. Under
    pytest-xdist, the long files are spread over the workers' shares (`xdist_order.spread`)."""
    tests = config.rootpath / "tests"
    # (Each pytest-xdist worker collects and orders the tests itself; it knows how many there are.)
    workers = getattr(config, "workerinput", {}).get("workercount", 0)
    if workers > 1 and len(items) > workers:
        spread(items, workers, lambda item: item.path.relative_to(tests).as_posix())
    for item in items:
        parts = item.path.relative_to(tests).parts
        fixtures = set(getattr(item, "fixturenames", ()))
        param = getattr(getattr(item, "callspec", None), "params", {}).get("corpus")
        if (
            parts[0] in _END_TO_END
            or fixtures & _SLOW_FIXTURES
            or param == "postgresql"
            or "browser" in item.name
        ):
            item.add_marker(pytest.mark.slow)
