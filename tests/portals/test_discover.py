"""`discover.recognise` on what users paste: an article, a column's page, a home page.

The real saved pages (../shared/data/real/pages/, each with its real URL and family in
index.jsonl) are read where they are, never copied here; those tests skip, saying why, when the
data is absent. The synthetic pages below hold only what each rule reads.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.real import data_dir
from crawler.extract.decode import decode_html
from crawler.portals.discover import Discovery, metas, recognise, suggest_name

PAGES = data_dir() / "pages"
ABSENT = f"real saved pages not found in {PAGES} (set GOVWATCH_REAL_DATA)"
_TRS_ARTICLE = re.compile(r"^/(.+?)/(?:\d{6}/)?t\d{8}_\d+(?:_[a-z]+)?\.s?html?$")


@cache
def _index() -> dict[str, dict[str, Any]]:
    """File number (001…) → its index.jsonl line."""
    if not (PAGES / "index.jsonl").exists():
        pytest.skip(ABSENT)
    lines = (PAGES / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["file"][:3]: row for row in map(json.loads, filter(None, lines))}


def real(number: str) -> tuple[str, str, Discovery]:
    """A saved page's text, its real URL and what recognise makes of it."""
    row = _index()[number]
    text = decode_html((PAGES / row["file"]).read_bytes(), None).text
    return text, row["url"], recognise(text, row["url"])


def numbers(family: str, kind: str = "article") -> list[str]:
    if not (PAGES / "index.jsonl").exists():
        return []
    return sorted(n for n, r in _index().items() if r["family"] == family and r["type"] == kind)


def _title(text: str) -> str:
    found = re.search(r"<title[^>]*>(.*?)</title>", text, re.S | re.I)
    return found.group(1).strip() if found else ""


def test_the_real_pages_are_there_or_the_tests_say_why() -> None:
    if not (PAGES / "index.jsonl").exists():
        pytest.skip(ABSENT)
    assert len(numbers("trs")) >= 20 and len(numbers("hanweb-classic")) == 6


@pytest.mark.parametrize("number", numbers("trs"))
def test_a_trs_article_is_trs_and_its_column_is_its_section(number: str) -> None:
    # Issue 24: TRS articles went unrecognised, or their column's path held the article file.
    _, url, found = real(number)
    section = _TRS_ARTICLE.match(urlsplit(url).path)
    assert section is not None, url
    assert (found.kind, found.family) == ("article", "trs"), found.seen
    assert [c["path"] for c in found.columns] == [section.group(1)]
    assert found.columns[0]["id"] == section.group(1).rsplit("/", 1)[-1]
    assert [lead.url for lead in found.leads] == [f"{found.origin}/{section.group(1)}/"]


@pytest.mark.parametrize("number", numbers("hanweb-classic"))
def test_a_hanweb_article_is_hanweb_with_the_column_of_its_url(number: str) -> None:
    # Issue 24: /art/Y/M/D/art_<col>_<id>.html answered None.
    _, url, found = real(number)
    column = re.search(r"/art_(\d+)_\d+\.html", url)
    assert column is not None
    assert (found.kind, found.family) == ("article", "hanweb"), found.seen
    assert [c["id"] for c in found.columns] == [column.group(1)]
    assert found.leads[0].url == f"{found.origin}/col/col{column.group(1)}/index.html"
    # Its webid and unitid are on the column's page, which `portals add` reads next.
    assert found.missing and found.missing[0][0] == "hanweb parameters"


@pytest.mark.parametrize("number", ["047", "062", "086", "107", "108", "109"])
def test_an_article_is_never_its_own_column(number: str) -> None:
    # Issue 24: the generic family proposed the article (or, for 086, the home page answered
    # for an article's URL) as its own listing.
    _, url, found = real(number)
    assert found.kind == "article", found.seen
    mine = urlsplit(url).path.strip("/")
    assert all(c.get("path", "").strip("/") != mine for c in found.columns)
    assert all(urlsplit(lead.url).path.strip("/") != mine for lead in found.leads)
    assert all(mine not in c.get("path", "") for c in found.columns)


@pytest.mark.parametrize(
    ("number", "column"),
    [("047", "/zcjd_gzjdlqgg/index.html"), ("062", "/work/index.jhtml"), ("108", "default.htm")],
)
def test_a_generic_article_names_its_column_by_its_breadcrumb(number: str, column: str) -> None:
    _, _, found = real(number)
    assert len(found.leads) == 1 and found.leads[0].url.endswith(column)
    assert "breadcrumb" in found.seen[0]


@pytest.mark.parametrize("number", ["002", "016"])
def test_site_names_lose_the_china_prefix_of_the_sitename_tag(number: str) -> None:
    text, _, found = real(number)
    assert metas(text)["sitename"].startswith("中国,")
    assert found.site_name and not found.site_name.startswith("中国")
    assert found.site_name == metas(text)["sitename"].removeprefix("中国,")


@pytest.mark.parametrize("number", ["008", "009"])
def test_an_article_without_tags_does_not_name_its_column_by_its_title(number: str) -> None:
    text, _, found = real(number)
    assert "sitename" not in metas(text) and "columnname" not in metas(text)
    names = [c["name"] for c in found.columns] + [lead.name for lead in found.leads]
    assert names and _title(text) not in names
    assert all(name not in _title(text) for name in names if name)


def test_no_real_article_is_named_by_its_title() -> None:
    if not (PAGES / "index.jsonl").exists():
        pytest.skip(ABSENT)
    named_by_title = []
    for number, row in _index().items():
        if row["type"] != "article":
            continue
        text, _, found = real(number)
        title = metas(text).get("articletitle") or _title(text)
        names = [c["name"] for c in found.columns] + [lead.name for lead in found.leads]
        if title and title in names:
            named_by_title.append(row["file"])
    assert named_by_title == []


# Synthetic pages.

COLUMN_PAGE = """<html><head><title>{title}</title>{meta}</head><body>
<script>createPageHTML(5, 0, "index", "html");</script></body></html>"""


@pytest.mark.parametrize(
    ("title", "meta", "name", "site"),
    [
        ("人大代表建议 - 杭州市经济和信息化局", "", "人大代表建议", "杭州市经济和信息化局"),
        ("杭州市经济和信息化局 - 人大代表建议", '<meta name="SiteName" content="杭州市经济和信息化局">',
         "人大代表建议", "杭州市经济和信息化局"),
        ("建议提案_湖北省经济和信息化厅", "", "建议提案", "湖北省经济和信息化厅"),
        ("政协提案－示例市人民政府", "", "政协提案", "示例市人民政府"),
        ("人大代表建议", "", "人大代表建议", ""),
    ],
)  # fmt: skip
def test_a_column_is_named_by_its_title_without_the_site(
    title: str, meta: str, name: str, site: str
) -> None:
    found = recognise(COLUMN_PAGE.format(title=title, meta=meta), "http://x.example.gov.cn/a/b/")
    assert (found.family, found.site_name) == ("trs", site)
    assert found.columns[0]["name"] == name


def test_a_portal_on_an_address_is_named_by_its_port() -> None:
    # Issue 24: every profile made from http://127.0.0.1:<port>/… was named `portal`.
    first = suggest_name("http://127.0.0.1:8401/col/col1/index.html")
    second = suggest_name("http://127.0.0.1:8402/")
    assert (first, second) == ("replica-8401", "replica-8402")
    assert suggest_name("http://10.0.0.5:8080/zwgk/") == "portal-10-0-0-5-8080"
    assert suggest_name("http://10.0.0.5/zwgk/") == "portal-10-0-0-5"
    assert suggest_name("http://jxj.hangzhou.gov.cn/col/col1/index.html") == "hangzhou-jxj"


HOME = """<html><head><title>示例市经济和信息化局</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/col/col10/index.html">机构概况</a></li>
<li><a href="/col/col11/index.html">政务公开</a></li></ul>
<div class="news"><ul>
<li><a href="/art/2024/5/6/art_30_900.html">关于市十四届人大三次会议第12号建议的答复</a><span>2024-05-06</span></li>
<li><a href="/col/col30/index.html" title="更多">更多</a></li></ul></div>
<div class="zwgk"><a href="/col/col12/index.html">政府信息公开指南</a>
<a href="/col/col13/index.html">法定主动公开内容</a>
<a href="https://other.example.gov.cn/col/col99/index.html">人大代表建议</a></div>
<div class="jyta"><a href="/col/col30/index.html">人大代表建议</a>
<a href="/col/col31/index.html">政协委员提案</a><a href="/col/col30/">人大代表建议</a></div>
</body></html>"""


def test_a_home_page_proposes_its_reply_columns_and_shows_the_rest() -> None:
    found = recognise(HOME, "http://jxj.example.gov.cn/")
    assert (found.kind, found.family, found.site_name) == ("home", None, "示例市经济和信息化局")
    leads = [(urlsplit(lead.url).path, lead.name, lead.reply) for lead in found.leads]
    # Reply columns first, each once; then catalogues; the guide last. Never another site's
    # column, an article, a "more" link, or a menu item that names no disclosure column.
    assert leads == [
        ("/col/col30/index.html", "人大代表建议", True),
        ("/col/col31/index.html", "政协委员提案", True),
        ("/col/col11/index.html", "政务公开", False),
        ("/col/col13/index.html", "法定主动公开内容", False),
        ("/col/col12/index.html", "政府信息公开指南", False),
    ]


def test_a_home_page_links_gkmlpt_and_traditional_names() -> None:
    page = """<html><head><meta name="SiteName" content="示例中心"></head><body>
    <a href="/gkmlpt/index">政務公開</a><a href="/gkmlpt/index#617">规范性文件</a>
    <a href="/zwgk/jyta/">建議提案</a></body></html>"""
    found = recognise(page, "http://www.example.gov.cn/index.html")
    assert [(urlsplit(lead.url).path, lead.reply) for lead in found.leads] == [
        ("/zwgk/jyta/", True),
        ("/gkmlpt/index", False),
    ]


def test_a_root_page_linking_no_disclosure_column_is_read_as_any_page() -> None:
    found = recognise("<html><p>欢迎</p></html>", "http://www.example.gov.cn/")
    assert found.kind == "column" and found.family is None
    assert found.missing[0][0] == "family"


def test_a_jpaas_article_names_its_column() -> None:
    found = recognise(
        '<html><head><meta name="ArticleTitle" content="关于……的答复"></head></html>',
        "https://www.example.gov.cn/col/col1229063401/art/2024/art_0123456789abcdef0123456789abcdef.html",
    )
    assert (found.kind, found.family, found.columns[0]["id"]) == ("article", "jpaas", "1229063401")
    assert found.leads[0].url == "https://www.example.gov.cn/col/col1229063401/index.html"
