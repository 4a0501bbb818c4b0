"""The body of pages laid out in ways the known containers do not cover.

Each page is written here, in our own wording, after a shape real templates use: short notices
in an unknown container, paragraphs nested in an editor's wrappers, a known container left
empty, text hidden until a script shows it, a header line or a metadata table at the top of the
content area, a title known only from `<title>` and repeated above the text.
"""

from __future__ import annotations

import pytest

from crawler.extract import extract_document
from crawler.extract.body import find_body
from crawler.extract.page import parse_html
from crawler.extract.title import is_name

URL = "http://www.example.gov.cn/xxgk/2024/06/01/1001.html"
CHROME_TOP = (
    "<div class='header'><a href='/'>首页</a><a href='/zw/'>政务公开</a>"
    "<a href='/fw/'>政务服务</a><a href='/hd/'>互动交流</a></div>"
)
CHROME_BOTTOM = (
    "<div class='footer'><p>主办：示例市人民政府办公室 地址：示例路1号 电话：0000-1234567</p>"
    "<p>网站标识码：0000000001 备案号：示ICP备00000001号</p></div>"
)
SHORT = (
    "<p>各科室：</p><p>端午节放假一天，调休另行通知。</p><p>请各科室做好值班安排。</p>"
    "<p>示例市档案馆办公室</p><p>2024年6月1日</p>"
)


def _page(content: str, title: str = "关于端午节放假安排的通知", head: str | None = None) -> str:
    return (
        f"<html><head><title>{head or title}</title></head><body>{CHROME_TOP}"
        f"<div class='main'><h1>{title}</h1>"
        "<div class='info'>发布时间：2024-06-01 信息来源：示例市档案馆</div>"
        f"{content}</div>{CHROME_BOTTOM}</body></html>"
    )


@pytest.mark.parametrize(
    "container",
    ["<div class='article'>{}</div>", "<div class='con'>{}</div>", "<section>{}</section>", "{}"],
)
def test_a_short_notice_in_an_unknown_container_keeps_its_body(container: str) -> None:
    document = extract_document(_page(container.format(SHORT)), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各科室：\n端午节放假一天")
    assert "网站标识码" not in document.body_text
    assert document.addressee == "各科室"


def test_paragraphs_deep_in_an_editors_wrappers_come_out_together() -> None:
    wrap = "<section><section><section><p>{}</p></section></section></section>"
    paragraphs = [
        "近期，不少市民来电咨询住房公积金贷款的优惠政策，现将有关政策介绍如下。",
        "一是符合条件的多子女家庭，贷款最高额度在现行标准的基础上适当上浮。",
        "二是新参加工作的青年人首次缴存满一定期限的，可以按规定申请贷款。",
        "三是引进的高层次人才购买首套自住住房的，贷款额度可以适当提高。",
    ]
    content = "<div class='text'>" + "".join(wrap.format(p) for p in paragraphs) + "</div>"
    document = extract_document(_page(content, "住房公积金贷款优惠政策问答"), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("近期，不少市民来电咨询")
    assert "三是引进的高层次人才" in document.body_text


def test_a_heading_with_commas_is_no_body() -> None:
    # An attachment-only page: the only commas on the page are in its heading.
    content = "<div class='attach'><a href='/files/a.pdf'>申报材料.pdf</a></div>"
    title = "关于组织申报二〇二四年度人才住房补贴、生活补助、创业贷款贴息等事项的公告"
    document = extract_document(_page(content, title), URL)
    assert document.body_text is None


def test_an_empty_known_container_is_passed_over() -> None:
    content = f"<div id='zoom'></div><div class='wz'>{SHORT}</div>"
    root = parse_html(_page(content))
    assert [el.get("id") for el in find_body(root)] != ["zoom"]
    document = extract_document(_page(content), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各科室：")


def test_a_text_hidden_until_a_script_shows_it_is_the_body() -> None:
    long_text = (
        "<p>各有关单位：</p><p>为进一步规范住房公积金归集管理工作，经研究决定，自即日起调整缴存基数，"
        "请各单位按照通知要求及时办理。</p>"
    )
    content = f"<div id='wrap'><div style='display:none' id='src'>{long_text}</div></div>"
    document = extract_document(_page(content, "关于调整住房公积金缴存基数的通知"), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各有关单位：")


def test_a_header_line_at_the_top_of_the_content_area_is_not_the_body() -> None:
    content = (
        "<div id='zoom'><p>发布日期：2024-06-01 10:00 信息来源：示例市档案馆</p>"
        "<p>为方便群众办事，现将端午节期间档案查阅服务安排公告如下，请相互转告。</p></div>"
    )
    document = extract_document(_page(content), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("为方便群众办事")


def test_a_metadata_table_without_colons_at_the_top_of_the_body_is_read_and_skipped() -> None:
    # Scoring picks the box that holds the table and the text; the table's cells are lines.
    content = (
        "<div class='box'><table><tr><td>索引号</td><td>000000001/2024-00009</td>"
        "<td>发布机构</td><td>示例市档案馆</td></tr><tr><td>成文日期</td><td>2024-05-30</td>"
        "<td>文号</td><td>示档〔2024〕9号</td></tr></table>"
        "<p>为做好档案开放工作，现将有关事项通知如下，请各单位结合实际认真执行。</p>"
        "<p>一、开放范围为形成满二十五年的档案，经鉴定可以向社会开放。</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.index_no == "000000001/2024-00009"
    assert document.publisher == "示例市档案馆"
    assert document.written_date == "2024-05-30"
    assert document.doc_no == "示档〔2024〕9号"
    assert document.body_text is not None
    assert document.body_text.startswith("为做好档案开放工作")


def test_a_title_known_only_from_the_head_is_skipped_at_the_top_of_the_body() -> None:
    markup = (
        "<html><head><title>示例市档案馆开放档案目录公告_示例市公共资源网</title></head><body>"
        f"{CHROME_TOP}<div class='content'><p>示例市档案馆开放档案目录公告</p>"
        "<p>根据档案法的有关规定，经开放鉴定，现将第一批开放档案目录公告如下，欢迎查阅。</p>"
        "<p>查阅地点为示例市档案馆查阅大厅，查阅时请携带有效身份证件。</p></div>"
        f"{CHROME_BOTTOM}</body></html>"
    )
    document = extract_document(markup, URL)
    assert document.title == "示例市档案馆开放档案目录公告"
    assert document.body_text is not None
    assert document.body_text.startswith("根据档案法的有关规定")


def test_a_metadata_block_with_a_summary_line_at_the_top_of_the_body() -> None:
    # The 内容概述 line has a sentence's punctuation, yet it is one of the block's lines.
    content = (
        "<div class='box'><p>索引号：000000001/2024-00011</p>"
        "<p>内容概述：为做好开放工作，明确开放范围和程序。</p>"
        "<p>发布机构：示例市档案馆</p><p>成文日期：2024-05-28</p>"
        "<p>各区档案馆：</p><p>为做好档案开放工作，现将有关事项通知如下，请认真执行。</p>"
        "<p>一、开放范围为形成满二十五年的档案，经鉴定可以向社会开放。</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.publisher == "示例市档案馆"
    assert document.written_date == "2024-05-28"
    assert document.addressee == "各区档案馆"
    assert document.body_text is not None
    assert document.body_text.startswith("各区档案馆：")


def test_a_disclosure_table_printed_below_the_text_is_read_and_cut() -> None:
    content = (
        "<div class='box'><p>各区档案馆：</p>"
        "<p>为做好档案开放工作，现将有关事项通知如下，请认真执行。</p>"
        "<p>一、开放范围为形成满二十五年的档案，经鉴定可以向社会开放。</p>"
        "<p>示例市档案馆</p><p>2024年5月28日</p>"
        "<table><tr><td>索引号：</td><td>000000001/2024-00012</td></tr>"
        "<tr><td>发布机构：</td><td>示例市档案馆</td></tr>"
        "<tr><td>成文日期：</td><td>2024-05-28</td></tr>"
        "<tr><td>文号：</td><td>示档〔2024〕12号</td></tr></table></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.index_no == "000000001/2024-00012"
    assert document.doc_no == "示档〔2024〕12号"
    assert document.body_text is not None
    assert document.body_text.endswith("2024年5月28日")


def test_a_contact_block_below_the_text_stays_in_it() -> None:
    content = (
        "<div class='box'><p>各区档案馆：</p>"
        "<p>为做好档案开放工作，现将有关事项通知如下，请认真执行。</p>"
        "<p>联系人：王某</p><p>联系电话：0000-1234567</p><p>来源：示例市档案馆</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.body_text is not None
    assert document.body_text.endswith("来源：示例市档案馆")


def test_a_footer_without_class_names_is_no_body() -> None:
    # No id or class anywhere: the footer's sentence about browsers is the longest prose.
    markup = (
        "<html><head><title>关于公布第二批名单的通知</title></head><body>"
        "<div><a href='/'>首页</a><a href='/zw/'>政务公开</a></div>"
        "<h1>关于公布第二批名单的通知</h1><div><p>现将第二批名单予以公布。</p></div>"
        "<div><p><span>主办单位：示例市人民政府办公室</span><span>网站标识码：0000000001</span></p>"
        "<p>为确保最佳浏览效果，建议您使用以下浏览器版本：某浏览器9.0版本及以上；"
        "另一浏览器63版本及以上，且内核9.0及以上。</p></div></body></html>"
    )
    document = extract_document(markup, URL)
    assert document.body_text is not None
    assert document.body_text.startswith("现将第二批名单予以公布")
    assert "浏览器" not in document.body_text


def test_an_attachment_only_page_without_class_names_has_no_body() -> None:
    markup = (
        "<html><head><title>关于公布第二批名单的通知</title></head><body>"
        "<h1>关于公布第二批名单的通知</h1><div><a href='/files/list2.pdf'>第二批名单.pdf</a></div>"
        "<div><p>主办：示例市人民政府办公室 地址：示例路1号，邮编：000000，电话：0000-1234567</p>"
        "<p>版权所有：示例市人民政府，未经许可不得复制、转载或镜像本站内容。</p></div></body></html>"
    )
    document = extract_document(markup, URL)
    assert document.body_text is None
    assert document.addressee is None


@pytest.mark.parametrize("bullet", ["", "· "])
def test_a_metadata_block_with_broken_labels_at_the_top_of_the_body(bullet: str) -> None:
    content = (
        f"<div class='box'><p>{bullet}索引号：000000001/2024-00014</p>"
        f"<p>{bullet}发布</p><p>机构：示例市档案馆</p><p>{bullet}成文</p><p>日期：2024-05-28</p>"
        "<p>各区档案馆：</p><p>为做好档案开放工作，现将有关事项通知如下，请认真执行。</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.publisher == "示例市档案馆"
    assert document.written_date == "2024-05-28"
    assert document.addressee == "各区档案馆"
    assert document.body_text is not None
    assert document.body_text.startswith("各区档案馆：")


@pytest.mark.parametrize(
    "box",
    [
        "<div class='right'><h3>温馨提示</h3><p>本网站信息仅供参考，如有疑问，请拨打咨询电话或到服务大厅"
        "现场咨询，谢谢您的理解和支持。</p></div>",
        "<div class='box2'><p>示例市档案馆是市政府直属的文化事业机构，负责全市档案的收集、整理、保管"
        "和利用工作。</p></div>",
    ],
)
def test_a_short_notice_beats_a_box_of_prose_beside_it(box: str) -> None:
    markup = (
        "<html><head><title>关于端午节放假安排的通知</title></head><body>"
        f"{CHROME_TOP}<div class='wrap'><div class='left'><h1>关于端午节放假安排的通知</h1>"
        f"<div class='article'>{SHORT}</div></div>{box}</div></body></html>"
    )
    document = extract_document(markup, URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各科室：")


@pytest.mark.parametrize("registration", ["", "SLDR-2024-0011"])
def test_a_row_of_labels_over_its_values_keeps_each_value_under_its_label(
    registration: str,
) -> None:
    # A row of labels over a row of values at the top of the body: read, and skipped. One value
    # may be empty (统一登记号 is left blank on many portals): the values after it stay in
    # their columns.
    labels = ["索引号", "统一登记号", "发布机构", "文号", "成文日期"]
    values = [
        "000000001/2024-00011",
        registration,
        "示例市档案馆",
        "示档〔2024〕11号",
        "2024-05-29",
    ]
    content = (
        "<div class='box'><table><tr>"
        + "".join(f"<th>{label}</th>" for label in labels)
        + "</tr><tr>"
        + "".join(f"<td>{value}</td>" for value in values)
        + "</tr></table><p>为做好档案开放工作，现将有关事项通知如下，请各单位结合实际认真执行。</p>"
        "<p>一、开放范围为形成满二十五年的档案，经鉴定可以向社会开放。</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.index_no == "000000001/2024-00011"
    assert document.publisher == "示例市档案馆"
    assert document.doc_no == "示档〔2024〕11号"
    assert document.written_date == "2024-05-29"
    assert document.body_text is not None
    assert document.body_text.startswith("为做好档案开放工作")
    assert "\ue000" not in document.body_text


RECORD = (
    "<p>事　由：关于在示例镇增设公交站点的建议</p><p>提 案 人：王某某 等 代表</p>"
    "<p>承办单位：示例区交通运输局、示例镇人民政府</p><p>代表反馈：满意</p>"
    "<p>办理情况{gap}：{answer}</p><p>二是优化线路，把沿线村居纳入公交覆盖范围，方便群众出行。</p>"
)
ANSWER = "经实地调查，示例镇现有公交站点间距较大，我局已会同公交公司在镇区增设两个站点。"


@pytest.mark.parametrize("gap", ["", " ", "\u3000"])
def test_a_reply_records_answer_is_its_body_and_its_facts_are_fields(gap: str) -> None:
    content = "<div class='box'>" + RECORD.format(gap=gap, answer=ANSWER) + "</div>"
    document = extract_document(_page(content, "关于在示例镇增设公交站点的建议"), URL)
    assert document.kind == "reply"
    assert document.body_text is not None
    assert document.body_text.startswith(ANSWER)
    assert "二是优化线路" in document.body_text
    assert document.reply is not None
    assert document.reply.proposal_title == "关于在示例镇增设公交站点的建议"
    assert document.reply.lead_agency == "示例区交通运输局"


def test_a_reply_record_with_its_answer_under_the_label_keeps_the_answer() -> None:
    # The answer in the next cell, below its label.
    content = "<div class='box'>" + RECORD.format(gap="", answer="</p><p>" + ANSWER) + "</div>"
    document = extract_document(_page(content, "关于在示例镇增设公交站点的建议"), URL)
    assert document.kind == "reply"
    assert document.body_text is not None
    assert document.body_text.startswith(ANSWER)


def test_a_record_then_the_reply_letter_has_the_letters_title_and_salutation() -> None:
    # A suggestion's record (its content a paragraph of prose), then the letter that answers it.
    lines = [
        "建议号：36号",
        "提案人：李某某",
        "内 容：",
        "示例镇中心小学学生逐年增多，校舍面积远远达不到标准，建议县人民政府给予立项解决，尽快新建教学楼。",
        "承办单位：县教育局",
        "办理情况",
        "示例县教育局关于县十六届人大三次会议第36号建议的答复函",
        "李某某代表：",
        "你提出的关于示例镇中心小学新建教学楼的建议收悉，现答复如下：",
        "我局已将新建教学楼项目列入明年计划，正在开展前期工作。",
    ]
    markup = "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"
    document = extract_document(markup, URL)
    assert document.title == "示例县教育局关于县十六届人大三次会议第36号建议的答复函"
    assert document.addressee == "李某某代表"
    assert document.kind == "reply"
    assert document.reply is not None
    assert document.reply.lead_agency == "示例县教育局"
    assert document.body_text is not None
    assert document.body_text.startswith("李某某代表：")


def test_a_line_that_only_mentions_handling_is_no_record() -> None:
    # 办理情况 in prose, with no proposer's label above it: the text starts where it did.
    content = (
        "<div class='box'><p>各单位：</p><p>现将2023年度建议提案办理情况：通报如下，请各单位认真总结。</p>"
        "<p>一、总体情况。全年共承办建议提案一百件，均已按期办结。</p></div>"
    )
    document = extract_document(_page(content, "关于2023年度建议提案办理情况的通报"), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各单位：")


def test_a_letter_naming_its_proposer_above_keeps_its_salutation() -> None:
    # The header names the proposer; the letter has a 办理情况 paragraph of its own.
    content = (
        "<div class='box'><p>提案人：王某某</p><p>王某某委员：</p>"
        "<p>您提出的关于在示例镇增设公交站点的提案收悉，现答复如下：</p>"
        "<p>办理情况：我局已会同公交公司在镇区增设两个站点，方便群众出行。</p>"
        "<p>示例区交通运输局</p><p>2024年6月1日</p></div>"
    )
    document = extract_document(_page(content, "关于在示例镇增设公交站点的提案的答复"), URL)
    assert document.addressee == "王某某委员"
    assert document.body_text is not None
    assert document.body_text.startswith("王某某委员：")


def test_two_empty_labels_above_a_salutation_are_no_row_of_labels() -> None:
    content = (
        "<div class='box'><p>发布机构：</p><p>成文日期：</p><p>各区县档案馆：</p>"
        "<p>关于做好档案开放工作的通知</p>"
        "<p>为做好档案开放工作，现将有关事项通知如下，请各单位结合实际认真执行。</p></div>"
    )
    document = extract_document(_page(content, "关于做好档案开放工作的通知"), URL)
    assert document.publisher is None
    assert document.addressee == "各区县档案馆"


def _bare_page(content: str, title: str) -> str:
    # No header line outside the content: what the text's top says is all there is.
    return (
        f"<html><head><title>{title}</title></head><body>{CHROME_TOP}"
        f"<div class='main'><h1>{title}</h1>{content}</div>{CHROME_BOTTOM}</body></html>"
    )


# The first paragraph of a content area's text, under what may open the area above it.
TEXT = "7月6日，示例乡组织志愿者走村入户发放宣传手册，提醒群众注意防范溺水风险。"


@pytest.mark.parametrize(
    ("top", "published"),
    [
        # One labelled line alone; a byline that opens with the date; a bare 日期 with a date.
        (["发布时间： 2024-06-03 09:15:00"], "2024-06-03T09:15:00+08:00"),
        (["2021-07-07 11:02 作者：示例乡"], "2021-07-07T11:02:00+08:00"),
        (["日期：2025-07-14"], "2025-07-14"),
        (["日期:2020-05-28 字体:【"], "2020-05-28"),
        # The issuing unit's name, alone or with the date (…办 too).
        (["示例区统计局"], None),
        (["示例区统计局 2024/3/26"], "2024-03-26"),
        (["示例省政务公开办  2024/3/26"], "2024-03-26"),
        # A reader's toolbar, a share box, an image's file name printed where the image failed.
        (["发布日期：2024-06-03 来源：示例市政府办公室", "字体大小: 打印"], "2024-06-03"),
        (["发布日期：2024-06-03", "【字体：大 中 小】【打印】【关闭】"], "2024-06-03"),
        (["发布日期：2024-06-03", "【大】【中】【小】"], "2024-06-03"),
        (["发布日期：2024-06-03", "分享"], "2024-06-03"),
        (["发布日期：2024-06-03", "用微信扫描二维码", "分享至好友和朋友圈", "×"], "2024-06-03"),
        (["发布日期：2024-06-03", "10203897864724210707.jpg"], "2024-06-03"),
    ],
)  # fmt: skip
def test_what_opens_a_content_area_above_its_text_is_no_text(
    top: list[str], published: str | None
) -> None:
    content = "<div class='box'>" + "".join(f"<p>{line}</p>" for line in [*top, TEXT]) + "</div>"
    document = extract_document(_bare_page(content, "示例乡开展夏季防溺水宣传"), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("7月6日")
    assert document.published_at == published


def test_a_meetings_time_atop_the_text_stays_text() -> None:
    content = (
        "<div class='box'><p>时间：2024年6月5日上午9时</p><p>地点：示例市档案馆三楼会议室</p>"
        "<p>请各单位安排一名负责同志参加会议，并于会前报送参会名单，谢谢配合。</p></div>"
    )
    document = extract_document(_bare_page(content, "关于召开档案工作会议的通知"), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("时间：2024年6月5日")


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        # The beginning on lines of its own above the end.
        (["示例市人民政府关于印发", "示例市加强质量体系建设", "三年行动方案的通知"],
         "示例市人民政府关于印发示例市加强质量体系建设三年行动方案的通知"),
        # The end on the line below a beginning broken inside a quotation.
        (["示例省人民政府关于命名“示例省", "美丽县城”的通知"], "示例省人民政府关于命名“示例省美丽县城”的通知"),
        (["示例省人民政府关于示例工业园区等3家", "工业园区更名的通知"],
         "示例省人民政府关于示例工业园区等3家工业园区更名的通知"),
    ],
)  # fmt: skip
def test_a_title_broken_over_lines_without_heading_markup_is_whole(
    lines: list[str], title: str
) -> None:
    text = [
        *lines,
        "示政发〔2024〕3号",
        "各县（市、区）人民政府：",
        "现将有关事项通知如下，请认真贯彻执行。",
    ]
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in text) + "</body></html>"
    assert extract_document(page, URL).title == title


def test_the_title_repeated_under_a_metadata_block_is_no_text() -> None:
    text = [
        "示例县人民政府工作规则", "索引号：000000000/2024-00105", "发布日期：2024-04-06",
        "示例县人民政府工作规则", "第一章 总则", "一、为规范县人民政府工作，提高行政效能，制定本规则。",
    ]  # fmt: skip
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in text) + "</body></html>"
    document = extract_document(page, URL)
    assert document.title == "示例县人民政府工作规则"
    assert document.published_at == "2024-04-06"
    assert document.body_text is not None
    assert document.body_text.startswith("第一章 总则")


def _lines(lines: list[str]) -> str:
    return "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"


def test_a_numbered_list_of_bracketed_labels_holds_no_title() -> None:
    title = "示例区人民政府关于印发《示例区人民政府工作规则》的通知"
    lines = ["1. [索引号]000000/ZK-2024-000019", "2. [主题分类] 工作方案", "3. [成文日期] 2024-04-02",
             title, "各街道办事处，区政府各委、办、局：", "现将《示例区人民政府工作规则》印发给你们，请认真贯彻执行。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title


def test_the_columns_name_above_the_title_it_is_part_of_is_no_title() -> None:
    title = "示例区数据局2025年政府信息公开工作年度报告"
    lines = ["信息公开工作年度报告", "当前位置：数据局 >> 政府信息公开 >> 信息公开工作年度报告", title,
             "发布时间：2026-01-26 14:41 来源：区数据局", "一、总体情况",
             "2025年，我局认真贯彻落实政府信息公开条例，持续推进政务公开工作。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title


@pytest.mark.parametrize(
    "top",
    [
        ["年度信息公开报告"],  # the column's name
        ["建议提案办理总体情况"],
        ["示例区人民政府 版权所有"],
        ["示例市交通运输局> 法定主动公开内容> 财政预算/决算>"],
    ],
)
def test_the_line_right_above_the_byline_is_the_title(top: list[str]) -> None:
    title = "示例市财政局2022年政府信息公开工作年度报告"
    lines = [*top, title, "来源：示例市财政局", "发布日期：2023-01-31 13:15:26", "一、总体情况",
             "2022年，我局认真贯彻落实政府信息公开条例，扎实推进政务公开工作。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.published_at == "2023-01-31T13:15:26+08:00"


@pytest.mark.parametrize("greeting", ["王某某代表", "张某、李某委员", "尊敬的刘某某代表"])
def test_a_greeting_without_a_colon_opens_the_reply(greeting: str) -> None:
    title = "关于对县政协十届五次会议第49号提案的答复"
    lines = [title, "发布时间：2024-01-05", greeting, "您提出的《关于更新农村学校图书的提案》收悉，现答复如下：",
             "一、我局已安排专项资金，分批更新农村学校图书。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == greeting
    assert document.body_text is not None
    assert document.body_text.startswith(greeting)


def test_a_line_ending_in_a_role_word_that_opens_no_letter_is_no_greeting() -> None:
    lines = ["示例县召开人大代表座谈会", "发布时间：2024-01-05", "听取人大代表",
             "1月4日，示例县召开人大代表座谈会，听取代表对政府工作的意见建议。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).addressee is None


def test_a_news_title_that_ends_like_a_bodys_name_is_still_the_title() -> None:
    title = "示例区召开2022年总河长会"
    lines = [
        title,
        "【字体：大 中 小】",
        "11月17日上午，示例区召开2022年总河长会，部署下一阶段河湖治理工作。",
    ]
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("11月17日上午")


@pytest.mark.parametrize(
    "addressees",
    ["各街道办事处、乡人民政府，区人民政府各部门，各有关单位", "镇政府、各街道办事处，区属各单位"],
)
def test_a_notices_addressees_without_a_colon_open_the_text(addressees: str) -> None:
    lines = ["示例区人民政府办公室关于印发年度目标任务分解方案的通知", "发布时间：2025-01-06 10:00", addressees,
             "《年度目标任务分解方案》已经区人民政府同意，现印发给你们，请认真贯彻执行。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == addressees
    assert document.body_text is not None
    assert document.body_text.startswith(addressees)


def test_a_title_named_by_a_label_in_the_text_is_skipped_where_the_text_repeats_it() -> None:
    title = "区人民政府办公室关于印发年度目标任务分解方案的通知"
    lines = ["文号 示政办〔2025〕1号 信息分类：综合政务", f"标 题 {title}", "发布时间：2025-01-06 10:00",
             "区人民政府办公室关于印发", "年度目标任务分解方案的通知",
             "为抓好年度目标任务落实，现将分解方案印发，请各单位认真贯彻执行。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("为抓好年度目标任务落实")


@pytest.mark.parametrize(
    "headline", ["示例市林业局：认真做好建议提案办理工作", "示例乡：入户宣传防溺水，筑牢安全防线"]
)
def test_a_headline_led_by_its_unit_and_a_colon_is_the_title_not_a_salutation(
    headline: str,
) -> None:
    lines = [
        headline,
        "发布时间：2018-06-15",
        "近日，示例单位召开专题会议，部署年度重点工作，要求各部门抓好落实。",
    ]
    document = extract_document(_lines(lines), URL)
    assert document.title == headline
    assert document.addressee is None
    assert document.published_at == "2018-06-15"


@pytest.mark.parametrize(
    "line",
    ["示例市交通运输局：你局《关于示例事项的请示》收悉。", "各有关单位：现将有关事项通知如下"],
)
def test_a_salutation_with_the_letter_on_its_line_stays_one(line: str) -> None:
    lines = [
        "关于示例事项的批复",
        "发布时间：2018-06-15",
        line,
        "一、同意你局所报方案，请认真组织实施。",
    ]
    assert extract_document(_lines(lines), URL).addressee == line.split("：")[0]


def test_a_title_listing_units_over_the_first_paragraph_is_no_addressee() -> None:
    title = "关于表彰2023年度先进集体、先进单位"
    lines = [title, "为表彰先进，经研究，决定对以下集体和单位予以表彰，希望受表彰者再接再厉。"]
    document = extract_document(_lines(lines), URL)
    assert document.addressee is None


@pytest.mark.parametrize(
    "furniture",
    [
        "• 扫一扫在手机打开当前页",
        "语音播报 | 图片解读 | H5解读 | 电子书",
        "2022年第7号",
        "（2026年第1号）",
        "示例市生态环境局公告2024年第3号",
        "朗读",
        "【文字大小:",
        "【浏览字体:",
        "有声朗读:",
        "加大字体 缩小字体 收藏 取消收藏 打印",
        "微博 空间 qq",
        "打开微信,点击底部的“发现”,",
    ],
)
def test_a_button_row_or_a_notices_number_atop_the_text_is_no_text(furniture: str) -> None:
    title = "示例市生态环境局关于发布建设项目目录的通告"
    lines = [title, "发布日期：2024-04-06 来源：示例市生态环境局", furniture,
             "为进一步优化营商环境，结合本市实际，现将建设项目目录予以发布。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("为进一步优化营商环境")


def test_a_row_of_two_words_between_bars_stays_text() -> None:
    lines = ["示例市生态环境局关于发布建设项目目录的通告", "发布日期：2024-04-06",
             "甲类 | 乙类", "为进一步优化营商环境，现将建设项目目录予以发布。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("甲类 | 乙类")


def test_the_deputies_who_lead_or_second_an_item_are_no_addressee() -> None:
    lines = ["领衔代表：王某某", "附议代表：李某、张某", "建议尽快完成河道清理，保持水面清洁。", "提案答复",
             "王某某等代表：", "你们提出的关于河道清洁的提案已收悉，现答复如下：",
             "我镇已联系相关部门对河道进行定期清理。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == "王某某等代表"
    assert document.body_text is not None
    assert document.body_text.startswith("王某某等代表：")


@pytest.mark.parametrize("unit", ["山海关区民政局", "于都县教育局"])
def test_a_units_name_holding_the_characters_of_about_heads_the_title_below(unit: str) -> None:
    lines = ["首页 / 政府信息公开 / 建议提案 / 正文", unit, "关于对政协第十届三次会议第52号提案的答复",
             "来源：区民政局 发布时间：2024-09-11 11:23", "马某、周某等委员：",
             "您提出的关于推进养老服务体系建设的提案收悉，现答复如下：", "我区共建设养老机构三家。"]  # fmt: skip
    assert (
        extract_document(_lines(lines), URL).title
        == f"{unit}关于对政协第十届三次会议第52号提案的答复"
    )


@pytest.mark.parametrize(("text", "named"), [("潼关县人民政府", True), ("于都县教育局", True),
                                              ("关于印发工作要点的通知", False)])  # fmt: skip
def test_a_units_name_may_hold_the_characters_of_about_but_not_the_word(
    text: str, named: bool
) -> None:
    assert is_name(text) is named


def test_a_title_broken_before_a_joining_word_is_joined() -> None:
    lines = ["示例县人民政府办公室", "关于认真做好2024年度市人大代表建议", "和政协提案办理工作的通知",
             "示政办发〔2024〕9号", "各有关单位：", "为做好今年的办理工作，现就有关事项通知如下。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == (
        "示例县人民政府办公室关于认真做好2024年度市人大代表建议和政协提案办理工作的通知"
    )


def test_a_table_copied_a_row_a_line_without_colons_is_read_and_is_no_text() -> None:
    lines = ["索 引 号 000000001/2026-00001 分 类 科技、教育/报告", "发布机构 示例区教育局 发文日期 2026-01-15",
             "标 题 示例区教育局2025年政府信息公开工作年度报告",
             "内容概述 本报告依据政府信息公开条例编制，总结我局一年来的政府信息公开工作。", "时 效 有效",
             "示例区教育局2025年政府信息公开工作年度报告", "一、总体情况",
             "本报告依据政府信息公开条例编制，总结我局一年来的政府信息公开工作。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.index_no == "000000001/2026-00001"
    assert document.publisher == "示例区教育局"
    assert document.written_date == "2026-01-15"
    assert document.category == "科技、教育/报告"
    assert document.body_text is not None
    assert document.body_text.startswith("一、总体情况")


def test_a_first_paragraph_opening_with_a_labels_word_stays_text() -> None:
    lines = ["示例市人民政府关于做好防汛工作的通知", "发布时间：2024-06-01", "各区人民政府：",
             "时间紧迫，汛期将至，现将有关事项通知如下。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == "各区人民政府"
    assert document.body_text is not None
    assert document.body_text.startswith("各区人民政府：\n时间紧迫")


def test_a_meetings_time_without_a_colon_under_a_byline_stays_text() -> None:
    lines = ["关于召开全市防汛工作会议的通知", "发布时间：2024-06-01", "时间 2024年6月3日（星期一）上午9:00",
             "地点 市政府第一会议室", "参会人员 各区分管负责同志",
             "请各区于6月2日前报送参会人员名单，会议期间不得请假，确保准时参会。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("时间 2024年6月3日")


@pytest.mark.parametrize(
    "byline",
    [
        "2024-01-23 16:45  稿件作者:   浏览量:- 【浏览字体: 】 分享到:",
        "2026-01-26 15:53 示例市人大常委会办公室",
        "2024年01月26日来源:示例区教育局",
        "2024-01-26 10:14 示例省人民政府网",
        "11152523011672048D/2024-00004  2024-01-26",
    ],
)
def test_a_byline_opening_with_its_date_then_any_labels_or_its_unit_is_no_text(
    byline: str,
) -> None:
    lines = ["首页 > 政务公开 > 年度报告", "示例区教育局2023年政府信息公开工作年度报告", byline,
             "一、总体情况", "2023年，我局认真贯彻落实政府信息公开条例，持续推进政务公开工作。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("一、总体情况")
    assert document.published_at is not None
    assert document.published_at[:4] in ("2024", "2026")


def test_a_paragraph_opening_with_a_date_stays_text() -> None:
    lines = ["示例区召开防汛工作会议", "发布时间：2024-06-02", "2024年6月1日，示例区召开防汛工作会议，部署今年的防汛工作。",
             "会议要求各街道落实责任，做好人员和物资准备。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("2024年6月1日，示例区召开")


def test_a_bare_date_over_the_font_size_buttons_is_the_publication() -> None:
    lines = ["首页 > 图片新闻", "示例县农业协作将重点开展良种行动", "日期: 2022-08-02", "字体:",
             "第五次农业龙头企业考察活动近日举行，双方签订了一批合作协议。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.published_at == "2022-08-02"
    assert document.body_text is not None
    assert document.body_text.startswith("第五次农业龙头企业")


def test_the_paragraph_under_a_print_button_is_text_not_the_buttons_value() -> None:
    lines = ["当前位置:首页 > 公告公示", "示例市人民政府办公室2020年政府信息公开工作年度报告",
             "2021-02-07 18:07     来源:示例市人民政府办公室", "打印",
             "根据政府信息公开条例，市政府办公室编制了本年度报告。报告全文包括总体情况等六部分。",
             "一、总体情况", "2020年，市政府办公室认真贯彻落实政府信息公开条例。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("根据政府信息公开条例")


def test_a_paragraph_opening_with_a_date_and_a_long_clause_before_its_colon_stays_text() -> None:
    lines = ["示例镇部署秸秆禁烧工作", "发布时间:2024-10-07 发布机构:示例镇人民政府",
             "2024年10月7日示例镇长部署秸秆禁烧工作:",
             "一、要落实责任。镇村干部务必把任务层层分解到人。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("2024年10月7日示例镇长")


@pytest.mark.parametrize(
    "time_line", ["时间:2023-11-07 08:53", "时间:2023-11-07 08:53来源:作者:点击:"]
)
def test_a_bare_time_line_over_a_members_greeting_is_the_publication(time_line: str) -> None:
    lines = ["对县政协第二次会议第025号提案的答复", time_line, "尊敬的王某某委员您好:",
             "您提出的关于老旧小区排水改造的提案收悉,现答复如下:",
             "该处道路狭窄,我局将结合明年计划统筹安排。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.published_at is not None
    assert document.published_at.startswith("2023-11-07")
    assert document.addressee == "尊敬的王某某委员您好"
    assert document.body_text is not None
    assert document.body_text.startswith("尊敬的王某某委员您好")


def test_a_byline_led_by_its_units_name_is_no_text() -> None:
    lines = ["首页 > 通知公告", "拟推荐创建示范村镇名单的公示", "示例省农业农村厅  时间: 2023-12-13 09:44  【字体:",
             "为发挥典型经验的示范引领作用,经各地推荐、审核,现将名单予以公示。",
             "公示期间如有异议,请与我厅联系。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.published_at == "2023-12-13T09:44:00+08:00"
    assert document.body_text is not None
    assert document.body_text.startswith("为发挥典型经验")


def test_a_paragraph_opening_with_a_units_name_and_a_date_stays_text() -> None:
    lines = ["示例区召开安全生产会议", "发布时间:2024-06-02",
             "示例区应急管理局 2024年6月1日召开全区安全生产工作会议,部署汛期安全工作。",
             "会议要求各街道落实责任。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("示例区应急管理局")


@pytest.mark.parametrize(
    "banner",
    [
        "尊敬的用户,您好!您的浏览器版本过低,请升级后浏览本站。",
        "社会主义核心价值观:富强、民主、文明、和谐。",
    ],
)
def test_a_banner_above_the_title_is_no_text(banner: str) -> None:
    title = "示例市人民政府办公厅关于印发行政执法公示制度的通知"
    page = (
        f"<html><head><title>{title}</title></head><body><p>{banner}</p><p>{title}</p>"
        "<p>信息来源:示例市人民政府办公厅 发布时间:2015-12-22 12:07 【字体:</p>"
        "<p>各县、区人民政府,市政府各部门:</p><p>现将行政执法公示制度印发给你们,请认真遵照执行。</p>"
        "<p>第一条 为规范行政执法行为,提高行政执法工作的透明度,制定本制度。</p></body></html>"
    )
    document = extract_document(page, URL)
    assert document.published_at == "2015-12-22T12:07:00+08:00"
    assert document.addressee == "各县、区人民政府,市政府各部门"


def test_a_short_text_ending_with_its_title_among_related_articles_keeps_its_start() -> None:
    title = "拟推荐示范村镇名单的公示"
    lines = [title, "发布时间:2023-12-13", "为发挥典型经验的示范引领作用,现将推荐名单予以公示。",
             "相关阅读", title, "32481666"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("为发挥典型经验")


def test_an_open_letter_to_the_people_of_a_town_has_its_addressee() -> None:
    lines = ["加强森林防火工作 确保森林资源安全", "发布时间:2024-02-01", "示例镇广大人民群众:",
             "你们好!当前正值森林防火紧要期,为切实保护森林资源,特向全镇人民发出如下倡议。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == "示例镇广大人民群众"


def test_a_title_printed_only_as_the_texts_first_line_is_the_title() -> None:
    # A metadata block, then the title alone on its line, then the text; no heading markup.
    title = "示例镇人民政府2023年政府信息公开工作年度报告"
    lines = ["您现在的位置:首页 > 信息公开年报", "索引号 000123/2024-000045 主题分类 政务公开",
             "发布机构 示例镇 生成日期 2024-01-20", title,
             "本报告依据《中华人民共和国政府信息公开条例》编制,数据统计期限为2023年全年。",
             "一、总体情况", "2023年,我镇坚持公开为常态、不公开为例外,公开质量持续提升。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("本报告依据")


@pytest.mark.parametrize(
    "first",
    [
        "一、总体情况",  # a section's heading: it ends with no kind of document
        "示例市住房公积金管理中心",  # a name
    ],
)
def test_a_first_line_that_reads_as_no_documents_title_is_no_title(first: str) -> None:
    lines = ["您现在的位置:首页 > 通知公告", "发布机构 示例局 生成日期 2024-01-20", first,
             "今年以来,我局各项工作稳步推进,重点任务均按计划完成。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title is None
    assert document.body_text is not None
    assert document.body_text.endswith("重点任务均按计划完成。")


def test_the_short_last_line_of_a_title_broken_over_lines_is_no_text() -> None:
    title = "示例区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
    lines = ["[ 索引号 ] 000107/2021-00020 [ 发布机构 ] 示例区发展改革委", title,
             "示例区国民经济和社会发展", "第十四个五年规划和二〇三五年远景目标", "纲要",
             "本纲要根据区委关于制定规划的建议编制,主要阐明全区发展的战略意图。",
             "第一篇 全面建成小康社会取得决定性成就"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("本纲要根据")


@pytest.mark.parametrize("label", ["访问量:", "关联导读:", "点击数:"])
def test_a_label_left_without_its_value_above_the_text_is_no_text(label: str) -> None:
    title = "示例区农业农村局2024年度政府信息公开工作年度报告"
    lines = [title, label, "根据《中华人民共和国政府信息公开条例》要求,现公布本局2024年度报告。",
             "一、总体情况", "2024年,我局认真落实政务公开各项要求。"]  # fmt: skip
    document = extract_document(_page("".join(f"<p>{line}</p>" for line in lines), title), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_a_salutation_is_no_label_left_without_its_value() -> None:
    title = "关于示例村道路硬化工程的批复"
    lines = [title, "镇建设办:", "你办《关于示例村道路硬化工程的请示》收悉,经研究,同意实施。"]
    document = extract_document(_page("".join(f"<p>{line}</p>" for line in lines), title), URL)
    assert document.addressee == "镇建设办"
    assert document.body_text is not None
    assert document.body_text.startswith("镇建设办:")


def test_the_title_printed_a_character_short_of_its_label_is_no_text() -> None:
    labelled = "示例市2023年政府信息公开工作年度报告"
    lines = ["索引号: 00825398-5/2024-00033 分类: 综合政务", f"名称: {labelled}",
             "发文日期: 2024年02月05日", "示例市2023政府信息公开工作年度报告",
             "本报告由总体情况、主动公开政府信息情况等部分组成,数据截至2023年12月31日。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == labelled
    assert document.body_text is not None
    assert document.body_text.startswith("本报告由总体情况")


def test_a_line_that_differs_from_the_title_by_more_than_a_few_characters_stays_text() -> None:
    labelled = "示例市2023年政府信息公开工作年度报告"
    lines = [f"名称: {labelled}", "发文日期: 2024年02月05日",
             "示例市2023年政务公开工作要点的落实",
             "本报告由总体情况、主动公开政府信息情况等部分组成,数据截至2023年12月31日。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("示例市2023年政务公开工作要点的落实")


@pytest.mark.parametrize(
    "title",
    [
        "示例市公积金贷款利率下调啦!",
        "2024年我市公积金缴存基数上下限是多少?",
        "缴存基数如何确定?缴存比例有何规定?",
    ],
)
def test_a_title_that_asks_or_exclaims_over_its_byline_is_the_title(title: str) -> None:
    lines = ["首页 > 常见问题", title, "来源:本网 发布时间: 2024-07-08 17:32",
             "根据有关规定,本年度缴存基数按上年度职工月平均工资确定,最高不超过规定上限。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.published_at == "2024-07-08T17:32:00+08:00"


def test_a_question_in_the_text_above_no_byline_is_no_title() -> None:
    lines = ["示例市住房公积金管理中心关于调整缴存基数的通知", "发布时间: 2024-07-08",
             "各缴存单位:", "如何确定今年的缴存基数?", "按上年度职工月平均工资确定,最高不超过规定上限。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == "示例市住房公积金管理中心关于调整缴存基数的通知"


@pytest.mark.parametrize(
    "heading", ["2022年政府信息公开工作年度报告", "关于2023年度预算执行情况的报告"]
)
def test_the_issuers_name_on_the_line_above_a_title_opens_it(heading: str) -> None:
    unit = "示例市自然资源和规划局"
    lines = ["索引号: 000000/2023-000120 发布时间: 2023-01-30", unit, heading,
             "根据《中华人民共和国政府信息公开条例》规定,现公布本局有关情况,请各方监督。",
             "一、总体情况", "本年度我局持续推进政务公开,各项工作有序开展。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == unit + heading


@pytest.mark.parametrize(
    "title",
    [
        "示例区交通运输局2023年度部门预算公开说明",
        "2020年度示例省卫生健康委员会部门决算",
        "示例镇人民政府(本级)2024年度决算公开说明",
        "示例市住房公积金中心2021年部门预算公开",
    ],
)
def test_a_budgets_or_final_accounts_disclosure_printed_atop_the_text_is_its_title(
    title: str,
) -> None:
    lines = ["您现在的位置:首页 > 预决算公开", "发布机构 示例局 生成日期 2024-05-20", title,
             "一、部门基本情况", "(一)职能职责",
             "根据有关规定,本部门主要负责全区交通运输行业管理工作,统筹公路、水路建设与运输服务。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("一、部门基本情况")


def test_a_name_with_a_year_is_a_title_and_a_columns_name_is_a_name() -> None:
    assert not is_name("示例市住房公积金中心2021年部门预算公开")
    assert is_name("部门预算公开")
    assert is_name("示例市住房公积金中心")


@pytest.mark.parametrize(
    "byline",
    [
        "文章作者:admin 文章来源:本站原创 责任编辑:admin 更新日期:2024年03月08日 浏览次数:",
        "作者:示例办 来源:示例办 时间:2024-03-08 浏览: 人次",
    ],
)
def test_a_byline_led_by_its_author_is_no_salutation(byline: str) -> None:
    title = "示例县人民政府办公室关于印发示例县防汛应急预案的通知"
    lines = [title, byline, "各乡、镇人民政府,县直各单位:",
             "《示例县防汛应急预案》已经县人民政府同意,现印发给你们,请认真贯彻执行。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == "各乡、镇人民政府,县直各单位"
    assert document.published_at is not None and document.published_at.startswith("2024-03-08")
    assert document.body_text is not None
    assert document.body_text.startswith("各乡、镇人民政府")


def test_a_reporters_byline_glued_to_the_text_is_no_salutation() -> None:
    lines = ["示例市召开公路养护工程设计评审会", "发布时间:2024-04-01",
             "(通讯员:张三 李四)为加快公路养护工程进度,3月29日,设计评审会在市公路中心召开。",
             "会议原则同意设计方案,要求各单位尽快完善设计文件。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).addressee is None


def test_a_date_in_brackets_under_a_plans_title_is_no_text() -> None:
    title = "示例县突发环境事件应急预案"
    lines = [title, "来源:示例县生态环境分局 阅读次数:120", "(2022年10月)",
             "为贯彻落实《中华人民共和国环境保护法》,有效应对突发环境事件,制定本预案。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("为贯彻落实")


@pytest.mark.parametrize("furniture", [["字号:", "保存"], ["主动公开", "朗读"]])
def test_a_save_button_and_a_disclosure_form_above_the_text_are_no_text(
    furniture: list[str],
) -> None:
    title = "示例市农业局2017年度政府信息公开年度报告"
    lines = [title, "发布时间:2018-01-08", *furniture,
             "根据《中华人民共和国政府信息公开条例》,特向社会公布本局2017年度报告。",
             "一、概述", "本年度我局持续推进政务公开。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_an_announcements_heading_over_its_number_is_no_text() -> None:
    lines = ["关于公布主要草种目录的公告", "发布时间:2021-08-12 15:42 来源:示例局",
             "示例局公告", "2021年第13号",
             "根据《中华人民共和国种子法》的规定,现将有关目录予以公布。", "特此公告。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国种子法》")


def test_a_heading_over_a_sentence_stays_text() -> None:
    # Only a number line below makes the line above it a heading.
    lines = ["示例局关于开展安全检查的通知", "发布时间:2021-08-12", "一、检查范围",
             "全市范围内的各类生产经营单位,重点是危险化学品企业。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("一、检查范围")


def test_no_salutation_is_read_below_a_table_of_contents() -> None:
    title = "2024年度示例区水务局部门决算公开"
    lines = [f"标题: {title}", "发布机构: 示例区水务局", "目 录", "第一部分 部门概况",
             "一、部门职责", "二、机构设置", "第二部分 部门决算表",
             "示例区水务局为区财政全额预算拨款的行政机关,下属二级预算单位:",
             "示例区水利工作站、示例区水土保持站。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee is None
    assert document.body_text is not None
    assert document.body_text.startswith("目 录")


def test_a_value_in_a_table_of_a_cell_a_line_is_no_title() -> None:
    title = "示例省民政厅办公室关于印发信息公开目录编制规则的通知"
    lines = ["示例州人民政府", title, "浏览:0 来源: 作者:", "索引号", "01527918X-2020-000001",
             "发文机构", "示例州民政局", "公开目录", "政府信息公开制度", "主题分类", "民政",
             "发文日期", "2020-10-10", "厅机关各处室,各直属单位:",
             "为确保主动公开信息的索引号编码与公文发文字号一致,现将修订后的规则印发给你们。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.addressee == "厅机关各处室,各直属单位"


def test_a_title_under_a_label_left_empty_is_still_the_title() -> None:
    title = "示例县人民政府工作规则"
    lines = ["索 引 号 010605548/2023-00027 发布机构", "文 号 〔〕号 有效性 有效", "公开日", title,
             "发布时间: 2021-09-18 浏览次数:",
             "为加强政府自身建设,使县政府工作制度化、规范化,制定本规则。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title


def test_the_market_players_addressed_are_the_addressee() -> None:
    lines = ["关于规范节日期间商品价格行为的提醒告诫函", "发布日期:2024-09-05 浏览次数: 浏览",
             "各市场经营主体:", "中秋节、国庆节将至,为维护节日期间市场价格秩序,现提醒如下。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).addressee == "各市场经营主体"


@pytest.mark.parametrize(
    "title",
    [
        "示例镇人民政府2023年部门决算汇总公开",
        "社会团体成立登记审批流程",
        "示例县民政局社会救助办事指南",
    ],
)
def test_a_title_printed_atop_the_text_under_a_table_of_rows_is_the_title(title: str) -> None:
    lines = ["索引号: | 000000/2023-00001 | 发布机构: | |", "发布日期: | 2023-11-24 | 所属主题: | 民政 |",
             title, "社会团体,是指中国公民自愿组成,为实现会员共同意愿,按照其章程开展活动的非营利性组织。",
             "一、办理依据", "《社会团体登记管理条例》第九条。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("社会团体,是指")


@pytest.mark.parametrize(
    "cut", ["示例镇2025年政府信息公开工作年度报", "示例镇2025年政府信息公开工…"]
)
def test_a_title_cut_short_above_its_byline_is_the_whole_title_below(cut: str) -> None:
    title = "示例镇2025年政府信息公开工作年度报告"
    lines = ["无障碍浏览", cut, "发布日期:2026-02-05 点击数:", title,
             "根据《中华人民共和国政府信息公开条例》要求,结合我镇工作实际,编制本报告。",
             "一、总体情况"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_a_title_line_below_of_other_words_stays_text() -> None:
    cut = "示例镇2025年政府信息公开工作"
    lines = [
        cut,
        "发布日期:2026-02-05",
        "示例镇2025年政府信息公开工作要点已经镇政府同意,现予印发。",
    ]
    document = extract_document(_lines(lines), URL)
    assert document.title == cut


def test_the_short_last_line_of_a_title_broken_over_lines_with_its_end_lost_is_no_text() -> None:
    title = "示例镇人民政府2025年政府信息公开工作年度报告"
    lines = [title, "发布机构:示例镇 索引号:xgz/2026-00001 时间:2026-01-20 作者:",
             "示例镇人民政府2025年政府信息公开工作", "年度报",
             "根据《中华人民共和国政府信息公开条例》规定,现公布本镇2025年度报告。",
             "一、总体情况"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_a_date_printed_after_the_title_on_its_line_is_the_publication() -> None:
    title = "示例区审计局2023年政府信息公开工作年度报告"
    lines = [f"{title} 2024-01-26",
             "本年度报告根据《中华人民共和国政府信息公开条例》要求编制。", "一、总体情况"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.title == title
    assert document.published_at is not None and document.published_at.startswith("2024-01-26")
    assert document.body_text is not None
    assert document.body_text.startswith("本年度报告根据")


def test_a_salutation_under_a_number_left_empty_is_the_salutation() -> None:
    lines = ["关于市政协十届三次会议第52号提案的答复", "发布机构", "示例县交通运输局", "文号",
             "张三、李四委员:", "你们提出的《关于改造示例镇公路的提案》收悉,现答复如下。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.addressee == "张三、李四委员"
    assert document.doc_no is None


@pytest.mark.parametrize(
    "title",
    [
        "关于第二批“示例老字号”拟认定名单的公示",
        "关于关闭部分小煤矿的公告",
        "示例市文物收藏管理办法",
    ],
)
def test_a_toolbars_words_inside_a_title_leave_it_a_title(title: str) -> None:
    lines = ["当前位置:", "首页 >> 结果公示", title, "发布日期:2026-03-06浏览次数:字号:[ ]",
             "为促进我市老字号保护传承,根据有关办法要求,经企业申报、专家评审,现予公示。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title


def test_a_single_paragraph_that_names_the_handling_units_is_the_text() -> None:
    # 承办单位 in a sentence is no footer's label (`承办单位：某某`).
    text = ("5月下旬,市政府办公室会同市人大就代表建议办理情况,对各承办单位进行联合督查。"
            "代表提出的146件建议分别交33个部门办理,大部分承办单位已书面答复代表。")  # fmt: skip
    lines = ["市人大督办代表建议办理", "时间:2014-03-25 00:00:00 来源: 作者:", text]
    document = extract_document(_lines(lines), URL)
    assert document.body_text == text


def test_a_footers_labels_are_still_no_text() -> None:
    # A footer without a class name that says so: its labels (主办单位：, 技术支持：) tell it.
    text = "<p>各乡镇:为做好安全生产工作,决定开展专项检查,请认真组织实施,确保取得实效。</p>"
    footer = (
        "<div><p>主办单位:示例县人民政府办公室,承办单位:示例县大数据中心。</p>"
        "<p>技术支持:示例网络公司,联系电话:0000-1234567,地址:示例路1号。</p></div>"
    )
    page = (
        "<html><body><h1>关于开展安全检查的通知</h1><p>发布时间:2024-03-01</p>"
        f"<div>{text}</div>{footer}</body></html>"
    )
    document = extract_document(page, URL)
    assert document.body_text is not None
    assert document.body_text.startswith("各乡镇")
    assert "主办单位" not in document.body_text


@pytest.mark.parametrize("title", ["示例省农业农村厅公告", "示例市市场监督管理局责令改正公告"])
def test_a_bodys_announcement_is_a_title_and_no_name(title: str) -> None:
    lines = [title, "索取号 AC60302052023189 文 号", "产生日期 2023-03-23",
             "根据《外国企业常驻代表机构登记管理条例》的规定,我局对下列代表机构责令改正。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title
    assert not is_name(title)
    assert is_name("通知公告") and is_name("招标采购公告")


def test_a_years_work_summary_and_next_years_thinking_printed_atop_the_text_is_its_title() -> None:
    title = "示例镇2024年工作总结和2025年工作思路"
    lines = ["索引号: | 001008004005097/2025-01377 | 发布机构: | 示例镇 |", title,
             "2024年,示例镇深入贯彻落实上级决策部署,各项工作取得新成效。", "一、2024年工作总结",
             "全年完成地区生产总值增长6%,一般公共预算收入稳步增长,民生保障持续加强。"]  # fmt: skip
    assert extract_document(_lines(lines), URL).title == title


@pytest.mark.parametrize("byline", ["新华社北京4月23日电", "记者张三、李四报道:"])
def test_a_news_items_dateline_or_reporters_alone_on_their_line_are_no_text(byline: str) -> None:
    lines = ["示例县召开人大常委会会议", "发布时间:2024-02-25", byline,
             "2月25日下午,县人大常委会召开会议,听取和审议有关工作报告。", "会议指出,要认真抓好落实。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("2月25日下午")


def test_a_sentence_that_opens_with_a_reporters_name_stays_text() -> None:
    lines = ["示例县召开人大常委会会议", "发布时间:2024-02-25",
             "记者从县人大常委会获悉,2月25日下午召开的会议听取了有关工作报告。"]  # fmt: skip
    document = extract_document(_lines(lines), URL)
    assert document.body_text is not None
    assert document.body_text.startswith("记者从县人大常委会获悉")
