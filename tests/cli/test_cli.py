"""The `govwatch` command: extract and demo, and the README kept honest."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from saved_pages import FIXTURES, ROOT

from crawler.cli import main
from crawler.items import RECORD_KEYS

SEED = FIXTURES / "hanweb" / "xihu31-reply.html"


def test_extract_prints_exactly_the_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SEED)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert tuple(record) == ("page", *RECORD_KEYS) and record["page"] == "document"
    assert record["evidence"]["kind"]  # why it is a reply
    assert record["reply"]["proposal_no"] == "西湖31号"


def test_extract_uses_the_pages_url_meta_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    main(["extract", str(SEED)])
    assert json.loads(capsys.readouterr().out)["url"].startswith("http://jxj.hangzhou.gov.cn/art/")


def test_extract_url_option_resolves_attachments(capsys: pytest.CaptureFixture[str]) -> None:
    page = FIXTURES / "govcn" / "policy.html"
    main(["extract", str(page), "--url", "https://www.gov.cn/zhengce/content/2017-06/08/c.htm"])
    record = json.loads(capsys.readouterr().out)
    assert record["url"] == "https://www.gov.cn/zhengce/content/2017-06/08/c.htm"
    assert record["attachments"][0]["url"].startswith(
        "https://www.gov.cn/zhengce/content/2017-06/08/P0"
    )


def test_extract_several_files_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    pages = [SEED, FIXTURES / "trs" / "reply-0038.html", FIXTURES / "govcn" / "policy.html"]
    assert main(["extract", *map(str, pages)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["reply", "reply", "other"]


def test_extract_encoding_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<html><body><h1>关于开源软件的通知</h1></body></html>".encode("gbk"))
    main(["extract", str(page), "--encoding", "gbk"])
    assert json.loads(capsys.readouterr().out)["title"] == "关于开源软件的通知"


def test_unreadable_file_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "extract", str(missing)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0]


def test_a_directory_is_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


def test_demo_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`make demo` on a smaller corpus: the 西湖31号 alert with its facts, no 开源节流 alarm."""
    seed = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
    assert main(["demo", "--dir", str(tmp_path / "demo"), "--docs", "120"]) == 0
    printed = capsys.readouterr().out
    for fact in ("市经信局关于市十四届人大三次会议“西湖31号”建议的答复", "何征宇代表", "西湖31号", "市十四届人大三次会议",
                 "市经信局 (lead); 市委组织部、市科技局、市数据资源局 (co-handling)", "published 2023-11-03T11:04:00+08:00",
                 "signed 2023-06-09", seed, "search 开源 --db", "serve --db"):  # fmt: skip
        assert fact in printed, fact
    # The hints name a command that works as written.
    hint = next(line for line in printed.splitlines() if "Next:" in line).split("Next:", 1)[1]
    ran = subprocess.run(shlex.split(hint), capture_output=True, text=True)
    assert ran.returncode == 0 and "西湖31号" in ran.stdout, ran.stderr
    alerts = [
        json.loads(line)
        for line in (tmp_path / "demo" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # One alert for the reply, listing both rules it matched: the reply is not printed twice.
    assert [a["rules"] for a in alerts if a["url"] == seed] == [
        ["open-source-replies", "open-source"]
    ]
    assert printed.count("何征宇代表") == 1
    assert all("开源节流" not in " ".join(a["snippets"]) for a in alerts)
    assert (tmp_path / "demo" / "feeds" / "open-source-replies.atom").exists()


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:8]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)


def test_scrapy_finds_the_spiders() -> None:
    """scrapy.cfg points Scrapy at crawler.fetch.settings: `scrapy list` names one spider per family,
    and `batch`, the job a crawl node runs (many portals in one process, crawler.run.nodes.batch)."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.split() == [
        "batch", "generic", "gkmlpt", "govcn", "hanweb", "jpaas", "trs",
    ]  # fmt: skip
