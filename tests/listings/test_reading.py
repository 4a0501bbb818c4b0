"""`read_page`: what govwatch sees in any answer — on pages written here, and on every real saved
page of the development set (read from the real-material directory, skipped where it is absent)."""

from __future__ import annotations

import json

import pytest

from bench.real import data_dir
from crawler.listings.reading import read_page

LIST_ROWS = "".join(
    f'<li><a href="./2024{month:02d}/t2024{month:02d}15_{100 + month}.html">第{month}号通知</a>'
    f"<span>2024-{month:02d}-15</span></li>"
    for month in range(1, 13)
)
LISTING = f"""<html><head><title>通知公告</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul>
<ul class="list">{LIST_ROWS}</ul>
<script>createPageHTML(3, 0, "index", "html");</script></body></html>"""
ARTICLE = """<html><head><title>关于开展检查的通知</title></head><body>
<h1>关于开展检查的通知</h1><table><tr><td>索引号：</td><td>11330100002489452X/2024-00012</td>
<td>发布机构：</td><td>市经信局</td></tr></table>
<div class="content"><p>各有关单位：</p><p>为做好年度检查工作，现将有关事项通知如下。请各单位认真组织，
按时报送材料，确保检查工作顺利开展。</p></div></body></html>"""


def test_a_listing_gives_its_documents_and_next_page() -> None:
    reading = read_page(LISTING.encode(), "http://x.gov.cn/tzgg/index.html")
    assert reading.page == "listing" and reading.parser == "trs"
    assert len(reading.entries) == 12  # the menu is no entry
    assert reading.entries[0].url == "http://x.gov.cn/tzgg/202401/t20240115_101.html"
    assert reading.entries[0].date == "2024-01-15"
    assert reading.next_page == "http://x.gov.cn/tzgg/index_1.html"


def test_an_article_gives_its_fields() -> None:
    reading = read_page(ARTICLE.encode(), "http://x.gov.cn/tzgg/202401/t20240115_101.html")
    assert reading.page == "document" and reading.document is not None
    shown = reading.to_json()
    assert shown["page"] == "document" and shown["publisher"] == "市经信局"
    assert shown["index_no"] == "11330100002489452X/2024-00012"


def test_a_stub_says_what_it_is_and_where_it_leads() -> None:
    stub = b'<html><script>document.location.href = "./sub/index.html";</script></html>'
    reading = read_page(stub, "http://x.gov.cn/tzgg/index.html")
    assert reading.page == "redirect" and reading.target == "http://x.gov.cn/tzgg/sub/index.html"
    assert reading.to_json() == {"page": "redirect", "reason": reading.reason,
                                 "target": "http://x.gov.cn/tzgg/sub/index.html"}  # fmt: skip


PAGES = data_dir() / "pages"


@pytest.mark.skipif(
    not (PAGES / "index.jsonl").exists(),
    reason=f"real saved pages not found in {PAGES} (set GOVWATCH_REAL_DATA)",
)
def test_every_real_page_is_seen_as_what_it_is() -> None:
    truth = {
        json.loads(line)["file"]: json.loads(line)
        for line in (PAGES / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    kinds = {"redirect-stub": {"redirect", "postmeta"}, "anti-bot-challenge": {"blocked"}}
    wrong = []
    for line in (PAGES / "index.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        declared = str(entry.get("encoding") or "")
        encoding = declared.split()[0] if declared and " " not in declared.strip() else None
        reading = read_page(
            (PAGES / entry["file"]).read_bytes(), entry["url"], encoding=encoding,
            requested=entry.get("requested_url"),
        )  # fmt: skip
        kind = truth[entry["file"]].get("kind")
        want = {"article": {"document"}, "listing": {"listing"}}.get(
            entry["type"], kinds.get(kind, {kind})
        )
        if reading.page not in want:
            wrong.append((entry["file"], reading.page, sorted(want)))
        elif reading.page == "listing" and len(reading.entries) != truth[entry["file"]]["entries"]:
            wrong.append((entry["file"], len(reading.entries), truth[entry["file"]]["entries"]))
    assert not wrong, wrong
