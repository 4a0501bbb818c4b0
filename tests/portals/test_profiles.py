"""Portal profiles: the shipped ones are valid; a broken one names file, field and fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.portals.profiles import ProfileError, load_profile, load_profiles, select

GOOD = {
    "name": "zj-kjt",
    "family": "hanweb",
    "origin": "https://kjt.zj.gov.cn",
    "columns": [{"id": "1229225201", "name": "建议提案办理"}],
}


def _write(directory: Path, data: object, name: str = "zj-kjt") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_profiles() -> None:
    profiles = load_profiles()
    assert set(profiles) == {"hangzhou-jxj", "hangzhou-gov", "hubei-jxt", "govcn"}
    assert {p.family for p in profiles.values()} == {"hanweb", "jpaas", "trs", "govcn"}
    jxj = profiles["hangzhou-jxj"]
    assert jxj.origin == "http://jxj.hangzhou.gov.cn" and "1229265378" in [
        c.id for c in jxj.columns
    ]
    gov = profiles["hangzhou-gov"]
    assert (gov.params["webId"], gov.params["tplSetId"]) == ("149", "LWYUCb5AkzKrVm7WODRpT")
    assert all(p.delay >= 2 for p in profiles.values())


def test_origin_swap_keeps_urls_real() -> None:
    govcn = load_profiles()["govcn"].with_origin("http://127.0.0.1:8404")
    assert govcn.origin_for("search") == "http://127.0.0.1:8404"
    assert govcn.to_fetch("https://www.gov.cn/zhengce/content/2024-01/content_1.htm") == (
        "http://127.0.0.1:8404/zhengce/content/2024-01/content_1.htm"
    )
    assert govcn.canonical("http://127.0.0.1:8404/zhengce/content/2024-01/content_1.htm") == (
        "https://www.gov.cn/zhengce/content/2024-01/content_1.htm"
    )
    assert govcn.allows("http://127.0.0.1:8404/x") and not govcn.allows("http://evil.example/x")


@pytest.mark.parametrize(
    ("change", "field", "fix"),
    [
        ({"family": "drupal"}, "family", "use one of"),
        ({"origin": "jxj.hangzhou.gov.cn"}, "origin", "write scheme and host"),
        ({"columns": []}, "columns", "list the columns"),
        ({"columns": [{"name": "x"}]}, "columns[0].id", "add `id"),
        ({"name": "Bad Name"}, "name", "lower-case"),
        ({"politeness": {"delay": -1}}, "politeness", "gentle"),
        ({"schedule": {"interval": "soon"}}, "schedule.interval", "6h"),
        ({"schedule": {"cron": "every day"}}, "schedule.cron", "0 7 * * *"),
        ({"family": "jpaas"}, "jpaas.webId", "queryData"),
        ({"article_pattern": "/t(\\d+_"}, "article_pattern", "Python regex"),
        ({"list_selector": "ul["}, "list_selector", "CSS selector"),
        (
            {"columns": [{"id": "1", "name": "x", "list_selector": "//ul["}]},
            "columns[0].list_selector",
            "XPath",
        ),
    ],
)
def test_broken_profiles_name_file_field_and_fix(
    tmp_path: Path, change: dict[str, object], field: str, fix: str
) -> None:
    path = _write(
        tmp_path, {**GOOD, **change}, str(change.get("name", "zj-kjt")).replace(" ", "-").lower()
    )
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    message = str(error.value)
    assert str(path) in message and f"'{field}'" in message and fix in message


def test_file_name_must_match(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"name the file zj-kjt\.yaml"):
        load_profile(_write(tmp_path, GOOD, "other"))


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "zj-kjt.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(path)


def test_user_directory_adds_and_replaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, GOOD)
    _write(
        tmp_path,
        {**GOOD, "name": "govcn", "family": "govcn", "origin": "https://www.gov.cn"},
        "govcn",
    )
    profiles = load_profiles(tmp_path)
    assert "zj-kjt" in profiles and profiles["govcn"].columns[0].id == "1229225201"
    monkeypatch.setenv("GOVWATCH_PROFILES", str(tmp_path))
    assert "zj-kjt" in load_profiles()


def test_unknown_portal_is_clear() -> None:
    with pytest.raises(ProfileError, match=r"unknown portal nowhere; known: .*govwatch portals"):
        select(load_profiles(), ["nowhere"])


def test_portals_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "portals"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "4 portals, all valid" in result.stdout
    _write(tmp_path, {**GOOD, "family": "nope"})
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "portals", "--profiles", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert (
        result.returncode == 2
        and "zj-kjt.yaml" in result.stderr
        and "Traceback" not in result.stderr
    )
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "nowhere"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "unknown portal nowhere" in result.stderr


def test_listing_overrides_per_column_beat_the_profiles(tmp_path: Path) -> None:
    data = {
        **GOOD,
        "article_pattern": r"/art_\d+\.html$",
        "list_selector": "ul.list",
        "columns": [
            {"id": "1", "name": "a"},
            {"id": "2", "name": "b", "article_pattern": r"/doc/\d+\.jsp$",
             "list_selector": "//div[@id='main']//ul"},
        ],
    }  # fmt: skip
    profile = load_profile(_write(tmp_path, data))
    assert profile.listing_overrides("1") == (r"/art_\d+\.html$", "ul.list")
    assert profile.listing_overrides("2") == (r"/doc/\d+\.jsp$", "//div[@id='main']//ul")
    assert load_profiles()["hubei-jxt"].listing_overrides("rddbjy") == (None, None)
