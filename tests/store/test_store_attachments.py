"""Attachments in the store (schema 5): files once by hash, versions per URL, text searched,
watch rules reading it, and the pipeline's reading of fetched files."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from crawler.items import FetchedFile
from crawler.store import Store, open_store
from crawler.store.schema import SCHEMA_VERSION
from crawler.watch.rules import alerts_for, load_rules
from pipelines.attachments import applied, read_fetched, stored_texts, watched
from replica import formats

AT = "2024-01-01T00:00:00+00:00"
PDF_URL = "http://x.gov.cn/files/dafu.pdf"
REPLY_TEXT = [
    "李明代表：",
    "您提出的《关于支持开源软件产业发展的建议》（第0088号）收悉。现答复如下：",
    "一、我局将设立开源软件专项资金，支持开源社区建设。",
    "联系人：软件处王红，联系电话：0571-85000000。",
    "杭州市经济和信息化局",
    "2024年6月1日",
]


def _record(**change: Any) -> dict[str, Any]:
    base = {"url": "http://x.gov.cn/a.html", "title": "关于第0088号建议的答复", "body_text": "详见附件。",
            "kind": "other", "reply": None, "publisher": "杭州市经济和信息化局", "doc_no": None,
            "category": None, "warnings": [],
            "attachments": [{"url": PDF_URL, "name": "答复.pdf", "type": "pdf"}]}  # fmt: skip
    return {**base, **change}


def _file(raw: bytes, status: int = 200, url: str = PDF_URL) -> FetchedFile:
    return FetchedFile(url, "答复.pdf", url, AT, status, raw, "application/pdf", '"v1"', None)


def _save(store: Store, record: dict[str, Any], files: list[FetchedFile], identity: str) -> Any:
    entries, texts = read_fetched(store, files)
    texts = {**stored_texts(store, record), **texts}
    record = applied(record, texts)
    rules = load_rules()
    outcome = store.save(
        portal="p", identity=identity, record=record, fetched_url=record["url"], fetched_at=AT,
        status=200, headers={}, raw=b"<html/>", etag=None, last_modified=None, run_id=None,
        alerts=alerts_for(rules, watched(record, texts), "p"), files=entries,
    )  # fmt: skip
    return outcome, record


def test_a_file_is_stored_once_and_its_text_read_into_the_record(corpus: str) -> None:
    pdf = formats.pdf_text(REPLY_TEXT)
    with open_store(corpus) as store:  # on SQLite and PostgreSQL alike
        assert store.schema_version() == SCHEMA_VERSION
        assert "attachment_files" in store.db.table_names()
        outcome, _ = _save(store, _record(), [_file(pdf)], "p:1")
        assert outcome.kind == "new"
        # A second document linking the same bytes under another URL: one file, two links.
        other = _record(url="http://x.gov.cn/b.html",
                        attachments=[{"url": PDF_URL + "?copy", "name": "答复.pdf", "type": "pdf"}])  # fmt: skip
        _save(store, other, [_file(pdf, url=PDF_URL + "?copy")], "p:2")
        assert store.conn.execute("SELECT COUNT(*) FROM attachment_files").fetchone()[0] == 1
        stored = store.attachment_texts("p:1")[0]
        assert stored["fetch_status"] == "fetched" and stored["file_type"] == "pdf"
        assert "开源软件专项资金" in stored["text"].replace("\n", "")
        assert store.attachment_validators(PDF_URL) == ('"v1"', None)
        # The reply said only in the file is read from it, and stored so.
        document = store.document("p:1")
        assert document is not None and document["kind"] == "reply"
        assert (
            document["reply"]["addressee"] == "李明"
            and document["reply"]["proposal_no"] == "第0088号"
        )
        # The file's text is searched (either script, two-character words).
        assert "http://x.gov.cn/a.html" in [h["url"] for h in store.search("专项资金")]
        assert "http://x.gov.cn/a.html" in [h["url"] for h in store.search("專項資金")]
        hit = next(h for h in store.search("专项资金") if h["url"].endswith("a.html"))
        assert hit["snippet"].startswith("答复.pdf: ") and "【专项资金】" in hit["snippet"]
        # The alert quotes the attachment and names the file.
        alerts = [
            a for a in store.alerts() if a.get("document_id", "p:1") and a["url"].endswith("a.html")
        ]
        assert alerts and any(s.startswith("答复.pdf: ") for s in alerts[0]["snippets"])
        assert alerts[0]["attachment_files"] == ["答复.pdf"]


def test_a_new_content_of_the_url_is_a_new_version_and_304_keeps_the_file(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        _save(store, _record(), [_file(formats.pdf_text(REPLY_TEXT))], "p:1")
        changed = _record(body_text="详见附件。（已更新）")
        _save(store, changed, [_file(formats.pdf_text([*REPLY_TEXT, "补充说明。"]))], "p:1")
        versions = store.conn.execute(
            "SELECT version FROM attachment_versions WHERE url = ? ORDER BY version", (PDF_URL,)
        ).fetchall()
        assert [v[0] for v in versions] == [1, 2]
        again = _record(body_text="详见附件。（再次更新）")
        _save(store, again, [_file(b"", status=304)], "p:1")
        stored = store.attachment_texts("p:1")[0]
        assert stored["fetch_status"] == "not_modified" and "补充说明" in stored["text"]
        assert store.document("p:1")["kind"] == "reply"  # type: ignore[index]


def test_failed_and_broken_files_are_recorded_not_fatal(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        failed = FetchedFile(PDF_URL, "答复.pdf", PDF_URL, AT, 0, error="larger than 20 MB")
        outcome, _ = _save(store, _record(), [failed], "p:1")
        assert outcome.kind == "new"
        stored = store.attachment_texts("p:1")[0]
        assert stored["fetch_status"] == "failed" and stored["fetch_error"] == "larger than 20 MB"
        _save(store, _record(body_text="详见附件。（改）"), [_file(b"%PDF-1.4 broken")], "p:1")
        stored = store.attachment_texts("p:1")[0]
        assert stored["fetch_status"] == "fetched" and stored["warnings"]
        assert stored["text"] == ""


def test_a_database_from_before_attachments_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with open_store(path) as store:
        store.conn.execute("DROP TABLE attachment_files")
        store.conn.execute("DROP TABLE attachment_versions")
        for column in ("sha256", "fetched_at", "fetch_status", "fetch_error"):
            store.conn.execute(f"ALTER TABLE attachments DROP COLUMN {column}")
        # Schema 7, before attachment files: what migration 9 added is not there either.
        for column in ("evidence", "page_hash"):
            store.conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
        store.conn.execute("DROP TABLE nodes")
        store.conn.execute("DROP TABLE leases")
        for column in ("claimed_by", "claimed_until"):  # nor what migration 10 added
            store.conn.execute(f"ALTER TABLE deliveries DROP COLUMN {column}")
        store.conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        columns = {row[1] for row in store.conn.execute("PRAGMA table_info(attachments)")}
        assert {"sha256", "fetch_status"} <= columns
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM attachment_files").fetchone() == (0,)


def test_a_documents_files_are_exported_in_link_order(corpus: str) -> None:
    """JSON lines and WARC, on SQLite and PostgreSQL alike: the files as the page lists them."""
    import io
    import json

    from crawler.store.export import write_jsonl, write_warc

    second = "http://x.gov.cn/files/fujian.pdf"
    record = _record(attachments=[{"url": second, "name": "附件.pdf", "type": "pdf"},
                                  {"url": PDF_URL, "name": "答复.pdf", "type": "pdf"}])  # fmt: skip
    files = [_file(formats.pdf_text(REPLY_TEXT)), _file(formats.pdf_text(["附件一"]), url=second)]
    with open_store(corpus) as store:
        _save(store, record, files, "p:1")
        assert [f["url"] for f in store.attachment_texts("p:1")] == [second, PDF_URL]
        lines = io.StringIO()
        assert write_jsonl(store, lines, None, None) == 1
        (row,) = map(json.loads, lines.getvalue().splitlines())
        assert [f["url"] for f in row["attachment_files"]] == [second, PDF_URL]
        warc = io.BytesIO()
        write_warc(store, warc, None, None)
    from warcio.archiveiterator import ArchiveIterator

    warc.seek(0)
    resources = [
        item.rec_headers.get_header("WARC-Target-URI")
        for item in ArchiveIterator(warc)
        if item.rec_type == "resource"
    ]
    assert resources == [second, PDF_URL]


def test_the_crawl_reads_its_files_in_one_child_and_ends_it() -> None:
    import pipelines.attachments as reading

    files = [_file(formats.pdf_text([f"第{n}份答复"])) for n in range(3)]
    readings = reading.read_all(files)
    child = reading._READER._child
    assert child is not None and child.poll() is None  # one child, still there for the next file
    assert sorted(r["text"].strip() for r in readings.values()) == [
        "第0份答复",
        "第1份答复",
        "第2份答复",
    ]
    reading.close_reader()
    assert child.poll() is not None and reading._READER._child is None
