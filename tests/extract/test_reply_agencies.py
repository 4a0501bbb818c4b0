"""Co-handling agencies: 和 joins two agencies, or lies inside one agency's name."""

from __future__ import annotations

import pytest

from crawler.extract.reply import extract_reply

BODY = (
    "王某代表：\n您提出的关于加快发展软件产业的建议收悉。经我局主办，{co}会办，现答复如下。\n"
    "一、推进产业发展。\n感谢您的关心。\n市经信局\n2024年6月9日"
)


@pytest.mark.parametrize(
    ("co", "agencies"),
    [
        ("工业和信息化部、市科技局", ["工业和信息化部", "市科技局"]),
        ("市科技局和市教育局", ["市科技局", "市教育局"]),
        ("市住房和城乡建设局和市委组织部", ["市住房和城乡建设局", "市委组织部"]),
        ("市人力资源和社会保障局、市文化和旅游局", ["市人力资源和社会保障局", "市文化和旅游局"]),
    ],
)
def test_and_splits_only_between_agencies(co: str, agencies: list[str]) -> None:
    reply = extract_reply("关于第5号建议的答复", BODY.format(co=co), "reply", "市经信局")
    assert reply.co_agencies == agencies


@pytest.mark.parametrize(
    "contact",
    [
        "联系单位：某县交通运输局\n联系电话：0000-1234567 联系人：张某",
        "联系单位及联系人：某县交通运输局 张某\n联系电话：0000-1234567",
        "签发人：李某 联系人：张某\n联系单位：某县交通运输局 联系电话：0000-1234567",
    ],
)
def test_the_contact_unit_names_the_lead_when_nothing_else_does(contact: str) -> None:
    body = (
        "王某代表：\n您提出的关于道路维修的建议收悉，现答复如下：\n一是加快施工。\n"
        f"感谢您的关心。\n2024年6月9日\n{contact}"
    )
    reply = extract_reply("对第5号建议的答复", body, "reply", None)
    assert reply.lead_agency == "某县交通运输局"


def test_a_signature_outranks_the_contact_unit() -> None:
    body = (
        "王某代表：\n您提出的关于道路维修的建议收悉，现答复如下：\n一是加快施工。\n"
        "某县住房和城乡建设局\n2024年6月9日\n联系单位：某县交通运输局"
    )
    assert extract_reply("对第5号建议的答复", body, "reply", None).lead_agency == (
        "某县住房和城乡建设局"
    )


@pytest.mark.parametrize(
    "agency", ["嘉峪关市交通运输局", "马关县水务局", "山海关区住房和城乡建设局"]
)
def test_a_title_agency_with_关_in_its_name_is_read_whole(agency: str) -> None:
    # 关 stops the agency only where 关于 begins; the label's short name takes the full one.
    body = (
        "承办单位：" + agency[-4:] + "\n王某代表：\n您提出的关于道路维修的建议收悉，现答复如下：\n"
        "一是加快施工。\n感谢您的关心。\n2024年6月9日"
    )
    reply = extract_reply(f"{agency}关于第5号建议的答复函", body, "reply", None)
    assert reply.lead_agency == agency
