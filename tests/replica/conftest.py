"""Replica fixtures: an in-process replica for pure tests, a served one in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from replica_helpers import free_block

from replica.app import Replica
from replica.sites import SITES


@pytest.fixture(scope="session")
def replica() -> Replica:
    return Replica(docs=300, day=1425, seed=1)


FAULTS = "hangzhou-jxj:/faulty/*=503;hubei-jxt:/slow/*=slow:0.3;govcn:/reset/*=reset;govcn:/trunc/*=truncate"


@pytest.fixture(scope="session")
def served() -> Iterator[dict[str, str]]:
    """A replica served in a child process; yields portal name → origin."""
    port = free_block(len(SITES))
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "replica", "serve", "--docs", "300", "--day", "1425",
         "--port", str(port), "--faults", FAULTS],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    try:
        yield json.loads(line)["sites"]
    finally:
        process.terminate()
        process.wait(timeout=10)
