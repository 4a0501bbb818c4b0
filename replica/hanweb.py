"""Hanweb JCMS "classic" (大汉版通), as jxj.hangzhou.gov.cn serves it (docs/DOMAIN.md §1.1).

- `/col/col<COLID>/index.html`: the column page, its first group of records embedded in
  `<script type="text/xml"><datastore>` and the jpage paging block (`totalRecord`, `proxyUrl`…),
  amid the site's chrome (menus, a column menu, a sidebar of hot documents with `/art/` links, an
  empty visible `<ul>`, footer link groups); list dates that differ from URL dates for some;
- `/module/jpage/dataproxy.jsp` (and `/module/web/jpage/dataproxy.jsp`): POST with
  `startrecord/endrecord/perpage` and the form parameters, or GET `page=N`; groups of 45;
- `/art/YYYY/M/D/art_<COLID>_<ARTID>.html`: articles under their home column, and under a second
  column when cross-posted; the disclosure table, the header line with a view counter filled by a
  script request, the body in `#zoom`, and the mobile copy of the page that repeats it all; a
  share widget, 上一篇/下一篇 and 相关文章 links to other articles, footer link groups;
- `/module/visitcount/articlehits.jsp`: the view counter;
- `/cms_files/jcms1/web<webid>/site/attach/0/<file>`: attachments.
The traditional mirror is this family with every page converted to traditional characters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from crawler.extract.text import to_traditional
from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec, date_of, morning
from replica.sites import Site
from replica.web import Request, Response, esc, not_found, page

PER_PAGE = 15
GROUP = 45  # 3 display pages per dataproxy call
_ARTICLE = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")
_COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
_ATTACH = re.compile(r"^/cms_files/jcms1/web\d+/site/attach/0/([\w.-]+)$")


def article_path(spec: Spec, column: str | None = None) -> str:
    day = date_of(spec.day)
    return f"/art/{day.year}/{day.month}/{day.day}/art_{column or spec.column}_{spec.key}.html"


def attachment_path(site: Site, key: str) -> str:
    return f"/cms_files/jcms1/web{site.webid}/site/attach/0/{key}"


def _record(spec: Spec, doc: Doc, listed_in: str, variant: int) -> str:
    """One `<li>` of a listing, in one of the templates' styles."""
    column = spec.column if spec.also != listed_in or spec.serial % 2 else listed_in
    href = article_path(spec, column)
    # The list prints the publication date; for some documents not the one in the URL.
    date = (date_of(spec.day) - dt.timedelta(days=2 if spec.serial % 6 == 1 else 0)).isoformat()
    title = doc.title
    shown = title if len(title) <= 24 else title[:24] + "..."
    if variant == 0:
        return f'<li><a href="{href}" title="{esc(title)}" target="_blank">{esc(shown)}</a><span>{date}</span></li>'
    if variant == 1:
        return f"<li><a href='{href}' title='{esc(title)}'>{esc(shown)}</a><i>[{date}]</i></li>"
    return f'<li><b>{date}</b><a href="{href}" title="{esc(title)}">{esc(title)}</a></li>'


class Hanweb:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus
        self.hits: dict[str, int] = {}

    def _params(self, column: str) -> dict[str, str]:
        return {
            "col": "1", "appid": "1", "webid": self.site.webid, "path": "/", "columnid": column,
            "sourceContentType": "1", "unitid": self.site.unitid,
            "webname": quote(self.site.site_name), "permissiontype": "0",
        }  # fmt: skip

    def _convert(self, text: str) -> str:
        return to_traditional(text) if self.site.script == "zh-Hant" else text

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow: /module/visitcount/\n", "text/plain")
        if path in ("/module/jpage/dataproxy.jsp", "/module/web/jpage/dataproxy.jsp"):
            return self.dataproxy(request, day)
        if path == "/module/visitcount/articlehits.jsp":
            key = request.arg("artid")
            self.hits[key] = self.hits.get(key, 0) + 1
            return Response(200, f"document.write({self.hits[key]});".encode(), "text/javascript")
        match = _COLUMN.match(path)
        if match:
            return self.column_page(match.group(1), day)
        match = _ARTICLE.match(path)
        if match:
            return self.article(match, day)
        match = _ATTACH.match(path)
        if match:
            return files.response(match.group(1), path, self.corpus)
        if path in ("/", "/index.html"):
            return self.home(day)
        return not_found(path)

    def home(self, day: int) -> Response:
        body = home.render_home(
            self.site, self.corpus, day, column_href=lambda c: f"/col/col{c.id}/index.html",
            article_href=article_path, disclosure=DISCLOSURE, nav=NAV,
            tech='<div class="footer">技术支持：大汉网络 大汉版通发布系统</div>',
        )  # fmt: skip
        return page(self._convert(body)).validated(body.encode(), morning(day))

    # Listings

    def _records(self, column: str, day: int, start: int, end: int) -> list[str]:
        listed = self.corpus.listing(self.site.name, column, day)
        variant = [c.id for c in self.site.columns].index(column) % 3
        return [
            _record(spec, self.corpus.document(spec, day), column, variant)
            for spec in listed[start:end]
        ]

    def _datastore(self, column: str, records: list[str], next_page: int, total: int | None) -> str:
        params = self._params(column)
        query = "&".join(
            f"{k}={v}" for k, v in params.items() if k not in ("col", "sourceContentType")
        )
        parts = [
            f'<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page={next_page}&{query}"></a>]]></nextgroup>',
            "<recordset>",
            *(f"<record><![CDATA[{self._convert(r)}]]></record>" for r in records),
            "</recordset>",
        ]
        if total is not None:
            parts.append(
                f"<totalrecord>{total}</totalrecord><totalpage>{math.ceil(total / PER_PAGE)}</totalpage>"
            )
        parts.append("</datastore>")
        return "\n".join(parts)

    def column_page(self, column: str, day: int) -> Response:
        col = self.site.column(column)
        if col is None:
            return not_found(f"/col/col{column}/index.html")
        total = len(self.corpus.listing(self.site.name, column, day))
        store = self._datastore(
            column, self._records(column, day, 0, GROUP), GROUP // PER_PAGE + 1, None
        )
        params = ", ".join(f"{k}: '{v}'" for k, v in self._params(column).items())
        body = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(col.name)}_{esc(self.site.site_name)}</title>
<meta name="SiteName" content="{esc(self.site.site_name)}">
<meta name="ColumnName" content="{esc(col.name)}">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
</head><body>
{chrome.top_bar(self.site)}
<div class="header"><div class="logo"><a href="/">{esc(self.site.site_name)}</a></div><ul class="nav">{_NAV}</ul>
{chrome.search_box("/jsearchfront/search.do")}</div>
<div class="top"><a href="/">首页</a> &gt; <a href="/col/col{column}/index.html">{esc(col.name)}</a></div>
<div class="main">
{chrome.column_menu("政务公开", [(f"/col/col{c.id}/index.html", c.name) for c in self.site.columns], f"/col/col{column}/index.html")}
<div class="list-box"><ul class="list"></ul>
<div id="{column}"><script type="text/xml">
{store}
</script></div>
<script language="javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<script>
var totalRecord = {total};
$(document).ready(function() {{
  $('#{column}').jpage({{
    dataStore: $('#{column} script[type="text/xml"]').html(),
    proxyUrl: '/module/jpage/dataproxy.jsp',
    perPage: {PER_PAGE}, groupSize: {GROUP // PER_PAGE}, barPosition: 'bottom',
    totalRecord: {total},
    ajaxParam: {{ {params} }}
  }});
}});
</script></div>
{chrome.hot_box("热点信息", self._hot(day))}
</div>
{chrome.footer(self.site)}
<div class="footer">技术支持：大汉网络 大汉版通发布系统</div>
</body></html>"""
        return page(self._convert(body)).validated(body.encode(), morning(day))

    def _hot(self, day: int) -> list[tuple[str, str, dt.date]]:
        """热点信息: the newest documents of every column."""
        hot = []
        for col in self.site.columns:
            for spec in self.corpus.listing(self.site.name, col.id, day)[:2]:
                title = self.corpus.document(spec, day).title
                hot.append((article_path(spec), title, date_of(spec.day)))
        return sorted(hot, key=lambda item: item[2], reverse=True)[:6]

    def dataproxy(self, request: Request, day: int) -> Response:
        column = request.arg("columnid")
        if self.site.column(column) is None or (
            request.arg("webid") and request.arg("webid") != self.site.webid
        ):
            return page("<html><body>非法请求</body></html>")
        total = len(self.corpus.listing(self.site.name, column, day))
        try:
            if request.arg("startrecord"):
                start = max(int(request.arg("startrecord")) - 1, 0)
                end = int(request.arg("endrecord") or start + GROUP)
                perpage = int(request.arg("perpage") or PER_PAGE)
            else:
                perpage = int(request.arg("perpage") or PER_PAGE)
                start = (max(int(request.arg("page") or 1), 1) - 1) * perpage
                end = start + GROUP
        except ValueError:
            return page("<html><body>非法请求</body></html>")
        end = max(start, min(end, start + 500))
        records = self._records(column, day, start, end)
        next_page = end // max(perpage, 1) + 1
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + self._datastore(
            column, records, next_page, total
        )
        return Response(200, xml.encode(), "text/xml; charset=UTF-8")

    # Articles

    def article(self, match: re.Match[str], day: int) -> Response:
        year, month, dom, column, key = match.groups()
        spec = self.corpus.spec(self.site.name, key)
        if spec is None or not spec.live(day) or column not in (spec.column, spec.also):
            return not_found(match.group(0))
        published = date_of(spec.day)
        if (int(year), int(month), int(dom)) != (published.year, published.month, published.day):
            return not_found(match.group(0))
        doc = self.corpus.document(spec, day)
        older = self.corpus.older(spec, 4)
        newer = self.corpus.newer(spec, day)
        links = _Links(
            related=[(article_path(o), self.corpus.document(o, day).title) for o in older],
            previous=(article_path(older[0]), self.corpus.document(older[0], day).title)
            if older
            else None,
            following=(article_path(newer), self.corpus.document(newer, day).title)
            if newer
            else None,
        )
        html_text = render_article(self.site, spec, doc, links)
        return page(self._convert(html_text)).validated(html_text.encode(), doc.published)


def _paragraph(line: str, index: int, doc: Doc) -> str:
    right = line == doc.source or re.fullmatch(
        r"[\d〇一二三四五六七八九十]{4}年.{1,3}月.{1,3}日", line
    )
    if right:
        return f'<p style="text-align: right;">{esc(line)}</p>'
    if index == 0 and line.endswith("："):
        return f"<p>{esc(line)}</p>"
    return f'<p style="text-indent: 2em;">{esc(line)}</p>'


@dataclass(frozen=True)
class _Links:
    """Other articles an article page links: 相关文章, 上一篇, 下一篇."""

    related: list[tuple[str, str]] = field(default_factory=list)
    previous: tuple[str, str] | None = None
    following: tuple[str, str] | None = None


def render_article(site: Site, spec: Spec, doc: Doc, others: _Links | None = None) -> str:
    """An article page as jxj.hangzhou.gov.cn lays it out (desktop and mobile copies).

    Long because it is a page's markup: one template read top to bottom, as the portal's own."""
    written = doc.written_date.isoformat()
    published = doc.published.strftime("%Y-%m-%d %H:%M")
    url = site.origin + article_path(spec)
    pairs = [("信息索引号", doc.index_no), ("公开形式", doc.disclosure_form or ""),
             ("文件编号", doc.doc_no or ""), ("成文日期", written),
             ("发布机构", doc.publisher), ("信息分类", doc.category)]  # fmt: skip
    rows = "\n".join(
        "      <tr>\n"
        f'        <td class="xxgk_td1">{pairs[i][0]}</td><td class="xxgk_td2">{esc(pairs[i][1])}</td>\n'
        f'        <td class="xxgk_td1">{pairs[i + 1][0]}</td><td class="xxgk_td2">{esc(pairs[i + 1][1])}</td>\n'
        "      </tr>"
        for i in range(0, 6, 2)
    )
    others = others or _Links()
    body = "\n".join("        " + _paragraph(line, i, doc) for i, line in enumerate(doc.paragraphs))
    wap_items = "\n".join(
        f'        <div class="wap-item"><label>{label}</label><div class="wap-value">{esc(value)}</div></div>'
        for label, value in (("索引号", doc.index_no), ("发布机构", doc.publisher),
                             ("文号", doc.doc_no or ""), ("发布日期", doc.published.date().isoformat()))
    )  # fmt: skip
    wap_body = "\n".join(f"          <p>{esc(line)}</p>" for line in doc.paragraphs)
    attachments = ""
    if doc.attachments:
        links = "".join(
            f'<li><a href="{attachment_path(site, a.key)}" target="_blank">{esc(a.name)}</a></li>'
            for a in doc.attachments
        )
        attachments = f'\n    <div class="fjxz"><ul>{links}</ul></div>'
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(doc.title)}</title>
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="SiteDomain" content="{site.origin.split("//")[1]}">
<meta name="SiteIDCode" content="{site.site_id_code}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
<meta name="ColumnType" content="{esc(doc.column_name)}">
<meta name="ArticleTitle" content="{esc(doc.title)}">
<meta name="PubDate" content="{published}">
<meta name="ContentSource" content="{esc(doc.source)}">
<meta name="Keywords" content="">
<meta name="Author" content="">
<meta name="Description" content="">
<meta name="Url" content="{url}">
<link href="/images/1229125426/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<style>.wap {{ display: none; }} @media (max-width: 640px) {{ .wap {{ display: block; }} .pc {{ display: none; }} }}</style>
</head>
<body>
<div class="top"><div class="logo"><a href="/">{esc(site.site_name)}</a></div><ul class="nav">{_NAV}</ul></div>
<div class="pc">
  <div class="position">首页 &gt; <a href="/col/col{spec.column}/index.html">{esc(doc.column_name)}</a></div>
  <div class="xxgk_box">
    <table class="xxgk_table" width="100%" border="0" cellspacing="0" cellpadding="0">
{rows}
    </table>
  </div>
  <div class="djl">点击率<span id="hits"></span></div>
  <div class="article">
    <div class="title">{esc(doc.title)}</div>
    <div class="info">
      <span class="laiyuan">来源：{esc(doc.source)}</span>
      <span class="fbsj">发布时间：{published}</span>
      <span class="views">浏览次数：<span id="art_hits"><script language="javascript">document.write(0);</script></span></span>
    </div>
    <div class="bt_content">
      <!--<$[信息内容]>begin-->
      <div id="zoom">
{body}
      </div>
      <!--<$[信息内容]>end-->
    </div>{attachments}
    {chrome.share()}
    {chrome.prev_next(others.previous, others.following)}
    {chrome.related(others.related)}
  </div>
</div>
<div class="wap">
  <div class="wap-xxgk">
{wap_items}
  </div>
  <h2 class="wap-title">{esc(doc.title)}</h2>
  <div class="wap-info"><p>发布日期：{published}</p><p>浏览次数：</p></div>
  <div class="wap-content">
{wap_body}
  </div>
</div>
<script type="text/javascript">
  $.ajax({{url: "/module/visitcount/articlehits.jsp?colid={spec.column}&artid={spec.key}", success: function (d) {{ $("#art_hits").html(d); }}}});
</script>
{chrome.footer(site)}
<div class="footer"><p>主办单位：{esc(site.agency)}　网站标识码：{site.site_id_code}　浙ICP备05011437号</p><p>技术支持：大汉网络 大汉版通发布系统</p></div>
</body>
</html>
"""


NAV = tuple(
    (f"/col/col{1229000000 + k}/index.html", name)
    for k, name in enumerate(("首页", "机构概况", "政务公开", "政务服务", "互动交流"))
)
_NAV = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in NAV)
#: The 政务公开 block of the home page: columns the replica does not serve, and the request form.
DISCLOSURE = (
    ("/col/col1229000010/index.html", "政府信息公开指南"),
    ("/col/col1229000011/index.html", "政府信息公开制度"),
    ("/col/col1229000012/index.html", "法定主动公开内容"),
    ("/col/col1229000013/index.html", "政府信息公开年报"),
    ("/module/xxgk/ysqgk.jsp", "依申请公开"),
)
