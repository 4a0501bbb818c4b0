"""A county portal on a home-grown template (no known family), for the generic spider.

- `/zwgk/<column>/index.html`, `index_2.html` … : rows in `<div class="list-item">` (no `<ul>`),
  a date in an `<em>` beside each link, a pager of 首页/上一页/下一页/尾页 links; a sidebar of hot
  documents with dates, a menu and a footer around it;
- the 通知公告 column pages by `?page=N` instead, its 下一页 a `javascript:` link and only the
  numbered links real;
- articles at `/zwgk/<column>/<YYYYMM>/<slug>.html`: the URL carries no id, only a slug; the page
  prints its 索引号, 发布单位, 文号, 成文日期, 公开日期, 公开方式 in a table and the time of
  publication in a `PubDate` meta tag;
- attachments at `/uploadfile/<key>`;
- on day `REBUILD` the site is rebuilt: 建议提案办理 moves from `/zwgk/jyta/` to `/xxgk/jyta/`, its
  old listing answers 301 to the new one, its old article URLs 404; the documents keep their
  索引号 (the same documents at new URLs).
"""

from __future__ import annotations

import datetime as dt
import math

from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec, date_of, morning
from replica.sites import Site
from replica.web import Request, Response, esc, not_found, page, redirect

ROWS = 12
#: The day the site is rebuilt (2026-11-11) and the column that moves then, with its new path.
REBUILD = 1410
MOVED = ("jyta", "xxgk/jyta")
#: The column that pages by ?page=N (the others by index_N.html).
QUERY_PAGED = "tzgg"
NAV = (("/", "首页"), ("/zwgk/", "政务公开"), ("/hdjl/", "互动交流"), ("/bsfw/", "办事服务"))
#: The 政务公开 block of the home page (pages the replica does not serve).
DISCLOSURE = (
    ("/zwgk/xxgkzn/", "政府信息公开指南"),
    ("/zwgk/xxgkml/", "政府信息公开目录"),
    ("/zwgk/xxgknb/", "政府信息公开年报"),
)


def column_path(site: Site, column_id: str, day: int) -> str:
    """A column's directory on `day` (the moved column's changes on REBUILD)."""
    column = site.column(column_id)
    assert column is not None
    return MOVED[1] if column_id == MOVED[0] and day >= REBUILD else column.path


def article_path(site: Site, spec: Spec, day: int = 0) -> str:
    """A document's path on `day` (under its home column, wherever that lives then)."""
    return f"/{column_path(site, spec.column, day)}/{date_of(spec.day):%Y%m}/{spec.key}.html"


def attachment_path(key: str) -> str:
    return f"/uploadfile/{key}"


def listing_path(site: Site, column_id: str, number: int, day: int = 0) -> str:
    path = column_path(site, column_id, day)
    if column_id == QUERY_PAGED:
        return f"/{path}/" + (f"?page={number}" if number > 1 else "")
    return f"/{path}/" + ("index.html" if number == 1 else f"index_{number}.html")


class Generic:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow: /admin/\n", "text/plain")
        if path.startswith("/uploadfile/"):
            return files.response(path.rsplit("/", 1)[-1], path, self.corpus)
        if path in ("/", "/index.html"):
            body = home.render_home(
                self.site, self.corpus, day,
                column_href=lambda c: f"/{column_path(self.site, c.id, day)}/",
                article_href=lambda spec: article_path(self.site, spec, day),
                disclosure=DISCLOSURE, nav=NAV,
            )  # fmt: skip
            return page(body).validated(body.encode(), morning(day))
        moved = self.site.column(MOVED[0])
        old = f"/{moved.path}/" if moved is not None else ""
        if day >= REBUILD and old and path.startswith(old):
            rest = path[len(old) :]
            if rest in ("", "index.html") or rest.startswith("index_"):
                return redirect(f"/{MOVED[1]}/{rest}", 301)
            return not_found(path)
        for column in self.site.columns:
            base = f"/{column_path(self.site, column.id, day)}/"
            if not path.startswith(base):
                continue
            rest = path[len(base) :]
            if column.id == QUERY_PAGED and rest in ("", "index.html"):
                try:
                    number = int(request.arg("page") or 1)
                except ValueError:
                    number = 1
                return self.listing(column.id, number, day)
            if column.id != QUERY_PAGED and rest in ("", "index.html"):
                return self.listing(column.id, 1, day)
            if column.id != QUERY_PAGED and rest.startswith("index_") and rest.endswith(".html"):
                digits = rest[6:-5]
                if digits.isdigit() and int(digits) >= 2:
                    return self.listing(column.id, int(digits), day)
            if rest.endswith(".html") and "/" in rest:
                return self.article(rest.rsplit("/", 1)[1][:-5], path, day)
        return not_found(path)

    def _hot(self, day: int) -> list[tuple[str, str, dt.date]]:
        hot = []
        for col in self.site.columns:
            for spec in self.corpus.listing(self.site.name, col.id, day)[:4]:
                doc = self.corpus.document(spec, day)
                hot.append((article_path(self.site, spec, day), doc.title, date_of(spec.day)))
        return sorted(hot, key=lambda item: item[2], reverse=True)[:6]

    def _menu(self, day: int) -> str:
        return chrome.nav(
            [("/", "首页"), ("/zwgk/", "政务公开"), ("/hdjl/", "互动交流"), ("/bsfw/", "办事服务")]
            + [(f"/{column_path(self.site, c.id, day)}/", c.name) for c in self.site.columns]
        )

    def listing(self, column_id: str, number: int, day: int) -> Response:
        column = self.site.column(column_id)
        assert column is not None
        listed = self.corpus.listing(self.site.name, column_id, day)
        pages = max(math.ceil(len(listed) / ROWS), 1)
        if number > pages:
            return not_found(listing_path(self.site, column_id, number, day))
        chosen = listed[(number - 1) * ROWS : number * ROWS]
        rows = "\n".join(
            f'<div class="list-item"><a href="{article_path(self.site, spec, day)}" target="_blank" '
            f'title="{esc(self.corpus.document(spec, day).title)}">'
            f"{esc(self.corpus.document(spec, day).title)}</a><em>{date_of(spec.day).isoformat()}</em></div>"
            for spec in chosen
        )
        pager = self.pager(column_id, number, pages, day)
        body = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{esc(column.name)}-{esc(self.site.site_name)}</title></head>
<body><div class="header"><h1>{esc(self.site.site_name)}</h1></div>
{self._menu(day)}
{chrome.breadcrumb([("/", "首页"), ("/zwgk/", "政务公开"), (f"/{column_path(self.site, column_id, day)}/", column.name)])}
<div class="main-left">{chrome.hot_box("热点关注", self._hot(day))}</div>
<div class="main-right"><div class="lm-title">{esc(column.name)}</div>
<div class="lm-list">
{rows}
</div>
{pager}
</div>
{chrome.footer(self.site)}</body></html>"""
        return page(body).validated(body.encode(), morning(day))

    def pager(self, column_id: str, number: int, pages: int, day: int) -> str:
        def link(n: int) -> str:
            return listing_path(self.site, column_id, n, day).rsplit("/", 1)[-1] or "./"

        if column_id == QUERY_PAGED:
            numbers = "".join(
                f'<a href="?page={n}"{" class=cur" if n == number else ""}>{n}</a>'
                for n in range(1, pages + 1)
            )
            return (
                f'<div class="pages"><a href="javascript:goPage({max(number - 1, 1)})">上一页</a>'
                f'{numbers}<a href="javascript:goPage({min(number + 1, pages)})">下一页</a>'
                f"<span>共{pages}页</span></div>"
            )
        parts = [f'<a href="{link(1)}">首页</a>']
        if number > 1:
            parts.append(f'<a href="{link(number - 1)}">上一页</a>')
        if number < pages:
            parts.append(f'<a href="{link(number + 1)}">下一页</a>')
        parts.append(f'<a href="{link(pages)}">尾页</a>')
        return f'<div class="pages">{"".join(parts)}<span>第{number}/{pages}页</span></div>'

    def article(self, key: str, path: str, day: int) -> Response:
        spec = self.corpus.spec(self.site.name, key)
        if spec is None or not spec.live(day) or article_path(self.site, spec, day) != path:
            return not_found(path)
        doc = self.corpus.document(spec, day)
        text = render_article(self.site, doc, f"/{column_path(self.site, spec.column, day)}/")
        return page(text).validated(text.encode(), doc.published)


def render_article(site: Site, doc: Doc, column_href: str = "") -> str:
    """An article with its disclosure table, under a breadcrumb to its column (`column_href`)."""
    cells = [("索引号", doc.index_no), ("发布单位", doc.publisher), ("文号", doc.doc_no or ""),
             ("信息分类", doc.category), ("成文日期", doc.written_date.isoformat()),
             ("公开日期", doc.published.date().isoformat()), ("公开方式", doc.disclosure_form or "")]  # fmt: skip
    rows = "\n".join(
        f"  <tr><th>{label}：</th><td>{esc(value)}</td></tr>" for label, value in cells
    )
    body = "\n".join(f"    <p>{esc(line)}</p>" for line in doc.paragraphs)
    links = "\n".join(
        f'    <p><a href="{attachment_path(a.key)}">{esc(a.name)}</a></p>' for a in doc.attachments
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
<meta name="ArticleTitle" content="{esc(doc.title)}">
<meta name="PubDate" content="{doc.published:%Y-%m-%d %H:%M}">
<meta name="ContentSource" content="{esc(doc.source)}">
<title>{esc(doc.title)}-{esc(site.site_name)}</title></head>
<body><div class="header"><h1>{esc(site.site_name)}</h1></div>
{chrome.breadcrumb([("/", "首页"), ("/zwgk/", "政务公开"), (column_href or "./", doc.column_name)])}
<div class="detail">
<table class="info">
{rows}
</table>
<h2 class="detail-title">{esc(doc.title)}</h2>
<div class="detail-content">
{body}
</div>
<div class="detail-files">
{links}
</div>
</div>
{chrome.footer(site)}
</body></html>
"""
