"""Hanweb "jpaas", as www.hangzhou.gov.cn serves it (docs/DOMAIN.md §1.2).

- `/col/col<COLID>/index.html`: the column page with `count`, `rows`, `pageNo` and `queryData`,
  amid menus, a breadcrumb, a sidebar of hot documents and footer link groups;
- `/api-gateway/jpaas-publish-server/front/page/build/unit`: the JSON listing, paged with
  `rows=15&pageNo=N` or `paramJson={"pageNo":N,"pageSize":M}`; `{success, data: {html}}`, the
  fragment holding the rows, a pager of `javascript:` links and a "more" link to the column;
- `/col/col<COLID>/art/<YYYY>/art_<32 hex>.html`: articles;
- `/api-gateway/jpaas-web-server/front/document/download?fileUrl=…&fileName=…` → 302
  `/cms_files/…` → 301 object storage: attachments, whose type shows only in `fileName`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import re
from urllib.parse import quote

from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec, date_of, morning
from replica.sites import Site
from replica.web import Request, Response, esc, not_found, page, redirect

ROWS = 15
LIST_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DOWNLOAD = "/api-gateway/jpaas-web-server/front/document/download"
_ARTICLE = re.compile(r"^/col/col(\d+)/art/(\d{4})/art_([0-9a-f]{32})\.html$")
_COLUMN = re.compile(r"^/col/col(\d+)/index\.html$")
NAV = (("/", "首页"), ("/col/col1229063380/index.html", "政务公开"),
       ("/col/col1229063390/index.html", "政务服务"), ("/col/col1229063395/index.html", "互动交流"))  # fmt: skip
#: The 政务公开 block of the home page (columns the replica does not serve).
DISCLOSURE = (
    ("/col/col1229063380/index.html", "政府信息公开"),
    ("/col/col1229063381/index.html", "政府信息公开指南"),
    ("/col/col1229063382/index.html", "法定主动公开内容"),
    ("/col/col1229063383/index.html", "政府信息公开年报"),
)


def article_path(spec: Spec) -> str:
    return f"/col/col{spec.column}/art/{date_of(spec.day).year}/art_{spec.key}.html"


def attachment_path(name: str, key: str) -> str:
    opaque = base64.urlsafe_b64encode(f"jpaas/attach/{key}".encode()).decode().rstrip("=")
    return f"{DOWNLOAD}?fileUrl={opaque}&fileName={quote(name.split('：')[-1])}"


def _row(spec: Spec, doc: Doc) -> str:
    date = date_of(spec.day).isoformat()
    return (
        f'<li><a href="{article_path(spec)}" title="{esc(doc.title)}" target="_blank">'
        f"{esc(doc.title)}</a><span>{date}</span></li>"
    )


class Jpaas:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(
                200, b"User-agent: *\nDisallow: /api-gateway/jpaas-web-server/\n", "text/plain"
            )
        if path == LIST_API:
            return self.listing(request, day)
        if path == DOWNLOAD:
            opaque = request.arg("fileUrl")
            try:
                key = (
                    base64.urlsafe_b64decode(opaque + "=" * (-len(opaque) % 4))
                    .decode()
                    .rsplit("/", 1)[-1]
                )
            except (ValueError, UnicodeDecodeError):
                return not_found(path)
            return redirect(f"/cms_files/jpaas/attach/{key}", 302)
        if path.startswith("/cms_files/jpaas/attach/"):
            return redirect("/oss/hz-gov-files/" + path.rsplit("/", 1)[-1], 301)
        if path.startswith("/oss/hz-gov-files/"):
            return files.response(path.rsplit("/", 1)[-1], path, self.corpus)
        match = _COLUMN.match(path)
        if match:
            return self.column_page(match.group(1), day)
        match = _ARTICLE.match(path)
        if match:
            return self.article(match, day)
        if path in ("/", "/index.html"):
            body = home.render_home(
                self.site, self.corpus, day, column_href=lambda c: f"/col/col{c.id}/index.html",
                article_href=article_path, disclosure=DISCLOSURE, nav=NAV,
            )  # fmt: skip
            return page(body).validated(body.encode(), morning(day))
        return not_found(path)

    def _page_html(self, column: str, day: int, number: int, rows: int) -> tuple[str, int]:
        listed = self.corpus.listing(self.site.name, column, day)
        chosen = listed[(number - 1) * rows : number * rows]
        items = "".join(_row(spec, self.corpus.document(spec, day)) for spec in chosen)
        pager = (
            '<div class="page"><a href="javascript:;" data-page="1">首页</a>'
            f'<a href="javascript:;" data-page="{number + 1}">下一页</a>'
            f'<a class="more" href="/col/col{column}/index.html">更多&gt;&gt;</a></div>'
        )
        return f'<ul class="list">{items}</ul>{pager}', len(listed)

    def _query_data(self, column: str) -> str:
        return (
            f"{{'webId':'{self.site.webid}','pageId':'{column}','tagId':'信息列表',"
            f"'tplSetId':'{self.site.tpl_set_id}'}}"
        )

    def column_page(self, column: str, day: int) -> Response:
        col = self.site.column(column)
        if col is None:
            return not_found(f"/col/col{column}/index.html")
        items, total = self._page_html(column, day, 1, ROWS)
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{esc(col.name)}_{esc(self.site.site_name)}</title>
<meta name="SiteName" content="{esc(self.site.site_name)}"><meta name="ColumnName" content="{esc(col.name)}">
</head><body>{chrome.top_bar(self.site)}
{chrome.nav([("/", "首页"), ("/col/col1229063380/index.html", "政务公开"), ("/col/col1229063390/index.html", "政务服务"), ("/col/col1229063395/index.html", "互动交流")])}
<div id="app">
{chrome.breadcrumb([("/", "首页"), ("/col/col1229063380/index.html", "政务公开"), (f"/col/col{column}/index.html", col.name)])}
<div class="list-box" count="{total}" rows="{ROWS}" pageNo="1" queryData="{self._query_data(column)}" parseType="bulidstatic">
{items}
<div class="page" id="page_list"></div></div>
<script src="/static/jpaas/js/list.js"></script></div>
{chrome.hot_box("热点信息", self._hot(day))}
{chrome.footer(self.site)}</body></html>"""
        return page(body).validated(body.encode(), morning(day))

    def _hot(self, day: int) -> list[tuple[str, str, dt.date]]:
        hot = []
        for col in self.site.columns:
            for spec in self.corpus.listing(self.site.name, col.id, day)[:3]:
                hot.append(
                    (article_path(spec), self.corpus.document(spec, day).title, date_of(spec.day))
                )
        return sorted(hot, key=lambda item: item[2], reverse=True)[:6]

    def listing(self, request: Request, day: int) -> Response:
        column = request.arg("pageId")
        if request.arg("webId") != self.site.webid or self.site.column(column) is None:
            return Response(
                200, json.dumps({"success": False, "msg": "参数错误"}).encode(), "application/json"
            )
        try:
            if request.arg("paramJson"):
                param = json.loads(request.arg("paramJson"))
                number, rows = int(param.get("pageNo", 1)), int(param.get("pageSize", ROWS))
            else:
                number, rows = int(request.arg("pageNo") or 1), int(request.arg("rows") or ROWS)
        except (ValueError, TypeError, AttributeError):
            return Response(
                200, json.dumps({"success": False, "msg": "参数错误"}).encode(), "application/json"
            )
        number, rows = max(number, 1), min(max(rows, 1), 100)
        items, total = self._page_html(column, day, number, rows)
        fragment = (
            f'<div class="list-box" count="{total}" rows="{rows}" pageNo="{number}" '
            f'totalPage="{math.ceil(total / rows)}">{items}</div>'
        )
        answer = {"success": True, "code": "200", "data": {"html": fragment}}
        return Response(
            200, json.dumps(answer, ensure_ascii=False).encode(), "application/json;charset=UTF-8"
        )

    def article(self, match: re.Match[str], day: int) -> Response:
        column, year, key = match.groups()
        spec = self.corpus.spec(self.site.name, key)
        if (
            spec is None
            or not spec.live(day)
            or column != spec.column
            or int(year) != date_of(spec.day).year
        ):
            return not_found(match.group(0))
        doc = self.corpus.document(spec, day)
        related = [
            (article_path(o), self.corpus.document(o, day).title)
            for o in self.corpus.older(spec, 4)
        ]
        text = render_article(self.site, spec, doc, related)
        return page(text).validated(text.encode(), doc.published)


def render_article(
    site: Site, spec: Spec, doc: Doc, related: list[tuple[str, str]] | None = None
) -> str:
    items = [("索引号", doc.index_no), ("发布单位", doc.publisher), ("文号", doc.doc_no or ""),
             ("组配分类", doc.category), ("成文日期", doc.written_date.isoformat()),
             ("公开日期", doc.published.date().isoformat()), ("公开方式", doc.disclosure_form or "")]  # fmt: skip
    meta = "\n".join(f"    <li>{label}：<span>{esc(value)}</span></li>" for label, value in items)
    body = "\n".join(f"    <p>{esc(line)}</p>" for line in doc.paragraphs)
    links = "\n".join(
        f'    <p><a href="{attachment_path(a.name, a.key)}" target="_blank">{esc(a.name)}</a></p>'
        for a in doc.attachments
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
<meta name="ArticleTitle" content="{esc(doc.title)}">
<meta name="PubDate" content="{doc.published.strftime("%Y-%m-%d %H:%M")}">
<meta name="ContentSource" content="{esc(doc.source)}">
<title>{esc(doc.title)}</title>
</head>
<body>
{chrome.top_bar(site)}
{chrome.nav([("/", "首页"), ("/col/col1229063380/index.html", "政务公开"), ("/col/col1229063390/index.html", "政务服务")])}
<div id="app">
{chrome.breadcrumb([("/", "首页"), (f"/col/col{spec.column}/index.html", doc.column_name)])}
<div class="xxgk_top">
  <ul>
{meta}
  </ul>
</div>
<div class="article">
  <div class="article-title">{esc(doc.title)}</div>
  <div class="article-content">
{body}
  </div>
  <div class="article-files">
{links}
  </div>
  {chrome.share()}
  {chrome.related(related or [])}
</div>
</div>
{chrome.footer(site)}
<script type="text/javascript">window.__INITIAL_STATE__ = {{"pageId": "{spec.column}"}};</script>
</body>
</html>
"""
