"""The extraction benchmark's rows: the replica's, and the real pages' (skipped without them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.extract import URL, measure_pages, measure_real, real_pages

PAGE = (
    "<html><head><title>关于某事的通知</title></head><body><h1>关于某事的通知</h1>"
    '<div class="article-content"><p>各有关单位：现将有关事项通知如下，请遵照执行。</p></div>'
    "</body></html>"
).encode()


def test_real_row_skipped_with_the_reason_without_the_real_pages(tmp_path: Path) -> None:
    found = measure_real(tmp_path)
    assert set(found) == {"skipped"}
    assert str(tmp_path / "pages") in found["skipped"]


def test_real_pages_are_the_articles_of_the_index(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "1.html").write_bytes(PAGE)
    (pages / "2.html").write_bytes(b"<html></html>")
    entries = [
        {"file": "1.html", "url": "http://a.gov.cn/1.html", "type": "article", "encoding": "utf-8"},
        {"file": "2.html", "url": "http://a.gov.cn/l.html", "type": "listing", "encoding": "utf-8"},
    ]
    (pages / "index.jsonl").write_text("\n".join(json.dumps(e) for e in entries), "utf-8")
    assert real_pages(tmp_path) == [(PAGE, "http://a.gov.cn/1.html", "utf-8")]


def test_a_row_has_the_speeds_and_both_ratios() -> None:
    row = measure_pages([(PAGE, URL, None)] * 20, repeat=2)
    assert row["pages"] == 20
    for key in ("govwatch_pages_per_s", "trafilatura_pages_per_s", "parse_pages_per_s"):
        assert row[key] > 0
    ratio = row["govwatch_pages_per_s"] / row["trafilatura_pages_per_s"]
    assert row["ratio"] == pytest.approx(ratio, rel=0.01, abs=0.01)
    share = row["govwatch_pages_per_s"] / row["parse_pages_per_s"]
    assert row["parse_share"] == pytest.approx(share, rel=0.01, abs=0.001)
