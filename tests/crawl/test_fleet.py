"""The fleet replica (replica.fleet): N portals, each with its own name, origin, port and
generated profile, crawled by govwatch into a corpus equal to their truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawl_helpers import ROOT, crawl, free_block

from crawler.items import DOCUMENT_KEYS
from crawler.portals.profiles import load_profiles
from crawler.store import open_store
from replica.app import Replica
from replica.fleet import TEMPLATES, fleet, write_profiles
from replica.sites import SITES_BY_NAME

DAY = 1425


def test_each_fleet_portal_has_its_own_name_origin_and_profile(tmp_path: Path) -> None:
    sites = fleet(9)
    assert len({s.name for s in sites}) == len({s.origin for s in sites}) == 9
    assert [s.family for s in sites[:4]] == [SITES_BY_NAME[t].family for t in TEMPLATES]
    profiles = load_profiles(write_profiles(sites, tmp_path / "profiles"))
    for site in sites:
        profile = profiles[site.name]
        template = profiles[site.name.rsplit("-", 1)[0]]
        assert profile.origin == site.origin and profile.family == site.family
        assert [c.id for c in profile.columns] == [site.columns[0].id]
        assert (profile.delay, profile.concurrency) == (template.delay, template.concurrency)
        assert not set(profile.hosts) & set(template.hosts)  # hosts of its own, none shared


def test_a_fleet_crawled_equals_its_truth(tmp_path: Path) -> None:
    portals, docs = 8, 3
    port = free_block(portals)
    process = subprocess.Popen(
        [sys.executable, "-m", "replica.fleet", "--portals", str(portals), "--docs", str(docs),
         "--day", str(DAY), "--port", str(port), "--profiles", str(tmp_path / "profiles")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        served = json.loads(process.stdout.readline())["sites"]
        assert len(set(served.values())) == portals
        db = tmp_path / "fleet.db"
        summary = crawl(f"http://127.0.0.1:{port}", db, "--profiles", str(tmp_path / "profiles"))
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert set(summary["portals"]) == set(served)
    truth = {r["url"]: r for r in Replica(docs, DAY, 1, sites=fleet(portals)).truth()}
    assert len(truth) == portals * docs
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
    assert set(got) == set(truth)
    wrong = [
        (u, k, got[u][k], truth[u][k])
        for u in truth
        for k in DOCUMENT_KEYS
        if got[u][k] != truth[u][k]
    ]
    assert not wrong, wrong[:3]
