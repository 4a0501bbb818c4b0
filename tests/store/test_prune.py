"""Retention and the cap: `prune` lets go of old raw responses and versions and nothing a
document, alert or link needs, on both backends; the cap ($GOVWATCH_DB_MAX_MB) is named when it
refuses a write, and a health alert comes before it is reached."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.store import Store, StoreWriteError, open_store
from crawler.store.capacity import cap_check, usage
from crawler.store.prune import prune
from crawler.watch.alerts import Alert, due

OLD, NEWER, RECENT = "2023-01-01T00:00:00+00:00", "2023-02-01T00:00:00+00:00", "2024-06-01T00:00:00+00:00"  # fmt: skip
CUTOFF = "2024-01-01T00:00:00+00:00"


def _file(url: str, content: bytes, at: str) -> dict[str, Any]:
    sha = hashlib.sha256(content).hexdigest()
    reading = {"sha256": sha, "type": "pdf", "size": len(content), "page_count": 1, "ocr": False,
               "ocr_confidence": None, "text": f"答复正文 {sha[:6]}", "pages": [], "warnings": []}  # fmt: skip
    return {"url": url, "status": 200, "reading": reading, "raw": content, "fetched_at": at,
            "fetched_url": url, "content_type": "application/pdf"}  # fmt: skip


def _save(store: Store, identity: str, body: str, at: str, files: list[dict[str, Any]],
          alert: bool = False) -> None:  # fmt: skip
    record = {"url": f"http://x.gov.cn/{identity}.html", "title": "关于开源软件的答复", "kind": "reply",
              "body_text": body, "warnings": [], "published_at": "2023-01-01",
              "attachments": [{"url": f["url"], "name": "答复.pdf", "type": "pdf"} for f in files]}  # fmt: skip
    alerts = due([Alert("open-source", {"title": record["title"]})]) if alert else None
    store.save(portal="p", identity=identity, record=record, fetched_url=record["url"], fetched_at=at,
               status=200, headers={}, raw=f"<html>{body}</html>".encode() * 200, etag=None,
               last_modified=None, run_id=None, files=files, alerts=alerts)  # fmt: skip


def _history(store: Store) -> None:
    """p:a has three versions: v1 (old, alerted), v2 (old), v3 (recent, the latest); its
    attachment URL u held file F1, then F2, and v3 links another URL, u2 (file F3). p:b has one
    old version, its latest."""
    u, u2 = "http://x.gov.cn/u.pdf", "http://x.gov.cn/u2.pdf"
    _save(store, "p:a", "第一稿", OLD, [_file(u, b"F1" * 3000, OLD)], alert=True)
    _save(store, "p:a", "第二稿", NEWER, [_file(u, b"F2" * 3000, NEWER)])
    _save(store, "p:a", "第三稿", RECENT, [_file(u2, b"F3" * 3000, RECENT)])
    _save(store, "p:b", "唯一稿", OLD, [])


def _files(store: Store) -> dict[str, bool]:
    """attachment file (by its content) → whether its raw bytes are still stored."""
    found = {}
    for content in (b"F1", b"F2", b"F3"):
        sha = hashlib.sha256(content * 3000).hexdigest()
        row = store.conn.execute(
            "SELECT raw FROM attachment_files WHERE sha256 = ?", (sha,)
        ).fetchone()
        if row is not None:
            found[content.decode()] = row[0] is not None
    return found


def _kept_what_must_stay(store: Store, alerts: list[dict[str, Any]]) -> None:
    assert store.raw("p:a") == "<html>第三稿</html>".encode() * 200  # the latest, with its raw
    assert store.raw("p:b") == "<html>唯一稿</html>".encode() * 200  # the latest, old as it is
    assert store.raw("p:a", 1) is not None  # an alert names it
    assert store.alerts(limit=100) == alerts
    document = store.document("p:a")
    assert document is not None and document["version"] == 3
    assert [hit["id"] for hit in store.search("第三稿")] == ["p:a"]
    assert _files(store)["F3"]  # a document links it


def test_prune_lets_go_of_old_raw_responses_only(corpus: str) -> None:
    with open_store(corpus) as store:
        _history(store)
        alerts = store.alerts(limit=100)
        assert len(alerts) == 1 and alerts[0]["key"].endswith(":v1")
        dry = prune(store, CUTOFF, dry_run=True)
        assert [(step.rows, step.bytes > 0) for step in dry.steps] == [(1, True), (2, True)]
        assert store.raw("p:a", 2) is not None and _files(store) == {
            "F1": True,
            "F2": True,
            "F3": True,
        }
        done = prune(store, CUTOFF)
        assert [step.rows for step in done.steps] == [1, 2] and done.vacuum_error is None
        assert [step.bytes for step in done.steps] == [step.bytes for step in dry.steps]
        assert store.raw("p:a", 2) is None  # v2's raw response went, its record stayed
        assert [v["version"] for v in store.versions("p:a")] == [1, 2, 3]
        assert store.versions("p:a")[1]["record"]["body_text"] == "第二稿"
        assert _files(store) == {"F1": False, "F2": False, "F3": True}
        assert store.file_text(hashlib.sha256(b"F1" * 3000).hexdigest())  # the text stays
        _kept_what_must_stay(store, alerts)
        assert prune(store, CUTOFF).rows == 0  # nothing left to let go of
        assert store.integrity() == "ok"


def test_prune_versions_lets_go_of_old_versions_whole(corpus: str) -> None:
    with open_store(corpus) as store:
        _history(store)
        alerts = store.alerts(limit=100)
        done = prune(store, CUTOFF, versions=True)
        assert done.vacuum_error is None
        # v2 goes; u's first version (F1) goes, its latest (F2) stays with its file; then F1.
        assert [step.rows for step in done.steps] == [1, 1, 1]
        assert [v["version"] for v in store.versions("p:a")] == [1, 3]
        assert _files(store) == {"F2": True, "F3": True}
        _kept_what_must_stay(store, alerts)
        # A cut-off before everything lets go of nothing.
        assert prune(store, "2020-01-01T00:00:00+00:00", versions=True).rows == 0
        assert store.integrity() == "ok"


def test_the_prune_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "corpus.db"
    with open_store(db) as store:
        _history(store)
    assert main(["prune", "--older-than", "2024-01-01", "--dry-run", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "would let go of the raw responses of old versions: 1 (" in out
    assert "would let go of the raw bytes of attachment files no document links: 2 (" in out
    assert "(dry run: nothing changed)" in out
    with open_store(db) as store:
        assert store.raw("p:a", 2) is not None
    assert main(["prune", "--older-than", "2024-01-01", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "let go of the raw responses of old versions: 1 (" in out and " MB → " in out
    with open_store(db) as store:
        assert store.raw("p:a", 2) is None
    assert main(["prune", "--older-than", "2999-01-01", "--db", str(db)]) == 2
    assert "in the future" in capsys.readouterr().err
    assert main(["prune", "--older-than", "half a year", "--db", str(db)]) == 2
    assert "Invalid value for '--older-than'" in capsys.readouterr().err
    assert main(["prune", "--older-than", "180d", "--db", str(tmp_path / "none.db")]) == 2
    assert "no such database" in capsys.readouterr().err


def _noise(seed: int, size: int = 12_000) -> bytes:
    """Bytes no compression shrinks, as a page's raw response mostly is once compressed."""
    return b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(size // 32))


def _fill(store: Store, start: int = 0, count: int = 10_000) -> int:
    """Documents with incompressible raw responses until the store refuses one; how many."""
    for number in range(start, start + count):
        body = hashlib.sha256(str(number).encode()).hexdigest() * 20
        record = {"url": f"http://x.gov.cn/{number}.html", "title": f"通知{number}", "kind": "other",
                  "body_text": body, "attachments": [], "warnings": []}  # fmt: skip
        store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                   fetched_at=OLD, status=200, headers={}, raw=_noise(number),
                   etag=None, last_modified=None, run_id=None)  # fmt: skip
    return count


def test_the_cap_is_named_when_it_refuses_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_DB_MAX_MB", "2")
    with open_store(tmp_path / "capped.db") as store, pytest.raises(StoreWriteError) as refused:
        _fill(store)
    message = str(refused.value)
    assert "the corpus reached its cap" in message and "GOVWATCH_DB_MAX_MB=2" in message
    assert "govwatch prune --older-than 180d" in message and "free disk space" not in message


def test_a_health_alert_comes_before_the_cap_and_prune_makes_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "corpus.db"
    with open_store(db) as store:
        _fill(store, count=60)
        for number in range(60):  # a second version of each: the first is old
            _save(store, f"p:{number}", "新版" + str(number), RECENT, [])
    size = db.stat().st_size
    monkeypatch.setenv("GOVWATCH_DB_MAX_MB", f"{size / 0.93 / 1024 / 1024:.4f}")  # 93% full
    with open_store(db) as store:
        found = usage(store)
        assert found is not None and 0.9 <= found.share < 0.95, found
        assert cap_check(store) == 1
        assert cap_check(store) == 0  # once a day at this level
        alert = store.alerts(limit=1)[0]
        assert alert["rules"] == ["health"] and "GOVWATCH_DB_MAX_MB=" in alert["message"]
        assert f"({found.share:.0%})" in alert["message"] and "govwatch prune" in alert["message"]
        prune(store, CUTOFF)
        after = usage(store)
        assert after is not None and after.share < 0.5, after
        assert cap_check(store) == 0
    monkeypatch.delenv("GOVWATCH_DB_MAX_MB")
    with open_store(db) as store:
        assert usage(store) is None and cap_check(store) == 0  # no cap, no alert


def test_every_scheduler_pass_checks_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.config import load_config
    from crawler.run.schedule import run_pass

    db = tmp_path / "corpus.db"
    with open_store(db) as store:
        _fill(store, count=30)
    monkeypatch.setenv("GOVWATCH_DB_MAX_MB", f"{db.stat().st_size / 0.96 / 1024 / 1024:.4f}")
    config = tmp_path / "govwatch.yaml"
    config.write_text(f"db: {db}\nportals: [govcn]\nsinks: []\n", encoding="utf-8")

    def crawler(config: Any, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        return {"error": "not crawled in this test", "status": "failed"}

    run_pass(load_config(config), only_due=False, crawler=crawler)
    with open_store(db) as store:
        keys = [alert["key"] for alert in store.alerts(limit=10)]
    assert any(key.startswith("health:corpus:cap:95%:") for key in keys), keys
