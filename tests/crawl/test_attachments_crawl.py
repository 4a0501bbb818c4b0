"""Attachments through a crawl of the replica: fetched, read, stored once, searched, exported,
and a reply published only as its file read from it (test_crawl checks those records)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import crawl, served_replica, set_day

from crawler.attachments.ocr import available, char_accuracy, plain
from crawler.store import open_store
from replica import formats
from replica.app import Replica

DOCS = 60
DAY = 1400


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("attachments") / "corpus.db"
    with served_replica(DOCS, DAY) as url:
        set_day(url, DAY)
        summary = crawl(url, db)
    assert summary["errors"] == 0
    return db


def _stored(db: Path) -> dict[str, dict[str, Any]]:
    """Attachment URL → what the store says of it."""
    with open_store(db) as store:
        return {
            file["url"]: file
            for record in store.records()
            for file in store.attachment_texts(record["id"])
        }


def test_every_attachment_text_is_the_truth(crawled: Path) -> None:
    truth = list(Replica(DOCS, DAY, 1).attachment_truth())
    stored = _stored(crawled)
    assert {t["type"] for t in truth} >= {"pdf", "docx", "xlsx", "ofd", "zip", "doc", "wps", "xls"}
    ocr_ok = available() is None and formats.can_scan()
    scans = 0
    for expected in truth:
        got = stored[expected["url"]]
        if expected["portal"] == "hangzhou-gov":
            # Its robots.txt forbids the download API: recorded as not fetched, never an error.
            assert got["fetch_status"] == "failed" and "robots" in got["fetch_error"]
            continue
        assert got["fetch_status"] == "fetched", (expected["url"], got["fetch_error"])
        if expected["text"] is None:  # the replica's DOC: no Word text in it
            assert not got["text"] and got["warnings"], expected["url"]
        elif expected["ocr"] and ocr_ok:
            scans += 1
            assert got["ocr"] and got["ocr_confidence"] > 0.5
            accuracy = char_accuracy(expected["text"], got["text"])
            assert accuracy >= 0.95, (expected["url"], accuracy, got["text"])
        elif not expected["ocr"]:
            assert plain(got["text"]) == plain(expected["text"]), expected["url"]
            assert not got["ocr"]
    assert scans or not ocr_ok


def test_each_file_is_stored_once_by_content(crawled: Path) -> None:
    with open_store(crawled) as store:
        files = store.conn.execute("SELECT COUNT(*) FROM attachment_files").fetchone()[0]
        hashes = store.conn.execute(
            "SELECT COUNT(DISTINCT sha256) FROM attachments WHERE sha256 IS NOT NULL"
        ).fetchone()[0]
        versions = store.conn.execute("SELECT COUNT(*) FROM attachment_versions").fetchone()[0]
    assert files == hashes > 0
    assert versions >= files


def test_attachment_text_is_searched_and_exported(crawled: Path, tmp_path: Path) -> None:
    truth = [t for t in Replica(DOCS, DAY, 1).attachment_truth()
             if t["text"] and not t["ocr"] and t["portal"] != "hangzhou-gov"]  # fmt: skip
    sample = next(t for t in truth if "申报指南" in t["text"])
    with open_store(crawled) as store:
        hits = [hit["url"] for hit in store.search("申报指南", limit=500)]
        # In the traditional script too, like the body.
        assert [hit["url"] for hit in store.search("申報指南", limit=500)] == hits
    assert sample["document"] in hits
    out = tmp_path / "all.jsonl"
    subprocess.run([sys.executable, "-m", "crawler", "export", "--db", str(crawled), "-o", str(out)],
                   check=True)  # fmt: skip
    rows = {
        row["url"]: row for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())
    }
    files = {f["url"]: f for f in rows[sample["document"]]["attachment_files"]}
    assert plain(files[sample["url"]]["text"]) == plain(sample["text"])
    assert files[sample["url"]]["sha256"] and files[sample["url"]]["ocr"] is False


def test_a_recrawl_fetches_no_attachment_again(crawled: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "again.db"
    shutil.copy(crawled, db)
    with served_replica(DOCS, DAY) as url:
        set_day(url, DAY)
        summary = crawl(url, db, "--full")
    assert summary["documents_changed"] == 0
    with open_store(db) as store:
        again = store.conn.execute(
            "SELECT COUNT(*) FROM attachment_versions WHERE version > 1"
        ).fetchone()[0]
    assert again == 0
