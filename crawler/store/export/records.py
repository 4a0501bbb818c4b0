"""What an export holds: the rows of each table (`documents`, `versions`, `alerts`) as plain
JSON-shaped dicts, and each field's type and how it was obtained — the one description the
Parquet schema, the spreadsheet columns and the data set card (`DATASET.md`) are made from.

`since` narrows documents by publication (as `govwatch search --since`), versions by when they
were fetched and alerts by when they were raised: what was stored since an earlier export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crawler.clock import CHINA
from crawler.items import DOCUMENT_KEYS
from crawler.store.base import Store
from crawler.store.documents import filters

WHATS = ("documents", "versions", "alerts")
#: The time whose year partitions (and is counted per year for) each table.
YEAR_OF = {"documents": "published_at", "versions": "fetched_at", "alerts": "created_at"}
PROVENANCE = ("portal", "status", "fetched_url", "first_seen", "last_seen", "last_changed",
              "version", "content_hash", "extractor_version")  # fmt: skip
#: What each fetched attachment file says.
FILE_KEYS = ("url", "name", "sha256", "file_type", "size", "page_count", "ocr", "ocr_confidence",
             "fetched_at", "fetch_status", "fetch_error", "warnings", "text")  # fmt: skip
REPLY_KEYS = ("addressee", "addressee_role", "body_type", "session", "proposal_no",
              "proposal_title", "lead_agency", "co_agencies", "contact_person", "contact_phone",
              "signed_date", "result_class")  # fmt: skip


@dataclass(frozen=True)
class Field:
    """One column: its name, its type (`string`, `int`, `float`, `bool`, `date`, `timestamp`,
    `strings`, or a nested kind: `reply`, `links`, `files`, `evidence`, `deliveries`) and how
    its value was obtained."""

    name: str
    type: str
    how: str


_TEXT = "as the page prints it"
DOCUMENT_FIELDS = (
    Field("id", "string", "the document's identity: the CMS family's article id "
          "(`portal:id`), else `portal:` and its canonical URL"),
    Field("portal", "string", "the portal profile it was crawled under (crawler/portals/)"),
    Field("url", "string", "its canonical URL on the portal's own origin"),
    Field("title", "string", "the printed title: the heading above the body, else the page's "
          "`<title>` or ArticleTitle meta tag"),
    Field("addressee", "string", "the salutation that opens the body (主送), e.g. 何征宇代表"),
    Field("index_no", "string", f"索引号, {_TEXT} (the disclosure table or meta tags)"),
    Field("doc_no", "string", f"文号, {_TEXT}"),
    Field("publisher", "string", f"发布机构, {_TEXT}"),
    Field("source", "string", f"来源, {_TEXT}"),
    Field("category", "string", f"主题分类, {_TEXT}"),
    Field("disclosure_form", "string", f"公开方式, {_TEXT}"),
    Field("written_date", "date", "成文日期, a printed date read in any of its spellings"),
    Field("published_at", "timestamp", "发布日期: the printed date and time in China's zone "
          "(midnight where the page prints a date only)"),
    Field("kind", "string", "reply, co_handling_opinion or other: from the title, category, "
          "document-number series and opening (see `evidence`)"),
    Field("reply", "reply", "for replies and co-handling opinions: the fields read from the "
          "letter (deputy or member, number, session, agencies, contact, signed date)"),
    Field("body_text", "string", "the body as shown, from the salutation or first paragraph; "
          "page furniture and hidden text left out; attachment text applied where the page says 详见附件"),
    Field("attachments", "links", "the attachment links, visible names and file types"),
    Field("site_name", "string", "the site's name (SiteName meta tag)"),
    Field("column_name", "string", "the column it was listed under (ColumnName meta tag)"),
    Field("script", "string", "the script of the text: simplified or traditional"),
    Field("warnings", "strings", "what the extractor doubted"),
    Field("evidence", "evidence", "why it was classed as `kind` (`evidence.kind`)"),
    Field("status", "string", "live, or gone (no longer listed by a clean walk; never deleted)"),
    Field("fetched_url", "string", "provenance: the URL last fetched"),
    Field("first_seen", "timestamp", "provenance: when the crawl first stored it"),
    Field("last_seen", "timestamp", "provenance: when a crawl last found it"),
    Field("last_changed", "timestamp", "provenance: when its content last changed (its version)"),
    Field("gone_at", "timestamp", "when it was marked gone"),
    Field("version", "int", "provenance: its number of content versions"),
    Field("content_hash", "string", "provenance: SHA-256 of its content fields (never the URL, "
          "warnings or evidence)"),
    Field("extractor_version", "string", "provenance: the extractor that read it"),
    Field("attachment_files", "files", "each fetched attachment file: its hash, type, pages, "
          "whether OCR read it and how surely, its text"),
)  # fmt: skip
VERSION_FIELDS = (
    Field("document_id", "string", "the document's identity (`documents.id`)"),
    Field("portal", "string", "the portal profile it was crawled under"),
    Field("version", "int", "the version number, 1 for the first content seen"),
    Field("fetched_at", "timestamp", "provenance: when this content was fetched"),
    Field("fetched_url", "string", "provenance: the URL fetched"),
    Field("http_status", "int", "provenance: the HTTP status of the response"),
    Field("run_id", "int", "the crawl run that stored it"),
    Field("content_hash", "string", "provenance: SHA-256 of its content fields"),
    *(f for f in DOCUMENT_FIELDS if f.name in (*DOCUMENT_KEYS, "evidence") and f.name != "url"),
    Field("url", "string", "its canonical URL"),
)  # fmt: skip
ALERT_FIELDS = (
    Field("id", "int", "the alert's number in the outbox"),
    Field("key", "string", "its idempotency key: the same alert is never raised twice"),
    Field("rules", "strings", "the watch rules it names, the most specific first (`health` for "
          "health alerts)"),
    Field("created_at", "timestamp", "when it was raised"),
    Field("portal", "string", "the portal"),
    Field("document_id", "string", "the document version that caused it (`documents.id`)"),
    Field("version", "int", "that document's version"),
    Field("title", "string", "the document's title, or the health alert's message"),
    Field("url", "string", "the document's URL"),
    Field("deliveries", "deliveries", "its delivery to each sink: status, attempts, last error"),
)  # fmt: skip
FIELDS = {"documents": DOCUMENT_FIELDS, "versions": VERSION_FIELDS, "alerts": ALERT_FIELDS}


def documents(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    """Every document (of a kind, published since), oldest first, with its attachment files."""
    names = [f.name for f in DOCUMENT_FIELDS]
    for record in store.records(kind=kind, since=since):
        files = store.attachment_texts(record["id"]) if record.get("attachments") else []
        row = {name: record.get(name) for name in names}
        row["attachment_files"] = [
            {key: file.get(key) for key in FILE_KEYS} for file in files if file["fetch_status"]
        ]
        yield row


def versions(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    """Every stored version (of documents of a kind; fetched since), with the record it held."""
    where, params = filters(kind=kind, since=None, portal=None, prefix="d.")
    if since:
        where = (where + " AND " if where else "WHERE ") + "v.fetched_at >= ?"
        params.append(since)
    rows = store.conn.execute(
        "SELECT v.document_id, d.portal, v.version, v.fetched_at, v.url, v.status, v.run_id, "
        f"v.content_hash, v.record FROM versions v JOIN documents d ON d.id = v.document_id {where} "
        "ORDER BY v.fetched_at, v.document_id, v.version",
        params,
    )
    keys = [f.name for f in VERSION_FIELDS]
    for identity, portal, number, fetched_at, url, status, run_id, digest, record in rows:
        held = json.loads(record)
        row = {key: held.get(key) for key in keys}
        row.update(document_id=identity, portal=portal, version=number, fetched_at=fetched_at,
                   fetched_url=url, http_status=status, run_id=run_id, content_hash=digest)  # fmt: skip
        yield row


def alerts(store: Store, kind: str | None, since: str | None) -> Iterator[dict[str, Any]]:
    """Every alert (raised since), oldest first, with its deliveries; `kind` narrows to
    alerts on documents of that kind."""
    clauses, params = [], []
    if since:
        clauses.append("a.created_at >= ?")
        params.append(since)
    if kind:
        clauses.append("d.kind = ?")
        params.append(kind)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = store.conn.execute(
        "SELECT a.id, a.key, a.rule, a.rules, a.created_at, a.portal, a.document_id, a.version, "
        f"a.payload FROM alerts a LEFT JOIN documents d ON d.id = a.document_id {where} "
        "ORDER BY a.id",
        params,
    ).fetchall()
    sent = store.deliveries([row[0] for row in rows])
    for alert_id, key, rule, rules, created, portal, document, version, payload in rows:
        said = json.loads(payload)
        yield {
            "id": alert_id, "key": key, "rules": json.loads(rules) if rules else [rule],
            "created_at": created, "portal": portal, "document_id": document, "version": version,
            "title": said.get("title") or said.get("message"), "url": said.get("url"),
            "deliveries": [
                {"sink": sink, "status": d["status"], "attempts": d["attempts"],
                 "last_error": d["error"], "updated_at": d["at"]}
                for sink, d in sorted(sent.get(alert_id, {}).items())
            ],
        }  # fmt: skip


def moment(value: Any) -> dt.datetime | None:
    """A stored time (ISO, with or without its offset, or a bare date) as an aware time; a
    time without an offset or a bare date is read in China's zone, as the portals print them."""
    if not isinstance(value, str) or not value[:4].isdigit():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)


def year(value: Any) -> str:
    """The year of a stored time in China's zone, or `unknown`."""
    found = moment(value)
    return str(found.astimezone(CHINA).year) if found else "unknown"


SOURCES = {"documents": documents, "versions": versions, "alerts": alerts}


def source(
    store: Store, what: str, kind: str | None, since: str | None
) -> Iterator[dict[str, Any]]:
    """The rows of `what` (documents, versions or alerts)."""
    return SOURCES[what](store, kind, since)


def count(store: Store, what: str, kind: str | None, since: str | None) -> int:
    """How many rows `source` will yield (for progress)."""
    if what == "documents":
        where, params = filters(kind=kind, since=since, portal=None)
        sql = f"SELECT COUNT(*) FROM documents {where}"
    elif what == "versions":
        where, params = filters(kind=kind, since=None, portal=None, prefix="d.")
        if since:
            where = (where + " AND " if where else "WHERE ") + "v.fetched_at >= ?"
            params.append(since)
        sql = f"SELECT COUNT(*) FROM versions v JOIN documents d ON d.id = v.document_id {where}"
    else:
        clauses = (["a.created_at >= ?"] if since else []) + (["d.kind = ?"] if kind else [])
        params = [value for value in (since, kind) if value]
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = f"SELECT COUNT(*) FROM alerts a LEFT JOIN documents d ON d.id = a.document_id {where}"
    return int(store.conn.execute(sql, params).fetchone()[0])
