"""Export benchmarks: seconds and bytes of each export format over one replica corpus — JSONL
beside Parquet (one file, and partitioned by portal and year), XLSX and the Excel CSV — and the
Parquet read back in DuckDB and pandas with the same count (`python -m bench.export --docs
10000` runs just these)."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.store import Store, open_store
from crawler.store.export import Request, export
from replica.app import Replica

#: (label, format, options) of each export measured.
EXPORTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("jsonl", "jsonl", {}),
    ("parquet", "parquet", {}),
    ("parquet_partitioned", "parquet", {"partition": True}),
    ("csv_excel", "csv", {"excel": True}),
    ("xlsx", "xlsx", {}),
)


def build_corpus(path: Path, documents: int, seed: int = 1) -> int:
    """A corpus of `documents` replica documents (their true records), as a crawl stores them:
    replies with their fields, attachments, dates in China's zone. The number stored."""
    replica = Replica(documents // 3 + 10, 1425, seed)  # some are gone by the day: enough
    stored = 0
    with open_store(path) as store:
        for record in replica.truth():
            if stored == documents:
                break
            portal = record.pop("portal")
            _save(store, portal, stored, record)
            stored += 1
    return stored


def _save(store: Store, portal: str, number: int, record: dict[str, Any]) -> None:
    store.save(portal=portal, identity=f"{portal}:{number}", record=record, fetched_url=record["url"],
               fetched_at="2026-11-26T00:00:00+00:00", status=200, headers={}, raw=b"<html></html>",
               etag=None, last_modified=None, run_id=None)  # fmt: skip


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*.parquet"))
    return path.stat().st_size


def read_back(path: Path) -> dict[str, Any]:
    """The rows DuckDB and pandas read from a Parquet file or partitioned directory, and the
    type each gives the publication time (a time in China's zone, for both)."""
    import duckdb
    import pandas  # type: ignore[import-untyped]

    source = f"read_parquet('{f'{path}/**/*.parquet' if path.is_dir() else path}', hive_partitioning = true)"
    db = duckdb.connect()
    count = db.execute(f"SELECT COUNT(*) FROM {source}").fetchall()[0][0]
    kind = dict(
        db.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})"
        ).fetchall()
    )
    frame = pandas.read_parquet(path, columns=["published_at"])
    return {"duckdb": int(count), "pandas": len(frame),
            "types": (kind["published_at"], str(frame["published_at"].dtype))}  # fmt: skip


def measure(documents: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        db = root / "corpus.db"
        stored = build_corpus(db, documents)
        results: dict[str, Any] = {"export_documents": stored}
        with open_store(db, readonly=True) as store:
            for label, form, options in EXPORTS:
                suffix = {"jsonl": ".jsonl", "csv": ".csv", "xlsx": ".xlsx"}.get(form, "")
                target = root / f"{label}{suffix or ('' if options else '.parquet')}"
                started = time.perf_counter()
                done = export(store, Request(form=form, output=str(target), **options))
                results[f"export_{label}_s"] = round(time.perf_counter() - started, 2)
                results[f"export_{label}_mb"] = round(size_of(target) / 1e6, 2)
                assert done.count == stored, (label, done.count, stored)
        for label in ("parquet", "parquet_partitioned"):
            target = root / (label + (".parquet" if label == "parquet" else ""))
            found = read_back(target)
            same = found["duckdb"] == found["pandas"] == stored
            typed = found["types"] == ("TIMESTAMP WITH TIME ZONE", "datetime64[ms, Asia/Shanghai]")
            results[f"export_{label}_read_back"] = "ok" if same and typed else found
    return results


def lines(results: dict[str, Any]) -> list[str]:
    """The export figures as a table, each format beside JSONL."""
    out = [
        f"\nexport of {results['export_documents']:,} documents: {'format':20} {'s':>7} {'MB':>8}"
    ]
    for label, _, _ in EXPORTS:
        out.append(
            f"{'':35}{label:20} {results[f'export_{label}_s']:>7} {results[f'export_{label}_mb']:>8}"
        )
    out.append(f"{'':35}Parquet read back in DuckDB and pandas: {results['export_parquet_read_back']}, "
               f"partitioned: {results['export_parquet_partitioned_read_back']}")  # fmt: skip
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--docs", type=int, default=10000)
    options = parser.parse_args()
    measured = measure(options.docs)
    print(json.dumps(measured, indent=2))
    print("\n".join(lines(measured)))
