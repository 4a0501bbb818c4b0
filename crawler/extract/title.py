"""The title as the page prints it.

In order of trust: a 标题/名称 label; the printed heading nearest above the body (`<h1>`-`<h3>` or
an element whose id or class names a title: `title`, `tit`, `bt`); the line of text that stands
above the header line (来源/发布时间), the metadata table or the salutation, on pages with no
heading markup at all; then the `ArticleTitle` meta tag; then `<title>` without the site and
column names. Headings that only name the site or the column (the logo, `通知公告`) are not
titles, and a date printed beside the heading (`… ( 2021年07月23日 )`) is cut off and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from crawler.extract.dates import DAY
from crawler.extract.labels import BULLETS, LABEL_RE, label_of, unbracket
from crawler.extract.page import INLINE, Scan, render_text, text_content
from crawler.extract.text import clean, fold, squeeze, strip_pinyin

_HEADING_TAGS = ("h1", "h2", "h3")
_NAMED_TAGS = ("div", "td", "p", "span", "strong", "h4", "font")
_TAGS = frozenset((*_HEADING_TAGS, *_NAMED_TAGS))
# A class or id word that names a title: title, art_title, zjytitle, all_content_con_tit.
_TITLE_NAME = re.compile(r"(?:^|[-_\s])(?:tit|biaoti)(?:$|[-_\s])|title", re.IGNORECASE)
_NOT_TITLE_NAME = re.compile(r"sub|head-title|list|column|lanmu|nav|menu|site|logo", re.IGNORECASE)
_TRAILING_DATE = re.compile(
    r"\s*[(（\[【]\s*(?P<date>\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?)\s*[)）\]】]\s*$"
)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|——|—| - |-)\s*")
_TAG = re.compile(r"<[^>]{0,200}>")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Lines that are never a title: breadcrumbs, toolbars, greetings, dates, counters.
_FURNITURE_LINE = re.compile(
    r"(?:首页|当前位置|所在位置|您的位置|当前的位置)\s*[:：>»/]|^首页|[>»]\s*正文$|[>»].*[>»]|版权所有|"
    # A toolbar's words where a toolbar has them, not inside words (`老字号`, `关于关闭…的公告`).
    r"欢迎(?:您|访问|光临)|无障碍|长者模式|关怀版|读屏|扫一扫|"
    r"(?:^|[\s【\[|｜])(?:字体|字号|打印|关闭|收藏|分享)|(?:字体|字号)\s*[:：]|打印本页|关闭窗口|分享到|"
    r"^(?:今天是|现在是)|星期[一二三四五六日天]|^\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?|"
    # A breadcrumb copied with its links' addresses (`综合信息/col/col1676887/index.html政务公开…`).
    r"\.(?:s?html?|jsp|aspx?|php)(?![a-z])"
)
_SENTENCE = re.compile(r"[。！？!?]")
# A question or an exclamation at the end of a line (`…是多少？`, `…下调啦！`).
_ASKED = re.compile(r"[！？!?]\s*$")
_BARE_DATE = re.compile(rf"^{DAY}(?:\s|$)")
# Words a document's title has (and a menu, a breadcrumb or a notice line has not).
_DOC_TITLE = re.compile(
    r"关于|^对|答复|复函|回复|的函|意见|通知|公告|通告|决定|办法|规定|建议|提案|议案|报告|批复|公示|通报|"
    r"方案|细则|解读|规划|纲要|条例"
)
_SESSION_OR_NUMBER = re.compile(r"届|次会议|\d+\s*号")
# (The issuer's short name before the year holds no bracket: `[浙交建〔2018〕101号]` after a
# title is the number alone.)
_DOC_NUMBER_ANY = re.compile(
    r"[^\s\[\]［］【】()（）〔〕]{0,20}[〔\[［【(（]\s*(?:19|20)\d\d\s*[〕\]］】)）]\s*第?\s*\d+\s*号\S{0,4}"
)
# (A news title tells what a body did: `某区召开2022年总河长会` is no name.)
_ORG_NAME = re.compile(
    # (潼关县, 于都县: the characters of 关于 may stand in a name; the word may not.)
    r"^(?!.*(?:召开|开展|举行|举办|部署|推进|启动|调研|视察|走访|慰问|关于|的|\d{4}年))"
    # (A body's announcement is no name: `中华人民共和国农业部公告`, `某局责令改正公告`.)
    r"(?!.*(?:部|局|委员会|人民政府|厅)[^，。、《》:：]{0,6}公告$)"
    r"[^，。、《》:：]{2,30}(?:中心|局|委员会|政府|网站|网|办公室|办公厅|厅|委|部|院|会|所|站|处|门户|平台|"
    r"文件|公开|公告|通知|动态|要闻|新闻|信息|专栏|栏目|首页|列表|政协|人大)$"
)
# The name of a body that issues documents (a unit, not a site, a column or a date).
# (潼关县, 于都县: the characters of 关于 may stand in a name; the word may not.)
_ISSUER = re.compile(
    r"^(?!.*(?:关于|的))[^，。、《》:：()（）\d]{4,30}(?:局|委员会|政府|办公室|办公厅|厅|中心|大队|支队|院|处|"
    r"管委会|管理委员会|街道办事处|公司)$"
)
# A title that opens with its year (`2022年度政府信息公开工作年度报告`).
_YEAR_LED = re.compile(r"(?:19|20)\d\d\s*年")
# A heading all in brackets is the line under the title (`（2025年12月8日…会议通过）`).
_BRACKETED = re.compile(r"^\s*[(（【\[].*[)）】\]]\s*$")
# (Its serial may be left blank, `清政建复〔2022〕号`, and a handling class follow it, `(B类)`.)
_DOC_NUMBER_ONLY = re.compile(
    r"^\s*\S{0,20}[〔\[［【(（]\s*(?:19|20)\d\d\s*[〕\]］】)）]\s*第?\s*\d*\s*号\s*"
    r"(?:[(（]\s*[A-D甲乙丙丁]\s*类\s*[)）])?\s*$"
)
# `签发人：某某`, `类别：B`: a short label and its value.
_LABELLED = re.compile(r"^[^:：]{1,8}[:：]")
# A line that completes a title broken after it (`…第55号提案的` / `答复`).
_OPEN_END = re.compile(r"(?:的|关于|对|和|及|与|、|第)$")
_SHORT_END = re.compile(r"^(?:答\s*复|复\s*函|回\s*复|答复函|的函|通知|公告|意见|决定|办法)$")
# A continuation that starts with the item's number (`…第一次会议` / `27号提案的答复`).
_NUMBER_START = re.compile(r"\d+\s*号")
# The date and source a copy runs a title together with (`…的函 2024-05-31 来源:市政府办公厅`).
_DATED = re.compile(r"\s+(?:19|20)\d\d-\d\d-\d\d(?:\s+[来來]源\s*[:：].*)?$")
# The last line of a title broken after its item's number (`…第735号` / `建议答复的函`,
# `…第0637号提案` / `办理情况的复函`).
_TITLE_TAIL = re.compile(
    r"^(?:的|建议|提案|议案|办理)[^,。:]{0,10}(?:答复|复函|回复|的函|答复函|意见)$"
)


def _text(el: etree._Element) -> str | None:
    return clean(text_content(el))


def strip_markup(value: str | None) -> str | None:
    """A meta value with markup typed into it (`…关于<br/>进一步…`) as the words it shows."""
    return clean(_TAG.sub("", value)) if value and "<" in value else value


def split_date(title: str) -> tuple[str, str | None]:
    """(title, a date printed in brackets at its end, if any)."""
    match = _TRAILING_DATE.search(title)
    if match is None or match.start() < 4:
        return title, None
    return title[: match.start()].strip(), match["date"]


def names_a_title(el: etree._Element) -> bool:
    """An element whose id or class names a title (`title`, `art_title`, `tit`, `biaoti`)."""
    return title_names(el.get("id") or "", el.get("class") or "")


def title_names(ident: str, classes: str) -> bool:
    """An id and a class (either may be empty) that name a title."""
    if not ident and not classes:
        return False
    names = f"{ident} {classes}"
    lowered = names.lower()
    if "tit" not in lowered and "biaoti" not in lowered:  # the cheap look first
        return False
    return bool(_TITLE_NAME.search(names)) and not _NOT_TITLE_NAME.search(names)


@dataclass(frozen=True)
class Heading:
    text: str
    h1: bool  # an <h1>: a heading whatever the page's other titles say


def headings(
    page: Scan, body: Sequence[etree._Element], not_titles: frozenset[str]
) -> list[Heading]:
    """The printed headings above the body (all of them on a page without a body), in order.

    `not_titles` holds the site's and the column's names (squeezed): a heading that is one of
    them, or is contained in one, is the site's logo or the column's name. A heading's first line
    is its text (templates put the date line inside the title block). `page` is the page's
    `scan`.
    """
    root, hidden = page.root, page.hidden
    first_body = body[0] if body else None
    wrappers = set(first_body.iterancestors()) if first_body is not None else set()
    # Elements of the other tags whose id or class names a title, from the page's scan.
    titled = {
        el for el, ident, classes in page.named if title_names(ident, classes) and el.tag in _TAGS
    }
    # The candidates' tags, and the body's (only what stands above it counts), iterated in C;
    # every element where lxml will not look for the body's tag by name (a mangled page's
    # `<p\x01>`: the look raises ValueError).
    try:
        walk = root.iter(*_TAGS, *([first_body.tag] if first_body is not None else []))
    except ValueError:
        walk = root.iter()
    candidates = []
    for el in walk:
        if el is first_body:
            break
        # A wrapper of the body is not its heading.
        if (el in titled or el.tag in _HEADING_TAGS) and el not in wrappers:
            candidates.append(el)
    found: list[Heading] = []
    for el in candidates:
        if hidden and (el in hidden or any(a in hidden for a in el.iterancestors())):
            continue
        # A heading of one run of text is read as it is; one broken into lines line by line.
        lined = len(el) and any(
            not isinstance(c.tag, str) or c.tag not in INLINE for c in el.iter()
        )
        text = _leading_title(render_text(el, page)) if lined else clean(text_content(el)) or ""
        if not 5 <= len(text) <= 200 or _BRACKETED.match(text) or _DOC_NUMBER_ONLY.match(text):
            continue
        key = squeeze(text)
        if any(key in name for name in not_titles) or LABEL_RE.match(fold(text).folded):
            continue
        if not found or found[-1].text != text:
            found.append(Heading(text, el.tag == "h1"))
    return found


def _leading_title(text: str) -> str:
    """The heading's own lines (a title broken by `<br>`), without a date or source line."""
    kept: list[str] = []
    for line in text.split("\n"):
        if kept and not title_like(line):
            break
        kept.append(line.strip())
    return "".join(kept)


def title_from_head(root: etree._Element, names: Sequence[str]) -> str | None:
    """`<title>` without the site and column names (`市经信局关于…_人大代表建议_杭州市…`)."""
    el = next(root.iterdescendants("title"), None)
    text = _text(el) if el is not None else None
    if not text:
        return None
    parts = [part.strip() for part in _TITLE_SPLIT.split(text) if part and part.strip()]
    keys = [squeeze(name) for name in names if name]
    kept = [part for part in parts if not any(squeeze(part) in key for key in keys)]
    return clean(max(kept, key=len)) if kept else None


# A title's own number in brackets at its end (`…提案答复的函(编号:B〔2017〕062号)`): no label.
_NUMBER_SUFFIX = re.compile(r"\((?:编号|文号)\s*:[^()]{1,30}\)$")


# A news headline led by the unit it is about (`某某局：认真做好建议提案办理工作`): a unit, a
# colon, a short phrase that is no sentence and opens no letter (`某某局：你局…`, `…：现将…`).
_UNIT_HEADLINE = re.compile(
    r"^(?!各)[^:：，。,\s]{2,20}?(?:局|委|办|厅|乡|镇|县|区|市|街道|政府|中心|村|社区)\s*[:：]\s*"
    r"(?!您|你|现|为|根据|按照|依据|经|《|近|今|在|请|结合|关于)[^。！？!?；;:：]{6,40}$"
)


def unit_headline(line: str) -> bool:
    """Whether the line is a headline led by the unit it is about (not a salutation)."""
    return _UNIT_HEADLINE.match(line.strip()) is not None


def title_like(line: str) -> bool:
    """A line that could be a title: some words, no sentence, no label, no page furniture, no
    bulleted item of a list (`• 提案,建议提案,提案答复函`: a metadata value)."""
    text = strip_pinyin(line.strip())
    if not 5 <= len(text) <= 150 or len(_HAN.findall(text)) < 4 or text[0] in BULLETS:
        return False
    if _SENTENCE.search(text) or _FURNITURE_LINE.search(text):
        return False
    folded = unbracket(_NUMBER_SUFFIX.sub("", fold(text).folded))
    return not (
        LABEL_RE.search(folded)
        or folded.rstrip().endswith(":")
        or (_LABELLED.match(folded) and not unit_headline(text))
        or _DOC_NUMBER_ONLY.match(folded)
        or folded.endswith("文件")
        or "签发人" in folded
        or len(_HAN.findall(_DOC_NUMBER_ANY.sub("", folded))) < 6
    )


def _continues(line: str, following: str) -> bool:
    """`following` is the rest of a title broken after `line` (`…第55号提案的` / `答复`)."""
    return bool(
        _OPEN_END.search(line)
        or _SHORT_END.match(squeeze(following))
        or _TITLE_TAIL.match(squeeze(following))
        or following.startswith("第")
        # A word that joins two parts, never a title's first (`…代表建议` / `和政协提案…的通知`).
        or following.startswith(("和", "及", "与", "暨", "并"))
        or _NUMBER_START.match(following) is not None
        or following.count("》") > following.count("《")
    )


# What a document's title ends with: its kind, perhaps with a note in brackets (（试行）).
_KIND_END = re.compile(
    r"(?:通知|公告|通告|意见|决定|办法|规定|细则|方案|规划|报告|批复|答复|复函|回复|的函|公示|通报|"
    r"条例|纲要|解读|建议|提案|议案|规则|计划|要点|预案|决议|流程|指南|思路|"
    # A budget's or a final account's disclosure (`某局2023年度部门决算公开说明`), a year's report.
    r"[预决]算(?:汇总)?(?:公开)?(?:情况)?(?:说明)?|年报)(?:[(（][^()（）]{1,12}[)）])?$"
)


def _fragment(cell: str) -> str | None:
    """A piece of a title broken over lines (`某某市人民政府关于印发` / `某某实施方案的通知`):
    a few words, no sentence, no colon, no label; None for anything else."""
    text = cell.strip().lstrip(BULLETS + " ")
    folded = fold(text).folded
    if not 2 <= len(text) <= 60 or _SENTENCE.search(text) or ":" in folded:
        return None
    return None if LABEL_RE.search(folded) else text


def _beginning_above(cells: Sequence[str], index: int, title: str) -> str:
    """A title broken over two or three lines, with its beginning: the lines above an end that
    lacks it (`某某市人民政府关于印发` / `某某建设` / `某某实施方案的通知`)."""
    folded = squeeze(fold(title).folded)
    if _KIND_END.search(folded) and "关于" not in folded and not folded.startswith("对"):
        pieces: list[str] = []
        for back in range(index - 1, max(index - 3, -1), -1):
            piece = _fragment(cells[back])
            if piece is None:
                break
            pieces.insert(0, piece)
            if "关于" in fold(piece).folded:
                return "".join(pieces) + title
    return title


def _end_below(following: Sequence[str], title: str) -> str:
    """A title broken over two or three lines, with its end: the lines below a beginning that
    lacks it (`某某关于命名“某某` / `某某”的通知`)."""
    folded = squeeze(fold(title).folded)
    if "关于" not in folded or _KIND_END.search(folded):
        return title
    pieces: list[str] = []
    for line in following[:2]:
        piece = _fragment(line)
        if piece is None:
            break
        pieces.append(piece)
        if _KIND_END.search(squeeze(fold(piece).folded)):
            return title + "".join(pieces)
    return title


# A name in brackets (`（县农业农村局）`, the unit a part of the text is from): no title.
_BRACKETED = re.compile(r"^[(（][^()（）]*[)）]$")
# An attachment's file name (a link under the title): never the title.
_FILE_NAME = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar|txt)$", re.IGNORECASE)


def title_above(lines: Sequence[str]) -> str | None:
    """The title among the lines that stand above the body, on a page without heading markup.

    The title-like line right above a byline (`发布时间：…`) wins; else the first line that reads
    as a document's title (`关于…的通知`, `…第48号建议的复函`), one naming a session or a number
    first; else the nearest title-like line above the body. A title broken over lines is joined
    whole.
    """
    # Table rows copied as `a | b | c`: each cell a line of its own, metadata rows left out; a
    # title run together with its date and source, without them.
    printed = [
        cell.strip()
        for line in lines
        if "|" not in line or not LABEL_RE.search(fold(line).folded)
        for cell in line.split("|")
        if cell.strip()
    ]
    cells = [_DATED.sub("", cell) for cell in printed]
    titles = [
        i
        for i, cell in enumerate(cells)
        if (title_like(cell) or _asked_over_byline(cells, i))
        and not is_name(cell)
        and not _a_value(printed, i)
    ]
    folded = {i: fold(cells[i]).folded for i in titles}  # (in either script)
    documents = [i for i in titles if _DOC_TITLE.search(folded[i])]
    numbered = [i for i in documents if _SESSION_OR_NUMBER.search(folded[i])]
    # Of two titles, the one that names the session (`…第27号提案的答复` above `对政协某县第十四届
    # 委员会第一次会议` / `27号提案的答复`).
    numbered.sort(key=lambda i: "届" not in folded[i])  # (stable: page order within each)
    if not titles:
        return None
    # The line right above a byline or a metadata line (`发布时间：…`, `来源：…`) is the title:
    # a column's name above it is not.
    bylined = [
        i for i in titles if _over_byline(cells, i) and not _BRACKETED.match(cells[i].strip())
    ]
    index = (bylined or numbered or documents or titles[-1:])[0]
    # A column's name above the title it is part of (`信息公开工作年度报告` above `某某局2025年政府
    # 信息公开工作年度报告`): the whole title below wins.
    key = squeeze(folded[index])
    index = next(
        (
            i
            for i in documents
            if i > index and key in squeeze(folded[i]) and not _FILE_NAME.search(folded[i])
        ),
        index,
    )
    title = cells[index]
    # The issuing body on the line above a title that opens with 关于 or 对 (`某某局` / `关于…的
    # 复函`), or with its year (`某某局` / `2022年政府信息公开工作年度报告`): one title broken
    # after the body's name. Not the last of an issuer block (several bodies,
    # one a line, their names often letter-spaced), which stands above a title of its own.
    if (
        index > 0
        and _issuer_may_open(folded[index])
        and " " not in cells[index - 1].strip()
        and _ISSUER.match(cells[index - 1].strip())
        and not (index > 1 and _ISSUER.match(squeeze(cells[index - 2])))
    ):
        title = cells[index - 1].strip() + title
    title = _beginning_above(cells, index, title)
    after = index + 1
    for following in cells[index + 1 : index + 3]:
        if not (title_like(following) or _SHORT_END.match(squeeze(following))):
            break
        if not _continues(title, following):
            break
        title += following
        after += 1
    return _end_below(cells[after:], title)


def title_atop(text: str, above: Sequence[str] = ()) -> str | None:
    """The title printed as the text's first line, on a page that gives it nowhere else
    (`某某镇2022年政府信息公开工作年度报告` over `本报告依据…`): a line of its own that reads as a
    title and ends with a kind of document, with the text going on below it; the issuing
    body's name on the line `above` it opens it (`某某局` / `2022年政府信息公开工作年度报告`)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or not title_like(lines[0]) or is_name(lines[0]):
        return None
    first = lines[0]
    folded = squeeze(fold(first).folded)
    if not _KIND_END.search(folded) or sum(map(len, lines[1:])) <= 2 * len(first):
        return None
    unit = next((line.strip() for line in reversed(above) if line.strip()), "")
    if _issuer_may_open(folded) and _ISSUER.match(unit):
        return unit + first
    return first


def whole_below(title: str, text: str) -> str:
    """A title the page printed cut short (`…信息公开工作年度报`, `…信息公开工…`), whole as the
    text's first line: that line."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    key = squeeze(title)
    cut = key.rstrip("….")
    whole = squeeze(first)
    longer = len(whole) - len(cut)
    if (
        cut
        and whole.startswith(cut)
        and (0 < longer <= 4 or (cut != key and longer > 0))
        and _KIND_END.search(fold(whole).folded)
        and not _KIND_END.search(fold(key).folded)
    ):
        return first
    return title


def _issuer_may_open(title: str) -> bool:
    """Whether the issuing body's name, printed on the line above, opens this title (folded):
    one that opens with 关于 or 对, or with its year."""
    return title.startswith(("关于", "对")) or _YEAR_LED.match(title) is not None


def _a_value(cells: Sequence[str], index: int) -> bool:
    """A field's value in a table rendered a cell a line, labels and values alternating: its
    label alone above it, another label alone below (`公开目录` / `政府信息公开制度` / `主题分类`).
    Not under the title's label (`标题`), nor under one often left empty or a button's
    (`有效性`, `打印`); a label left empty above the title has a byline or the text below."""
    if not 0 < index < len(cells) - 1:
        return False
    above, below = (label_of(unbracket(fold(cells[i]).folded)) for i in (index - 1, index + 1))
    return above not in (None, "title", "_other", "_counter") and below is not None


def _over_byline(cells: Sequence[str], index: int, *, or_date: bool = False) -> bool:
    """Whether the cell after `index` is a byline (it opens with a label), or with `or_date`
    a bare date."""
    if index + 1 >= len(cells):
        return False
    below = unbracket(fold(cells[index + 1].strip()).folded)
    return bool(LABEL_RE.match(below) or (or_date and _BARE_DATE.match(below)))


def _asked_over_byline(cells: Sequence[str], index: int) -> bool:
    """A title that asks or exclaims (`…标准是多少?`, `…利率下调啦!`), over its byline or its
    date: a sentence's mark at its end only, no full stop."""
    text = cells[index].strip()
    if not _ASKED.search(text) or "。" in text:
        return False
    return _over_byline(cells, index, or_date=True) and title_like(_SENTENCE.sub(" ", text))


def _names_no_document(guide: str) -> bool:
    """A `<title>` or meta title that is a name (`某某政协`, `XX网`), or a few characters without
    a word of a document's title (a site's short name): no guide to the printed title."""
    key = squeeze(guide)
    return is_name(guide) or (len(key) <= 6 and not _DOC_TITLE.search(key))


def is_name(text: str) -> bool:
    """A site's, an organisation's or a column's name (`南京住房公积金管理中心`, `主动公开文件`)."""
    return bool(_ORG_NAME.match(squeeze(text)))


def choose(
    candidates: Sequence[Heading],
    article_title: str | None,
    head_title: str | None,
    *,
    nearest_last: bool = True,
) -> str | None:
    """The heading nearest the body that agrees with the `ArticleTitle` meta tag or `<title>`;
    else the nearest `<h1>`, or with no title-like guide at all the nearest heading.

    Without a body there is nothing to be near: the first heading is the page's."""
    guides = [
        guide for guide in (article_title, head_title) if guide and not _names_no_document(guide)
    ]
    ordered = list(reversed(candidates)) if nearest_last else list(candidates)
    for candidate in ordered:
        if any(agrees(candidate.text, guide) for guide in guides):
            return candidate.text
    titled = [c for c in ordered if not is_name(c.text) and (c.h1 or not guides)]
    if not titled or (article_title and not is_name(article_title)):
        return None
    return titled[0].text


def agrees(printed: str, other: str) -> bool:
    """The same title, give or take book-title marks, spaces and a prefix or suffix."""
    a, b = (squeeze(re.sub(r"[《》〈〉“”\"]", "", t)) for t in (printed, other))
    return bool(a) and bool(b) and (a in b or b in a)
