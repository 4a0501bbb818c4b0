"""robots.txt per portal, said once (issue 24, item 13): what a portal's robots.txt forbids is
counted and summarised in one line per portal (it was a warning per URL, 17 on one crawl), in
the run's stats and in `govwatch status`; a profile may say `robots: ignore`. And a crawl with
the browser turned off says so, not "install Chromium"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawl_command, served_replica

from crawler.portals.profiles import ProfileError, load_profiles

DOCS, DAY = 60, 300
SHIPPED = ROOT / "crawler" / "portals" / "shipped" / "hangzhou-gov.yaml"


def _crawl(url: str, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [c for c in crawl_command(url, db, "hangzhou-gov", *extra) if c != "--json"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600,
                          env={**os.environ, "GOVWATCH_BROWSER": "off"})  # fmt: skip


def test_the_robots_field_is_checked(tmp_path: Path) -> None:
    directory = tmp_path / "profiles"
    directory.mkdir()
    path = directory / "hangzhou-gov.yaml"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + "robots: ignore\n", encoding="utf-8")
    assert load_profiles(directory)["hangzhou-gov"].robots == "ignore"
    assert load_profiles()["hangzhou-gov"].robots == "obey"
    path.write_text(SHIPPED.read_text(encoding="utf-8") + "robots: maybe\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"field 'robots': 'maybe' is not one of obey, ignore"):
        load_profiles(directory)


def test_what_robots_txt_forbids_is_said_once_per_portal_and_counted(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with served_replica(DOCS, DAY) as url:
        result = _crawl(url, db)
        assert result.returncode == 0, result.stderr[-2000:]
        # A portal's profile may fetch what its robots.txt forbids.
        free = tmp_path / "profiles"
        free.mkdir()
        (free / "hangzhou-gov.yaml").write_text(
            SHIPPED.read_text(encoding="utf-8") + "robots: ignore\n", encoding="utf-8"
        )
        ignoring = subprocess.run(
            crawl_command(url, tmp_path / "free.db", "hangzhou-gov", "--profiles", str(free)),
            capture_output=True, text=True, cwd=ROOT, timeout=600,
        )  # fmt: skip
    assert "Forbidden by robots.txt" not in result.stderr  # no warning per URL
    (line,) = [line for line in result.stdout.splitlines() if "robots.txt" in line]
    assert line.startswith("  hangzhou-gov: ") and "forbidden by its robots.txt" in line
    assert "/document/download?" in line and "`robots: ignore`" in line
    forbidden = int(line.split(": ", 1)[1].split()[0])
    assert forbidden > 0
    status = subprocess.run(
        [sys.executable, "-m", "crawler", "status", "--db", str(db), "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    (row,) = [r for r in json.loads(status.stdout)["portals"] if r["portal"] == "hangzhou-gov"]
    assert row["robots_forbidden"] == forbidden and row["health"] == "done"
    assert ignoring.returncode == 0, ignoring.stderr[-2000:]
    summary = json.loads(ignoring.stdout.strip().splitlines()[-1])
    portal = summary["portals"]["hangzhou-gov"]
    assert portal["robots_forbidden"] == 0 and summary["robots_forbidden"] == 0


def test_a_challenge_with_the_browser_turned_off_says_so(tmp_path: Path) -> None:
    """Chromium may well be installed: the crawl says the browser is off and how to turn it
    on, never to install it."""
    with served_replica(DOCS, DAY, "hangzhou-gov:/col/*=412") as url:
        result = _crawl(url, tmp_path / "c.db")
    assert result.returncode == 3, result.stderr[-2000:]
    said = result.stdout + result.stderr
    assert "install" not in said.lower()
    assert "hangzhou-gov: the browser is turned off (GOVWATCH_BROWSER=off)" in result.stdout
    assert "still blocked — likely: a JavaScript challenge, and the browser is turned off" in said
