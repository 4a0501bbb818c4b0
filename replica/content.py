"""Generated documents with realistic structure and wording, and their true fields.

A document is generated from its spec and a seeded random generator, so the same (seed, site,
serial) always gives the same text. `Doc` carries what the page shows; the renderers lay it out,
and `Doc.truth()` is what a correct extractor reads off the page.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from typing import Any

from replica import sites as S

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵钱严武戴孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚建华文辉庆红晓东海燕卫爱珍胜利征宇晨曦俊峰立新志远佳琪子涵浩然雨桐思远"
DELEGATIONS = ("西湖", "上城", "拱墅", "滨江", "萧山", "余杭", "临平", "钱塘", "富阳", "临安", "桐庐",
               "淳安", "建德", "市直")  # fmt: skip
AGENCIES = (
    ("市发改委", "杭州市发展和改革委员会"), ("市科技局", "杭州市科学技术局"),
    ("市财政局", "杭州市财政局"), ("市数据资源局", "杭州市数据资源管理局"),
    ("市教育局", "杭州市教育局"), ("市人力社保局", "杭州市人力资源和社会保障局"),
    ("市商务局", "杭州市商务局"), ("市委组织部", "中共杭州市委组织部"),
    ("市市场监管局", "杭州市市场监督管理局"), ("市投资促进局", "杭州市投资促进局"),
)  # fmt: skip
PROVINCE_AGENCIES = ("省发改委", "省科技厅", "省财政厅", "省教育厅", "省数据局", "省人社厅")
NATIONAL_AGENCIES = ("国家发展改革委", "科技部", "教育部", "财政部", "工业和信息化部", "商务部")
DEPARTMENTS = ("软件处", "产业处", "综合处", "科技处", "数字经济处", "办公室")

# Topics: (phrase, is open source in the software sense).
OPEN_SOURCE_TOPICS = (
    "开源软件", "开源社区", "开源鸿蒙", "openEuler操作系统", "开放原子开源基金会项目", "RISC-V开源芯片",
    "开源生态",
)  # fmt: skip
OTHER_TOPICS = (
    "数字经济", "中小企业数字化转型", "集成电路产业", "人工智能产业", "先进制造业", "工业互联网",
    "专精特新企业", "绿色低碳发展", "营商环境", "数据要素市场",
)  # fmt: skip
OTHER_KAIYUAN = ("开源节流", "开源证券", "开源路")

_PARAGRAPHS = (
    "坚持以数字化改革为引领，推动{topic}高质量发展，持续完善政策体系和服务体系。",
    "围绕{topic}，我们组织开展专题调研，梳理存在的问题和短板，研究提出针对性举措。",
    "加强统筹协调，明确责任分工，强化要素保障，形成推进{topic}的工作合力。",
    "下一步，我们将认真研究吸收有关意见，进一步加大对{topic}的支持力度。",
    "截至目前，全市已累计支持相关项目{n}个，带动社会投资{m}亿元。",
    "加强人才培养，支持高校、科研院所与企业共建实训基地，集聚{topic}领域高层次人才。",
)
_KAIYUAN_OTHER_SENTENCES = {
    "开源节流": "坚持开源节流、量入为出，严控一般性支出，提高财政资金使用效益。",
    "开源证券": "会同开源证券等金融机构举办投融资对接活动，拓宽企业融资渠道。",
    "开源路": "开源路沿线道路改造工程已完成立项，将同步实施管线迁改。",
}
_NOTICE_TITLES = ("关于开展{year}年度{topic}专项申报工作的通知", "关于做好{topic}相关工作的通知",
                  "关于公布{year}年度{topic}试点名单的通知")  # fmt: skip
_POLICY_TITLES = ("关于印发《{topic}三年行动计划（{year}—{end}年）》的通知", "关于加快推进{topic}的若干意见",
                  "关于进一步支持{topic}发展的实施意见")  # fmt: skip
_NEWS_TITLES = (
    "{agency}召开{topic}工作推进会",
    "{agency}赴企业调研{topic}工作",
    "{year}年{topic}发展论坛举行",
)


@dataclass(frozen=True)
class Attachment:
    name: str
    type: str  # pdf | doc | wps | xls | ofd | docx | xlsx | zip
    key: str  # the file's stable name on the server
    #: What the file says, a paragraph (a spreadsheet row: cells joined by tabs) a line; empty: a
    #: file with no readable text.
    text: tuple[str, ...] = ()
    scan: bool = False  # a PDF of page images only: its text is read by OCR

    def truth(self, url: str) -> dict[str, Any]:
        """What reading the file should give (`govwatch attachment`, the crawl's stored text)."""
        return {"url": url, "name": self.name, "type": self.type,
                "text": "\n".join(self.text) or None, "ocr": self.scan}  # fmt: skip


#: The types of the replica's attachment files, as often as portals use them (roughly).
FILE_TYPES = ("pdf", "pdf", "pdf", "ofd", "docx", "docx", "xlsx", "zip", "doc", "wps", "xls")
#: Legacy Word, WPS and Excel files no free library writes: one real sample of each, made once
#: with LibreOffice from the text below (replica/samples/), served for every such
#: attachment. A .wps from WPS Office is a Word 97 compound file; the sample is one, so named.
LEGACY_TEXT = {
    "doc": ("关于做好年度项目申报工作的补充说明",
            "一、申报单位应当如实填写申报材料，并对材料的真实性负责。",
            "二、申报材料请于规定时间内报送，逾期不再受理。",
            "三、联系电话：0571-85000000。"),
    "xls": ("序号\t单位名称\t项目数\t金额（万元）", "1\t示范单位甲\t3\t120", "2\t示范单位乙\t5\t260"),
}  # fmt: skip
LEGACY_TEXT["wps"] = LEGACY_TEXT["doc"]
_MATERIAL = (
    "一、申报对象为在本市依法登记注册、具有独立法人资格的企事业单位。",
    "二、申报材料包括申报书、营业执照复印件及相关证明材料，一式三份。",
    "三、请于{month}月{day}日前将申报材料报送至受理窗口，逾期不予受理。",
    "四、项目评审采取专家评审与现场核查相结合的方式，择优确定支持名单。",
    "五、联系电话：{phone}，受理时间为工作日上午九时至下午五时。",
)


def _material(rng: random.Random, type_: str, agency: str, year: int) -> tuple[str, ...]:
    """The text of a notice's attachment: a table for a spreadsheet, else a few articles.
    (No 开源 in it: what a rule finds in the replica's attachments stays what the tests expect.)"""
    if type_ in LEGACY_TEXT:
        return LEGACY_TEXT[type_]
    if type_ == "xlsx":
        rows = ["序号\t单位名称\t项目数\t金额（万元）"]
        for number in range(1, rng.randint(3, 6)):
            rows.append(f"{number}\t{agency}第{rng.randint(1, 9)}项目组\t{rng.randint(1, 20)}\t"
                        f"{rng.randint(10, 500)}")  # fmt: skip
        return tuple(rows)
    lines = [f"{agency}{year}年度申报指南"]
    for template in rng.sample(_MATERIAL, rng.randint(2, 4)):
        lines.append(template.format(month=rng.randint(1, 12), day=rng.randint(1, 28),
                                     phone=f"0571-8{rng.randint(1000000, 9999999)}"))  # fmt: skip
    return tuple(lines)


@dataclass
class Doc:
    """A document as its page shows it (values in the page's script)."""

    title: str
    kind: str  # extract's kind: reply | co_handling_opinion | other
    publisher: str
    source: str
    category: str
    column_name: str
    index_no: str
    doc_no: str | None
    disclosure_form: str | None
    written_date: dt.date
    published: dt.datetime
    paragraphs: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    open_source: bool = False
    keywords: str = ""
    # The salutation that opens the body (主送), without its colon; what stands above it (a
    # result class such as （B类）) is not the body.
    salutation: str | None = None
    #: A reply published only as its attachment: the page says 详见附件; the kind and the reply
    #: fields the crawl reads come from the file (`crawl_truth`), the page gives its title's.
    in_attachment: bool = False
    page_reply: dict[str, Any] | None = None

    def crawl_truth(self, url: str, site: S.Site, attachment_urls: list[str]) -> dict[str, Any]:
        """The record a crawl should store: the page's, with what its attachments say where
        the page says only 详见附件 (the kind and the reply fields, read from the file)."""
        record = self.truth(url, site, attachment_urls)
        if self.in_attachment:
            record["kind"] = self.kind
            record["reply"] = dict(self.reply) if self.reply is not None else None
            record["warnings"] = [
                f"kind and reply fields read from the attachment {self.attachments[0].name}"
            ]
        return record

    def attachment_truth(self, attachment_urls: list[str]) -> list[dict[str, Any]]:
        return [a.truth(link) for a, link in zip(self.attachments, attachment_urls, strict=True)]

    def truth(self, url: str, site: S.Site, attachment_urls: list[str]) -> dict[str, Any]:
        """The record `govwatch extract` should print for this page."""
        start = self.paragraphs.index(f"{self.salutation}：") if self.salutation else 0
        return {
            "url": url,
            "title": self.title,
            "addressee": self.salutation,
            "index_no": self.index_no,
            "doc_no": self.doc_no,
            "publisher": self.publisher,
            "source": self.source,
            "category": self.category,
            "disclosure_form": self.disclosure_form,
            "written_date": self.written_date.isoformat(),
            "published_at": self.published.isoformat(),
            "kind": self.kind,
            "reply": dict(self.reply) if self.reply is not None else None,
            **({"kind": "reply", "reply": self.page_reply} if self.in_attachment else {}),
            "body_text": "\n".join(self.paragraphs[start:]) or None,
            "attachments": [
                {"url": link, "name": a.name, "type": a.type}
                for a, link in zip(self.attachments, attachment_urls, strict=True)
            ],
            "site_name": site.site_name,
            "column_name": self.column_name,
            "script": site.script,
            "warnings": [],
        }


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _cn_date(day: dt.date) -> str:
    digits = "〇一二三四五六七八九"

    def small(n: int) -> str:
        if n < 10:
            return digits[n]
        return ("" if n < 20 else digits[n // 10]) + "十" + (digits[n % 10] if n % 10 else "")

    year = "".join(digits[int(c)] for c in str(day.year))
    return f"{year}年{small(day.month)}月{small(day.day)}日"


def _sessions(site: S.Site, year: int, proposal: bool) -> str:
    """The session whose suggestions are answered in `year`."""
    if site.family == "govcn":
        return f"十四届全国{'政协' if proposal else '人大'}{_small(max(1, year - 2022))}次会议"
    place = "省" if site.family == "trs" else "市"
    term, sitting = (14, year - 2020) if year <= 2026 else (15, 1)
    if proposal:
        return f"{place}政协{'十二' if term == 14 else '十三'}届{_small(sitting)}次会议"
    return f"{place}{_small(term)}届人大{_small(sitting)}次会议"


def _small(n: int) -> str:
    digits = "〇一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return (
        "十" + digits[n - 10]
        if n < 20
        else digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    )


def _topic(rng: random.Random) -> tuple[str, bool, str | None]:
    """(topic phrase, about open-source software, another sense of 开源 used in passing)."""
    roll = rng.random()
    other_kaiyuan = rng.choice(OTHER_KAIYUAN) if rng.random() < 0.06 else None
    if roll < 0.10:
        return rng.choice(OPEN_SOURCE_TOPICS), True, other_kaiyuan
    return rng.choice(OTHER_TOPICS), False, other_kaiyuan


def _body(rng: random.Random, topic: str, count: int) -> list[str]:
    lines = []
    for template in rng.sample(_PARAGRAPHS, count):
        lines.append(template.format(topic=topic, n=rng.randint(12, 480), m=rng.randint(3, 90)))
    return lines


def generate(
    site: S.Site, column: S.Column, kind: str, serial: int, published: dt.datetime, seed: int
) -> Doc:
    """The document `serial` of `site`: deterministic from its arguments.

    Long on purpose: one random stream draws every value in a fixed order, and the replica's
    truth, its tests and its benchmarks rest on that order; split, the draws would be easy to
    reorder by accident."""
    rng = random.Random(f"{seed}/{site.name}/{serial}")
    topic, open_source, other_kaiyuan = _topic(rng)
    year = published.year
    pub_date = published.date()
    signed = pub_date - dt.timedelta(days=rng.randint(3, 150))
    serial_no = rng.randint(1, 400)
    index_no = f"{site.org_code}/{year}-{rng.randint(1, 99999):05d}"
    if site.optional:  # numbered in order, as 索引号 are: one per document (identity rests on it)
        index_no = f"{site.org_code}/{year}-{serial + 1:05d}"
    paragraphs: list[str] = []
    reply: dict[str, Any] | None = None
    doc_no: str | None = None
    extract_kind = "other"
    category = column.name
    attachments: list[Attachment] = []
    opening: str | None = None  # the body's salutation
    publisher, agency = site.publisher, site.agency
    if site.family == "jpaas" and kind in (S.NOTICE, S.POLICY):
        publisher, agency = rng.choice(AGENCIES)

    if kind in (S.REPLY_SUGGESTION, S.REPLY_PROPOSAL, S.CO_HANDLING):
        proposal = kind == S.REPLY_PROPOSAL or (kind == S.CO_HANDLING and rng.random() < 0.3)
        role = "委员" if proposal else "代表"
        session = _sessions(site, year, proposal)
        if site.family == "hanweb" and not proposal and rng.random() < 0.7:
            number = f"{rng.choice(DELEGATIONS)}{serial_no}号"
            quoted = f"“{number}”"
        elif proposal and rng.random() < 0.5:
            number = f"第{year}{serial_no:04d}号"
            quoted = number
        else:
            number = f"第{serial_no:04d}号" if rng.random() < 0.5 else f"第{serial_no}号"
            quoted = number
        noun = "提案" if proposal else "建议"
        grow = "" if topic.endswith("发展") else "发展"
        proposal_title = f"关于{rng.choice(('加快', '支持', '推动', '促进'))}{topic}{grow}的{noun}"
        count = rng.random()
        if count < 0.7:
            addressee = _name(rng)
        elif count < 0.85:
            addressee = f"{_name(rng)}、{_name(rng)}"
        else:
            addressee = f"{_name(rng)}等{rng.randint(2, 9)}名{role}"
        salutation = addressee if addressee.endswith(role) else addressee + role
        co_pool = (
            [a for a, _ in AGENCIES]
            if site.family in ("hanweb", "jpaas", "generic")
            else list(PROVINCE_AGENCIES if site.family == "trs" else NATIONAL_AGENCIES)
        )
        co = rng.sample([a for a in co_pool if a != publisher], rng.randint(0, 3))
        person = f"{rng.choice(DEPARTMENTS)}{_name(rng)}"
        area = "0571" if site.family in ("hanweb", "jpaas") else "027"
        phone = (
            f"{rng.randint(85000000, 88999999)}"
            if rng.random() < 0.5
            else f"{area}-{rng.randint(85000000, 88999999)}"
        )
        signed_text = (
            _cn_date(signed)
            if rng.random() < 0.25
            else f"{signed.year}年{signed.month}月{signed.day}日"
        )
        result = rng.choice(("A", "B", "C")) if rng.random() < 0.3 else None
        if kind == S.CO_HANDLING:
            extract_kind = "co_handling_opinion"
            lead_short = (
                rng.choice([a for a, _ in AGENCIES if a != publisher])
                if site.family != "trs"
                else rng.choice(PROVINCE_AGENCIES)
            )
            title = f"{agency}关于{session}{quoted}{noun}的会办意见"
            doc_no = f"{site.doc_prefix}提函〔{year}〕{rng.randint(1, 300)}号"
            paragraphs = [
                f"{lead_short}：",
                f"{salutation}提出的《{proposal_title}》（{number}）收悉。经研究，现将我单位会办意见函告如下：",
                *_body(rng, topic, 2),
                f"联系人：{person}，联系电话：{phone}。",
                agency,
                signed_text,
            ]
            lead, co, result = lead_short, [publisher], None
            opening = lead_short
        else:
            extract_kind = "reply"
            if site.family == "hanweb":
                title = f"{publisher}关于{session}{quoted}{noun}的答复"
            elif site.family == "govcn":
                title = f"对{session}{number}{noun}的答复"
            else:
                title = f"关于{session}{number}{noun}的答复" + ("函" if rng.random() < 0.3 else "")
            doc_no = f"{site.doc_prefix}提〔{year}〕{rng.randint(1, 300)}号"
            you = "你们" if "、" in addressee or "等" in addressee else "您"
            if co:
                handling = f"经我{'局' if site.family != 'trs' else '厅'}主办，{'、'.join(co)}会办，现答复如下："
                lead = publisher
            else:
                handling = "现答复如下："
                lead = agency
            paragraphs = [f"{salutation}："]
            opening = salutation
            if result and rng.random() < 0.5:
                paragraphs.insert(0, f"（{result}类）")
            paragraphs += [
                f"{you}在{session}上提出的《{proposal_title}》（{number}）收悉。{handling}",
                *(
                    f"{'一二三四'[i]}、{line}"
                    for i, line in enumerate(_body(rng, topic, rng.randint(2, 4)))
                ),
                f"感谢{you}对我们工作的关心和支持。",
            ]
            if result and not paragraphs[0].startswith("（"):
                paragraphs.append(f"办理结果：{result}类")
            if rng.random() < 0.5:
                paragraphs.append(f"联系人：{person}，电话：{phone}。")
            else:
                paragraphs += [f"联系人：{person}", f"联系电话：{phone}"]
            paragraphs += [agency, signed_text]
        reply = {
            "addressee": addressee,
            "addressee_role": role,
            "body_type": "proposal" if proposal else "suggestion",
            "session": session,
            "proposal_no": number,
            "proposal_title": proposal_title,
            "lead_agency": lead,
            "co_agencies": co,
            "contact_person": person,
            "contact_phone": phone,
            "signed_date": signed.isoformat(),
            "result_class": result,
        }
        written = signed
    elif kind == S.SUMMARY:
        title = f"{agency}{year - 1 if published.month < 3 else year}年度人大代表建议和政协委员提案办理工作总结"
        paragraphs = [
            f"{year}年，我们共承办人大代表建议{rng.randint(20, 90)}件、政协委员提案{rng.randint(10, 60)}件，均已按时办结并答复。",
            *_body(rng, topic, 3),
            agency,
            f"{pub_date.year}年{pub_date.month}月{pub_date.day}日",
        ]
        written = pub_date
    else:
        template = {S.NOTICE: _NOTICE_TITLES, S.POLICY: _POLICY_TITLES, S.NEWS: _NEWS_TITLES}[kind]
        title = rng.choice(template).format(topic=topic, year=year, end=year + 2, agency=agency)
        if kind != S.NEWS:
            doc_no = (
                f"{site.doc_prefix}{rng.choice(('', '发', '函'))}〔{year}〕{rng.randint(1, 200)}号"
            )
        paragraphs = ["各有关单位：" if kind != S.NEWS else f"{pub_date.month}月{pub_date.day}日，{agency}召开专题会议。",
                      *_body(rng, topic, rng.randint(2, 5))]  # fmt: skip
        if kind != S.NEWS:
            opening = "各有关单位"
            paragraphs += [agency, f"{pub_date.year}年{pub_date.month}月{pub_date.day}日"]
        written = pub_date - dt.timedelta(days=rng.randint(0, 5))
        if kind in (S.NOTICE, S.POLICY) and rng.random() < 0.4:
            kinds = ("pdf", "doc", "ofd")
            # The files' own generator: what they are and say leaves the page's text as it was.
            files = random.Random(f"{seed}/{site.name}/{serial}/files")
            for position in range(rng.randint(1, 2)):
                rng.choice(kinds)
                type_ = files.choice(FILE_TYPES)
                name = f"附件{position + 1}：{topic}有关材料.{type_}"
                attachments.append(
                    Attachment(
                        name, type_, f"{site.name}-{serial}-{position}.{type_}",
                        _material(files, type_, agency, year),
                        scan=type_ == "pdf" and files.random() < 0.2,
                    )
                )  # fmt: skip
    if other_kaiyuan:
        paragraphs.insert(min(2, len(paragraphs)), _KAIYUAN_OTHER_SENTENCES[other_kaiyuan])
    if doc_no is not None and rng.random() < 0.33:
        doc_no = None  # 文件编号 is empty on about a third of real pages
    in_attachment, page_reply = False, None
    if extract_kind == "reply" and reply is not None and site.family != "jpaas":
        # Some replies are published only as a file (a signed PDF, a Word or OFD file): the
        # page says 详见附件, and what the reply says is in the file. (Not on the jpaas
        # portals, whose robots.txt forbids their download API to a polite crawler.)
        files = random.Random(f"{seed}/{site.name}/{serial}/reply-file")
        if files.random() < 0.15:
            type_ = files.choice(("pdf", "pdf", "docx", "ofd"))
            attachments = [Attachment(f"{title}.{type_}", type_,
                                      f"{site.name}-{serial}-0.{type_}", tuple(paragraphs))]  # fmt: skip
            paragraphs, opening, in_attachment = ["详见附件。"], None, True
            page_reply = _title_reply(reply, publisher)
    return Doc(
        title=title,
        kind=extract_kind,
        publisher=publisher,
        source=agency,
        category=category,
        column_name=column.name,
        index_no=index_no,
        doc_no=doc_no,
        # gov.cn and gkmlpt pages show none
        disclosure_form=None if site.family in ("govcn", "gkmlpt") else "主动公开",
        written_date=written,
        published=published,
        paragraphs=paragraphs,
        attachments=attachments,
        reply=reply,
        open_source=open_source,
        salutation=opening,
        in_attachment=in_attachment,
        page_reply=page_reply,
    )


def _title_reply(reply: dict[str, Any], publisher: str) -> dict[str, Any]:
    """The reply fields a page that says only 详见附件 gives: those its title names, and its
    publisher (发布机构) as the agency that answers."""
    shown = ("addressee_role", "body_type", "session", "proposal_no")
    return {key: reply[key] if key in shown else None for key in reply} | {
        "co_agencies": [], "lead_agency": publisher,
    }  # fmt: skip


def edited(doc: Doc, day: dt.date) -> Doc:
    """The document after an edit on `day`: same URL, new text."""
    note = f"（本文于{day.year}年{day.month}月{day.day}日更新，补充了有关内容。）"
    return replace(doc, paragraphs=[*doc.paragraphs, note])
