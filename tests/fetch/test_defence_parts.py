"""The pure parts of passing defences: which blocks a browser passes and what to do about the
rest, the replica's challenges (only a computed, live cookie passes), legacy handshake errors,
cookies between Python's jar and the browser, profile keys."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from saved_pages import ROOT

from crawler.cookies import from_cookie, to_cookie
from crawler.fetch.browser import find_chromium
from crawler.fetch.tls import legacy_handshake
from crawler.listings.blocked import blocked_reason, remedy, solvable
from crawler.portals.profiles import ProfileError, load_profile
from replica.faults import CHALLENGES, Faults, parse, work
from replica.web import Request


@pytest.mark.parametrize(
    ("status", "body", "passable"),
    [(412, b"<script>$_ts=window['$_ts'];</script>", True),
     (521, b"<script>document.cookie=('_')+('_')+('jsl_clearance')+('=')+x</script>", True),
     (200, b"<html><script>document.cookie='C3VK='+v;location.reload()</script></html>", True),
     (200, "<html><body><h3>访问验证</h3><p>请输入验证码</p></body></html>".encode(), False),
     (403, b"<html><body>Access denied. Code: GeoBL.</body></html>", False)],
)  # fmt: skip
def test_which_blocks_a_browser_passes(status: int, body: bytes, passable: bool) -> None:
    reason = blocked_reason(status, body)
    assert reason is not None
    assert solvable(reason) is passable
    assert ("Chromium" in remedy(reason)) is passable


def test_remedies_say_the_likely_cause() -> None:
    assert "inside China" in remedy("HTTP 403: geo-block (GeoBL)")
    assert "captcha" in remedy("verification page (请输入验证码)")
    assert remedy("HTTP 418: anti-bot block")  # something to say about any block
    assert blocked_reason(403, b"<p>Forbidden</p>") is None  # a plain 403 is no geo-block


def _request(cookie: str = "") -> Request:
    return Request("GET", "/col/a.html", {}, {}, {"cookie": cookie} if cookie else {})


@pytest.mark.parametrize("name", sorted(CHALLENGES))
def test_only_a_computed_live_cookie_passes(name: str) -> None:
    faults = Faults(parse(f"*={name}:0.5"))
    fault = faults.decide("s", _request())
    assert fault is not None
    page = faults.respond(fault, _request())
    assert page is not None and blocked_reason(page.status, page.body) is not None
    nonce = next(n for n in faults.lifetimes)  # its lifetime starts at its first use
    assert nonce.encode() in page.body and work(nonce).encode() not in page.body
    cookie = CHALLENGES[name].cookie
    assert faults.decide("s", _request(f"{cookie}={nonce}.{work(nonce)}")) is None
    assert faults.decide("s", _request(f"{cookie}={nonce}.{work(nonce + 'x')}")) is not None
    assert faults.decide("s", _request(f"{cookie}=deadbeef.{work('deadbeef')}")) is not None
    time.sleep(0.6)  # the cookie's lifetime is over
    assert faults.decide("s", _request(f"{cookie}={nonce}.{work(nonce)}")) is not None


def test_legacy_handshake_errors_are_known() -> None:
    never = Exception("handshake")
    never.reasons = [Exception("[('SSL routines', '', 'unsafe legacy renegotiation disabled')]")]  # type: ignore[attr-defined]
    assert legacy_handshake(never) == "unsafe legacy renegotiation"
    assert legacy_handshake(Exception("SSL routines: dh key too small")) == "dh key too small"
    assert legacy_handshake(Exception("Connection refused")) is None
    assert legacy_handshake(Exception("SSL: certificate verify failed")) is None


def test_cookies_go_between_jar_and_browser() -> None:
    data = {"name": "acw_sc__v2", "value": "ab.cd", "domain": ".gov.cn", "path": "/",
            "expires": float(int(time.time()) + 60), "httpOnly": True, "secure": False}  # fmt: skip
    assert from_cookie(to_cookie(data)) == data
    session = to_cookie({"name": "JSESSIONID", "value": "x", "domain": "a.gov.cn", "expires": -1})
    assert session.discard and from_cookie(session)["expires"] == -1


def test_a_browser_can_be_turned_off_or_named() -> None:
    assert find_chromium("off") is None
    assert find_chromium("/nonexistent/chromium") is None


def test_render_and_tls_keys(tmp_path: Path) -> None:
    text = (ROOT / "crawler" / "portals" / "shipped" / "hubei-jxt.yaml").read_text(encoding="utf-8")
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    good = tmp_path / "good" / "hubei-jxt.yaml"
    good.write_text(text + "render: browser\ntls: legacy\n", encoding="utf-8")
    profile = load_profile(good)
    assert (profile.render, profile.tls) == ("browser", "legacy")
    bad = tmp_path / "bad" / "hubei-jxt.yaml"
    bad.write_text(text + "tls: insecure\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="field 'tls': 'insecure' is not one of default, legacy"):
        load_profile(bad)
