"""The reply rules that real pages disagreed on, settled once: small pages written here."""

from __future__ import annotations

import pytest

from crawler.extract import extract_document

URL = "http://example.gov.cn/jyta/202306/t20230609_1.html"


def _reply(opening: str, *, title: str = "关于市人大二届三次会议第12号建议的答复") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        "<div id='zoom'><p>王某某代表：</p>"
        f"<p>{opening}现答复如下：</p>"
        "<p>一、我们将加快推进有关工作，按计划完成建设任务。</p>"
        "<p>示例市交通运输局</p><p>2023年6月9日</p></div></body></html>"
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
