"""Export the corpus — its documents, their versions or the alerts — in the format its reader
wants, every record with its provenance, and a data set card beside it.

- `jsonl`, `csv`, `warc` (`text`): for programs, and the raw responses as fetched;
- `parquet` (`parquet`): typed columns for DuckDB, pandas and friends; one file or a directory
  partitioned by portal and year;
- `xlsx` and `csv` with `excel` (`excel`): for the analyst who opens files in Excel;
- the card (`card`): `_DATASET.md` in a partitioned directory, `<name>.DATASET.md` beside a
  file, or
  returned for the caller to print where the export went to standard output.

`export()` is the one entry point; `records` says what each table holds."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from crawler.store.base import Store
from crawler.store.export import card as cards
from crawler.store.export import excel, parquet, records
from crawler.store.export.parquet import MissingPyarrow
from crawler.store.export.records import FILE_KEYS, PROVENANCE, WHATS
from crawler.store.export.text import csv_rows, jsonl_lines, write_warc

FORMATS = ("jsonl", "csv", "warc", "parquet", "xlsx")
#: Wraps the rows with a progress display: (rows, total, label) → the same rows.
Progress = Callable[[Iterable[dict[str, Any]], int, str], Iterable[dict[str, Any]]]

__all__ = ["FILE_KEYS", "FORMATS", "PROVENANCE", "WHATS", "ExportError", "Exported",
           "MissingPyarrow", "Request", "export", "rows", "write_csv", "write_jsonl",
           "write_warc"]  # fmt: skip


class ExportError(ValueError):
    """An export that cannot be made as asked; the message says what to give instead."""


@dataclass
class Request:
    """What to export, how, and where (`output`: a file, a directory for `partition`, or None
    for standard output)."""

    what: str = "documents"
    form: str = "jsonl"
    output: str | None = None
    kind: str | None = None
    since: str | None = None
    partition: bool = False
    excel: bool = False


@dataclass
class Exported:
    count: int
    files: list[Path] = field(default_factory=list)
    card: str = ""
    card_path: Path | None = None  # None: the caller shows the card (a standard-output export)


def rows(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    """Every document as JSONL exports it."""
    return records.documents(store, kind, since)


def write_jsonl(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    """The documents as JSON lines; how many."""
    return jsonl_lines(records.documents(store, kind, since), out)


def write_csv(store: Store, out: IO[str], kind: str | None, since: str | None) -> int:
    """The documents as CSV (nested values as JSON); how many."""
    return csv_rows(records.documents(store, kind, since), out)


def check(request: Request) -> None:
    """Refuse a request that cannot be met, before anything is read or written."""
    where = request.output
    if request.form not in FORMATS:
        raise ExportError(f"--format {request.form}: use one of {', '.join(FORMATS)}")
    if request.what not in WHATS:
        raise ExportError(f"--what {request.what}: use one of {', '.join(WHATS)}")
    if request.form == "warc" and request.what != "documents":
        raise ExportError("--format warc holds the documents' raw responses; use --what "
                          "documents, or another format for versions and alerts")  # fmt: skip
    if request.partition and request.form != "parquet":
        raise ExportError("--partition splits a Parquet export; add --format parquet")
    if request.excel and request.form != "csv":
        raise ExportError("--excel shapes a CSV for Excel; use it with --format csv "
                          "(--format xlsx writes a workbook)")  # fmt: skip
    if request.form in ("parquet", "xlsx") and not where:
        raise ExportError(f"--format {request.form} writes a binary file: give -o FILE"
                          + (" (a directory with --partition)" if request.partition else ""))  # fmt: skip
    if request.partition and where and Path(where).exists() and not Path(where).is_dir():
        raise ExportError(f"-o {where}: --partition writes a directory, and this is a file; "
                          "give a directory (new or one an earlier export wrote)")  # fmt: skip
    if request.form == "parquet":
        parquet.schema(request.what)  # pyarrow is installed, or a message says how


def export(
    store: Store, request: Request, progress: Progress | None = None,
    stdout: IO[str] | None = None,
) -> Exported:  # fmt: skip
    """Write the export and its card. `progress` wraps the rows (a terminal's progress line);
    `stdout` is where a text export without an output goes (default: standard output)."""
    check(request)
    what, form = request.what, request.form
    tally = cards.Tally(what)
    if form == "warc":
        found: Iterable[dict[str, Any]] = []
    else:
        found = records.source(store, what, request.kind, request.since)
        if progress is not None:
            total = records.count(store, what, request.kind, request.since)
            found = progress(found, total, f"export {what}")
        found = tally.count(found)
    out = Path(request.output) if request.output else None
    result = Exported(0)
    with contextlib.ExitStack() as stack:
        if form == "parquet" and request.partition:
            assert out is not None
            out.mkdir(parents=True, exist_ok=True)
            result.count, result.files = parquet.write_partitioned(found, out, what)
        elif form == "parquet":
            assert out is not None
            result.count, result.files = parquet.write_file(found, out, what), [out]
        elif form == "xlsx":
            assert out is not None
            result.count, result.files = excel.write_xlsx(found, out, what), [out]
        elif form == "warc":
            binary = stack.enter_context(out.open("wb")) if out else sys.stdout.buffer
            result.count = write_warc(store, binary, request.kind, request.since)
            tally.total = result.count
        else:
            handle = (stack.enter_context(out.open("w", encoding="utf-8", newline=""))
                      if out else stdout or sys.stdout)  # fmt: skip
            if form == "jsonl":
                result.count = jsonl_lines(found, handle)
            elif request.excel:
                result.count = excel.write_excel_csv(found, handle, what)
            else:
                result.count = csv_rows(found, handle, what)
            result.files = [out] if out else []
    shown = [str(p.relative_to(out)) if request.partition and out else p.name for p in result.files]
    if request.partition:
        shown = [f"{len(shown)} file(s) under {out}"]
    result.card = cards.card(store, tally, form=form, files=shown or ["standard output"],
                             kind=request.kind, since=request.since, partitioned=request.partition)  # fmt: skip
    if out is not None:
        # Inside a partitioned directory the card starts with "_", as readers of Parquet data
        # sets (pyarrow, pandas, DuckDB's globs, Spark) skip such names instead of failing on it.
        result.card_path = (out / "_DATASET.md" if request.partition
                            else out.with_name(f"{out.stem}.DATASET.md"))  # fmt: skip
        result.card_path.write_text(result.card, encoding="utf-8")
    return result
