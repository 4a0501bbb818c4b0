"""Crawls against the replica: complete, deduplicated, incremental, time-aware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import copy_db, crawl, served_replica, set_day, truth

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store
from replica.corpus import date_of

DOCS = 150
DAY = 1400


@pytest.fixture(scope="module")
def replica_url() -> Any:
    with served_replica(DOCS, DAY) as url:
        yield url


@pytest.fixture(scope="module")
def crawled(
    replica_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """A first crawl of every replica site, kept for the tests that start from it."""
    set_day(replica_url, DAY)
    db = tmp_path_factory.mktemp("crawl") / "first.db"
    return db, crawl(replica_url, db)


def stored(db: Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        return {record["url"]: record for record in store.records() if record["status"] == "live"}


def test_every_site_crawled_equals_the_truth(crawled: tuple[Path, dict[str, Any]]) -> None:
    db, summary = crawled
    expected = truth(DOCS, DAY)
    got = stored(db)
    assert summary["errors"] == 0 and summary["blocked"] == []
    assert summary["documents_new"] == len(expected)
    assert set(got) == set(expected)
    wrong = [
        (url, key)
        for url, record in expected.items()
        for key in DOCUMENT_KEYS
        if got[url][key] != record[key]
    ]
    assert wrong == []
    with open_store(db) as store:
        counts = store.counts()
    # No duplicates: one row and one version per document (cross-posted pages resolved).
    assert counts == {"documents": len(expected), "live": len(expected), "versions": len(expected)}


def test_provenance_keeps_the_fetched_origin(
    crawled: tuple[Path, dict[str, Any]], replica_url: str
) -> None:
    db, _ = crawled
    with open_store(db) as store:
        record = store.document("hangzhou-jxj:4216448")
        assert record is not None
        assert (
            record["url"] == "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
        )
        assert record["fetched_url"].startswith(replica_url)
        raw = store.raw("hangzhou-jxj:4216448")
    assert raw is not None and "西湖31号".encode() in raw


def test_a_recrawl_with_nothing_new(
    crawled: tuple[Path, dict[str, Any]], replica_url: str, tmp_path: Path
) -> None:
    set_day(replica_url, DAY)
    db = copy_db(crawled[0], tmp_path / "again.db")
    summary = crawl(replica_url, db)
    assert (summary["documents_new"], summary["documents_changed"], summary["documents_gone"]) == (
        0,
        0,
        0,
    )
    window = date_of(DAY - 30).isoformat()
    recent = {url: r for url, r in truth(DOCS, DAY).items() if r["published_at"] >= window}
    columns = 4 + 2 + 3 + 1
    stubs = 1  # hubei-jxt's 工作动态 index is a JS redirect stub to its sub-column, followed
    # robots.txt, the first listing request of each column, and the conditional revisits.
    assert summary["requests"] == 4 + columns + stubs + len(recent)
    not_modified = sum(p["not_modified"] for name, p in summary["portals"].items())
    # TRS pages render their view counter, so they carry no validators: revisited in full.
    assert not_modified == len([u for u in recent if "hubei.gov.cn" not in u])
    with open_store(db) as store:
        assert store.counts()["versions"] == len(truth(DOCS, DAY))


def test_days_advance(
    crawled: tuple[Path, dict[str, Any]], replica_url: str, tmp_path: Path
) -> None:
    later = DAY + 25
    before, after = truth(DOCS, DAY), truth(DOCS, later)
    db = copy_db(crawled[0], tmp_path / "later.db")
    set_day(replica_url, later)
    try:
        routine = crawl(replica_url, db)
        new = set(after) - set(before)
        assert routine["documents_new"] == len(new)
        got = stored(db)
        assert new <= set(got)
        # Withdrawals inside the revisit window are found by the routine crawl (404 → gone).
        window = date_of(later - 30).isoformat()
        withdrawn_recent = {
            u for u in set(before) - set(after) if before[u]["published_at"] >= window
        }
        assert not (withdrawn_recent & set(got))
        full = crawl(replica_url, db, "--full")
        got = stored(db)
        assert set(got) == set(after)
        assert [u for u, r in after.items() if any(got[u][k] != r[k] for k in DOCUMENT_KEYS)] == []
        with open_store(db) as store:
            gone = {r["url"] for r in store.records() if r["status"] == "gone"}
            edited = [r for r in store.records() if r["version"] > 1]
        assert gone == set(before) - set(after)
        assert all(
            r["url"] in after and r["body_text"] == after[r["url"]]["body_text"] for r in edited
        )
        assert routine["documents_changed"] + full["documents_changed"] == len(edited)
    finally:
        set_day(replica_url, DAY)


def test_search_and_export(crawled: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    import csv
    import json
    import subprocess
    import sys

    db, _ = crawled
    seed = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
    with open_store(db) as store:
        for query in ("开源", "開源软件", "何征宇"):
            assert seed in [hit["url"] for hit in store.search(query, limit=500)], query
        hit = store.search("何征宇")[0]
        assert "【何征宇】" in hit["snippet"]
        assert all("开源节流" not in (h["body_text"] or "") or "开源软件" in (h["body_text"] or "")
                   for h in store.search("开源软件", limit=500))  # fmt: skip
        records = {r["url"]: r for r in store.records()}
    out = tmp_path / "all.jsonl"
    subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--db", str(db), "-o", str(out)], check=True
    )
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == len(records)
    for row in exported:
        original = records[row["url"]]
        assert all(row[key] == original[key] for key in DOCUMENT_KEYS)
        assert (
            row["content_hash"] == original["content_hash"]
            and row["version"] == original["version"]
        )
    out_csv = tmp_path / "replies.csv"
    subprocess.run([sys.executable, "-m", "crawler", "export", "--db", str(db), "--format", "csv", "--kind",
                    "reply", "-o", str(out_csv)], check=True)  # fmt: skip
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert rows and all(row["kind"] == "reply" for row in rows)
    assert (
        json.loads(next(r for r in rows if r["url"] == seed)["reply"])["proposal_no"] == "西湖31号"
    )
    warc = tmp_path / "all.warc.gz"
    subprocess.run([sys.executable, "-m", "crawler", "export", "--db", str(db), "--format", "warc", "-o",
                    str(warc)], check=True)  # fmt: skip
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as handle:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                 for r in ArchiveIterator(handle)]  # fmt: skip
    uris = [uri for kind, uri in kinds if kind == "response"]
    assert len(uris) == len(records) and seed in uris
    # Attachment files are kept as fetched: one resource record per stored file version.
    with open_store(db) as store:
        versions = store.conn.execute(
            "SELECT COUNT(*) FROM attachments a JOIN attachment_versions v ON v.url = a.url"
        ).fetchone()[0]
    assert versions and [k for k, _ in kinds if k == "resource"] == ["resource"] * versions
