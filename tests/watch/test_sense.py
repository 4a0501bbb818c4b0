"""The sense of 开源/開源, judged per occurrence from its context, with the evidence that decided.

The sentences here are written for these tests, after the ways real government, news, research and
community texts use the word; the real passages are read from ../shared/data/real/ when present.
"""

from __future__ import annotations

import json

import pytest

from bench.real import data_dir
from crawler.watch.sense import (
    NOT_WORD,
    OSS,
    OTHER,
    fold_for_sense,
    is_open_source,
    judge_latin,
    not_the_word,
    senses,
)

SOFTWARE = [
    "市经信局将支持企业参与开源社区建设，培育开源人才。",
    "鼓励高校开设开源课程，推动开源软件进校园。",
    "该公司宣布开源其自研的数据库内核。",
    "模型权重已于上月全面开源，开发者可在代码托管平台下载。",
    "RISC-V 架构因其开源、可定制的特点受到芯片企业青睐。",
    "開源不只是一種軟體開發方式，也是一種協作文化。",
    "我们在开源方面投入了大量工程师，向上游社区提交补丁。",  # 开源方面 leans to revenue
    "该项目开源于2019年，目前已有上千名贡献者。",  # 开源于 is the word
    "华为开源的鸿蒙内核获得社区认可。",
    "企业为何要开源？一是吸引开发者，二是建立生态。",
    "感谢作者开源，这个工具帮了大忙。",  # no clue either way: the software sense
    "開源授權條款允許使用者自由修改與再散布。",
    "政府採購應優先考慮開源方案，以降低授權費用。",
    "文中指出，开源大模型降低了中小企业使用人工智能的成本。",
    "开源(Open Source)是一种软件开发模式。",
    "支持开放原子开源基金会孵化更多项目。",
    "发布开源路线图，明确三年内的社区治理目标。",  # 开源路线, not the street 开源路
    "建议设立专项资金，对参与开源项目的企业给予奖励。",  # money words, software sense
    "“开源”首次写入国家五年规划纲要，支持数字技术开源社区发展。",
    "区政府与高校共建开源实验室，开展操作系统适配。",
    "英文名 open source，中文名 开源。",
    "本届开源峰会设有基础软件、开源治理两个分论坛。",
    "社区维护者收到的捐款收入仍不足以支撑开源项目的长期维护。",
    "感谢大佬开源！请问有没有计划支持更多数据接口？",  # thanks for open-sourcing it
    "“开源”不等于免费，商业公司可以靠服务收费。",  # what open source is not
    "本届活动吸引了众多开源社区的开发者参与。",
]
OTHER_SENSES = [
    "面对财政收支矛盾，县里要在开源上下功夫，在节流上见成效。",
    "积极开源，多渠道增加村集体经济收入。",
    "医院一方面开源，拓展特需服务增加收入；另一方面节流，控制药耗成本。",
    "开源证券发布计算机行业周报，看好信创板块。",  # a brokerage writing about software
    "前海开源人工智能主题基金本季度净值上涨。",  # a fund named after AI
    "开源情报分析人员利用卫星图像追踪军事调动。",
    "通过开源情报（OSINT）工具收集公开信息。",
    "開源措施包括調高部分收費及研究新稅項。",
    "財政司司長表示會審慎開源，減輕對市民的影響。",
    "開源大街路面改善工程下月動工。",
    "他家住在开源镇开源村。",
    "水利部门开源与节流并举，新建水库增加供水。",
    # A strategy for more water: 开源策略 in a text of rainwater and desalination.
    "一、开源策略。开源策略侧重于增加水的来源，如通过雨水收集、海水淡化、再生水利用等方式。",
    "村民王开源说，今年的收成不错。",
    "要展开源头治理，查明数据公开源于何处。",  # not the word at all
    "做好开源文章，拓宽增收渠道。",
    "坚持节流与开源并重。",
    "理財要開源也要節流，先從記帳開始。",
    "通过出租闲置资产等方式开源，弥补运营亏损。",
    "開源路段交通管制。",
    "学校开源的途径有限，主要依靠学费和捐赠。",
    "开源是指开辟新的财源，节流是指节约开支。",
    "这位调查记者擅长开源调查，常用社交媒体和卫星图片核实信息。",
    "提高收入（开源）和减少花费（节流）同样重要。",
    "开源情报（Open Source Intelligence）指从公开渠道获得的情报。",
    "要想方设法开源，增加地方可用财力。",
    "向改革要红利，多渠道开源。",
    "开源不等于加税，而是要培育税源。",
    # 开源社区 is also the name of residential communities in several cities
    "开源社区党总支组织辖区党员开展垃圾分类宣传，为居民讲解分类知识。",
    "开源社区开展重阳节敬老慰问活动。",
    "该村位于镇东部，下辖开源、峰顶等自然村，海拔800米。",
]


@pytest.mark.parametrize("text", SOFTWARE)
def test_software_sense(text: str) -> None:
    assert is_open_source(text), [s.explain() for s in senses(text)]


@pytest.mark.parametrize("text", OTHER_SENSES)
def test_other_senses(text: str) -> None:
    assert not is_open_source(text), [s.explain() for s in senses(text)]


def test_both_senses_in_one_text_count_as_software() -> None:
    text = "一边坚持开源节流，一边支持开源鸿蒙在政务领域应用。"
    found = senses(text)
    assert [s.kind for s in found] == [OTHER, OSS]
    assert is_open_source(text)
    named = "4月，开源软件爱好者王开源在访谈中谈到国内开源事业的现状。"
    assert [s.kind for s in senses(named)] == [OSS, OTHER, OSS]


@pytest.mark.parametrize(
    ("text", "kind", "first"),
    [
        ("支持开源社区建设。", OSS, "开源社区"),
        ("坚持开源节流。", OTHER, "开源节流"),
        ("「開源」與「節流」並行。", OTHER, "开源与节流"),
        ("基金管理人：前海开源基金管理有限公司", OTHER, "前海开源"),
        ("支持開源軟體發展。", OSS, "开源软体"),
        ("村民王开源说，收成不错。", OTHER, "王开源 (person name)"),
        ("开源情报(OSINT)是情报工作的一部分。", OTHER, "开源情报"),
        ("开源(Open Source)，即开放源代码。", OSS, "open source = 开源 (gloss)"),
        ("增加财政收入，积极开源。", OTHER, "财政"),
        ("推动开源，鼓励企业公开软件源代码。", OSS, "源代码"),
    ],
)
def test_evidence_names_what_decided(text: str, kind: str, first: str) -> None:
    sense = senses(text)[0]
    assert sense.kind == kind
    assert sense.evidence[0] == first
    assert sense.explain().startswith(
        "open-source software: " if kind == OSS else "another sense: "
    )


@pytest.mark.parametrize(
    ("text", "is_word"),
    [
        ("全面展开源头治理。", False),
        ("这些数据公开源于2020年。", False),
        ("会议召开源头防控部署。", False),
        ("打开源代码文件。", False),
        ("该项目开源于2019年。", True),  # 目开 is no word
        ("推广开源软件。", True),  # 广开 could be, but 源软 is no word
        ("開源軟體。", True),
    ],
)
def test_not_the_word(text: str, is_word: bool) -> None:
    folded = fold_for_sense(text)
    start = folded.index("开源")
    assert (not_the_word(folded, start) is None) is is_word
    assert (senses(text)[0].kind != NOT_WORD) is is_word
    if not is_word:
        assert not is_open_source(text)
        assert "not the word" in senses(text)[0].explain()


def test_positions_are_those_of_the_original_text() -> None:
    text = "ＡＢ開源軟體與开源节流。"
    found = senses(text)
    assert [text[s.start : s.end] for s in found] == ["開源", "开源"]


def test_nearby_words_lean_but_do_not_decide() -> None:
    fiscal = "今年财政收入下降，预算赤字扩大，税收减少，开支增加，收支矛盾突出。"
    text = fiscal * 3 + "同时支持开源软件发展。" + fiscal * 3
    assert [s.kind for s in senses(text)] == [OSS]
    nearby = [c for c in senses(text)[0].clues if c.where == "nearby"]
    assert nearby and abs(sum(c.weight for c in nearby)) <= 4.0
    # and the other way round: software words all around do not make 开源节流 software
    software = "开源软件、开源社区、开源项目和操作系统代码都在增长。"
    text = software + "坚持开源节流。" + software
    assert [s.kind for s in senses(text)][3] == OTHER


def test_latin_open_source_and_osint() -> None:
    folded = fold_for_sense("Open Source Intelligence and open source software")
    assert judge_latin(folded, 0, 11).kind == OTHER
    assert judge_latin(folded, 0, 11).evidence == ("open source intelligence (OSINT)",)
    start = folded.index("open source software")
    assert judge_latin(folded, start, start + 11).kind == OSS


def test_no_occurrence_no_sense() -> None:
    assert senses("支持开放原子基金会。") == []
    assert not is_open_source("")


def test_real_passages() -> None:
    """On the real development passages (never copied here): precision and recall ≥ 0.95."""
    path = data_dir() / "oss-sense-dev.jsonl"
    if not path.exists():
        pytest.skip(f"real development passages not found at {path} (set GOVWATCH_REAL_DATA)")
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            pairs.append((is_open_source(record["text"]), record["label"] in ("oss", "both")))
    tp = sum(1 for p, a in pairs if p and a)
    precision = tp / sum(1 for p, _ in pairs if p)
    recall = tp / sum(1 for _, a in pairs if a)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
