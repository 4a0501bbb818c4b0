"""The catalogue of real portals: every profile valid, sourced and unverified until crawled;
listed by province and family; enabled into the user's directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from saved_pages import ROOT

from crawler.cli.portals import run_catalogue, run_enable
from crawler.portals.catalogue import catalogue
from crawler.portals.profiles import load_profiles


def test_every_catalogue_profile_is_valid_and_sourced() -> None:
    found = catalogue()
    assert len(found) >= 30
    for profile in found.values():
        assert profile.province and profile.sources and profile.verified is False, profile.name
        assert all(source.startswith(("http://", "https://")) for source in profile.sources)
        # Facts come from the portal's own pages.
        hosts = {source.split("/")[2] for source in profile.sources}
        assert hosts == {profile.origin.split("/")[2]}, profile.name
    families = {profile.family for profile in found.values()}
    assert {"trs", "gkmlpt", "generic"} <= families
    # The catalogue is not crawled until enabled.
    assert not set(found) & set(load_profiles())


def test_listed_by_province_and_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_catalogue() == 0
    out = capsys.readouterr().out
    assert "广东 · gkmlpt" in out and "贵州 · trs" in out and "(unverified)" in out
    assert out.index("广东") < out.index("贵州")  # sorted


def test_enable_copies_into_the_users_profiles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_enable(["guiyang-gjj", "foshan-fsgjj"], str(tmp_path)) == 0
    assert {"guiyang-gjj", "foshan-fsgjj"} <= set(load_profiles(tmp_path))
    assert "unverified" in capsys.readouterr().out
    assert run_enable(["guiyang-gjj"], str(tmp_path)) == 0
    assert "already enabled" in capsys.readouterr().out
    assert run_enable(["no-such-portal"], str(tmp_path)) == 2
    assert "not in the catalogue: no-such-portal" in capsys.readouterr().err
    assert run_enable(["guiyang-gjj"], None) == 2  # nowhere to write (no GOVWATCH_PROFILES)


def test_the_command_line(tmp_path: Path) -> None:
    listed = subprocess.run([sys.executable, "-m", "crawler", "portals", "--catalogue"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert listed.returncode == 0 and "pingtan-gov" in listed.stdout
    enabled = subprocess.run(
        [sys.executable, "-m", "crawler", "portals", "enable", "pingtan-gov", "--profiles",
         str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert enabled.returncode == 0 and (tmp_path / "pingtan-gov.yaml").exists()
