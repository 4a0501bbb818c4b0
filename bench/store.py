"""Store and search benchmarks: documents written per second with versions and the full-text
index, and search latency (p50, p95; a page of 20 hits, and the count of all hits) over a corpus
of realistic documents — on SQLite and, where PostgreSQL's server is installed, on a throwaway
PostgreSQL cluster beside it (same documents, same queries). `python -m bench.store --docs
100000` runs just these."""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.store import Save, Store, open_store
from pipelines.store import BATCH_SIZE
from replica.app import Replica
from replica.pgcluster import TempCluster, missing_reason

QUERIES = ("开源", "开源软件", "開源軟件", "何征宇", "数字经济", "集成电路产业", "营商环境", "openEuler",
           "建议的答复", "人工智能", "开源节流", "西湖31号", "中小企业数字化转型", "绿色低碳", "RISC-V")  # fmt: skip
#: PostgreSQL as a server of its own is set up: its cache (128 MB by default, for small
#: machines) holding the corpus, as the OS cache holds SQLite's file. PostgreSQL's manual
#: advises a quarter of the memory; at 100k documents (the table 282 MB), 128 MB doubled the
#: time of a count.
PG_SETTINGS = {"shared_buffers": "1GB"}
COUNT_ROUNDS = 3
WRITERS = 4  # processes writing at once in the second measure


def measure(documents: int, rounds: int = 20, backend: str = "sqlite") -> dict[str, Any]:
    per_site = documents // 4 + 1
    replica = Replica(per_site, 1425, 1)
    records = []
    for record in replica.truth():
        records.append(record)
        if len(records) == documents:
            break
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            cluster = stack.enter_context(TempCluster(settings=PG_SETTINGS))
            db, shared = cluster.create_database("bench"), cluster.create_database("together")
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            db, shared = str(folder / "bench.db"), str(folder / "together.db")
        store = stack.enter_context(open_store(db))
        started = time.perf_counter()
        _save_all(store, list(enumerate(records)))
        written = time.perf_counter() - started
        together = _written_together(shared, records, WRITERS)
        latencies, counting = [], []
        for round_ in range(rounds):
            for query in QUERIES:
                begin = time.perf_counter()
                store.search(query, limit=20)
                latencies.append((time.perf_counter() - begin) * 1000)
                if round_ < COUNT_ROUNDS:  # the total `govwatch search` prints beside a page
                    begin = time.perf_counter()
                    store.search_count(query)
                    counting.append((time.perf_counter() - begin) * 1000)
    return {
        "store_documents": len(records),
        "store_docs_per_s": round(len(records) / written, 1),
        f"store_docs_per_s_{WRITERS}_writers": round(len(records) / together, 1),
        **_percentiles("search", latencies),
        **_percentiles("count", counting),
    }


def _save_all(store: Store, numbered: list[tuple[int, dict[str, Any]]]) -> None:
    """Save the documents as a crawl's store pipeline does: `BATCH_SIZE` a transaction."""
    saves = []
    for number, record in numbered:
        record = dict(record)
        portal = record.pop("portal")
        saves.append(Save(portal=portal, identity=f"{portal}:{number}", record=record,
                          fetched_url=record["url"], fetched_at="2026-11-26T00:00:00+00:00",
                          status=200, headers={}, raw=b"<html></html>"))  # fmt: skip
    for start in range(0, len(saves), BATCH_SIZE):
        store.save_many(saves[start : start + BATCH_SIZE])


def _written_together(db: str, records: list[dict[str, Any]], writers: int) -> float:
    """Seconds for `writers` processes, each with its share of the documents, to write them
    into one new corpus at once: what nodes (or crawls run side by side) do. SQLite takes one
    writer at a time; PostgreSQL all of them."""
    open_store(db).close()  # migrated before the writers start
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(writers + 1)
    numbered = list(enumerate(records))
    processes = [
        context.Process(target=_writer, args=(db, numbered[share::writers], ready))
        for share in range(writers)
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=120)  # every writer has its store open
    started = time.perf_counter()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer failed (exit {process.exitcode})")
    return time.perf_counter() - started


def _writer(db: str, numbered: list[tuple[int, dict[str, Any]]], ready: Any) -> None:
    with open_store(db) as store:
        ready.wait(timeout=120)
        _save_all(store, numbered)


def _percentiles(name: str, latencies: list[float]) -> dict[str, float]:
    latencies = sorted(latencies)
    return {
        f"{name}_p50_ms": round(statistics.median(latencies), 2),
        f"{name}_p95_ms": round(latencies[max(int(len(latencies) * 0.95) - 1, 0)], 2),
    }


def side_by_side(documents: int, rounds: int = 20) -> dict[str, Any]:
    """SQLite's figures, and PostgreSQL's under `pg_` (or why they are missing)."""
    results = measure(documents, rounds)
    reason = missing_reason()
    if reason:
        results["pg_skipped"] = reason
        return results
    pg = measure(documents, rounds, backend="postgresql")
    results.update({f"pg_{key}": value for key, value in pg.items() if key != "store_documents"})
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--docs", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    print(json.dumps(side_by_side(options.docs, options.rounds), indent=2))
