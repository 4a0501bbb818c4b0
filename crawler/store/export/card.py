"""The data set card written with every export (`DATASET.md` beside the files, or on standard
error for an export to standard output): what the files hold, each field with its type and how it
was obtained, counts per portal, kind and year, the crawl window, the software that wrote it, and
the provenance every record carries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crawler.clock import now, shown
from crawler.store.base import Store
from crawler.store.export.records import FIELDS, YEAR_OF, year
from crawler.store.schema import EXTRACTOR_VERSION, SCHEMA_VERSION

TYPES = {
    "string": "text", "int": "integer", "float": "number", "bool": "true/false",
    "date": "date", "timestamp": "timestamp (Asia/Shanghai)", "strings": "list of text",
    "reply": "struct: " + "reply fields (see below)",
    "links": "list of {url, name, type}", "files": "list of attachment files (see below)",
    "evidence": "{kind: list of text}", "deliveries": "list of {sink, status, attempts, last_error, updated_at}",
}  # fmt: skip
PROVENANCE = {
    "documents": "Every record carries its provenance: `url` (canonical) and `fetched_url` (what "
    "was fetched), `first_seen`, `last_seen` and `last_changed` (when the crawl stored, found and "
    "saw it change), `version`, `content_hash` (SHA-256 of the content fields) and "
    "`extractor_version`; each attachment file its `sha256`, `fetched_at` and `fetch_status`. "
    "The raw responses are in `govwatch export --format warc`.",
    "versions": "Every version carries `fetched_url`, `fetched_at`, `http_status`, `run_id` and "
    "`content_hash` (SHA-256 of its content fields): the same content has the same hash.",
    "alerts": "Every alert carries its `key` (raised once per key), the document version that "
    "caused it (`document_id`, `version`) and its delivery to each sink.",
}


@dataclass
class Tally:
    """What passed through an export: counts per portal, kind (or rule) and year."""

    what: str
    total: int = 0
    portals: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    years: Counter[str] = field(default_factory=Counter)

    def count(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            self.total += 1
            self.portals[str(row.get("portal") or "—")] += 1
            kind = row.get("kind") if self.what != "alerts" else (row.get("rules") or ["—"])[0]
            self.kinds[str(kind or "—")] += 1
            self.years[year(row.get(YEAR_OF[self.what]))] += 1
            yield row


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("govwatch")
    except PackageNotFoundError:
        from crawler import __version__

        return __version__


def crawl_window(store: Store) -> str:
    """When the corpus was crawled: its first run's start to its last run's end."""
    runs = list(store.runs(finished=True))
    if not runs:
        return "no crawl run is recorded (documents stored by other means)"
    first, last = runs[0]["started_at"], runs[-1]["finished_at"] or runs[-1]["started_at"]
    return f"{shown(first)} to {shown(last)}, {len(runs)} run(s)"


def _counts(title: str, counter: Counter[str], by_key: bool = False) -> list[str]:
    items = sorted(counter.items()) if by_key else counter.most_common()
    lines = [f"| {title} | records |", "| --- | ---: |"]
    lines += [f"| {name} | {count:,} |" for name, count in items]
    return lines


def card(
    store: Store, tally: Tally, *, form: str, files: list[str], kind: str | None,
    since: str | None, partitioned: bool = False,
) -> str:  # fmt: skip
    """The card, as Markdown."""
    what = tally.what
    lines = [
        f"# govwatch export: {what}",
        "",
        f"Chinese government information-disclosure {what} (政府信息公开) as crawled by govwatch.",
        "",
        f"- format: {form}"
        + (
            " partitioned Hive-style by portal and year (`portal=…/year=…/part-<time>.parquet`)"
            if partitioned
            else ""
        ),
        f"- files: {', '.join(files)}",
        f"- records: {tally.total:,}",
        f"- filters: kind {kind or 'any'}; since {since or 'the beginning'}"
        + (f" ({_SINCE[what]})" if since else ""),
        f"- written: {shown(now())} by govwatch {_version()} (extractor {EXTRACTOR_VERSION}, "
        f"corpus schema {SCHEMA_VERSION})",
        f"- crawl window: {crawl_window(store)}",
        "",
        "## Provenance",
        "",
        PROVENANCE[what],
        "",
        "## Fields",
        "",
        "| field | type | how it was obtained |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{f.name}` | {TYPES[f.type]} | {f.how} |" for f in FIELDS[what]]
    if what in ("documents", "versions"):
        lines += ["", "Reply fields (`reply.*`): addressee (the deputy or member), addressee_role "
                  "(代表 or 委员), body_type (suggestion or proposal), session (届次), proposal_no, "
                  "proposal_title, lead_agency (主办), co_agencies (会办, a list), contact_person, "
                  "contact_phone, signed_date (a date), result_class (办理结果)."]  # fmt: skip
    if what == "documents":
        lines += ["", "Attachment files (`attachment_files[]`): url, name, sha256, file_type, "
                  "size (bytes), page_count, ocr (whether OCR read it), ocr_confidence (0–100), "
                  "fetched_at, fetch_status, fetch_error, warnings, text."]  # fmt: skip
    lines += ["", "## Counts", ""]
    lines += _counts("portal", tally.portals)
    lines += ["", *_counts("rule" if what == "alerts" else "kind", tally.kinds)]
    lines += ["", *_counts("year", tally.years, by_key=True)]
    return "\n".join(lines) + "\n"


_SINCE = {
    "documents": "published on or after",
    "versions": "fetched on or after",
    "alerts": "raised on or after",
}
