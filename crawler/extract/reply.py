"""The fields of a reply to a suggestion or a proposal, however the page lays them out.

Letters (`某某代表：您提出的《…》收悉，现答复如下：… 联系人：… 日期`), records with labelled parts
(`提 案 人：… 承办单位：… 办理情况：…`), tables and flattened copies all carry the same facts; each
is looked for where real pages put it: the salutation, a label, the opening sentence, the title,
the sign-off. Matching runs on folded text (simplified, ASCII punctuation) and values are sliced
from the text as written, so a traditional-character page yields traditional values.
"""

from __future__ import annotations

import re

from crawler.extract.dates import parse_date
from crawler.extract.labels import RECORD_PERSON
from crawler.extract.text import Folded, as_annotated, clean, fold, has_pinyin, strip_pinyin
from crawler.items import Reply

_HEAD, _TAIL = 2500, 1500  # the opening as document.py folds it (shared through fold's cache)
_NAME = r"[\u4e00-\u9fff·]"
# (Groups keep their word: 委员小组, 代表团, 委员联络组, 工商联界别组.)
_ROLE = r"(?:代表|委员|委员小组|代表团|委员联络组|代表联络组|界别组|主席)"

_ROLE_WORD = re.compile(r"代表|委员|界别组|主席")

# -- the addressee ------------------------------------------------------------------------------
# A salutation to deputies or members: at the start of a line (a table cell counts as a line),
# with a colon, or alone on its line without one (`陈云会代表`).
_DEPUTY_SALUTATION = re.compile(
    rf"(?:^|\n)[ \t]*(?:尊敬的?)?(?P<who>[^:,。\n《》|“”\"]{{1,120}}?)[ \t]*(?P<role>{_ROLE})(?:们)?[ \t]*"
    r"(?::|(?=[ \t]*\n))"
)
# Letters to many (各位委员, 主任、副主任、秘书长), and a line that only names the body (人大代表).
# And a record's labels (`领衔代表：…`, `附议代表：…`), which are no greeting.
_GROUP_WORDS = re.compile(
    r"^(?:各|全体)|各位|主任|秘书长|同志们|领导|^[\u4e00-\u9fff]{0,6}(?:人大|政协)$|^(?:领衔|附议|联名)$"
)
_AGENCY_SALUTATION = re.compile(
    r"(?:^|\n)[ \t]*(?P<who>[^:,。\n《》|]{2,30}?(?:局|委|厅|办|院|部|会|中心|政府|街道|镇|乡|公司|管委会|集团)):"
)
# A group keeps its role word (羅瑞等代表, 杨文强等3名代表, 周承明等十代表); a bracketed count
# stands for it (尚路鹏(等4位)).
_GROUP_ROLES = ("委员小组", "代表团", "委员联络组", "代表联络组", "界别组")
_SEATED_ON = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:政协|人大)[\u4e00-\u9fff]{0,8}$")
_GROUP_FORM = re.compile(r"等\s*[\d一二三四五六七八九十百两]*\s*[名位人]?$")
_LEADING_VERB = re.compile(r"^(?:现将|现就|将|经|对|关于|由|在|是|为)")
_RECORD_PERSON = re.compile(rf"(?:^|\n)[ \t]*(?:{RECORD_PERSON})[ \t]*:[ \t]*(?P<v>[^\n]{{1,120}})")
_NAMED_IN_OPENING = re.compile(
    rf"(?:人大代表|政协委员|(?<![各位])代表|(?<![各位])委员)(?P<who>{_NAME}{{2,4}}(?:、{_NAME}{{2,4}})*)"
    rf"(?P<group>等\s*[\d一二三四五六七八九十]*\s*[名位]?(?:代表|委员)?)?(?=提出|在|所提|领衔|的)"
    rf"|(?P<who2>{_NAME}{{2,4}}(?:、{_NAME}{{2,4}})*)(?P<group2>等\s*[\d一二三四五六七八九十]*\s*[名位]?)?"
    rf"(?P<role2>代表|委员)(?=提出|在|所提|领衔)"
)
_NOT_A_NAME = re.compile(r"建议|提案|议案|意见|会议|提出")
# A proposal of a party or a body (九三学社, 农工党内蒙古区委, 市工商联): the reply greets it, an
# opinion names it as the proposer.
_PARTY = (
    r"(?:中国)?(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|工商联|"
    r"(?:国民党革命|民主同盟|民主建国|民主促进|农工民主党|致公党|台湾民主自治同盟)[\u4e00-\u9fff]{0,2})"
)
# (And a committee of the CPPCC or the congress: `县政协社会和法制委员会：`.)
_PARTY_SALUTATION = re.compile(
    rf"(?:^|\n)[ \t]*(?:尊敬的)?(?P<who>{_PARTY}[^:,。\n《》]{{0,16}}?"
    r"|[\u4e00-\u9fff]{0,6}(?:政协|人大)[\u4e00-\u9fff]{0,16}?委员会)[ \t]*:"
)
_PARTY_PROPOSER = re.compile(rf"(?P<who>{_PARTY}[\u4e00-\u9fff]{{0,16}}?)(?=提出|所提|提交)")
_TITLE_ADDRESSEE = re.compile(
    r"(?:对|关于)(?P<who>[^,。《》\d]{1,30}?)(?P<role>代表|委员)(?:们)?(?:提出|所提|的|提)"
)

# -- the item: session, number, title ---------------------------------------------------------
_N = r"[一二三四五六七八九十〇零\d]+"
_SESSION_CORE = re.compile(
    rf"第?{_N}届(?:全国)?(?:人大|政协|人民代表大会|政治协商会议)(?:常委会)? ?第?{_N}次(?:全体)?会议?"
    rf"|(?:人大|政协)第?{_N}届第?{_N}次(?:全体)?会议?"
    rf"|政协[\u4e00-\u9fff]{{1,12}}?第?{_N}届第?{_N}次(?:全体)?会议?"
    rf"|(?:中国人民政治协商会议|政治协商会议|政协) ?[\u4e00-\u9fff]{{0,12}}?第?{_N}届委员会第?{_N}次(?:全体)?会议?"
    rf"|政协第?{_N}届[\u4e00-\u9fff]{{1,12}}?委员会第?{_N}次(?:全体)?会议?"
)
_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,10}(?:自治区|自治州|自治县|省|市|区|县|州|旗|盟|镇|乡|街道)|全国)$"
)
# (And what ends a word or a date before it: 接到|…, 4月25日|市….)
_NOT_PLACE = re.compile(
    r"关于|于|对|在|的|答复|回复|提出|您|你|我|上|和|及|、|年|号|会议|届|交|办|是|接到|收到|\d日"
)
_PROPOSAL_NO = (
    re.compile(r"[\"“「『]\s*(?P<no>[^\"”」』\s〔〕\[\]]{0,8}?\d+\s*号)\s*[\"”」』]"),
    # Not an announcement's or an order's number cited in the text (公告2019年第48号, 令第5号).
    re.compile(r"(?<![年令])(?P<no>第\s*[A-Za-z]{0,3}\d+\s*号)"),
    # (立案号:2020072号): a number in brackets, under the item's label or none.
    re.compile(
        r"[(（]\s*(?:(?:立案|提案|建议|议案)号\s*:\s*)?(?P<no>[^()（）〔〕\[\]\s:]{0,8}?\d+\s*号)\s*[)）]"
    ),
    # (With the letters of its series: `…五次会议DH407号建议`.)
    re.compile(
        r"(?<![〕\]\dA-Za-z])(?P<no>[A-Za-z]{0,3}\d+\s*号)(?=\s*(?:代表)?(?:建议|提案|议案))"
    ),
    re.compile(r"(?P<no>第\s*\d+)(?=\s*(?:建议|提案|议案))"),
)
_ITEM = r"(?:建议|提案|议案|意见|建议案|议事原案)"
_BOOK_TITLE = re.compile(r"《(?P<t>[^《》]{2,120})》")
# (Double quotation marks may hold single ones: `“…建设政策服务‘数字人专家’…”`.)
_QUOTED = r"[“\"‘](?P<t>(?:[^“”\"‘’]|‘[^‘’“”\"]{1,60}’){2,120})[”\"’]"
_QUOTED_TITLE = re.compile(_QUOTED)
# 关于“…”的建议: the answer's wrapping around the deputy's quoted title; the title is inside.
_ABOUT_QUOTED = re.compile(rf"关于{_QUOTED}的(?:代表|委员)?{_ITEM}")
_PLAIN_TITLE = re.compile(r"(?P<t>关于[^,。《》“”\n]{2,100}?的(?:代表|委员)?(?:建议|提案|议案))")
_ANCHOR = re.compile(r"提出|提交|所提|提的|领衔|收悉|案由|事由|题目|建议内容|标题")
_RECEIVED = re.compile(r"收悉|已收到")
_TITLES = (_BOOK_TITLE, _ABOUT_QUOTED, _QUOTED_TITLE, _PLAIN_TITLE)

# -- who answers, who helps ---------------------------------------------------------------------
_AGENCY_END = (
    r"(?:局|委员会|委|厅|办公室|办事处|政府|街道|中心|院|大队|支队|分局|公司|站|所|社|部|处|办|"
    r"管委会|管理委员会|集团|镇|乡)"
)
# (关 stops it only where 关于 begins: 马关县, 嘉峪关市 and 海关 have it in their names.)
_TITLE_AGENCY = re.compile(
    rf"^(?P<a>(?:[^关对,。《“]|关(?!于)){{2,40}}?{_AGENCY_END})\s*(?:关于|对|答复)"
)
_TITLE_AGENCY_SUFFIX = re.compile(rf"[(（](?P<a>[^()（）]{{2,20}}?{_AGENCY_END})[)）]$")
_LEAD_LABEL = re.compile(
    r"(?:^|\n|\||\s)(?:主办单位|承办单位|分办单位|答复单位|单位名称|办理单位|主办\(分办\)单位)[ \t]*:[ \t]*"
    r"(?P<v>[^\n|:]{2,200}?)(?=\s+\S{2,6}:|\n|\||$)"
)
_FOOTER = re.compile(r"地址|邮编|版权|ICP|网站|电话")
_BREADCRUMB = re.compile(r"(?:首页|当前位置|您的位置)[^\n]*?>")
_HANDLING = re.compile(
    r"(?P<lead>[^,。;:\n]{1,40}?)(?:主办|牵头办理|牵头)\s*[,、]?\s*(?:由)?"
    r"(?P<co>[^。;:\n]{1,300}?)(?:会办|协办|配合办理|参与办理|共同办理)"
)
_HANDLED = re.compile(r"主办|牵头")
_CO_SENTENCES = (
    # (收悉 then the units without a comma: `…》(第0265号)收悉市发展改革委、市科技局共同研究`.)
    re.compile(r"(?:经(?:与)?|收悉)(?P<co>[^,。;:\n《》]{2,120}?)(?:会办|共同研究|联合办理|协办)"),
    re.compile(
        r"(?:与|会同)(?P<co>[^,。;:\n]{2,120}?)(?:共同研究|共同办理|等协办单位|联合|研究(?:答复|办理))"
    ),
    re.compile(r"协办单位(?P<co>[^,。;:\n]{2,120}?)(?:负责人|共同|一起|,|。)"),
    re.compile(r"经商(?P<co>[^,。;:\n]{2,200}?)(?:同意|[,。;]|现)"),
    re.compile(r"综合(?P<co>[^,。;:\n]{2,60}?)(?:的)?意见"),
    re.compile(r"(?:前往|与|会同|联系)(?P<co>[^,。;:\n]{2,120}?)等(?:会办|协办)单位"),
)
_AGENCY_NAME = re.compile(
    rf"{_AGENCY_END}$|(?:集团|公司|大队|中队|支队|法院|检察院|委员会|银行|学校|小学|中学|医院|协会|联合会)$"
)
_LEAD_PREFIX = re.compile(r"^(?:.*?(?:建议|提案|议案))?(?:经(?=[我本市省区县国中])|由)+")
_SELF = re.compile(r"^(?:我|本)(?:局|委|厅|办|院|部|单位|中心|处|署|馆|会|乡|镇|所|队)$")
_CO_SPLIT = re.compile(r"[、,;]|以及|及(?=[市省区县国中])")
_ENDS_AS_AGENCY = re.compile(rf"{_AGENCY_END}\s*$")
_CO_SUFFIX = re.compile(r"(?:等)?(?:单位|部门|相关部门)?$")
_CO_PREFIX = re.compile(r"^(?:与|同|会同|经|由)")

# -- the sign-off -------------------------------------------------------------------------------
_DATE_LINE = re.compile(
    r"^[\s\d〇○零Oo一二三四五六七八九十年月日号:\-/.]{6,24}$|^(?:答复日期|答复时间)\s*:"
)
_COMPACT_DATE = re.compile(r"^\s*(?P<y>(?:19|20)\d\d)(?P<md>\d{2,4})\s*$")
# A date whose 日 was left off (`2019年6月13`).
_NO_DAY_MARK = re.compile(
    r"^\s*(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*$"
)
# A date that closes a line (`…赤水市建设局 二00七年七月十七日 |`, `…支持! 2025年9月8日 (联系人…)`).
_INLINE_DATE = re.compile(
    r"(?:^|\s)(?P<d>(?:19|20|二[〇○零0Oo])[\d〇○零Oo一二三四五六七八九]{2}年[\d一二三四五六七八九十]{1,3}月"
    r"[\d一二三四五六七八九十]{1,3}日)\s*(?:$|\||[(])"
)
# (A copy of the page may sign with the site's name: `甘肃省交通运输厅政府网站`.)
_AGENCY_LINE = re.compile(
    rf"^(?:单位名称\s*:\s*)?(?P<a>[^\s,。:]{{2,30}}?{_AGENCY_END})(?:政府网站|门户网站|网站)?$"
)
# (A label's characters may stand apart: `联 系 人：`, `承 办 人：`.)
_CONTACT_LABEL = re.compile(
    r"(?P<label>联系单位(?:和|及)联系人(?:及电话)?|联系单位及(?:联系人|电话)|"
    r"联 *系 *人(?:姓名)?(?:及电话|及联系电话|和电话|/电话|/联系电话)?|"
    r"(?:具体)?(?:承办|经办)(?:人|股室)(?:姓名)?(?:及联系电话|及电话)?|承 *办 *人(?:签字)?)\s*:"
)
# The unit named in the sign-off's contact block (`联系单位：某县交通运输局 联系电话：…`) is the
# agency that handled the item.
_CONTACT_UNIT = re.compile(
    rf"联系单位(?:和|及)?(?:联系人)?(?:及电话)?\s*:\s*(?P<a>[^\s,:;]{{2,30}}?{_AGENCY_END})(?=[\s,;]|联系|$)"
)
_OTHER_CONTACT_LABEL = re.compile(r"(?:联系)?电话|联系方式|手机|地址|邮编|签发人|:")
# A name before the number under the phone's own label (`联系电话：陈某某 13800000000`).
_NAMED_PHONE = re.compile(
    r"联 *系 *电 *话\s*:\s*(?P<p>[\u4e00-\u9fff·]{2,4})\s*"
    r"(?P<n>(?:\d{3,4}\s*[-—–─]+\s*)?\d{7,8}(?!\d)|1[3-9]\d{9}(?!\d))"
)
_OFFICE = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:股|科|处|室|办|中心)(?=[\u4e00-\u9fff]{2})")
# Words a sentence to the reader has, and an agency's name has not.
_ADDRESSING = re.compile(r"你|您|感谢|谢谢|我们")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff·]{2,12}")
# A unit's name, where a contact's value gives it before the person's.
_UNIT_END = re.compile(rf"(?:{_AGENCY_END}|科|股|室)$")
# (An extension after the number: `52564588-7817`, `转7817`.)
_PHONE = re.compile(
    r"(?<![\d\-])(?:\d{3,4}\s*[-—–─]+\s*)?\d{7,8}(?:[-—–─转]\d{1,5})?(?![\d])|(?<!\d)1[3-9]\d{9}(?!\d)"
)
# The site's footer, which a copy of the page keeps below the reply (`主 办：某某办公室 |
# 联系地址：… | 联系方式：…`): its numbers are the website's.
_SITE_FOOTER = re.compile(
    r"主 *办 *:|ICP|版权所有|网站标识码|技术支持|网站地图|建设与维护|运行维护"
)
# The co-handling units under their label (`会办单位：县交通运输局`).
_CO_LABEL = re.compile(r"(?:^|\n)[ \t]*(?:会办单位|协办单位)[ \t]*:[ \t]*(?P<v>[^\n]{2,200})")
_PHONE_LABEL = re.compile(
    r"(?:联 *系 *电 *话|电 *话|联系方式)\s*:?\s*(?P<v>\d[\d\-—–─() ]{5,30}\d)"
)
_PERSON = re.compile(rf"(?P<p>{_NAME}{{2,4}})")
_RESULT_CLASS = (
    re.compile(
        r"(?:答复类别|办复类别|办理结果|结果类别|办理类别|答复类型|类 ?别)\s*:?\s*[\"“「(]?\s*"
        r"(?P<c>[A-D甲乙丙丁])(?![A-Za-z])"
    ),
    re.compile(r"号\s*[(]?\s*(?P<c>[A-D])\s*\d?\s*[)]?\s*类"),
    re.compile(
        r"(?P<c>[A-D甲乙丙丁])\s*类\s*[(]?\s*(?:已解决|列入|暂缓|留作参考|已经解决|正在解决)"
    ),
    re.compile(r"(?:^|\n)\s*[(]?\s*(?P<c>[A-D])\s*[)]?\s*类?\s*[)]?\s*(?:\n|$)"),
)


def _slice(folded: Folded, start: int, end: int) -> str | None:
    return clean(folded.original(start, end))


def deputy_salutation(text: str) -> re.Match[str] | None:
    """The first salutation to deputies or members in `text` (folded), group letters excluded.

    A table cell (`… | 江伟洪代表: 您提出的…`) is a line of its own."""
    if not _ROLE_WORD.search(text):
        return None  # the common case, told without trying a salutation at every line
    for match in _DEPUTY_SALUTATION.finditer(text.replace("|", "\n")):
        if not _GROUP_WORDS.search(match["who"]):
            return match
    return None


def _addressee(text: Folded, title: Folded, kind: str) -> tuple[str | None, str | None]:
    """(addressee as written, the role word it carries)."""
    opening = text.folded
    found = None if kind == "co_handling_opinion" else deputy_salutation(opening[:1500])
    if found is not None:
        who = found["who"]
        start = found.start("who") + (len(who) - len(_LEADING_VERB.sub("", who)))
        if found["role"] in _GROUP_ROLES or _GROUP_FORM.search(who):
            return _slice(text, start, found.end("role")), found["role"]
        # (The body the member sits on, between the name and the role: 刘某某政协某县委员.)
        body = _SEATED_ON.search(opening, start, found.end("who"))
        return _slice(text, start, body.start() if body else found.end("who")), found["role"]
    record = _RECORD_PERSON.search(opening[:1500])
    if record:
        value = re.sub(r"\s*(?:等)?\s*(?:代表|委员)\s*$", "", record["v"]).strip()
        offset = record.start("v")
        return _slice(text, offset, offset + len(value)), None
    match = next(
        (
            m
            for m in _NAMED_IN_OPENING.finditer(opening[:800])
            if not _NOT_A_NAME.search(m.group(0))
        ),
        None,
    )
    if match:
        if match["who"]:
            end = "group" if match["group"] and match["group"].endswith(("代表", "委员")) else "who"
            return _slice(text, match.start("who"), match.end(end)), None
        end = "role2" if match["group2"] else "who2"
        start = match.start("who2") + (
            len(match["who2"]) - len(_LEADING_VERB.sub("", match["who2"]))
        )
        return _slice(text, start, match.end(end)), match["role2"]
    party = (
        _PARTY_PROPOSER.search(opening[:800])
        if kind == "co_handling_opinion"
        else _PARTY_SALUTATION.search(opening[:1500])
    )
    if party:
        return _slice(text, party.start("who"), party.end("who")), None
    match = _TITLE_ADDRESSEE.search(title.folded)
    if match:
        return _slice(title, match.start("who"), match.end("who")), match["role"]
    return None, None


def _place_before(text: str, start: int) -> int:
    """Where a place name written before position `start` begins (马关县, 维西傈僳族自治县)."""
    for size in range(min(13, start), 0, -1):
        begin = start - size
        prefix = text[begin:start]
        if not _PLACE.match(prefix) or _NOT_PLACE.search(prefix):
            continue
        # A place whose first character ends another word (答复|县…) starts later.
        if any(
            w.start() < begin < w.end() for w in _NOT_PLACE.finditer(text, max(0, begin - 3), start)
        ):
            continue
        return begin
    return start


def _sessions(folded: Folded, limit: int | None = None) -> list[str]:
    """Every session named in the text, each with the place written before it (区, 马关县)."""
    text = folded.folded if limit is None else folded.folded[:limit]
    found: list[str] = []
    end = 0
    # Only around each 届 (the pattern starts with a character class: tried everywhere else).
    for anchor in re.finditer("届", text):
        if anchor.start() < end:
            continue
        match = _SESSION_CORE.search(text, max(end, anchor.start() - 30), anchor.end() + 40)
        if match and match.start() <= anchor.start() < match.end():
            value = _slice(folded, _place_before(text, match.start()), match.end())
            end = match.end()
            if value:
                found.append(value)
    return found


def _first(
    pattern: re.Pattern[str], folded: Folded, group: str, limit: int | None = None
) -> str | None:
    haystack = folded.folded if limit is None else folded.folded[:limit]
    match = pattern.search(haystack)
    return _slice(folded, match.start(group), match.end(group)) if match else None


def _proposal_title(text: Folded, end: int) -> str | None:
    """The item's title, nearest after the words that introduce it (提出的, 收悉, 案由).

    One rule: the title of the suggestion or proposal as the deputy or member wrote it — what
    the answer quotes, never the answer's own wording around the quotation:
    - in book-title marks, the words inside them (`《关于X的建议》` → `关于X的建议`);
    - in quotation marks wrapped in 关于…的建议/提案/议案 (`关于“X”的建议`), the quoted words
      only (`X`): the 关于…的建议 around a quotation is the answering unit's wrapping;
    - in quotation marks alone, the quoted words;
    - written without any marks (`您提出的关于X的建议收悉`), the whole `关于X的建议`: with
      nothing to set the deputy's words apart, that is how the item is titled.
    """
    opening = text.folded[:end]
    starts = [m.end() for m in _ANCHOR.finditer(opening)] or [0]
    for anchor in [0, *starts] if len(starts) > 3 else [*starts, 0]:
        # Before looking from the top (where a copy may keep the page's own title, quoting the
        # number: `“西湖31号”建议的答复`), the title that ends just before 收悉.
        if anchor == 0 and (received := _title_received(text, opening)):
            return received
        window = opening[max(0, anchor - 4) : anchor + 220]
        best: tuple[int, int, int] | None = None
        for pattern in _TITLES:
            match = pattern.search(window)
            if match and (best is None or match.start() < best[0]):
                best = (match.start("t"), match.end("t"), match.start())
        if best is not None:
            offset = max(0, anchor - 4)
            return _slice(text, offset + best[0], offset + best[1])
    return None


def _title_received(text: Folded, opening: str) -> str | None:
    """The item's title that ends just before 收悉 (`《关于…的建议》(西湖31号)收悉`)."""
    received = _RECEIVED.search(opening)
    if received is None:
        return None
    offset = max(0, received.start() - 160)
    window = opening[offset : received.start()]
    found = [
        match
        for pattern in _TITLES
        for match in pattern.finditer(window)
        if len(window) - match.end() <= 40
    ]
    if not found:
        return None
    last = max(found, key=lambda m: (m.end(), -m.start()))
    return _slice(text, offset + last.start("t"), offset + last.end("t"))


def _compact_date(line: str) -> str | None:
    """2023526, 2024425, 20241018, 202394: a date written without separators under a
    signature (or without its 日: 2019年6月13)."""
    unmarked = _NO_DAY_MARK.match(line)
    if unmarked:
        parsed = parse_date(f"{unmarked['y']}-{unmarked['m']}-{unmarked['d']}")
        return parsed.date.isoformat() if parsed else None
    match = _COMPACT_DATE.match(line)
    if match is None:
        return None
    digits = match["md"]
    for month, day in ((digits[:1], digits[1:]), (digits[:2], digits[2:])):
        if len(digits) == 4 and len(month) == 1:
            continue
        parsed = parse_date(f"{match['y']}-{month}-{day}")
        if parsed is not None:
            return parsed.date.isoformat()
    return None


def _signer(line: str, folded: str) -> str | None:
    """An agency's name standing alone on a line (`南华县交通运输局`, `单位名称：昆区农牧局`)."""
    match = _AGENCY_LINE.match(folded.strip())
    if match is None or _ADDRESSING.search(folded):  # (`感谢你们对政府`, cut off there)
        return None
    offset = len(folded) - len(folded.lstrip())
    return clean(line[offset + match.start("a") : offset + match.end("a")])


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(signing agency, signed date): the last date line near the end and the agency above it;
    without a date, an agency alone on one of the last lines."""
    tail = lines[-16:]
    folded_tail = fold("\n".join(tail)).folded.split("\n")  # one fold for the sign-off
    if len(folded_tail) != len(tail):
        folded_tail = [fold(line).folded for line in tail]
    for position in range(len(tail) - 1, -1, -1):
        line = tail[position]
        folded = folded_tail[position]
        date = None
        if _DATE_LINE.match(folded):
            parsed = parse_date(folded)
            date = parsed.date.isoformat() if parsed else None
        date = date or _compact_date(folded)
        inline = None if date else _INLINE_DATE.search(folded)
        if inline:
            parsed = parse_date(inline["d"])
            date = parsed.date.isoformat() if parsed else None
        if date is None:
            continue
        candidates: list[tuple[str, str]] = []
        if inline:
            before, folded_before = line[: inline.start("d")], folded[: inline.start("d")]
            if before.split():
                word = len(before.rstrip()) - len(before.rstrip().split()[-1])
                candidates.append((before[word:], folded_before[word:]))
        if position > 0:
            candidates.append((tail[position - 1], folded_tail[position - 1]))
        signer = next(filter(None, (_signer(*pair) for pair in candidates)), None)
        return signer, date
    last = list(zip(tail[-3:], folded_tail[-3:], strict=True))
    return next(filter(None, (_signer(*pair) for pair in reversed(last))), None), None


def _split_and(text: str) -> list[str]:
    """和 joins two agencies (市科技局和市教育局) or lies inside one name (工业和信息化部,
    市经济和信息化局, 住房和城乡建设局): split only where the part before it is an agency's name."""
    pieces = text.split("和")
    parts = [pieces[0]]
    for piece in pieces[1:]:
        if _ENDS_AS_AGENCY.search(parts[-1]):
            parts.append(piece)
        else:
            parts[-1] += "和" + piece
    return parts


def _agencies(text: str) -> list[str]:
    found: list[str] = []
    for part in (piece for chunk in _CO_SPLIT.split(text) for piece in _split_and(chunk)):
        name = clean(_CO_SUFFIX.sub("", _CO_PREFIX.sub("", part.strip())))
        if (
            name
            and name not in found
            and 2 <= len(name) <= 30
            and not _SELF.match(name)
            and _AGENCY_NAME.search(fold(name).folded)
        ):
            found.append(name)
    return found


def _contact(tail: Folded) -> tuple[str | None, str | None]:
    """(contact person, phone) from the contact block of the sign-off."""
    text = tail.folded
    person = phone = None
    for match in _CONTACT_LABEL.finditer(text):
        line_end = text.find("\n", match.end())
        value_end = len(text) if line_end < 0 else line_end
        if not text[match.end() : value_end].strip() and line_end >= 0:
            # A table: the value is the next cell, on the next line.
            following = text.find("\n", line_end + 1)
            value_end = len(text) if following < 0 else following
        number = _PHONE.search(text, match.end(), value_end)
        if number and phone is None:
            phone = _slice(tail, number.start(), number.end())
        # The person: the first name in the value, before any other label or the number.
        stop = _OTHER_CONTACT_LABEL.search(text, match.end(), value_end)
        names_end = min(
            stop.start() if stop else value_end, number.start() if number else value_end
        )
        words = [
            (w.start(), w.end()) for w in re.finditer(r"[^\s,:;()]+", text[match.end() : names_end])
        ]
        if len(words) > 1 and (
            "单位" in match["label"]
            or _UNIT_END.search(text, match.end() + words[0][0], match.end() + words[0][1])
        ):
            words = words[1:]  # 联系单位及联系人：某某局 某某; 联系人：某某局某某处，某某
        if person is None and words and match["label"] != "联系单位及电话":
            start, end = (match.end() + words[0][0], match.end() + words[0][1])
            if end - start == 1 and len(words) > 1 and words[1][1] - words[1][0] <= 2:
                end = match.end() + words[1][1]  # a name set apart as a label is (`张 雷`)
            if "股室" in match["label"] or "处室" in match["label"]:
                office = _OFFICE.match(text, start, end)
                start = office.end() if office else start
            if _HAN_NAME.fullmatch(text[start:end].replace(" ", "·")):
                person = _slice(tail, start, end)
        if person and phone:
            break
    named = _NAMED_PHONE.search(text) if person is None else None
    if named and not _UNIT_END.search(named["p"]):
        person = _slice(tail, named.start("p"), named.end("p"))
        phone = phone or _slice(tail, named.start("n"), named.end("n"))
    if phone is None:
        for number in _PHONE_LABEL.finditer(text):
            # (Its line and those around it: the footer's sponsor, ICP and phone lines.)
            around = _lines_around(text, number.start(), number.end(), before=1, after=1)
            if not _SITE_FOOTER.search(around):
                phone = _slice(tail, number.start("v"), number.end("v"))
                break
    return person, phone


def _lines_around(text: str, start: int, end: int, before: int = 0, after: int = 0) -> str:
    """The lines that hold text[start:end], with `before` lines above them and `after` below."""
    first = text.rfind("\n", 0, start) + 1
    for _ in range(before):
        first = text.rfind("\n", 0, max(0, first - 1)) + 1
    last = text.find("\n", end)
    for _ in range(after):
        last = text.find("\n", last + 1) if last >= 0 else -1
    return text[first : last if last >= 0 else len(text)]


def _fuller(first: str | None, other: str | None) -> str | None:
    """`first`, or `other` where it is the same name written in full (县水务局 → 马关县水务局)."""
    if first and other and first != other and "".join(first.split()) in "".join(other.split()):
        return other
    return first or other


def _breadcrumb_agency(text: str) -> str | None:
    """The last agency named in a breadcrumb (`首页 > 信息公开 > 霍山县科技经信局 > …`)."""
    match = _BREADCRUMB.search(text[:600])
    if match is None:
        return None
    line = text[match.start() : text.find("\n", match.start()) % (len(text) + 1)]
    names = [part.strip() for part in line.split(">")]
    agencies = [n for n in names if re.fullmatch(rf"[^\s,。:]{{2,30}}{_AGENCY_END}", n)]
    return agencies[-1] if agencies else None


def _abbreviates(short: str, full: str) -> bool:
    """`short` names the same body as `full` in short: its characters, in order, all in it."""
    rest = iter(full)
    return len(short) <= len(full) and all(ch in rest for ch in short)


def _lead_and_co(
    title: Folded, opening: Folded, kind: str, publisher: str | None, signer: str | None,
    unit: str | None = None,
) -> tuple[str | None, list[str]]:  # fmt: skip
    """(the lead agency, the co-handling agencies): a label, the handling sentence (X主办，Y会办),
    the signature, the title (X关于…, …(X)), the contact unit, the breadcrumb, the publisher."""
    text = opening.folded
    title_agency = _first(_TITLE_AGENCY, title, "a") or _first(_TITLE_AGENCY_SUFFIX, title, "a")
    own = _fuller(signer, title_agency) or _fuller(title_agency, signer)
    if kind == "co_handling_opinion":
        agency = _AGENCY_SALUTATION.search(text[:600])
        addressed = _slice(opening, agency.start("who"), agency.end("who")) if agency else None
        if addressed is None:
            # The unit addressed on a line of its own, without the colon, just above the text.
            prose = _PROSE.search(text[:1500])
            addressed = _agency_line(
                opening, text.rfind("\n", 0, prose.start()) if prose else 0, last=True
            )
        # Who signed the opinion wrote it; the page's publisher may be another body (the site's
        # information centre) — unless it names the signer in short (市经信局, 杭州市经济和信息化局).
        writer = publisher if publisher and (not own or _abbreviates(publisher, own)) else own
        return addressed, [writer] if writer else []
    lead: str | None = None
    co: list[str] = []
    for label in _LEAD_LABEL.finditer(text[:1500]):
        if _FOOTER.search(_lines_around(text, label.start(), label.end())) or (
            _SITE_FOOTER.search(_lines_around(text, label.start(), label.end(), after=2))
        ):
            continue  # 主办单位 of the website, in its footer (its 建设与维护 and ICP lines below)
        names = _agencies(_slice(opening, label.start("v"), label.end("v")) or "")
        if names:
            lead, co = names[0], names[1:]
            break
    handling = None
    for anchor in _HANDLED.finditer(text, 0, 2000):
        handling = _HANDLING.search(
            text, max(0, anchor.start() - 45), min(len(text), anchor.end() + 320)
        )
        if handling:
            break
    if handling:
        lead_start = handling.start("lead")
        prefix = _LEAD_PREFIX.match(handling["lead"])
        if prefix:
            lead_start += prefix.end()
        named = _slice(opening, lead_start, handling.end("lead"))
        if named and _SELF.match(fold(named).folded):
            named = publisher or own  # 经我局主办: the publishing bureau itself
        lead = lead or named
        co = co or _agencies(_slice(opening, handling.start("co"), handling.end("co")) or "")
    if not co:
        for pattern in _CO_SENTENCES:
            match = pattern.search(text[:2000])
            if match:
                co = _agencies(_slice(opening, match.start("co"), match.end("co")) or "")
                if co:
                    break
    crumb = _breadcrumb_agency(text)
    if crumb and publisher and _abbreviates(crumb, publisher):
        crumb = publisher  # the breadcrumb's 宁国市交运局 is the publisher's 宁国市交通运输局
    if publisher and _names_the_site(publisher):
        publisher = None  # the site's name given for the publisher (某某市人民政府网)
    # Last, a unit named on a line of its own above the letter: the issuer over the title, or
    # the publisher in a list of metadata values without labels (`• 郑州市大数据管理局`).
    if not (lead or own or unit or crumb or publisher):
        salutation = deputy_salutation(text[:1500])
        issuer = _agency_line(opening, salutation.start() if salutation else min(len(text), 400))
        return issuer, co
    lead = _fuller(lead, own) if lead else own or unit or crumb or publisher
    return lead, co


_AGENCY_ONLY = re.compile(
    rf"^[ \t•·\-]*(?P<a>[^\s,。:;()《》“”]{{2,30}}?{_AGENCY_END})[ \t]*$", re.MULTILINE
)
_PROSE = re.compile(r"^[^\n]{15,}?(?:[。,]|如下:)", re.MULTILINE)


def _names_the_site(name: str) -> bool:
    return name.endswith(("网", "网站"))


def unit_name(text: str | None) -> str | None:
    """`text` where it names a unit (`来源：惠东县高潭镇人民政府`), not the site (本站, 某某网)."""
    name = clean(text)
    if not name or name in ("本站", "本网") or _names_the_site(name):
        return None
    return name if _AGENCY_NAME.search(fold(name).folded) else None


def _agency_line(text: Folded, end: int, last: bool = False) -> str | None:
    """A unit's name alone on a line before `end`: the first such line (or the last)."""
    found = list(_AGENCY_ONLY.finditer(text.folded, 0, max(0, end)))
    if not found:
        return None
    match = found[-1] if last else found[0]
    return _slice(text, match.start("a"), match.end("a"))


def _is_proposal(*evidence: str) -> bool | None:
    """A CPPCC proposal (True) or a deputy's suggestion (False), by the first evidence that says."""
    for text in evidence:
        if re.search(r"政协|提案", text):
            return True
        if re.search(r"人大|人民代表大会|议案", text):
            return False
        if re.fullmatch(r"委员(?:小组)?|主席", text):
            return True
        if text == "代表":
            return False
    for text in evidence:
        if re.search(r"委员", text):
            return True
        if re.search(r"代表|建议", text):
            return False
    return None


def _result_class(head: Folded, tail: Folded) -> str | None:
    for pattern in _RESULT_CLASS:
        for text in (head.folded[:600], tail.folded):
            match = pattern.search(text)
            if match:
                return fold(match["c"]).folded
    return None


def extract_reply(
    title: str | None,
    body: str | None,
    kind: str,
    publisher: str | None,
    above: list[str] | None = None,
) -> Reply:
    """Reply fields from the title, the lines above the body (`above`) and the body.

    A copy that inserts pinyin after characters (`鎮(zhèn)康縣`) is read without it, and each
    value is then given as the copy writes it, annotations and all."""
    title, body, above = title or "", body or "", above or []
    texts = [title, *above, body]
    if not any(has_pinyin(text) for text in texts):
        return _reply(title, body, above, kind, publisher)
    reply = _reply(strip_pinyin(title), strip_pinyin(body), list(map(strip_pinyin, above)), kind,
                   publisher)  # fmt: skip
    original = "\n".join(texts)
    for name in _WRITTEN:
        value = getattr(reply, name)
        if value:
            setattr(reply, name, as_annotated(value, original))
    reply.co_agencies = [as_annotated(agency, original) for agency in reply.co_agencies]
    return reply


# The fields given as the text writes them (the others are a vocabulary, a date or a number).
_WRITTEN = (
    "addressee",
    "session",
    "proposal_no",
    "proposal_title",
    "lead_agency",
    "contact_person",
)


def _reply(title: str, body: str, above: list[str], kind: str, publisher: str | None) -> Reply:
    reply = Reply()
    title_f = fold(title)
    top = "\n".join([*above, body])
    # The fields live in the opening and the sign-off: fold those, not the whole text.
    head = fold(top[:_HEAD])
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    tail = fold("\n".join(lines)[-_TAIL:])

    reply.addressee, role = _addressee(head, title_f, kind)
    # Where the title and the text name the session differently, the fuller form.
    sessions = _sessions(title_f) + _sessions(head, 1500)
    # A standing committee's meeting (人大常委会第28次会议, where a law was read) is named only
    # where no session is.
    if sessions:
        reply.session = max(
            sessions, key=lambda s: ("常委会" not in fold(s).folded, len("".join(s.split())))
        )
    # The kind of item decides the role, whatever the salutation says (a deputy addressed as
    # 委员): the session, then the title, then the salutation's word, then the opening.
    proposal = _is_proposal(
        fold(reply.session or "").folded, title_f.folded, role or "", head.folded[:600]
    )
    if proposal is not None:
        reply.body_type = "proposal" if proposal else "suggestion"
        reply.addressee_role = "委员" if proposal else "代表"

    # The title's form first (56号提案 in the title, 第56号 in the text: 56号).
    reply.proposal_no = next(
        (no for pattern in _PROPOSAL_NO if (no := _first(pattern, title_f, "no"))), None
    ) or next((no for pattern in _PROPOSAL_NO if (no := _first(pattern, head, "no", 1500))), None)
    received = re.search(r"收悉|答复如下|回复如下|如下", head.folded[:1500])
    reply.proposal_title = _proposal_title(head, received.end() if received else 900)

    signer, reply.signed_date = _signature(lines)
    unit = _first(_CONTACT_UNIT, tail, "a")
    reply.lead_agency, reply.co_agencies = _lead_and_co(
        title_f, head, kind, publisher, signer, unit
    )
    if not reply.co_agencies and kind != "co_handling_opinion":
        # Under their label, in the sign-off (主办单位：… 会办单位：…) or at the top.
        labelled = _first(_CO_LABEL, tail, "v") or _first(_CO_LABEL, head, "v")
        reply.co_agencies = _agencies(labelled) if labelled else []
    reply.contact_person, reply.contact_phone = _contact(tail)
    reply.result_class = _result_class(head, tail)
    return reply
