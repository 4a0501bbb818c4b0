"""The corpus schema: its migrations, in SQL both backends run.

Each migration runs its statements with `db.execute(SQL)` in SQL SQLite and PostgreSQL both
understand (ON CONFLICT, not INSERT OR …). On PostgreSQL, `crawler.store.postgres` translates the
types (INTEGER PRIMARY KEY, BLOB, REAL), leaves out SQLite's full-text table and triggers, and adds
its own full-text columns (`PG_AFTER`, by migration number).

- `documents`: one row per document identity (the family's article id, else the canonical URL),
  every extracted field, first/last seen, last changed, version, live/gone, the HTTP validators,
  the text to search, and why it was classed as it was (`evidence`);
- `versions`: every content version with its hash, fetch time and the compressed raw response;
- `attachments`, `attachment_files`, `attachment_versions`: each file once by content hash;
- `runs`, `run_errors`, `columns` (what each column listed, whether its walk completed, its
  baseline), `portals` (baselines, cookie jars), `aliases` (URLs a document moved from);
- `alerts` (the outbox) and `deliveries` (with the claim of the deliverer sending one);
  `nodes` and `leases` (crawl nodes on Scrapyd);
- `documents_fts` (SQLite): full-text search over simplified text cut into CJK bigrams;
- `meta`: the schema version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from crawler.store.query import search_form

SCHEMA_VERSION = 13
EXTRACTOR_VERSION = "1"


def _migrate_1(db: Any) -> None:
    db.execute("""CREATE TABLE IF NOT EXISTS documents (
        id TEXT PRIMARY KEY, portal TEXT NOT NULL, url TEXT NOT NULL, fetched_url TEXT,
        title TEXT, index_no TEXT, doc_no TEXT, publisher TEXT, source TEXT, category TEXT,
        disclosure_form TEXT, written_date TEXT, published_at TEXT, kind TEXT, reply TEXT,
        body_text TEXT, attachments TEXT, site_name TEXT, column_name TEXT, script TEXT,
        warnings TEXT, content_hash TEXT NOT NULL, version INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'live', first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        last_changed TEXT NOT NULL, gone_at TEXT, etag TEXT, last_modified TEXT,
        extractor_version TEXT, search_title TEXT, search_body TEXT)""")
    db.execute("CREATE INDEX IF NOT EXISTS documents_portal ON documents (portal, status)")
    db.execute("CREATE INDEX IF NOT EXISTS documents_published ON documents (published_at)")
    db.execute("CREATE INDEX IF NOT EXISTS documents_url ON documents (url)")
    db.execute("""CREATE TABLE IF NOT EXISTS versions (
        document_id TEXT NOT NULL REFERENCES documents(id), version INTEGER NOT NULL,
        content_hash TEXT NOT NULL, fetched_at TEXT NOT NULL, url TEXT NOT NULL,
        status INTEGER, headers TEXT, raw BLOB, record TEXT NOT NULL, run_id INTEGER,
        PRIMARY KEY (document_id, version))""")
    db.execute("""CREATE TABLE IF NOT EXISTS attachments (
        document_id TEXT NOT NULL REFERENCES documents(id), url TEXT NOT NULL, name TEXT,
        type TEXT, PRIMARY KEY (document_id, url))""")
    db.execute("""CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, portals TEXT,
        "full" INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'running',
        requests INTEGER, documents_new INTEGER, documents_changed INTEGER,
        documents_gone INTEGER, errors INTEGER, blocked TEXT, stats TEXT, duration_s REAL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS run_errors (
        run_id INTEGER NOT NULL REFERENCES runs(id), portal TEXT, column_id TEXT, url TEXT,
        kind TEXT NOT NULL, message TEXT, at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS columns (
        portal TEXT NOT NULL, column_id TEXT NOT NULL, listed INTEGER NOT NULL,
        checked_at TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (portal, column_id))""")
    if "documents_fts" not in db.table_names():
        db.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5(search_title, search_body, "
            "content='documents', content_rowid='rowid', tokenize='unicode61')"
        )
        # One statement per call: executescript() would commit the migration's transaction.
        db.execute("""CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
              INSERT INTO documents_fts (rowid, search_title, search_body)
              VALUES (new.rowid, new.search_title, new.search_body);
            END""")
        db.execute("""CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
              INSERT INTO documents_fts (documents_fts, rowid, search_title, search_body)
              VALUES ('delete', old.rowid, old.search_title, old.search_body);
            END""")
        db.execute("""CREATE TRIGGER documents_au AFTER UPDATE OF search_title, search_body
            ON documents BEGIN
              INSERT INTO documents_fts (documents_fts, rowid, search_title, search_body)
              VALUES ('delete', old.rowid, old.search_title, old.search_body);
              INSERT INTO documents_fts (rowid, search_title, search_body)
              VALUES (new.rowid, new.search_title, new.search_body);
            END""")


def _migrate_2(db: Any) -> None:
    """The alerts outbox: an alert is written with the version that caused it, delivered later."""
    db.execute("""CREATE TABLE IF NOT EXISTS alerts (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, document_id TEXT,
        version INTEGER, portal TEXT, created_at TEXT NOT NULL, payload TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS alerts_rule ON alerts (rule, id)")
    db.execute("""CREATE TABLE IF NOT EXISTS portals (
        name TEXT PRIMARY KEY, baseline_at TEXT, last_alerted_run INTEGER)""")
    db.execute("""CREATE TABLE IF NOT EXISTS deliveries (
        alert_id INTEGER NOT NULL REFERENCES alerts(id), sink TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        updated_at TEXT NOT NULL, PRIMARY KEY (alert_id, sink))""")


def _migrate_3(db: Any) -> None:
    """Baselines and gone per column: a column's first complete walk is its baseline (a blocked
    column is no baseline), and a document knows the column it was last listed under."""
    db.execute("ALTER TABLE columns ADD COLUMN baseline_at TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN column_id TEXT")
    # A portal whose baseline was taken before: its columns walked so far share it.
    db.execute("""UPDATE columns SET baseline_at = (SELECT baseline_at FROM portals
                  WHERE portals.name = columns.portal) WHERE complete = 1""")


def _migrate_4(db: Any) -> None:
    """The salutation that opens a document's body (主送), a field of its own."""
    db.execute("ALTER TABLE documents ADD COLUMN addressee TEXT")


def _migrate_5(db: Any) -> None:
    """One alert per document and pass, naming every rule it matched; 文号, 索引号 and the
    publisher searchable as words of the document."""
    db.execute("ALTER TABLE alerts ADD COLUMN rules TEXT")
    db.execute("""UPDATE alerts SET rules = '["' || rule || '"]'""")  # rule names need no escape
    rows = list(db.query("SELECT id, title, body_text, reply, attachments, doc_no, index_no, "
                         "publisher FROM documents"))  # fmt: skip
    for row in rows:
        record = {**row, "reply": json.loads(row["reply"]) if row["reply"] else None,
                  "attachments": json.loads(row["attachments"]) if row["attachments"] else []}  # fmt: skip
        db.execute(
            "UPDATE documents SET search_body = ? WHERE id = ?",
            (search_form(search_text(record)), row["id"]),
        )


def search_text(record: dict[str, Any]) -> str:
    """What full-text search reads of a document besides its title."""
    return " ".join(filter(None, (
        record.get("body_text"), _reply_text(record), _attachment_names(record),
        record.get("doc_no"), record.get("index_no"), record.get("publisher"),
    )))  # fmt: skip


def _migrate_6(db: Any) -> None:
    """Identity by 索引号: the URLs a document moved from (its aliases), and index numbers found
    fast per portal."""
    db.execute("""CREATE TABLE IF NOT EXISTS aliases (
        alias TEXT PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id),
        portal TEXT NOT NULL, at TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS documents_index_no ON documents (portal, index_no)")


def _migrate_7(db: Any) -> None:
    """A portal's cookie jar, kept between runs: what a browser earned on a challenge, session
    and WAF cookies (a JSON list of cookies, Playwright's keys)."""
    db.execute("ALTER TABLE portals ADD COLUMN cookies TEXT")
    db.execute("ALTER TABLE portals ADD COLUMN cookies_at TEXT")


def _migrate_8(db: Any) -> None:
    """Attachment files: each file once by content hash with its text, every fetch of
    an attachment URL as a version, and a document's attachment links pointing at their file."""
    db.execute("""CREATE TABLE IF NOT EXISTS attachment_files (
        sha256 TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL, content_type TEXT,
        page_count INTEGER, ocr INTEGER NOT NULL DEFAULT 0, ocr_confidence REAL, text TEXT,
        pages TEXT, warnings TEXT, raw BLOB, first_fetched TEXT NOT NULL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS attachment_versions (
        url TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL
        REFERENCES attachment_files(sha256), fetched_at TEXT NOT NULL, fetched_url TEXT,
        etag TEXT, last_modified TEXT, run_id INTEGER, PRIMARY KEY (url, version))""")
    for column in ("sha256 TEXT", "fetched_at TEXT", "fetch_status TEXT", "fetch_error TEXT"):
        db.execute(f"ALTER TABLE attachments ADD COLUMN {column}")


def _migrate_9(db: Any) -> None:
    """Crawl nodes and their leases made by the migrations like every other table (they were
    made on first use), and what a document keeps beyond its content: why it was classed a
    reply or an opinion (`evidence`) and the hash of the page as extracted, before its
    attachments' text was applied (`page_hash`: an unchanged page fetches no file again)."""
    db.execute("""CREATE TABLE IF NOT EXISTS nodes (url TEXT PRIMARY KEY, tags TEXT NOT NULL,
        added_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE IF NOT EXISTS leases (portal TEXT PRIMARY KEY, node TEXT NOT NULL,
        job TEXT, run_id INTEGER, holder TEXT NOT NULL, acquired_at TEXT NOT NULL,
        expires_at TEXT NOT NULL)""")
    db.execute("ALTER TABLE documents ADD COLUMN evidence TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN page_hash TEXT")


def _migrate_10(db: Any) -> None:
    """A delivery claimed by one deliverer at a time: who holds it (`claimed_by`: host, process
    and claim) and until when (`claimed_until`, seconds since the epoch on the real clock), so
    that two deliverers at once never send an alert twice, and a dead one's claim expires."""
    db.execute("ALTER TABLE deliveries ADD COLUMN claimed_by TEXT")
    db.execute("ALTER TABLE deliveries ADD COLUMN claimed_until REAL")


def _migrate_11(db: Any) -> None:
    """Nothing in SQLite, whose FTS5 index merges its own segments. PostgreSQL's full-text
    indexes get a short list of pending entries (`crawler.store.postgres.PG_AFTER`)."""


def _migrate_12(db: Any) -> None:
    """Nothing in SQLite. PostgreSQL's lexemes become the search text's tokens as they are, the
    body's in its index only (`crawler.store.postgres.PG_AFTER`)."""


def _migrate_13(db: Any) -> None:
    """Nothing in SQLite. PostgreSQL keeps each document's search text in its row
    (`crawler.store.postgres.PG_AFTER`)."""


#: Schema migrations by number, shared by both backends.
MIGRATIONS: dict[int, Callable[[Any], None]] = {
    1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6,
    7: _migrate_7, 8: _migrate_8, 9: _migrate_9, 10: _migrate_10, 11: _migrate_11,
    12: _migrate_12, 13: _migrate_13,
}  # fmt: skip


def _reply_text(record: dict[str, Any]) -> str:
    reply = record.get("reply") or {}
    values = [v for v in reply.values() if isinstance(v, str)] + list(
        reply.get("co_agencies") or []
    )
    return " ".join(values)


def _attachment_names(record: dict[str, Any]) -> str:
    return " ".join(a.get("name") or "" for a in record.get("attachments") or [])
