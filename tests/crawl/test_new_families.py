"""Guangdong's gkmlpt and the generic spider against the replica: complete, deduplicated,
incremental; the stored corpus equals the truth."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import ROOT, copy_db, crawl, served_replica, set_day

from crawler.items import DOCUMENT_KEYS
from crawler.portals.profiles import CATALOGUE
from crawler.store import open_store
from replica.app import Replica
from replica.client import served_origins
from replica.corpus import date_of
from replica.generic import REBUILD

DOCS = 120
DAY = 1400
PORTALS = ("foshan-fsgjj", "county-demo")


def truth(day: int) -> dict[str, dict[str, Any]]:
    return {
        record["url"]: record
        for record in Replica(DOCS, day, 1).truth(optional=PORTALS)
        if record["portal"] in PORTALS
    }


@pytest.fixture(scope="module")
def replica_url() -> Any:
    with served_replica(DOCS, DAY) as url:
        yield url


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("profiles")
    shutil.copy(CATALOGUE / "foshan-fsgjj.yaml", directory)
    shutil.copy(ROOT / "tests" / "fixtures" / "profiles" / "county-demo.yaml", directory)
    return directory


def run(replica_url: str, db: Path, profiles: Path, *extra: str) -> dict[str, Any]:
    return crawl(replica_url, db, "--profiles", str(profiles), *extra, *PORTALS)


@pytest.fixture(scope="module")
def crawled(
    replica_url: str, profiles: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    set_day(replica_url, DAY)
    db = tmp_path_factory.mktemp("families") / "first.db"
    return db, run(replica_url, db, profiles)


def stored(db: Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        return {record["url"]: record for record in store.records() if record["status"] == "live"}


def test_the_corpus_equals_the_truth(crawled: tuple[Path, dict[str, Any]]) -> None:
    db, summary = crawled
    expected, got = truth(DAY), stored(db)
    assert summary["errors"] == 0 and summary["blocked"] == []
    assert {name: p["documents_new"] > 0 for name, p in summary["portals"].items()} == {
        "foshan-fsgjj": True, "county-demo": True,
    }  # fmt: skip
    assert set(got) == set(expected)
    wrong = [(u, k) for u, r in expected.items() for k in DOCUMENT_KEYS if got[u][k] != r[k]]
    assert wrong == []
    with open_store(db) as store:
        assert store.counts() == {
            "documents": len(expected), "live": len(expected), "versions": len(expected),
        }  # fmt: skip


def test_gkmlpt_quirks_are_met(replica_url: str, crawled: tuple[Path, dict[str, Any]]) -> None:
    """The API sends readers to mobile copies and legacy stubs; what is stored is the platform's
    own page, with the time of day only the embedded post record gives."""
    sites = served_origins(replica_url)
    origin = sites["foshan-fsgjj"]
    rows: list[dict[str, Any]] = []
    for category in ("617", "618", "607"):
        url = f"{origin}/gkmlpt/api/all/{category}?page=1&sid=757016"
        rows += json.loads(urllib.request.urlopen(url).read())["articles"]
    urls = [row["url"] for row in rows]
    assert any("/mpost_" in u for u in urls) and any("/gkml/" in u for u in urls)
    assert any("/xxgk/" in u for u in urls)  # the site's own copy: the platform page is crawled
    got = [r for r in stored(crawled[0]).values() if "foshan" in r["url"]]
    assert got and all("/gkmlpt/content/" in r["url"] and "/post_" in r["url"] for r in got)
    assert all("T" in r["published_at"] and r["published_at"][11:] != "00:00:00+08:00" for r in got)


def test_a_recrawl_with_nothing_new(
    crawled: tuple[Path, dict[str, Any]], replica_url: str, profiles: Path, tmp_path: Path
) -> None:
    set_day(replica_url, DAY)
    db = copy_db(crawled[0], tmp_path / "again.db")
    summary = run(replica_url, db, profiles)
    assert summary["errors"] == 0
    assert (summary["documents_new"], summary["documents_changed"], summary["documents_gone"]) == (
        0, 0, 0,
    )  # fmt: skip
    # Routine: one listing page per column (all known), and only the recent documents revisited.
    window = date_of(DAY - 30).isoformat()
    recent = [u for u, r in truth(DAY).items() if r["published_at"] >= window]
    assert summary["requests"] <= 2 + 5 + len(recent) + 5


def test_days_advance_and_a_rebuilt_site(
    crawled: tuple[Path, dict[str, Any]], replica_url: str, profiles: Path, tmp_path: Path
) -> None:
    """New documents found, withdrawn ones gone after a full crawl; and the county's site
    rebuilt on the way (a column and its documents at new URLs, the old ones 404): the moved
    documents stay the same documents — new versions, no new documents, no alerts."""
    later = DAY + 25
    assert DAY < REBUILD <= later
    before, after = truth(DAY), truth(later)
    home = {record["index_no"]: url for url, record in before.items()}
    indexes = {record["index_no"] for record in after.values()}
    moved = {u for u, r in after.items() if r["index_no"] in home and home[r["index_no"]] != u}
    new = {u for u, r in after.items() if r["index_no"] not in home}
    withdrawn = {u for u, r in before.items() if r["index_no"] not in indexes}
    assert moved and new
    db = copy_db(crawled[0], tmp_path / "later.db")
    # A rule every document matches, re-alerting on edits: new documents alert, moves must not.
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - {name: everything, any: [的], fields: [title, body], realert_on_change: true}\n",
        encoding="utf-8",
    )
    set_day(replica_url, later)
    try:
        routine = run(replica_url, db, profiles, "--rules", str(rules))
        assert routine["errors"] == 0 and routine["documents_new"] == len(new)
        assert routine["portals"]["county-demo"]["documents_moved"] + sum(
            p["documents_changed"] for p in routine["portals"].values()
        ) >= len(moved)
        run(replica_url, db, profiles, "--full", "--rules", str(rules))
        got = stored(db)
        assert set(got) == set(after)
        assert [u for u, r in after.items() if any(got[u][k] != r[k] for k in DOCUMENT_KEYS)] == []
        with open_store(db) as store:
            gone = {r["url"] for r in store.records() if r["status"] == "gone"}
            counts = store.counts()
            alerted = {row[0] for row in store.conn.execute("SELECT document_id FROM alerts")}
            identities = {r["url"]: r["id"] for r in store.records()}
        assert gone == withdrawn
        # One document per 索引号: the moved ones were not stored twice.
        assert counts["documents"] == len(after) + len(withdrawn)
        unchanged = {
            u
            for u in moved
            if after[u]["body_text"] == before[home[after[u]["index_no"]]]["body_text"]
        }
        assert {identities[u] for u in new} <= alerted  # the rule does alert
        assert unchanged and not {identities[u] for u in unchanged} & alerted
    finally:
        set_day(replica_url, DAY)
