"""govwatch serve as a reader sees it: a document's page with its fields, versions and the diff
after an edit; the alerts page; the documents table on the reader's columns. In process, and in
a real browser (Playwright driving the system's Chromium) where one is installed."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette
from saved_pages import FIXTURES

from crawler.extract import extract_document
from crawler.store import open_store
from crawler.watch.rules import alerts_for, load_rules
from crawler.web import PLUGINS, TEMPLATES, metadata

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

SEED_URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
SEED_ID = "hangzhou-jxj:4216448"


def _corpus(path: Path) -> None:
    """The real 西湖31号 reply, then an edit of it (its contact line and lead agency changed)."""
    page = (FIXTURES / "hanweb" / "xihu31-reply.html").read_bytes()
    record = extract_document(page, SEED_URL).to_record()
    edited = {**record, "body_text": record["body_text"].replace("特此反馈。", "特此反馈。（已更新）"),
              "reply": {**record["reply"], "lead_agency": "杭州市经济和信息化局"}}  # fmt: skip
    with open_store(path) as store:
        for fetched_at, version in (
            ("2023-11-03T04:00:00+00:00", record),
            ("2023-11-05T04:00:00+00:00", edited),
        ):
            store.save(portal="hangzhou-jxj", identity=SEED_ID, record=version, fetched_url=SEED_URL,
                       fetched_at=fetched_at, status=200, headers={}, raw=page, etag=None, last_modified=None,
                       run_id=None, alerts=alerts_for(load_rules(), version, "hangzhou-jxj"))  # fmt: skip


def _get(datasette: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        return await datasette.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    _corpus(path)
    return path


def test_document_page_alerts_page_and_reader_columns(db: Path) -> None:
    datasette = Datasette([str(db)], metadata=metadata("corpus"), plugins_dir=str(PLUGINS),
                          template_dir=str(TEMPLATES))  # fmt: skip
    page = _get(datasette, f"/-/document?id={SEED_ID}")
    assert page.status_code == 200
    html = page.text
    for fact in ("市经信局关于市十四届人大三次会议“西湖31号”建议的答复", "杭经信提〔2023〕140号", "西湖31号",
                 "何征宇", "What changed: version 1 → version 2", "+ 杭州市经济和信息化局", "特此反馈。（已更新）"):  # fmt: skip
        assert fact in html, fact
    assert _get(datasette, f"/-/document?id={SEED_ID}&diff=1..1").text.count("No difference") == 1
    assert _get(datasette, "/-/document?id=nothing").status_code == 404
    table = _get(datasette, "/corpus/documents")
    assert table.status_code == 302 and "_col=published_at" in table.headers["location"]
    shown = _get(datasette, table.headers["location"])
    assert "何征宇 · 西湖31号" in shown.text  # the reply column: deputy and number
    assert "/-/document?id=hangzhou-jxj%3A4216448" in shown.text  # the title opens the document
    assert "感谢您对我局工作的关心支持" not in shown.text  # no body in the list
    alerts = _get(datasette, "/-/alerts").text
    assert "open-source-replies, open-source" in alerts and "pending" in alerts


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium (.ci/run does)")
def test_the_reply_page_in_a_real_browser(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            page = browser.new_page()
            page.goto(f"{served}/corpus/documents")
            assert "_col=published_at" in page.url  # the table opened on the reader's columns
            page.get_by_role(
                "link", name="市经信局关于市十四届人大三次会议“西湖31号”建议的答复"
            ).click()
            page.wait_for_url("**/-/document?id=*")
            fields = page.locator("#fields").inner_text()
            assert "杭经信提〔2023〕140号" in fields and "西湖31号" in fields and "何征宇" in fields
            assert "version 1 → version 2" in page.locator("#diff-title").inner_text()
            added = page.locator("#diff .add").all_inner_texts()
            assert any("杭州市经济和信息化局" in line for line in added)
            assert page.locator("#body").inner_text().startswith("何征宇代表")
            page.goto(f"{served}/-/alerts")
            assert "open-source-replies, open-source" in page.locator("#alerts").inner_text()
        finally:
            browser.close()
