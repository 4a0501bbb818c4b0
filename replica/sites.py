"""The portals the replica reproduces, with the real portals' origins, column, unit and web ids.

Ids marked "real" are the ones public crawlers and the live sites use; the others follow the same
scheme and are placeholders a live probe must confirm (docs/DOMAIN.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of generated documents.
REPLY_SUGGESTION = "reply_suggestion"
REPLY_PROPOSAL = "reply_proposal"
CO_HANDLING = "co_handling"
SUMMARY = "summary"
NOTICE = "notice"
POLICY = "policy"
NEWS = "news"


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    #: (kind, weight) pairs: what this column publishes.
    kinds: tuple[tuple[str, int], ...]
    #: TRS: the section path under the site; jpaas/Hanweb: unused.
    path: str = ""
    #: TRS: a parent section whose index is only a JS redirect stub to this one (the profile
    #: names the parent, as a person copying the menu's link would).
    stub: str = ""


@dataclass(frozen=True)
class Site:
    name: str  # the portal name profiles use
    family: str  # hanweb | jpaas | trs | govcn | gkmlpt | generic
    origin: str  # the real origin
    site_name: str
    publisher: str  # short name, as the disclosure table shows it
    agency: str  # full name, as 来源 and the signature show it
    org_code: str  # for 索引号
    doc_prefix: str  # for 文号
    columns: tuple[Column, ...]
    encoding: str = "utf-8"
    script: str = "zh-Hans"
    webid: str = ""
    unitid: str = ""
    tpl_set_id: str = ""
    site_id_code: str = ""
    #: A mirror copies another site; it is never in a profile nor in the truth.
    mirror_of: str | None = None
    #: Served for crawl tests of families no shipped profile uses (gkmlpt, generic): its profile
    #: lives in the catalogue or the tests, and it is in the truth only when asked for.
    optional: bool = False

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


REPLY_COLUMN_KINDS = ((REPLY_SUGGESTION, 78), (CO_HANDLING, 12), (SUMMARY, 5), (NOTICE, 5))
PROPOSAL_COLUMN_KINDS = ((REPLY_PROPOSAL, 85), (CO_HANDLING, 8), (SUMMARY, 7))

HANGZHOU_JXJ = Site(
    name="hangzhou-jxj",
    family="hanweb",
    origin="http://jxj.hangzhou.gov.cn",
    site_name="杭州市经济和信息化局",
    publisher="市经信局",
    agency="杭州市经济和信息化局",
    org_code="002489452",
    doc_prefix="杭经信",
    webid="3244",  # real: the jdid of its disclosure catalogue
    unitid="7061451",
    site_id_code="3301000037",
    columns=(
        Column("1229265378", "人大代表建议", REPLY_COLUMN_KINDS),  # real
        Column("1229265379", "政协委员提案", PROPOSAL_COLUMN_KINDS),
        Column("1229125421", "工作动态", ((NEWS, 90), (NOTICE, 10))),
        Column("1229125434", "政策文件", ((POLICY, 70), (NOTICE, 30))),
    ),
)

HANGZHOU_JXJ_HANT = Site(
    name="hangzhou-jxj-hant",
    family="hanweb",
    origin="http://hz-jxj.big5.mirror.example",
    site_name=HANGZHOU_JXJ.site_name,
    publisher=HANGZHOU_JXJ.publisher,
    agency=HANGZHOU_JXJ.agency,
    org_code=HANGZHOU_JXJ.org_code,
    doc_prefix=HANGZHOU_JXJ.doc_prefix,
    webid=HANGZHOU_JXJ.webid,
    unitid=HANGZHOU_JXJ.unitid,
    site_id_code=HANGZHOU_JXJ.site_id_code,
    columns=HANGZHOU_JXJ.columns,
    script="zh-Hant",
    mirror_of="hangzhou-jxj",
)

HANGZHOU_GOV = Site(
    name="hangzhou-gov",
    family="jpaas",
    origin="https://www.hangzhou.gov.cn",
    site_name="杭州市人民政府门户网站",
    publisher="市政府办公厅",
    agency="杭州市人民政府办公厅",
    org_code="002489305",
    doc_prefix="杭政办",
    webid="149",  # real
    tpl_set_id="LWYUCb5AkzKrVm7WODRpT",  # real
    site_id_code="3301000001",
    columns=(
        Column("1229063389", "部门文件", ((POLICY, 60), (NOTICE, 40))),  # real
        Column(
            "1229063401",
            "建议提案办理",
            ((REPLY_SUGGESTION, 55), (REPLY_PROPOSAL, 35), (SUMMARY, 10)),
        ),
    ),
)

HUBEI_JXT = Site(
    name="hubei-jxt",
    family="trs",
    origin="http://jxt.hubei.gov.cn",
    site_name="湖北省经济和信息化厅",
    publisher="省经信厅",
    agency="湖北省经济和信息化厅",
    org_code="011043727",
    doc_prefix="鄂经信",
    encoding="gbk",
    site_id_code="4200000036",
    columns=(
        Column("rddbjy", "人大代表建议", REPLY_COLUMN_KINDS, "fbjd/xxgkml/jytabl/rddbjy"),
        Column("zxwyta", "政协委员提案", PROPOSAL_COLUMN_KINDS, "fbjd/xxgkml/jytabl/zxwyta"),
        Column(
            "gzdt",
            "工作动态",
            ((NEWS, 85), (NOTICE, 15)),
            "fbjd/xxgkml/gzdt/gzyw",
            stub="fbjd/xxgkml/gzdt",
        ),
    ),
)

GOVCN = Site(
    name="govcn",
    family="govcn",
    origin="https://www.gov.cn",
    site_name="中国政府网",
    publisher="国务院办公厅",
    agency="国务院办公厅",
    org_code="000014349",
    doc_prefix="国办发",
    site_id_code="bm01000001",
    columns=(Column("gongwen", "国务院文件", ((POLICY, 75), (NOTICE, 25))),),
)

# 佛山市住房公积金管理中心 on Guangdong's gkmlpt: SID 757016 and the categories 规范性文件 (617),
# 其他文件 (618) and 工作动态 (607) are the real ones (its page
# https://fsgjj.foshan.gov.cn/gkmlpt/content/7/7107/post_7107734.html embeds them).
FOSHAN_FSGJJ = Site(
    name="foshan-fsgjj",
    family="gkmlpt",
    origin="http://fsgjj.foshan.gov.cn",
    site_name="佛山市住房公积金管理中心",
    publisher="佛山市住房公积金管理中心",
    agency="佛山市住房公积金管理中心",
    org_code="124406007254589167",
    doc_prefix="佛房金管",
    webid="757016",  # real: the SID
    site_id_code="4406000049",
    columns=(
        Column("617", "规范性文件", ((POLICY, 80), (NOTICE, 20))),  # real
        Column("618", "其他文件", ((NOTICE, 70), (POLICY, 30))),  # real
        Column("607", "工作动态", ((NEWS, 90), (NOTICE, 10))),  # real
    ),
    optional=True,
)

# A county portal on a home-grown template (no known family): made up, as such sites are many
# and each is different. Lists in <div>s, paging by 下一页 links and index_N.html or ?page=N.
COUNTY_DEMO = Site(
    name="county-demo",
    family="generic",
    origin="http://www.demo-county.gov.cn",
    site_name="示范县人民政府",
    publisher="县政府办",
    agency="示范县人民政府办公室",
    org_code="MB1C33605X",
    doc_prefix="示政办",
    site_id_code="4399990001",
    columns=(
        Column("jyta", "建议提案办理", REPLY_COLUMN_KINDS, "zwgk/jyta"),
        Column("tzgg", "通知公告", ((NOTICE, 70), (POLICY, 30)), "zwgk/tzgg"),
    ),
    optional=True,
)

SITES: tuple[Site, ...] = (HANGZHOU_JXJ, HANGZHOU_JXJ_HANT, HANGZHOU_GOV, HUBEI_JXT, GOVCN,
                           FOSHAN_FSGJJ, COUNTY_DEMO)  # fmt: skip
SITES_BY_NAME = {site.name: site for site in SITES}
