"""Shapes met on portals the development set has not seen (issue 23, round 2), each written
here in our own words after the shape of a real page."""

from __future__ import annotations

from crawler.extract import extract_document

URL = "http://www.example.gov.cn/art/2024/1/1/art_1_1.html"


def _doc(html: str):  # type: ignore[no-untyped-def]
    return extract_document(html.encode("utf-8"), URL)


def test_a_header_line_value_ends_at_a_label_nobody_knows() -> None:
    # `来源：… 阅读：次 字体大小：[大] [中] [小]`: 阅读 and 字体大小 are no labels we read, yet
    # they are labels, and the source's value ends before them.
    doc = _doc(
        "<html><head><title>某县人大网</title></head><body>"
        "<h1>对县十届人大一次会议第5号建议的答复(交通局)</h1>"
        "<div class='info'>发布日期:2019-06-18 0:0 &nbsp; 作者:xk &nbsp; 来源:县人大办公室"
        " &nbsp; 阅读:次 &nbsp; 字体大小:[大] [中] [小]</div>"
        "<div class='content'><p>张三代表：</p><p>您提出的关于修缮村道的建议收悉。现答复如下：</p>"
        "<p>村道修缮已列入明年计划，谢谢您的关心。</p></div></body></html>"
    )
    assert doc.source == "县人大办公室"
    assert doc.published_at == "2019-06-18"
    assert doc.reply is not None and doc.reply.lead_agency == "交通局"


def test_a_time_after_a_date_is_no_label() -> None:
    doc = _doc(
        "<html><body><h1>关于做好春季防火工作的通知</h1>"
        "<div>来源：某某局 发布时间：2021-03-01 10:30 点击：12</div>"
        "<div class='content'><p>各单位：</p><p>为做好春季防火工作，现将有关事项通知如下。</p>"
        "</div></body></html>"
    )
    assert doc.source == "某某局"
    assert doc.published_at == "2021-03-01T10:30:00+08:00"


def test_a_short_site_name_in_title_is_no_guide_to_the_printed_title() -> None:
    # <title> holds only the site's short name (某市政协): the title printed above the text is
    # the document's, though it does not agree with <title>.
    doc = _doc(
        "<html><head><title>某市政协</title></head><body>"
        "<div class='weizhi'>当前位置：<a href='/'>首页</a> &gt; 通知公告 &gt; 正文</div>"
        "<div class='tit'>关于公开征集市政协年度提案线索的启事</div>"
        "<div class='info'>发布时间: 2021年09月30日</div>"
        "<div class='con'><p>为拓宽收集渠道，市政协决定即日起面向社会公开征集提案线索。</p>"
        "<p>感谢您对提案工作的支持！</p></div></body></html>"
    )
    assert doc.title == "关于公开征集市政协年度提案线索的启事"
    assert doc.kind == "other"  # a call for proposals answers nobody


def test_a_site_named_by_its_body_is_a_name() -> None:
    doc = _doc(
        "<html><head><title>某县人大</title></head><body>"
        "<div class='title'>关于召开常委会会议的通知</div>"
        "<div class='article-content'><p>各位委员：</p><p>经研究，定于下周召开常委会会议，请准时出席。</p>"
        "</div></body></html>"
    )
    assert doc.title == "关于召开常委会会议的通知"
