"""The Parquet export read back as researchers read it — DuckDB and pandas — with the corpus's
counts, types and values; partitioned by portal and year, and added to by a later export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bench.export import build_corpus
from crawler.store import Store, open_store
from crawler.store.export import Request, export
from crawler.watch.rules import alerts_for, load_rules

duckdb = pytest.importorskip("duckdb", reason="pip install -e '.[dev]'")
pandas = pytest.importorskip("pandas", reason="pip install -e '.[dev]'")
pytest.importorskip("pyarrow", reason="pip install -e '.[export]'")

CHINA = "Asia/Shanghai"
DOCS = 400


def _add_reply(store: Store) -> str:
    """A reply about open-source software (an alert with it), then an edit of it (a version)."""
    reply = next(r for r in store.records(kind="reply") if r.get("reply"))
    record = {key: reply.get(key) for key in ("title", "kind", "reply", "published_at",
                                             "attachments", "warnings", "body_text")}  # fmt: skip
    record["url"] = reply["url"] + "?copy"
    record["body_text"] = (record["body_text"] or "") + "\n支持开源软件和开源社区发展。"
    edited = {**record, "body_text": record["body_text"] + "（已更新）"}
    for version, at in (
        (record, "2026-11-27T02:00:00+00:00"),
        (edited, "2026-11-28T02:00:00+00:00"),
    ):
        store.save(portal=reply["portal"], identity="extra:1", record=version, fetched_url=record["url"],
                   fetched_at=at, status=200, headers={}, raw=b"<html></html>", etag=None,
                   last_modified=None, run_id=None,
                   alerts=alerts_for(load_rules(), version, reply["portal"]))  # fmt: skip
    return "extra:1"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("parquet") / "corpus.db"
    assert build_corpus(db, DOCS - 1) == DOCS - 1
    with open_store(db) as store:
        edited = _add_reply(store)
    return db, edited


def _sql(query: str) -> list[tuple[Any, ...]]:
    return duckdb.connect().execute(query).fetchall()


def test_documents_read_back_in_duckdb_and_pandas(corpus: tuple[Path, str], tmp_path: Path) -> None:
    db, edited = corpus
    out = tmp_path / "documents.parquet"
    with open_store(db, readonly=True) as store:
        done = export(store, Request(form="parquet", output=str(out)))
        stored = {r["id"]: r for r in store.records()}
    assert done.count == len(stored) == DOCS
    frame = pandas.read_parquet(out)
    assert len(frame) == DOCS == _sql(f"SELECT COUNT(*) FROM '{out}'")[0][0]
    # Types: times in China's zone, dates as dates, the reply a struct, lists as lists.
    assert str(frame["published_at"].dtype).endswith(f"{CHINA}]")
    types = dict(_sql(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{out}')"))
    assert types["published_at"] == types["first_seen"] == "TIMESTAMP WITH TIME ZONE"
    assert types["written_date"] == "DATE" and types["version"] == "BIGINT"
    assert (
        types["reply"].startswith("STRUCT(addressee VARCHAR")
        and "signed_date DATE" in types["reply"]
    )
    assert types["attachments"].startswith("STRUCT(url VARCHAR") and types["attachments"].endswith(
        "[]"
    )
    # Values: the same as the corpus, row by row.
    by_id = frame.set_index("id")
    for identity, record in stored.items():
        row = by_id.loc[identity]
        assert row["title"] == record["title"] and row["version"] == record["version"]
        expected = dt.datetime.fromisoformat(record["published_at"])
        assert row["published_at"].to_pydatetime() == expected
        assert [a["url"] for a in row["attachments"]] == [a["url"] for a in record["attachments"]]
    replies = [r for r in stored.values() if r.get("reply")]
    got = dict(_sql(f"SELECT id, reply.proposal_no FROM '{out}' WHERE reply IS NOT NULL"))
    assert got == {r["id"]: r["reply"].get("proposal_no") for r in replies}
    agencies = dict(_sql(f"SELECT id, reply.co_agencies FROM '{out}' WHERE reply IS NOT NULL"))
    assert agencies == {r["id"]: r["reply"].get("co_agencies") or [] for r in replies}
    per_kind = dict(_sql(f"SELECT kind, COUNT(*) FROM '{out}' GROUP BY kind"))
    assert per_kind == {k: sum(r["kind"] == k for r in stored.values()) for k in per_kind}
    assert by_id.loc[edited]["version"] == 2
    card = (tmp_path / "documents.DATASET.md").read_text(encoding="utf-8")
    assert f"- records: {DOCS}" in card and "| `published_at` | timestamp (Asia/Shanghai) |" in card


def test_versions_and_alerts_as_parquet(corpus: tuple[Path, str], tmp_path: Path) -> None:
    db, edited = corpus
    with open_store(db, readonly=True) as store:
        versions = store.counts()["versions"]
        alerts = store.alerts(limit=1000)
        export(store, Request(what="versions", form="parquet", output=str(tmp_path / "v.parquet")))
        export(store, Request(what="alerts", form="parquet", output=str(tmp_path / "a.parquet")))
    assert _sql(f"SELECT COUNT(*) FROM '{tmp_path}/v.parquet'")[0][0] == versions == DOCS + 1
    assert _sql(f"SELECT version, fetched_at FROM '{tmp_path}/v.parquet' WHERE document_id = "
                f"'{edited}' ORDER BY version")[1][0] == 2  # fmt: skip
    rows = _sql(f"SELECT document_id, rules, deliveries FROM '{tmp_path}/a.parquet'")
    assert alerts and len(rows) == len(alerts)
    assert rows[0][0] == edited and "open-source" in rows[0][1] and rows[0][2] == []


def test_partitioned_by_portal_and_year_and_added_to(
    corpus: tuple[Path, str], tmp_path: Path
) -> None:
    db, _ = corpus
    root = tmp_path / "corpus"
    with open_store(db, readonly=True) as store:
        first = export(store, Request(form="parquet", output=str(root), partition=True))
        since = "2026-01-01"
        later = sum(1 for _ in store.records(since=since))
        assert 0 < later < DOCS
        files = {p: p.read_bytes() for p in root.rglob("*.parquet")}
        second = export(
            store, Request(form="parquet", output=str(root), partition=True, since=since)
        )
    assert first.count == DOCS and second.count == later
    assert all(path.read_bytes() == body for path, body in files.items())  # never overwritten
    assert all(p.parent.name.startswith("year=") and p.parent.parent.name.startswith("portal=")
               for p in root.rglob("*.parquet"))  # fmt: skip
    glob = f"read_parquet('{root}/**/*.parquet', hive_partitioning = true)"
    assert _sql(f"SELECT COUNT(*), COUNT(DISTINCT id) FROM {glob}")[0] == (DOCS + later, DOCS)
    per_year = dict(_sql(f"SELECT year, COUNT(*) FROM {glob} GROUP BY year"))
    assert sum(count for year, count in per_year.items() if int(year) >= 2026) == 2 * later
    frame = pandas.read_parquet(root)  # the card (_DATASET.md) is skipped by readers
    assert len(frame) == DOCS + later and set(frame["portal"].astype(str)) == set(
        dict(_sql(f"SELECT portal, 1 FROM {glob}"))
    )
    assert (root / "_DATASET.md").read_text(encoding="utf-8").count("| 2026 |") == 1
