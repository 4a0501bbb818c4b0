"""No test reaches outside the machine: in the test process, sockets connect to loopback only."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

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


#: The files whose tests take longest: seconds of one worker in a full run on 2 cores
#: (`pytest --durations`), rounded. Only an order (`_spread`): a file missing here, or a
#: figure gone stale, costs time, never a test.
_LONGEST = {
    "reliability/test_crash_consistency.py": 196, "crawl/test_outcomes.py": 148,
    "crawl/test_defences.py": 138, "crawl/test_monitor.py": 118, "crawl/test_robustness.py": 117,
    "crawl/test_crawl.py": 54, "reliability/test_bad_input.py": 49, "cli/test_cli.py": 48,
    "crawl/test_scheduled_weeks.py": 48, "reliability/test_fault_matrix.py": 48,
    "crawl/test_new_families.py": 47, "crawl/test_postgres.py": 45,
    "attachments/test_bombs.py": 42, "run/test_nodes.py": 41, "store/test_backends.py": 40,
    "crawl/test_day_walk.py": 38, "run/test_metrics.py": 32, "crawl/test_cluster_demo.py": 31,
    "watch/test_notify.py": 26, "crawl/test_stand_ins.py": 24, "crawl/test_portals_add.py": 22,
    "crawl/test_attachments_crawl.py": 22, "fetch/test_robots.py": 19,
}  # fmt: skip


def _spread(items: list[pytest.Item], workers: int, name: Callable[[pytest.Item], str]) -> None:
    """The tests in the order that keeps every worker busy to the end. pytest-xdist's
    worksteal hands each worker an equal share of the tests, in order, and an idle worker then
    takes half of what a busy one has left, from its end. So the long files are dealt out
    first, each to the share with the least work yet (longest first), at the start of their
    shares; the other tests fill the shares in their own order. Each file's tests stay
    together, as their module fixtures want."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(name(item), []).append(item)
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    work = [0] * workers
    for file in sorted((f for f in files if f in _LONGEST), key=lambda f: -_LONGEST[f]):
        least = work.index(min(work))
        shares[least] += files[file]
        work[least] += _LONGEST[file]
    rest = [item for file, tests in files.items() if file not in _LONGEST for item in tests]
    ordered: list[pytest.Item] = []
    for index, share in enumerate(shares):
        size = (len(items) - len(ordered)) // (workers - index)  # (as xdist counts a share)
        taken = max(size - len(share), 0)
        ordered += share + rest[:taken]
        rest = rest[taken:]
    items[:] = ordered + rest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests `slow` (`make test-fast` leaves them out; `make test` runs all):
    the end-to-end folders, and tests that start a server, nodes or a browser. Under
    pytest-xdist, the long files are spread over the workers' shares (`_spread`)."""
    tests = config.rootpath / "tests"
    # (Each pytest-xdist worker collects and orders the tests itself; it knows how many there are.)
    workers = getattr(config, "workerinput", {}).get("workercount", 0)
    if workers > 1 and len(items) > workers:
        _spread(items, workers, lambda item: item.path.relative_to(tests).as_posix())
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
