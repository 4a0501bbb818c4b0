"""Store and search benchmarks: documents written per second with versions and the full-text
index, and search latency (p50, p95) over a corpus of realistic documents."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.replica.app import Replica
from crawler.store import Store

QUERIES = ("开源", "开源软件", "開源軟件", "何征宇", "数字经济", "集成电路产业", "营商环境", "openEuler",
           "建议的答复", "人工智能", "开源节流", "西湖31号", "中小企业数字化转型", "绿色低碳", "RISC-V")  # fmt: skip


def measure(documents: int, rounds: int = 20) -> dict[str, Any]:
    per_site = documents // 4 + 1
    replica = Replica(per_site, 1425, 1)
    records = []
    for record in replica.truth():
        records.append(record)
        if len(records) == documents:
            break
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        for number, record in enumerate(records):
            portal = record.pop("portal")
            store.save(portal=portal, identity=f"{portal}:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2026-11-26T00:00:00+00:00", status=200, headers={}, raw=b"<html></html>",
                       etag=None, last_modified=None, run_id=None)  # fmt: skip
        written = time.perf_counter() - started
        latencies = []
        for _ in range(rounds):
            for query in QUERIES:
                begin = time.perf_counter()
                store.search(query, limit=20)
                latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()
    return {
        "store_documents": len(records),
        "store_docs_per_s": round(len(records) / written, 1),
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
    }
