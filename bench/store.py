"""Store and search benchmarks: documents written per second with versions and the full-text
index, and search latency (p50, p95; a page of 20 hits, and the count of all hits) over a corpus
of realistic documents — on SQLite and, where PostgreSQL's server is installed, on a throwaway
PostgreSQL cluster beside it (same documents, same queries). `python -m bench.store --docs
100000` runs just these."""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.store import open_store
from replica.app import Replica
from replica.pgcluster import TempCluster, missing_reason

QUERIES = ("开源", "开源软件", "開源軟件", "何征宇", "数字经济", "集成电路产业", "营商环境", "openEuler",
           "建议的答复", "人工智能", "开源节流", "西湖31号", "中小企业数字化转型", "绿色低碳", "RISC-V")  # fmt: skip
COUNT_ROUNDS = 3


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
            db = stack.enter_context(TempCluster()).create_database("bench")
        else:
            db = str(Path(stack.enter_context(tempfile.TemporaryDirectory())) / "bench.db")
        store = stack.enter_context(open_store(db))
        started = time.perf_counter()
        for number, record in enumerate(records):
            portal = record.pop("portal")
            store.save(portal=portal, identity=f"{portal}:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2026-11-26T00:00:00+00:00", status=200, headers={}, raw=b"<html></html>",
                       etag=None, last_modified=None, run_id=None)  # fmt: skip
        written = time.perf_counter() - started
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
        **_percentiles("search", latencies),
        **_percentiles("count", counting),
    }


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
