"""The scheduled path over simulated weeks: `govwatch run --due` as cron would call it, the clock
($GOVWATCH_NOW) and the replica's day moving together. Portals run when due and only then, the
weekly full crawl comes round (the first crawl counting as one), and in the end the corpus equals
the replica's truth — an edit and a withdrawal of documents too old for routine revisits included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawl_helpers import ROOT, served_replica, set_day, truth

from crawler.items import DOCUMENT_KEYS
from crawler.store import open_store
from replica.corpus import date_of

DOCS = 300
PORTALS = ("hangzhou-gov", "govcn")  # every 6 h and every 12 h
# hangzhou-gov: document 64 (published day 304) is edited on day 348, document 56 (day 266) is
# withdrawn on day 354 — both outside the 30-day window routine crawls revisit.
DAYS = (340, 348, 352, 356)


def run_due(config: Path, day: int, time: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVWATCH_NOW": f"{date_of(day).isoformat()}T{time}+08:00"}
    return subprocess.run([sys.executable, "-m", "crawler", "run", *PORTALS, "--due", "--config", str(config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)  # fmt: skip


def crawls(db: Path) -> list[tuple[str, str, bool]]:
    """(portal, started_at, whether it was a full walk) of every run, in order."""
    with open_store(db) as store:
        rows = list(store.db.query("SELECT portals, started_at, stats FROM runs ORDER BY id"))
    found = []
    for row in rows:
        stats: dict[str, Any] = json.loads(row["stats"] or "{}")
        for portal in json.loads(row["portals"]):
            found.append((portal, row["started_at"][:16], bool(stats.get(portal, {}).get("full"))))
    return found


def test_run_due_over_simulated_weeks(tmp_path: Path) -> None:
    config, db = tmp_path / "govwatch.yaml", tmp_path / "w.db"
    with served_replica(DOCS, DAYS[0]) as url:
        config.write_text(json.dumps({"db": "w.db", "replica": url, "sinks": [{"type": "jsonl", "path": "a.jsonl"}]}),
                          encoding="utf-8")  # fmt: skip
        for day in DAYS:
            set_day(url, day)
            result = run_due(config, day, "09:00:00")
            assert result.returncode == 0, result.stderr[-2000:]
            if day == DAYS[0]:
                later = run_due(config, day, "09:30:00")  # nothing is due half an hour later
                assert later.returncode == 0 and "no portal is due" in later.stdout
                seven = run_due(config, day, "16:00:00")  # 7 h: the 6-hourly portal only
                assert seven.returncode == 0 and seven.stdout.startswith("hangzhou-gov: done: ")
    assert [(p, t) for p, t, _ in crawls(db)][:3] == [
        ("hangzhou-gov", "2023-12-07T01:00"), ("govcn", "2023-12-07T01:00"),
        ("hangzhou-gov", "2023-12-07T08:00"),
    ]  # fmt: skip
    full = [(p, t[:10]) for p, t, walked in crawls(db) if walked and p == "hangzhou-gov"]
    # The first crawl walks everything; then full_every (7 days) brings a full crawl round.
    assert full == [("hangzhou-gov", "2023-12-07"), ("hangzhou-gov", "2023-12-15"),
                    ("hangzhou-gov", "2023-12-23")]  # fmt: skip
    expected = {u: r for u, r in truth(DOCS, DAYS[-1]).items() if r["portal"] in PORTALS}
    with open_store(db) as store:
        live = {r["url"]: r for r in store.records() if r["status"] == "live"}
        edited = store.document("hangzhou-gov:" + _key(64))
        withdrawn = store.document("hangzhou-gov:" + _key(56))
    assert set(live) == set(expected)
    assert [u for u, r in expected.items() if any(live[u][k] != r[k] for k in DOCUMENT_KEYS)] == []
    assert edited is not None and edited["version"] == 2
    assert withdrawn is not None and withdrawn["status"] == "gone"


def _key(serial: int) -> str:
    from replica.corpus import Corpus

    return next(s.key for s in Corpus(DOCS, 1).specs["hangzhou-gov"] if s.serial == serial)
