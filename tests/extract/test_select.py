"""A profile's own selectors for an odd template: CSS or XPath, checked when the profile loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from saved_pages import ROOT

from crawler.extract import extract_document
from crawler.extract.select import SelectorError, check_selector, elements
from crawler.portals.profiles import ProfileError, load_profiles

URL = "http://www.example.gov.cn/xxgk/2024/0612/5521.html"
# An odd template: the title sits in a plain <div>, the date in a <b> far from it, the text in
# a cell of a layout table beside a longer "related documents" cell, the attachments in a box
# after a link list that also names files.
ODD = """<html><head><title>首页</title></head><body>
<div class="logo">某某县人民政府</div>
<table><tr>
<td class="c1"><div class="wz">关于印发《某某县数字经济发展三年行动计划》的通知</div>
<p>各乡镇人民政府，县政府各部门：</p><p>现将《某某县数字经济发展三年行动计划》印发给你们，请认真贯彻执行。</p></td>
<td class="c2"><p>相关文件：关于开展2024年度数字经济专项申报工作的通知，关于做好软件和信息技术服务业统计工作的通知，关于公布2023年度数字化转型试点名单的通知，关于进一步支持开源软件发展的实施意见。</p></td>
</tr></table>
<div class="fj"><a href="/files/plan.pdf">行动计划全文.pdf</a></div>
<ul class="other"><li><a href="/files/other.doc">另一个文件.doc</a></li></ul>
<p>更新：<b class="d">2024-06-12</b></p>
</body></html>"""
SELECTORS = {
    "title": "div.wz",
    "body": "//td[@class='c1']",
    "published_at": "b.d",
    "attachments": ".fj",
}


def test_selectors_pick_what_the_template_hides() -> None:
    document = extract_document(ODD, URL, selectors=SELECTORS)
    assert document.title == "关于印发《某某县数字经济发展三年行动计划》的通知"
    assert document.addressee == "各乡镇人民政府，县政府各部门"
    assert document.body_text is not None and document.body_text.endswith("请认真贯彻执行。")
    assert "相关文件" not in document.body_text
    assert document.published_at == "2024-06-12"
    assert [a.name for a in document.attachments] == ["行动计划全文.pdf"]


def test_without_selectors_the_generic_reading_stands() -> None:
    document = extract_document(ODD, URL)
    assert {a.name for a in document.attachments} == {"行动计划全文.pdf", "另一个文件.doc"}


def test_a_selector_that_matches_nothing_leaves_the_generic_reading() -> None:
    assert (
        extract_document(ODD, URL, selectors={"title": "h1.none"}).title
        == extract_document(ODD, URL).title
    )


def test_css_and_xpath_both_select_elements() -> None:
    from crawler.extract.page import parse_html

    root = parse_html(ODD)
    assert [el.get("class") for el in elements(root, "td.c2")] == ["c2"]
    assert [el.get("class") for el in elements(root, "//td[@class='c2']")] == ["c2"]
    assert elements(root, "//td/@class") == []  # attributes are not elements


@pytest.mark.parametrize("bad", ["div[", "//div[", "::"])
def test_a_broken_selector_is_refused(bad: str) -> None:
    with pytest.raises(SelectorError):
        check_selector(bad)


def _profile(tmp_path: Path, extra: str) -> Path:
    shipped = ROOT / "crawler" / "portals" / "shipped" / "hubei-jxt.yaml"
    (tmp_path / "hubei-jxt.yaml").write_text(
        shipped.read_text(encoding="utf-8") + extra, encoding="utf-8"
    )
    return tmp_path


def test_a_profile_carries_its_selectors(tmp_path: Path) -> None:
    profiles = load_profiles(_profile(tmp_path, "selectors: {body: 'div.zw', title: '//h2'}\n"))
    assert profiles["hubei-jxt"].selectors == {"body": "div.zw", "title": "//h2"}


@pytest.mark.parametrize(
    ("extra", "field", "fix"),
    [
        ("selectors: {body: 'div['}\n", "selectors.body", "CSS selector"),
        ("selectors: {summary: 'div.x'}\n", "selectors.summary", "use one of"),
        ("selectors: div.zw\n", "selectors", "mapping"),
    ],
)
def test_bad_selectors_in_a_profile_name_the_field(
    tmp_path: Path, extra: str, field: str, fix: str
) -> None:
    with pytest.raises(ProfileError) as raised:
        load_profiles(_profile(tmp_path, extra))
    message = str(raised.value)
    assert field in message and fix in message and "hubei-jxt.yaml" in message
