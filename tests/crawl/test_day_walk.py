"""The replica day walk: a `--full` crawl after each of four days from 2023-06-01 to 2023-10-15
(days between which the replica edits documents on four portals and withdraws three).
After every crawl the corpus equals the replica's truth, every edit and withdrawal included —
also on servers that keep Last-Modified at the publication time (the replica does, as many
CMSs do), where only the ETag tells an edited page from the one stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawl_helpers import crawl, served_replica, set_day, truth

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store
from replica.corpus import day_number

DOCS = 400  # small, yet with edits on three portals and withdrawals between the days
DAYS = ("2023-06-01", "2023-07-15", "2023-09-01", "2023-10-15")


def live(db: Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        return {record["url"]: record for record in store.records() if record["status"] == "live"}


def test_a_full_crawl_after_each_day_equals_the_truth(tmp_path: Path) -> None:
    db = tmp_path / "walk.db"
    with served_replica(DOCS, day_number(DAYS[0])) as url:
        for date in DAYS:
            day = day_number(date)
            set_day(url, day)
            summary = crawl(url, db, "--full")
            assert summary["errors"] == 0 and summary["blocked"] == [], date
            expected, got = truth(DOCS, day), live(db)
            assert set(got) == set(expected), date
            stale = sorted(
                url for url, record in expected.items()
                if any(got[url][key] != record[key] for key in DOCUMENT_KEYS)
            )  # fmt: skip
            assert stale == [], date
    with open_store(db) as store:
        edited = {
            row["portal"]
            for row in store.db.query("SELECT portal FROM documents WHERE version > 1")
        }
        gone = store.conn.execute(
            "SELECT COUNT(*) FROM documents WHERE status = 'gone'"
        ).fetchone()[0]
    # The walk met what it is about: edits on portals that answer conditional requests (jpaas,
    # Hanweb, gov.cn), and withdrawals.
    assert {"hangzhou-jxj", "hangzhou-gov", "govcn"} <= edited
    assert gone >= 3
