"""What kind of document a page is, and the fields of a reply to a suggestion or a proposal.

Matching runs on folded text (simplified, ASCII punctuation), values are sliced from the text as
written, so a traditional-character page yields traditional values.
"""

from __future__ import annotations

import re

from crawler.extract.dates import parse_date
from crawler.extract.text import Folded, clean, fold
from crawler.items import Reply

_CO_HANDLING_TITLE = re.compile(r"(?:会办|协办|会签)意见")
_REPLY_TITLE = re.compile(r"(?:建议|提案|议案)[^,。]{0,16}?(?:答复|复函|回复)|答复(?:函)?$")
_SUMMARY_TITLE = re.compile(
    r"办理(?:工作)?(?:情况|工作)(?:的)?(?:报告|总结|通报|汇报|综述|公开|说明)?$|总体情况|汇总|"
    r"工作总结|年度.*办理|办理工作"
)
_NUMBERED = re.compile(r"\d+\s*号|代表|委员|《")
_SALUTATION = re.compile(
    r"^(?:尊敬的)?(?P<who>[^:,。\n《》]{1,40}?)(?P<role>代表|委员)(?:们)?\s*:", re.M
)
_AGENCY_SALUTATION = re.compile(
    r"^(?P<who>[^:,。\n]{2,30}?(?:局|委|厅|办|院|部|会|中心|政府)):", re.M
)
_RECEIVED = re.compile(r"收悉|已收到|收到")
_NAMED_IN_OPENING = re.compile(
    r"(?:^|[,。:\n])\s*(?P<who>[^,。:\n《》“”\"]{1,20}?)(?P<role>代表|委员)(?:们)?(?:提出|所提|在)"
)
_TITLE_ADDRESSEE = re.compile(
    r"(?:对|关于)(?P<who>[^,。《》\d]{1,30}?)(?P<role>代表|委员)(?:们)?(?:提出|所提|的|提)"
)

_SESSION_CORE = re.compile(
    r"第?[一二三四五六七八九十〇零\d]+届(?:全国)?(?:人大|政协|人民代表大会)(?:常委会)?"
    r"第?[一二三四五六七八九十\d]+次(?:全体)?会议"
    r"|(?:人大|政协)第?[一二三四五六七八九十\d]+届第?[一二三四五六七八九十\d]+次(?:全体)?会议"
)
_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{1,6}?(?:自治区|省|市|区|县|州|旗)|省|市|区|县|全国)$")
_NOT_PLACE = re.compile(r"[关于对在的局您上和及、年号]")

_PROPOSAL_NO = (
    re.compile(r"[\"“「『]\s*(?P<no>[^\"”」』\s〔〕\[\]]{0,8}?\d+\s*号)\s*[\"”」』]"),
    re.compile(r"(?P<no>第\s*[A-Za-z]?\d+\s*号)"),
    re.compile(r"[(（]\s*(?P<no>[^()（）〔〕\[\]\s]{0,8}?\d+\s*号)\s*[)）]"),
    re.compile(r"(?<![〕\]\d])(?P<no>\d+\s*号)(?=\s*(?:建议|提案|议案))"),
)
_BOOK_TITLE = re.compile(r"《(?P<t>[^《》]{2,120})》")
_HANDLING = re.compile(
    r"(?P<lead>[^,。;:\n]{1,40}?)(?:主办|牵头办理|牵头)\s*[,、]?\s*(?:由)?"
    r"(?P<co>[^。;:\n]{1,300}?)(?:会办|协办|配合办理|参与办理|共同办理)"
)
_CONSULTED = re.compile(r"经商(?P<co>[^,。;:\n]{2,200}?)(?:同意|[,。;]|现)")
_PLAIN_TITLE = re.compile(
    r"(?:提出的|所提|提交的)(?P<t>关于[^,。《》\n]{2,80}?的(?:建议|提案|议案))"
)
_AGENCY_LINE = re.compile(r"^[^\s,。:]{2,30}(?:局|部|厅|委|办|院|政府|会|中心|司|署|室)$")
_HEAD, _TAIL = 2500, 1500
_HANDLED = re.compile(r"主办|牵头")
_LEAD_PREFIX = re.compile(r"^(?:.*?(?:建议|提案|议案))?(?:经(?=[我本市省区县国中])|由)+")
_SELF = re.compile(r"^(?:我|本)(?:局|委|厅|办|院|部|单位|中心|处|署|馆|会)$")
_CO_SPLIT = re.compile(r"[、,;]|以及|及(?=[市省区县国中])")
_CO_SUFFIX = re.compile(r"(?:等)?(?:单位|部门|相关部门)?$")
_CONTACT_PERSON = re.compile(r"联系人\s*:?\s*(?P<v>[^,;。\s:()]{1,30}?)(?=[,;。\s()]|电话|$)")
_CONTACT_PHONE = re.compile(r"(?:联系电话|电话|联系方式)\s*:?\s*(?P<v>\d[\d\-—() ]{3,30}\d)")
# (pattern, how far into the body to look): a bare "(A)" counts only at the very top.
_RESULT_CLASS = (
    (re.compile(r"(?:答复类别|办理结果|结果类别|办理类别|答复类型|类别)\s*:?\s*[\"“「(]?\s*"
                r"(?P<c>[A-D甲乙丙丁])(?![A-Za-z])"), None),
    (re.compile(r"(?P<c>[A-D甲乙丙丁])\s*类\s*[(]?\s*(?:已解决|列入|暂缓|留作参考|已经解决|正在解决)"),
     None),
    (re.compile(r"(?:^|\n)\s*[(]\s*(?P<c>[A-D])\s*类?\s*[)]"), 200),
)  # fmt: skip
_DATE_LINE = re.compile(r"^[\s\d〇○零Oo一二三四五六七八九十年月日号:\-/.]{6,24}$")


def classify(title: str | None, category: str | None, series: str | None, body: str | None) -> str:
    """`reply`, `co_handling_opinion` or `other`; all arguments folded."""
    title = title or ""
    if _CO_HANDLING_TITLE.search(title) or series == "提函":
        return "co_handling_opinion"
    if _SUMMARY_TITLE.search(title) and not re.search(r"\d+\s*号", title):
        return "other"
    if _REPLY_TITLE.search(title) and (
        _NUMBERED.search(title) or (category and re.search(r"建议|提案", category))
    ):
        return "reply"
    if series == "提":
        return "reply"
    if body:
        opening = body[:400]
        if _SALUTATION.search(opening) and _RECEIVED.search(opening):
            return "reply"
    return "other"


def _search_near(
    pattern: re.Pattern[str], anchor: re.Pattern[str], text: str, limit: int
) -> re.Match[str] | None:
    """`pattern` searched only around each `anchor` in text[:limit]: a pattern that starts with
    a character class is otherwise tried at every position of a long body."""
    for found in anchor.finditer(text, 0, limit):
        match = pattern.search(text, max(0, found.start() - 45), min(len(text), found.end() + 320))
        if match:
            return match
    return None


def _session(text: str) -> tuple[int, int] | None:
    match = _SESSION_CORE.search(text)
    if match is None:
        return None
    start = match.start()
    for size in range(min(8, start), 0, -1):
        prefix = text[start - size : start]
        if _PLACE.match(prefix) and not _NOT_PLACE.search(prefix):
            return start - size, match.end()
    return start, match.end()


def _find(
    pattern: re.Pattern[str], folded: Folded, group: str, limit: int | None = None
) -> str | None:
    haystack = folded.folded if limit is None else folded.folded[:limit]
    match = pattern.search(haystack)
    if match is None:
        return None
    return clean(folded.original(match.start(group), match.end(group)))


def _signature(body: str) -> tuple[str | None, str | None]:
    """(signing agency, signed date): the last date line near the end, and the line above it."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    tail = lines[-12:]
    for position in range(len(tail) - 1, -1, -1):
        if _DATE_LINE.match(tail[position]):
            parsed = parse_date(tail[position])
            if parsed is not None:
                above = tail[position - 1] if position > 0 else ""
                signer = above if _AGENCY_LINE.match(fold(above).folded) else None
                return signer, parsed.date.isoformat()
    return None, None


def _agencies(text: str) -> list[str]:
    found: list[str] = []
    for part in _CO_SPLIT.split(text):
        name = clean(_CO_SUFFIX.sub("", part.strip()))
        if name and name not in found and len(name) <= 30:
            found.append(name)
    return found


def extract_reply(title: str | None, body: str | None, kind: str, publisher: str | None) -> Reply:
    """Reply fields from the title and body as written (either script)."""
    reply = Reply()
    title_f = fold(title or "")
    # The reply fields live in the opening and the sign-off: fold those, not the whole body.
    body_f = fold((body or "")[:_HEAD])
    tail = fold((body or "")[-_TAIL:])
    received = _RECEIVED.search(body_f.folded[:1500])
    opening_end = received.end() if received else min(len(body_f.folded), 600)

    # The addressee: the salutation; a co-handling opinion names the deputy in its opening;
    # else the title may.
    for pattern, text, limit in (
        (_SALUTATION, body_f, 400),
        (_NAMED_IN_OPENING, body_f, opening_end),
        (_TITLE_ADDRESSEE, title_f, None),
    ):
        match = pattern.search(text.folded[:limit])
        if match:
            # A group keeps its role word: 杨文强等3名代表.
            end = "role" if re.search(r"等\s*\d+\s*[名位]$", match["who"]) else "who"
            reply.addressee = clean(text.original(match.start("who"), match.end(end)))
            reply.addressee_role = match["role"]
            break

    span = _session(title_f.folded)
    if span:
        reply.session = clean(title_f.original(*span))
    else:
        span = _session(body_f.folded[:opening_end])
        if span:
            reply.session = clean(body_f.original(*span))

    for pattern in _PROPOSAL_NO:
        reply.proposal_no = _find(pattern, title_f, "no") or _find(
            pattern, body_f, "no", opening_end
        )
        if reply.proposal_no:
            break

    reply.proposal_title = (
        _find(_BOOK_TITLE, body_f, "t", opening_end)
        or _find(_BOOK_TITLE, title_f, "t")
        or _find(_PLAIN_TITLE, body_f, "t", opening_end)
    )
    signer, reply.signed_date = _signature(body or "")

    context = " ".join(
        filter(None, (title_f.folded, reply.addressee_role or "", reply.session or ""))
    )
    if re.search(r"提案|委员|政协", context):
        reply.body_type = "proposal"
    elif re.search(r"建议|代表|人大|议案", context):
        reply.body_type = "suggestion"

    handling = _search_near(_HANDLING, _HANDLED, body_f.folded, 2000)
    if handling:
        lead_start = handling.start("lead")
        lead_text = handling["lead"]
        prefix = _LEAD_PREFIX.match(lead_text)
        if prefix:
            lead_start += prefix.end()
        lead = clean(body_f.original(lead_start, handling.end("lead")))
        if lead and _SELF.match(fold(lead).folded) and publisher:
            lead = publisher
        reply.lead_agency = lead
        reply.co_agencies = _agencies(body_f.original(handling.start("co"), handling.end("co")))
    elif kind == "co_handling_opinion":
        agency = _AGENCY_SALUTATION.search(body_f.folded[:300])
        if agency:
            reply.lead_agency = clean(body_f.original(agency.start("who"), agency.end("who")))
        if publisher or signer:
            reply.co_agencies = [publisher or signer or ""]
    else:
        # No "X主办，Y会办" sentence: the signing agency answered, after consulting any 经商 Z.
        reply.lead_agency = signer or publisher
        consulted = _CONSULTED.search(body_f.folded[: opening_end + 200])
        if consulted:
            reply.co_agencies = _agencies(
                body_f.original(consulted.start("co"), consulted.end("co"))
            )

    reply.contact_person = _find(_CONTACT_PERSON, tail, "v") or _find(_CONTACT_PERSON, body_f, "v")
    reply.contact_phone = _find(_CONTACT_PHONE, tail, "v") or _find(_CONTACT_PHONE, body_f, "v")
    for pattern, limit in _RESULT_CLASS:
        found = _find(pattern, body_f, "c", limit) or (limit is None and _find(pattern, tail, "c"))
        if found:
            reply.result_class = fold(found).folded
            break
    return reply
