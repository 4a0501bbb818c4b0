"""A portal's home page (`/`), as real portals print theirs, in each family's chrome.

Modelled on the home pages of the portals the replica imitates (jxj.hangzhou.gov.cn,
www.hangzhou.gov.cn, jxt.hubei.gov.cn, fsgjj.foshan.gov.cn, county portals): the site's meta tags
(`SiteName`, `SiteDomain`, `SiteIDCode`, docs/DOMAIN.md §2.1), a top bar, the logo and search,
the main menu, a slider of picture news, tabbed lists of the newest documents of each column with
dates and 更多 links, a 政务公开 block of disclosure links (the guide, the rules, the catalogue, the
yearly reports, the request form — most of which the replica does not serve, as a crawler's
first visit to a portal meets many links it need not follow), a 建议提案办理 block linking the
reply columns with their newest replies, 互动交流 and 专题专栏 blocks of links that are not
disclosure columns, friendly links and the footer.

Links follow each family's URL shapes: Hanweb and jpaas `/col/col<ID>/index.html`, TRS section
directories (`./<section>/`), gkmlpt's `/gkmlpt/index`, a home-grown template's `/<column>/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from replica import chrome
from replica.corpus import Corpus, Spec, date_of
from replica.sites import REPLY_PROPOSAL, REPLY_SUGGESTION, Column, Site
from replica.web import esc

Link = tuple[str, str]
Dated = tuple[str, str, dt.date]

INTERACTION = (("/hdjl/ldxx/", "领导信箱"), ("/hdjl/zxzx/", "在线咨询"), ("/hdjl/myzj/", "民意征集"),
               ("/hdjl/zxft/", "在线访谈"))  # fmt: skip
SPECIALS = (("/ztzl/yhyshj/", "优化营商环境"), ("/ztzl/szjj/", "数字经济"),
            ("/ztzl/qygf/", "清廉建设"))  # fmt: skip


def is_reply_column(column: Column) -> bool:
    return any(kind in (REPLY_SUGGESTION, REPLY_PROPOSAL) for kind, _ in column.kinds)


def newest(
    corpus: Corpus, site: Site, day: int, column: Column, href: Callable[[Spec], str], count: int
) -> list[Dated]:
    return [
        (href(spec), corpus.document(spec, day).title, date_of(spec.day))
        for spec in corpus.listing(site.name, column.id, day)[:count]
    ]


def _dated(rows: Sequence[Dated], cut: int = 28) -> str:
    return "".join(
        f'<li><a href="{href}" target="_blank" title="{esc(title)}">'
        f"{esc(title if len(title) <= cut else title[:cut] + '...')}</a><span>{day}</span></li>"
        for href, title, day in rows
    )


def render_home(
    site: Site, corpus: Corpus, day: int, *, column_href: Callable[[Column], str],
    article_href: Callable[[Spec], str], disclosure: Sequence[Link], nav: Sequence[Link],
    encoding: str = "utf-8", tech: str = "",
) -> str:  # fmt: skip
    """The home page: every column of `site` linked by `column_href`, its newest documents by
    `article_href`, the `disclosure` links in the 政务公开 block, `nav` as the main menu.

    Long because it is a page's markup: one template read top to bottom, as the portal's own."""
    replies = [c for c in site.columns if is_reply_column(c)]
    others = [c for c in site.columns if not is_reply_column(c)]
    tabs = "".join(
        f'<li class="{"on" if n == 0 else ""}"><a href="{column_href(c)}">{esc(c.name)}</a></li>'
        for n, c in enumerate(others)
    )
    panes = "".join(
        f'<div class="tab-con{"" if n == 0 else " hide"}"><ul>'
        f"{_dated(newest(corpus, site, day, c, article_href, 7))}</ul>"
        f'<a class="more" href="{column_href(c)}">更多&gt;&gt;</a></div>'
        for n, c in enumerate(others)
    )
    slides = "".join(
        f'<li><a href="{href}" target="_blank"><img src="/images/slide{n}.jpg" alt="{esc(title)}" />'
        f"<p>{esc(title)}</p></a></li>"
        for n, (href, title, _) in enumerate(
            row for c in others[:1] for row in newest(corpus, site, day, c, article_href, 3)
        )
    )
    open_links = "".join(
        f'<li><a href="{href}" target="_blank"><i class="icon icon{n}"></i><span>{esc(name)}</span></a></li>'
        for n, (href, name) in enumerate(disclosure)
    )
    reply_block = ""
    if replies:
        reply_links = "".join(
            f'<li class="jyta-col"><a href="{column_href(c)}" title="{esc(c.name)}">{esc(c.name)}</a></li>'
            for c in replies
        )
        latest = sorted((row for c in replies for row in newest(corpus, site, day, c, article_href, 3)),
                        key=lambda row: row[2], reverse=True)[:5]  # fmt: skip
        reply_block = (
            '<div class="index-jyta"><div class="hd"><h3>建议提案办理</h3></div>'
            f'<ul class="jyta-cols">{reply_links}</ul><ul class="jyta-list">{_dated(latest, 24)}</ul></div>'
        )
    interaction = "".join(f'<li><a href="{h}" target="_blank">{n}</a></li>' for h, n in INTERACTION)
    specials = "".join(
        f'<li><a href="{h}" target="_blank"><img src="/images/zt{k}.jpg" alt="{n}" /></a></li>'
        for k, (h, n) in enumerate(SPECIALS)
    )
    domain = site.origin.split("//", 1)[1]
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head>
<meta http-equiv="Content-Type" content="text/html; charset={"gb2312" if encoding == "gbk" else encoding}" />
<title>{esc(site.site_name)}</title>
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="SiteDomain" content="{domain}">
<meta name="SiteIDCode" content="{site.site_id_code}">
<meta name="ColumnName" content="首页">
<meta name="ColumnType" content="首页">
<link rel="stylesheet" type="text/css" href="/images/index.css" />
<script type="text/javascript" src="/images/jquery.min.js"></script>
</head><body>
{chrome.top_bar(site)}
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{esc(site.site_name)}" /></a></div>
{chrome.search_box()}</div>
{chrome.nav(nav, [[(column_href(c), c.name) for c in site.columns]])}
<div class="main">
<div class="index-banner"><ul class="slides">{slides}</ul></div>
<div class="index-news"><ul class="tab-tit">{tabs}</ul>{panes}</div>
<div class="index-zwgk"><div class="hd"><h3>政务公开</h3></div><ul class="zwgk-icons">{open_links}</ul></div>
{reply_block}
<div class="index-hdjl"><div class="hd"><h3>互动交流</h3></div><ul>{interaction}</ul></div>
<div class="index-ztzl"><div class="hd"><h3>专题专栏</h3></div><ul>{specials}</ul></div>
</div>
{chrome.footer(site)}
{tech}
</body></html>"""
