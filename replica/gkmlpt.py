"""Guangdong's gkmlpt, as the province's city and department sites serve it (docs/DOMAIN.md §1.5).

- `/gkmlpt/index`: an app shell whose `window._CONFIG` holds `SID` and the category `TREE`
  (nested `{id, name, parent, jump_url, children}`; some categories only jump elsewhere);
- `/gkmlpt/api/all/{cat}?page=N&sid=SID`: `{articles: [...], classify: {post_count}}`, 20 rows a
  page; a wrong `sid` answers an empty list, a page past the end too; a row's `url` is mostly the
  platform's page, sometimes its mobile copy (`mpost_`), a legacy `/gkml/` stub or the site's own
  copy of the post (`/xxgk/…/content/post_{id}.html`, not served here);
- `/gkmlpt/content/{id//1e6}/{id//1e3}/post_{id}.html` (and `mpost_`): the classify table
  (索引号, 分类, 发布机构, 成文日期, 名称, 文号, 发布日期), the body in `div.article-content`, and the
  post record as escaped JSON in `window._CONFIG.DETAIL` — the only place with the time of day;
- `/gkml/{section}/post_{id}.html`: a stub whose script fetches `/postmeta/p/…/{id}.json`, which
  names the page (`gkml_url`);
- `/attachment/0/{id//1e3}/{key}`: attachments.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from crawler.clock import CHINA
from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec
from replica.sites import Site
from replica.web import Request, Response, esc, not_found, page

ROWS = 20
_API = re.compile(r"^/gkmlpt/api/all/(\d+)$")
_CONTENT = re.compile(r"^/gkmlpt/content/(\d+)/(\d+)/(m?)post_(\d+)\.html$")
_LEGACY = re.compile(r"^/gkml/([\w/]+)/post_(\d+)\.html$")
_POSTMETA = re.compile(r"^/postmeta/p/(\d+)/(\d+)/(\d+)\.json$")
_ATTACH = re.compile(r"^/attachment/0/(\d+)/([\w.-]+)$")
#: Categories beside the site's columns: a guide, a jump elsewhere, a parent of the columns.
PARENT = "2604"
NAV = (("/", "首页"), ("/gkmlpt/index", "政务公开"), ("/xwzx/", "新闻中心"), ("/bsfw/", "办事服务"),
       ("/hdjl/", "互动交流"))  # fmt: skip
#: The 政务公开 block of the home page: the platform's catalogue and pages beside it.
DISCLOSURE = (
    ("/gkmlpt/index", "政府信息公开目录"),
    ("/gkmlpt/guide", "政府信息公开指南"),
    ("/gkmlpt/annualreport", "政府信息公开年报"),
    ("/gkmlpt/policy", "政策文件"),
)


def _split(key: str) -> tuple[int, int]:
    number = int(key)
    return number // 1_000_000, number // 1000


def article_path(spec: Spec, mobile: bool = False) -> str:
    a, b = _split(spec.key)
    return f"/gkmlpt/content/{a}/{b}/{'m' if mobile else ''}post_{spec.key}.html"


def legacy_path(spec: Spec) -> str:
    return f"/gkml/xxgk/{spec.column}/post_{spec.key}.html"


def attachment_path(spec: Spec, key: str) -> str:
    return f"/attachment/0/{_split(spec.key)[1]}/{key}"


def _row_path(spec: Spec) -> str:
    """Where the API sends readers: the page, its mobile copy (1 in 9), a legacy stub (1 in 11)
    or the site's own copy of the post in another template (1 in 7, not the platform's page)."""
    number = int(spec.key)
    if number % 7 == 2:
        return f"/xxgk/{spec.column}/content/post_{spec.key}.html"
    if number % 9 == 4:
        return article_path(spec, mobile=True)
    if number % 11 == 6:
        return legacy_path(spec)
    return article_path(spec)


def _json(value: object) -> str:
    """JSON as the platform's PHP writes it into a page: ASCII, slashes escaped."""
    return json.dumps(value, ensure_ascii=True).replace("/", "\\/")


class Gkmlpt:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus

    def tree(self) -> list[dict[str, object]]:
        columns: list[dict[str, object]] = [
            {
                "id": int(c.id),
                "name": c.name,
                "parent": int(PARENT),
                "jump_url": None,
                "children": [],
            }
            for c in self.site.columns
        ]
        return [
            {"id": 2601, "name": "政府信息公开指南", "parent": 0, "jump_url": None, "children": []},
            {"id": 2602, "name": "政府信息依申请公开", "parent": 0,
             "jump_url": "http://ysq.example.gov.cn/", "children": []},
            {"id": int(PARENT), "name": "政务公开", "parent": 0, "jump_url": "", "children": columns},
        ]  # fmt: skip

    def config(self, action: str, detail: dict[str, object] | None = None) -> str:
        lines = [
            "isMobile: false,",
            f"ACTION: '{action}',",
            "CSRF: 'r3plic4t0k3nr3plic4t0k3n',",
            f"APP_URL: '{self.site.origin}',",
            f"SID: '{self.site.webid}',",
            "ENV: 'production',",
        ]
        if detail is not None:
            lines.append(f"DETAIL: {_json(detail)},")
        lines.append(f"TREE: {_json(self.tree())},")
        lines.append("SEARCH_JSONP_URL: '//search.replica.invalid/jsonp'")
        return "window._CONFIG = {\n        " + "\n        ".join(lines) + "\n    };"

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow: /gkmlpt/api/search\n", "text/plain")
        if path in ("/gkmlpt/index", "/gkmlpt/index.html", "/gkmlpt/"):
            return self.index()
        if path in ("/", "/index.html"):
            # The site's own template links the platform: its catalogue, each category by
            # the catalogue's hash route.
            body = home.render_home(
                self.site, self.corpus, day, column_href=lambda c: f"/gkmlpt/index#{c.id}",
                article_href=article_path, disclosure=DISCLOSURE, nav=NAV,
            )  # fmt: skip
            return page(body)
        match = _API.match(path)
        if match:
            return self.listing(match.group(1), request, day)
        match = _CONTENT.match(path)
        if match:
            return self.content(match, day)
        match = _LEGACY.match(path)
        if match:
            return self.legacy(match, day)
        match = _POSTMETA.match(path)
        if match:
            spec = self.corpus.spec(self.site.name, match.group(3))
            if spec is None or not spec.live(day):
                return not_found(path)
            target = {"id": int(spec.key), "gkml_url": self.site.origin + article_path(spec)}
            return Response(200, json.dumps(target).encode(), "application/json")
        match = _ATTACH.match(path)
        if match:
            return files.response(match.group(2), path, self.corpus)
        return not_found(path)

    def index(self) -> Response:
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>政府信息公开_{esc(self.site.site_name)}</title>
<meta name="SiteName" content="{esc(self.site.site_name)}"></head>
<body><div id="app"></div>
<script>
    {self.config("index")}
</script>
<script src="/gkmlpt/static/js/app.js"></script></body></html>"""
        return page(body)

    def listing(self, category: str, request: Request, day: int) -> Response:
        if self.site.column(category) is None or request.arg("sid") != self.site.webid:
            answer: dict[str, object] = {"articles": [], "classify": None}
        else:
            try:
                number = max(int(request.arg("page") or 1), 1)
            except ValueError:
                number = 1
            listed = self.corpus.listing(self.site.name, category, day)
            rows = [self.row(spec, day) for spec in listed[(number - 1) * ROWS : number * ROWS]]
            column = self.site.column(category)
            assert column is not None
            answer = {
                "articles": rows,
                "classify": {"id": int(category), "name": column.name, "post_count": len(listed)},
            }
        return Response(
            200, json.dumps(answer, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        )

    def row(self, spec: Spec, day: int) -> dict[str, object]:
        doc = self.corpus.document(spec, day)
        published = int(doc.published.timestamp())
        return {
            "id": int(spec.key), "title": doc.title, "identifier": doc.index_no,
            "document_number": doc.doc_no or "", "publisher": doc.publisher,
            "date": published, "created_at": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "display_publish_time": 0, "classify_main_name": doc.column_name,
            "url": self.site.origin + _row_path(spec),
            "is_expired": 0, "is_abolished": 0,
            "attachment": [{"name": a.name, "url": self.site.origin + attachment_path(spec, a.key)}
                           for a in doc.attachments],
        }  # fmt: skip

    def _spec(self, key: str, day: int) -> Spec | None:
        spec = self.corpus.spec(self.site.name, key)
        return spec if spec is not None and spec.live(day) else None

    def content(self, match: re.Match[str], day: int) -> Response:
        a, b, mobile, key = match.groups()
        spec = self._spec(key, day)
        if spec is None or _split(key) != (int(a), int(b)):
            return not_found(match.group(0))
        doc = self.corpus.document(spec, day)
        text = self.render(spec, doc, bool(mobile))
        return page(text).validated(text.encode(), doc.published)

    def legacy(self, match: re.Match[str], day: int) -> Response:
        spec = self._spec(match.group(2), day)
        if spec is None or legacy_path(spec) != match.group(0):
            return not_found(match.group(0))
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{esc(self.site.site_name)}</title></head>
<body><div id="app">加载中…</div>
<script>
  var postId = '{spec.key}';
  $.getJSON('/postmeta/p/{_split(spec.key)[0]}/{_split(spec.key)[1]}/' + postId + '.json', function (data) {{
    window.location.href = data.gkml_url;
  }});
</script></body></html>"""
        return page(body)

    def detail(self, spec: Spec, doc: Doc) -> dict[str, object]:
        published = int(doc.published.timestamp())
        written = int(dt.datetime.combine(doc.written_date, dt.time(0), CHINA).timestamp())
        body = "".join(f"<p>{esc(line)}</p>" for line in doc.paragraphs)
        return {
            "id": int(spec.key), "title": doc.title, "subtitle": "", "author": "",
            "content": body, "source": doc.source, "category": int(spec.column),
            "first_publish_time": published - 30, "publish_time": published,
            "display_publish_time": 0, "type": "normal",
            "url": f"{self.site.origin}/xxgk/{spec.column}/content/post_{spec.key}.html",
            "attachment": [], "gkml_url": self.site.origin + article_path(spec),
            "site": int(self.site.webid),
            "gkml_data": {
                "id": int(spec.key), "identifier": doc.index_no,
                "identifier_f": doc.index_no.split("/")[0], "title": doc.title,
                "date": written, "document_number": doc.doc_no or "", "publisher": doc.publisher,
                "is_expired": 0, "is_abolished": 0, "classify_main": int(spec.column),
                "classify_main_name": doc.category,
            },
            "date": doc.published.date().isoformat(),
            "updated": f"{doc.published:%Y-%m-%d %H:%M:%S}",
        }  # fmt: skip

    def render(self, spec: Spec, doc: Doc, mobile: bool) -> str:
        body = "\n".join(f"    <p>{esc(line)}</p>" for line in doc.paragraphs)
        links = "".join(
            f'<p><a href="{attachment_path(spec, a.key)}" target="_blank">{esc(a.name)}</a></p>'
            for a in doc.attachments
        )
        table = f"""<div class="classify"><table>
  <tr><td class="first">索引号：</td><td class="td-value-xl"><span title="{esc(doc.index_no)}">{esc(doc.index_no)}</span></td>
      <td class="second">分类：</td><td class="td-value"><span>{esc(doc.category)}</span></td></tr>
  <tr><td class="first">发布机构：</td><td class="td-value-xl"><span>{esc(doc.publisher)}</span></td>
      <td class="second">成文日期：<i></i></td><td class="td-value"><span>{doc.written_date.isoformat()}</span></td></tr>
  <tr><td class="all">名称：</td><td colspan="3" class="td-value"><span class="document-number">{esc(doc.title)}</span></td></tr>
  <tr><td class="first">文号：</td><td class="td-value-xl"><span class="document-number doc-no">{esc(doc.doc_no or "")}</span></td>
      <td class="second">发布日期：</td><td class="td-value"><span>{doc.published.date().isoformat()}</span></td></tr>
  <tr class="last-tr"><td class="all">主题词：</td><td class="td-value first-value" colspan="3"><span></span></td></tr>
</table></div>"""
        chrome_top = "" if mobile else chrome.top_bar(self.site)
        return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{esc(doc.title)}</title>
<meta name="SiteName" content="{esc(self.site.site_name)}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
</head>
<body>
{chrome_top}
<div class="content-box" wzades="信息公开内容索引信息">
{table}
</div>
<div class="content-box" wzades="信息公开内容正文详情">
  <h1 class="title document-number">{esc(doc.title)}</h1>
  <div class="date-row">来源：{esc(doc.source)}&nbsp;&nbsp;浏览次数：<span id="post-visit">-</span></div>
  <div class="article-content">
{body}
  </div>
  <div class="attachment">{links}</div>
</div>
<script>
    {self.config("content", self.detail(spec, doc))}
</script>
{chrome.footer(self.site)}
</body>
</html>
"""
