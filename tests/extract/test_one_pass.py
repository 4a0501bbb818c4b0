"""The page read once: what the scan finds, the walks that use it, and the parse itself."""

from __future__ import annotations

from parsel import Selector

from crawler.extract import extract_document
from crawler.extract.body import find_body, only_links
from crawler.extract.meta import find_attachments
from crawler.extract.page import cells, hidden_elements, parse_html, render_text, scan

PAGE = """<html><head><title>t</title></head><body class="page">
<div id="nav" class="menu"><a href="/a.html">首页</a></div>
<div style="DISPLAY : None">隐藏的发布日期：2020-01-01</div>
<p hidden>也隐藏</p>
<div class="TRS_Editor"><p>正文第一段，说明办理情况。</p><a href="/files/a.pdf">附件一</a></div>
<script>var x = 1;</script>
</body></html>"""


def test_scan_finds_hidden_names_and_links_in_page_order() -> None:
    root = parse_html(PAGE)
    found = scan(root)
    assert sorted(el.tag for el in found.hidden) == ["div", "p"]
    assert [el.text for el in found.hidden if el.tag == "div"] == ["隐藏的发布日期：2020-01-01"]
    # body carries a class but is never hidden; named elements keep their id and class
    assert [(el.tag, ident, classes) for el, ident, classes in found.named] == [
        ("body", "", "page"),
        ("div", "nav", "menu"),
        ("div", "", "TRS_Editor"),
    ]
    assert [(el.tag, href) for el, href in found.anchors] == [
        ("a", "/a.html"),
        ("a", "/files/a.pdf"),
        ("script", None),
    ]
    assert hidden_elements(root) == found.hidden


def test_body_and_html_are_never_hidden() -> None:
    root = parse_html('<html hidden><body style="display:none"><p>文字</p></body></html>')
    assert scan(root).hidden == frozenset()


def test_walks_skip_the_hidden_elements_the_scan_found() -> None:
    root = parse_html(PAGE)
    found = scan(root)
    body = find_body(root, found)
    assert [el.get("class") for el in body] == ["TRS_Editor"]
    text = "\n".join(cells(found, body).original)
    assert "隐藏" not in text
    assert render_text(body[0], found) == "正文第一段，说明办理情况。\n附件一"


def test_only_links_tells_link_text_from_words_outside_links() -> None:
    def body_of(html: str) -> list:  # type: ignore[type-arg]
        return [el for el in parse_html(html).iter("div")][:1]

    assert only_links(
        body_of('<div><a href="a.pdf">文件<b>一</b></a> <a href="b.pdf">二</a></div>')
    )
    # a word after a link (its tail) is no link text; one inside a link's child is
    assert not only_links(body_of('<div><a href="a.pdf">文件</a>说明</div>'))
    assert only_links(body_of('<div><a href="a.pdf"><span>文件</span>一</a></div>'))
    # script text is no word, but what follows a script is
    assert only_links(body_of('<div><script>var a="字";</script><a href="a.pdf">文件</a></div>'))
    assert not only_links(body_of("<div><script>var a;</script>正文</div>"))
    # a body that is itself inside a link: all its words are link text
    root = parse_html('<a href="x.pdf"><div>文件说明</div></a>')
    assert only_links(list(root.iter("div")))


def test_a_declared_charset_cannot_switch_the_parse() -> None:
    # The text is already decoded: a <meta charset> naming another encoding changes nothing.
    root = parse_html(
        '<html><head><meta charset="gbk"></head><body><p>政府信息公开</p></body></html>'
    )
    assert root.findtext(".//p") == "政府信息公开"
    legacy = '<meta http-equiv="Content-Type" content="text/html; charset=big5"><p>答覆</p>'
    assert parse_html(legacy).findtext(".//p") == "答覆"


def test_attachments_on_a_page_whose_links_name_no_file() -> None:
    page = Selector(
        root=parse_html('<body><a href="/a.html">说明</a><a href="/b?id=2">下载</a></body>')
    )
    assert find_attachments(page, "http://x.gov.cn/") == []
    # a script link with a file's path still counts
    page = Selector(
        root=parse_html(
            "<body><a href=\"javascript:down('/up/c.DOCX')\">申请表</a><a href='/d.html'>d</a></body>"
        )
    )
    assert [(a.url, a.name, a.type) for a in find_attachments(page, "http://x.gov.cn/")] == [
        ("http://x.gov.cn/up/c.DOCX", "申请表", "docx")
    ]


def test_extract_document_reads_a_page_in_its_steps() -> None:
    html = (
        "<html><head><title>关于开展试点工作的通知_某某局</title></head><body>"
        "<table><tr><td>索引号：</td><td>123/2024-001</td><td>发布机构：</td><td>某某局</td></tr>"
        "<tr><td>成文日期：</td><td>2024-03-01</td><td>发布日期：</td><td>2024-03-05</td></tr></table>"
        "<h1>关于开展试点工作的通知</h1>"
        '<div class="article-content"><p>各有关单位：</p><p>现将试点工作安排通知如下，请认真落实。</p>'
        '<p><a href="/f/plan.pdf">试点方案</a></p></div></body></html>'
    )
    doc = extract_document(html.encode("utf-8"), "http://x.gov.cn/a/1.html")
    assert doc.title == "关于开展试点工作的通知"
    assert (doc.index_no, doc.publisher) == ("123/2024-001", "某某局")
    assert (doc.written_date, doc.published_at) == ("2024-03-01", "2024-03-05")
    assert doc.addressee == "各有关单位"
    assert doc.body_text is not None and doc.body_text.startswith("各有关单位：")
    assert [a.name for a in doc.attachments] == ["试点方案"]
    assert doc.warnings == []


WALKED = """<html><head><title>t</title><script>var a = "<p>不是文字</p>";</script></head><body>
<ul class="menu"><li><a href="/1">首页</a></li><li><a href="/2">政务公开</a></li></ul>尾一
<div id="main"><p>第一段，正文。</p><ul><li><a href="/x.html">相关文件</a></li></ul>尾二</div>
<div id="off" style="display:none"><p>隐藏的正文。</p><span>也隐藏</span></div>
<p>前<span id="inline">行内<b>文字</b><!-- 注释 -->注释后</span>后</p>
<table><tr><td id="empty"></td><td>值</td></tr></table><font><ul><li><a href="/3">链</a></li></ul></font>
</body></html>"""


def test_an_element_read_from_the_page_walk_reads_as_a_walk_from_it() -> None:
    # The body's and the headings' text is cut out of the page's one walk; where that walk
    # passed over what a walk from the element reads (a link list, a hidden element itself),
    # the element is walked afresh: either way the text is the same.
    root = parse_html(WALKED)
    page = scan(root)
    assert len(page.lists) == 3  # the menu, the list inside `main`, the one in `font`: passed over
    for el in root.iter():
        if isinstance(el.tag, str):
            assert render_text(el, page) == render_text(el), el.tag
    main = root.find(".//div[@id='main']")
    assert render_text(main, page) == "第一段，正文。\n相关文件\n尾二"


def test_the_cells_mark_the_body_once_and_never_inside_a_passed_over_list() -> None:
    root = parse_html(WALKED)
    page = scan(root)
    main = root.find(".//div[@id='main']")
    inside = main.find("p")
    found = cells(page, [main, inside])  # a body element inside another: one mark
    assert found.original[found.body_at - 1 : found.body_at + 1] == ["尾一", "前 行内文字注释后 后"]
    assert not {"第一段，正文。", "尾二", "首页"} & set(found.original)
    in_menu = root.find(".//ul[@class='menu']/li")
    assert cells(page, [in_menu]).body_at is None  # the menu was passed over, the body with it
    # an inline wrapper of a list and the list share their span: the wrapper is the outer one
    font = root.find(".//font")
    assert cells(page, [font.find("ul"), font]).original[-1:] == ["值"]


def test_utf8_bytes_are_parsed_as_they_stand_unless_the_text_must_change() -> None:
    text = "<html><body><p>政府信息公开</p></body></html>"
    assert parse_html(text, text.encode()).findtext(".//p") == "政府信息公开"
    # a NUL or an XML declaration is taken out of the text first: the bytes are not used
    odd = '<?xml version="1.0" encoding="gbk"?><p>公\x00开</p>'
    assert parse_html(odd, odd.encode()).findtext(".//p") == "公开"


def test_the_markup_s_indentation_makes_no_cells() -> None:
    flat = "<table><tr><td>索引号：</td><td>123/2024-001</td></tr></table><p>发布机构：某局</p>"
    indented = (
        flat.replace("<tr>", "\n  <tr>\n\t")
        .replace("<td>", "\n    <td>")
        .replace("<p>", "\n\u3000<p>")
    )
    read = [cells(scan(parse_html(html))) for html in (flat, indented)]
    assert read[0] == read[1]
    assert read[0].original == ["索引号：", "123/2024-001", "发布机构：某局"]
