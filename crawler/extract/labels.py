"""The labels of the disclosure table and the header line, in every variant the portals write.

Labels are matched on folded text (see `text.fold`): traditional characters are already
simplified and full-width colons and ideographic spaces already ASCII, so each label is listed in
its simplified form only, and spaces may stand between any two of its characters (索 引 号,
标　　题). A label is recognised only where a label can stand: at the start of a text cell or
after a space or separator, and followed by a colon, a space or the end of the cell.
"""

from __future__ import annotations

import re

# field → labels (simplified). Fields starting with "_" are known labels whose values we ignore;
# they still matter, because an empty value must never swallow the next label. A field with a
# suffix (`category_info`, `written_date_issued`) is a weaker label of the same field: it counts
# only where the stronger one is absent (see `RANKED`).
LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("信息索引号", "索引号", "信息索取号", "索取号", "索引"),
    "doc_no": (
        "文号", "文件编号", "发文字号", "发文文号", "文件文号", "发文编号", "文件字号", "发布文号",
    ),
    "publisher": (
        "发布机构", "发文机关", "发文机构", "发布单位", "报送单位", "发文单位", "公开主体",
        "制发机关", "信息公开主体", "制发单位", "制发机构", "发布机关", "发布部门",
        "发文部门",
    ),
    # The site's owning body, where the template prints it (所属机构): the publisher only where
    # no publisher label names one.
    "publisher_owner": ("所属机构",),
    "written_date": (
        "成文日期", "公文生成日期", "生成日期", "成文时间", "印发日期", "印发时间", "签发日期",
        "产生日期",
    ),
    # 发文日期 is the written date on most templates, the publication on some; 登记日期 (a
    # normative document's registration) is the written date only where the signature says so.
    "written_date_issued": ("发文日期", "发文时间"),
    "written_date_registered": ("登记日期",),
    "published_at": (
        "发布日期", "公开日期", "公布日期", "发布时间", "上载日期", "公开时间", "文章日期",
        "发表时间", "信息发布日期", "信息发布时间", "发稿时间", "上线时间", "信息时间",
        "发表日期", "公开日", "添加时间", "信息提供日期",
    ),
    # A bare 时间/日期 is the publication only where no publication label says otherwise (a
    # template may print 日期 in its table and 发布时间 in its header line).
    "published_at_generic": ("时间", "日期"),
    # When the page was last updated: its publication only where it prints no other date.
    "published_at_updated": ("更新日期", "更新时间"),
    # The subject classification first, the catalogue's classification next, then the
    # classifications by genre or by catalogue position that templates print beside them.
    "category": ("主题分类", "主题类别", "所属主题"),
    "category_info": (
        "信息分类", "分类", "信息类别", "所属分类", "目录分类", "信息分类名称", "主题", "内容分类",
    ),
    "category_other": ("组配分类", "体裁分类", "公开目录"),
    "disclosure_form": ("公开形式", "公开方式", "公开类别", "公开属性"),
    "source": ("信息来源", "来源", "文章来源", "来自"),
    "title": ("标题", "文件标题", "文件名称", "名称", "信息名称", "信息标题"),
    "keywords": ("主题词", "关键词", "关键字"),
    "_counter": ("浏览次数", "点击率", "点击数", "访问次数", "阅读次数", "浏览量", "阅读量",
                 "访问量"),
    "_other": (
        "有效性", "效力状态", "时效", "统一编号", "服务对象", "公开范围", "公开时限", "生效日期",
        "废止日期", "失效日期", "实施日期", "发布人", "作者", "责任编辑", "字号", "打印",
        "联系方式", "文件下载", "附件", "内容概述", "摘要", "公开责任部门",
        "有效期", "是否有效", "登记号", "编辑", "审核", "校对", "签发人", "内容描述",
        "文件有效性", "时效性", "信息时效期", "公文时效", "统一登记号", "备案登记号",
        "规范性文件编号",
        "公文种类", "体裁", "生效时间", "废止时间", "法定主动公开分类", "载体类型", "信息格式",
        "所属专题", "文种", "服务对象分类", "生命周期分类", "机构分类", "信息格式/语种", "语种",
        "核心提示", "归档时间", "文章作者", "监督索引号", "责任部门", "责任科室",
    ),
}  # fmt: skip

#: A field and its weaker labels, strongest first: the first that has a value is the field's.
RANKED: dict[str, tuple[str, ...]] = {
    "publisher": ("publisher", "publisher_owner"),
    "written_date": ("written_date", "written_date_issued", "written_date_registered"),
    "published_at": ("published_at", "published_at_generic", "published_at_updated"),
    "category": ("category", "category_info", "category_other"),
}
#: A weaker rank's field → the field it ranks for.
BASE_FIELD = {weaker: field for field, ranked in RANKED.items() for weaker in ranked}
#: Labels whose values are counters filled by scripts: ignored, and never take the next cell.
COUNTERS = frozenset(("_counter",))
DATE_FIELDS = frozenset(
    (
        "written_date", "written_date_issued", "written_date_registered", "published_at",
        "published_at_generic", "published_at_updated",
    )
)  # fmt: skip

_SPACE = r"[ ]*"
_BY_LABEL: dict[str, str] = {}
for _field, _labels in LABELS.items():
    for _label in _labels:
        _BY_LABEL.setdefault(_label, _field)

# Longest first, so 信息索引号 wins over 索引号 and 成文日期 over 日期.
_ALTERNATION = "|".join(
    _SPACE.join(re.escape(ch) for ch in label) for label in sorted(_BY_LABEL, key=len, reverse=True)
)
#: A block's own label glued to its value (`索引号000014348/2020-01628`, `发布机构县自然资源局`,
#: a label in `<b>` before its value): the fields a disclosure table names, whole labels only.
GLUED_FIELDS = frozenset(("index_no", "doc_no", "publisher", "written_date", "published_at",
                          "category"))  # fmt: skip
_BLOCK_LABELS = "|".join(
    re.escape(label)
    for label in sorted(_BY_LABEL, key=len, reverse=True)
    if _BY_LABEL[label] in GLUED_FIELDS
)
GLUED_RE = re.compile(rf"^(?P<label>{_BLOCK_LABELS})(?=[^\s:|｜])")
#: Another label glued to its value after a space, on a line of such pairs (`发文字号黎政发〔2023〕
#: 24号 发文时间2023-09-08`): where the value before it ends.
GLUED_NEXT_RE = re.compile(rf" +(?P<label>{_ALTERNATION})(?=[^\s:|｜])")
#: Such a label and its colon run into the value before it (`…人民政府成文日期:2021年…`, the
#: label in `<b>` right after the last value).
GLUED_COLON_RE = re.compile(rf"(?<=\S)(?P<label>{_BLOCK_LABELS}) *(?P<colon>:)")
#: A text that opens with such a label and its colon: the next label, never a value.
BLOCK_LABEL_FIRST = re.compile(rf"^\s*(?:{_BLOCK_LABELS})\s*[:：]")
# What may stand before a label in a cell: a space or a separator, a closing bracket, or the
# bullet or icon character templates set before each line of a metadata block (`·发布机构：`).
#: The bullets and icons templates set before each line of a metadata block (`·发布机构：`).
BULLETS = "·・•●○■□◆◇▪▫►▶★☆※◎"
#: What a line of a metadata block is stripped of before its label: spaces, dashes, bullets.
LINE_STRIP = " -" + BULLETS
# (And a colon: a label left empty runs into the next, `浏览次数:信息来源: …`.)
_BEFORE = r" |｜/;；,，、\]】)）【\[:" + BULLETS
# In a cell: a label after the start or a separator, then a colon or a space or the end.
LABEL_RE = re.compile(
    rf"(?:^|(?<=[{_BEFORE}]))(?P<label>{_ALTERNATION})(?:{_SPACE}(?P<colon>:)|(?= |$))"
)
_WHOLE = re.compile(rf"^{_SPACE}(?P<label>{_ALTERNATION}){_SPACE}:?{_SPACE}$")
# A short text ending in a colon is a label we do not know (投诉电话：); it is never a value.
_UNKNOWN_LABEL = re.compile(r"^[^\d:]{1,10}:$")
# A label in brackets (`[发文字号] 京政发…`, `【发布机构】`): the brackets stand for the space
# before it and the colon after it, character for character, so that a folded text keeps its
# length and values can still be sliced out of the original.
_BRACKETED = re.compile(rf"[\[【](?P<inner>{_SPACE}(?:{_ALTERNATION}){_SPACE})[\]】]")


def unbracket(folded: str) -> str:
    """Folded text with each bracketed label written as `label:` (same length)."""
    if "[" not in folded and "【" not in folded:
        return folded
    return _BRACKETED.sub(lambda match: f" {match['inner']}:", folded)


#: The starts of every label (spaces removed): a short text that is none of them cannot be the
#: first part of a label broken over two cells.
LABEL_STARTS = frozenset(label[:end] for label in _BY_LABEL for end in range(1, len(label)))


def field_for(label: str) -> str:
    """The field of a label as matched (spaces and all)."""
    return _BY_LABEL[label.replace(" ", "")]


def label_of(folded_cell: str) -> str | None:
    """The field, weaker ranks kept apart (`published_at_generic`), when the cell holds a
    label and nothing else (`索 引 号：`), else None."""
    match = _WHOLE.match(folded_cell)
    return field_for(match["label"]) if match else None


def whole_label(folded_cell: str) -> str | None:
    """The field when the cell holds a label and nothing else (`索 引 号：`), else None."""
    field = label_of(folded_cell)
    return BASE_FIELD.get(field, field) if field else None


def looks_like_label(folded_cell: str) -> bool:
    """True for a cell that is a label, known or not."""
    stripped = folded_cell.strip()
    return label_of(stripped) is not None or bool(_UNKNOWN_LABEL.match(stripped))


# A reply record's labels (`提 案 人：… 承办单位：… 办理情况：…`), on folded text, a label's
# characters perhaps set apart: who proposed the item, and under which label its answer stands.
RECORD_PERSON = r"提 *案 *人|建 *议 *人|代表姓名|领衔代表|提出人|提 *案 *者"
# The item's own words under a label (a 标题 / 问题内容 / 问题答复 table): a record as well.
RECORD_ITEM = r"问 *题 *内 *容|建 *议 *内 *容|提 *案 *内 *容"
RECORD_ANSWER = (
    r"办 *理 *情 *况|办 *复 *内 *容|答 *复 *内 *容|问 *题 *答 *复|办理结果|答复意见|办 *复 *情 *况|办理答复"
    r"|(?:提案|建议|议案)答复"
)
