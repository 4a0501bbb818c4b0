"""Faults: opt-in, seeded, per site and path; each one as the real portals do it."""

from __future__ import annotations

import pytest

from replica.faults import Faults, FaultSpecError, parse, respond
from replica.web import Request

BOT = {"user-agent": "govwatch/0.1"}
BROWSER = {"user-agent": "Mozilla/5.0"}


def _request(path: str = "/art/x.html", **headers: str) -> Request:
    return Request("GET", path, {}, {}, headers or dict(BOT))


def test_parse_spec() -> None:
    rules = parse("hangzhou-jxj:/art/*=503@0.2,reset@0.05;*dataproxy*=empty-proxy;*:/x=slow:1.5")
    assert [(r.site, r.glob) for r in rules] == [
        ("hangzhou-jxj", "/art/*"),
        ("*", "*dataproxy*"),
        ("*", "/x"),
    ]
    assert [(f.name, f.rate) for f in rules[0].faults] == [("503", 0.2), ("reset", 0.05)]
    assert rules[2].faults[0].seconds == 1.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [("/art/*", "FAULT"), ("/art/*=boom", "unknown fault 'boom'"), ("/art/*=503@x", "numbers"),
     ("/art/*=503@2", "between 0 and 1")],
)  # fmt: skip
def test_bad_specs_name_the_part(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse(spec)


def test_deterministic_for_a_seed_and_transient() -> None:
    def fates(seed: int) -> list[str | None]:
        faults = Faults(parse("*=503@0.5"), seed)
        return [getattr(faults.decide("hubei-jxt", _request()), "name", None) for _ in range(40)]

    assert fates(3) == fates(3)
    assert fates(3) != fates(4)
    assert "503" in fates(3) and None in fates(3)


def test_site_and_path_scope() -> None:
    faults = Faults(parse("hangzhou-jxj:/art/*=418"))
    assert faults.decide("hangzhou-jxj", _request("/art/a.html")) is not None
    assert faults.decide("hubei-jxt", _request("/art/a.html")) is None
    assert faults.decide("hangzhou-jxj", _request("/col/a.html")) is None


def test_block_pages() -> None:
    faults = Faults(parse("*=412;/b=418;/c=illegal;/d=503;/e=429"))
    ts = respond(faults.decide("s", _request("/a")), _request("/a"))  # type: ignore[arg-type]
    assert ts is not None and ts.status == 412 and b"$_ts" in ts.body
    jsl = respond(Faults(parse("*=418")).decide("s", _request()), _request())  # type: ignore[arg-type]
    assert jsl is not None and jsl.status == 418 and "访问被拦截" in jsl.body.decode()
    busy = respond(Faults(parse("*=503")).decide("s", _request()), _request())  # type: ignore[arg-type]
    assert busy is not None and busy.status == 503 and busy.headers["Retry-After"] == "1"


def test_illegal_unless_the_session_cookie() -> None:
    faults = Faults(parse("*=illegal"))
    fault = faults.decide("s", _request())
    assert fault is not None
    page = respond(fault, _request())
    assert page is not None and page.status == 200 and "非法请求" in page.body.decode()
    cookie = page.headers["Set-Cookie"].split(";")[0]
    assert faults.decide("s", _request(cookie=cookie, **BOT)) is None


def test_empty_proxy_only_for_bots_on_dataproxy() -> None:
    faults = Faults(parse("*=empty-proxy"))
    assert faults.decide("s", _request("/module/jpage/dataproxy.jsp")) is not None
    assert faults.decide("s", _request("/module/jpage/dataproxy.jsp", **BROWSER)) is None
    assert faults.decide("s", _request("/col/col1/index.html")) is None
    answer = respond(faults.decide("s", _request("/module/jpage/dataproxy.jsp")), _request())  # type: ignore[arg-type]
    assert answer is not None and answer.body == b""


def test_oversize_and_redirect_loop() -> None:
    big = respond(Faults(parse("*=oversize")).decide("s", _request()), _request())  # type: ignore[arg-type]
    assert big is not None and len(big.body) > 20 * 1024 * 1024
    loop = respond(Faults(parse("*=redirect-loop")).decide("s", _request("/a")), _request("/a"))  # type: ignore[arg-type]
    assert loop is not None and loop.status == 302 and loop.headers["Location"] == "/a"


@pytest.mark.parametrize(
    ("name", "status", "kind"),
    [("shield", 200, "blocked"), ("captcha", 200, "blocked"), ("cookie-shell", 200, "blocked"),
     ("acw", 200, "blocked"), ("jsl", 521, "blocked"), ("soft-404", 200, "soft-404"),
     ("app-shell", 200, "app-shell"), ("wrong-page", 200, "wrong-page"),
     ("stub-away", 200, "redirect"), ("stub-loop", 200, "redirect")],
)  # fmt: skip
def test_stand_ins_look_like_the_real_ones(name: str, status: int, kind: str) -> None:
    from crawler.listings.answers import read_answer

    path = "/art/2023/11/3/art_1229265378_4216448.html"
    page = respond(Faults(parse(f"*={name}")).decide("s", _request(path)), _request(path))  # type: ignore[arg-type]
    assert page is not None and page.status == status
    answer = read_answer(page.status, page.body, "http://jxj.example" + path, document=True)
    assert answer.kind == kind, answer


def test_a_loop_stub_sends_back_and_forth() -> None:
    faults = Faults(parse("*=stub-loop"))
    there = respond(faults.decide("s", _request("/a.html")), _request("/a.html"))  # type: ignore[arg-type]
    back_request = Request("GET", "/a.html", {}, {}, {**BOT, "x-query": "from=stub"})
    back = respond(faults.decide("s", back_request), back_request)  # type: ignore[arg-type]
    assert there is not None and back is not None
    assert b'"/a.html?from=stub"' in there.body and b'"/a.html"' in back.body
