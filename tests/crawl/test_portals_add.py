"""`govwatch portals add URL` against the replica: every family recognised from what a user
pastes — a column's page, an article, the portal's home page — its profile read off the column's
page, validated, proven on one listing page and written; through a script challenge in the
browser; what it cannot tell, it says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from crawl_helpers import ROOT, served_replica

from crawler.cli.portals import run_portals_add
from crawler.fetch.browser import find_chromium
from crawler.portals.onboard import Fetcher
from crawler.portals.profiles import load_profile, load_profiles
from replica.app import Replica
from replica.client import served_origins
from replica.faults import work
from replica.sites import SITES, SITES_BY_NAME

DOCS, DAY = 60, 1400
PORT = {site.name: index for index, site in enumerate(SITES)}


@pytest.fixture(scope="module")
def replica_url() -> Any:
    with served_replica(DOCS, DAY) as url:
        yield url


def origin(replica_url: str, site: str) -> str:
    return served_origins(replica_url)[site]


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


# From a home page and from an article (issue 24: neither worked).

#: What each site's home page proposes: its reply columns (gkmlpt: its catalogue's categories).
FROM_HOME = {
    "hangzhou-jxj": [("1229265378", "人大代表建议", ""), ("1229265379", "政协委员提案", "")],
    "hangzhou-gov": [("1229063401", "建议提案办理", "")],
    "hubei-jxt": [("rddbjy", "人大代表建议", "fbjd/xxgkml/jytabl/rddbjy"),
                  ("zxwyta", "政协委员提案", "fbjd/xxgkml/jytabl/zxwyta")],
    "govcn": [("gongwen", "国务院文件", "")],
    "foshan-fsgjj": [("2601", "政府信息公开指南", ""), ("617", "规范性文件", ""),
                     ("618", "其他文件", ""), ("607", "工作动态", "")],
    "county-demo": [("zwgk-jyta", "建议提案办理", "zwgk/jyta/")],
}  # fmt: skip
PARAMS = {case[0]: case[3] for case in CASES}


@pytest.mark.parametrize("site", sorted(FROM_HOME))
def test_from_the_home_page(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], site: str
) -> None:
    url = origin(replica_url, site) + "/"
    assert run_portals_add(url, f"home-{site}", str(tmp_path)) == 0
    out = capsys.readouterr().out
    profile = load_profile(tmp_path / f"home-{site}.yaml")
    assert profile.family == SITES_BY_NAME[site].family
    assert profile.params == PARAMS.get(site, profile.params)
    assert [(c.id, c.name, c.path) for c in profile.columns] == FROM_HOME[site]
    assert profile.site_name == SITES_BY_NAME[site].site_name
    assert "listing read:" in out and "documents on its first page" in out
    if site != "govcn":  # gov.cn's own marks tell it from any page
        assert "saw: a home page linking" in out
    if site in ("hangzhou-jxj", "hubei-jxt", "county-demo"):
        # The other disclosure columns it links are shown, not added.
        shown = out.split("other disclosure columns it links")[1].split("family:")[0]
        assert "政府信息公开指南" in shown and "政府信息公开年报" in shown


def _first_article(site: str) -> dict[str, Any]:
    optional = ("foshan-fsgjj", "county-demo")
    return next(r for r in Replica(DOCS, DAY).truth(optional=optional) if r["portal"] == site)


@pytest.mark.parametrize("site", sorted(FROM_HOME))
def test_from_an_article(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], site: str
) -> None:
    record = _first_article(site)
    url = origin(replica_url, site) + record["url"][len(SITES_BY_NAME[site].origin) :]
    assert run_portals_add(url, f"art-{site}", str(tmp_path)) == 0
    out = capsys.readouterr().out
    profile = load_profile(tmp_path / f"art-{site}.yaml")
    assert profile.family == SITES_BY_NAME[site].family
    assert profile.params == PARAMS.get(site, profile.params)
    if site == "foshan-fsgjj":  # the article carries the catalogue's tree
        assert [c.id for c in profile.columns] == ["2601", "617", "618", "607"]
    elif site != "govcn":
        # Its column, read off the column's own page — never the article itself.
        assert [c.name for c in profile.columns] == [record["column_name"]]
        assert "saw: an article; its column" in out
        article = url.split("/", 3)[3]
        assert all(not c.path.startswith(article) for c in profile.columns)
    assert "documents on its first page" in out


def test_a_profile_from_an_address_is_named_by_its_port(
    replica_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = origin(replica_url, "hubei-jxt") + "/fbjd/xxgkml/jytabl/rddbjy/"
    assert run_portals_add(url, None, str(tmp_path)) == 0
    port = url.split(":")[2].split("/")[0]
    assert [p.name for p in tmp_path.iterdir()] == [f"replica-{port}.yaml"]
    assert load_profile(tmp_path / f"replica-{port}.yaml").name == f"replica-{port}"


# Through a script challenge (issue 24: "Precondition Failed" where a crawl passes it).

CHALLENGED = "hangzhou-jxj:/col/*=412;hangzhou-jxj:/art/*=shield"
CHROMIUM = find_chromium("auto")  # tests/conftest.py turns the browser off by default


def _add(url: str, directory: Path, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "crawler", "portals", "add", url, "--name", name,
               "--profiles", str(directory)]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env={**os.environ, **env})  # fmt: skip


@pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium (Debian: apt-get install chromium; .ci/run installs it)"
)
def test_a_challenged_portal_is_added_through_the_browser(tmp_path: Path) -> None:
    paths = {"home": "/", "column": "/col/col1229265378/index.html",
             "article": _first_article("hangzhou-jxj")["url"].removeprefix("http://jxj.hangzhou.gov.cn")}  # fmt: skip
    with served_replica(DOCS, DAY, CHALLENGED) as url:
        for kind, path in paths.items():
            result = _add(url + path, tmp_path, f"jxj-{kind}", GOVWATCH_BROWSER=str(CHROMIUM))
            assert result.returncode == 0, (kind, result.stdout[-2000:], result.stderr[-2000:])
            assert "passed a JavaScript challenge in the browser" in result.stdout
            profile = load_profile(tmp_path / f"jxj-{kind}.yaml")
            assert (profile.family, profile.params) == ("hanweb", PARAMS["hangzhou-jxj"])
            assert "1229265378" in [c.id for c in profile.columns] or kind == "article"


def test_a_challenge_without_a_browser_is_said_with_its_remedy(tmp_path: Path) -> None:
    with served_replica(DOCS, DAY, CHALLENGED) as url:
        result = _add(
            url + "/col/col1229265378/index.html", tmp_path, "jxj", GOVWATCH_BROWSER="off"
        )
    assert result.returncode == 1 and not list(tmp_path.iterdir())
    assert "HTTP 412: 瑞数 challenge" in result.stderr and "install Chromium" in result.stderr
    assert "Precondition Failed" not in result.stderr


class _Solver:
    """A stand-in for Chromium that runs the replica's challenge scripts in Python (their cookie
    is `replica.faults.work` of the nonce): what the fetcher hands it, and how often."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, url: str, user_agent: str | None = None,
             cookies: list[dict[str, Any]] | None = None) -> Any:  # fmt: skip
        self.opened.append(url)
        try:
            body = urllib.request.urlopen(url, timeout=20).read().decode()
        except urllib.error.HTTPError as error:
            body = error.read().decode()
        nonce = re.search(r"""(?:\$_ts\.cd|var N)\s*=\s*["']([0-9a-f]+)""", body)
        name = re.search(r"document\.cookie='(\w+)=", body)
        assert nonce and name, body[:300]
        value = f"{nonce.group(1)}.{work(nonce.group(1))}"
        request = urllib.request.Request(url, headers={"Cookie": f"{name.group(1)}={value}"})
        html = urllib.request.urlopen(request, timeout=20).read().decode()
        cookie = {"name": name.group(1), "value": value, "domain": "127.0.0.1", "path": "/",
                  "expires": time.time() + 3600}  # fmt: skip
        return SimpleNamespace(html=html, url=url, cookies=[cookie])

    def shutdown(self) -> None:
        return None


def test_the_cookies_a_challenge_earns_go_with_the_plain_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    solver = _Solver()
    fetcher = Fetcher(lambda: solver)
    with served_replica(DOCS, DAY, CHALLENGED) as url:
        assert run_portals_add(url + "/", "jxj", str(tmp_path), get=fetcher) == 0
    out = capsys.readouterr().out
    # Both reply columns are behind the 412 challenge: passed once, its cookie then carried by
    # the plain requests for the other column and for proving both.
    assert solver.opened == [url + "/col/col1229265378/index.html"]
    assert out.count("passed a JavaScript challenge") == 1
    assert [c.id for c in load_profile(tmp_path / "jxj.yaml").columns] == [
        "1229265378",
        "1229265379",
    ]
