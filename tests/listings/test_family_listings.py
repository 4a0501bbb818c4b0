"""Pure parsers of the gkmlpt and generic listings, and the recognition behind `portals add`,
on pages written here after what real ones show."""

from __future__ import annotations

import json
import re

import pytest

from crawler.listings import generic, gkmlpt
from crawler.listings.jpaas import ListingFormatError
from crawler.listings.links import ARTICLE_PATTERNS, is_article
from crawler.portals.discover import recognise, suggest_name

ORIGIN = "http://gjj.example.gov.cn"
TREE = [
    {"id": 11, "name": "政府信息公开指南", "parent": 0, "jump_url": None, "children": []},
    {"id": 12, "name": "依申请公开", "parent": 0, "jump_url": "http://ysq.example.gov.cn/", "children": []},
    {"id": 13, "name": "建议提案", "parent": 0, "jump_url": "", "children": [
        {"id": 131, "name": "人大代表建议", "parent": 13, "jump_url": None, "children": []},
        {"id": 132, "name": "政协委员提案", "parent": 13, "jump_url": None, "children": []},
    ]},
]  # fmt: skip


def gkmlpt_page(detail: dict[str, object] | None = None) -> str:
    escaped = json.dumps(TREE).replace("/", "\\/")
    record = json.dumps(detail).replace("/", "\\/")
    extra = f"        DETAIL: {record},\n" if detail else ""
    return f"""<html><head><title>信息公开</title><meta name="SiteName" content="示例市住房公积金中心"></head>
<body><div id="app"></div><script>
    window._CONFIG = {{
        isMobile: false,
        ACTION: 'index',
        APP_URL: '{ORIGIN}',
        SID: '440123',
{extra}        TREE: {escaped},
        SEARCH_JSONP_URL: '//search.example.gov.cn/jsonp'
    }};
</script></body></html>"""


def test_gkmlpt_config_and_tree() -> None:
    config = gkmlpt.parse_config(gkmlpt_page())
    assert config.sid == "440123"
    assert [(c.id, c.parent, c.jump_url != "") for c in config.tree] == [
        ("11", "0", False), ("12", "0", True), ("13", "0", False), ("131", "13", False),
        ("132", "13", False),
    ]  # fmt: skip
    assert config.tree[3].path == ("建议提案", "人大代表建议")
    assert gkmlpt.parse_config("<html>no config</html>").sid is None


def test_gkmlpt_api_rows() -> None:
    rows = [
        {"id": 1000001, "title": "关于某建议的答复", "identifier": "1144/2024-00001", "date": 1717200000,
         "url": f"{ORIGIN}/gkmlpt/content/1/1000/post_1000001.html", "is_abolished": 0},
        {"id": 1000002, "title": " 手机版 ", "date": "2024-06-02",
         "url": "/gkmlpt/content/1/1000/mpost_1000002.html"},
        {"id": 1000003, "title": "旧目录", "created_at": "2024-06-03 09:00:00",
         "url": f"{ORIGIN}/gkml/zwgk/tzgg/post_1000003.html"},
        {"id": 1000004, "title": "站点副本", "url": f"{ORIGIN}/xxgk/tzgg/content/post_1000004.html"},
        {"title": "外链", "url": "https://www.example.org/zwgk/index.html"},
        {"title": "无地址", "url": ""},
    ]  # fmt: skip
    body = json.dumps({"articles": rows, "classify": {"id": 131, "post_count": 45}})
    page = gkmlpt.parse_api(body, f"{ORIGIN}/gkmlpt/api/all/131?page=1&sid=440123")
    assert page.total == 45 and page.skipped == 2 and page.unmatched == 0
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date) for e in page.entries] == [
        ("post_1000001.html", "关于某建议的答复", "2024-06-01"),
        ("mpost_1000002.html", "手机版", "2024-06-02"),
        ("post_1000003.html", "旧目录", "2024-06-03"),
        ("post_1000004.html", "站点副本", None),
    ]
    assert page.entries[3].url == f"{ORIGIN}/gkmlpt/content/1/1000/post_1000004.html"
    assert page.rows[page.entries[0].url]["identifier"] == "1144/2024-00001"
    assert gkmlpt.api_url(ORIGIN, "440123", "131", 2).endswith(
        "/gkmlpt/api/all/131?page=2&sid=440123"
    )
    for broken in ("<html>", json.dumps({"error": "sid"})):
        with pytest.raises(ListingFormatError, match="gkmlpt listing at"):
            gkmlpt.parse_api(broken, ORIGIN + "/gkmlpt/api/all/1")


def test_gkmlpt_post_record() -> None:
    detail = {
        "id": 1000001, "title": "关于某建议的答复", "publish_time": 1717218000,
        "gkml_url": f"{ORIGIN}/gkmlpt/content/1/1000/post_1000001.html",
        "gkml_data": {"identifier": "1144/2024-00001", "document_number": "示金〔2024〕1号",
                      "publisher": "示例市住房公积金中心", "is_abolished": 0},
    }  # fmt: skip
    found = gkmlpt.post_record(gkmlpt_page(detail))
    assert found is not None
    assert gkmlpt.post_fields(found) == {
        "title": "关于某建议的答复", "index_no": "1144/2024-00001", "doc_no": "示金〔2024〕1号",
        "publisher": "示例市住房公积金中心", "url": detail["gkml_url"],
        "published_at": "2024-06-01T13:00:00+08:00",
    }  # fmt: skip
    assert gkmlpt.post_fields({"gkml_data": {"document_number": ""}}) == {}
    assert gkmlpt.post_record(gkmlpt_page()) is None
    pattern = re.compile(ARTICLE_PATTERNS["gkmlpt"])
    assert is_article(f"{ORIGIN}/gkml/a/b/post_12.html", pattern)
    assert not is_article(f"{ORIGIN}/xxgk/content/post_12.html", pattern)


COUNTY = "http://www.county.example.gov.cn"


def county_page(rows: list[tuple[str, str]], pager: str) -> str:
    items = "".join(f'<div class="item"><a href="{h}">{t}</a><em>{d}</em></div>'
                    for h, t, d in [(h, f"文件{i}", dt) for i, (h, dt) in enumerate(rows)])  # fmt: skip
    return f"""<html><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动</a></div>
<div class="side-hot"><ul><li><a href="/xw/202401/hot1.html">热点</a><span>2024-01-02</span></li>
<li><a href="/xw/202401/hot2.html">热点二</a><span>2024-01-03</span></li></ul></div>
<div class="list">{items}</div>{pager}
<div class="footer"><a href="/wzdt/">网站地图</a></div></body></html>"""


def test_generic_learns_the_article_pattern_from_the_dated_list() -> None:
    rows = [(f"/zwgk/jyta/2024{m:02d}/{s}.html", f"2024-{m:02d}-01")
            for m, s in ((6, "a1b2c3d4"), (5, "9f8e7d6c"), (4, "0a0b0c0d"))]  # fmt: skip
    page = county_page(rows, "")
    pattern = generic.learn_pattern(page, COUNTY + "/zwgk/jyta/index.html")
    assert pattern == r"^/zwgk/jyta/\d+/[0-9A-Za-z_-]+\.html(?:\?|$)"
    listing = generic.parse_listing(page.encode(), COUNTY + "/zwgk/jyta/index.html")
    assert [e.url for e in listing.entries] == [COUNTY + h for h, _ in rows]
    assert [e.date for e in listing.entries] == ["2024-06-01", "2024-05-01", "2024-04-01"]
    # Other shapes: TRS-like names, ids in the query, and too little to learn from.
    assert generic.pattern_for([f"{COUNTY}/a/202401/t20240102_{n}.html" for n in (5, 66)]) == (
        r"^/a/\d+/t\d+_\d+\.html(?:\?|$)"
    )
    assert generic.pattern_for([f"{COUNTY}/info.jsp?id={n}" for n in (5, 66)]) == (
        r"^/info\.jsp\?id=\d+$"
    )
    assert generic.pattern_for([f"{COUNTY}/a/1.html"]) is None
    assert generic.learn_pattern("<html><a href='/x.html'>x</a></html>", COUNTY + "/") is None


@pytest.mark.parametrize(
    ("url", "pager", "expected"),
    [
        ("/l/index.html", '<a href="index_2.html">下一页</a><a href="index_9.html">尾页</a>', "/l/index_2.html"),
        ("/l/", '<a href="javascript:go(2)">下一页</a><a href="?page=1">1</a><a href="?page=2">2</a>', "/l/?page=2"),
        ("/l/?page=2", '<a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a>', "/l/?page=3"),
        ("/l/index.html", '<a href="index_1.html">2</a><a href="index_2.html">3</a>', "/l/index_1.html"),
        ("/l/index_2.html", '<a href="index.html">首页</a><a href="index_1.html">上一页</a>', None),
        ("/l/", '<a href="https://other.example.org/?page=2">下一页</a>', None),
    ],
)  # fmt: skip
def test_generic_next_page(url: str, pager: str, expected: str | None) -> None:
    page = county_page([], f'<div class="pages">{pager}</div>')
    assert generic.next_page(page, COUNTY + url) == (COUNTY + expected if expected else None)


def test_recognition_of_each_family() -> None:
    gk = recognise(gkmlpt_page(), ORIGIN + "/gkmlpt/index")
    assert (gk.family, gk.params, gk.site_name) == (
        "gkmlpt",
        {"sid": "440123"},
        "示例市住房公积金中心",
    )
    # Reply categories are chosen when the tree has them; jumps and parents never.
    assert [c["id"] for c in gk.columns] == ["131", "132"]
    jp = recognise(
        """<title>建议提案_示例市政府</title><div class="list" queryData="{'webId':'77','pageId':'123',"""
        """'tagId':'信息列表','tplSetId':'aBc9'}"></div>""", "https://www.example.gov.cn/col/col123/index.html",
    )  # fmt: skip
    assert (jp.family, jp.params, jp.columns) == (
        "jpaas", {"webId": "77", "tplSetId": "aBc9", "tagId": "信息列表"},
        [{"id": "123", "name": "建议提案"}],
    )  # fmt: skip
    hw = recognise(
        """<meta name="ColumnName" content="人大建议"><script>$('#1').jpage({proxyUrl:'/module/jpage/dataproxy.jsp',"""
        """ajaxParam: {webid: '12', unitid: '34', columnid: '56'}});</script>""",
        "http://jxj.example.gov.cn/col/col56/index.html",
    )  # fmt: skip
    assert hw.family == "hanweb" and hw.columns == [{"id": "56", "name": "人大建议"}]
    assert hw.params.get("proxy") == "/module/jpage/dataproxy.jsp"
    trs = recognise(
        "<title>政协提案-示例厅</title><script>createPageHTML(5, 0, 'index', 'html');</script>",
        "http://jt.example.gov.cn/xxgk/jyta/zxta/index.html",
    )
    assert (trs.family, trs.columns, trs.site_name) == (
        "trs", [{"id": "zxta", "name": "政协提案", "path": "xxgk/jyta/zxta"}], "示例厅",
    )  # fmt: skip
    assert recognise("<html></html>", "https://www.gov.cn/zhengce/").family == "govcn"
    unknown = recognise("<html><p>欢迎</p></html>", COUNTY + "/")
    assert unknown.family is None and unknown.missing[0][0] == "family"
    assert suggest_name("http://jxj.hangzhou.gov.cn/col/col1/index.html") == "hangzhou-jxj"
    assert suggest_name("https://www.gd.gov.cn/") == "gd"
