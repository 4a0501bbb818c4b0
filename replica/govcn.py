"""www.gov.cn: the policy search API and content pages (docs/DOMAIN.md §1.4).

- `/search-gov/data?t=zhengcelibrary&q=&p=N&n=M&sort=pubtime…` (sousuo.www.gov.cn on the real
  site): results under `searchVO.catMap.gongwen.listVO[]`; the top-level `totalCount` is always 0,
  the real one is the category's; `pubtimeStr` (YYYY.MM.DD) is null on some rows, leaving `ptime`
  (ms); answers 403 without a Referer, as the real API does to bare clients;
- `/zhengce/content/YYYY-MM/content_NNNNNNN.htm`: content pages, the body in `#UCAP-CONTENT`, the
  metadata table with 索 引 号 / 主题分类 / 发文机关 / 成文日期 / 标　　题 / 发文字号 / 发布日期.
"""

from __future__ import annotations

import json
import re

from replica import chrome, files, home
from replica.content import Doc
from replica.corpus import Corpus, Spec, date_of
from replica.sites import Site
from replica.web import Request, Response, esc, not_found, page

SEARCH = "/search-gov/data"
NAV = (("/", "首页"), ("/yaowen/", "要闻"), ("/zhengce/", "政策"), ("/hudong/", "互动"),
       ("/fuwu/", "服务"), ("/shuju/", "数据"))  # fmt: skip
#: The 政务公开 block of the home page (pages the replica does not serve).
DISCLOSURE = (("/zhengce/xxgk/", "政府信息公开"), ("/zhengce/zhengceku/", "国务院政策文件库"),
              ("/gongbao/", "国务院公报"))  # fmt: skip
_CONTENT = re.compile(r"^/zhengce/content/(\d{4})-(\d{2})/content_(\d+)\.htm$")
_ATTACH = re.compile(
    r"^/zhengce/content/\d{4}-\d{2}/(P\d+_[\w-]+\.(?:pdf|docx?|wps|xlsx?|ofd|zip))$"
)


def article_path(spec: Spec) -> str:
    return f"/zhengce/content/{date_of(spec.day):%Y-%m}/content_{spec.key}.htm"


def attachment_name(spec: Spec, key: str) -> str:
    return files.dated_name(date_of(spec.day), spec.key, key)


def attachment_path(spec: Spec, key: str) -> str:
    return article_path(spec).rsplit("/", 1)[0] + "/" + attachment_name(spec, key)


class GovCn:
    def __init__(self, site: Site, corpus: Corpus) -> None:
        self.site, self.corpus = site, corpus

    def handle(self, request: Request, day: int) -> Response:
        path = request.path
        if path == "/robots.txt":
            return Response(200, b"User-agent: *\nDisallow: /guoqing/tmp/\n", "text/plain")
        if path == SEARCH:
            return self.search(request, day)
        if path in ("/", "/index.htm", "/index.html"):
            body = home.render_home(
                self.site, self.corpus, day, column_href=lambda c: "/zhengce/zhengceku/",
                article_href=article_path, disclosure=DISCLOSURE, nav=NAV,
            )  # fmt: skip
            return page(body)
        match = _CONTENT.match(path)
        if match:
            return self.content(match, day)
        match = _ATTACH.match(path)
        if match:
            return files.response(match.group(1), path, self.corpus)
        return not_found(path)

    def search(self, request: Request, day: int) -> Response:
        if not request.headers.get("referer"):
            return Response(403, json.dumps({"code": 403, "msg": "非法请求"}, ensure_ascii=False).encode(),
                            "application/json;charset=UTF-8")  # fmt: skip
        try:
            number = max(int(request.arg("p") or 1), 1)
            size = min(max(int(request.arg("n") or 5), 1), 100)
        except ValueError:
            return Response(200, b'{"code":1001,"msg":"parameter error"}', "application/json")
        listed = self.corpus.listing(self.site.name, "gongwen", day)
        rows = []
        for spec in listed[(number - 1) * size : number * size]:
            doc = self.corpus.document(spec, day)
            published = doc.published
            rows.append({
                "title": doc.title,
                "url": self.site.origin + article_path(spec),
                "pcode": doc.doc_no or "",
                "puborg": doc.publisher,
                "pubtimeStr": None if int(spec.key) % 5 == 0 else f"{published:%Y.%m.%d}",
                "ptime": int(published.timestamp() * 1000),
                "index": doc.index_no,
                "childtype": doc.category,
                "summary": doc.paragraphs[1][:60] if len(doc.paragraphs) > 1 else "",
            })  # fmt: skip
        answer = {
            "code": 200,
            "msg": "操作成功",
            "searchVO": {
                "totalCount": 0,
                "catMap": {"gongwen": {"listVO": rows, "totalCount": len(listed)}},
            },
        }
        return Response(
            200, json.dumps(answer, ensure_ascii=False).encode(), "application/json;charset=UTF-8"
        )

    def content(self, match: re.Match[str], day: int) -> Response:
        spec = self.corpus.spec(self.site.name, match.group(3))
        if spec is None or not spec.live(day) or article_path(spec) != match.group(0):
            return not_found(match.group(0))
        doc = self.corpus.document(spec, day)
        text = render_content(self.site, spec, doc)
        return page(text).validated(text.encode(), doc.published)


def render_content(site: Site, spec: Spec, doc: Doc) -> str:
    written = f"{doc.written_date:%Y年%m月%d日}"
    published = f"{doc.published:%Y年%m月%d日}"
    body = "\n".join(f"    <p>{esc(line)}</p>" for line in doc.paragraphs)
    links = "".join(
        f'<p><a href="{attachment_name(spec, a.key)}" target="_blank">{esc(a.name)}</a></p>'
        for a in doc.attachments
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{esc(doc.title)}_{esc(doc.column_name)}_{esc(site.site_name)}</title>
<meta name="firstpublishedtime" content="{doc.published:%Y-%m-%d-%H:%M:%S}">
<meta name="SiteName" content="{esc(site.site_name)}">
<meta name="SiteDomain" content="www.gov.cn">
<meta name="SiteIDCode" content="{site.site_id_code}">
<meta name="ColumnName" content="{esc(doc.column_name)}">
</head>
<body>
<div class="header"><div class="nav"><a href="/">首页</a> | <a href="/zhengce/">政策</a></div></div>
<div class="policyLibraryOverview_header">
<table border="0" cellspacing="1" cellpadding="0" class="bd1"><tbody>
  <tr><td><b>索&nbsp;&nbsp;引&nbsp;&nbsp;号：</b></td><td>{esc(doc.index_no)}</td><td><b>主题分类：</b></td><td>{esc(doc.category)}</td></tr>
  <tr><td><b>发文机关：</b></td><td>{esc(doc.publisher)}</td><td><b>成文日期：</b></td><td>{written}</td></tr>
  <tr><td><b>标　　题：</b></td><td colspan="3">{esc(doc.title)}</td></tr>
  <tr><td><b>发文字号：</b></td><td>{esc(doc.doc_no or "")}</td><td><b>发布日期：</b></td><td>{published}</td></tr>
  <tr><td><b>主&nbsp;&nbsp;题&nbsp;&nbsp;词：</b></td><td colspan="3"></td></tr>
</tbody></table>
</div>
<div class="article oneColumn pub_border">
  <div class="pages-date">{doc.published:%Y-%m-%d %H:%M} <span class="font">来源： {esc(doc.source)}</span></div>
  <div class="pages_content" id="UCAP-CONTENT">
{body}
  </div>
  <div class="attachment">{links}</div>
  {chrome.share()}
</div>
<div class="footer"><p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p><p>网站标识码{site.site_id_code}　京ICP备05070218号</p></div>
</body>
</html>
"""
