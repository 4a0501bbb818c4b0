"""`onboard.discover`: what a pasted page points to is read in turn — a home page's reply
columns (or, without any, those its disclosure catalogue links), an article's column — over a
stand-in for the network (a dict of pages)."""

from __future__ import annotations

import urllib.error
from email.message import Message

import pytest

from crawler.portals.onboard import Blocked, Fetcher, discover

ORIGIN = "http://jxj.example.gov.cn"


def hanweb_column(column: str, name: str, unitid: str) -> str:
    return f"""<html><head><title>{name}_示例市经信局</title><meta name="SiteName" content="示例市经信局">
    <meta name="ColumnName" content="{name}"></head><body><script type="text/xml"><datastore>
    </datastore></script><script>$('#{column}').jpage({{proxyUrl:'/module/jpage/dataproxy.jsp',
    ajaxParam: {{webid: '12', unitid: '{unitid}', columnid: '{column}'}}}});</script></body></html>"""


class Pages:
    """`get` over a dict: URL → page; anything else is a 404."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages, self.asked = pages, []

    def __call__(
        self, url: str, headers: dict[str, str] | None = None, data: bytes | None = None
    ) -> tuple[bytes, str | None]:
        self.asked.append(url)
        if url not in self.pages:
            raise urllib.error.HTTPError(url, 404, "Not Found", Message(), None)
        return self.pages[url].encode(), "utf-8"


def test_reply_columns_of_a_home_page_each_with_its_own_unitid() -> None:
    home = """<html><head><title>示例市经信局</title></head><body>
    <a href="/col/col1/index.html">政务公开</a><a href="/col/col2/index.html">政府信息公开年报</a>
    <a href="/col/col31/index.html">人大代表建议</a><a href="/col/col32/index.html">政协委员提案</a>
    </body></html>"""
    get = Pages({
        ORIGIN + "/": home,
        ORIGIN + "/col/col31/index.html": hanweb_column("31", "人大代表建议", "501"),
        ORIGIN + "/col/col32/index.html": hanweb_column("32", "政协委员提案", "502"),
    })  # fmt: skip
    found = discover(ORIGIN + "/", get)
    assert (found.kind, found.family, found.site_name) == ("home", "hanweb", "示例市经信局")
    assert found.columns == [
        {"id": "31", "name": "人大代表建议"},
        {"id": "32", "name": "政协委员提案"},
    ]
    # Hanweb's unitid is each column's: left for the spider to read off each column's page.
    assert found.params == {"webid": "12", "proxy": "/module/jpage/dataproxy.jsp"}
    assert [lead.name for lead in found.others] == ["政务公开", "政府信息公开年报"]
    # Only the reply columns were read: the rest are shown, not fetched.
    assert get.asked == [ORIGIN + "/", ORIGIN + "/col/col31/index.html",
                         ORIGIN + "/col/col32/index.html"]  # fmt: skip


def test_without_reply_columns_the_disclosure_catalogue_is_searched_for_them() -> None:
    home = '<html><body><a href="/zwgk/">政府信息公开</a><a href="/zwgk/zn/">信息公开指南</a></body></html>'
    catalogue = """<html><body><ul class="menu"><li><a href="/zwgk/jyta/">建议提案办理</a></li>
    </ul></body></html>"""
    listing = """<html><head><title>建议提案办理-示例县</title></head><body><ul>""" + "".join(
        f'<li><a href="/zwgk/jyta/2024{m:02d}/a{m}.html">关于第{m}号建议的答复</a><span>2024-{m:02d}-01</span></li>'
        for m in range(1, 10)
    ) + "</ul></body></html>"  # fmt: skip
    get = Pages({ORIGIN + "/": home, ORIGIN + "/zwgk/": catalogue, ORIGIN + "/zwgk/jyta/": listing})
    found = discover(ORIGIN + "/", get)
    assert (found.family, [c["path"] for c in found.columns]) == ("generic", ["zwgk/jyta/"])
    assert any("政府信息公开 links 1 reply columns" in line for line in found.seen)


def test_an_article_whose_column_does_not_read_keeps_what_its_url_says() -> None:
    article = ORIGIN + "/xxgk/jyta/202401/t20240105_77.html"
    get = Pages({article: '<html><head><meta name="ColumnName" content="建议提案"></head></html>'})
    found = discover(article, get)
    assert (found.kind, found.family) == ("article", "trs")
    assert found.columns == [{"id": "jyta", "name": "建议提案", "path": "xxgk/jyta"}]
    assert found.leads[0].reply and found.seen[-1].endswith(": Not Found")


def test_a_block_no_browser_passes_is_said_with_its_remedy(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = Fetcher(browser=lambda: pytest.fail("a captcha is no script challenge"))
    page = "<html><body><p>请输入验证码</p><input name='code'></body></html>".encode()
    monkeypatch.setattr(fetcher, "_plain", lambda url, headers, data: (200, page, "utf-8"))
    with pytest.raises(Blocked, match=r"验证码.*captcha"):
        fetcher(ORIGIN + "/col/col1/index.html")
