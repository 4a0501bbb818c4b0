"""The corpus as Parquet, typed: times as timestamps in China's zone, dates as dates, the reply
and the attachments as structs and lists — so DuckDB, pandas, Polars and Spark read it without a
parser. One file, or a directory partitioned Hive-style by portal and year
(`portal=hangzhou-jxj/year=2023/part-….parquet`), to which a later export with `--since` adds
its own files beside the earlier ones.

Needs pyarrow: `pip install 'govwatch[export]'`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crawler.clock import CHINA, utcnow
from crawler.store.export.records import FIELDS, FILE_KEYS, REPLY_KEYS, YEAR_OF, Field, moment

BATCH = 2000  # rows a batch: memory stays flat on a corpus of any size
ZONE = "Asia/Shanghai"


class MissingPyarrow(RuntimeError):
    """Parquet was asked for where pyarrow is not installed."""


def _arrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise MissingPyarrow(
            "--format parquet needs pyarrow, which this installation lacks; "
            "pip install 'govwatch[export]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def arrow_type(field: Field) -> Any:
    """The Arrow type of a field (`crawler.store.export.records.Field.type`)."""
    pa = _arrow()
    text, moment = pa.string(), pa.timestamp("s", tz=ZONE)
    strings = pa.list_(text)
    nested = {
        "reply": pa.struct([
            (key, strings if key == "co_agencies" else pa.date32() if key == "signed_date" else text)
            for key in REPLY_KEYS]),
        "links": pa.list_(pa.struct([("url", text), ("name", text), ("type", text)])),
        "files": pa.list_(pa.struct([
            (key, {"size": pa.int64(), "page_count": pa.int32(), "ocr": pa.bool_(),
                   "ocr_confidence": pa.float64(), "fetched_at": moment,
                   "warnings": strings}.get(key, text))
            for key in FILE_KEYS])),
        "evidence": pa.struct([("kind", strings)]),
        "deliveries": pa.list_(pa.struct([
            ("sink", text), ("status", text), ("attempts", pa.int32()), ("last_error", text),
            ("updated_at", moment)])),
    }  # fmt: skip
    plain = {"string": text, "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32(), "timestamp": moment, "strings": strings}  # fmt: skip
    return plain.get(field.type) or nested[field.type]


def schema(what: str) -> Any:
    pa = _arrow()
    return pa.schema([(field.name, arrow_type(field)) for field in FIELDS[what]])


def day(value: Any) -> dt.date | None:
    found = moment(value)
    return found.date() if found else None


def _typed(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "timestamp":
        return moment(value)
    if kind == "date":
        return day(value)
    if kind == "reply":
        return {key: day(value.get(key)) if key == "signed_date"
                else value.get(key) or ([] if key == "co_agencies" else None)
                for key in REPLY_KEYS}  # fmt: skip
    if kind == "files":
        return [{**file, "fetched_at": moment(file.get("fetched_at")),
                 "warnings": file.get("warnings") or []} for file in value]  # fmt: skip
    if kind == "deliveries":
        return [{**d, "updated_at": moment(d.get("updated_at"))} for d in value]
    if kind == "evidence":
        return {"kind": list(value.get("kind") or [])} if isinstance(value, dict) else None
    return value


def typed_rows(rows: Iterable[dict[str, Any]], what: str) -> Iterator[dict[str, Any]]:
    """Rows with their values as the schema types them."""
    fields = FIELDS[what]
    for row in rows:
        yield {field.name: _typed(row.get(field.name), field.type) for field in fields}


def _batches(rows: Iterable[dict[str, Any]], what: str) -> Iterator[Any]:
    pa = _arrow()
    target = schema(what)
    batch: list[dict[str, Any]] = []
    for row in typed_rows(rows, what):
        batch.append(row)
        if len(batch) == BATCH:
            yield pa.Table.from_pylist(batch, schema=target)
            batch = []
    if batch:
        yield pa.Table.from_pylist(batch, schema=target)


def write_file(rows: Iterable[dict[str, Any]], path: Path, what: str) -> int:
    """One Parquet file (zstd), written batch by batch."""
    _arrow()  # says how to install it, where it is missing
    import pyarrow.parquet as pq

    count = 0
    with pq.ParquetWriter(str(path), schema(what), compression="zstd") as writer:
        for table in _batches(rows, what):
            writer.write_table(table)
            count += table.num_rows
    if count == 0:  # an empty export is still a readable file with its schema
        pq.write_table(schema(what).empty_table(), str(path), compression="zstd")
    return count


_UNSAFE = re.compile(r"[^\w.\-]")


def partition_key(row: dict[str, Any], what: str) -> tuple[str, str]:
    """(portal, year) of a typed row, as directory names; unknown ones as `unknown`."""
    portal = _UNSAFE.sub("_", str(row.get("portal") or "unknown"))
    when = row.get(YEAR_OF[what])
    return portal, str(when.astimezone(CHINA).year) if when else "unknown"


def write_partitioned(
    rows: Iterable[dict[str, Any]], root: Path, what: str
) -> tuple[int, list[Path]]:
    """A directory `portal=…/year=…/part-<time>.parquet`: one file per partition per export,
    named by the export's time so that a later (incremental) export adds files and never
    overwrites one. Readers see `portal` and `year` as columns (Hive partitioning)."""
    pa = _arrow()
    import pyarrow.parquet as pq

    target = schema(what)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    writers: dict[tuple[str, str], Any] = {}
    buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    files: list[Path] = []
    count = 0

    def flush(key: tuple[str, str]) -> None:
        if key not in writers:
            folder = root / f"portal={key[0]}" / f"year={key[1]}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"part-{stamp}.parquet"
            suffix = 1
            while path.exists():  # two exports in one second
                path = folder / f"part-{stamp}-{suffix}.parquet"
                suffix += 1
            files.append(path)
            writers[key] = pq.ParquetWriter(
                str(path), _without_partitions(target), compression="zstd"
            )
        table = pa.Table.from_pylist(buffers.pop(key), schema=target)
        writers[key].write_table(table.drop_columns(["portal"]))

    try:
        for row in typed_rows(rows, what):
            key = partition_key(row, what)
            buffers.setdefault(key, []).append(row)
            count += 1
            if len(buffers[key]) >= BATCH:
                flush(key)
        for key in list(buffers):
            flush(key)
    finally:
        for writer in writers.values():
            writer.close()
    return count, files


def _without_partitions(target: Any) -> Any:
    """The schema stored inside a partition's file: `portal` lives in the directory name."""
    return target.remove(target.get_field_index("portal"))
