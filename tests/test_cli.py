"""The `govwatch` command: extract and demo, and the README kept honest."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from saved_pages import FIXTURES

from crawler.cli import build_parser, main
from crawler.items import DOCUMENT_KEYS

ROOT = Path(__file__).parent.parent
SEED = FIXTURES / "hanweb" / "xihu31-reply.html"


def test_extract_prints_exactly_the_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SEED)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert tuple(record) == DOCUMENT_KEYS
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


def test_demo_prints_the_seed_reply(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for fact in (
        "002489452/2023-00334",
        "杭经信提〔2023〕140号",
        "何征宇",
        "西湖31号",
        "市委组织部、市科技局、市数据资源局",
        "软件处蔡荣",
        "85257067",
        "2023-06-09",
        "2023-11-03T11:04:00+08:00",
        "reply",
    ):
        assert fact in out


def _subcommands(
    parser: argparse.ArgumentParser, prefix: str
) -> dict[str, argparse.ArgumentParser]:
    """Every leaf command, by its full name (`govwatch replica serve`)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(_subcommands(sub, f"{prefix} {name}") or {f"{prefix} {name}": sub})
    return found


def test_every_command_and_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _subcommands(build_parser(), "govwatch")
    assert {
        "govwatch extract",
        "govwatch demo",
        "govwatch replica serve",
        "govwatch replica truth",
    } <= set(commands)
    for name, parser in commands.items():
        assert name in readme, name
        for option in re.findall(r"--[a-z-]+", parser.format_help()):
            assert option == "--help" or option in readme, (name, option)


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:8]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)
