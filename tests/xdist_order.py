"""The suite's order under pytest-xdist: the longest test files first, dealt out over the
workers' shares (tests/conftest.py applies it). A module of its own, not conftest's: several
conftest.py files share that module name, and a test importing it would get any of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

#: The files whose tests take longest: seconds of one worker in a full run on 2 cores
#: (`pytest --durations`), rounded. Only an order (`spread`): a file missing here, or a
#: figure gone stale, costs time, never a test.
LONGEST = {
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


def spread(items: list[pytest.Item], workers: int, name: Callable[[pytest.Item], str]) -> None:
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
    for file in sorted((f for f in files if f in LONGEST), key=lambda f: -LONGEST[f]):
        least = work.index(min(work))
        shares[least] += files[file]
        work[least] += LONGEST[file]
    rest = [item for file, tests in files.items() if file not in LONGEST for item in tests]
    ordered: list[pytest.Item] = []
    for index, share in enumerate(shares):
        size = (len(items) - len(ordered)) // (workers - index)  # (as xdist counts a share)
        taken = max(size - len(share), 0)
        ordered += share + rest[:taken]
        rest = rest[taken:]
    items[:] = ordered + rest
