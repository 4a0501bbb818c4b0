"""Label/value pairs in the shapes portals print them, found by the label vocabulary alone.

Every page here is written for the test, in our own wording, after the shape of a template
(never a real page's text): bracketed labels in list items with nested spans, labels broken
over elements, values on the next line, bullets and full-width spaces, definition lists, and
the ranking of labels that name the same field.
"""

from __future__ import annotations

from typing import Any

import pytest

from crawler.extract import extract_document

URL = "http://www.example.gov.cn/zwgk/202403/t20240305_1001.html"
BODY = (
    "<div id='zoom'><p>各有关单位：</p><p>现将有关事项通知如下，请结合实际认真执行。</p>"
    "<p>示例市住房保障中心</p><p>2024年3月1日</p></div>"
)


def _page(metadata: str, body: str = BODY, title: str = "关于调整示例业务办理时间的通知") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        f"{metadata}<h1>{title}</h1>{body}</body></html>"
    )


def _bare(*blocks: str) -> str:
    """A page of these blocks straight in `<body>`, no `<title>` nor container known: what
    it says is read from them alone."""
    return "<html><body>" + "".join(blocks) + "</body></html>"


def _record(metadata: str, body: str = BODY) -> dict[str, Any]:
    return extract_document(_page(metadata, body), URL).to_record()


def test_bracketed_labels_in_list_items_with_nested_spans() -> None:
    metadata = (
        "<ul class='info-list'>"
        "<li>[索引号] <span><span>000000001/2024-00012</span></span></li>"
        "<li>[发文字号] <span><span>示政办发〔2024〕3号</span></span></li>"
        "<li>[发布机构] <span><span>示例市人民政府办公室</span></span></li>"
        "<li>[成文日期] <span><span>2024-03-01</span></span></li>"
        "<li>[发布日期] <span><span>2024-03-05</span></span></li>"
        "<li>[主题分类] <span><span>城乡建设、环境保护/城乡建设（含住房）</span></span></li>"
        "</ul>"
    )
    record = _record(metadata)
    assert record["index_no"] == "000000001/2024-00012"
    assert record["doc_no"] == "示政办发〔2024〕3号"
    assert record["publisher"] == "示例市人民政府办公室"
    assert record["written_date"] == "2024-03-01"
    assert record["published_at"] == "2024-03-05"
    assert record["category"] == "城乡建设、环境保护/城乡建设（含住房）"


def test_a_list_of_labelled_links_is_no_menu() -> None:
    # Every item holds a link, yet each item is a label and its value: the list is read.
    metadata = (
        "<ul><li>[发布机构] <a href='/org/1'>示例市住房保障中心</a></li>"
        "<li>[主题分类] <a href='/fl/2'>城乡建设</a>/<a href='/fl/3'>住房保障</a></li>"
        "<li>发布日期：<a href='/rq/'>2024-03-05</a></li></ul>"
    )
    record = _record(metadata)
    assert record["publisher"] == "示例市住房保障中心"
    assert record["category"] == "城乡建设/住房保障"
    assert record["published_at"] == "2024-03-05"


def test_a_list_of_labels_in_spans_beside_linked_values_is_read() -> None:
    metadata = (
        "<ul><li><span class='k'>[发布机构]</span><a href='/org/1'>示例市住房保障中心</a></li>"
        "<li><span class='k'>[发文字号]</span><a href='/wh/2'>示房〔2024〕5号</a></li></ul>"
    )
    record = _record(metadata)
    assert record["publisher"] == "示例市住房保障中心"
    assert record["doc_no"] == "示房〔2024〕5号"


def test_labels_in_lenticular_brackets_on_one_line() -> None:
    record = _record(
        "<p>【发布机构】示例市住房保障中心【成文日期】2024-03-01【文号】示房〔2024〕7号</p>"
    )
    assert record["publisher"] == "示例市住房保障中心"
    assert record["written_date"] == "2024-03-01"
    assert record["doc_no"] == "示房〔2024〕7号"


@pytest.mark.parametrize(
    "metadata",
    [
        # A narrow table cell breaks the label over two lines.
        "<table><tr><td>成文<br>日期</td><td>2024-03-01</td>"
        "<td>发布<br>机构</td><td>示例市住房保障中心</td></tr></table>",
        # Two block elements, the colon and the value in the second.
        "<div class='meta'><p>成文</p><p>日期：2024-03-01</p><p>发布</p><p>机构：示例市住房保障中心</p></div>",
    ],
)
def test_a_label_split_over_elements(metadata: str) -> None:
    record = _record(metadata)
    assert record["written_date"] == "2024-03-01"
    assert record["publisher"] == "示例市住房保障中心"


def test_the_last_label_of_a_line_takes_its_value_from_the_next_line() -> None:
    metadata = "<div class='info'><p>信息来源：示例市住房保障中心 发布时间：</p><p>2024-03-05 09:30</p></div>"
    record = _record(metadata)
    assert record["source"] == "示例市住房保障中心"
    assert record["published_at"] == "2024-03-05T09:30:00+08:00"


def test_an_empty_last_label_does_not_take_the_next_label() -> None:
    metadata = "<div class='info'><p>信息来源：示例市住房保障中心 发布机构：</p><p>成文日期：2024-03-01</p></div>"
    record = _record(metadata)
    assert record["publisher"] is None
    assert record["written_date"] == "2024-03-01"


@pytest.mark.parametrize(
    "label",
    [
        "发\u3000布\u3000机\u3000构：",
        "发布机构\u3000：",
        "·发布机构：",
        "■ 发布机构：",
        "◆发布机构:",
    ],
)
def test_spaced_and_bulleted_labels(label: str) -> None:
    record = _record(
        f"<div class='info'><p>{label}示例市住房保障中心</p><p>·成文日期：2024-03-01</p></div>"
    )
    assert record["publisher"] == "示例市住房保障中心"
    assert record["written_date"] == "2024-03-01"


def test_a_definition_list() -> None:
    metadata = (
        "<dl class='xxgk'><dt>索引号：</dt><dd>000000001/2024-00012</dd>"
        "<dt>发布机构：</dt><dd>示例市住房保障中心</dd><dt>文号：</dt><dd></dd>"
        "<dt>成文日期：</dt><dd>2024-03-01</dd></dl>"
    )
    record = _record(metadata)
    assert record["index_no"] == "000000001/2024-00012"
    assert record["publisher"] == "示例市住房保障中心"
    assert record["doc_no"] is None
    assert record["written_date"] == "2024-03-01"


def test_a_maker_label_names_the_publisher() -> None:
    record = _record("<table><tr><td>制发单位：</td><td>示例市住房保障中心</td></tr></table>")
    assert record["publisher"] == "示例市住房保障中心"


def test_a_normative_register_number_is_no_document_number() -> None:
    metadata = (
        "<table><tr><td>规范性文件编号：</td><td>SLD01-2024-0002</td>"
        "<td>文件编号：</td><td>示房规〔2024〕2号</td></tr></table>"
    )
    assert _record(metadata)["doc_no"] == "示房规〔2024〕2号"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # The subject classification wins over a classification by genre printed before it.
        (("组配分类", "规范性文件"), ("主题分类", "城乡建设")),
        (("信息分类", "通知公告"), ("主题分类", "城乡建设")),
        (("组配分类", "规范性文件"), ("信息分类", "通知公告")),
    ],
)
def test_the_subject_classification_is_the_category(
    rows: tuple[str, str], expected: tuple[str, str]
) -> None:
    metadata = (
        f"<table><tr><td>{rows[0]}：</td><td>{rows[1]}</td></tr>"
        f"<tr><td>{expected[0]}：</td><td>{expected[1]}</td></tr></table>"
    )
    assert _record(metadata)["category"] == expected[1]


def test_a_genre_classification_alone_is_the_category() -> None:
    metadata = "<table><tr><td>组配分类：</td><td>规范性文件</td></tr></table>"
    assert _record(metadata)["category"] == "规范性文件"


def test_the_signature_decides_between_an_issue_and_a_registration_date() -> None:
    metadata = (
        "<table><tr><td>登记日期：</td><td>2024-03-01</td>"
        "<td>发文日期：</td><td>2024-03-05</td></tr></table>"
    )
    record = _record(metadata)
    assert record["written_date"] == "2024-03-01"  # what the signature (2024年3月1日) says


def test_an_issue_date_alone_is_the_written_date() -> None:
    metadata = "<table><tr><td>发文日期：</td><td>2024-03-02</td></tr></table>"
    assert _record(metadata)["written_date"] == "2024-03-02"


def test_a_registration_date_the_signature_does_not_confirm_is_not_the_written_date() -> None:
    metadata = "<table><tr><td>登记日期：</td><td>2024-04-20</td></tr></table>"
    assert _record(metadata)["written_date"] is None


def test_a_row_of_labels_over_a_row_of_values() -> None:
    metadata = (
        "<table class='xxgk'><tr><th>索引号</th><th>发布机构</th><th>成文日期</th><th>文号</th></tr>"
        "<tr><td>000000001/2024-00013</td><td>示例市住房保障中心</td><td>2024-03-01</td><td></td></tr>"
        "</table>"
    )
    record = _record(metadata)
    assert record["index_no"] == "000000001/2024-00013"
    assert record["publisher"] == "示例市住房保障中心"
    assert record["written_date"] == "2024-03-01"
    assert record["doc_no"] is None


def test_labels_left_empty_before_the_title_take_nothing() -> None:
    # Labels printed with no value and no empty cell, then the heading: no row of values.
    metadata = (
        "<div class='info'><span>主题分类：</span><span>发文日期：</span><span>文号：</span></div>"
    )
    record = _record(metadata)
    assert record["category"] is None
    assert record["written_date"] is None
    assert record["doc_no"] is None


def test_a_label_above_the_body_takes_no_value_from_below_it() -> None:
    page = (
        "<html><head><title>关于调整示例业务办理时间的通知</title></head><body>"
        "<h1>关于调整示例业务办理时间的通知</h1><div class='info'>发布机构：</div>"
        "<div id='zoom'><p>各有关单位：</p><p>现将有关事项通知如下，请结合实际认真执行。</p></div>"
        "<div class='tools'>示例市住房保障中心</div></body></html>"
    )
    assert extract_document(page, URL).publisher is None


def test_a_publication_label_wins_over_a_bare_date_label() -> None:
    metadata = (
        "<table><tr><td>日期：</td><td>2024-02-28</td></tr></table>"
        "<p class='line'>信息来源：示例市住房保障中心 发布时间：2024-03-05 10:00</p>"
    )
    assert _record(metadata)["published_at"] == "2024-03-05T10:00:00+08:00"


def test_a_bare_date_label_alone_is_the_publication() -> None:
    assert _record("<p class='line'>日期：2024-03-05</p>")["published_at"] == "2024-03-05"


@pytest.mark.parametrize(
    ("label", "field", "value", "expected"),
    [
        ("发布机关∶", "publisher", "示例市住房保障中心", "示例市住房保障中心"),
        ("发布部门﹕", "publisher", "示例市住房保障中心", "示例市住房保障中心"),
        ("印发时间：", "written_date", "2024-03-01", "2024-03-01"),
        ("签发日期：", "written_date", "2024-03-01", "2024-03-01"),
        ("信息发布时间：", "published_at", "2024-03-05", "2024-03-05"),
        ("信息时间：", "published_at", "2024-03-05", "2024-03-05"),
        ("信息分类名称：", "category", "综合政务/其他", "综合政务/其他"),
        ("主 题 :", "category", "综合政务\\政务公开", "综合政务\\政务公开"),
        ("所属主题：", "category", "人大代表建议办理", "人大代表建议办理"),
        ("内容分类：", "category", "建议提案办理情况", "建议提案办理情况"),
        ("添加时间：", "published_at", "2024-03-05", "2024-03-05"),
        ("产生日期：", "written_date", "2024-03-01", "2024-03-01"),
    ],
)
def test_more_label_variants(label: str, field: str, value: str, expected: str) -> None:
    metadata = f"<table><tr><td>{label}</td><td>{value}</td></tr></table>"
    assert _record(metadata)[field] == expected


def test_a_colon_in_a_cell_of_its_own() -> None:
    metadata = (
        "<table><tr><td>文号</td><td>：</td><td>示房〔2024〕8号</td></tr>"
        "<tr><td>发布机构</td><td>：</td><td>示例市住房保障中心</td></tr></table>"
    )
    record = _record(metadata)
    assert record["doc_no"] == "示房〔2024〕8号"
    assert record["publisher"] == "示例市住房保障中心"


def test_an_empty_bulleted_label_does_not_take_the_next_bulleted_line() -> None:
    metadata = "<div class='info'><p>· 分类：</p><p>· 发布机构：示例市住房保障中心</p></div>"
    record = _record(metadata)
    assert record["category"] is None
    assert record["publisher"] == "示例市住房保障中心"


def test_a_table_of_documents_under_a_header_row_is_no_metadata() -> None:
    related = (
        "<table class='xgwj'><tr><th>文号</th><th>标题</th><th>发布日期</th></tr>"
        "<tr><td>示房〔2023〕1号</td><td>关于去年业务安排的通知</td><td>2023-01-05</td></tr>"
        "<tr><td>示房〔2023〕2号</td><td>关于去年业务调整的通知</td><td>2023-02-05</td></tr></table>"
    )
    record = extract_document(_page("", BODY + related), URL).to_record()
    assert record["doc_no"] is None
    assert record["published_at"] is None


def test_a_label_left_empty_takes_no_date_that_is_not_its_own() -> None:
    metadata = (
        "<div class='info'><p>信息来源：示例市住房保障中心 发布机构：</p><p>2024-03-05</p></div>"
    )
    assert _record(metadata)["publisher"] is None


def test_a_tables_other_labels_left_empty_take_no_field() -> None:
    # A classification table's labels whose values the copy left out: each is a label of its
    # own, never the value of the label before it.
    metadata = (
        "<p>索 引 号 000000001/2024-00012 信息分类 信息公开制度</p>"
        "<p>主题分类 服务对象分类</p><p>体裁分类 生命周期分类</p><p>文 号 信息格式/语种</p>"
        "<p>分类：报告 机构分类</p>"
    )
    record = _record(metadata)
    assert record["category"] == "信息公开制度"
    assert record["doc_no"] is None


def test_a_label_just_inside_an_opening_bracket() -> None:
    metadata = "<p>【信息时间:2024-03-05 10:16 阅读次数: 我要打印】【关闭】</p>"
    assert _record(metadata)["published_at"] == "2024-03-05T10:16:00+08:00"


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("<p>所属机构：示例市自然资源局 发布机构：示例市人民政府</p>", "示例市人民政府"),
        ("<p>发布机构：示例市人民政府 所属机构：示例市自然资源局</p>", "示例市人民政府"),
        ("<p>所属机构：示例市自然资源局 发布日期：2024-03-05</p>", "示例市自然资源局"),
    ],
)
def test_the_owning_body_names_the_publisher_only_where_no_publisher_label_does(
    metadata: str, expected: str
) -> None:
    assert _record(metadata)["publisher"] == expected


@pytest.mark.parametrize(
    "metadata",
    [
        "<p>索引号：000000001/2024-00012 文号：无文号</p>",
        "<p>索引号：000000001/2024-00012 | 文号： | 〔〕号 | 发布机构：示例市住房保障中心</p>",
        "<p>索引号：000000001/2024-00012 发文字号：———</p>",
        # The label left empty at the end of the block, the title on the next line.
        "<p>索引号：000000001/2024-00012</p><p>发文字号：</p>"
        "<p>示例市住房保障中心关于调整业务办理时间的通知</p>",
    ],
)
def test_a_document_number_template_left_blank_is_no_number(metadata: str) -> None:
    record = _record(metadata)
    assert record["index_no"] == "000000001/2024-00012"
    assert record["doc_no"] is None


def test_a_document_number_in_words_of_its_own_is_still_read() -> None:
    record = _record("<p>文号：示政办发〔2024〕12号</p><p>发布机构：示例市人民政府办公室</p>")
    assert record["doc_no"] == "示政办发〔2024〕12号"


def test_a_category_keeps_no_separator_at_its_end() -> None:
    assert _record("<p>主题分类：交通运输 \\</p>")["category"] == "交通运输"
    assert _record("<p>主题分类：综合政务/政务公开</p>")["category"] == "综合政务/政务公开"


def test_a_date_after_an_issue_date_label_and_a_bar_is_no_publication_date() -> None:
    page = (
        "<html><body><p>标题： | 示例市2024年政府信息公开工作年度报告</p>"
        "<p>索引号： | 000000001/2025-00001 | 发文日期： | 2025-03-06</p>"
        "<p>本报告根据政府信息公开条例编制。</p></body></html>"
    )
    document = extract_document(page, URL)
    assert document.written_date == "2025-03-06"
    assert document.published_at is None


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        # Labels in <b> glued to their values, a block of them.
        (
            "<ul class='xxgk'><li><b>索引号</b>000014348/2020-01628</li><li><b>发布机构</b>县自然资源局</li>"
            "<li><b>文号</b>示自然资函〔2019〕18号</li><li><b>发布日期</b>2019-12-26</li>"
            "<li><b>时效性</b>有效</li></ul>",
            {"index_no": "000014348/2020-01628", "publisher": "县自然资源局",
             "doc_no": "示自然资函〔2019〕18号", "published_at": "2019-12-26"},
        ),
        # A label and its colon run into the value before it.
        (
            "<p>发布机构:<b>示例市人民政府</b><b>成文日期:</b>2021年11月01日</p>"
            "<p>文号:<b>示政发〔2021〕38号</b><b>发布日期:</b>2021年11月08日</p>",
            {"publisher": "示例市人民政府", "written_date": "2021-11-01",
             "doc_no": "示政发〔2021〕38号", "published_at": "2021-11-08"},
        ),
        # Each label and each value on a bulleted line of its own.
        (
            "<p>- 索引号:</p><p>- 000000001/2025-110484</p><p>- 文号:</p><p>- 示政〔2025〕39号</p>"
            "<p>- 登记日期:</p><p>- 发文日期:2025-04-15</p><p>- 发布单位:</p><p>- 示例镇人民政府</p>",
            {"index_no": "000000001/2025-110484", "doc_no": "示政〔2025〕39号",
             "written_date": "2025-04-15", "publisher": "示例镇人民政府"},
        ),
    ],
)  # fmt: skip
def test_labels_that_meet_their_values_without_a_separator_are_read(
    metadata: str, expected: dict[str, str]
) -> None:
    record = _record(metadata)
    assert {field: record[field] for field in expected} == expected


def test_one_line_opening_with_a_labels_words_is_no_glued_label() -> None:
    metadata = "<p>发布时间：2024-03-05</p><p>发布机构改革方案解读</p>"
    record = _record(metadata)
    assert record["published_at"] == "2024-03-05"
    assert record["publisher"] is None


def test_an_empty_label_before_the_next_label_takes_nothing() -> None:
    record = _record("<p>索引号:000000001/2021-07690 文 号:发布日期: 2018-03-31 08:03</p>")
    assert record["doc_no"] is None
    assert record["published_at"] == "2018-03-31T08:03:00+08:00"


@pytest.mark.parametrize(
    ("metadata", "field", "expected"),
    [
        ("<p>文件字号：示政〔2025〕58号</p>", "doc_no", "示政〔2025〕58号"),
        ("<p>发布文号：示政字〔2020〕60号</p>", "doc_no", "示政字〔2020〕60号"),
        ("<p>发表日期：2021-06-08</p>", "published_at", "2021-06-08"),
        ("<p>发布时间：2021-03-2918:26</p>", "published_at", "2021-03-29T18:26:00+08:00"),
    ],
)
def test_more_label_wordings_and_a_time_run_into_its_date(
    metadata: str, field: str, expected: str
) -> None:
    assert _record(metadata)[field] == expected


@pytest.mark.parametrize(
    "metadata",
    [
        # A label left empty at the end of its line, the title on the next.
        "<p>索引号：ABC-2024-0012</p><p>• 文号：</p>"
        "<p>对示例市第九届人民代表大会第三次会议第18号建议的答复</p>",
        "<p>索引号：ABC-2024-0012 | 发布机构： |</p>"
        "<p>解读《示例县人民政府关于做好森林防火工作的命令》 | |</p>",
        # A row of labels whose cells run on into the title.
        "<p>文 号： | 所属主题： | 2024年度 |</p>"
        "<p>示例县林业局对示例县政协第三次会议第124号提案的答复</p>",
    ],
)
def test_a_label_left_empty_takes_no_title_from_below(metadata: str) -> None:
    page = (
        "<html><head><meta charset='utf-8'></head><body>"
        f"{metadata}<p>示例委员：</p><p>您提出的关于加强林区防火的提案收悉，现答复如下。</p></body></html>"
    )
    record = extract_document(page, URL).to_record()
    assert record["doc_no"] is None
    assert record["publisher"] is None
    assert record["category"] in (None, "2024年度")


def test_a_categorys_path_may_end_in_a_kind_of_document() -> None:
    metadata = (
        "<table><tr><td>主题分类：</td><td>城乡建设、环境保护 / 部门文件 / 通知</td></tr></table>"
    )
    assert _record(metadata)["category"] == "城乡建设、环境保护 / 部门文件 / 通知"


def test_two_labels_glued_to_their_values_on_one_line_are_read_apart() -> None:
    metadata = (
        "<p>索引号ABC-2023-0024 主题分类机关事务</p>"
        "<p>发布机构示例县人民政府办公室 主题词工作规则</p>"
        "<p>发文字号示政发〔2023〕24号 发文时间2023-09-08</p>"
    )
    record = _record(metadata)
    assert record["index_no"] == "ABC-2023-0024"
    assert record["category"] == "机关事务"
    assert record["publisher"] == "示例县人民政府办公室"
    assert record["doc_no"] == "示政发〔2023〕24号"
    assert record["written_date"] == "2023-09-08"


def test_a_number_label_left_empty_takes_no_issuers_name_with_a_numeral_in_it() -> None:
    page = (
        "<html><head><meta charset='utf-8'></head><body>"
        "<p>发布机构</p><p>区政府办</p><p>文号</p><p>十堰市示例区人民政府</p>"
        "<p>关于对市人大五次会议第91号建议的答复</p><p>王某代表:</p>"
        "<p>您提出的关于加强道路养护的建议收悉,现答复如下。</p></body></html>"
    )
    assert extract_document(page, URL).doc_no is None


def test_a_number_in_chinese_numerals_is_still_a_number() -> None:
    assert _record("<p>文号：督察通报第十七期</p>")["doc_no"] == "督察通报第十七期"


def test_an_announcements_number_alone_under_its_title_is_its_document_number() -> None:
    title = "示例部 示例总局关于调整个人住房交易政策的公告"
    page = (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        "<p>示例部 示例总局公告2025年第17号</p><div id='zoom'><p>现将有关政策公告如下：</p>"
        "<p>个人将购买2年以上的住房对外销售的，免征有关税费。</p></div></body></html>"
    )
    assert extract_document(page, URL).doc_no == "示例部 示例总局公告2025年第17号"


def test_a_notices_number_alone_under_its_title_is_left_unlabelled() -> None:
    title = "示例市人民政府办公厅关于印发示例实施方案的通知"
    page = (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        "<p>示政办发〔2017〕65号</p><div id='zoom'><p>各区人民政府，市政府各部门：</p>"
        "<p>现将实施方案印发给你们，请认真贯彻执行。</p></div></body></html>"
    )
    assert extract_document(page, URL).doc_no is None


def test_a_label_left_empty_runs_into_the_next_label() -> None:
    # `浏览次数:` with no count, then the source and the date, all in one line under the title.
    title = "示例区发展和改革委员会2020年政府信息公开工作年度报告"
    byline = "<p>浏览次数:信息来源: 示例区发展和改革委员会发布时间:2021-01-28 10:13</p>"
    body = (
        byline + "<p>一、总体情况</p><p>按照《政府信息公开条例》要求,我委全力推进政务公开工作。</p>"
    )
    document = extract_document(_page("", body, title), URL)
    assert document.published_at == "2021-01-28T10:13:00+08:00"
    assert document.body_text is not None
    assert document.body_text.startswith("一、总体情况")


def test_a_number_left_empty_before_the_date_label_takes_no_date() -> None:
    metadata = (
        "<p>索引号:000000/2018-00031 文号:发布日期: 2018-03-31</p><p>发布机构:示例县教育局</p>"
    )
    document = extract_document(_page(metadata), URL)
    assert document.doc_no is None
    assert document.published_at == "2018-03-31"
    assert document.publisher == "示例县教育局"


def test_the_date_the_information_was_provided_is_its_publication() -> None:
    # (Shenzhen's district portals print 信息提供日期 where others print 发布日期.)
    page = _bare("<h1>示例区民政局2023年度政府信息公开工作年度报告</h1>",
                 "<p>信息提供日期 : 2024-01-26 11:06来源 : 示例区民政局</p>",
                 "<p>根据《中华人民共和国政府信息公开条例》规定,现公布本局2023年度报告。</p>")  # fmt: skip
    document = extract_document(page, URL)
    assert document.published_at == "2024-01-26T11:06:00+08:00"
    assert document.body_text is not None
    assert document.body_text.startswith("根据《中华人民共和国政府信息公开条例》")


def test_a_row_of_labels_without_colons_led_by_the_informations_title_is_read() -> None:
    page = _bare("<p>信息标题 关于印发《示例县突发环境事件应急预案》的通知 "
                 "文件编号 示政办发〔2021〕34号</p>", "<p>发布日期:2021-10-08</p>",
                 "<p>各乡镇人民政府,县直各单位:</p><p>现将应急预案印发给你们,请认真组织实施。</p>")  # fmt: skip
    document = extract_document(page, URL)
    assert document.doc_no == "示政办发〔2021〕34号"
    assert document.title == "关于印发《示例县突发环境事件应急预案》的通知"


def test_labels_of_the_responsible_unit_and_of_where_it_comes_from_are_labels() -> None:
    page = _bare("<h1>示例区统计局2022年政府信息公开工作年度报告</h1>",
                 "<p>发布机构 示例区统计局 责任部门 示例区统计局办公室 有效性 有效</p>",
                 "<p>来自:示例市统计局 时间:2023-01-13</p>", "<p>一、总体情况</p>",
                 "<p>2022年,市统计局认真贯彻落实政务公开各项要求,公开质量持续提升。</p>")  # fmt: skip
    document = extract_document(page, URL)
    assert document.publisher == "示例区统计局"
    assert document.published_at is not None and document.published_at.startswith("2023-01-13")
    assert document.body_text is not None
    assert document.body_text.startswith("一、总体情况")


def test_an_index_labelled_short_of_its_number_is_the_index_number() -> None:
    page = _bare("<h1>关于建立法治宣传教育责任清单的实施办法</h1>",
                 "<p>索  引: 001008004003010/2020-35762 公开形式: 主动公开</p>",
                 "<p>为贯彻落实法治宣传教育规划,制定本办法。</p>")  # fmt: skip
    document = extract_document(page, URL)
    assert document.index_no == "001008004003010/2020-35762"


@pytest.mark.parametrize(
    ("meta", "published"),
    [
        ("<p>更新日期:2024-01-12</p>", "2024-01-12"),  # the only date printed
        ("<p>发布时间:2024-01-05 更新时间:2024-03-08</p>", "2024-01-05"),
        ("<p>更新时间:2024-03-08</p><p>发布时间:2024-01-05</p>", "2024-01-05"),
    ],
)
def test_the_day_of_the_last_update_is_the_publication_only_where_no_other_is_printed(
    meta: str, published: str
) -> None:
    page = _bare("<h1>示例县人民政府关于印发防汛应急预案的通知</h1>", meta,
                 "<p>各乡镇人民政府,县直各单位:</p><p>现将预案印发给你们,请认真贯彻执行。</p>")  # fmt: skip
    document = extract_document(page, URL)
    assert document.published_at is not None and document.published_at.startswith(published)
    assert document.warnings == []
    assert document.body_text is not None and document.body_text.startswith("各乡镇人民政府")


def test_the_day_of_the_last_update_in_a_byline_above_the_title_is_the_publication() -> None:
    lines = ["来源:州人大", "访问量:", "更新日期:2024-01-12", "示例州人民代表大会",
             "常务委员会机关公文处理办法", "第一章 总则",
             "第一条 为规范本机关公文处理工作,提高公文处理质量,制定本办法。"]  # fmt: skip
    page = _bare(*(f"<p>{line}</p>" for line in lines))
    document = extract_document(page, URL)
    assert document.published_at is not None and document.published_at.startswith("2024-01-12")
    assert document.body_text is not None
    assert not document.body_text.startswith("更新日期")
