"""`govwatch portals add URL` against the replica: every family recognised, its profile read off
the page, validated, proven on one listing page and written; what it cannot tell, it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import ROOT, served_replica

from crawler.cli.portals import run_portals_add
from crawler.portals.profiles import load_profile, load_profiles
from replica.app import Replica
from replica.sites import SITES

DOCS, DAY = 60, 1400
PORT = {site.name: index for index, site in enumerate(SITES)}


@pytest.fixture(scope="module")
def replica_url() -> Any:
    with served_replica(DOCS, DAY) as url:
        yield url


def origin(replica_url: str, site: str) -> str:
    host, port = replica_url.rsplit(":", 1)
    return f"{host}:{int(port) + PORT[site]}"


def govcn_page() -> str:
    url = next(r["url"] for r in Replica(DOCS, DAY).truth() if r["portal"] == "govcn")
    return url.removeprefix("https://www.gov.cn")


CASES = [
    ("hangzhou-jxj", "/col/col1229265378/index.html", "hanweb",
     {"webid": "3244", "unitid": "7061451", "proxy": "/module/jpage/dataproxy.jsp"},
     [("1229265378", "人大代表建议", "")]),
    ("hangzhou-gov", "/col/col1229063401/index.html", "jpaas",
     {"webId": "149", "tplSetId": "LWYUCb5AkzKrVm7WODRpT", "tagId": "信息列表"},
     [("1229063401", "建议提案办理", "")]),
    ("hubei-jxt", "/fbjd/xxgkml/jytabl/rddbjy/index.html", "trs", {},
     [("rddbjy", "人大代表建议", "fbjd/xxgkml/jytabl/rddbjy")]),
    ("foshan-fsgjj", "/gkmlpt/index", "gkmlpt", {"sid": "757016"},
     [("2601", "政府信息公开指南", ""), ("617", "规范性文件", ""), ("618", "其他文件", ""),
      ("607", "工作动态", "")]),
    ("county-demo", "/zwgk/jyta/index.html", "generic", {},
     [("zwgk-jyta-index-html", "建议提案办理", "zwgk/jyta/index.html")]),
]  # fmt: skip


@pytest.mark.parametrize(("site", "path", "family", "params", "columns"), CASES)
def test_each_family_is_recognised_proven_and_written(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], site: str, path: str,
    family: str, params: dict[str, str], columns: list[tuple[str, str, str]],
) -> None:  # fmt: skip
    url = origin(replica_url, site) + path
    assert run_portals_add(url, f"new-{site}", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "listing read:" in out and "documents on its first page" in out
    profile = load_profile(tmp_path / f"new-{site}.yaml")
    assert (profile.family, profile.origin, profile.params) == (
        family,
        origin(replica_url, site),
        params,
    )
    assert [(c.id, c.name, c.path) for c in profile.columns] == columns
    assert profile.site_name == next(s.site_name for s in SITES if s.name == site)
    if family == "generic":
        # Learnt from the list (the documents' URLs, not the pager's nor the menu's), shown, and
        # left to the spider to learn again on each crawl.
        shown = re.search(r"article URLs like (\S+)", out)
        assert shown is not None and profile.columns[0].article_pattern is None
        pattern = re.compile(shown.group(1))
        assert pattern.search("/zwgk/jyta/202611/0a1b2c3d4e.html")
        assert not any(pattern.search(p) for p in ("/zwgk/jyta/index_2.html", "/zwgk/jyta/", "/"))
    # Written where crawls find it; a second add of the same name refuses to overwrite.
    assert f"new-{site}" in load_profiles(tmp_path)
    assert run_portals_add(url, f"new-{site}", str(tmp_path)) == 1


def test_govcn_and_dry_run(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = origin(replica_url, "govcn") + govcn_page()
    assert run_portals_add(url, "state-council", str(tmp_path), dry_run=True) == 0
    out = capsys.readouterr().out
    assert "family: govcn" in out and "国务院文件 (gongwen): 20 documents" in out
    assert "--dry-run: nothing written" in out and not list(tmp_path.iterdir())


def test_what_it_cannot_tell_it_says(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = origin(replica_url, "county-demo") + "/robots.txt"
    assert run_portals_add(url, "nothing", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert "saw: no family's marks and no list of links with dates" in out
    assert "could not tell family" in out and not list(tmp_path.iterdir())


def test_the_command_line(replica_url: str, tmp_path: Path) -> None:
    url = origin(replica_url, "foshan-fsgjj") + "/gkmlpt/index"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "portals", "add", url, "--name", "fs", "--profiles",
         str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fs.yaml").exists() and "written:" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "crawler", "portals", "add", "not a url"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
