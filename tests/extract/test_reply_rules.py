"""The reply rules that real pages disagreed on, settled once: small pages written here."""

from __future__ import annotations

import pytest

from crawler.extract import extract_document

URL = "http://example.gov.cn/jyta/202306/t20230609_1.html"


def _lines_page(lines: list[str]) -> str:
    """A page without markup of its own: each line a paragraph straight in `<body>`."""
    return "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"


def _reply(
    opening: str,
    *,
    title: str = "关于市人大二届三次会议第12号建议的答复",
    above: tuple[str, ...] = (),
    salutation: str = "王某某代表：",
    sign_off: tuple[str, ...] = ("示例市交通运输局", "2023年6月9日"),
) -> str:
    """A reply under a heading: `above` the salutation, the opening, a paragraph, the sign-off."""
    lines = [*above, salutation, f"{opening}现答复如下：", "一、我们将加快推进有关工作，按计划完成建设任务。",
             *sign_off]  # fmt: skip
    paragraphs = "".join(f"<p>{line}</p>" for line in lines)
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        f"<div id='zoom'>{paragraphs}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        # In book-title marks: the words inside them, 关于…的建议 and all (the deputy's title).
        ("您提出的《关于增设公交站点的建议》收悉。", "关于增设公交站点的建议"),
        # 关于“…”的建议 is the answer's wrapping around the deputy's quoted title.
        ("您提出的关于“增设公交站点”的建议收悉。", "增设公交站点"),
        ("您提出的关于“增设公交站点”的提案收悉。", "增设公交站点"),
        # Quotation marks alone: the quoted words.
        ("您提出的“增设公交站点”建议收悉。", "增设公交站点"),
        # No marks at all: nothing sets the deputy's words apart, the whole title stands.
        ("您提出的关于增设公交站点的建议收悉。", "关于增设公交站点的建议"),
    ],
)
def test_proposal_title_is_the_deputys_own_title(opening: str, expected: str) -> None:
    document = extract_document(_reply(opening), URL)
    assert document.reply is not None
    assert document.reply.proposal_title == expected


def test_a_cited_announcement_number_is_no_proposal_number() -> None:
    opening = (
        "您提出的《关于规范税费征收的建议》收悉。根据《示例总局公告》（示例总局公告2019年第48号）"
        "有关规定，"
    )
    page = _reply(opening, title="关于规范税费征收的建议的答复")
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.proposal_no is None


def test_a_number_only_in_the_keywords_meta_is_not_shown() -> None:
    page = _reply(
        "您提出的《关于增设公交站点的建议》收悉。", title="关于增设公交站点的建议"
    ).replace("<head>", "<head><meta name='KeyWords' content='第1006号'>")
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.proposal_no is None
    assert document.keywords == "第1006号"  # kept where it came from


def test_a_title_broken_after_the_issuing_bodys_name_is_joined() -> None:
    lines = [
        "示例县交通运输局",
        "关于县十届人大三次会议第5号建议的复函",
        "李某某代表：",
        "您提出的关于增设公交站点的建议收悉，现答复如下：",
        "我局将加快推进有关工作。",
    ]
    page = _lines_page(lines)
    document = extract_document(page, URL)
    assert document.title == "示例县交通运输局关于县十届人大三次会议第5号建议的复函"


def test_the_last_body_of_an_issuer_block_is_no_part_of_the_title() -> None:
    lines = [
        "示例市交通运输局",
        "示例市财政局",
        "关于印发《公交站点建设管理办法》的通知",
        "各区县交通运输局、财政局：",
        "现将《公交站点建设管理办法》印发给你们，请认真贯彻执行。",
    ]
    page = _lines_page(lines)
    assert extract_document(page, URL).title == "关于印发《公交站点建设管理办法》的通知"


def test_a_title_labelled_in_a_table_copied_with_bars() -> None:
    lines = [
        "| 索 引 号 | 000000001/2019-01101 | 发布机构 | 示例市信息中心 |",
        "| 标 题 | 对市政协十三届三次会议第16号提案的协办意见 | ||",
        "示例市交通运输局：",
        "经研究，现对王某某委员提出的提案提出如下协办意见，供你单位答复时参考：",
        "一、加强站点规划。",
        "示例市公交集团",
        "2019年6月5日",
    ]
    page = _lines_page(lines)
    document = extract_document(page, URL)
    assert document.title == "对市政协十三届三次会议第16号提案的协办意见"
    assert document.publisher == "示例市信息中心"
    assert document.reply is not None
    # The opinion's writer is who signs it, not the body that publishes the page.
    assert document.reply.co_agencies == ["示例市公交集团"]


def test_a_publisher_naming_the_signer_in_short_is_the_opinions_writer() -> None:
    lines = [
        "| 发布机构 | 示例市交通局 | 标 题 | 对市政协十三届三次会议第17号提案的协办意见 |",
        "示例市公交集团：",
        "经研究，现对王某某委员提出的提案提出如下协办意见，供你单位答复时参考：",
        "一、加强站点规划。",
        "示例市交通运输局",
        "2019年6月5日",
    ]
    page = _lines_page(lines)
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.co_agencies == ["示例市交通局"]


@pytest.mark.parametrize("label", ["联系人", "联 系 人", "联\u3000系\u3000人"])
def test_a_contact_label_with_its_characters_set_apart_names_the_contact(label: str) -> None:
    sign_off = (
        "办复类别：B类",
        "联系电话：0000-1234567",
        f"{label}：李某某",
        "示例市交通运输局",
        "2023年6月9日",
    )
    page = _reply("您提出的《关于增设公交站点的建议》收悉。", sign_off=sign_off)
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.contact_person == "李某某"
    assert document.reply.contact_phone == "0000-1234567"


def test_a_title_with_its_number_in_brackets_beats_a_bulleted_metadata_value() -> None:
    # Metadata values as bullets without labels (the last a category ending in 答复函), then the
    # title with its number in brackets, then the salutation.
    lines = [
        "• 000000001/2017-00032",
        "• 示例市民政局",
        "• 提案,建议提案,提案答复函",
        "• 2017-06-29",
        "关于对建设示例公益性墓地的提案答复的函(编号:B〔2017〕062号)",
        "王某某委员：",
        "您提出的关于建设示例公益性墓地的提案收悉。现答复如下：",
        "我局将加快推进公益性墓地建设，力争年内完成。",
    ]
    page = _lines_page(lines)
    document = extract_document(page, URL)
    assert document.title == "关于对建设示例公益性墓地的提案答复的函(编号:B〔2017〕062号)"
    assert document.addressee == "王某某委员"


def test_a_copy_with_pinyin_after_its_characters_is_read_and_written_as_it_is() -> None:
    # Some copies insert pinyin after characters (鎮(zhèn)), inside the session's name too: the
    # fields are read without it and given as the copy writes them.
    lines = [
        "王某某代表:",
        "你在鎮(zhèn)遠縣第十屆人民代表大會(huì)第三次會(huì)議期間提出的"
        "《關(guān)於增設公交站點的建議》(立案號(hào):2021015號(hào))收悉,現(xiàn)答復(fù)如下:",
        "一、我們將加快推進有關工作,按計劃完成建設任務。",
        "示例縣交通運輸局",
        "2021年6月9日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.session == "鎮(zhèn)遠縣第十屆人民代表大會(huì)第三次會(huì)議"
    assert document.reply.proposal_no == "2021015號(hào)"
    assert document.reply.proposal_title == "關(guān)於增設公交站點的建議"
    assert document.reply.lead_agency == "示例縣交通運輸局"


def test_a_number_under_its_label_in_brackets_is_the_proposal_number() -> None:
    opening = "您提出的《关于增设公交站点的建议》(立案号:2021015号)收悉。"
    document = extract_document(_reply(opening, title="关于增设公交站点的建议的答复"), URL)
    assert document.reply is not None
    assert document.reply.proposal_no == "2021015号"


@pytest.mark.parametrize("bars", [True, False])
def test_a_record_of_title_question_and_answer_begins_at_the_answer(bars: bool) -> None:
    # 标题 / 问题内容 / 问题答复: the item's words under a label, then its answer under another,
    # which opens with the salutation; as a table copied with bars, or as a table.
    rows = [
        ("标 题:", "关于增设示例路公交站点的建议"),
        ("问题内容:", "示例路沿线居民出行不便，建议增设公交站点。"),
        (
            "问题答复:",
            "王某某代表：您提出的关于增设示例路公交站点的建议已收悉，现答复如下：我局将于年内增设站点。",
        ),
    ]
    if bars:
        page = _lines_page([f"| {label} | {value} |" for label, value in rows])
    else:
        cells = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in rows)
        page = f"<html><body><table>{cells}</table></body></html>"
    document = extract_document(page, URL)
    assert document.title == "关于增设示例路公交站点的建议"
    assert document.addressee == "王某某代表"
    assert document.body_text is not None
    assert document.body_text.startswith("王某某代表：您提出的")
    assert document.reply is not None
    assert document.reply.addressee == "王某某"


@pytest.mark.parametrize(
    ("block", "person", "phone"),
    [
        ("联系人姓名：李某某    联系电话：0000-1234567", "李某某", "0000-1234567"),
        ("联系人/电话：李某某 /1234567", "李某某", "1234567"),
        ("联系人姓名及电话：李某某 13800000000", "李某某", "13800000000"),
        ("联系人：示例市公路管理局计财处，李某某 联系电话：1234567-801", "李某某", "1234567-801"),
    ],
)
def test_the_contact_under_the_labels_sign_offs_write(block: str, person: str, phone: str) -> None:
    page = _reply(
        "您提出的《关于增设公交站点的建议》收悉。",
        sign_off=("示例市交通运输局", f"{block}", "2023年6月9日"),
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert (document.reply.contact_person, document.reply.contact_phone) == (person, phone)


def test_the_sites_footer_gives_no_contact_phone() -> None:
    # A copy of the page keeps the site's footer below a reply that gives no phone of its own.
    lines = [
        "王某某代表：",
        "您提出的《关于增设公交站点的建议》收悉，现答复如下：",
        "一、我们将加快推进有关工作，按计划完成建设任务。",
        "示例市交通运输局",
        "2023年6月9日",
        "上一篇：",
        "主 办：示例市人民政府办公室 | 联系地址：示例路1号 | 联系方式：0000-1234567",
        "ICP备案号：示ICP备00000000号 | 政府网站标识码：0000000000",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.lead_agency == "示例市交通运输局"
    assert document.reply.contact_phone is None


@pytest.mark.parametrize(
    ("opening", "session"),
    [
        # The verb before the place is no part of its name.
        (
            "接到示例县十一届人大三次会议《关于增设公交站点的建议》后，我局高度重视。",
            "示例县十一届人大三次会议",
        ),
        # 政治协商会议 written out.
        (
            "您在示例区第十三届政治协商会议第四次会议上提出的提案收悉。",
            "示例区第十三届政治协商会议第四次会议",
        ),
        # A CPPCC session written the other way round: the term before the place, or spaced.
        (
            "政协第十三届示例县委员会第三次会议结束后，您提出的提案收悉。",
            "政协第十三届示例县委员会第三次会议",
        ),
        (
            "您在政治协商会议 示例县十届委员会第四次会议上提出的提案收悉。",
            "政治协商会议 示例县十届委员会第四次会议",
        ),
        (
            "你们在政协示例县九届一次会议上提出的提案收悉。",
            "政协示例县九届一次会议",
        ),
    ],
)
def test_the_session_as_the_opening_names_it(opening: str, session: str) -> None:
    document = extract_document(_reply(opening, title="关于增设公交站点的答复"), URL)
    assert document.reply is not None
    assert document.reply.session == session


def test_a_standing_committees_meeting_in_the_text_is_not_the_session() -> None:
    # The title names the session; the text cites the standing committee's reading of a law.
    page = _reply(
        "您提出的《关于保护传统村落的提案》收悉。2024年4月25日市八届人大常委会第二十八次会议"
        "对《示例市传统村落保护条例（草案）》进行了审议。",
        title="关于市政协八届第三次会议第20240425号提案的答复",
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.session == "市政协八届第三次会议"
    assert document.reply.addressee_role == "委员"


def test_the_text_ends_at_the_links_to_its_neighbours() -> None:
    # A copy of the page keeps the links to the previous and next articles after the reply:
    # another reply's session and number are no part of this one.
    lines = [
        "王某某委员：",
        "您提出的关于加强饮水安全的提案收悉，现答复如下：",
        "一、我们将加快推进有关工作。",
        "示例县水务局",
        "2023年6月9日",
        "上一条：示例县水务局关于对示例县第九届政协第四次会议第9号提案的答复",
        "下一条：示例县水务局关于做好防汛工作的通知",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.body_text is not None
    assert document.body_text.endswith("2023年6月9日")
    assert document.reply is not None
    assert (document.reply.session, document.reply.proposal_no) == (None, None)


def test_a_party_committee_greeted_by_the_reply_is_its_addressee() -> None:
    page = _reply(
        "你们提出的《关于加强基层食品安全监管的提案》收悉。", salutation="农工党示例市委："
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.addressee == "农工党示例市委"


def test_a_co_handling_opinion_names_the_party_that_proposed() -> None:
    lines = [
        "对市政协十三届三次会议第8206号提案的协办意见",
        "示例市市场监督管理局：",
        "经研究，现对九三学社提出的关于《关于加强基层食品安全监管的提案》提出如下协办意见，"
        "供你单位答复委员时参考：",
        "一、加大检查力度。",
        "示例市信息中心",
        "2019年6月11日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.kind == "co_handling_opinion"
    assert document.reply is not None
    assert document.reply.addressee == "九三学社"


def test_a_records_proposer_under_a_spaced_label() -> None:
    lines = [
        "关于增设公交站点的建议",
        "提  案  者：王某某",
        "承办单位：示例县交通运输局",
        "提案内容：示例路沿线居民出行不便，建议增设公交站点。",
        "办理情况：",
        "关于你提出的“关于增设公交站点的建议”的提案，现答复如下：",
        "我局将于年内增设站点。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.addressee == "王某某"


def test_a_breadcrumbs_short_name_gives_way_to_the_publishers_full_one() -> None:
    lines = [
        "您现在所在的位置: 网站首页> 示例市交运局> 建议提案办理",
        "索引号: 000000001/202406-00047 发布机构: 示例市交通运输局",
        "对政协十一届三次会议第115号提案的答复",
        "王某某委员：",
        "您提出的《关于加快乡村公交站点建设的建议》已收悉，现答复如下：",
        "我局将于年内完成站点建设。",
        "2024年5月21日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.publisher == "示例市交通运输局"
    assert document.reply is not None
    assert document.reply.lead_agency == "示例市交通运输局"


def test_a_signature_with_the_sites_name_names_the_agency() -> None:
    page = _reply(
        "您提出的《关于增设公交站点的建议》收悉。",
        sign_off=("示例省交通运输厅政府网站", "2023年6月9日"),
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.lead_agency == "示例省交通运输厅"


def test_a_metadata_list_copied_with_hyphens_is_read_and_skipped() -> None:
    lines = [
        "人大代表建议办理答复",
        "- 索引号: 000000001-2024-00990",
        "- 发布机构: 示例州交通运输局",
        "- 文号:",
        "- 发布日期: 2021-10-29",
        "示例州交通运输局对州十二届人大四次会议第243号建议的答复",
        "王某某等5名代表:",
        "你们提出的《关于给予收费站改扩建项目立项的建议》收悉，现答复如下：",
        "我局将积极会同有关县推进项目。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.title == "示例州交通运输局对州十二届人大四次会议第243号建议的答复"
    assert document.publisher == "示例州交通运输局"
    assert document.addressee == "王某某等5名代表"
    assert document.reply is not None
    assert document.reply.lead_agency == "示例州交通运输局"


@pytest.mark.parametrize("opening", ["对", "關於"])
def test_the_issuing_body_above_a_title_opening_with_dui_or_guanyu_is_joined(opening: str) -> None:
    lines = [
        "示交函〔2011〕25号 签发人:某某某",
        "示例县交通局",
        f"{opening}县十六届人大六次会议第37号建议的复函",
        "王某某代表:",
        "您提出的关于修建环山公路的建议收悉，现答复如下：",
        "我局将积极争取项目计划。",
        "二○一一年五月十日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.title == f"示例县交通局{opening}县十六届人大六次会议第37号建议的复函"
    assert document.reply is not None
    assert document.reply.lead_agency == "示例县交通局"


def test_news_that_a_bureau_answered_a_proposal_is_no_reply() -> None:
    lines = [
        "示例省教育厅对省民进20210014号提案作出答复",
        "近日，示例省教育厅对民进示例省委会提交省政协十二届四次会议第20210014号"
        "《关于关注中小学生心理健康的提案》作出答复。",
        "省教育厅在答复中首先介绍了全省心理健康教育工作的情况。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.kind == "other"


def test_a_deputys_suggestion_titled_without_quotes_ends_at_its_word() -> None:
    opening = "您提出的关于加快推进老旧小区综合改造的代表建议收悉。"
    document = extract_document(_reply(opening, title="关于老旧小区改造的答复"), URL)
    assert document.reply is not None
    assert document.reply.proposal_title == "关于加快推进老旧小区综合改造的代表建议"


def test_the_received_items_title_beats_the_number_the_pages_own_title_quotes() -> None:
    # A copy keeps the page's title (quoting the number) above the letter, among the lines the
    # reply's fields are read from.
    lines = [
        "发布机构 示例市经信局 信息分类 人大代表建议",
        "示例市经信局关于市十四届人大三次会议“西湖31号”建议的答复",
        "来源:示例市经济和信息化局 发布时间:2023-11-03 11:04",
        "王某某代表：",
        "您在市十四届人大三次会议上的《关于支持开源软件发展的建议》(西湖31号)收悉。现答复如下。",
        "一、加强政策制定引导开源生态培育。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.proposal_title == "关于支持开源软件发展的建议"
    assert document.reply.proposal_no == "西湖31号"


@pytest.mark.parametrize(
    ("salutation", "addressee"),
    [
        ("尊敬王某某代表：", "王某某"),  # 尊敬 without 的
        ("王某某政协示例县委员：", "王某某"),  # the body the member sits on, before the role
        ("市政协工商联界别组：", "市政协工商联界别组"),  # a group keeps its word
        ("示例街委员联络组：", "示例街委员联络组"),
    ],
)
def test_the_addressee_as_salutations_write_it(salutation: str, addressee: str) -> None:
    page = _reply("您提出的《关于增设公交站点的提案》收悉。", salutation=f"{salutation}")
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.addressee == addressee


@pytest.mark.parametrize(
    ("block", "person", "phone"),
    [
        ("联系单位及电话：示例县综合行政执法局5972877", None, "5972877"),
        ("联系电话：0915─4426580", None, "0915─4426580"),
        ("承 办 人签字：李某某 联 系 电 话：13119099188", "李某某", "13119099188"),
        (
            "主管领导人姓名：赵某某 联系电话：84847155 具体经办人姓名：李某某 联系电话：84835851",
            "李某某",
            "84835851",
        ),
    ],
)
def test_more_contact_blocks_as_sign_offs_write_them(
    block: str, person: str | None, phone: str
) -> None:
    page = _reply(
        "您提出的《关于增设公交站点的建议》收悉。",
        sign_off=("示例市交通运输局", f"{block}", "2023年6月9日"),
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert (document.reply.contact_person, document.reply.contact_phone) == (person, phone)


def test_co_handling_units_after_a_missing_comma_and_under_their_label() -> None:
    opening = "您提出的《关于加快我市数字经济发展的工作建议》(第0265号)收悉市发展改革委、市科技局共同研究办理，"
    document = extract_document(_reply(opening, title="关于数字经济的答复"), URL)
    assert document.reply is not None
    assert document.reply.co_agencies == ["市发展改革委", "市科技局"]

    sign_off = (
        "主办单位：示例市交通运输局",
        "会办单位：示例市公安局",
        "示例市交通运输局",
        "2023年6月9日",
    )
    page = _reply("您提出的《关于增设公交站点的建议》收悉。", sign_off=sign_off)
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.co_agencies == ["示例市公安局"]


def test_the_sites_sponsor_in_its_footer_is_not_the_lead_agency() -> None:
    lines = [
        "王某某代表：",
        "您提出的《关于增设公交站点的建议》收悉，现答复如下：",
        "我局将于年内增设站点。",
        "示例县交通运输局",
        "2023年7月14日",
        "主办单位: 示例县人民政府办公室",
        "建设与维护:示例市电子政务外网运营中心",
        "蜀ICP备00000000号",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.lead_agency == "示例县交通运输局"


def test_a_quoted_title_holding_single_quotes_is_whole() -> None:
    opening = "您提出的关于“运用人工智能技术，建设‘数字人专家’，服务惠企政策落地”的代表建议收悉。"
    document = extract_document(_reply(opening, title="关于人工智能的答复"), URL)
    assert document.reply is not None
    assert document.reply.proposal_title == "运用人工智能技术，建设‘数字人专家’，服务惠企政策落地"


def test_the_number_as_the_title_writes_it() -> None:
    page = _reply("您提出的第56号提案收悉。", title="关于市政协十届二次会议56号提案的答复")
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.proposal_no == "56号"


def test_units_the_answer_was_studied_with_are_co_handling() -> None:
    opening = "您提出的《关于发展数字经济的建议》收悉。经会同市数据局、市人社局研究答复如下："
    document = extract_document(_reply(opening, title="关于数字经济的答复"), URL)
    assert document.reply is not None
    assert document.reply.co_agencies == ["市数据局", "市人社局"]


def test_an_opinion_that_asks_the_lead_unit_to_answer_with_it_is_a_co_handling_opinion() -> None:
    lines = [
        "示工信建议函〔2021〕28号",
        "省科技厅：",
        "王某某代表提出的《关于支持软件产业发展的建议》收悉。现将我厅意见函告如下，请一并答复代表：",
        "一、加大政策支持力度。",
        "示例省工业和信息化厅",
        "2021年6月1日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.kind == "co_handling_opinion"
    assert document.reply is not None
    assert document.reply.lead_agency == "省科技厅"
    assert document.reply.co_agencies == ["示例省工业和信息化厅"]


def test_a_committee_of_the_cppcc_greeted_by_the_reply_is_its_addressee() -> None:
    page = _reply(
        "你们提出的《关于加强法治宣传的提案》收悉。", salutation="县政协社会和法制委员会："
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.addressee == "县政协社会和法制委员会"


def test_a_last_line_cut_off_in_a_sentence_is_no_signature() -> None:
    lines = [
        "王某某代表：",
        "你们提出的关于修建道路的建议收悉，现答复如下：",
        "我局将积极争取项目资金。",
        "感谢你们对政府",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.lead_agency is None


def test_a_class_in_brackets_before_its_word_after_the_number() -> None:
    page = _reply("你们提出的《关于抗旱渠道的建议》收悉。", above=("示县水利字〔2016〕2号(B)类",))
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.result_class == "B"


def test_the_sites_sponsor_line_with_its_phone_gives_no_contact_phone() -> None:
    lines = [
        "王某某代表：",
        "您提出的《关于教师周转房的建议》收悉，现答复如下：",
        "我局将继续修建教师周转房。",
        "2017年7月24日",
        "(联系人:李某某)",
        "主办单位:示例县人民政府办公室 联系方式:0000-87721549 地址:示例县府路27号",
        "示例县人民政府版权所有 示ICP备00000000号",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.contact_phone is None


def test_a_capital_letter_in_brackets_is_no_pinyin() -> None:
    from crawler.extract.text import has_pinyin, strip_pinyin

    assert strip_pinyin("鎮(zhèn)康縣會(huì)議") == "鎮康縣會議"
    assert (
        strip_pinyin("示县水利字〔2016〕2号(B)类，事项(a)") == "示县水利字〔2016〕2号(B)类，事项(a)"
    )
    assert not has_pinyin("2号(B)类")


def test_a_title_run_together_with_its_date_and_source() -> None:
    lines = [
        "示例市人民政府办公厅关于对市十六届人大二次会议第1170号代表建议的答复的函 2024-05-31 来源:市政府办公厅建议提案处",
        "王某某代表:",
        "您提出的关于建设政策服务平台的代表建议收悉。现将办理情况答复如下:",
        "我们正积极吸收采纳，不断推进相关工作。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert (
        document.title == "示例市人民政府办公厅关于对市十六届人大二次会议第1170号代表建议的答复的函"
    )
    assert document.reply is not None
    assert document.reply.lead_agency == "示例市人民政府办公厅"


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (["示例省市场监督管理局", "对省第十三届人大五次会议第735号", "建议答复的函"],
         "示例省市场监督管理局对省第十三届人大五次会议第735号建议答复的函"),
        (["示例市大数据应用发展管理局", "关于市政协五届五次会议第0637号提案", "办理情况的复函"],
         "示例市大数据应用发展管理局关于市政协五届五次会议第0637号提案办理情况的复函"),
    ],
)  # fmt: skip
def test_a_title_broken_after_its_items_number(lines: list[str], title: str) -> None:
    body = [
        "王某某代表:",
        "您提出的《关于优化营商环境的建议》收悉。现答复如下:",
        "我局将持续推进相关工作。",
    ]
    document = extract_document(_lines_page([*lines, *body]), URL)
    assert document.title == title


@pytest.mark.parametrize(
    "top",
    [
        ["示例市大数据应用发展管理局", "关于市五届人大五次会议第0167号建议办理情况的复函"],
        # Metadata values listed without their labels (the labels live in the markup).
        ["• MB0000000/2023-00023", "  • 示例市大数据管理局", "  • 政协提案", "  • 2023-08-15",
         "关于市政协十五届一次会议第20230753号提案的答复"],
    ],
)  # fmt: skip
def test_a_unit_alone_on_a_line_above_the_letter_answers_where_nothing_else_names_one(
    top: list[str],
) -> None:
    body = ["王某某委员:", "您提出的《关于推动数据融合的提案》收悉。现答复如下:", "我局将持续推进数据共享。",
            "2023年8月15日"]  # fmt: skip
    document = extract_document(_lines_page([*top, *body]), URL)
    assert document.reply is not None
    assert document.reply.lead_agency == top[0 if len(top) == 2 else 1].strip(" •")


def test_a_co_handling_opinion_addressed_on_a_line_without_a_colon() -> None:
    lines = [
        "示例市住房和城乡建设局关于市政协八届第三次会议第20240425号会办意见的函",
        "【字体:",
        "市文化广电旅游体育局",
        "我局对示例市政协第八届第三次会议《关于在古村落中规划建设乡村书房的提案》会办意见如下:",
        "一、古村落基本情况。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.kind == "co_handling_opinion"
    assert document.reply is not None
    assert document.reply.lead_agency == "市文化广电旅游体育局"


def test_a_records_label_is_no_salutation() -> None:
    lines = [
        "关于开通示例村公交的建议",
        "领衔代表:王某某",
        "附议代表:李某某、张某某",
        "答复内容:",
        "尊敬的王某某、李某某、张某某代表:",
        "你们提出的关于开通示例村公交的建议收悉，现答复如下：我们将于年内开通公交。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.addressee == "王某某、李某某、张某某"


@pytest.mark.parametrize(
    ("line", "cls"),
    [("示城管字〔2024〕17号A1类", "A"), ("(A)类", "A"), ("A)类", "A")],
)
def test_a_class_written_around_its_letter(line: str, cls: str) -> None:
    page = _reply("你们提出的《关于加快图书馆建设的建议》收悉。", above=(f"{line}",))
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.result_class == cls


@pytest.mark.parametrize(
    ("line", "date"), [("2019年6月13", "2019-06-13"), ("202394", "2023-09-04")]
)
def test_a_signature_date_without_its_day_mark_or_separators(line: str, date: str) -> None:
    page = _reply(
        "您提出的《关于增设公交站点的建议》收悉。", sign_off=("示例市交通运输局", f"{line}")
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert (document.reply.lead_agency, document.reply.signed_date) == ("示例市交通运输局", date)


def test_a_portals_date_line_at_the_top_is_no_signed_date() -> None:
    lines = [
        "示例区文化和旅游发展委员会关于区十八届人大八次会议第06010003号建议的复函",
        "日期:2025-06-03",
        "王某某代表:",
        "你提出的《关于加快推进图书馆建设的建议》收悉，现将办理情况答复如下。",
        "我委将积极推进图书馆建设。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.signed_date is None


def test_contact_name_and_number_under_the_phones_label_and_units_at_a_school() -> None:
    page = _reply(
        "您提出的《关于校园周边秩序的建议》收悉。我局前往烟草公司和市第二完全小学等会办单位进行协调。",
        sign_off=("联系电话:陈某某 13805590606", "示例市交通运输局", "2023年6月9日"),
    )
    document = extract_document(page, URL)
    assert document.reply is not None
    assert (document.reply.contact_person, document.reply.contact_phone) == (
        "陈某某",
        "13805590606",
    )
    assert document.reply.co_agencies == ["烟草公司", "市第二完全小学"]


def test_a_numbers_letters_before_its_digits() -> None:
    page = _reply("您提出的第DH0271号建议收悉。", title="关于修路的答复")
    document = extract_document(page, URL)
    assert document.reply is not None
    assert document.reply.proposal_no == "第DH0271号"


@pytest.mark.parametrize(
    ("top", "title"),
    [
        # A document-number line with no serial and a class is no title.
        pytest.param(["對市十六屆人大一次會議第295號建議的答複", "示政建複〔2022〕號(B類)"],
                     "對市十六屆人大一次會議第295號建議的答複", id="number-line"),
        # A title naming its number, in either script, beats a later title-like line.
        pytest.param(["對市十六屆人大一次會議第295號建議的答複", "示例縣水利局2023年建議辦理情況"],
                     "對市十六屆人大一次會議第295號建議的答複", id="traditional-numbered"),
        # A breadcrumb with its links' addresses is no title; a number in brackets after one stays.
        pytest.param(["综合信息/col/col1000001/index.html政务公开/col/col1000002/index.html",
                      "关于省十三届人大一次会议温36号建议的答复[示交建〔2018〕101号]"],
                     "关于省十三届人大一次会议温36号建议的答复[示交建〔2018〕101号]", id="breadcrumb"),
        # Of two titles, the one naming the session, broken before the item's number.
        pytest.param(["第27号提案的答复", "对政协示例县第十四届委员会第一次会议", "27号提案的答复"],
                     "对政协示例县第十四届委员会第一次会议27号提案的答复", id="session-over-number"),
    ],
)  # fmt: skip
def test_the_title_among_lines_that_look_like_one(top: list[str], title: str) -> None:
    body = ["王某某代表：", "您提出的《关于加快修缮水坝的建议》收悉，现答复如下：", "我们将加快推进有关工作。",
            "示例县人民政府", "2022年7月20日"]  # fmt: skip
    document = extract_document(_lines_page([*top, *body]), URL)
    assert document.title == title


@pytest.mark.parametrize(
    ("source", "lead"), [("市工信局", "市工信局"), ("本网", None), ("示例市人民政府网", None)]
)
def test_a_reply_signed_by_date_alone_is_answered_by_the_unit_of_its_source_line(
    source: str, lead: str | None
) -> None:
    lines = [
        "关于市政协十三届二次会议第1号提案的答复",
        f"发布时间：2023-11-27 来源：{source}",
        "王某某委员：",
        "您提出的《关于发展数字经济的提案》收悉，现答复如下：",
        "我局将持续推进数字经济发展。",
        "2023年11月20日",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.reply is not None
    assert document.reply.lead_agency == lead


def test_a_contacts_name_set_apart_like_its_label() -> None:
    sign_off = ("示例市交通运输局", "联 系 人：张 雷 联系电话：56155520", "2023年6月9日")
    document = extract_document(
        _reply("您提出的《关于增设公交站点的建议》收悉。", sign_off=sign_off), URL
    )
    assert document.reply is not None
    assert (document.reply.contact_person, document.reply.contact_phone) == ("张 雷", "56155520")


def test_a_reply_mentioning_a_party_congress_in_passing_is_still_a_reply() -> None:
    lines = [
        "示例区人民政府关于对区政协第三次会议第20230118号提案的答复",
        "王某某委员:",
        "您提出的《关于发展夜间经济的建议》提案收悉,现答复如下:",
        "近年来我区夜间经济发展较快,已成为繁荣经济的重要组成部分。",
        "一、加强政策引导。按照区第十次党代会的部署,我们为夜间经济营造良好的发展环境。",
    ]
    document = extract_document(_lines_page(lines), URL)
    assert document.kind == "reply"
    assert document.reply is not None
    assert document.reply.proposal_no == "第20230118号"


def test_an_item_of_a_party_congress_is_still_no_deputys_reply() -> None:
    lines = [
        "关于对镇第十四次党代会第5号提案的答复",
        "王某某等代表:",
        "你们在镇第十四次党代表大会上提出的《关于河道保洁的提案》已收悉,现答复如下:",
        "镇里已调整保洁单位,下一步将加强日常巡查。",
    ]
    assert extract_document(_lines_page(lines), URL).kind == "other"


def test_an_items_number_keeps_the_letters_of_its_series() -> None:
    title = "关于区十九届人大五次会议DH407号建议办理情况的答复函"
    document = extract_document(
        _reply("您提出的《关于促进垃圾减量化的建议》收悉。", title=title), URL
    )
    assert document.reply is not None
    assert document.reply.proposal_no == "DH407号"
