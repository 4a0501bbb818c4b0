"""What the accuracy benchmarks share about the real development material (never copied here).

`bench.accuracy` (articles, replies, sense) and `bench.accuracy_listings` (listings, stubs) both
read `../shared/data/real/` and compare values the same way; the helpers live here so that
neither module imports the other.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real"
# Pages numbered from here on were added after the first rules were written, from portals the
# extractor had never seen: the benchmark shows them apart, so a rule that fits only the older
# pages shows up as a gap between the two columns.
FIRST_NEW_PAGE = 101


def data_dir(given: str | Path | None = None) -> Path:
    """The real-material directory: `--data`, else $GOVWATCH_REAL_DATA, else ../shared/data/real."""
    return Path(given or os.environ.get("GOVWATCH_REAL_DATA") or DEFAULT_DATA)


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file, blank lines skipped."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def norm(value: Any) -> Any:
    """The comparable form of a value: NFKC, no spaces; lists element-wise; empty → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return [norm(item) for item in value] or None
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()).replace("\u200b", "")
    return text or None


def encoding_of(entry: dict[str, Any]) -> str | None:
    """The charset an index entry declares, or None where the page declares none."""
    declared = str(entry.get("encoding") or "")
    return declared.split()[0] if declared and "undeclared" not in declared else None


def group_of(file: str) -> str:
    """`new` for the pages added later (numbered 101 and up), `older` for the rest."""
    number = file.split("-", 1)[0]
    return "new" if number.isdigit() and int(number) >= FIRST_NEW_PAGE else "older"
