"""The sense of 开源/開源 in a text: open-source software, or one of the word's other senses.

开源 names open-source software, code, communities, licences, models and chips, and the open way
of developing technology; it also means raising revenue (开源节流, 开源措施, 財政開源), is part of
company and fund names (开源证券, 前海开源), of 开源情报 (OSINT: intelligence from public sources),
of place names (开源路) and person names (王开源), and means opening new water sources. No list of
phrases can enumerate those uses, so every occurrence is judged from its context, nearest first:

1. the word itself — 展开源头 and 公开源于 are not the word: 开 belongs to the word before it
   (展开, 公开) and 源 to the word after it (源头, 源于);
2. the words joined to it — what follows (开源软件, 开源社区, 开源节流, 开源证券, 开源情报, 开源路)
   and what precedes (前海开源, 鸿蒙开源, 代码开源, 财政开源, a person's surname), with quotes and
   brackets seen through (收入(开源), 开源(Open Source));
3. the other words of its sentence (软件, 代码, GitHub, 闭源, 操作系统 / 节流, 财政, 税, 收入, 情报);
4. the words nearby (the neighbouring sentences), at half weight.

Each clue has a weight, positive for the software sense and negative for another; an occurrence
has the software sense when the sum is positive, and says which clues decided it (`Sense.evidence`).
A text is about open-source software when at least one occurrence has that sense, so a text that
uses both senses still counts. Everything is matched on the folded text (traditional → simplified,
full-width → ASCII, lower case), and only windows around the occurrences are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.text import fold

WORD = "开源"
OSS, OTHER, NOT_WORD = "oss", "other", "not-word"

# --- 1. When 开源 is not the word ------------------------------------------------------------
# 开 closes a word with the character before it, and 源 opens one with the character after it:
# 展开|源头, 公开|源于, 召开|源头, 打开|源码. Both must hold — 项目开源于2019年 is the word.
_BINDS_LEFT = set(
    "展公打召离分避放敞拉揭解撇抛张盛推传散隔拆切翻掀铺摊想走躲让闪岔错绽睁撕劈炸裂化排撬挪剖划扯撑看叉破凿掰扒拨剥踢"
)
_BINDS_RIGHT = ("头", "于", "自", "泉", "流", "远", "源", "起", "地", "码", "代码", "程序", "文件", "站", "点", "区", "端")  # fmt: skip

# --- 2. Words joined to 开源 ------------------------------------------------------------------
# Weights: ±8–10 a name or idiom that settles it (前海开源, 开源证券, 开源节流, 开源情报); ±5–6 a
# compound with one reading (开源软件, 开源社区, 开源措施, 开源路); ±2–4 a leaning (开源模式, 开源方面).
_AFTER: dict[str, float] = {
    # software, code and what is built from them
    "软件": 6, "软体": 6, "代码": 6, "源码": 6, "码": 5, "程式": 6, "程序": 5, "项目": 6, "专案": 6,
    "社区": 3, "社群": 6, "生态": 6, "协议": 6, "许可": 6, "授权": 6, "基金会": 7, "模型": 6,
    "大模型": 6, "权重": 6, "芯片": 6, "晶片": 6, "硬件": 6, "硬体": 6, "指令集": 6, "架构": 5,
    "操作系统": 6, "作业系统": 6, "系统": 4, "框架": 6, "组件": 6, "元件": 5, "库": 4, "数据库": 6,
    "资料库": 6, "数据集": 5, "资料集": 5, "工具": 4, "平台": 3, "技术": 6, "鸿蒙": 7, "欧拉": 7,
    "龙蜥": 7, "贡献": 6, "开发": 5, "运动": 6, "精神": 5, "文化": 5, "界": 5, "圈": 5, "世界": 4,
    "时代": 3, "领域": 3, "人": 2, "爱好者": 5, "治理": 4, "商业": 5, "模式": 3, "方式": 3,
    "策略": 3, "战略": 3, "版本": 6, "发行版": 6, "版": 3, "仓库": 6, "镜像": 5, "托管": 5,
    "发布": 4, "共享": 2, "创新": 3, "产品": 4, "产业": 3, "方案": 2, "峰会": 6, "大会": 5,
    "年会": 5, "论坛": 5, "大赛": 5, "竞赛": 5, "黑客松": 6, "活动": 3, "祭": 5, "日": 2, "周": 2,
    "节": 2, "实践": 3, "协作": 5, "合作": 2, "参与": 3, "维护者": 6, "作者": 4, "公司": 2,
    "企业": 2, "厂商": 3, "中国": 3, "了": 2, "出来": 2, "化": 4, "安全": 3, "漏洞": 5, "合规": 4,
    "供应链": 5, "办公": 4, "浏览器": 6, "编译器": 6, "人工智能": 4, "人工智慧": 4, "ai": 4,
    "llm": 6, "智能体": 5, "算法": 4, "地图": 3, "信息技术": 4, "市场": 2, "参与者": 5, "人才": 4,
    "体系": 4, "事业": 4, "产融": 3, "办公室": 4, "基础设施": 4, "组织": 4, "创新体系": 4,
    "知识产权": 4, "民主": 3, "路线": 3, "赋能": 3, "开放": 2, "发展": 1.5,
    # revenue: 开源节流, 开源措施, 开源渠道 …
    "节流": -9, "节支": -9, "节约": -6, "节省": -6, "增收": -7, "创收": -7, "聚财": -7, "挖潜": -6,
    "引资": -4, "化解": -2, "措施": -5, "方面": -2, "渠道": -4, "之道": -3, "途径": -3, "之途": -3, "绩效": -5, "行政": -3,
    "性": -2, "收入": -4, "财源": -6, "陷阱": -2,
    # names of a brokerage and its products, of funds
    "证券": -9, "期货": -7, "晨会": -9, "金股": -9, "金工": -8, "金融工程": -8, "量化": -4,
    "基金": -6,
    # open-source intelligence (OSINT)
    "情报": -9, "调查": -6, "信息": -2, "资讯": -2, "数据": -1, "资料": -1,
    # water, places, naming
    "引水": -7, "节水": -6, "节能": -5, "路": -7, "街": -7, "大街": -7, "大道": -7, "市": -5, "县": -7, "镇": -7, "村": -7,
    "乡": -7, "河": -4, "桥": -5, "新村": -7, "居委会": -8, "社区居委会": -8, "社区党": -8,
    "社区卫生": -6, "社区居民": -5, "广场": -4, "大厦": -4, "小区": -5, "中学": -5, "小学": -5, "取名": -5,
    "命名": -5, "得名": -5,
}  # fmt: skip
_BEFORE: dict[str, float] = {
    "前海": -10, "财政": -5, "健保": -4, "兼职": -5, "对外": -2, "谨慎": -3, "尽量": -3,
    "积极": -1, "审慎": -3, "渠道": -3, "街道": -6, "收入": -5, "增收": -4, "生财": -4, "理财": -4,
    "开放原子": 8, "代码": 6, "源码": 6, "源代码": 6, "程序": 4, "软件": 5, "软体": 5, "模型": 5,
    "权重": 5, "鸿蒙": 6, "欧拉": 5, "系统": 3, "项目": 4, "宣布": 4, "正式": 2, "全面": 2,
    "完全": 3, "全部": 2, "免费": 3, "同步": 2, "拥抱": 5, "参与": 3, "贡献": 3, "闭源": 6,
    "国产": 2, "全球": 2, "华为": 3, "阿里": 3, "阿里巴巴": 3, "百度": 3, "腾讯": 3, "微软": 3,
    "谷歌": 3, "字节": 3, "英伟达": 3, "红帽": 3,
}  # fmt: skip
# Two turns of phrase only the software sense has: thanking someone for it (感谢作者开源, 感谢老哥的
# 开源, common in forums and issue threads) and saying what it is not (开源不等于免费, 开源并不排斥收费).
_THANKS = re.compile(r"(?:感谢|谢谢|多谢|致谢)[^，。！？,.!?；;\n]{0,6}$")
_IS_NOT = re.compile(
    r"[”\"'’」』]?\s*(?:本身|其实|并|也)?(?:不等于|不意味着|不代表|不排斥|不排除|≠)"
)
# A person named 开源: a common surname before it, with a title or role before the surname, or a
# verb of saying or a courtesy title after it (村民王开源说, 主角王开源而言, 王开源先生).
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙朱胡郭林罗郑梁谢宋唐许韩冯邓曹彭曾肖董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范廖贾夏韦邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾郝龚邵钱严覃戴莫孔汤"
)
_ROLE_BEFORE = re.compile(
    r"(?:^|[^\u4e00-\u9fff]|者|员|长|师|主任|书记|记者|代表|委员|同志|村民|网友|先生|女士|主角|朋友|老人|之子|之父)$"
)
_PERSON_AFTER = re.compile(
    r"^(?:说|称|表示|认为|指出|介绍|回忆|告诉|坦言|笑|先生|女士|同志|老师|教授|博士|做客|本人|而言|自己|[，,、：:。])"
)

# --- 3. and 4. Words of the sentence and nearby -----------------------------------------------
# Each counts once per occurrence, at full weight in the sentence and half weight nearby.
# Words common in every kind of government text (社区, 生态, 平台, 创新) weigh little or nothing.
_CONTEXT: dict[str, float] = {
    # software
    "软件": 3, "软体": 3, "代码": 3, "源码": 3, "源代码": 4, "原始码": 4, "程式码": 4, "程序员": 3,
    "程式设计": 3, "编程": 3, "开发者": 3, "开发人员": 3, "闭源": 5, "开放源代码": 5, "开放原始码": 5,
    "自由软件": 4, "github": 4, "gitee": 4, "gitlab": 4, "linux": 3, "apache": 3, "gpl": 3, "mit": 2,
    "许可证": 3, "开源协议": 3, "fork": 3, "commit": 3, "pull request": 3, "bug": 2, "补丁": 2,
    "操作系统": 3, "作业系统": 3, "鸿蒙": 3, "openharmony": 4, "harmonyos": 3, "openeuler": 4,
    "欧拉": 2, "龙蜥": 4, "openanolis": 4, "risc-v": 4, "riscv": 4, "芯片": 2, "晶片": 2,
    "大模型": 3, "模型": 1.5, "llm": 3, "deepseek": 3, "llama": 3, "hugging face": 3,
    "huggingface": 3, "openai": 2, "人工智能": 1.5, "人工智慧": 1.5, "ai": 1.5, "算法": 1.5,
    "演算法": 1.5, "数据库": 2, "资料库": 2, "编译器": 3, "框架": 1.5, "组件": 1.5, "贡献者": 3,
    "维护者": 3, "开放原子": 4, "信创": 3, "基础软件": 3, "计算机": 1.5, "电脑": 1, "服务器": 2,
    "伺服器": 2, "云计算": 1.5, "云端": 1, "互联网": 1, "网路": 1, "数字化": 1, "数字经济": 1,
    "数位": 1, "技术": 1, "科技": 1, "资安": 1.5, "网络安全": 1, "协作": 1.5, "贡献": 1.5,
    "open source": 4, "open-source": 4, "opensource": 4, "oss": 2, "开源项目": 2,
    "开源软件": 2, "接口": 1.5, "api": 2, "sdk": 2, "repo": 2, "readme": 2, "issue": 1,
    "商业化": 1, "商业模式": 1, "工程师": 1.5, "上游": 2, "免费": 1, "信息技术": 1.5,
    "数字技术": 1.5, "开源生态": 2, "开源体系": 2,
    # revenue and spending
    "节流": -5, "节支": -5, "开支": -3, "支出": -2, "收入": -2, "营收": -2, "财政": -3, "财务": -2,
    "预算": -2, "税": -2, "赤字": -3, "财赤": -3, "亏损": -2, "亏蚀": -2, "债务": -2, "库房": -3,
    "收费": -2, "租金": -2, "学费": -2, "赚钱": -2, "赚取": -2, "生财": -3, "财源": -4, "理财": -3,
    "储蓄": -2, "省钱": -3, "兼职": -2, "副业": -2, "收支": -3, "量入为出": -4, "增收": -3,
    "创收": -3, "盈余": -2, "财力": -3, "税源": -3, "赚": -2,
    "刷卡": -1.5, "信用卡": -2, "存钱": -2, "斜杠": -1.5, "岁入": -3, "岁出": -3, "开销": -2, "经营": -1, "差饷": -2,
    # a brokerage, funds
    "证券": -2, "研报": -3, "晨会": -3, "基金管理": -4, "基金经理": -3, "基金托管": -4, "股份": -1,
    # open-source intelligence
    "情报": -4, "osint": -5, "intelligence": -5, "open source intelligence": -5, "侦查": -2,
    "军事": -1, "卫星": -1.5, "遥感": -1,
    # a residential community, a village or a street named 开源 (开源社区 is one in several cities)
    "居民": -2, "居委会": -4, "街道办": -2, "辖区": -2, "小区": -2, "网格": -2, "党总支": -2,
    "党员": -1, "垃圾分类": -2, "慰问": -2, "走访": -1.5, "住户": -2, "常住": -2, "村民": -2,
    "老人": -1.5, "老年": -1.5, "敬老": -2, "重阳": -2, "义诊": -2, "养老": -1.5, "妇联": -1.5,
    "核酸": -2, "地处": -2, "面积": -1.5, "平方米": -1.5, "平方公里": -2, "海拔": -3, "下辖": -3,
    "隶属": -3, "同名": -2, "人口": -1,
    # water, rivers, places
    "水源": -4, "供水": -3, "水资源": -3, "用水": -2, "河流": -3, "源头": -2, "地名": -3,
    "雨水": -2, "海水淡化": -3, "淡化": -2, "再生水": -3, "中水": -2, "调水": -3, "蓄水": -2,
    "节水": -3, "水库": -2, "地下水": -3, "缺水": -3,
    "道路": -2,
}  # fmt: skip

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_PUNCTUATION_END = re.compile(r"[。！？!?；;]")
_CLOSE = 20  # characters that count as the sentence across a line break (headings, labels)
_NEARBY = 160  # characters read beyond the sentence on each side
_NEARBY_CAP = 4.0  # the most the neighbouring sentences can weigh, together
_SENTENCE_MAX = 240  # a "sentence" without punctuation is cut to this much on each side


def _latin(word: str) -> bool:
    return re.fullmatch(r"[a-z0-9 \-]+", word) is not None


def _alternation(words: list[str]) -> str:
    """Longest first, so 开源基金会 is read before 开源基金; Latin words on word boundaries.

    Chinese words come first and bare, so that the regex engine can skip ahead on their first
    characters; the Latin ones share one pair of boundary checks.
    """
    ordered = sorted(words, key=len, reverse=True)
    chinese = "|".join(re.escape(word) for word in ordered if not _latin(word))
    latin = "|".join(re.escape(w).replace(r"\ ", r"[\s\-]*") for w in ordered if _latin(w))
    latin = rf"(?<![a-z0-9])(?:{latin})(?![a-z0-9])" if latin else ""
    return "|".join(part for part in (chinese, latin) if part)


# Quotes, brackets and spaces between 开源 and the words joined to it: 收入(开源), 「開源」與「節流」.
_Q = r"[\s\"'“”‘’「」『』《》〈〉()（）\[\]【】<>]*"
_QUOTES = re.compile(_Q.replace("]*", "]+"))
# 开源节流 written apart counts as 开源节流: 开源与节流, 节流、开源.
_AFTER_RE = re.compile(
    rf"{_Q}(?:[与和及、,，/或跟兼并]?{_Q}(?:节流|节支|节约|节省)|(?P<w>{_alternation(list(_AFTER))}))"
)
_BEFORE_RE = re.compile(
    rf"(?:(?:节流|节支){_Q}[与和及、,，/或跟兼并]?|(?P<w>{_alternation(list(_BEFORE))})){_Q}$"
)
# Two scans are several times faster than one over an alternation of both scripts.
_CONTEXT_RES = (
    re.compile(_alternation([word for word in _CONTEXT if not _latin(word)])),
    re.compile(_alternation([word for word in _CONTEXT if _latin(word)])),
)
_WORD_RE = re.compile(WORD)
# The English name beside the word, as glossaries and definitions give it: 开源(Open Source),
# 英文名 open source 中文名 开源; open source intelligence or OSINT is the other sense.
_GLOSS = re.compile(
    r"(?<![a-z])(?:open[\s\-]*source(?P<osint>[\s\-]*(?:intelligence|investigation|information|int(?![a-z])))?|osint(?![a-z]))"
)
_GLOSS_REACH = 16
_CLAIMED_BEFORE = re.compile(rf"{WORD}{_Q}[与和及、,，/或跟兼并]?{_Q}$")
_CLAIMED_AFTER = re.compile(rf"{_Q}[与和及、,，/或跟兼并]?{_Q}{WORD}")
_CLAIMED = 0.4  # the weight of a word joined to another occurrence of 开源
_LATIN_OSINT = re.compile(r"[\s\-]*(?:intelligence|investigation|information|int(?![a-z]))")
_SPACES = re.compile(r"[\s\-]+")
_AFTER_W, _BEFORE_W, _CONTEXT_W = (
    {_SPACES.sub("", key): weight for key, weight in table.items()}
    for table in (_AFTER, _BEFORE, _CONTEXT)
)
_LATIN_BEFORE = re.compile(rf"(?<![a-z0-9])(?P<w>[a-z][a-z0-9\-]*){_Q}$")


@dataclass(frozen=True)
class Clue:
    """One piece of evidence: the words seen, their weight, and where (`word`, `sentence`, `nearby`)."""

    words: str
    weight: float
    where: str

    def __str__(self) -> str:
        return self.words if self.where in ("word", "sentence") else f"{self.words} (nearby)"


@dataclass(frozen=True)
class Sense:
    """The judged sense of one occurrence of 开源 at text[start:end]."""

    start: int
    end: int
    kind: str  # OSS, OTHER or NOT_WORD
    score: float
    clues: tuple[Clue, ...]

    @property
    def oss(self) -> bool:
        return self.kind == OSS

    @property
    def evidence(self) -> tuple[str, ...]:
        """The clues that decided, strongest first: those on the side that won."""
        if self.kind == NOT_WORD:
            return tuple(str(clue) for clue in self.clues)
        sign = 1 if self.kind == OSS else -1
        deciding = [clue for clue in self.clues if clue.weight * sign > 0]
        deciding.sort(key=lambda clue: -abs(clue.weight))
        return tuple(dict.fromkeys(str(clue) for clue in deciding[:4]))

    def explain(self) -> str:
        names = {OSS: "open-source software", OTHER: "another sense", NOT_WORD: "not the word 开源"}
        evidence = ", ".join(self.evidence) or "no clue either way"
        return f"{names[self.kind]}: {evidence}"


def senses(text: str) -> list[Sense]:
    """The sense of every occurrence of 开源/開源 in a text, in order."""
    folded = fold_for_sense(text)
    return [judge(folded, hit.start()) for hit in _WORD_RE.finditer(folded)]


def is_open_source(text: str) -> bool:
    """Whether any occurrence of 开源/開源 in the text has the open-source software sense."""
    return any(sense.oss for sense in senses(text))


def fold_for_sense(text: str) -> str:
    """The form every clue is written in: simplified, ASCII, lower case, one char per char."""
    folded = fold(text).folded.lower()
    return folded if len(folded) == len(text) else text.lower()


def judge_latin(folded: str, start: int, end: int) -> Sense:
    """The sense of "open source" written in Latin letters at folded[start:end]."""
    osint = _LATIN_OSINT.match(folded, end)
    if osint:
        words = folded[start : osint.end()]
        return Sense(start, end, OTHER, -9.0, (Clue(f"{words} (OSINT)", -9.0, "word"),))
    return Sense(start, end, OSS, 6.0, (Clue(folded[start:end], 6.0, "word"),))


def not_the_word(folded: str, start: int) -> str | None:
    """Why the 开源 at folded[start:start + 2] is not the word (展开|源头), or None when it is."""
    return _not_the_word(folded, start, start + len(WORD))


@lru_cache(maxsize=4096)
def judge(text: str, start: int) -> Sense:
    """The sense of the 开源 at text[start:start + 2], in a text already folded.

    Cached: every rule with a sense asks about the same occurrences of the same document.
    """
    end = start + len(WORD)
    split = _not_the_word(text, start, end)
    if split:
        return Sense(start, end, NOT_WORD, 0.0, (Clue(split, 0.0, "word"),))
    clues, low, high = _joined(text, start, end)
    clues += _context(text, start, end, low, high)
    score = round(sum(clue.weight for clue in clues), 2)
    # With no clue either way, the software sense: the senses of revenue, names and OSINT are
    # rarely written without a word of money, a name or intelligence beside them.
    kind = OTHER if score < 0 else OSS
    return Sense(start, end, kind, score, tuple(clues))


def _not_the_word(text: str, start: int, end: int) -> str | None:
    if start == 0 or text[start - 1] not in _BINDS_LEFT:
        return None
    for tail in _BINDS_RIGHT:
        if text.startswith(tail, end):
            return f"{text[start - 1]}开|源{tail}"
    return None


def _joined(text: str, start: int, end: int) -> tuple[list[Clue], int, int]:
    """Clues from the words joined to 开源, and the span they cover."""
    clues: list[Clue] = []
    low, high = start, end
    after = _AFTER_RE.match(text, end, min(len(text), end + 40))
    if after:
        words = _QUOTES.sub("", after.group(0))
        weight = _weight(after.group("w"), _AFTER_W) if after.group("w") else -9.0
        clues.append(Clue(WORD + words, weight, "word"))
        high = after.end()
    before = _BEFORE_RE.search(text, max(0, start - 16), start)
    if before:
        words = _QUOTES.sub("", before.group(0))
        weight = _weight(before.group("w"), _BEFORE_W) if before.group("w") else -9.0
        clues.append(Clue(words + WORD, weight, "word"))
        low = before.start()
    else:
        latin = _LATIN_BEFORE.search(text, max(0, start - 30), start)
        if latin:
            # a product or company written in Latin letters: DeepSeek开源, Meta开源
            clues.append(Clue(latin.group("w") + WORD, 2.0, "word"))
            low = latin.start()
    thanks = _THANKS.search(text, max(0, start - 10), start)
    if thanks:
        clues.append(Clue(text[thanks.start() : start].strip() + WORD, 3.0, "word"))
        low = min(low, thanks.start())
    is_not = _IS_NOT.match(text, end)
    if is_not:
        clues.append(Clue(WORD + _QUOTES.sub("", is_not.group(0)), 2.0, "word"))
    gloss = _GLOSS.search(text, max(0, start - _GLOSS_REACH), min(len(text), end + _GLOSS_REACH))
    if gloss and not (low <= gloss.start() < high):
        software = gloss.group(0).startswith("open") and not gloss.group("osint")
        clues.append(
            Clue(f"{gloss.group(0).strip()} = 开源 (gloss)", 8.0 if software else -9.0, "word")
        )
        low, high = min(low, gloss.start()), max(high, gloss.end())
    person = _person(text, start, end)
    if person:
        clues.append(Clue(person, -7.0, "word"))
    return clues, low, high


def _weight(found: str, table: dict[str, float]) -> float:
    """The weight of a table entry a regex hit stands for (Latin ones match spaced or hyphened)."""
    return table[_SPACES.sub("", found)]


def _person(text: str, start: int, end: int) -> str | None:
    if start == 0 or text[start - 1] not in _SURNAMES:
        return None
    before = text[max(0, start - 5) : start - 1]
    after = text[end : end + 3]
    if _ROLE_BEFORE.search(before) or _PERSON_AFTER.match(after):
        return f"{text[start - 1]}开源 (person name)"
    return None


def _context(text: str, start: int, end: int, low: int, high: int) -> list[Clue]:
    s_start, s_end = _sentence(text, start, end, _SENTENCE_END)
    # a line break ends a sentence, but a short heading or label line still speaks to the word
    c_start, c_end = _sentence(text, start, end, _PUNCTUATION_END)
    c_start, c_end = max(c_start, start - _CLOSE), min(c_end, end + _CLOSE)
    n_start, n_end = max(0, s_start - _NEARBY), min(len(text), s_end + _NEARBY)
    found: dict[str, Clue] = {}
    hits = (hit for regex in _CONTEXT_RES for hit in regex.finditer(text, n_start, n_end))
    for hit in hits:
        if hit.start() < high and hit.end() > low:
            continue  # the words joined to 开源 are already a clue
        key = _SPACES.sub(" ", hit.group(0))
        inside = s_start <= hit.start() and hit.end() <= s_end
        inside = inside or (c_start <= hit.start() and hit.end() <= c_end)
        weight = _weight(key, _CONTEXT_W) * (1.0 if inside else 0.5)
        if _CLAIMED_BEFORE.search(text, max(0, hit.start() - 8), hit.start()) or (
            _CLAIMED_AFTER.match(text, hit.end(), hit.end() + 8)
        ):
            # joined to another 开源 (坚持开源节流，支持开源社区): it speaks for that one first
            weight *= _CLAIMED
        previous = found.get(key)
        if previous is None or abs(weight) > abs(previous.weight):
            found[key] = Clue(key, weight, "sentence" if inside else "nearby")
    clues = list(found.values())
    nearby = sum(clue.weight for clue in clues if clue.where == "nearby")
    if abs(nearby) > _NEARBY_CAP:
        # the neighbouring sentences lean, they do not decide: scale them down to the cap
        scale = _NEARBY_CAP / abs(nearby)
        clues = [
            Clue(c.words, round(c.weight * scale, 2), c.where) if c.where == "nearby" else c
            for c in clues
        ]
    return clues


def _sentence(text: str, start: int, end: int, ends: re.Pattern[str]) -> tuple[int, int]:
    left = max(0, start - _SENTENCE_MAX)
    s_start = left
    for hit in ends.finditer(text, left, start):
        s_start = hit.end()
    right = ends.search(text, end, min(len(text), end + _SENTENCE_MAX))
    s_end = right.start() if right else min(len(text), end + _SENTENCE_MAX)
    return s_start, s_end
