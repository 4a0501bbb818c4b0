"""TRS WCM (拓尔思), as a provincial department's 建议提案办理 section serves it (docs/DOMAIN.md §1.3).

- `/<section>/index.html` (or `/<section>/`), `index_1.html` (page 2) …, the page count in
  `createPageHTML(pageCount, currentIndex0, "index", "html")` — one column writes the record
  count first, `createPageHTML(records, pageCount, current, "index", "html")` — with an older
  call left in an HTML comment; the list amid the chrome real TRS pages carry (a header include
  that is a whole HTML document, menus, breadcrumb, a sidebar of hot documents, a hidden mobile
  copy of the list, unrendered template rows, footer link groups); a pinned row at the top of
  the first page linking the province's portal; listed dates that differ from the dates in the
  URLs for some entries;
- deep `index_N` pages the paging call still counts, left as ~300-byte broken stubs;
- a parent section whose index is only `document.location.href = …` (HTTP 200) to the column;
- `/<section>/YYYYMM/tYYYYMMDD_<id>.shtml`: articles, GBK-encoded, some declaring a wrong
  charset; the view counter rendered into the page, different on every fetch (so these pages are
  dynamic: no validators); a withdrawn one is only a meta refresh to its section (HTTP 200);
- `./P0202….pdf` attachments beside the article.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec, date_of, morning
from replica.sites import Column, Site
from replica.web import Request, Response, esc, not_found, page

PER_PAGE = 20
PINNED = "https://www.hubei.gov.cn/zfwj/ezf/202301/t20230110_4500001.shtml"
PINNED_TITLE = "省人民政府关于印发湖北省数字经济发展规划的通知"
#: Listings this deep or deeper count one more page than they have: a broken stub.
STALE_FROM = 3
NAV = (("./", "网站首页"), ("./fbjd/", "政务公开"), ("./fbjd/xxgkml/", "信息公开目录"),
       ("./hdjl/", "互动交流"), ("./bsfw/", "办事服务"))  # fmt: skip
#: The 政务公开 block of the home page: sections the replica does not serve, and the province's
#: request form on another host.
DISCLOSURE = (
    ("./fbjd/zfxxgkzn/", "政府信息公开指南"),
    ("./fbjd/zfxxgkzd/", "政府信息公开制度"),
    ("./fbjd/xxgkml/", "政府信息公开目录"),
    ("./fbjd/zfxxgknb/", "政府信息公开年报"),
    ("https://zwfw.hubei.gov.cn/ysqgk/", "依申请公开"),
)
_INDEX = re.compile(r"^/(?P<section>[\w/]+?)/(?:index(?:_(?P<n>\d+))?\.html)?$")
_ARTICLE = re.compile(r"^/(?P<section>[\w/]+?)/(?P<ym>\d{6})/t(?P<ymd>\d{8})_(?P<id>\d+)\.shtml$")
_ATTACH = re.compile(
    r"^/(?P<section>[\w/]+?)/(?P<ym>\d{6})/(?P<key>P\d+_[\w-]+\.(?:pdf|docx?|wps|xlsx?|ofd|zip))$"
)


def article_path(site: Site, spec: Spec) -> str:
    column = site.column(spec.column)
    day = date_of(spec.day)
    section = column.path if column else spec.column
    return f"/{section}/{day:%Y%m}/t{day:%Y%m%d}_{spec.key}.shtml"


def attachment_name(spec: Spec, key: str) -> str:
    return files.dated_name(date_of(spec.day), spec.key, key)


def attachment_path(site: Site, spec: Spec, key: str) -> str:
    base = article_path(site, spec).rsplit("/", 1)[0]
    return f"{base}/{attachment_name(spec, key)}"


class Trs:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus
        self.views: dict[str, int] = {}

    def _column(self, section: str) -> str | None:
        return next((c.id for c in self.site.columns if c.path == section), None)

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow: /system/\n", "text/plain")
        if path in ("/", "/index.html", "/index.shtml"):
            body = home.render_home(
                self.site, self.corpus, day, column_href=lambda c: f"./{c.path}/",
                article_href=lambda spec: "." + article_path(self.site, spec),
                disclosure=DISCLOSURE, nav=NAV, encoding="gbk",
            )  # fmt: skip
            return page(body, "gbk").validated(
                body.encode("gbk", "xmlcharrefreplace"), morning(day)
            )
        match = _INDEX.match(path)
        if match:
            stubbed = next((c for c in self.site.columns if c.stub == match["section"]), None)
            if stubbed is not None and match["n"] is None:
                return redirect_stub(stubbed)
            if self._column(match["section"]):
                return self.index(match["section"], int(match["n"] or 0), day)
        match = _ARTICLE.match(path)
        if match:
            return self.article(match, day)
        match = _ATTACH.match(path)
        if match:
            return files.response(match["key"], path, self.corpus)
        return not_found(path)

    def index(self, section: str, number: int, day: int) -> Response:
        column_id = self._column(section)
        column = self.site.column(column_id or "")
        if column is None:
            return not_found(section)
        listed = self.corpus.listing(self.site.name, column.id, day)
        pages = max(1, math.ceil(len(listed) / PER_PAGE))
        # Deep listings count a page more than they have; that page is a broken stub.
        declared = pages + 1 if pages >= STALE_FROM else pages
        if number >= declared:
            return not_found(f"/{section}/index_{number}.html")
        if number >= pages:
            return page(_BROKEN, "gbk")
        rows = []
        for spec in listed[number * PER_PAGE : (number + 1) * PER_PAGE]:
            doc = self.corpus.document(spec, day)
            rows.append((_href(self.site, spec, section), doc.title, _listed_date(spec)))
        body = render_index(self.site, column, rows, self._hot(day), declared, number, len(listed))
        return page(body, "gbk").validated(body.encode("gbk", "xmlcharrefreplace"), morning(day))

    def _hot(self, day: int) -> list[tuple[str, str, dt.date]]:
        """热点信息: the newest documents of every column (by full path)."""
        hot = []
        for column in self.site.columns:
            for spec in self.corpus.listing(self.site.name, column.id, day)[:2]:
                doc = self.corpus.document(spec, day)
                hot.append((article_path(self.site, spec), doc.title, date_of(spec.day)))
        return sorted(hot, key=lambda item: item[2], reverse=True)[:6]

    def article(self, match: re.Match[str], day: int) -> Response:
        spec = self.corpus.spec(self.site.name, match["id"])
        if spec is None or article_path(self.site, spec) != match.group(0) or spec.day > day:
            return not_found(match.group(0))
        if not spec.live(day):
            # Withdrawn: the page now sends readers to its column (HTTP 200), as Fujian's do.
            return page(_WITHDRAWN, "gbk")
        doc = self.corpus.document(spec, day)
        self.views[spec.key] = self.views.get(spec.key, 0) + 1
        # Some templates declare UTF-8 while the server sends GBK, as real TRS sites do.
        declared = "utf-8" if int(spec.key) % 7 == 0 else "gb2312"
        related = [
            (article_path(self.site, other), self.corpus.document(other, day).title)
            for other in self.corpus.older(spec, 4)
        ]
        text = render_article(self.site, spec, doc, self.views[spec.key], declared, related)
        return page(text, "gbk")


# A page the paging call counts but the site left broken (docs/DOMAIN.md §6): ~300 bytes, HTTP 200.
_BROKEN = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title></title><link href="/images/trs_web_style.css" rel="stylesheet" type="text/css" />
</head><body><div class="list-right-con"><ul class="xxgk_rul">
</ul></div></body></html>
"""


_WITHDRAWN = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="refresh" content="0;url=../"></head><body></body></html>"""


def redirect_stub(column: Column) -> Response:
    """A section index that only sends the browser on to its first sub-column (HTTP 200)."""
    target = "./" + column.path[len(column.stub) + 1 :] + "/"
    body = (
        '<SCRIPT LANGUAGE="JavaScript">\n\tvar htm = "";\n'
        f'\thtm = "{target}";\n        document.location.href=htm;\n \n</SCRIPT>'
    )
    return Response(200, body.encode("ascii"), "text/html")


def _href(site: Site, spec: Spec, section: str) -> str:
    """Its own section's articles are linked relatively; cross-posted ones by full path."""
    path = article_path(site, spec)
    return "." + path[len(section) + 1 :] if path.startswith(f"/{section}/") else path


def _listed_date(spec: Spec) -> dt.date:
    """The date the list prints: for some documents not the one in their URL."""
    shift = spec.serial % 7 - 3 if spec.serial % 4 == 1 else 0
    return date_of(spec.day) + dt.timedelta(days=shift)


def render_index(
    site: Site, column: Column, rows: list[tuple[str, str, dt.date]],
    hot: list[tuple[str, str, dt.date]], pages: int, number: int, records: int,
) -> str:  # fmt: skip
    """A listing page: the list of `rows` (href, title, listed date) amid the site's chrome."""
    items = []
    if number == 0 and rows:
        # Pinned at the top: the province's own document, on the province's portal (not ours).
        items.append(
            f'<li class="top"><a href="{PINNED}" target="_blank" title="{esc(PINNED_TITLE)}">'
            f"[置顶] {esc(PINNED_TITLE)}</a><span>2023-01-10</span></li>"
        )
    for position, (href, title, day) in enumerate(rows):
        if position % 5 == 3 and len(title) > 26:
            # Long titles cut in the link text, with no title attribute to give them whole.
            items.append(
                f'<li>\n<a href="{href}">{esc(title[:24])}...</a>\n<span>{day}</span>\n</li>'
            )
        else:
            items.append(
                f'<li><a href="{href}" target="_blank" title="{esc(title)}">{esc(title)}</a>'
                f"<span>{day}</span></li>"
            )
    mobile = "".join(
        f'<div class="m-item"><a href="{href}">{esc(title)}</a><em>{day:%m-%d}</em></div>'
        for href, title, day in rows[:10]
    )
    siblings = [(f"../{c.path.rsplit('/', 1)[-1]}/", c.name) for c in site.columns
                if c.path.rsplit("/", 1)[0] == column.path.rsplit("/", 1)[0]]  # fmt: skip
    if column.id == "zxwyta":  # the record count first, as some TRS templates write it
        call = f'createPageHTML({records}, {pages}, {number}, "index", "html");'
    else:
        call = f'createPageHTML({pages}, {number}, "index", "html");'
    nav = chrome.nav(
        [("/", "网站首页"), ("/fbjd/", "政务公开"), ("/fbjd/xxgkml/", "信息公开目录"),
         ("/hdjl/", "互动交流"), ("/bsfw/", "办事服务")],
        [[(f"/{c.path}/", c.name) for c in site.columns]],
    )  # fmt: skip
    return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(column.name)}-{esc(site.site_name)}</title>
<meta name="SiteName" content="{esc(site.site_name)}"><meta name="ColumnName" content="{esc(column.name)}">
<script type="text/javascript" src="/images/trs_page.js"></script>
</head><body>
<!--header-->
<!DOCTYPE html>
<html><head><meta charset="UTF-8"><link type="text/css" rel="stylesheet" href="/images/trs_web_style.css" /></head>
<body>
{chrome.top_bar(site)}
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{esc(site.site_name)}" /></a></div>
{nav}{chrome.search_box()}</div>
</body></html>
<!--header-->
<div class="main clearfix">
{chrome.column_menu("建议提案办理", siblings, f"../{column.path.rsplit('/', 1)[-1]}/")}
<div class="list-right">
{chrome.breadcrumb([("../../../", "首页"), ("../../", "政务公开"), ("../", "信息公开目录"), ("./", column.name)])}
<div class="list-right-con">
<ul class="xxgk_rul">
{chr(10).join(items)}
</ul>
{chrome.template_rows()}
<div class="page"><script type="text/javascript">{call}</script></div>
<!-- <script>createPageHTML({pages + 7}, 0, "index", "html");</script> -->
</div>
<div class="m-list" style="display:none">{mobile}</div>
</div>
{chrome.hot_box("热点信息", hot)}
</div>
{chrome.footer(site)}
</body></html>"""


def render_article(
    site: Site, spec: Spec, doc: Doc, views: int, declared: str = "gb2312",
    related: list[tuple[str, str]] | None = None,
) -> str:  # fmt: skip
    cells = [("索 引 号：", doc.index_no), ("主题分类：", doc.category), ("发 布 机 构：", doc.publisher),
             ("成文日期：", doc.written_date.isoformat()), ("文　　号：", doc.doc_no or ""),
             ("公开方式：", doc.disclosure_form or "")]  # fmt: skip
    rows = "\n".join(
        "  <tr>"
        + "".join(f"<td class='t'>{k}</td><td>{esc(v)}</td>" for k, v in cells[i : i + 3])
        + "</tr>"
        for i in range(0, 6, 3)
    )
    body = "\n".join(f"      <p>{esc(line)}</p>" for line in doc.paragraphs)
    links = "".join(
        f'<a href="./{attachment_name(spec, a.key)}" target="_blank">{esc(a.name)}</a><br/>'
        for a in doc.attachments
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={declared}" />
<title>{esc(site.site_name)} {esc(doc.column_name)} {esc(doc.title)}</title>
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="SiteIDCode" content="{site.site_id_code}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
<meta name="ArticleTitle" content="{esc(doc.title)}">
<meta name="PubDate" content="{doc.published:%Y/%m/%d %H:%M:%S}">
<meta name="ContentSource" content="{esc(doc.source)}">
</head>
<body>
{chrome.top_bar(site)}
<div class="head"><a href="/">网站首页</a><a href="/fbjd/">政务公开</a><a href="/fbjd/xxgkml/jytabl/">建议提案办理</a></div>
{chrome.nav([("/", "网站首页"), ("/fbjd/", "政务公开"), ("/hdjl/", "互动交流"), ("/bsfw/", "办事服务")])}
{chrome.breadcrumb([("/", "首页"), ("/fbjd/", "政务公开"), ("./", doc.column_name)])}
<table class="xxgk-table" width="100%">
{rows}
</table>
<div class="article">
  <h1>{esc(doc.title)}</h1>
  <div class="article-info">时间：{doc.published.date().isoformat()}&nbsp;&nbsp;&nbsp;来源：{esc(doc.source)}&nbsp;&nbsp;&nbsp;浏览次数：<span id="ll">{views}</span></div>
  <div class="TRS_Editor">
{body}
  </div>
  <div class="fj">{links}</div>
  {chrome.share()}
  {chrome.related(related or [])}
</div>
<div class="foot">{esc(site.site_name)} 版权所有 网站标识码：{site.site_id_code}</div>
{chrome.footer(site)}
</body>
</html>
"""
