"""Processes that open a fresh corpus at once (a scheduler and its crawl children) all end on
the newest schema: each migration runs once, the others see it done once they hold the lock."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from crawler.store import open_store
from crawler.store.schema import SCHEMA_VERSION


def _open(path: str, answers: multiprocessing.Queue[object]) -> None:
    try:
        with open_store(path) as store:
            answers.put(store.schema_version())
    except Exception as error:  # reported to the test, which names it
        answers.put(repr(error))


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for trial in range(3):
        path = str(tmp_path / f"corpus-{trial}.db")
        answers: multiprocessing.Queue[object] = context.Queue()
        processes = [context.Process(target=_open, args=(path, answers)) for _ in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert [answers.get(timeout=10) for _ in processes] == [SCHEMA_VERSION] * 4
