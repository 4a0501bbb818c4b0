"""The replica's pages are as messy as the real ones, and the parsers still read them right."""

from __future__ import annotations

import math
import re

from replica_helpers import get

from crawler.listings import hanweb, trs
from crawler.listings.answers import read_answer
from replica.app import Replica, article_path
from replica.sites import SITES_BY_NAME
from replica.trs import PINNED

DAY = 1425
HUBEI = SITES_BY_NAME["hubei-jxt"]
ORIGIN = "http://jxt.hubei.gov.cn"


def test_a_column_index_that_is_only_a_js_redirect(replica: Replica) -> None:
    stub = get(replica, "hubei-jxt", "/fbjd/xxgkml/gzdt/index.html")
    assert stub.status == 200 and len(stub.body) < 200 and b"<html" not in stub.body.lower()
    answer = read_answer(200, stub.body, ORIGIN + "/fbjd/xxgkml/gzdt/index.html")
    assert (answer.kind, answer.target) == ("redirect", ORIGIN + "/fbjd/xxgkml/gzdt/gzyw/")
    assert get(replica, "hubei-jxt", "/fbjd/xxgkml/gzdt/gzyw/").status == 200


def test_trs_pages_carry_chrome_the_parser_leaves_out(replica: Replica) -> None:
    for column in HUBEI.columns:
        listed = replica.corpus.listing("hubei-jxt", column.id, DAY)
        section = f"{ORIGIN}/{column.path}/"
        seen, url, signature = [], trs.page_url(section, 0), None
        while url:
            path = url[len(ORIGIN) :]
            body = get(replica, "hubei-jxt", path).body
            listing = trs.parse_index(body, url, "gbk", prefer=signature)
            signature = signature or listing.signature
            if not listing.entries:
                # The page the paging call counts beyond the last: a broken ~300-byte stub.
                assert len(body) < 400 and read_answer(200, body, url).kind == "blank"
                break
            assert body.count(b"<a ") > len(listing.entries) + 30  # chrome all round
            own = [e for e in listing.entries if e.url.startswith(ORIGIN + "/")]
            # The first page's pinned row links the province's portal: an entry of no document here.
            assert [e.url for e in listing.entries if e not in own] == (
                [PINNED] if not seen else []
            )
            seen += [entry.url[len(ORIGIN) :] for entry in own]
            url = listing.next_page or ""
        assert seen == [article_path(HUBEI, spec) for spec in listed], column.id
        pages = math.ceil(len(listed) / 20)
        if pages >= 3:  # deep listings count one page more than they have
            assert get(replica, "hubei-jxt", f"/{column.path}/index_{pages}.html").status == 200


def test_list_dates_differ_from_url_dates_for_some_entries(replica: Replica) -> None:
    column = HUBEI.columns[0]
    body = get(replica, "hubei-jxt", f"/{column.path}/index.html").body
    entries = trs.parse_index(body, f"{ORIGIN}/{column.path}/index.html", "gbk").entries
    differ = [e for e in entries if e.date and e.date.replace("-", "") not in e.url]
    assert 0 < len(differ) < len(entries)


def test_a_withdrawn_trs_document_sends_readers_to_its_section() -> None:
    replica = Replica(docs=150, day=400, seed=1)
    spec = next(s for s in replica.corpus.specs["hubei-jxt"] if s.withdraw_day)
    path = article_path(HUBEI, spec)
    replica.day = spec.withdraw_day or 0
    answer = read_answer(200, get(replica, "hubei-jxt", path).body, ORIGIN + path, document=True)
    assert answer.kind == "redirect" and answer.target == ORIGIN + path.rsplit("/", 2)[0] + "/"
    replica.day = spec.day - 1
    assert get(replica, "hubei-jxt", path).status == 404  # not yet published


def test_hanweb_column_pages_hold_hot_documents_beside_the_datastore(replica: Replica) -> None:
    url = "http://jxj.hangzhou.gov.cn/col/col1229265378/index.html"
    page = get(replica, "hangzhou-jxj", "/col/col1229265378/index.html").body.decode()
    outside = page.split("</script></div>")[-1]  # after the datastore and the jpage block
    hot = re.findall(r'href="(/art/[^"]+)"', outside)
    assert len(hot) >= 4  # article links in a sidebar, which a listing must not take
    column = hanweb.parse_column_page(page, url)
    keys = [spec.key for spec in replica.corpus.listing("hangzhou-jxj", "1229265378", DAY)][:45]
    assert [e.url.rsplit("_", 1)[1].split(".")[0] for e in column.entries] == keys
