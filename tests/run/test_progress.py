"""Progress of long jobs: a line redrawn on a terminal, nothing in a pipe or a log; the items
pass through unchanged; export, backtest and migrate show it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.run.progress import progress
from crawler.store import open_store


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_line_and_a_pipe_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVWATCH_PROGRESS", raising=False)
    screen = Terminal()
    assert list(progress(range(5), 5, "export documents", stream=screen, every=0)) == list(range(5))
    shown = screen.getvalue()
    assert shown.startswith("\rexport documents: 1/5 (20%)") and shown.endswith("\n")
    assert "5/5 (100%)" in shown.splitlines()[-1]
    pipe = io.StringIO()
    assert list(progress(iter("abc"), None, "copy", stream=pipe, every=0)) == ["a", "b", "c"]
    assert pipe.getvalue() == ""
    monkeypatch.setenv("GOVWATCH_PROGRESS", "0")  # off even at a terminal
    quiet = Terminal()
    list(progress(range(3), 3, "x", stream=quiet, every=0))
    assert quiet.getvalue() == ""


def _corpus(path: Path) -> str:
    with open_store(path) as store:
        for number in range(4):
            record = {"url": f"http://x.gov.cn/{number}.html", "title": f"关于开源软件的答复{number}",
                      "body_text": "支持开源软件发展。", "kind": "reply", "attachments": [], "warnings": []}  # fmt: skip
            store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2024-01-01T00:00:00+00:00", status=200, headers={}, raw=b"",
                       etag=None, last_modified=None, run_id=None)  # fmt: skip
    return str(path)


def test_long_commands_show_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _corpus(tmp_path / "c.db")
    assert main(["export", "--db", db, "-o", str(tmp_path / "x.jsonl")]) == 0
    assert "export documents" not in capsys.readouterr().err  # not a terminal: quiet
    monkeypatch.setenv("GOVWATCH_PROGRESS", "1")
    assert main(["export", "--db", db, "-o", str(tmp_path / "y.jsonl")]) == 0
    assert "export documents: 4/4 (100%)" in capsys.readouterr().err
    assert main(["rules", "backtest", "--db", db]) == 0
    assert "backtest: 4/4 (100%)" in capsys.readouterr().err
    assert main(["migrate", "--from", db, "--to", str(tmp_path / "copy.db")]) == 0
    assert "  documents: 4," in capsys.readouterr().err
