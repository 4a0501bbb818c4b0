"""What kind of document a page is: a reply to a suggestion or proposal, a co-handling opinion,
or anything else — decided from the title and the whole opening of the text, with the evidence.

A reply answers a people's congress deputy's suggestion (建议, 议案 handled as one) or a CPPCC
member's proposal (提案). Real replies show it in many ways, and any one good pair suffices:

- a numbered title that ends as an answer (`…第48号建议的复函`, `对《…》的答复(…第31号建议)`);
- a salutation to deputies or members (`杨文强等3名代表：`, `雨露乡委员小组：`, `尊敬的夏泽主席：`) with an
  answer formula (`现答复如下`, `收悉`) or a reference to the item (`您提出的《…》`);
- an answer formula after a reference to the item, with no salutation at all;
- a record with labelled parts: who proposed (提案人, 代表姓名) and the answer itself (办理情况,
  办复内容, 问题答复) — not only a status such as `已办复`.

Pages about the same business that answer nobody stay out: handling reports and statistics, news
of handling meetings, assignment notices, calls for proposals, the suggestion's own text, replies
to citizens' messages and to Party congress delegates. Everything is matched on folded text
(simplified characters, ASCII punctuation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.extract.labels import RECORD_ANSWER, RECORD_PERSON
from crawler.extract.reply import deputy_salutation
from crawler.extract.text import strip_pinyin

_OPENING = 1500
_CO_TITLE = re.compile(r"(?:会办|协办|会签)意见")
# (Or the opinion asks the lead unit to answer with it: `现将我厅意见函告如下，请一并答复代表`.)
_CO_BODY = re.compile(
    r"(?:会办|协办)(?:意见|情况)[^。\n]{0,8}如下|如下(?:会办|协办)意见|请(?:你单位|贵单位)?一并(?:答复|回复)"
)
_ITEM = r"(?:建议|提案|议案|建议案|议事原案)"
_REPLY_TITLE = re.compile(
    rf"{_ITEM}[^。]{{0,40}}?(?:的)?(?:答复|回复|复函|答复函|办理情况的函|的函|函)(?:\([^()]{{1,40}}\))?$"
    rf"|(?:答复|回复)[^。]{{0,4}}{_ITEM}[^。]{{0,30}}的函$"
    rf"|^(?:对|关于)[^。]{{0,80}}(?:答复|回复)(?:函)?(?:\([^()]{{1,40}}\))?$"
)
_TITLE_ANSWER_WORD = re.compile(r"答复|回复|复函|办理|会办|协办")
# (And news of an answer: `某某厅对某某提案作出答复`, told in the third person.)
_NOT_REPLY_TITLE = re.compile(
    r"征集|交办|督办|通知|公告|通告|报告|总结|通报|汇编|目录|一览|统计|选登|综述|见面会|座谈|协商会|"
    r"作出(?:书面)?(?:答复|回复)"
)
_NUMBERED = re.compile(r"\d+\s*号|代表|委员|《")
_SUMMARY_TITLE = re.compile(
    r"办理(?:工作)?(?:情况|工作|结果)(?:的)?(?:报告|总结|通报|汇报|综述|公开)|总体情况|汇总"
)
_ANSWER = re.compile(
    r"(?:答复|回复|函复|复|答覆)(?:意见)?如下|收悉|现(?:予|作)?(?:答复|回复)|特此(?:答复|函复)"
)
_REFERENCE = re.compile(
    rf"(?:提出|所提|提的|提交|领衔)[^。\n]{{0,120}}?{_ITEM}"
    rf"|《[^》]{{2,120}}》[^。\n]{{0,24}}?{_ITEM}"
    rf"|{_ITEM}[^。\n]{{0,40}}?(?:收悉|已收到)"
    rf"|第\s*[A-Za-z]?\d+\s*号\s*(?:代表)?{_ITEM}"
)
_PARTY_CONGRESS = re.compile(r"党代表大会|党代会|党员代表大会")
_CITIZEN = re.compile(r"网友|网民|市民|来信|留言|信箱|诉求|12345|热线|投诉")
_RECORD_PERSON = re.compile(rf"(?:^|\n|\|)\s*(?:{RECORD_PERSON})\s*:")
_RECORD_ANSWER = re.compile(
    rf"(?:^|\n|\|)\s*(?:{RECORD_ANSWER})\s*:?\s*(?P<answer>[^\n]{{0,300}}\n?[^\n]{{0,300}})"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A line's first sentence end 15 characters into it or more. (Anchored at line starts, where
# any match begins: unanchored, the engine scanned the rest of the line from every character.)
_PROSE_LINE = re.compile(r"^[^\n]{15,}?。", re.MULTILINE)
_CATEGORY = re.compile(r"建议|提案|议案")


@dataclass(frozen=True)
class Decision:
    """The kind of a document, and the evidence that decided it (empty for `other`)."""

    kind: str
    evidence: tuple[str, ...] = field(default=())


# Words each pattern cannot match without, as patterns whose every branch opens with a literal:
# the regex engine then skips ahead in C, where the patterns themselves (opening with a group or
# a line start) are tried at every character of the text.
_NEEDS = {
    _CO_BODY: re.compile(r"会办|协办|一并"),
    _ANSWER: re.compile(r"如下|收悉|现|特此"),
    _REFERENCE: re.compile(r"建议|提案|议案|议事原案"),
    _RECORD_PERSON: re.compile(r"提|建|代表姓名|领衔代表"),
}


def _found(pattern: re.Pattern[str], text: str) -> str | None:
    needs = _NEEDS.get(pattern)
    if needs is not None and needs.search(text) is None:
        return None
    match = pattern.search(text)
    return match.group(0).strip(" \n|") if match else None


def _answers(text: str) -> bool:
    """A record's answer label followed by an answer (not a status such as `已于…办复`)."""
    for match in _RECORD_ANSWER.finditer(text):
        answer = match["answer"]
        if len(_HAN.findall(answer)) >= 40 and ("," in answer or "。" in answer):
            return True
    return False


def _deputy_salutation(opening: str) -> str | None:
    """A salutation to deputies or members before the first paragraph of prose."""
    prose = _PROSE_LINE.search(opening)
    found = deputy_salutation(opening[: prose.end()] if prose else opening)
    return found.group(0).strip(" \n|:") if found else None


def _reply_title(title: str, category: str | None) -> bool:
    """A title that is an answer to a numbered item (`…第48号建议的复函`)."""
    return bool(
        _REPLY_TITLE.search(title)
        and not _NOT_REPLY_TITLE.search(title)
        and not (_SUMMARY_TITLE.search(title) and not re.search(r"\d+\s*号", title))
        and (not title.endswith("函") or _TITLE_ANSWER_WORD.search(title))
        and (_NUMBERED.search(title) or (category and _CATEGORY.search(category)))
    )


def classify(
    title: str | None, category: str | None, series: str | None, text: str | None
) -> Decision:
    """`reply`, `co_handling_opinion` or `other`, with evidence; every argument folded.

    `text` is the page's main text from its top (title lines, metadata and all); `series` the
    document number's series (提 marks a reply in Zhejiang bureaus, 提函 a co-handling opinion).
    """
    # Pinyin that copies insert after characters (`鎮(zhèn)`) is noise to every pattern here.
    title = strip_pinyin("".join((title or "").split()))
    text = strip_pinyin(text or "")
    opening = text[:_OPENING]
    if _CO_TITLE.search(title):
        return Decision("co_handling_opinion", (f"title: {title}",))
    if series == "提函":
        return Decision("co_handling_opinion", ("document number series 提函",))
    co_body = _found(_CO_BODY, opening)
    if co_body:
        return Decision("co_handling_opinion", (co_body,))
    replies = _reply_title(title, category)
    # (A reply's text may mention a Party congress in passing, `按照第十次党代会的部署`: a title
    # that answers a deputy or member outweighs it.)
    party = _found(_PARTY_CONGRESS, title) or (
        None if replies else _found(_PARTY_CONGRESS, opening[:800])
    )
    if party:
        return Decision("other", (f"a Party congress item ({party}), not a deputy's",))
    if replies:
        return Decision("reply", (f"title: {title}",))

    evidence: list[str] = []

    salutation = _deputy_salutation(opening)
    answer = _found(_ANSWER, opening)
    reference = _found(_REFERENCE, opening)
    if salutation and (answer or reference):
        evidence = [f"salutation: {salutation}", answer or reference or ""]
    elif answer and reference and not _CITIZEN.search(opening[:300]):
        evidence = [reference, answer]
    elif _found(_RECORD_PERSON, opening) is not None and _answers(text):
        evidence = ["a record with the proposer and the answer"]
    elif series == "提":
        evidence = ["document number series 提"]
    elif category and _CATEGORY.search(category) and (salutation or answer):
        evidence = [f"category: {category}", salutation or answer or ""]
    if evidence:
        return Decision("reply", tuple(evidence))
    return Decision("other")
