"""What a spider does with stand-ins and links (no network: responses built here)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.items import Fetched, ListingEntry
from crawler.portals.profiles import load_profiles
from spiders.base import PortalSpider
from spiders.trs import TrsSpider

ORIGIN = "http://jxt.hubei.gov.cn"
ARTICLE = ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202311/t20231103_26000001.shtml"


@pytest.fixture
def spider() -> TrsSpider:
    crawler = get_crawler(TrsSpider)
    spider = TrsSpider(profile=load_profiles()["hubei-jxt"])
    spider._set_crawler(crawler)
    return spider


def problems(spider: PortalSpider) -> list[dict[str, Any]]:
    assert spider.crawler.stats is not None
    found: list[dict[str, Any]] = spider.crawler.stats.get_value("govwatch/problems") or []
    return found


def response(url: str, body: str, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={"column": "rddbjy", "identity": "hubei-jxt:26000001", **meta})
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def test_follow_entries_fetches_documents_only_and_counts_the_rest(spider: TrsSpider) -> None:
    entries = [
        ListingEntry(ARTICLE, "答复"),
        ListingEntry(ORIGIN + "/fbjd/xxgkml/jytabl/", "建议提案办理"),  # a menu link
        ListingEntry(ORIGIN + "/lxwm/index.html", "联系我们"),  # a footer link
        ListingEntry("http://www.gov.cn/zhengce/content/2023-11/content_1.htm", "他站"),
        ListingEntry(ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202311/P020231103.pdf", "附件"),
    ]
    requests, _ = spider.follow_entries(entries, "rddbjy")
    assert [r.url for r in requests] == [ARTICLE]
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("govwatch/entries_skipped") == 4


def test_a_profile_pattern_widens_what_is_a_document(spider: TrsSpider) -> None:
    from dataclasses import replace

    spider.profile = replace(spider.profile, article_pattern=r"/content/\d+\.jhtml$")
    other = ORIGIN + "/tzgg/content/1662.jhtml"
    requests, _ = spider.follow_entries([ListingEntry(other), ListingEntry(ARTICLE)], "rddbjy")
    assert [r.url for r in requests] == [other]


def test_a_js_stub_is_followed_inside_the_portal(spider: TrsSpider) -> None:
    stub = '<SCRIPT>var htm = ""; htm = "../202310/t20231030_26000009.shtml"; document.location.href=htm;</SCRIPT>'
    out = list(spider.parse_article(response(ARTICLE, stub)))
    assert len(out) == 1 and isinstance(out[0], scrapy.Request)
    assert out[0].url == ORIGIN + "/fbjd/xxgkml/jytabl/rddbjy/202310/t20231030_26000009.shtml"
    assert out[0].meta["identity"] == "hubei-jxt:26000001" and out[0].meta["stub_chain"] == [
        ARTICLE
    ]
    assert problems(spider) == []


def test_a_stub_that_leaves_or_loops_is_an_error(spider: TrsSpider) -> None:
    away = '<html><head><meta http-equiv="refresh" content="0;url=http://elsewhere.example/x/"></head></html>'
    assert list(spider.parse_article(response(ARTICLE, away))) == []
    back = f'<script>location.href = "{ARTICLE}?from=stub";</script>'
    looping = response(ARTICLE + "?from=stub", f'<script>location.href = "{ARTICLE}";</script>',
                       stub_chain=[ARTICLE])  # fmt: skip
    assert len(list(spider.parse_article(response(ARTICLE, back)))) == 1
    assert list(spider.parse_article(looping)) == []
    messages = [p["message"] for p in problems(spider)]
    assert "leads outside the portal" in messages[0]
    assert "loop" in messages[1] and all(p["kind"] == "error" for p in problems(spider))


def test_the_postmeta_indirection_is_followed(spider: TrsSpider) -> None:
    legacy = ORIGIN + "/gkml/qtwj/content/post_2004368.html"
    stub = (
        "<html><head><title>Title</title></head><script>var postId = '2004368';"
        "$(function(){$.ajax({url: '/postmeta/p/'+parseInt(postId/1000000)+'/'+parseInt(postId/1000)"
        "+'/'+postId+'.json', success: function(d){document.location.href = d.gkml_url;}})});"
        "</script><body></body></html>"
    )
    (meta_request,) = spider.parse_article(response(legacy, stub))
    assert isinstance(meta_request, scrapy.Request)
    assert meta_request.url == ORIGIN + "/postmeta/p/2/2004/2004368.json"
    body = json.dumps({"gkml_url": ORIGIN + "/gkmlpt/content/2/2004/post_2004368.html"}).encode()
    answer = TextResponse(meta_request.url, body=body, request=meta_request)
    assert meta_request.callback is not None
    (page_request,) = meta_request.callback(answer)
    assert page_request.url == ORIGIN + "/gkmlpt/content/2/2004/post_2004368.html"
    assert page_request.callback == spider.parse_article
    assert page_request.meta["identity"] == "hubei-jxt:26000001"
    assert "postmeta_callback" not in page_request.meta


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<html><head><title>提示信息</title></head><body><div>该信息不存在</div></body></html>", "soft-404"),
        ('<html><body><div id="app"></div><script src="/app.js"></script></body></html>', "app-shell"),
        ("<html><body>" + "".join(f'<a href="/a/202401/t2024010{n % 9}_{n}.html">新闻{n}</a>' for n in range(12))
         + "</body></html>", "wrong-page"),
        ('<html shield="Virtual Container Shield"><body><script src="/ob/x.js"></script></body></html>',
         "Virtual Container Shield"),
    ],
)  # fmt: skip
def test_stand_ins_are_reported_never_stored(spider: TrsSpider, body: str, kind: str) -> None:
    out = list(spider.parse_article(response(ARTICLE, body)))
    assert not [item for item in out if isinstance(item, Fetched)]
    (problem,) = problems(spider)
    assert kind in problem["message"] and problem["url"] == ARTICLE


def test_a_document_whose_stub_sends_readers_to_its_column_was_withdrawn(spider: TrsSpider) -> None:
    withdrawn = (
        '<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>'
    )
    (gone,) = spider.parse_article(response(ARTICLE, withdrawn))
    assert isinstance(gone, Fetched) and gone.status == 404
    assert (gone.identity, gone.url) == ("hubei-jxt:26000001", ARTICLE)
    # A stub to some other page of the portal that is no document is an error, not a document.
    other = '<script>location.href = "/hdjl/wyxx/form.jsp";</script>'
    assert list(spider.parse_article(response(ARTICLE, other))) == []
    assert "which is no document" in problems(spider)[0]["message"]


def test_api_rows_none_of_which_is_a_document_are_a_changed_listing(tmp_path: Any) -> None:
    from spiders.govcn import GovcnSpider

    crawler = get_crawler(GovcnSpider)
    govcn = GovcnSpider(profile=load_profiles()["govcn"])
    govcn._set_crawler(crawler)
    rows = [
        {"title": f"通知{n}", "url": f"https://www.gov.cn/zhengce/{n}/detail.jsp"} for n in range(5)
    ]
    body = json.dumps({"searchVO": {"catMap": {"gongwen": {"listVO": rows, "totalCount": 5}}}})
    url = "https://sousuo.www.gov.cn/search-gov/data?p=1"
    request = Request(url, meta={"column": "gongwen", "page": 1})
    assert list(govcn.parse_page(TextResponse(url, body=body.encode(), request=request))) == []
    (problem,) = problems(govcn)
    assert "listing changed" in problem["message"] and "none now" in problem["message"]
