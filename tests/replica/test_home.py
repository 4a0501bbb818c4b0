"""Every replica site's `/` is a portal's home page (issue 24: it was a 404, where a real portal
links its disclosure columns from its home page) in its family's URL shapes and encoding."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from replica_helpers import get

from crawler.extract.decode import decode_html
from crawler.extract.text import to_simplified
from crawler.portals.discover import metas
from replica import generic
from replica.app import Replica
from replica.home import is_reply_column
from replica.sites import SITES, SITES_BY_NAME, Site


def generic_site() -> Site:
    return SITES_BY_NAME["county-demo"]


#: How each family links a column from its home page.
SHAPES = {
    "hanweb": lambda c: f"/col/col{c.id}/index.html",
    "jpaas": lambda c: f"/col/col{c.id}/index.html",
    "trs": lambda c: f"/{c.path}/",
    "gkmlpt": lambda c: f"/gkmlpt/index#{c.id}",
    # The replica's day is after the county site's rebuild, which moved a column.
    "generic": lambda c: f"/{generic.column_path(generic_site(), c.id, 1425)}/",
    "govcn": lambda c: "/zhengce/zhengceku/",
}


def _links(text: str, base: str) -> dict[str, str]:
    """href (resolved against `base`) → link text, of every link on the page."""
    found = re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', text, re.S)
    return {urljoin(base, href): re.sub(r"<[^>]+>", "", name) for href, name in found}


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.name)
def test_each_site_has_a_home_page_linking_its_columns(replica: Replica, site: Site) -> None:
    answer = get(replica, site.name, "/")
    assert answer.status == 200
    charset = answer.content_type.partition("charset=")[2] or None
    text = decode_html(answer.body, charset).text
    assert charset == ("gbk" if site.family == "trs" else "utf-8")
    assert to_simplified(metas(text)["sitename"]) == site.site_name
    links = _links(text, "http://portal/")
    for column in site.columns:
        href = "http://portal" + SHAPES[site.family](column)
        assert href in links, (site.name, column.id)
    # A block of disclosure links beside the columns, and the newest documents with dates.
    assert "政务公开" in to_simplified(text) and re.search(r"<span>20\d\d-\d\d-\d\d</span>", text)
    replies = [c for c in site.columns if is_reply_column(c)]
    if replies:
        assert "建议提案办理" in to_simplified(text)
    if site.script == "zh-Hant":
        assert "政務公開" in text


def test_the_home_page_links_live_articles(replica: Replica) -> None:
    site = next(s for s in SITES if s.family == "trs")
    text = get(replica, site.name, "/index.shtml").body.decode("gbk")
    articles = [href for href in _links(text, "http://portal/") if re.search(r"/t\d{8}_", href)]
    assert articles
    for href in articles:
        assert get(replica, site.name, href.removeprefix("http://portal")).status == 200
