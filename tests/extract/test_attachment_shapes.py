"""Attachments wherever the page prints them for the document, named as a reader sees them.

Pages written here, in our own wording, after the shapes templates use: download blocks after
the content, links written by a script, download buttons whose text names no file, icon links
with the name beside them, file paths in a query parameter, and the site's chrome, whose files
are not the document's.
"""

from __future__ import annotations

import pytest

from crawler.extract import extract_document

URL = "http://www.example.gov.cn/zwgk/202405/t20240520_2001.html"


def _page(after: str = "", inside: str = "", chrome: str = "") -> str:
    return (
        "<html><head><title>关于开展年度申报工作的通知</title></head><body>"
        f"<div class='header'><a href='/'>首页</a>{chrome}</div>"
        "<h1>关于开展年度申报工作的通知</h1>"
        "<div id='zoom'><p>各有关单位：</p><p>现将年度申报工作有关事项通知如下，请按时报送材料。</p>"
        f"{inside}</div>{after}"
        "<div class='footer'><p>示例市人民政府 版权所有</p></div></body></html>"
    )


def _names(markup: str) -> list[str | None]:
    return [a.name for a in extract_document(markup, URL).attachments]


def test_a_download_block_after_the_content() -> None:
    after = (
        "<div class='fj'><h5>相关附件：</h5><ul>"
        "<li><a href='/attach/2024/a1.docx'>申报表.docx</a></li>"
        "<li><a href='/attach/2024/a2.pdf'>申报指南.pdf</a></li></ul></div>"
    )
    assert _names(_page(after=after)) == ["申报表.docx", "申报指南.pdf"]


def test_links_written_by_a_script_with_escaped_slashes_and_icons() -> None:
    after = (
        '<script>var list = \'<li><a href=\\"\\/attach\\/2024\\/b1.xlsx\\">'
        '<img src=\\"\\/img\\/xls.png\\">汇总表.xlsx<\\/a><\\/li>\';'
        "document.write(list);</script>"
    )
    names = _names(_page(after=after))
    assert names == ["汇总表.xlsx"]


def test_a_download_button_takes_the_name_printed_beside_it() -> None:
    after = (
        "<ul class='files'><li><span>申报表.docx</span> <a href='/attach/c1.docx'>[下载]</a></li>"
        "<li>2. 承诺书.pdf <a href='/attach/c2.pdf'>点击下载</a></li></ul>"
    )
    assert _names(_page(after=after)) == ["申报表.docx", "承诺书.pdf"]


def test_a_table_row_names_the_file_of_its_download_cell() -> None:
    after = (
        "<table><tr><td>1</td><td>年度申报汇总表</td><td><a href='/attach/d1.xls'>下载</a></td></tr>"
        "</table>"
    )
    assert _names(_page(after=after)) == ["年度申报汇总表"]


def test_a_download_button_with_no_name_beside_it_takes_the_files_name() -> None:
    after = (
        "<div class='fujian'><a href='/uploadfile/2024/9f3e1a.pdf'>"
        "<img src='/img/pdf.png'><p>点击下载此文件</p></a></div>"
    )
    assert _names(_page(after=after)) == ["9f3e1a.pdf"]


def test_an_icon_alone_names_nothing() -> None:
    after = "<div><a href='/attach/e1.pdf' title='原件.pdf'><img src='/img/download.png'></a></div>"
    assert _names(_page(after=after)) == []


def test_an_icon_link_takes_the_name_printed_beside_it() -> None:
    inside = "<p>附件：<a href='/attach/f1.pdf'><img src='/img/pdf.png'></a>申报须知.pdf</p>"
    assert _names(_page(inside=inside)) == ["申报须知.pdf"]


@pytest.mark.parametrize(
    ("href", "kind"),
    [
        ("/api/document/file-download?fileUrl=/files/web1/attach/0/a9b8.doc", "doc"),
        ("/api/document/download?fileUrl=XyZ123&fileName=申报表.xls", "xls"),
        ("/module/download/downfile.jsp?classid=0&filename=c7d6.pdf", "pdf"),
        ("javascript:downloadFile('/upload/2024/g1.docx')", "docx"),
    ],
)
def test_a_file_named_in_the_query_or_a_script_link(href: str, kind: str) -> None:
    inside = f'<p>附件：<a href="{href}">申报材料清单</a></p>'
    attachments = extract_document(_page(inside=inside), URL).attachments
    assert [(a.name, a.type) for a in attachments] == [("申报材料清单", kind)]


def test_files_in_the_sites_chrome_are_not_the_documents() -> None:
    chrome = "<a href='/static/guide.pdf'>网站使用指南.pdf</a>"
    after = "<div class='side-bar'><a href='/static/app.zip'>客户端下载.zip</a></div>"
    markup = _page(after=after, chrome=chrome).replace(
        "版权所有</p>", "版权所有 <a href='/static/statement.pdf'>隐私声明.pdf</a></p>"
    )
    assert _names(markup) == []


def test_a_link_to_a_page_is_no_file() -> None:
    inside = (
        "<p>详见<a href='/zwgk/202405/t20240519_1999.html'>附表</a>及"
        "<a href='/zwgk/tj/index.html?name=附表二'>统计表</a>。</p>"
    )
    assert _names(_page(inside=inside)) == []


def test_a_download_link_set_straight_in_a_long_text_takes_the_name_on_its_line() -> None:
    inside = (
        "<p>二、请于本月底前报送材料。</p>示例市住房保障中心<br>2024年5月20日<br>"
        "<img src='/img/pdf.png'> 附件1：年度申报须知（试行）.pdf <a href='/attach/h1.pdf'>[下载]</a><br>"
    )
    assert _names(_page(inside=inside)) == ["年度申报须知（试行）.pdf"]


@pytest.mark.parametrize(
    ("beside", "expected"),
    [
        ("原文下载：关于开展年度申报工作的通知.pdf", "关于开展年度申报工作的通知.pdf"),
        ("附件：1.申报表.docx", "申报表.docx"),
        ("【申报表（样表）】", "申报表（样表）"),
    ],
)
def test_the_name_beside_a_button_without_its_label_or_number(beside: str, expected: str) -> None:
    after = f"<div class='files'><p>{beside} <a href='/attach/k1.pdf'>点击下载</a></p></div>"
    assert _names(_page(after=after)) == [expected]


def test_a_download_word_beside_a_button_is_no_name() -> None:
    after = "<div class='files'><p>附件下载 <a href='/attach/m1.pdf'>点击下载</a></p></div>"
    assert _names(_page(after=after)) == ["m1.pdf"]


def test_attachment_records_a_script_renders_into_links() -> None:
    after = (
        '<div id=\'attachments\'></div><script>window._CONFIG = {DETAIL: {"title":"关于开展年度'
        '申报工作的通知","attachment":[{"id":3,"name":"\\u7533\\u62a5\\u8868.docx",'
        '"url":"https:\\/\\/www.example.gov.cn\\/attachment\\/0\\/3\\/a3.docx"},'
        '{"id":4,"url":"\\/attachment\\/0\\/4\\/b4.pdf"}],"img":{"url":"\\/i\\/c.jpg"}}};'
        "</script>"
    )
    attachments = extract_document(_page(after=after), URL).attachments
    assert [(a.name, a.url) for a in attachments] == [
        ("申报表.docx", "https://www.example.gov.cn/attachment/0/3/a3.docx"),
        ("b4.pdf", "http://www.example.gov.cn/attachment/0/4/b4.pdf"),
    ]
