"""The main text of a page: a known container, else Readability's scoring, siblings and all.

Known containers (gov.cn, TRS WCM, Hanweb, common templates) are trusted first, unless one holds
nothing at all (the template's box left empty). On any other template the text is scored as
Readability does, adapted to Chinese pages:

- text is gathered per *block* (the nearest ancestor that is not inline; `<span>` and `<font>` are
  inline here, since Word-exported pages cut one paragraph into dozens of spans);
- a block with prose (sentence punctuation, or 80 characters and more; never a heading) credits
  itself and the ancestors where the tree branches: the first fully, the second half, the third
  a third — a single-child wrapper (an editor's nested `<section>`s) passes its credit up and
  counts as no level; text inside menus, footers, share bars and breadcrumbs (by their id and
  class names, or by the words only a footer prints: ICP备, 网站标识码, 版权所有 …) credits
  nothing;
- the best candidate, discounted by its share of link text, wins; then its siblings that hold
  prose of their own join it (Readability's sibling step), so paragraphs that sit side by side —
  even straight in `<body>` — come out together;
- where the best holds little prose, short sentences count too and what stands right under the
  page's heading is favoured: a short notice of three short sentences beats a box of prose
  beside it; where nothing shown has prose, text hidden until a script shows it is read.

A page without any prose block has no body (a PDF link alone, a redirect shell, a listing).
The body proper then skips what stands at the top of the content area (a metadata block, the
repeated title, a document number, an issuer block) and a disclosure table printed below it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from lxml import etree

from crawler.extract.dates import DAY
from crawler.extract.labels import (
    BASE_FIELD,
    LABEL_RE,
    LABEL_STARTS,
    LINE_STRIP,
    RECORD_ANSWER,
    RECORD_ITEM,
    RECORD_PERSON,
    field_for,
    label_of,
    unbracket,
    whole_label,
)
from crawler.extract.page import EMPTY_CELL, INLINE, SKIPPED, SOFT, Scan, scan, text_content
from crawler.extract.text import either_script, fold, squeeze
from crawler.extract.title import names_a_title, unit_headline

# Known body containers, in order of trust: gov.cn, TRS WCM, Hanweb classic (#zoom), then common
# templates. ("id", name) or ("class", name).
BODY_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("id", "UCAP-CONTENT"),
    ("class", "TRS_Editor"),
    ("class", "trs_editor_view"),
    ("class", "TRS_UEDITOR"),
    ("id", "zoom"),
    ("class", "zoom"),
    ("id", "zoomcon"),
    ("class", "article-content"),
    ("class", "article_content"),
    ("id", "article-content"),
    ("class", "art_con"),
    ("class", "pages_content"),
    ("class", "main-txt"),
    ("id", "mainText"),
    ("class", "detail-content"),
    ("class", "xxgk_content"),
)


_ID_RANK = {name: rank for rank, (kind, name) in enumerate(BODY_CONTAINERS) if kind == "id"}
_CLASS_RANK = {name: rank for rank, (kind, name) in enumerate(BODY_CONTAINERS) if kind == "class"}


def _containers(named: list[tuple[etree._Element, str, str]]) -> list[etree._Element]:
    """The known containers among the named elements: by rank, then in page order."""
    ranked: list[tuple[int, int, etree._Element]] = []
    for order, (el, ident, classes) in enumerate(named):
        ranks = [_CLASS_RANK[word] for word in classes.split() if word in _CLASS_RANK]
        if ident in _ID_RANK:
            ranks.append(_ID_RANK[ident])
        if ranks:
            ranked.append((min(ranks), order, el))
    return [el for _, _, el in sorted(ranked, key=lambda item: item[:2])]


# Inline for scoring: text in these belongs to the enclosing block.
_INLINE = INLINE | SOFT
# Id/class words of page furniture (Readability's "unlikely candidates", and the names Chinese
# portal templates give their footers, menus, share bars and breadcrumbs), matched as whole
# words of a name (`footer_ny`, `share-box`), never inside one (`wza-container` holds the page).
_FURNITURE = frozenset((
    "footer", "foot", "copyright", "banner", "header", "nav", "navbar", "menu", "sidebar", "share",
    "breadcrumb", "breadcrumbs", "crumb", "crumbs", "location", "position", "posit", "dqwz",
    "friend", "links", "link", "related", "xgwz", "xgxx", "comment", "comments", "pager",
    "pagination", "popup", "search", "login", "toolbar", "fxd", "bdshare",
))  # fmt: skip
_NAME_PARTS = re.compile(r"[\s_\-]+")
_CONTAINERS = frozenset(("div", "td", "th", "article", "main", "body", "center", "form"))
_PUNCT = re.compile(r"[，。；！？、,;]")
# What a footer says and a document does not: a page without its template's class names still
# has these words in its footer (simplified and traditional). Who runs and who supports the
# site only as a footer's labels (`主办单位：`, `技术支持 某公司`): a text speaks of 承办单位
# (the units that handle deputies' suggestions) and of 技术支持 in its sentences.
_CHROME_TEXT = re.compile(
    r"ICP[备備证證]|公网安备|公網安備|网站标识码|網站標識碼|网站识别码|版权所有|版權所有|Copyright|©|"
    r"(?:技术支持|技術支持|(?:主办|主辦|承办|承辦)(?:单位|單位))(?:\s*[:：]|\s)|浏览器|瀏覽器|分辨率|"
    r"主[办辦][:：]|承[办辦][:：]"
)
_SENTENCE_END = re.compile(r"[。！？；]")


@dataclass
class _Block:
    """The text gathered under one block element."""

    text: int = 0
    links: int = 0
    punct: int = 0
    ends_sentence: bool = False
    #: Words only a site's footer prints (ICP备, 网站标识码, 版权所有, 技术支持, 浏览器版本 …).
    chrome: bool = False


@dataclass
class _Scores:
    blocks: dict[etree._Element, _Block] = field(default_factory=dict)
    candidates: dict[etree._Element, float] = field(default_factory=dict)


def find_body(root: etree._Element, page: Scan | None = None) -> list[etree._Element]:
    """The elements that hold the main text, in page order (empty when the page has none).

    A known container that holds nothing at all (no text, no image, no link: the template's
    box left empty, its text set elsewhere) is passed over for the next one, or for scoring.
    `page` is the page's `scan`, when the caller has it already."""
    if page is None:
        page = scan(root)
    for el in _containers(page.named):
        if el not in page.hidden and _holds(el):
            return [el]
    return _readable(root, page)


def _holds(el: etree._Element) -> bool:
    """Whether an element holds anything a reader sees: text, an image, a link, an embed."""
    for node in el.iter():
        tag = node.tag
        if isinstance(tag, str):
            if tag in ("img", "a", "embed", "iframe", "object", "video"):
                return True
            if tag not in SKIPPED and node.text and node.text.strip():
                return True
        if node is not el and node.tail and node.tail.strip():
            return True
    return False


def only_links(body: list[etree._Element]) -> bool:
    """True when every word of the body is link text: a PDF or an archive to download, no text.

    One walk, each element carrying whether it stands inside a link."""
    for container in body:
        in_link = container.tag == "a" or next(container.iterancestors("a"), None) is not None
        stack: list[tuple[etree._Element, bool]] = [(container, in_link)]
        while stack:
            el, parent_in_link = stack.pop()
            tag = el.tag
            link = parent_in_link or tag == "a"
            stack.extend((child, link) for child in el)
            # What follows an element is text, whatever it is (a script's code is not, nor a
            # comment's words; the words after them are).
            if el is not container and not parent_in_link and el.tail and el.tail.strip():
                return False
            if isinstance(tag, str) and tag not in SKIPPED and not link and (el.text or "").strip():
                return False
    return True


def _furniture(named: list[tuple[etree._Element, str, str]]) -> set[etree._Element]:
    """Footers, menus, share bars, breadcrumbs: a word of their id or class says so."""
    found: set[etree._Element] = set()
    for el, ident, classes in named:
        names = f"{ident} {classes}".strip()
        if names and not _FURNITURE.isdisjoint(_NAME_PARTS.split(names.lower())):
            found.add(el)
    return found


def _gather(
    root: etree._Element, skipped: Collection[etree._Element]
) -> dict[etree._Element, _Block]:
    """Text per block, leaving out scripts and the `skipped` subtrees (page furniture, and
    hidden elements unless the text is looked for there)."""
    blocks: dict[etree._Element, _Block] = {}
    # (element, inside a link, block of the nearest non-inline ancestor)
    stack: list[tuple[etree._Element, bool, etree._Element]] = [(root, False, root)]
    while stack:
        el, in_link, block = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIPPED or el in skipped:
            continue
        link = in_link or tag == "a"
        own = block if tag in _INLINE else el
        text = el.text
        if text and (stripped := text.strip()):
            _add(blocks, own, stripped, link)
        for child in el:
            stack.append((child, link, own))
            tail = child.tail
            if tail and (stripped := tail.strip()):
                _add(blocks, own, stripped, link)
    return blocks


def _add(
    blocks: dict[etree._Element, _Block], block: etree._Element, text: str, link: bool
) -> None:
    found = blocks.get(block)
    if found is None:
        found = blocks[block] = _Block()
    found.text += len(text)
    if link:
        found.links += len(text)
    else:
        found.punct += len(_PUNCT.findall(text))
        found.ends_sentence = found.ends_sentence or bool(_SENTENCE_END.search(text[-2:]))
        if not found.chrome and _CHROME_TEXT.search(text):
            found.chrome = True


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _own_text(el: etree._Element, blocks: dict[etree._Element, _Block]) -> int:
    """The text outside links under an element, from the blocks already gathered."""
    total = 0
    for inner in el.iter():
        block = blocks.get(inner)
        if block is not None:
            total += block.text - block.links
    return total


def _is_prose(el: etree._Element, block: _Block, least: int) -> bool:
    """A paragraph of text: `least` characters of its own and a sentence's punctuation (or 80
    characters without). A heading is never prose, whatever its commas."""
    own = block.text - block.links
    return (
        own >= least
        and (block.punct > 0 or own >= 80)
        and el.tag not in _HEADINGS
        and not block.chrome
    )


def _scores(blocks: dict[etree._Element, _Block], least: int) -> dict[etree._Element, float]:
    """Each container's credit from the paragraphs under it.

    A paragraph credits the block that holds it, and the ancestors where the tree branches:
    the first fully, the second half, the third a third. An ancestor with a single child is a
    wrapper (editors nest each paragraph in five `<section>`s): it takes the credit of the
    level below and does not count as a level, so paragraphs deep in wrappers still credit
    what holds them all."""
    candidates: dict[etree._Element, float] = {}
    for el, block in blocks.items():
        if not _is_prose(el, block, least):
            continue
        score = 1 + block.punct + min((block.text - block.links) / 100, 3)
        # A container of text (`<div>` with `<br>`s) a little ahead of its parent, which also holds
        # the heading; a paragraph is never a candidate, only what holds paragraphs.
        if el.tag in _CONTAINERS:
            candidates[el] = candidates.get(el, 0.0) + score
        level = 0
        for ancestor in el.iterancestors():
            if ancestor.tag == "html":
                break
            if len(ancestor) > 1:
                level += 1
                if level > 3:
                    break
            weight = 0.9 / max(level, 1)
            candidates[ancestor] = candidates.get(ancestor, 0.0) + score * weight
    return candidates


_HEADING_TAGS = frozenset(("h1", "h2", "h3"))
# Less prose than this in the best container: perhaps a box beside a short notice.
_WEAK = 150


def _is_heading(el: etree._Element) -> bool:
    return el.tag in _HEADING_TAGS or names_a_title(el)


def _under_heading(el: etree._Element) -> bool:
    """A container right under a heading (within two elements), or one that opens with the
    page's `h1`: where a page puts its text. A box beside the text (温馨提示, an introduction)
    is not."""
    sibling = el.getprevious()
    for _ in range(3):
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getprevious()
        if sibling is None:
            break
        if _is_heading(sibling):
            return True
        sibling = sibling.getprevious()
    # Opening with the page's own heading (a box opens with its own `h3` or `.title`: no).
    first = next((child for child in el if isinstance(child.tag, str)), None)
    return first is not None and first.tag == "h1"


def _readable(root: etree._Element, page: Scan) -> list[etree._Element]:
    furniture, hidden = _furniture(page.named), page.hidden
    blocks = _gather(root, furniture.union(hidden))
    candidates = _scores(blocks, 25)
    totals: dict[etree._Element, tuple[int, int]] = {}
    near_heading = False
    if not candidates or _own_text(max(candidates, key=candidates.__getitem__), blocks) < _WEAK:
        # A short notice (three short sentences): no paragraph reaches 25 characters, yet its
        # sentences are the page's text — and a box of prose beside it must not win. Short
        # sentences count too, and what stands under the page's heading is favoured.
        for el, score in _scores(blocks, 4).items():
            candidates[el] = max(candidates.get(el, 0.0), score)
        near_heading = True
    if not candidates:
        # Nothing shown: a template that hides the text until its script has copied it into
        # place (`display:none` around the whole content). Paragraphs of prose only.
        blocks = _gather(root, furniture)
        candidates, near_heading = _scores(blocks, 25), False
    if not candidates:
        return []

    def text_and_links(el: etree._Element) -> tuple[int, int]:
        known = totals.get(el)
        if known is None:
            text = links = 0
            for inner in el.iter():
                block = blocks.get(inner)
                if block is not None:
                    text, links = text + block.text, links + block.links
            known = totals[el] = (text, links)
        return known

    def adjusted(el: etree._Element) -> float:
        text, links = text_and_links(el)
        return candidates[el] * (1 - (links / text if text else 1))

    def weighed(el: etree._Element) -> float:
        return adjusted(el) * (2 if near_heading and _under_heading(el) else 1)

    ranked = sorted(candidates, key=candidates.__getitem__, reverse=True)[:8]
    top = max(ranked, key=weighed)
    parent = top.getparent()
    if parent is None or top.tag == "body":
        return [top]
    threshold = max(3.0, adjusted(top) * 0.2)
    chosen: list[etree._Element] = []
    for sibling in parent:
        if sibling is top:
            chosen.append(top)
            continue
        if not isinstance(sibling.tag, str) or sibling.tag in SKIPPED or sibling in hidden:
            continue
        if sibling in candidates and adjusted(sibling) >= threshold:
            chosen.append(sibling)
            continue
        found = blocks.get(sibling)
        if found is None or found.chrome:
            continue
        block = found
        density = block.links / block.text if block.text else 1
        own = block.text - block.links
        if (own >= 80 and density < 0.25) or (
            0 < own < 80 and density == 0 and block.ends_sentence
        ):
            chosen.append(sibling)
    return chosen


# The body proper: what a reader takes for the start of the text. A repeated title, a document
# number, an issuer block, a 签发人 line or a cross-reference link above the salutation or the
# first paragraph is page furniture, not text.
_DOC_NUMBER_LINE = re.compile(
    r"^[^\s，。,;；]{0,30}[〔\[［(（【]\s*(?:19|20)\d\d\s*[〕\]］)）】]\s*第?\s*\d+\s*号"
    r"(?:\s*(?:签发人|簽發人)\s*[:：].{0,10})?$"
    r"|^[A-Za-z]{2,10}\s*\d{4,}\s*号$|^第?\s*\d+\s*[号號]\s*(?:提案|建议|議案|议案|建議)?$"
    # A notice's number alone (`2022年第7号`, `财政部 税务总局公告2025年第17号`).
    r"|^[(（]?[^\s，。,;；()（）]{0,20}(?:\s[^\s，。,;；()（）]{1,20})?(?:19|20)\d\d\s*年\s*第\s*\d+\s*[号號][)）]?$"
)
# A date as a byline prints it (`2018/3/26`, `2021-07-07 11:02`, `2024年01月26日`).
_DATE = DAY + r"(?:\s*\d{1,2}:\d\d(?::\d\d)?)?"
# A unit's name as a byline prints it (`某某区教育局`, `市人大常委会办公室`), and how it ends.
_UNIT_CHARS = r"[^\s，。,:：;；()（）《》“”、]{2,30}?"
_UNIT_ENDS = r"局|委员会|委|厅|办公室|办|办事处|人民政府|街道|中心|管委会"
_ISSUER_LINE = re.compile(
    # (A date alone, or in brackets under a plan's title: `（2022年10月）`.)
    r"^(?:签发人|簽發人)\s*[:：]|文件$|^[(（]?[\d\s年月日〇○零一二三四五六七八九十Oo\-/.:]+[)）]?$"
    # The issuing unit's name alone on a line, or with the date (a byline above the text).
    rf"|^{_UNIT_CHARS}(?:{_UNIT_ENDS})(?:\s*{_DATE})?$"
    # An index number alone, or with the date, under the title (`1115…48D/2024-00004  2024-03-08`).
    rf"|^[0-9A-Za-z\-]{{4,}}/(?:19|20)\d\d-\d+(?:\s+{_DATE})?$"
    # How it is disclosed, a value left without its label (`主动公开`).
    r"|^(?:主动公开|依申请公开)$"
    # A news item's dateline or reporters' byline alone on its line (`新华社北京4月23日电`,
    # `记者某某、某某报道:`).
    r"|^[^\s，。,:：]{0,14}\d{1,2}月\d{1,2}日电$|^(?:本报)?记者[^，。,:：]{1,40}?报道[:：]?$"
)
# A reader's toolbar at the top of the text (`【字体：大 中 小】`, `字体大小: 打印`, `分享到：`).
_TOOLBAR_LINE = re.compile(
    # (And a share box's words, `用微信扫描二维码` / `分享至好友和朋友圈` / `×`, and an image's file
    # name printed where the image failed.)
    r"^(?:[×xX✕]|[\w\-.]{1,60}\.(?:jpe?g|png|gif|bmp|webp))$|^(?:用?微信扫|扫一扫|打开微信|使用.扫一扫)|"
    # (A row of share buttons by the sites' names: `头条`, `微博 空间 qq`.)
    r"^(?:微信|微博|空间|QQ|qq|头条|朋友圈|新浪|腾讯|豆瓣|[ \t])+$|"
    r"^[【\[]?\s*(?:(?:浏览|阅读)?字\s*体|字\s*号|文字大小|选择阅读字号|(?:有声)?朗\s*读|打\s*印|关\s*闭|分\s*享|收\s*藏|【?\s*大\s*】?\s*【?\s*中\s*】?\s*【?\s*小)"
    r"[^。，,;；]{0,30}$"
    # A row of a reader's buttons (`加大字体 缩小字体 收藏 取消收藏 打印`).
    r"|^(?:(?:加大|缩小|放大|默认)?字\s*体|[大中小]|(?:取消)?收藏|打印|保存|关闭|分享|[【】\[\]]|\s)+$"
    # A row of three or more short buttons between bars (`语音播报 | 图片解读 | H5解读`).
    r"|^(?:[^|｜。，,;；:：]{1,6}[|｜]){2,}[^|｜。，,;；:：]{1,6}$"
)
_SALUTATION_LINE = re.compile(r"^(?P<who>[^：:。！？!?]{2,150}?)\s*[:：]\s*(?P<rest>.*)$")
# Words that end a label, never an addressee (matched on folded text).
_NOT_ADDRESSEE = re.compile(
    r"(?:如下|以下|附件|附|来源|时间|日期|地址|电话|联系人|关键词|标题|发布|索引|文号|主题|分类|"
    r"备注|说明|注|问|答|事由|案由|提案人|承办单位|办理情况|办复内容|主办单位|分办单位|反馈|"
    r"建议人|建议号|(?:领衔|附议)(?:代表|委员|人)|内容|题目|字体|字号|浏览次数|阅读|分享|打印|"
    # Who signed, checked or wrote it (`…〔2023〕16号 签发人：某某`): a label of the header.
    r"(?:签发|审核|审签|核稿|拟稿|经办|撰稿|录入|责任|填报)人|"
    # Who reported, wrote or shot it (`（通讯员：某某）为全面…`): a byline, glued to the text.
    r"通讯员|记者|作者|摄影|编辑)$"
)
# A sentence that ends in a colon (`现对…作如下调整：`) is prose, not an addressee.
_OPENS_PROSE = re.compile(r"如下|以下|下列|^(?:为|根据|按照|依据|经|现|近日|近期|兹)")
_PROSE_LINE = re.compile(r"[。！？]|[，,；;].{30,}")
# What an addressee ends with: a role (代表, 委员), a kind of body or of people (单位, 职工,
# 缴存人), a unit's name (局, 委, 中心, 街道) — a bracket may close it (…（不动产登记事务中心）).
_ADDRESSEE_END = re.compile(
    r"(?:代表|委员|们|同志|主席|小组|单位|部门|职工|企业|政府|局|委|办|会|中心|院|厅|街道|镇|乡|村|处|"
    r"室|科|部|人|所|站|队|组|校|司|社|行|户|者|员|家|馆|台|园|场|厂|团|机构|机关|团体|主体|组织|区|县|市|州|盟|旗|"
    r"群众|居民|村民|乡亲)\)?"
    r"(?:您好|你好)?$"  # (`尊敬的于委员您好：`)
)
_OPENING_LINES = 60


def link_lines(body: list[etree._Element], limit: int = 4) -> frozenset[str]:
    """The leading paragraphs of the body that are mostly link text (`点击查看政策解读：《…》`)."""
    found: set[str] = set()
    seen = 0
    for container in body:
        for el in container.iter("p", "div", "li", "h1", "h2", "h3", "h4", "center"):
            if seen >= limit:
                return frozenset(found)
            if any(child.tag in ("p", "div", "li") for child in el):
                continue  # a wrapper: its paragraphs are looked at one by one
            text = squeeze(text_content(el))
            if not text:
                continue
            seen += 1
            linked = sum(len(squeeze(text_content(a))) for a in el.iter("a"))
            if linked / len(text) >= 0.6:
                found.add(text)
    return frozenset(found)


def _is_title_part(line: str, title: str) -> bool:
    """The title repeated, a line of a title broken over lines, or the title of what it issues."""
    squeezed = squeeze(_DATE_AFTER.sub("", line))  # (a date printed after it is no part)
    if len(squeezed) < 4 or ":" in squeezed or "：" in squeezed or _SENTENCE_END.search(squeezed):
        return False
    return (
        squeezed in title
        or (title in squeezed and len(squeezed) - len(title) <= 8)
        # The title printed with a character or two its label has not (`某市2023政府信息公开工作
        # 年度报告` under `名称: 某市2023年政府信息公开工作年度报告`).
        or (len(squeezed) >= 12 and _near(squeezed, title))
    )


_DATE_AFTER = re.compile(rf"\s+{_DATE}\s*$")


def _near(line: str, title: str) -> bool:
    """The same text but for one or two characters added, dropped or changed."""
    if abs(len(line) - len(title)) > 2:
        return False
    matcher = SequenceMatcher(None, line, title, autojunk=False)
    if matcher.quick_ratio() < 0.9:
        return False
    same = sum(block.size for block in matcher.get_matching_blocks())
    return len(line) + len(title) - 2 * same <= 4


def salutation(line: str) -> str | None:
    """The addressee when a line opens with a salutation (`各有关单位：`, `何征宇代表：您…`)."""
    match = _SALUTATION_LINE.match(line.strip())
    if match is None or unit_headline(line):
        return None
    who = match["who"].strip()
    # A bullet before a metadata line (`· 发布机构：`) makes no addressee of its label.
    folded = squeeze(fold(who).folded).lstrip(LINE_STRIP)
    if (
        _NOT_ADDRESSEE.search(folded)
        or _OPENS_PROSE.search(folded)
        or _SENTENCE_END.search(who)
        or whole_label(folded)
    ):
        return None
    if not _ADDRESSEE_END.search(folded):
        return None  # `今天是:`, `浏览次数: 字体: [ ]` are page furniture, not addressees
    return who


# A greeting to deputies or members alone on its line, without a colon (`高松代表`,
# `张某、李某委员`), where the next line opens the letter (`您提出的…`, `《关于…》收悉`).
_BARE_GREETING = re.compile(r"^(?:尊敬的)?[\u4e00-\u9fff·、，, ]{2,40}?(?:代表|委员)们?$")
_LETTER_OPENING = re.compile(r"^(?:您|你|贵|《|关于|感谢|首先)|收悉")
# And a notice's addressees without a colon (`各街道办事处、乡人民政府，区人民政府各部门`): units
# listed, or one 各…, over the notice's first paragraph.
_BARE_ADDRESSEES = re.compile(
    r"^(?!.*关于)(?:各[^。：:；;！？!?\s]{1,150}|[^。：:；;！？!?\s]{2,150}[、，,][^。：:；;！？!?\s]{1,150})"
    r"(?:单位|部门|政府|机构|机关|委员会|办事处|管委会|局|委|办|中心|街道|企业|学校)$"
)


def bare_greeting(lines: list[str], index: int) -> str | None:
    """The addressee when `lines[index]` is a greeting without a colon, else None."""
    line = lines[index].strip()
    if index + 1 >= len(lines):
        return None
    following = lines[index + 1].strip()
    if _BARE_GREETING.match(line):
        return line if _LETTER_OPENING.search(following[:40]) else None
    if _BARE_ADDRESSEES.match(line) and _PROSE_LINE.search(following):
        return line
    return None


def opening_lines(text: str, limit: int = 8) -> list[str]:
    """The lines at the top of a text above its salutation, paragraphs of prose left out."""
    found: list[str] = []
    for line in text.split("\n")[:limit]:
        if salutation(line):
            break
        if not _PROSE_LINE.search(line):
            found.append(line)
    return found


# (And the hyphen a copy of the page sets before each item of a list: `- 发布机构: …`.)
_LABEL_LIKE = re.compile(r"^\s*[\[【]?[^\s:：，。,]{1,12}[\]】]?\s*[:：\]】]")


def _header_row(folded: list[str], lines: list[str], index: int) -> int:
    """The number of labels in a row of labels (two or more, each alone on its line) from
    `index` on, when as many values follow them, a line each (an empty cell's line among them),
    none a label, prose or a salutation; else 0."""
    count = 0
    while index + count < len(folded) and whole_label(folded[index + count].strip(LINE_STRIP)):
        count += 1
    if count < 2 or index + 2 * count > len(folded):
        return 0
    for at in range(index + count, index + 2 * count):
        value = folded[at].strip(LINE_STRIP)
        if value == EMPTY_CELL:
            continue
        if (
            not value
            or LABEL_RE.match(value)
            or whole_label(value)
            or _PROSE_LINE.search(lines[at])
            or salutation(lines[at])
        ):
            return 0
    return count


# A label that makes a block on its own at the top of the text (`发布时间：2024-02-05 11:25`),
# where a bare 时间 or 日期 may open the text itself (a meeting's `时间：…` and `地点：…`).
_ALONE = frozenset((
    "index_no", "doc_no", "publisher", "written_date", "written_date_issued", "published_at",
    "published_at_updated",
    "source", "category", "title",
))  # fmt: skip


_DATED_BYLINE = re.compile(rf"^{_DATE}(?!\d)")  # (a label may follow: `2024年01月26日来源:…`)
# What follows the date on such a byline: labels, known or not (`稿件作者: 浏览量:`), or the
# unit's name (`2026-01-26 15:53 市人大常委会办公室`). A label is a word or two: a longer run
# before a colon is the text's first sentence (`2020年10月7日李扬镇长调度秸秆禁烧工作:`).
_BYLINE_REST = re.compile(
    rf"^(?:[^\s:：，。,]{{1,8}}\s*[:：]|{_UNIT_CHARS}(?:{_UNIT_ENDS}|政府|网)$)"
)
_UNIT_BYLINE = re.compile(rf"^{_UNIT_CHARS}(?:{_UNIT_ENDS}|政府)\s+")
_ANY_DATE = re.compile(_DATE)
_GENERIC_DATE = re.compile(rf"^(?:日 *期|时 *间) *: *{_DATE}(?:\s|$)")


def _opens_with_label(line: str) -> bool:
    """A line that opens with a label, with or without its colon (`内容概述 本报告…。`)."""
    if not _EARLY_SPACE.match(line):
        return False  # (no label's space or colon near the start: told without folding)
    return LABEL_RE.match(unbracket(fold(line).folded).strip(LINE_STRIP)) is not None


_EARLY_SPACE = re.compile(r"^.{0,16}?[\s\u3000:：\]】]")


def _colonless_pairs(
    line: str, matches: list[re.Match[str]], labels: int, original: str
) -> list[str]:
    """The fields of a line that opens with a label (its `matches`), of labels and values side
    by side without colons (`索 引 号 0142…/2026-00001 分 类 报告`, a table copied a row a line):
    two labels or more, or one of a block's own that opens no sentence, or any once a block has
    begun (`内容概述 本报告…`). Not a label alone (its value is the next line)."""
    if label_of(line) is not None:
        return []
    pairs = [field_for(match["label"]) for match in matches]
    if (
        len(pairs) >= 2
        or (labels and pairs[0] != "published_at_generic")  # (a meeting's `时间 …` is text)
        or (pairs[0] in _ALONE and not _PROSE_LINE.search(original))
    ):
        return pairs
    return []


def _after_metadata(lines: list[str]) -> int:
    """Past a metadata block (索引号, 发布机构, 发布时间 …) at the top of the text, if any: the
    index of the line after it, before the first paragraph of prose.

    The block is two labels or more, on one line (the header line `发布日期：… 信息来源：…`) or
    on several, with their values after a colon or on the line below the label (a table's
    cells rendered a line each). A line that opens with a label belongs to it whatever its
    punctuation (`内容概述：为…，…。`); the first other line of prose ends it."""
    head = lines[:_OPENING_LINES]
    # Up to the first line of prose that opens with no label-like words (`…：`): one fold for
    # those lines, bracketed labels read as `label:`.
    top = next(
        (
            i
            for i, line in enumerate(head)
            if _PROSE_LINE.search(line)
            and not _LABEL_LIKE.match(line)
            and not _opens_with_label(line)
        ),
        len(head),
    )
    head = head[: top + 1]
    folded = unbracket(fold("\n".join(head)).folded).split("\n")
    labels, end = 0, 0
    named: set[str] = set()  # (the fields of the labels found)
    index = 0
    while index < len(folded):
        line = folded[index].strip(LINE_STRIP)
        following = folded[index + 1].strip(LINE_STRIP) if index + 1 < len(folded) else ""
        width = 1
        if 0 < len(line) <= 4 and line.replace(" ", "") in LABEL_STARTS:
            # A label broken over two lines (`发布` / `机构：…`).
            match = LABEL_RE.match(line + following)
            if match and match.end("label") > len(line):
                line, width = line + following, 2
                following = folded[index + 2].strip(LINE_STRIP) if index + 2 < len(folded) else ""
        # (The line's labels, read once: those with their colons, and whether one opens it.)
        matches = list(LABEL_RE.finditer(line))
        colons = [field_for(match["label"]) for match in matches if match["colon"]]
        found = len(colons)
        opens = bool(matches) and matches[0].start() == 0
        row = _header_row(folded, head, index)
        if row:
            # A row of labels over a row of their values, a cell a line.
            labels, end = labels + row, index + 2 * row
            index = end
            continue
        if (
            found
            and not opens
            and (unit := _UNIT_BYLINE.match(line))
            and matches[0].start() == unit.end()
            and _ANY_DATE.search(line)
        ):
            # A byline led by the unit's name (`某某厅  时间: 2023-12-13 09:44  【字体:`).
            labels, end = labels + 1 + found, index + width
            named.update(("source", *colons))
            index += width
            continue
        if dated := _DATED_BYLINE.match(line):
            # A byline that opens with the date (`2021-07-07 11:02 作者：…`): the date's label
            # is left out, what follows is labels or nothing.
            rest = line[dated.end() :].strip()
            if not rest or _BYLINE_REST.search(rest) or LABEL_RE.match(rest):
                labels, end = labels + 1 + found, index + width
                named.update(("published_at", *colons))
                index += width
                continue
        if found and opens:
            labels, end = labels + found, index + width
            named.update(colons)
        elif (
            not found and opens and (pairs := _colonless_pairs(line, matches, labels, head[index]))
        ):
            labels, end = labels + len(pairs), index + width
            named.update(pairs)
        elif (alone := label_of(line)) is not None:
            # The label alone: its value is the next line, unless that is a label too, or the
            # label is a button's (`打印`, `字号`: no value, the text may follow).
            # (Nor is a salutation a value: `文号` left empty over `某某委员:`.)
            value = (
                bool(following)
                and not LABEL_RE.match(following)
                and not _TOOLBAR_LINE.match(line)
                and not following.endswith(":")
            )
            labels, end = labels + 1, index + width + (1 if value else 0)
            named.add(alone)
            index = end
            continue
        elif _PROSE_LINE.search(head[index]) or salutation(head[index]):
            break
        elif found:
            labels, end = labels + found, index + width
            named.update(colons)
        index += width
    if labels >= 2 or (labels == 1 and named <= _ALONE):
        return end
    # A bare 日期：/时间： with a date alone is a byline too, unless a label follows it (a
    # meeting's `时间：…` over `地点：…` is the text).
    after = folded[end].strip(LINE_STRIP) if end < len(folded) else ""
    if (
        labels == 1
        and named == {"published_at_generic"}
        and _GENERIC_DATE.match(folded[end - 1].strip(LINE_STRIP))
        and (not _LABEL_LIKE.match(after) or _TOOLBAR_LINE.match(after) or salutation(after))
    ):
        return end
    return 0


# Fields whose labels make a block below the text a disclosure table (not a contact block).
_TABLE_FIELDS = frozenset(("index_no", "doc_no", "publisher", "written_date", "category"))
# Words one of a table's own labels has, in either script (a cheap first look).
# (Every branch opens with a literal: the regex engine then skips ahead in C.)
_TABLE_WORDS = re.compile(
    r"索\s*[引取]|文\s*[号號]|字\s*[号號]|编\s*[号號]|編\s*[号號]|机\s*[构構关關]|機\s*[构構关關]|"
    r"单\s*位|單\s*位|成\s*文|生\s*成|印\s*[发發]|发\s*文|發\s*文|登\s*[记記]|分\s*[类類]|制\s*[发發]"
)


# The links to the articles before and after (`上一篇：…`, `下一条：…`): where a template or a
# copy of the page prints them inside the text, the text ends there and the site's furniture
# follows.
_NEIGHBOURS = re.compile(
    r"^[ \t\u3000]*[【\[]?[ \t]*[上下]一[篇条條页頁则則][ \t]*[:：】\]]", re.MULTILINE
)


def before_neighbours(text: str) -> str:
    """The text up to the links to its neighbours, where it prints them after a line of its own."""
    if "一篇" not in text and "一条" not in text and "一條" not in text:
        return text  # the common case, told without the pattern
    found = _NEIGHBOURS.search(text, text.find("\n") + 1 if "\n" in text else len(text))
    return text[: found.start()].rstrip() if found else text


def metadata_below(text: str, limit: int = 40) -> tuple[str, list[str]]:
    """(the text without a disclosure table printed below it, that table's lines).

    Some templates print the table (索引号, 发布机构, 成文日期 …) after the text, inside the
    content area: three labels or more of two fields or more, one of them a table's own
    (not 联系人, 地址, 来源 alone), with only short lines between them."""
    lines = text.split("\n")
    tail = lines[-limit:]
    joined = "\n".join(tail)
    if _TABLE_WORDS.search(joined) is None:
        return text, []  # the common case, told without folding
    folded = unbracket(fold(joined).folded).split("\n")
    first: int | None = None
    labels = 0
    fields: set[str] = set()
    for index in range(len(folded) - 1, -1, -1):
        line = folded[index].strip()
        whole = whole_label(line)
        matches = [] if whole else list(LABEL_RE.finditer(line)) if LABEL_RE.match(line) else []
        if whole or matches:
            named = [whole] if whole else [field_for(m["label"]) for m in matches]
            known = [name for name in named if name and name[0] != "_"]
            labels += len(known)
            fields.update(BASE_FIELD.get(name, name) for name in known)
            first = index
        elif _PROSE_LINE.search(tail[index]) or len(line) > 60:
            break
    if first is None or labels < 3 or len(fields) < 2 or not fields & _TABLE_FIELDS:
        return text, []
    cut = len(lines) - len(tail) + first
    return "\n".join(lines[:cut]), lines[cut:]


# A reply record (`事 由：… 提 案 人：… 承办单位：… 代表反馈：… 办理情况：…`, or `标 题：…
# 问题内容：… 问题答复：…`): the item's facts under labels (its proposer or its own words), then
# the answer under its own. The answer is the body proper; the labelled facts
# above it are read as the reply's fields, as a metadata block above a text is (on folded text;
# a label's characters may stand apart).
_RECORD_FACT = re.compile(rf"(?:^|[\s|])(?:{RECORD_PERSON}|{RECORD_ITEM}) *:")
# Those labels in either script, before the text is folded (a cheap first look).
_ANY_FACT_LABEL = re.compile(either_script(f"{RECORD_PERSON}|{RECORD_ITEM}".replace(" *", r"\s*")))
# (In a table copied with bars, `| 问题答复: | 王某某代表: …`, the bar after the label too.)
_RECORD_ANSWER = re.compile(rf"(?:^|[\s|])(?:{RECORD_ANSWER}) *(?::|$) *(?:\| *)?")


def _record_answer(lines: list[str]) -> tuple[int, int] | None:
    """(line, column) where the answer of a reply record at the top of the text begins: past
    its label, on the same line or at the next. None where the top holds no record (its
    proposer's or its words' label, then the answer's label), and where a salutation comes first: a letter
    whose header names the proposer, with a 办理情况 paragraph of its own."""
    top = "\n".join(lines[:_OPENING_LINES])
    if _ANY_FACT_LABEL.search(top) is None:
        return None  # the common case, told without folding
    folded = fold(top).folded.split("\n")
    fact = False
    for index, line in enumerate(folded):
        begin = 0
        if not fact:
            found = _RECORD_FACT.search(line)
            if found is None:
                continue
            fact, begin = True, found.end()
        answer = _RECORD_ANSWER.search(line, begin)
        if answer is not None:
            return index, answer.end()
        if salutation(lines[index]):
            return None
    return None


def _past_title_line(lines: list[str], title_key: str) -> int:
    """Past the title printed whole on a line of its own near the top, and what stands above
    it (a site's banner, a browser warning, a motto: `尊敬的用户，您好！…`): the text starts
    below its title, where most of it is (a short text may end with a list of related
    articles that names it). 0 where no line near the top is the title."""
    at = next(
        (
            i
            for i, line in enumerate(lines[1:_TITLE_LINES], 1)
            if len(line) >= len(title_key) and squeeze(line) == title_key
        ),
        None,
    )
    if at is None or any(salutation(line) for line in lines[:at]):
        return 0  # (no title line; or the letter opens above it, and the title line is its own)
    return at + 1 if sum(map(len, lines[at + 1 :])) > sum(map(len, lines[:at])) else 0


_TITLE_LINES = 15
# A table of contents' heading (`目 录`): where the text opens.
_CONTENTS = re.compile(r"^\s*目\s*录\s*$")
# A heading short of a sentence (`某某局公告`, `某某市人民政府令`).
_HEADING_LINE = re.compile(r"^[^，。,;；:：！？!?]{2,40}$")


def _title_end(line: str, title: str) -> bool:
    """`line` (squeezed) ends the title, or is a short piece of it, its end perhaps lost."""
    return title.endswith(line) or (len(line) <= 6 and line in title)


def _over_number(line: str, lines: list[str], index: int) -> bool:
    """A document's heading printed over its number (`国家林业和草原局公告` / `2021年第13号`)."""
    if not _HEADING_LINE.match(line.strip()):
        return False
    below = next((text.strip() for text in lines[index + 1 : index + 3] if text.strip()), "")
    return bool(_DOC_NUMBER_LINE.match(below))


# A label left without its value above the text (`访问量:`, `关联导读:`): the page's furniture.
_EMPTY_LABEL = re.compile(r"^[^\s:：，。,；;、]{2,6}\s*[:：]$")


def body_proper(
    text: str, title: str | None, links: Callable[[], frozenset[str]] = frozenset
) -> tuple[str, str | None, list[str]]:
    """(the text from its salutation or first paragraph on, the salutation's addressee or None,
    the lines above it)."""
    lines = text.split("\n")
    title_key = squeeze(title or "")
    start: int | None = None
    # Past a reply record's labelled facts (its answer is the text), and past a metadata
    # block at the top, if any: a salutation among the opening lines, before any paragraph of
    # prose.
    first = 0
    record = _record_answer(lines)
    if record is not None:
        row, column = record
        if lines[row][column:].strip():
            lines[row : row + 1] = [lines[row][:column].rstrip(), lines[row][column:].strip()]
        first = row + 1
    elif title_key:
        first = _past_title_line(lines, title_key)
    after = first + _after_metadata(lines[first : first + _OPENING_LINES])
    addressee: str | None = None
    for index in range(after, min(len(lines), first + _OPENING_LINES)):
        line = lines[index]
        if addressee := salutation(line) or bare_greeting(lines, index):
            start = index
            break
        if (_PROSE_LINE.search(line) and not _is_title_part(line, title_key)) or _CONTENTS.match(
            line
        ):
            break  # (a table of contents opens the text: no salutation below it)
    if start is None:
        known_links: frozenset[str] | None = None  # read off the tree only when needed
        start = after
        titled = False  # (the line above was a part of the title)
        while start < len(lines) - 1 and start < first + _OPENING_LINES:
            line = lines[start].strip()
            part = bool(title_key) and (
                _is_title_part(line, title_key)
                # The short last line of a title broken over lines (`…远景目标` / `纲要`), its
                # end perhaps lost (`…信息公开工作` / `年度报`).
                or (titled and bool(line) and _title_end(squeeze(line), title_key))
            )
            titled = part or (titled and not line)
            if not (
                line == EMPTY_CELL  # (an empty cell of a table at the top)
                or part
                or (_EMPTY_LABEL.match(line) and not salutation(line))
                or _DOC_NUMBER_LINE.match(line)
                or _ISSUER_LINE.search(line)
                or _TOOLBAR_LINE.match(line.lstrip(LINE_STRIP))
                or _over_number(line, lines, start)
            ):
                if known_links is None:
                    known_links = links()
                if squeeze(line) not in known_links:
                    break
            start += 1
        if start < len(lines):
            addressee = salutation(lines[start]) or bare_greeting(lines, start)
    return "\n".join(lines[start:]), addressee, lines[:start]
