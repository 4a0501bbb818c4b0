"""The store: versions, hashing, gone-not-deleted, transactions, schema versions, search form."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler.items import content_hash
from crawler.store import NewerSchemaError, Store, StoreError, open_store, shared_store
from crawler.store.query import fts_query, search_form
from crawler.store.schema import SCHEMA_VERSION


def _record(**change: Any) -> dict[str, Any]:
    base = {"url": "http://x.gov.cn/a.html", "title": "关于开源软件的答复", "body_text": "开源软件。", "kind": "reply",
            "reply": {"proposal_no": "西湖31号"}, "attachments": [], "warnings": []}  # fmt: skip
    return {**base, **change}


def _save(store: Store, record: dict[str, Any], identity: str = "p:1") -> str:
    return store.save(
        portal="p", identity=identity, record=record, fetched_url=record["url"], fetched_at="2024-01-01T00:00:00+00:00",
        status=200, headers={"ETag": '"e"'}, raw=b"<html>raw</html>", etag='"e"', last_modified=None, run_id=None,
    ).kind  # fmt: skip


def test_new_unchanged_changed_versions(corpus: str) -> None:
    with open_store(corpus) as store:
        assert _save(store, _record()) == "new"
        assert (
            _save(store, _record(warnings=["a warning"], url="http://mirror/a.html")) == "unchanged"
        )
        assert _save(store, _record(body_text="开源软件。更新。")) == "changed"
        assert store.counts() == {"documents": 1, "live": 1, "versions": 2}
        assert store.raw("p:1", 1) == b"<html>raw</html>"
        document = store.document("p:1")
        assert (
            document is not None
            and document["version"] == 2
            and document["reply"]["proposal_no"] == "西湖31号"
        )


def test_hash_ignores_url_and_warnings() -> None:
    assert content_hash(_record()) == content_hash(_record(url="http://y/", warnings=["w"]))
    assert content_hash(_record()) != content_hash(_record(title="另一个标题"))


def test_gone_is_never_deleted(corpus: str) -> None:
    with open_store(corpus) as store:
        _save(store, _record())
        assert store.mark_gone(["p:1"], "2024-02-01") == 1
        assert store.mark_gone(["p:1"], "2024-02-02") == 0
        document = store.document("p:1")
        assert (
            document is not None
            and document["status"] == "gone"
            and document["gone_at"] == "2024-02-01"
        )
        assert _save(store, _record()) == "revived"


def test_a_failed_write_changes_nothing(corpus: str) -> None:
    with open_store(corpus) as store:
        _save(store, _record())
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("UPDATE documents SET title = 'half-written'")
            raise RuntimeError("crash in the middle")
        document = store.document("p:1")
        assert document is not None and document["title"] == "关于开源软件的答复"


def test_newer_schema_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(NewerSchemaError, match=r"newer govwatch .*schema 99.*Upgrade govwatch"):
        open_store(path)


def test_missing_database_for_readers(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        open_store(tmp_path / "none.db", create=False)


def test_wal_mode(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("开源软件", "开源 源软 软件"),
        ("開源", "开源"),
        ("OpenHarmony 开源", "openharmony 开源"),
        ("", ""),
    ],
)
def test_search_form(text: str, form: str) -> None:
    assert search_form(text) == form


def test_search_in_either_script(corpus: str) -> None:
    with open_store(corpus) as store:
        _save(store, _record(body_text="坚持开源节流。"), "p:1")
        _save(store, _record(title="關於開源軟件", body_text="開源社區。", url="http://x/b"), "p:2")
        assert {h["id"] for h in store.search("开源软件")} == {"p:1", "p:2"}
        assert [h["id"] for h in store.search("开源社区")] == ["p:2"]
        assert {h["id"] for h in store.search("节流")} == {"p:1"}
        assert fts_query("开 源") == "开* AND 源*"


@pytest.mark.parametrize(
    ("retries", "after", "expected"),
    [(0, None, 2.0), (2, None, 8.0), (10, None, 120.0), (0, "7", 7.0), (0, "9999", 120.0),
     (1, "Wed, 21 Oct 2015 07:28:00 GMT", 4.0)],
)  # fmt: skip
def test_retry_backoff_honours_retry_after(
    retries: int, after: str | None, expected: float
) -> None:
    from crawler.fetch.middlewares import retry_delay

    assert retry_delay(retries, after, 2.0, 120.0) == expected


def test_a_schema_2_corpus_keeps_its_baseline_per_column(tmp_path: Path) -> None:
    """Baselines moved from portals to columns (schema 3): a portal's old baseline becomes that
    of its columns walked to their end, so an upgrade raises no flood of history alerts."""
    import sqlite_utils

    from crawler.store import open_store
    from crawler.store.schema import MIGRATIONS

    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    MIGRATIONS[1](db)
    MIGRATIONS[2](db)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO portals (name, baseline_at) VALUES ('p', '2024-01-01T00:00:00+00:00')"
    )
    conn.execute("INSERT INTO columns VALUES ('p', 'walked', 10, '2024-01-01', 1)")
    conn.execute("INSERT INTO columns VALUES ('p', 'blocked', 0, '2024-01-01', 0)")
    conn.close()
    with open_store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.baseline_done("p", "walked") and not store.baseline_done("p", "blocked")
        assert store.baseline_done("p") and not store.baseline_done("q")


def test_the_crawlers_of_one_process_share_one_store(corpus: str) -> None:
    """Store.shared: one connection per database and process, closed with its last user."""
    first = shared_store(corpus)
    second = shared_store(corpus)
    assert first is second
    first.release()
    assert second.counts()["documents"] == 0  # still open for its other user
    second.release()
    third = shared_store(corpus)
    assert third is not first  # the last release closed it; a new one is opened
    third.release()


#: published_at as pages print it (a date, or a time at +08:00) around the day 2023-11-03.
PUBLISHED = ["2023-11-02", "2023-11-02T23:59:59+08:00", "2023-11-03", "2023-11-03T00:00:00+08:00",
             "2023-11-03T07:59:59+08:00", "2023-11-03T08:00:00+08:00", "2023-11-04", None]  # fmt: skip


@pytest.mark.parametrize(
    ("since", "kept"),
    [
        # A date keeps every document published that day, whether it prints a time or not.
        ("2023-11-03", PUBLISHED[2:7]),
        ("2023/11/3", PUBLISHED[2:7]),
        ("2023年11月3日", PUBLISHED[2:7]),
        # UTC midnight is 08:00 in China: a document printing only that date may be later on it.
        ("2023-11-03T00:00:00Z", [PUBLISHED[2], *PUBLISHED[5:7]]),
        ("2023-11-03T08:00", [PUBLISHED[2], *PUBLISHED[5:7]]),
        # China's midnight written in UTC is the date itself.
        ("2023-11-02T16:00:00+00:00", PUBLISHED[2:7]),
        ("2023-11-02T23:59:59", PUBLISHED[0:7]),
        ("2023-11-04", PUBLISHED[6:7]),
    ],
)
def test_since_compares_with_dates_as_pages_print_them(
    corpus: str, since: str, kept: list[str]
) -> None:
    import datetime as dt

    from crawler.clock import since as read_since

    bound = read_since(since, dt.datetime(2023, 11, 6, tzinfo=dt.UTC)).published
    with open_store(corpus) as store:
        for number, published in enumerate(PUBLISHED):
            _save(store, _record(url=f"http://x.gov.cn/{number}.html", published_at=published,
                                 title=f"开源 {number}"), f"p:{number}")  # fmt: skip
        found = [r["published_at"] for r in store.records(since=bound)]
        assert sorted(found) == sorted(kept), bound
        hits = store.search("开源", since=bound, limit=100)
        assert sorted(h["published_at"] for h in hits) == sorted(kept), bound
        assert store.search_count("开源", since=bound) == len(kept)
