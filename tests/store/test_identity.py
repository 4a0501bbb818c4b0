"""Identity by 索引号: a document whose URL carries no id, moved to a new URL with the same 索引号,
is the same document with a new version — not a new document, not a new alert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.store import Store, open_store
from crawler.watch.alerts import Alert, due

INDEX = "MB1C33605X/2024-00017"


def record(url: str, **change: Any) -> dict[str, Any]:
    base = {"url": url, "title": "关于开源软件发展的建议的答复", "index_no": INDEX, "body_text": "开源软件。",
            "kind": "reply", "attachments": [], "warnings": []}  # fmt: skip
    return {**base, **change}


def save(store: Store, identity: str, data: dict[str, Any]) -> Any:
    alerts = [Alert("oss", {"title": data["title"]}, on_change=True), Alert("new", {})]
    return store.save(
        portal="p", identity=identity, record=data, fetched_url=data["url"],
        fetched_at="2024-03-01T00:00:00+00:00", status=200, headers={}, raw=b"<html/>",
        etag=None, last_modified=None, run_id=None, alerts=due(alerts),
    )  # fmt: skip


OLD = "http://county.gov.cn/zwgk/jyta/202403/ab12cd.html"
NEW = "http://county.gov.cn/xxgk/jytabl/202403/zz99yy.html"


def test_a_moved_document_is_a_new_version_without_alerts(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert save(store, f"p:{OLD}", record(OLD)).kind == "new"
        alerts = len(store.alerts(limit=100))
        outcome = save(store, f"p:{NEW}", record(NEW))
        assert (outcome.kind, outcome.identity, outcome.version) == ("moved", f"p:{OLD}", 2)
        assert len(store.alerts(limit=100)) == alerts  # no new alert of any rule
        document = store.document(f"p:{OLD}")
        assert document is not None and document["url"] == NEW
        assert store.counts() == {"documents": 1, "live": 1, "versions": 2}
        assert store.aliases("p") == {f"p:{NEW}": f"p:{OLD}"}
        # Moved and edited: a changed document, alerting only the rules that re-alert.
        later = "http://county.gov.cn/zwgk/new/abc123.html"
        edited = save(store, f"p:{later}", record(later, body_text="开源软件。补充。"))
        assert (edited.kind, edited.identity, edited.alerts) == ("changed", f"p:{OLD}", 1)


def test_family_ids_and_shared_numbers_are_never_merged(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        # URLs with an id of their own: two ids are two documents, whatever their 索引号.
        assert save(store, "p:4216448", record(OLD)).kind == "new"
        assert save(store, "p:4216449", record(NEW)).kind == "new"
        # A URL identity beside those: theirs are ids, not URLs, so it is a document of its own.
        assert save(store, f"p:{OLD}", record(OLD)).kind == "new"
        # Two URL identities that already share the number: which one moved cannot be told.
        assert save(store, f"p:{NEW}", record(NEW, index_no="X1/2024-00999")).kind == "new"
        with store.transaction() as conn:
            conn.execute("UPDATE documents SET index_no = ? WHERE id = ?", (INDEX, f"p:{NEW}"))
        third = "http://county.gov.cn/a/b/c3.html"
        assert save(store, f"p:{third}", record(third)).kind == "new"
        assert store.aliases("p") == {}
        # A number that is no index number (empty, a bare year) identifies nothing.
        for n, value in enumerate(("", "2024", "—")):
            url = f"http://county.gov.cn/x/{n}.html"
            first = save(store, f"p:{url}", record(url, index_no=value))
            other = f"http://county.gov.cn/y/{n}.html"
            assert first.kind == "new"
            assert save(store, f"p:{other}", record(other, index_no=value)).kind == "new"
