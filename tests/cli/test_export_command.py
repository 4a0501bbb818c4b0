"""`govwatch export`: the new formats and options, the data set card beside the files or on
standard error, and one clear line (exit 2) for a request that cannot be met."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.store import open_store


def _corpus(path: Path) -> Path:
    with open_store(path) as store:
        for number in range(3):
            record = {"url": f"http://x.gov.cn/{number}.html", "title": f"关于开源软件的答复{number}",
                      "body_text": "开源软件。", "kind": "reply", "published_at": f"202{number + 2}-05-01",
                      "attachments": [], "warnings": []}  # fmt: skip
            store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2024-01-01T00:00:00+00:00", status=200, headers={}, raw=b"",
                       etag=None, last_modified=None, run_id=None)  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--format", "parquet"], "give -o FILE"),
        (["--format", "xlsx"], "give -o FILE"),
        (["--format", "csv", "--partition", "-o", "x"], "--partition splits a Parquet export"),
        (["--format", "jsonl", "--excel"], "--excel shapes a CSV"),
        (["--format", "warc", "--what", "alerts"], "--format warc holds the documents"),
    ],
)
def test_a_request_that_cannot_be_met_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    db = _corpus(tmp_path / "c.db")
    assert main(["export", "--db", str(db), *args]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_without_pyarrow_parquet_says_how_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _corpus(tmp_path / "c.db")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` fails as if absent
    assert main(["export", "--db", str(db), "--format", "parquet", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'govwatch[export]'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_the_card_goes_to_stderr_for_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _corpus(tmp_path / "c.db")
    assert main(["export", "--db", str(db), "--since", "2023-01-01"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["p:1", "p:2"]  # published since 2023
    assert "# govwatch export: documents" in err and "| 2023 | 1 |" in err and "| 2024 | 1 |" in err
    assert "- records: 2" in err and err.rstrip().endswith("govwatch export: 2 record(s)")


def test_the_card_is_written_beside_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _corpus(tmp_path / "c.db")
    out = tmp_path / "alerts.csv"
    assert (
        main(["export", "--db", str(db), "--what", "versions", "--format", "csv", "-o", str(out)])
        == 0
    )
    card = (tmp_path / "alerts.DATASET.md").read_text(encoding="utf-8")
    assert "# govwatch export: versions" in card and "| `fetched_at` |" in card
    assert "alerts.DATASET.md" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8").count("\n") == 4  # the heading and three versions
