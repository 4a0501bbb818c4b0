"""The monitor page of govwatch serve and the explained document page: in process, and in a real
browser (Playwright driving the system's Chromium) — the rows, colours and pictures show the
corpus's own numbers, and the page reaches nothing beyond the server (no CDN)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from saved_pages import FIXTURES

from crawler.config import Config
from crawler.extract import extract_document
from crawler.run.health import snapshot
from crawler.store import RunStats, open_store
from crawler.watch.rules import alerts_for, load_rules
from crawler.web import PLUGINS, TEMPLATES, metadata

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

SEED_URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
SEED_ID = "hangzhou-jxj:4216448"
#: (portal, month, documents that month, of which replies about open-source software)
PLAN = [("hangzhou-jxj", "2023-09", 3, 1), ("hangzhou-jxj", "2023-11", 2, 2),
        ("govcn", "2023-09", 4, 0), ("govcn", "2023-10", 1, 0), ("hubei-jxt", "2023-11", 2, 1)]  # fmt: skip


def _corpus(path: Path) -> None:
    page = (FIXTURES / "hanweb" / "xihu31-reply.html").read_bytes()
    seed = extract_document(page, SEED_URL).to_record()
    with open_store(path) as store:
        store.save(portal="hangzhou-jxj", identity=SEED_ID, record=seed, fetched_url=SEED_URL,
                   fetched_at="2023-11-03T04:00:00+00:00", status=200, headers={}, raw=page, etag=None,
                   last_modified=None, run_id=None,
                   alerts=alerts_for(load_rules(), seed, "hangzhou-jxj"))  # fmt: skip
        number = 0
        for portal, month, count, open_source in PLAN:
            for index in range(count - (portal == "hangzhou-jxj" and month == "2023-11")):
                number += 1
                about = (
                    "支持开源软件和开源社区发展。"
                    if index < open_source
                    else "坚持开源节流，压减支出。"
                )
                record = {"url": f"http://x.gov.cn/{number}.html", "title": f"关于第{number}号建议的答复",
                          "kind": "reply", "body_text": f"某某代表：您的建议收悉。{about}特此答复。",
                          "published_at": f"{month}-1{index}T10:00:00+08:00", "attachments": [], "warnings": []}  # fmt: skip
                store.save(portal=portal, identity=f"{portal}:{number}", record=record, fetched_url=record["url"],
                           fetched_at="2023-11-20T00:00:00+00:00", status=200, headers={}, raw=b"", etag=None,
                           last_modified=None, run_id=None)  # fmt: skip
        for portal, status in (
            ("hangzhou-jxj", "done"),
            ("govcn", "failed"),
            ("hubei-jxt", "blocked"),
        ):
            run = store.start_run([portal], True)
            store.finish_run(run, RunStats(portals={portal: {"status": status, "errors": 1}}), 1.0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    _corpus(path)
    return path


def _get(datasette: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        return await datasette.client.get(path)

    return asyncio.run(fetch())


def _datasette(db: Path) -> Datasette:
    return Datasette([str(db)], metadata=metadata("corpus"), plugins_dir=str(PLUGINS),
                     template_dir=str(TEMPLATES))  # fmt: skip


def test_the_monitor_page_in_process(db: Path) -> None:
    html = _get(_datasette(db), "/-/monitor").text
    assert '<span id="corpus-documents">12</span>' in html
    assert 'data-portal="govcn" data-colour="red"' in html
    assert 'data-portal="hubei-jxt" data-colour="yellow"' in html
    assert 'data-portal="hangzhou-gov" data-colour="grey"' in html
    assert "/-/govwatch/static/echarts/echarts.common.min.js" in html and "cdn" not in html.lower()
    script = _get(_datasette(db), "/-/govwatch/static/echarts/echarts.common.min.js")
    assert script.status_code == 200 and b"Apache" in script.content[:2000]
    assert _get(_datasette(db), "/-/govwatch/static/nothing.js").status_code == 404


def test_the_document_page_says_why(db: Path) -> None:
    datasette = _datasette(db)
    html = _get(datasette, f"/-/document?id={SEED_ID}").text
    why = html[html.index('<div id="why">') : html.index("<h2>Versions</h2>")]
    assert "<strong>reply</strong>: " in why and "no evidence stored" not in why
    assert 'data-rule="open-source-replies"' in why and "开源软件" in why
    aside = _get(datasette, "/-/document?id=govcn:5").text
    assert 'id="why-no-rule"' in aside and "开源节流" in aside[aside.index('id="why-aside"') :]
    table = _get(datasette, "/corpus/documents?_col=title&_col=published_at").text
    heads = table[table.index("<thead>") : table.index("</thead>")]
    assert heads.index('data-column="title"') < heads.index('data-column="published_at"')
    assert heads.index('data-column="published_at"') < heads.index('data-column="id"')


SERIES = "el => echarts.getInstanceByDom(el).getOption().series.map(s => [s.name, s.data])"


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium (.ci/run does)")
def test_the_monitor_in_a_real_browser(served: str, db: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
    expected = {row.portal: row for row in snapshot(Config(path=None, db=str(db))).portals}
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            page = browser.new_page()
            asked: list[str] = []
            page.on("request", lambda request: asked.append(request.url))
            page.goto(f"{served}/-/monitor")
            page.wait_for_selector("#topics-chart[data-rendered=yes] svg")
            rows = page.locator("#portals tbody tr")
            assert rows.count() == len(expected) == 4
            for index in range(rows.count()):
                row = rows.nth(index)
                portal = row.get_attribute("data-portal") or ""
                assert row.get_attribute("data-colour") == expected[portal].colour
                assert int(row.locator(".documents").inner_text()) == expected[portal].documents
            colour = rows.filter(has_text="govcn").evaluate(
                "e => getComputedStyle(e).backgroundColor"
            )
            assert colour == "rgb(253, 231, 233)"  # failing: red
            documents = dict(page.locator("#documents-chart").evaluate(SERIES))
            for portal, month, count, _ in PLAN:
                months = page.locator("#documents-chart").evaluate(
                    "el => echarts.getInstanceByDom(el).getOption().xAxis[0].data"
                )
                assert documents[portal][months.index(month)] == count, (portal, month)
            assert sum(map(sum, documents.values())) == 12
            topics = dict(page.locator("#topics-chart").evaluate(SERIES))
            assert sum(topics["open-source-replies"]) == sum(p[3] for p in PLAN) == 4
            assert page.locator("#documents-chart svg path").count() > 5  # drawn, not just set
            assert all(url.startswith(served) for url in asked), asked  # nothing beyond the server
            page.screenshot(path=str(db.parent / "monitor.png"), full_page=True)
        finally:
            browser.close()
