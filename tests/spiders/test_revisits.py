"""What a revisit asks and what a fetch keeps: the validators, whatever the header's case."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request

from crawler.portals.profiles import load_profiles
from spiders.base import conditional_headers
from spiders.hanweb import HanwebSpider

URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"


def test_the_etag_is_kept_whatever_the_case_scrapy_gives_it() -> None:
    spider = HanwebSpider(profile=load_profiles()["hangzhou-jxj"])
    request = Request(URL, meta={"column": "1229265378", "identity": "hangzhou-jxj:4216448"})
    response = HtmlResponse(
        # A page with a document on it (a blank page is a stand-in, never stored).
        URL, body=("<html><head><title>关于支持开源软件发展的建议的答复</title></head><body>"
                   "<div id='zoom'><p>何征宇代表：</p><p>您提出的《关于支持开源软件发展的建议》收悉，"
                   "现答复如下：我局高度重视，已会同有关部门研究落实。</p></div></body></html>").encode(),
        headers={"ETag": '"5f3a"', "Last-Modified": "Fri, 03 Nov 2023 03:04:00 GMT",
                 "Content-Type": "text/html; charset=utf-8"},
        request=request, encoding="utf-8",
    )  # fmt: skip
    (fetched,) = list(spider.parse_article(response))
    assert fetched.etag == '"5f3a"'
    assert fetched.last_modified == "Fri, 03 Nov 2023 03:04:00 GMT"


def test_a_full_crawl_never_trusts_last_modified_alone() -> None:
    modified = "Fri, 03 Nov 2023 03:04:00 GMT"
    assert conditional_headers('"e"', modified, full=False) == {
        "If-None-Match": '"e"', "If-Modified-Since": modified
    }  # fmt: skip
    assert conditional_headers('"e"', modified, full=True) == {"If-None-Match": '"e"'}
    assert conditional_headers(None, modified, full=True) == {}  # fetched in full
    assert conditional_headers(None, modified, full=False) == {"If-Modified-Since": modified}
