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


def test_a_move_of_the_day_reaches_each_portal_at_its_own_moment() -> None:
    from replica.fleet import FleetReplica, publish_offset

    sites = fleet(8)
    replica = FleetReplica(2, 711, 1, sites, spread=80.0)
    offsets = sorted(publish_offset(n, 8, 80.0) for n in range(8))
    assert offsets == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]  # each portal its moment
    assert {replica.day_of(site.name) for site in sites} == {711}
    replica.day = 712
    replica.moved_at -= 35.0  # 35 s after the move: the portals due by then publish, no others
    moved = {site.name for site in sites if replica.day_of(site.name) == 712}
    assert moved == {s.name for n, s in enumerate(sites) if publish_offset(n, 8, 80.0) <= 35.0}
    assert len(moved) == 4 and replica.day == 712
    # What a portal serves follows its own day: its listing shows the new document only then.
    late = next(site for site in sites if site.name not in moved)
    early = next(iter(moved))
    assert len(replica.corpus.live(early, replica.day_of(early))) == 2
    assert len(replica.corpus.live(late.name, replica.day_of(late.name))) == 1
    assert publish_offset(3, 8, 0.0) == 0.0  # no spread: every portal at once, as before
