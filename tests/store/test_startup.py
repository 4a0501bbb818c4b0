"""A command's start: opening a SQLite corpus loads neither pandas nor numpy (sqlite-utils would,
where they are installed: a third of a second of every command), and pandas still works after."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("pandas", reason="pandas missing: pip install -e '.[dev]'")

PROBE = """
import sys
from crawler.store import open_store
with open_store(sys.argv[1]) as store:
    store.counts()
print(sorted(name for name in ("pandas", "numpy") if name in sys.modules))
import pandas
print(pandas.DataFrame({"a": [1]}).shape)
"""


def test_a_corpus_opens_without_pandas_and_pandas_works_after(tmp_path: object) -> None:
    db = f"{tmp_path}/corpus.db"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, db], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "(1, 1)"]


def test_pandas_loaded_first_is_left_alone() -> None:
    probe = "import pandas, sys; import crawler.store.sqlite as s; print(s.sqlite_utils.db.pd is pandas)"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "True", result.stderr
