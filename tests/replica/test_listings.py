"""Paging arithmetic: every listed document reachable exactly once through each mechanism."""

from __future__ import annotations

import json
import math
import re

import pytest
from replica_helpers import get, post

from replica.app import Replica, article_path
from replica.sites import SITES_BY_NAME

HREF = re.compile(r"""href=["']([^"']+\.(?:html|shtml|htm))["']""")
DAY = 1425


def expected(replica: Replica, site: str, column: str) -> list[str]:
    spec_site = SITES_BY_NAME[site]
    return [article_path(spec_site, spec) for spec in replica.corpus.listing(site, column, DAY)]


def document_list(page: str) -> str:
    """The replica's own document list on a TRS page (menus, sidebars, copies left out)."""
    found = re.search(r'<ul class="xxgk_rul">(.*?)</ul>', page, re.S)
    # The row pinned at the top links the province's portal, not this site.
    return re.sub(r'<li class="top">.*?</li>', "", found.group(1), flags=re.S) if found else ""


def _hanweb_key(href: str) -> str:
    return href.rsplit("_", 1)[1].split(".")[0]


@pytest.mark.parametrize("column", ["1229265378", "1229265379", "1229125421", "1229125434"])
def test_hanweb_dataproxy_post_groups(replica: Replica, column: str) -> None:
    page = get(replica, "hangzhou-jxj", f"/col/col{column}/index.html").body.decode()
    total = int(re.search(r"totalRecord:\s*(\d+)", page).group(1))  # type: ignore[union-attr]
    inline = HREF.findall(page.split('type="text/xml"')[1].split("</script>")[0])
    assert len(inline) == min(45, total)
    form = f"col=1&appid=1&webid=3244&path=/&columnid={column}&sourceContentType=1&unitid=7061451&permissiontype=0"
    seen: list[str] = []
    for start in range(1, total + 1, 45):
        query = f"startrecord={start}&endrecord={start + 44}&perpage=15"
        xml = post(
            replica, "hangzhou-jxj", "/module/jpage/dataproxy.jsp", query, form
        ).body.decode()
        assert f"<totalrecord>{total}</totalrecord>" in xml
        assert f"<totalpage>{math.ceil(total / 15)}</totalpage>" in xml
        assert (
            f"page={(start + 44) // 15 + 1}&"
            in xml.split("<nextgroup>")[1].split("</nextgroup>")[0]
        )
        seen += HREF.findall(xml)
    assert seen[:45] == inline
    assert [_hanweb_key(h) for h in seen] == [
        _hanweb_key(p) for p in expected(replica, "hangzhou-jxj", column)
    ]
    assert len(set(seen)) == len(seen) == total


def test_hanweb_dataproxy_get_pages(replica: Replica) -> None:
    column = "1229265378"
    want = [_hanweb_key(p) for p in expected(replica, "hangzhou-jxj", column)]
    seen: list[str] = []
    page = 1
    while True:
        query = f"page={page}&appid=1&webid=3244&columnid={column}&unitid=7061451"
        xml = get(replica, "hangzhou-jxj", "/module/web/jpage/dataproxy.jsp", query).body.decode()
        found = HREF.findall(xml)
        if not found:
            break
        seen += found
        page = int(re.search(r"page=(\d+)&", xml).group(1))  # type: ignore[union-attr]
    assert [_hanweb_key(h) for h in seen] == want


def test_hanweb_rejects_a_wrong_webid(replica: Replica) -> None:
    answer = post(replica, "hangzhou-jxj", "/module/jpage/dataproxy.jsp", "startrecord=1&endrecord=45",
                  "webid=9999&columnid=1229265378")  # fmt: skip
    assert "非法请求" in answer.body.decode()


@pytest.mark.parametrize("mechanism", ["rows", "paramJson"])
@pytest.mark.parametrize("column", ["1229063389", "1229063401"])
def test_jpaas_listing(replica: Replica, mechanism: str, column: str) -> None:
    page = get(replica, "hangzhou-gov", f"/col/col{column}/index.html").body.decode()
    total = int(re.search(r'count="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert "queryData=\"{'webId':'149'" in page and "LWYUCb5AkzKrVm7WODRpT" in page
    seen: list[str] = []
    for number in range(1, math.ceil(total / 15) + 1):
        base = f"webId=149&pageId={column}&parseType=bulidstatic&pageType=column&tagId=信息列表&tplSetId=LWYUCb5AkzKrVm7WODRpT"
        paging = (
            f"rows=15&pageNo={number}"
            if mechanism == "rows"
            else f'paramJson={{"pageNo":{number},"pageSize":15}}'
        )
        answer = json.loads(get(replica, "hangzhou-gov", "/api-gateway/jpaas-publish-server/front/page/build/unit",
                                f"{base}&{paging}").body)  # fmt: skip
        assert answer["success"] is True
        seen += HREF.findall(answer["data"]["html"].split('<div class="page">')[0])
    assert seen == expected(replica, "hangzhou-gov", column)


@pytest.mark.parametrize("column", ["rddbjy", "zxwyta", "gzdt"])
def test_trs_static_pages(replica: Replica, column: str) -> None:
    section = SITES_BY_NAME["hubei-jxt"].column(column).path  # type: ignore[union-attr]
    first = get(replica, "hubei-jxt", f"/{section}/index.html")
    assert first.content_type.endswith("charset=gbk")
    text = first.body.decode("gbk")
    # (pages, 0, …) or, on one column, (records, pages, 0, …) as some TRS templates write it.
    call = re.search(r'createPageHTML\((?:(\d+), )?(\d+), 0, "index", "html"\)', text)
    pages = int(call.group(2))  # type: ignore[union-attr]
    seen = HREF.findall(document_list(text))
    for number in range(1, pages):
        seen += HREF.findall(
            document_list(
                get(replica, "hubei-jxt", f"/{section}/index_{number}.html").body.decode("gbk")
            )
        )
    assert get(replica, "hubei-jxt", f"/{section}/index_{pages}.html").status == 404
    absolute = [f"/{section}" + h[1:] if h.startswith("./") else h for h in seen]
    assert absolute == expected(replica, "hubei-jxt", column)


def test_govcn_search(replica: Replica) -> None:
    seen: list[str] = []
    number = 1
    while True:
        answer = json.loads(get(replica, "govcn", "/search-gov/data", f"t=zhengcelibrary&q=&p={number}&n=20&sort=pubtime",
                                referer="https://www.gov.cn/").body)  # fmt: skip
        assert answer["searchVO"]["totalCount"] == 0
        category = answer["searchVO"]["catMap"]["gongwen"]
        if not category["listVO"]:
            break
        for row in category["listVO"]:
            assert row["pubtimeStr"] is None or re.fullmatch(
                r"\d{4}\.\d{2}\.\d{2}", row["pubtimeStr"]
            )
            assert isinstance(row["ptime"], int)
        seen += [row["url"].removeprefix("https://www.gov.cn") for row in category["listVO"]]
        number += 1
    assert seen == expected(replica, "govcn", "gongwen")
    assert category["totalCount"] == len(seen)


def test_govcn_search_wants_a_referer(replica: Replica) -> None:
    assert get(replica, "govcn", "/search-gov/data", "p=1&n=5").status == 403
