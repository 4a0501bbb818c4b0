"""Listing parsers on pages written here, modelled on real ones: only the document list is read."""

from __future__ import annotations

import json

import pytest

from crawler.extract.select import SelectorError, check_selector
from crawler.listings import govcn, hanweb, jpaas, trs
from crawler.listings.links import ARTICLE_PATTERNS, article_pattern, document_links, is_article

BASE = "http://jxt.example.gov.cn/fbjd/xxgkml/rddbjy/"
NAV = """<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="http://www.gov.cn/">中国政府网</a></li></ul></div>"""
FOOTER = """<div class="footer"><ul><li><a href="/wzdt/">网站地图</a></li>
<li><a href="/lxwm/">联系我们</a></li></ul></div>"""


def rows(count: int, start: int = 0, date: bool = True) -> str:
    return "".join(
        f'<li><a href="./2023{1 + n % 9:02d}/t2023{1 + n % 9:02d}1{n % 10}_{5000 + n}.html" '
        f'title="关于第{n}号建议的答复">关于第{n}号建议的答复</a>'
        + (f"<span>2023-{1 + n % 9:02d}-1{n % 10}</span>" if date else "")
        + "</li>"
        for n in range(start, start + count)
    )


def hot(count: int, css: str = "side-hot") -> str:
    """A sidebar of hot documents of other columns, dated."""
    return (
        f'<div class="{css}"><h4>热点信息</h4><ul>'
        + "".join(
            f'<li><a href="/fbjd/xxgkml/gzdt/202301/t2023010{n}_{9000 + n}.html">动态{n}</a>'
            f"<span>2023-01-0{n}</span></li>"
            for n in range(1, count + 1)
        )
        + "</ul></div>"
    )


def page(body: str, paging: str = "") -> bytes:
    script = f"<script>{paging}</script>" if paging else ""
    return f"<html><head><title>x</title></head><body>{NAV}{body}{script}{FOOTER}</body></html>".encode()


def test_only_the_document_list_is_read() -> None:
    listing = trs.parse_index(page(f'<ul class="list">{rows(14)}</ul>' + hot(6)), BASE)
    assert len(listing.entries) == 14
    assert listing.entries[0].url == BASE + "202301/t20230110_5000.html"
    assert listing.entries[0].title == "关于第0号建议的答复"
    assert listing.entries[0].date == "2023-01-10"
    assert all("/gzdt/" not in e.url for e in listing.entries)


def test_a_short_last_page_beats_a_longer_sidebar_of_hot_documents() -> None:
    listing = trs.parse_index(page(f'<ul class="list">{rows(3)}</ul>' + hot(8)), BASE)
    assert [e.url.rsplit("_", 1)[1] for e in listing.entries] == [
        "5000.html",
        "5001.html",
        "5002.html",
    ]


def test_the_first_pages_list_is_preferred_on_later_pages() -> None:
    first = trs.parse_index(page(f'<ul class="list">{rows(20)}</ul>' + hot(6, "box3")), BASE)
    # A last page whose only entry is cross-posted from another section, beside a sidebar whose
    # name says nothing.
    last = page(
        '<ul class="list"><li><a href="/other/202301/t20230101_7.html">转载</a>'
        "<span>2023-01-01</span></li></ul>" + hot(6, "box3")
    )
    assert len(trs.parse_index(last, BASE).entries) == 6  # alone, the sidebar wins
    again = trs.parse_index(last, BASE, prefer=first.signature)
    assert [e.url for e in again.entries] == [
        "http://jxt.example.gov.cn/other/202301/t20230101_7.html"
    ]


def test_groups_of_one_list_are_one_list_hidden_or_not() -> None:
    groups = "".join(
        f'<div ms-visible="$showStatic({1 + 5 * g})"><ul>{rows(5, 5 * g)}</ul></div>'
        for g in range(9)
    )
    template = (
        '<ul ms-if="list.length>0"><li ms-repeat="list"><a ms-attr-href="el.url" '
        'ms-text="el.title"></a></li></ul>'
    )
    listing = trs.parse_index(
        page(f'<div ms-visible="showStatic">{groups}</div><div>{template}</div>'), BASE
    )
    assert len(listing.entries) == 45 and listing.next_page is None


def test_one_row_per_table_or_ul_and_download_links_are_not_entries() -> None:
    body = "".join(
        f'<ul><li class="c-xh">{n}</li><li class="c-bt"><p><a href="./2022{n:02d}/t2022{n:02d}01_{n}.html">'
        f"\u200b规章{n}</a></p><p>（2022年{n}月1日市政府第{n}号令公布）</p></li>"
        f'<li class="c-xz"><a href="./2022{n:02d}/W0202201.docx">下载文字版</a></li></ul>'
        for n in range(1, 13)
    )
    listing = trs.parse_index(page(f'<div class="m-list">{body}</div>'), BASE)
    assert len(listing.entries) == 12 and listing.skipped == 12
    assert listing.entries[0].title == "规章1"  # the invisible U+200B is no part of a title
    assert listing.entries[0].date is None  # a date inside a sentence is not a list date


def test_titles_cut_in_the_text_take_the_title_attribute_when_there_is_one() -> None:
    body = (
        '<ul><li><a href="./202301/t20230101_1.html" title="关于进一步做好全市工业企业数字化改造的通知">'
        "关于进一步做好全市工业企...</a><span>[2023-01-01]</span></li>"
        '<li><a href="./202301/t20230102_2.html">没有标题属性的很长标题被截断...</a>'
        "<span>2023/1/2</span></li></ul>"
    )
    entries = trs.parse_index(page(body), BASE).entries
    assert entries[0].title == "关于进一步做好全市工业企业数字化改造的通知"
    assert entries[0].date == "2023-01-01"
    assert entries[1].title == "没有标题属性的很长标题被截断..."
    assert entries[1].date == "2023-01-02"


@pytest.mark.parametrize(
    ("call", "pages", "next_page"),
    [
        ('createPageHTML(37, 0, "index", "html");', 37, BASE + "index_1.html"),
        ('createPageHTML(191, 13, 0, "index", "html");', 13, BASE + "index_1.html"),
        ('createPageHTML(6, 5, "index", "html");', 6, None),
        ("createPageHTML('page_div', 6, 1, 'fg', 'shtml', 85);", 6, BASE + "fg_1.shtml"),
        ("createPageHTML('page_div', 6, 3, 'fg', 'shtml', 85);", 6, BASE + "fg_3.shtml"),
        ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}", None, None),
    ],
)
def test_paging_calls(call: str, pages: int | None, next_page: str | None) -> None:
    listing = trs.parse_index(page(f"<ul>{rows(3)}</ul>", call), BASE)
    assert (listing.pages, listing.next_page) == (pages, next_page)


def test_a_paging_call_in_a_comment_is_an_old_one() -> None:
    body = (
        f'<ul>{rows(3)}</ul><!-- <script>createPageHTML(129, 9, 0, "index", "html");</script> -->'
    )
    listing = trs.parse_index(page(body, 'createPageHTML(191, 13, 0, "index", "html");'), BASE)
    assert listing.pages == 13


def test_an_empty_columns_page_lists_nothing_not_its_sidebar() -> None:
    listing = trs.parse_index(page('<ul class="list"></ul>' + hot(6)), BASE)
    assert listing.entries == [] and listing.unmatched == 0


def test_a_list_of_links_that_are_no_documents_is_a_changed_listing() -> None:
    body = "<ul>" + "".join(
        f'<li><a href="/doc/{n}.jsp">文件{n}</a><span>2023-01-0{n}</span></li>' for n in range(1, 8)
    )
    listing = trs.parse_index(page(body + "</ul>"), BASE)
    assert listing.entries == [] and listing.unmatched == 7
    # An empty column with only its menus is no changed listing.
    assert trs.parse_index(page("<p>暂无信息</p>"), BASE).unmatched == 0


def test_a_profile_names_its_own_pattern_and_list() -> None:
    body = (
        '<div id="main"><ul>'
        + "".join(
            f'<li><a href="/doc/{n}.jsp">文件{n}</a><span>2023-01-0{n}</span></li>'
            for n in range(1, 8)
        )
        + '</ul></div><div class="side"><ul>'
        + "".join(
            f'<li><a href="/doc/{n}.jsp">热点{n}</a><span>2023-02-0{n}</span></li>'
            for n in range(1, 9)
        )
        + "</ul></div>"
    )
    pattern = r"/doc/\d+\.jsp$"
    for selector in ("#main ul", "//div[@id='main']//ul", "#main a"):
        entries = trs.parse_index(page(body), BASE, pattern=pattern, list_selector=selector).entries
        assert [e.title for e in entries] == [f"文件{n}" for n in range(1, 8)], selector


def test_bad_list_selectors_are_refused() -> None:
    check_selector("ul.list > li")
    check_selector("//ul[@class='list']")
    for bad in ("ul[", "//ul[", "div >> p"):
        with pytest.raises(SelectorError):
            check_selector(bad)


@pytest.mark.parametrize(
    ("family", "url", "expected"),
    [
        ("hanweb", "http://a.gov.cn/art/2023/11/3/art_1229265378_4216448.html", True),
        ("hanweb", "http://a.gov.cn/col/col1229265378/index.html", False),
        ("hanweb", "http://a.gov.cn/col26924/art/2022/art_26924_4748857.html", True),
        (
            "jpaas",
            "http://a.gov.cn/col/col1/art/2023/art_0123456789abcdef0123456789abcdef.html",
            True,
        ),
        ("jpaas", "http://a.gov.cn/art/2023/1/2/art_1_2.html", True),
        ("trs", "http://a.gov.cn/x/202311/t20231103_4216448.shtml", True),
        ("trs", "http://a.gov.cn/x/202311/t20231103_4216448.htm", True),
        ("trs", "http://a.gov.cn/x/202311/W020231103.pdf", False),
        ("trs", "http://a.gov.cn/x/index_1.html", False),
        ("govcn", "https://www.gov.cn/zhengce/content/2023-11/content_6913571.htm", True),
        ("govcn", "https://www.gov.cn/zhengce/index.htm", False),
    ],
)
def test_family_article_patterns(family: str, url: str, expected: bool) -> None:
    assert is_article(url, article_pattern(family)) is expected


def test_hanweb_records_that_are_not_documents_are_skipped() -> None:
    records = [
        '<li><a href="/art/2023/1/5/art_1229_400.html" title="答复">答复</a><span>2023-01-05</span></li>',
        '<li><a href="http://www.other.gov.cn/zt/index.html">专题链接</a><span>2023-01-04</span></li>',
        "<li><a href='/art/2023/1/3/art_1229_398.html' title='通知'>通知</a><i>[2023-01-03]</i></li>",
    ]
    store = "<datastore><recordset>" + "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    group = hanweb.parse_datastore(store + "</recordset><totalrecord>3</totalrecord></datastore>",
                                   "http://jxj.example.gov.cn/col/col1229/index.html")  # fmt: skip
    assert [e.date for e in group.entries] == ["2023-01-05", "2023-01-03"]
    assert group.skipped == 1 and group.total == 3


def test_a_hanweb_column_page_without_a_datastore_lists_its_links_itself() -> None:
    body = "<ul class='list'>" + "".join(
        f'<li><a href="/art/2023/2/{n}/art_1229_{500 + n}.html">文件{n}</a><span>2023-02-{n:02d}</span></li>'
        for n in range(1, 11)
    ) + "</ul>" + '<div class="right"><ul><li><a href="/art/2023/1/1/art_1_1.html">热点</a></li></ul></div>'  # fmt: skip
    column = hanweb.parse_column_page(page(body).decode(), "http://a.gov.cn/col/col1229/index.html")
    assert len(column.entries) == 10 and column.entries[-1].title == "文件10"


def test_jpaas_fragment_pager_and_more_links_are_not_entries() -> None:
    items = "".join(
        f'<li><a href="/col/col1/art/2023/art_{n:032x}.html" title="文{n}">文{n}</a><span>2023-03-0{n}</span></li>'
        for n in range(1, 6)
    )
    fragment = (
        f'<div class="list-box" count="42"><ul>{items}</ul><div class="page"><a href="javascript:;">'
        '下一页</a><a href="/col/col1/index.html">更多</a></div></div>'
    )
    answer = jpaas.parse_api(
        json.dumps({"success": True, "data": {"html": fragment}}), "http://a.gov.cn/api"
    )
    assert len(answer.entries) == 5 and answer.total == 42


def test_govcn_rows_that_are_no_content_pages_are_skipped() -> None:
    rows_ = [
        {"title": "通知", "url": "https://www.gov.cn/zhengce/content/2023-11/content_1.htm", "pubtimeStr": "2023.11.01"},
        {"title": "专题", "url": "https://www.gov.cn/zhuanti/index.htm", "pubtimeStr": "2023.11.02"},
    ]  # fmt: skip
    body = json.dumps({"searchVO": {"catMap": {"gongwen": {"listVO": rows_, "totalCount": 2}}}})
    found = govcn.parse_search(body, "https://sousuo.www.gov.cn/search-gov/data")
    assert [e.title for e in found.entries] == ["通知"] and found.skipped == 1


def test_document_links_reads_a_tree_already_parsed() -> None:
    from crawler.listings.links import parse_tree

    root = parse_tree(page(f"<ul>{rows(4)}</ul>").decode())
    found = document_links(root, BASE, ARTICLE_PATTERNS["trs"])
    assert len(found.entries) == 4 and found.links > 4


def test_a_row_wrapped_whole_in_its_link() -> None:
    body = (
        '<div class="news">'
        + "".join(
            f'<div class="item"><a href="./2023{n:02d}/t2023{n:02d}01_{n}.html">'
            f'<span class="tit">通知{n}</span><span class="time">2023-{n:02d}-01</span></a></div>'
            for n in range(1, 6)
        )
        + "</div>"
    )
    entries = trs.parse_index(page(body), BASE).entries
    assert [(e.title, e.date) for e in entries][:2] == [
        ("通知1", "2023-01-01"),
        ("通知2", "2023-02-01"),
    ]


def test_a_page_wide_class_does_not_make_the_list_a_sidebar() -> None:
    # No document under the listing's directory (all filed elsewhere), and <body class="side-menu">.
    body = "<ul class='list'>" + "".join(
        f'<li><a href="/xxgk/2023/t2023010{n}_{n}.html">文{n}</a><span>2023-01-0{n}</span></li>'
        for n in range(1, 6)
    ) + "</ul>"  # fmt: skip
    html = page(body).replace(b"<body>", b'<body class="side-menu">')
    assert len(trs.parse_index(html, BASE).entries) == 5


def test_links_beside_a_documents_own_in_its_row_are_not_entries() -> None:
    # Each entry carries links to its interpretation and its chart, pages of the same pattern.
    body = "<ul class='list'>" + "".join(
        f'<li><a href="./202301/t2023010{n % 9 + 1}_{100 + n}.html">关于第{n}项工作安排的通知</a>'
        f' <a href="./202301/t2023010{n % 9 + 1}_{200 + n}.html">[解读]</a>'
        f' <a href="./202301/t2023010{n % 9 + 1}_{300 + n}.html">图解</a>'
        f"<span>2023-01-0{n % 9 + 1}</span></li>"
        for n in range(14)
    ) + "</ul>"  # fmt: skip
    listing = trs.parse_index(page(body), BASE)
    assert len(listing.entries) == 14
    assert listing.entries[0].title == "关于第0项工作安排的通知"
    assert listing.skipped == 28


def test_a_run_of_full_titles_in_one_block_stays_a_list() -> None:
    # No list element at all: every link shares one block, and each is a document.
    body = "<div class='list'>" + "".join(
        f'<a href="./202301/t2023010{n}_{n}.html">关于第{n}批名单的公示</a>2023-01-0{n}<br>'
        for n in range(1, 8)
    ) + "</div>"  # fmt: skip
    assert len(trs.parse_index(page(body), BASE).entries) == 7


def test_the_lists_of_neighbour_columns_beside_the_columns_own_are_not_entries() -> None:
    def block(directory: str, first: int) -> str:
        items = "".join(
            f'<li><a href="{directory}202302/t202302{n:02d}_{first + n}.html">文件{first + n}</a>'
            f"<span>2023-02-{n:02d}</span></li>"
            for n in range(1, 15)
        )
        return f"<div class='box'><h3>栏目</h3><ul class='list'>{items}</ul></div>"

    body = block("/fbjd/xxgkml/zcwj/", 100) + block(BASE, 200) + block("/fbjd/xxgkml/zcjd/", 300)
    listing = trs.parse_index(page(f"<div class='main'>{body}</div>"), BASE)
    assert len(listing.entries) == 14
    assert all(entry.url.startswith(BASE) for entry in listing.entries)


def test_neighbour_lists_side_by_side_in_one_element_are_not_entries() -> None:
    def items(directory: str, first: int) -> str:
        return "".join(
            f'<li><a href="{directory}202303/t202303{n:02d}_{first + n}.html">文件{first + n}</a>'
            f"<span>2023-03-{n:02d}</span></li>"
            for n in range(1, 15)
        )

    tabs = "".join(
        f"<ul class='tab-list'>{items(directory, first)}</ul>"
        for directory, first in (
            ("/fbjd/xxgkml/zcwj/", 100),
            (BASE, 200),
            ("/fbjd/xxgkml/zcjd/", 300),
        )
    )
    listing = trs.parse_index(page(f"<div class='tabs'>{tabs}</div>"), BASE)
    assert len(listing.entries) == 14
    assert all(entry.url.startswith(BASE) for entry in listing.entries)


def test_a_list_cut_one_ul_per_row_keeps_its_cross_posted_row() -> None:
    rows_ = "".join(
        f'<ul><li><a href="{BASE if n != 3 else "/fbjd/xxgkml/zcwj/"}202303/t2023030{n}_{n}.html">'
        f"规章{n}</a></li></ul>"
        for n in range(1, 7)
    )
    listing = trs.parse_index(page(f"<div class='m-list'>{rows_}</div>"), BASE)
    assert len(listing.entries) == 6


def _tab(prefix: str, first: int, mixed: bool = False) -> str:
    return "<ul class='tab-list'>" + "".join(
        f'<li><a href="{BASE}{"sub9/" if mixed and n % 2 else prefix}202304/t202304{n:02d}_{first + n}.html">'
        f"文件{first + n}</a><span>2023-04-{n:02d}</span></li>"
        for n in range(1, 15)
    ) + "</ul>"  # fmt: skip


def test_the_lists_of_sub_columns_beside_the_columns_own_are_not_entries() -> None:
    tabs = _tab("", 100) + _tab("sub1/", 200) + _tab("sub2/", 300)
    listing = trs.parse_index(page(f"<div class='tabs'>{tabs}</div>"), BASE)
    assert len(listing.entries) == 14
    assert all("/sub" not in entry.url for entry in listing.entries)


def test_pieces_of_one_list_that_gathers_its_sub_columns_stay_whole() -> None:
    pieces = _tab("", 100, mixed=True) + _tab("sub1/", 200) + _tab("", 300, mixed=True)
    listing = trs.parse_index(page(f"<div class='list'>{pieces}</div>"), BASE)
    assert len(listing.entries) == 42
