"""Crawls meet what real portals answer in place of pages: challenges with HTTP 200, soft 404s,
app shells, wrong pages, redirect stubs that leave or loop. None is stored; each is reported; the
next crawl without them completes the corpus. And a profile that names the wrong article pattern
raises the listing-changed alert, while one that names its own list selector crawls right."""

from __future__ import annotations

from pathlib import Path

from crawl_helpers import ROOT, crawl, served_replica, truth

from crawler.items import DOCUMENT_KEYS
from crawler.run.schedule import health_checks
from crawler.store import open_store

DOCS, DAY = 80, 1400
FAULTS = ";".join([
    "hubei-jxt:/fbjd/xxgkml/jytabl/zxwyta/index.html=captcha",  # 访问验证 on a listing
    "hangzhou-jxj:/col/col1229125421/index.html=shield",  # Virtual Container Shield
    "hangzhou-jxj:/col/col1229125434/index.html=acw",  # Alibaba WAF
    "hangzhou-jxj:/col/col1229265379/index.html=cookie-shell",  # C3VK
    "govcn:/search-gov/data=jsl",  # 加速乐, HTTP 521
    "hangzhou-gov:/col/col1229063401/art/*=soft-404@0.4",
    "hangzhou-gov:/col/col1229063389/art/*=app-shell@0.4",
    "hubei-jxt:*/rddbjy/2026*=stub-loop",
    "hubei-jxt:*/rddbjy/2025*=wrong-page@0.5",
    "hangzhou-jxj:/art/*=stub-away@0.3",
])  # fmt: skip


def test_stand_ins_are_reported_never_stored(tmp_path: Path) -> None:
    db = tmp_path / "stand-ins.db"
    with served_replica(DOCS, DAY, FAULTS) as url:
        first = crawl(url, db, exit_codes=(1,))  # portals failed (stand-ins) and were blocked
        with open_store(db) as store:
            errors = store.run_errors(first["run"])
            got = {r["url"]: r for r in store.records()}
    blocked = {(b["portal"], b["column"], b["message"]) for b in first["blocked"]}
    assert ("hubei-jxt", "zxwyta", "verification page (请输入验证码)") in blocked
    assert ("hangzhou-jxj", "1229125421", "Virtual Container Shield challenge") in blocked
    assert ("govcn", "gongwen", "HTTP 521: 加速乐/创宇盾 challenge (__jsl_clearance)") in blocked
    assert ("hangzhou-jxj", "1229125434", "Alibaba WAF challenge (acw_sc__v2)") in blocked
    assert ("hangzhou-jxj", "1229265379", "cookie challenge (C3VK)") in blocked
    messages = " | ".join(e["message"] or "" for e in errors if e["kind"] == "error")
    for kind in ("soft-404", "app-shell", "wrong-page", "leads outside the portal", "loop"):
        assert kind in messages, kind
    # Nothing that stood in for a page was stored: what is stored is right, and stored once.
    expected = truth(DOCS, DAY)
    assert set(got) <= set(expected)
    assert [u for u in got if any(got[u][k] != expected[u][k] for k in DOCUMENT_KEYS)] == []
    with open_store(db) as store:
        counts = store.counts()
    assert counts["versions"] == counts["documents"] == len(got)
    # Without the stand-ins the next crawl completes the corpus: none was read as "nothing new".
    with served_replica(DOCS, DAY) as url:
        final = crawl(url, db)
    assert final["errors"] == 0 and final["blocked"] == []
    with open_store(db) as store:
        assert {r["url"] for r in store.records()} == set(expected)


def _profiles(tmp_path: Path, name: str, extra: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    text = (ROOT / "crawler" / "portals" / "shipped" / "hubei-jxt.yaml").read_text(encoding="utf-8")
    (directory / "hubei-jxt.yaml").write_text(text + extra, encoding="utf-8")
    return directory


def test_listing_overrides_in_profiles(tmp_path: Path) -> None:
    wrong = _profiles(tmp_path, "wrong", "article_pattern: '/doc_\\d+\\.html$'\n")
    own = _profiles(tmp_path, "own", "list_selector: ul.xxgk_rul\n")
    expected = {u for u in truth(DOCS, DAY) if "jxt.hubei" in u}
    with served_replica(DOCS, DAY) as url:
        changed = crawl(
            url, tmp_path / "wrong.db", "hubei-jxt", "--profiles", str(wrong), exit_codes=(1,)
        )
        right = crawl(url, tmp_path / "own.db", "hubei-jxt", "--profiles", str(own))
    with open_store(tmp_path / "wrong.db") as store:
        errors = store.run_errors(changed["run"])
        assert store.counts()["documents"] == 0
        assert health_checks(store, "hubei-jxt", changed) == 3  # one per column
    assert changed["errors"] == 3 and all("listing changed" in e["message"] for e in errors)
    assert right["errors"] == 0
    # Each column's first page pins a row linking the province's portal: listed, never fetched.
    assert right["portals"]["hubei-jxt"]["entries_skipped"] == 3
    with open_store(tmp_path / "own.db") as store:
        assert {r["url"] for r in store.records()} == expected
