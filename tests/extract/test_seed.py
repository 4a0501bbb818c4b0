"""The real 西湖31号 reply: every fact its README lists, in both scripts."""

from __future__ import annotations

import pytest
from itemadapter import ItemAdapter
from saved_pages import FIXTURES

from crawler.extract import extract_document
from crawler.extract.text import normalize
from crawler.items import Document

URL = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
PAGES = {"zh-Hans": "xihu31-reply.html", "zh-Hant": "xihu31-reply-hant.html"}

# The facts of ../shared/data/seed/README.md, in simplified characters.
FACTS = {
    "index_no": "002489452/2023-00334",
    "disclosure_form": "主动公开",
    "doc_no": "杭经信提〔2023〕140号",
    "written_date": "2023-11-03",
    "publisher": "市经信局",
    "category": "人大代表建议",
    "source": "杭州市经济和信息化局",
    "published_at": "2023-11-03T11:04:00+08:00",
    "title": "市经信局关于市十四届人大三次会议“西湖31号”建议的答复",
}
REPLY_FACTS = {
    "addressee": "何征宇",
    "addressee_role": "代表",
    "body_type": "suggestion",
    "session": "市十四届人大三次会议",
    "proposal_no": "西湖31号",
    "proposal_title": "关于支持开源软件发展的建议",
    "lead_agency": "市经信局",
    "contact_person": "软件处蔡荣",
    "contact_phone": "85257067",
    "signed_date": "2023-06-09",
}


@pytest.fixture(params=list(PAGES), scope="module")
def seed(request: pytest.FixtureRequest) -> tuple[str, Document]:
    script: str = request.param
    page = FIXTURES / "hanweb" / PAGES[script]
    return script, extract_document(page.read_bytes(), URL)


@pytest.mark.parametrize("field", list(FACTS))
def test_fact(seed: tuple[str, Document], field: str) -> None:
    _, document = seed
    value = getattr(document, field)
    assert value is not None and normalize(value) == normalize(FACTS[field])


@pytest.mark.parametrize("field", list(REPLY_FACTS))
def test_reply_fact(seed: tuple[str, Document], field: str) -> None:
    _, document = seed
    assert document.reply is not None
    value = getattr(document.reply, field)
    assert value is not None and normalize(value) == normalize(REPLY_FACTS[field])


def test_co_agencies(seed: tuple[str, Document]) -> None:
    _, document = seed
    assert document.reply is not None
    assert [normalize(a) for a in document.reply.co_agencies] == [
        "市委组织部",
        "市科技局",
        "市数据资源局",
    ]


def test_kind_and_script(seed: tuple[str, Document]) -> None:
    script, document = seed
    assert document.kind == "reply"
    assert document.script == script


def test_body_is_the_first_copy_only(seed: tuple[str, Document]) -> None:
    """The page carries the text twice (desktop and mobile); the body is read once."""
    _, document = seed
    assert document.body_text is not None
    assert document.body_text.count("85257067") == 1
    assert normalize(document.body_text).startswith("何征宇代表")
    assert normalize(document.body_text).endswith("2023年6月9日")


def test_values_keep_the_pages_script() -> None:
    page = FIXTURES / "hanweb" / PAGES["zh-Hant"]
    document = extract_document(page.read_bytes(), URL)
    assert document.publisher == "市經信局"
    assert document.doc_no == "杭經信提〔2023〕140號"


def test_document_is_an_item(seed: tuple[str, Document]) -> None:
    _, document = seed
    adapter = ItemAdapter(document)
    assert adapter["index_no"] == "002489452/2023-00334"
    assert "reply" in adapter.field_names()
