"""A reply's header line `某复〔2024〕3号 签发人：某某` is a label line, not the salutation: the
title under it and the deputies' salutation below are read as such."""

from __future__ import annotations

import pytest

from crawler.extract.body import salutation
from crawler.extract.document import extract_document

LINES = [
    "{number} {label}：李某",
    "某市科学技术局关于市五届人大一次会议第12号建议办理情况的答复",
    "王某、赵某代表：",
    "你们提出的《关于支持开源软件社区发展的建议》（第12号）收悉，现答复如下：",
    "一是设立专项资金。二是建设开源代码托管平台。",
    "某市科学技术局",
    "2024年6月9日",
]


@pytest.mark.parametrize("label", ["签发人", "审核人", "拟稿人"])
def test_a_signer_label_is_no_salutation(label: str) -> None:
    assert salutation(f"某科复〔2024〕12号 {label}：李某") is None
    lines = [line.format(number="某科复〔2024〕12号", label=label) for line in LINES]
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"
    document = extract_document(page.encode(), "http://kj.example.gov.cn/1.html")
    assert document.title == LINES[1]
    assert document.reply is not None
    assert document.reply.addressee == "王某、赵某"
    assert document.reply.lead_agency == "某市科学技术局"


def test_a_deputy_is_still_a_salutation() -> None:
    assert salutation("李某代表：") == "李某代表"
