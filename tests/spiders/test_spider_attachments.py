"""How a spider fetches a document's attachments (responses built here, a store on disk)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from crawler.items import Fetched, content_hash
from crawler.portals.profiles import ProfileError, load_profile, load_profiles
from crawler.run.recorder import portal_state
from crawler.store import Store, open_store
from spiders.trs import TrsSpider

ORIGIN = "http://jxt.hubei.gov.cn"
ARTICLE = ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202311/t20231103_26000001.shtml"
FILES = [ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202311/P1_a.pdf",
         ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202311/P1_b.docx"]  # fmt: skip


@pytest.fixture
def spider(tmp_path: Path) -> TrsSpider:
    crawler = get_crawler(TrsSpider)
    profile = dataclasses.replace(load_profiles()["hubei-jxt"], attachment_max_file_mb=1.0)
    spider = TrsSpider(profile=profile)
    spider._set_crawler(crawler)
    spider.state = portal_state(open_store(tmp_path / "s.db"), "hubei-jxt")
    return spider


def _fetched(**record: Any) -> Fetched:
    attachments = [{"url": url, "name": url.rsplit("_", 1)[1], "type": "pdf"} for url in FILES]
    base = {"url": ARTICLE, "title": "答复", "body_text": "详见附件。", "attachments": attachments}
    return Fetched("hubei-jxt", "hubei-jxt:26000001", ARTICLE, ARTICLE, "2024-01-01T00:00:00+00:00",
                   200, record={**base, **record})  # fmt: skip


def test_attachments_are_fetched_one_after_another_then_the_document(spider: TrsSpider) -> None:
    first = next(spider.with_attachments(_fetched()))
    assert isinstance(first, scrapy.Request) and first.url == FILES[0]
    assert first.meta["download_maxsize"] == 1024 * 1024 and first.dont_filter
    answer = Response(FILES[0], status=200, body=b"%PDF-1.4", request=first,
                      headers={"ETag": '"x"', "Content-Type": "application/pdf"})  # fmt: skip
    second = next(spider.parse_attachment_file(answer))
    assert isinstance(second, scrapy.Request) and second.url == FILES[1]
    # The second one is too large: recorded on the document, which is handed on all the same.
    failure = Failure(CancelledError("Cancelling download: larger than download max size"))
    failure.request = second  # type: ignore[attr-defined]
    done = next(spider.attachment_failed(failure))
    assert isinstance(done, Fetched)
    assert [f.status for f in done.files] == [200, 0]
    assert done.files[0].raw == b"%PDF-1.4" and done.files[0].etag == '"x"'
    assert "attachments.max_file_mb" in (done.files[1].error or "")


def test_files_elsewhere_and_profiles_that_say_no_are_not_fetched(spider: TrsSpider) -> None:
    elsewhere = _fetched(
        attachments=[{"url": "https://pan.baidu.com/s/1", "name": "网盘", "type": "zip"}]
    )
    assert list(spider.with_attachments(elsewhere)) == [elsewhere]
    spider.profile = dataclasses.replace(spider.profile, attachments_fetch=False)
    plain = _fetched()
    assert list(spider.with_attachments(plain)) == [plain]


def test_the_run_cap_stops_fetching(spider: TrsSpider) -> None:
    spider.profile = dataclasses.replace(spider.profile, attachment_max_run_mb=0.5)
    spider.attachment_bytes = 1024 * 1024
    done = next(spider.with_attachments(_fetched()))
    assert isinstance(done, Fetched)
    assert all("max_run_mb" in (f.error or "") for f in done.files) and len(done.files) == 2


def test_conditional_headers_come_from_the_stored_file(spider: TrsSpider) -> None:
    store = spider.state.files
    assert isinstance(store, Store)
    with store.transaction() as conn:
        conn.execute("INSERT INTO attachment_files (sha256, type, size, first_fetched) "
                     "VALUES ('h', 'pdf', 1, 'now')")  # fmt: skip
        conn.execute("INSERT INTO attachment_versions (url, version, sha256, fetched_at, etag, "
                     "last_modified) VALUES (?, 1, 'h', 'now', '\"e1\"', 'Mon, 01 Jan 2024')",
                     (FILES[0],))  # fmt: skip
    request = next(spider.with_attachments(_fetched()))
    assert isinstance(request, Request)
    assert request.headers.get("If-None-Match") == b'"e1"'
    assert request.headers.get("If-Modified-Since") == b"Mon, 01 Jan 2024"


def test_profile_attachment_settings_are_checked(tmp_path: Path) -> None:
    source = Path(load_profiles()["hubei-jxt"].source).read_text(encoding="utf-8")
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    good = tmp_path / "good" / "hubei-jxt.yaml"
    good.write_text(source + "\nattachments: {fetch: false, max_file_mb: 5, max_run_mb: 50}\n",
                    encoding="utf-8")  # fmt: skip
    profile = load_profile(good)
    assert (profile.attachments_fetch, profile.attachment_max_file_mb) == (False, 5.0)
    bad = tmp_path / "bad" / "hubei-jxt.yaml"
    bad.write_text(source + "\nattachments: {max_file_mb: lots}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"attachments.max_file_mb.*megabytes"):
        load_profile(bad)


def test_a_file_refused_for_its_size_is_not_fetched_again_until_the_page_changes(
    spider: TrsSpider,
) -> None:
    """A file over the profile's cap, refused once, is not downloaded (and cut off) again at
    every crawl while its page is unchanged; a transient failure is tried again."""
    store = spider.state.files
    assert isinstance(store, Store)
    page = _fetched()
    assert page.record is not None
    files = [{"url": FILES[0], "name": "a.pdf", "fetched_url": FILES[0], "status": 0,
              "fetched_at": "2024-01-01T00:00:00+00:00", "error": "larger than "
              "attachments.max_file_mb (1 MB)", "reading": None},
             {"url": FILES[1], "name": "b.docx", "fetched_url": FILES[1], "status": 0,
              "fetched_at": "2024-01-01T00:00:00+00:00", "error": "HTTP 503", "reading": None}]  # fmt: skip
    store.save(portal="hubei-jxt", identity=page.identity, record=page.record,
               fetched_url=ARTICLE, fetched_at=page.fetched_at, status=200, headers={}, raw=b"",
               etag=None, last_modified=None, run_id=None, files=files,
               page_hash=content_hash(page.record))  # fmt: skip
    assert [link["url"] for link in spider.attachments_to_fetch(_fetched())] == [FILES[1]]
    edited = _fetched(body_text="详见附件（已更新）。")
    assert [link["url"] for link in spider.attachments_to_fetch(edited)] == FILES
