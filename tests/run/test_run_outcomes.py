"""What a run says when a crawl goes wrong (issue 24, items 7 and 13): the reason beside the
portal, a timeout's own exit code, and a failed portal counted as at least one error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import crawler.run.schedule
from crawler.config import Config
from crawler.run.crawl import EXIT_CODES, add_portal, problem_line
from crawler.run.schedule import crawl_child, run_pass
from crawler.store import RunStats

_REAL_POPEN = subprocess.Popen

# A crawl child that takes its time: it stops cleanly on SIGTERM, as `govwatch crawl --json` does.
_SLOW = """
import json, signal, sys, time
def stop(*_):
    print(json.dumps({"run": 7, "status": "interrupted", "requests": 3, "documents_new": 0,
        "documents_changed": 0, "documents_gone": 0, "errors": 0, "blocked": [],
        "portals": {"hubei-jxt": {"status": "interrupted", "errors": 0}}}), flush=True)
    sys.exit(130)
signal.signal(signal.SIGTERM, stop)
time.sleep(60)
"""


def _child(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Crawl children run `script` instead of a crawl."""

    def popen(command: list[str], **kwargs: Any) -> subprocess.Popen[str]:
        return _REAL_POPEN([sys.executable, "-c", script], **kwargs)

    monkeypatch.setattr(crawler.run.schedule.subprocess, "Popen", popen)


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": str(tmp_path / "c.db"), "sinks": [],
                                  "schedule": {"timeout": 1}}), encoding="utf-8")  # fmt: skip
    return config


def test_a_timed_out_crawl_has_its_own_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """schedule.timeout stopped the crawl: exit 4 and "timed out", not 130 like a Ctrl-C."""
    from crawler.cli import main

    _child(monkeypatch, _SLOW)
    summary = crawl_child(Config(path=None, db=str(tmp_path / "c.db")), "hubei-jxt", False, 1)
    assert summary["status"] == "timed_out" and "timed out after 1 s" in summary["error"]
    assert EXIT_CODES["timed_out"] == 4
    assert main(["run", "hubei-jxt", "--config", str(_config(tmp_path))]) == 4
    out, err = capsys.readouterr()
    assert "hubei-jxt: timed_out:" in out
    assert err.startswith("govwatch run: hubei-jxt timed_out: timed out after 1 s")
    assert "schedule.timeout" in err and len(err.strip().splitlines()) == 1


def test_run_says_why_a_portal_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "hubei-jxt failed" alone: the first problem, the blocked URL and why."""
    from crawler.cli import main

    url = "http://jxt.hubei.gov.cn/fbjd/xxgkml/index.shtml"
    failed = {"run": 3, "status": "failed", "requests": 9, "documents_new": 0, "documents_changed": 0,
              "documents_gone": 0, "errors": 2, "blocked": [],
              "portals": {"hubei-jxt": {"status": "failed", "errors": 2, "blocked": 0,
                                        "first_problem": f"{url}: HTTP 500"}}}  # fmt: skip
    _child(monkeypatch, f"print({json.dumps(json.dumps(failed))}); raise SystemExit(1)")
    assert main(["run", "hubei-jxt", "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"govwatch run: hubei-jxt failed: 2 errors (first: {url}: HTTP 500)")


def test_run_says_the_crash_line_of_a_child_that_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main

    _child(monkeypatch, "raise MemoryError('the crawl ran out of memory')")
    assert main(["run", "hubei-jxt", "--config", str(_config(tmp_path))]) == 1
    err = capsys.readouterr().err
    assert "hubei-jxt failed" in err and "MemoryError: the crawl ran out of memory" in err


def test_a_pass_with_a_timeout_reports_it(tmp_path: Path) -> None:
    from crawler.run.schedule import crawl_problem

    config = Config(path=None, db=str(tmp_path / "c.db"), sinks=[])

    def fake(cfg: Config, portal: str, full: bool, timeout: float) -> dict[str, Any]:
        if portal == "hubei-jxt":
            return {"portal": portal, "status": "timed_out", "error": "timed out after 3600 s"}
        return {"run": 2, "status": "failed", "requests": 1, "documents_new": 0, "documents_changed": 0,
                "documents_gone": 0, "errors": 1, "blocked": [],
                "portals": {portal: {"status": "failed", "errors": 1, "first_problem": "x: y"}}}  # fmt: skip

    result = run_pass(config, only_due=False, crawler=fake)
    assert (result.status, result.exit_code) == ("timed_out", 4)
    assert crawl_problem("govcn", result.crawls["govcn"]) == "govcn failed: 1 errors (first: x: y)"


@pytest.mark.parametrize(
    ("values", "start_failure", "first"),
    [
        ({"finish_reason": "finished", "spider_exceptions/count": 2,
          "spider_exceptions/KeyError": 2}, None, "crashed the spider (KeyError)"),
        ({}, "could not start: ValueError: bad", None),
        ({"finish_reason": "finished", "govwatch/store_failed": "disk full"}, None, None),
        ({"finish_reason": "closespider_errorcount"}, None, "ended as closespider_errorcount"),
    ],
)  # fmt: skip
def test_a_failed_portal_is_at_least_one_error(
    values: dict[str, Any], start_failure: str | None, first: str | None
) -> None:
    """The summary of a failed run never says "0 errors"."""
    stats = RunStats()
    portal = add_portal(stats, "hubei-jxt", values, start_failure, False)
    assert portal["status"] == "failed" and portal["errors"] >= 1 and stats.errors >= 1
    if first:
        assert first in portal["first_problem"]
    line = problem_line({"portals": stats.portals, "status": "failed", "run": 1})
    assert "0 errors" not in line and line.startswith("hubei-jxt failed: ")
