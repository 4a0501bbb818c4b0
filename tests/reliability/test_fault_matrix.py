"""The fault matrix: what real portals do to crawlers, all at once. Every transient fault
recovers, every block is reported, nothing is stored wrong or twice, no alert is repeated."""

from __future__ import annotations

from pathlib import Path

from crawl_helpers import crawl, served_replica, truth

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store

DOCS, DAY = 200, 1400
FAULTS = ";".join([
    "hangzhou-jxj:/art/*=503@0.2,reset@0.05,truncate@0.05",  # transient, with Retry-After
    "hangzhou-jxj:/col/col1229125421/index.html=418",  # 加速乐 block page
    "hangzhou-jxj:*dataproxy*=empty-proxy",  # empty answers to bots
    "hubei-jxt:*/t2*=500@0.2,slow:7@0.05",  # errors and timeouts on articles (GBK, some mis-declared)
    "hubei-jxt:/fbjd/xxgkml/jytabl/zxwyta/index.html=412",  # 瑞数 challenge
    "hangzhou-gov:/col/col1229063401/art/*=illegal@0.3",  # 非法请求 without a session cookie
    "govcn:/search-gov/data=429@0.3",  # rate limited, with Retry-After
    "govcn:/zhengce/content/2024-0[1-3]/*=redirect-loop@0.5",
    "govcn:/zhengce/content/2025-0[1-3]/*=oversize@0.5",
])  # fmt: skip


def test_fault_matrix(tmp_path: Path) -> None:
    db = tmp_path / "faults.db"
    with served_replica(DOCS, DAY, FAULTS) as url:
        first = crawl(url, db, exit_codes=(1,))  # errors beyond the retries, and blocks
        with open_store(db) as store:
            errors = store.run_errors(first["run"])
        second = crawl(url, db, exit_codes=(1, 3))
    blocked = {(b["portal"], b["column"], b["message"]) for b in first["blocked"]}
    assert (
        "hangzhou-jxj",
        "1229125421",
        "HTTP 418: 加速乐/创宇盾 challenge (__jsl_clearance)",
    ) in blocked
    assert ("hubei-jxt", "zxwyta", "HTTP 412: 瑞数 challenge ($_ts)") in blocked
    assert any(b[0] == "hangzhou-jxj" and b[2] == "empty answer" for b in blocked)
    assert any(b[0] == "hangzhou-gov" and "非法请求" in b[2] for b in blocked)
    messages = " ".join(e["message"] or "" for e in errors)
    assert (
        "redirect" in messages.lower()
        or "oversize" in messages.lower()
        or "size" in messages.lower()
    )
    assert first["errors"] + len(first["blocked"]) == len(errors)
    # Everything stored is right and stored once, under faults.
    expected = truth(DOCS, DAY)
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
        counts = store.counts()
        alert_keys = [a["key"] for a in store.alerts(limit=100000)]
    assert set(got) <= set(expected)
    assert [u for u in got if any(got[u][k] != expected[u][k] for k in DOCUMENT_KEYS)] == []
    assert counts["versions"] == counts["documents"] == len(got)
    assert len(alert_keys) == len(set(alert_keys))
    # Once the faults pass, the next crawl completes the corpus: nothing was read as "nothing new".
    with served_replica(DOCS, DAY) as url:
        final = crawl(url, db)
    assert final["errors"] == 0 and final["blocked"] == []
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
    assert set(got) == set(expected)
    assert [u for u in expected if any(got[u][k] != expected[u][k] for k in DOCUMENT_KEYS)] == []
    assert second["documents_changed"] == 0
