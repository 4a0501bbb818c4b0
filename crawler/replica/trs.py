"""TRS WCM (拓尔思), as a provincial department's 建议提案办理 section serves it (DOMAIN.md §1.3).

- `/<section>/index.html`, `index_1.html` (page 2) …, the page count in
  `createPageHTML(pageCount, currentIndex0, "index", "html")`;
- `/<section>/YYYYMM/tYYYYMMDD_<id>.shtml`: articles, GBK-encoded, some declaring a wrong
  charset; the view counter rendered into the page, different on every fetch (so these pages are
  dynamic: no validators);
- `./P0202….pdf` attachments beside the article.
"""

from __future__ import annotations

import math
import re

from crawler.replica import files
from crawler.replica.content import Doc
from crawler.replica.corpus import Corpus, Spec, date_of, morning
from crawler.replica.sites import Site
from crawler.replica.web import Request, Response, esc, not_found, page

PER_PAGE = 20
_INDEX = re.compile(r"^/(?P<section>[\w/]+?)/index(?:_(?P<n>\d+))?\.html$")
_ARTICLE = re.compile(r"^/(?P<section>[\w/]+?)/(?P<ym>\d{6})/t(?P<ymd>\d{8})_(?P<id>\d+)\.shtml$")
_ATTACH = re.compile(r"^/(?P<section>[\w/]+?)/(?P<ym>\d{6})/(?P<key>P\d+_[\w-]+\.(?:pdf|doc|ofd))$")


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
        match = _INDEX.match(path)
        if match and self._column(match["section"]):
            return self.index(match["section"], int(match["n"] or 0), day)
        match = _ARTICLE.match(path)
        if match:
            return self.article(match, day)
        match = _ATTACH.match(path)
        if match:
            return files.response(match["key"], path)
        return not_found(path)

    def index(self, section: str, number: int, day: int) -> Response:
        column_id = self._column(section)
        column = self.site.column(column_id or "")
        if column is None:
            return not_found(section)
        listed = self.corpus.listing(self.site.name, column.id, day)
        pages = max(1, math.ceil(len(listed) / PER_PAGE))
        if number >= pages:
            return not_found(f"/{section}/index_{number}.html")
        items = []
        for spec in listed[number * PER_PAGE : (number + 1) * PER_PAGE]:
            doc = self.corpus.document(spec, day)
            path = article_path(self.site, spec)
            # Its own section's articles are linked relatively; cross-posted ones by full path.
            href = "." + path[len(section) + 1 :] if path.startswith(f"/{section}/") else path
            items.append(
                f'<li><a href="{href}" title="{esc(doc.title)}" target="_blank">{esc(doc.title)}</a>'
                f"<span>{date_of(spec.day).isoformat()}</span></li>"
            )
        body = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(column.name)}-{esc(self.site.site_name)}</title>
<meta name="SiteName" content="{esc(self.site.site_name)}"><meta name="ColumnName" content="{esc(column.name)}">
<script type="text/javascript" src="/images/trs_page.js"></script>
</head><body>
<div class="position">首页 &gt; 建议提案办理 &gt; {esc(column.name)}</div>
<ul class="list">
{chr(10).join(items)}
</ul>
<div class="page"><script type="text/javascript">createPageHTML({pages}, {number}, "index", "html");</script></div>
</body></html>"""
        return page(body, "gbk").validated(body.encode("gbk", "xmlcharrefreplace"), morning(day))

    def article(self, match: re.Match[str], day: int) -> Response:
        spec = self.corpus.spec(self.site.name, match["id"])
        if spec is None or not spec.live(day) or article_path(self.site, spec) != match.group(0):
            return not_found(match.group(0))
        doc = self.corpus.document(spec, day)
        self.views[spec.key] = self.views.get(spec.key, 0) + 1
        # Some templates declare UTF-8 while the server sends GBK, as real TRS sites do.
        declared = "utf-8" if int(spec.key) % 7 == 0 else "gb2312"
        text = render_article(self.site, spec, doc, self.views[spec.key], declared)
        return page(text, "gbk")


def render_article(site: Site, spec: Spec, doc: Doc, views: int, declared: str = "gb2312") -> str:
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
<div class="head"><a href="/">网站首页</a><a href="/fbjd/">政务公开</a><a href="/fbjd/xxgkml/jytabl/">建议提案办理</a></div>
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
</div>
<div class="foot">{esc(site.site_name)} 版权所有 网站标识码：{site.site_id_code}</div>
</body>
</html>
"""
