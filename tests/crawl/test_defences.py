"""Through the portals' defences (issue 12): the replica's script challenges are passed in a real
browser (once per host and cookie lifetime, only for the challenged portals), cookies outlive the
run, a WAF's 302-to-self with a cookie is followed, legacy TLS is reached per host with its
certificate problem reported, and what no browser passes is said plainly with its remedy."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import ROOT, crawl, crawl_command, served_replica, truth

from crawler.fetch.browser import INSTALL_HINT, find_chromium
from crawler.items import DOCUMENT_KEYS
from crawler.run.schedule import health_checks
from crawler.store import open_store

DOCS, DAY = 60, 1400
CHROMIUM = find_chromium("auto")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium (Debian: apt-get install chromium; .ci/run installs it)"
)
CHALLENGES = ";".join([
    "hangzhou-jxj:/col/*=412",  # 瑞数 $_ts, HTTP 412, on the listings
    "hangzhou-jxj:/art/*=shield",  # a 200 challenge shell, on the articles
    "hubei-jxt:*=cookie-shell",  # C3VK, five minutes
    "govcn:/search-gov/*=jsl;govcn:/zhengce/*=418",  # 加速乐, HTTP 521 and 418
])  # fmt: skip


def _with_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CHROMIUM is not None
    monkeypatch.setenv("GOVWATCH_BROWSER", CHROMIUM)


def _assert_truth(db: Path, expected: dict[str, dict[str, Any]]) -> None:
    with open_store(db) as store:
        got = {r["url"]: r for r in store.records()}
    assert set(got) == set(expected)
    assert [u for u in expected if any(got[u][k] != expected[u][k] for k in DOCUMENT_KEYS)] == []


@needs_browser
def test_challenges_pass_in_the_browser_once_per_cookie(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_browser(monkeypatch)
    db = tmp_path / "challenged.db"
    expected = truth(DOCS, DAY)
    with served_replica(DOCS, DAY, CHALLENGES) as url:
        first = crawl(url, db)
        assert first["errors"] == 0 and first["blocked"] == []
        _assert_truth(db, expected)
        portals = first["portals"]
        # One solve per challenge and host: every other request carried the cookie it earned.
        # (gov.cn's search API (521) and pages (418): one host in the replica, one cookie.)
        for name, solves in (("hangzhou-jxj", 2), ("hubei-jxt", 1), ("govcn", 1)):
            assert portals[name]["browser"]["solves"] == solves, (name, portals[name])
            assert portals[name]["browser"]["launches"] == 1
        # Never for the portal nobody challenged.
        assert "browser" not in portals["hangzhou-gov"]
        # The cookies outlive the run: the next crawl needs no browser at all.
        again = crawl(url, db, "--full")
    assert again["errors"] == 0 and again["blocked"] == []
    assert all(
        "browser" not in p or not p["browser"].get("solves") for p in again["portals"].values()
    )
    with open_store(db) as store:
        assert any(c["name"] == "C3VK" for c in store.cookies("hubei-jxt"))
    # A new server knows none of the cookies: the challenge comes back and is solved again.
    with served_replica(DOCS, DAY, "hubei-jxt:*=acw") as url:
        third = crawl(url, db, "hubei-jxt", "--full")
    assert third["portals"]["hubei-jxt"]["browser"]["solves"] == 1
    assert third["errors"] == 0 and third["blocked"] == []


@needs_browser
def test_an_expired_cookie_is_earned_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_browser(monkeypatch)
    db = tmp_path / "expiring.db"
    # Each cookie passes thirty requests and then is dead (as one that outlived its time on the
    # WAF's side): the crawl meets the challenge again, many times, and earns a new cookie.
    faults = "hubei-jxt:*=412:30x"
    with served_replica(DOCS, DAY, faults) as url:
        summary = crawl(url, db, "hubei-jxt")
    browser = summary["portals"]["hubei-jxt"]["browser"]
    assert browser["solves"] >= 2 and browser["launches"] == 1
    assert summary["errors"] == 0 and summary["blocked"] == []
    _assert_truth(db, {u: r for u, r in truth(DOCS, DAY).items() if r["portal"] == "hubei-jxt"})


def _a_file_path(url: str) -> str:
    """The path of an attachment of a hubei-jxt article on the replica at `url` (no faults)."""
    import re
    import urllib.parse
    import urllib.request

    from replica.client import served_origins

    origin = served_origins(url)["hubei-jxt"]
    for record in truth(DOCS, DAY).values():
        if record["portal"] != "hubei-jxt":
            continue
        page = urllib.parse.urlsplit(record["url"]).path
        with urllib.request.urlopen(origin + page, timeout=10) as answer:
            html = answer.read().decode("utf-8", "replace")
        found = re.search(r'href="\./(P\d+_[\w-]+\.(?:pdf|docx?|wps|xlsx?|ofd|zip))"', html)
        if found:
            return page.rsplit("/", 1)[0] + "/" + found[1]
    raise AssertionError("no hubei-jxt article with an attachment")


def test_a_challenge_in_front_of_a_file_is_passed_in_the_browser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """瑞数 guards every URL: once passed, the answer is a download, never a page that loads; the
    browser gives the cookies (it waited for a load until its timeout, then failed)."""
    from crawler.fetch.browser import Browser
    from replica.client import served_origins

    assert CHROMIUM is not None
    with served_replica(DOCS, DAY) as url:
        path = _a_file_path(url)
    browser = Browser(CHROMIUM, timeout=20)
    try:
        with served_replica(DOCS, DAY, "hubei-jxt:*=412") as url:
            # It raised BrowserError (still a challenge) at its timeout before.
            solved = browser.open(served_origins(url)["hubei-jxt"] + path)
        assert solved.cookies and solved.html == ""
    finally:
        browser.shutdown()


def test_without_a_browser_the_crawl_runs_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_BROWSER", str(tmp_path / "no-chromium"))
    db = tmp_path / "no-browser.db"
    with served_replica(DOCS, DAY, "hubei-jxt:*=412;hangzhou-jxj:/col/*=acw") as url:
        result = subprocess.run(crawl_command(url, db), capture_output=True, text=True, cwd=ROOT,
                                timeout=300, env=os.environ.copy())  # fmt: skip
    assert result.returncode == 3, result.stderr[-2000:]  # blocked, the other portals done
    assert result.stderr.count(INSTALL_HINT) == 1
    import json

    summary = json.loads(result.stdout.strip().splitlines()[-1])
    hubei = summary["portals"]["hubei-jxt"]
    assert hubei["status"] == "blocked" and "chromium" in hubei["remedy"]
    assert summary["portals"]["hangzhou-jxj"]["status"] == "blocked"  # the hint said once for both
    assert summary["portals"]["govcn"]["status"] == "done"


def test_302_to_self_with_a_cookie_and_legacy_tls(tmp_path: Path) -> None:
    db = tmp_path / "waf-tls.db"
    faults = "hangzhou-gov:/col/*=cookie-302;hubei-jxt:*=tls-legacy"
    expected = {
        u: r for u, r in truth(DOCS, DAY).items() if r["portal"] in ("hangzhou-gov", "hubei-jxt")
    }
    with served_replica(DOCS, DAY, faults) as url:
        summary = crawl(url, db, "hangzhou-gov", "hubei-jxt")
    assert summary["errors"] == 0 and summary["blocked"] == []
    _assert_truth(db, expected)
    tls = summary["portals"]["hubei-jxt"]["tls"]
    assert len(tls["legacy"]) == 1 and tls["legacy"][0].startswith("127.0.0.1:")
    assert tls["fallbacks"] >= 1  # found by its handshake error
    assert tls["certificate"] == {tls["legacy"][0]: "self-signed certificate"}
    # Only the legacy server's host went legacy.
    assert "tls" not in summary["portals"]["hangzhou-gov"]
    # The certificate problem reaches the portal's health, once.
    with open_store(db) as store:
        assert health_checks(store, "hubei-jxt", summary) == 1
        assert health_checks(store, "hubei-jxt", summary) == 0
        [alert] = store.alerts("health")
    assert alert["message"] == f"certificate problem on {tls['legacy'][0]}: self-signed certificate"


def test_what_no_browser_passes_is_said_with_its_remedy(tmp_path: Path) -> None:
    faults = "govcn:*=geo;hubei-jxt:/fbjd/xxgkml/gzdt/*=captcha"
    db = tmp_path / "geo.db"
    with served_replica(DOCS, DAY, faults) as url:
        summary = crawl(url, db, "govcn", "hubei-jxt", exit_codes=(3,))
    govcn, hubei = summary["portals"]["govcn"], summary["portals"]["hubei-jxt"]
    assert govcn["status"] == "blocked" and "inside China" in govcn["remedy"]
    assert hubei["status"] == "blocked" and "captcha" in hubei["remedy"]
    assert {b["message"] for b in summary["blocked"] if b["portal"] == "govcn"} == {
        "HTTP 403: geo-block (GeoBL)"
    }
    with open_store(db) as store:
        assert health_checks(store, "govcn", summary) >= 1
        messages = [a["message"] for a in store.alerts("health")]
    assert any("GeoBL" in m and "inside China" in m for m in messages), messages


def test_the_cookie_jar_is_kept_with_the_portal(tmp_path: Path) -> None:
    with open_store(tmp_path / "jar.db") as store:
        assert store.cookies("hubei-jxt") == []
        cookie = {"name": "C3VK", "value": "a.b", "domain": "jxt.hubei.gov.cn", "path": "/",
                  "expires": time.time() + 300, "httpOnly": False, "secure": False}  # fmt: skip
        store.set_cookies("hubei-jxt", [cookie])
        store.set_cookies("govcn", [])
    with open_store(tmp_path / "jar.db") as store:
        assert store.cookies("hubei-jxt") == [cookie]
        assert store.cookies("govcn") == []


@needs_browser
def test_render_browser_shows_pages_only_a_browser_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_browser(monkeypatch)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (ROOT / "crawler" / "portals" / "shipped" / "hangzhou-gov.yaml").read_text(
        encoding="utf-8"
    )
    (profiles / "hangzhou-gov.yaml").write_text(text + "render: browser\n", encoding="utf-8")
    # Every article goes through Chromium (about half a second each): a smaller replica.
    docs = 15
    expected = {u: r for u, r in truth(docs, DAY).items() if r["portal"] == "hangzhou-gov"}
    with served_replica(docs, DAY, "hangzhou-gov:*/art/*=js-render") as url:
        plain = crawl(url, tmp_path / "plain.db", "hangzhou-gov", exit_codes=(1,))
        rendered = crawl(url, tmp_path / "rendered.db", "hangzhou-gov", "--profiles", str(profiles))
    assert plain["errors"] > 0  # without the browser the pages are empty shells
    assert rendered["errors"] == 0 and rendered["blocked"] == []
    _assert_truth(tmp_path / "rendered.db", expected)
    browser = rendered["portals"]["hangzhou-gov"]["browser"]
    assert browser["launches"] == 1 and browser["pages"] >= len(expected)


def test_a_profile_says_tls_legacy(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (ROOT / "crawler" / "portals" / "shipped" / "hubei-jxt.yaml").read_text(encoding="utf-8")
    (profiles / "hubei-jxt.yaml").write_text(text + "tls: legacy\n", encoding="utf-8")
    expected = {u: r for u, r in truth(DOCS, DAY).items() if r["portal"] == "hubei-jxt"}
    db = tmp_path / "legacy.db"
    with served_replica(DOCS, DAY, "hubei-jxt:*=tls-legacy") as url:
        summary = crawl(url, db, "hubei-jxt", "--profiles", str(profiles))
    tls = summary["portals"]["hubei-jxt"]["tls"]
    assert len(tls["legacy"]) == 1 and "fallbacks" not in tls  # legacy from the first request
    assert summary["errors"] == 0
    _assert_truth(db, expected)
