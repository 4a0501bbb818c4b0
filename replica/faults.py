"""Opt-in, seeded faults: what real portals do to crawlers, on purpose and by accident.

SPEC is `RULE[;RULE…]`, RULE is `[SITE:]PATH-GLOB=FAULT[@RATE][,FAULT[@RATE]…]`:
- SITE a portal name or `*` (default `*`); PATH-GLOB matches the path (`/art/*`, `*dataproxy*`);
- RATE a probability from 0 to 1 (default 1);
- FAULT one of:
    500 502 503 429   that status (503 and 429 with `Retry-After: 1`)
    slow[:SECONDS]    answer after SECONDS (default 3)
    reset             close the connection without an answer
    truncate          send half the body, then close
    412               瑞数-style challenge: HTTP 412 with a `$_ts` script
    418               创宇盾/加速乐 block page: HTTP 418 "访问被拦截" with `__jsl_clearance`
    js-render         the page, written into the document by a script (only a browser shows it)
    geo               a geo-block: HTTP 403 "GeoBL" to addresses outside mainland China
    cookie-302        an openresty WAF: 302 to the same URL setting a cookie the next request
                      must carry
    tls-legacy        the site (its whole port) served over TLS 1.0 with a weak key exchange
                      and a self-signed certificate, as old portals are (SITE only, not the first)
    illegal           HTTP 200 "非法请求" page unless the request carries the session cookie
                      (the page sets it)
    empty-proxy       an empty body from dataproxy.jsp to user agents that are not browsers
    oversize          a body larger than any sane page (24 MiB)
    redirect-loop     302 back to the same URL
  and the answers real portals give with HTTP 200 in place of a page (docs/DOMAIN.md §6):
    shield            the "Virtual Container Shield" shell (an empty body and one script)
    captcha           a 访问验证 page asking 请输入验证码
    cookie-shell      a ~380-byte page setting a C3VK= cookie and reloading
    acw               Alibaba WAF's acw_sc__v2 script page
    jsl               加速乐's __jsl_clearance script, with HTTP 521 as it really comes
    soft-404          "您访问的页面不存在或已删除" in full site chrome
    app-shell         a single-page app's empty shell
    wrong-page        the portal's home page, answered for the URL asked
    stub-away         a meta-refresh stub to another site
    stub-loop         a JS redirect stub to a page that redirects back
The challenges (412, 418, shield, cookie-shell, acw, jsl) are real: their script computes a
cookie from a nonce drawn for that answer, and only a request carrying a computed cookie that is
still alive passes (a plain client never does; a browser does, once per cookie lifetime).
`412:5x` makes the cookie pass five requests and then die.
`412:SECONDS` sets the lifetime (default: an hour; C3VK's five minutes), counted from the
cookie's first use; the browser is told to keep it a minute longer, as WAFs expire tokens on
their side while the cookie lingers (so a short lifetime tests the crawler, not how fast a busy
machine runs the browser).
Example: `hangzhou-jxj:/art/*=503@0.2,reset@0.05;*:*dataproxy*=empty-proxy`.
Each request's fate is drawn from (seed, site, path, how many times that path was asked), so a
run is repeatable and a retry of a transient fault can succeed.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import random
import secrets
import time
from dataclasses import dataclass, field

from replica.web import Request, Response

FAULTS = ("500", "502", "503", "429", "slow", "reset", "truncate", "412", "418", "illegal",
          "empty-proxy", "oversize", "redirect-loop", "shield", "captcha", "cookie-shell", "acw",
          "jsl", "soft-404", "app-shell", "wrong-page", "stub-away", "stub-loop", "cookie-302", "geo", "js-render",
          "tls-legacy")  # fmt: skip
SESSION_COOKIE = "JSESSIONID"
WAF_COOKIE = "waf_cookie"
#: Faults that are no answer but how a site's port speaks.
SITE_FAULTS = ("tls-legacy",)


class FaultSpecError(ValueError):
    """A --faults value that cannot be read."""


@dataclass(frozen=True)
class Fault:
    name: str
    rate: float = 1.0
    #: `slow`'s wait (default 3 s); a challenge cookie's lifetime (default: the challenge's).
    seconds: float | None = None
    #: A challenge cookie that passes this many requests and then is dead (`412:5x`): expiry
    #: that does not hang on how fast a busy machine runs the browser.
    uses: int | None = None


@dataclass(frozen=True)
class Rule:
    site: str
    glob: str
    faults: tuple[Fault, ...]


def parse(spec: str | None) -> list[Rule]:
    """Rules from a --faults SPEC; a clear error names the part that is wrong."""
    rules: list[Rule] = []
    for part in filter(None, (p.strip() for p in (spec or "").split(";"))):
        target, sep, listed = part.partition("=")
        if not sep or not listed:
            raise FaultSpecError(f"--faults {part!r}: write [SITE:]PATH-GLOB=FAULT[@RATE]")
        site, colon, glob = target.partition(":")
        if not colon:
            site, glob = "*", target
        faults = []
        for item in listed.split(","):
            name, _, rate_text = item.strip().partition("@")
            name, _, seconds_text = name.partition(":")
            if name not in FAULTS:
                raise FaultSpecError(
                    f"--faults {part!r}: unknown fault {name!r}; known: {', '.join(FAULTS)}"
                )
            uses = None
            try:
                rate = float(rate_text) if rate_text else 1.0
                if seconds_text.endswith("x"):
                    uses, seconds_text = int(seconds_text[:-1]), ""
                seconds = float(seconds_text) if seconds_text else None
            except ValueError:
                raise FaultSpecError(
                    f"--faults {part!r}: {item!r} needs numbers after @ and :"
                ) from None
            if not 0 <= rate <= 1:
                raise FaultSpecError(f"--faults {part!r}: rate {rate} is not between 0 and 1")
            faults.append(Fault(name, rate, seconds, uses))
        rules.append(Rule(site.strip() or "*", glob.strip() or "*", tuple(faults)))
    return rules


@dataclass
class Faults:
    rules: list[Rule]
    seed: int = 1
    _asked: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Challenge nonces handed out → their cookie's lifetime, which starts when the cookie is
    #: first shown (a browser's solve may take seconds on a busy machine: a cookie dead before it
    #: was ever used would test the machine's speed, not the crawler) …
    lifetimes: dict[str, float] = field(default_factory=dict)
    #: … and then when it dies (monotonic seconds).
    issued: dict[str, float] = field(default_factory=dict)
    #: Cookies that pass a number of requests (`412:5x`) → how many they still pass.
    uses_left: dict[str, int] = field(default_factory=dict)
    #: How many challenges were answered (per fault name).
    challenged: dict[str, int] = field(default_factory=dict)

    def site_fault(self, site: str, name: str) -> bool:
        """Whether `site` has a site-wide fault such as tls-legacy."""
        return any(
            fnmatch.fnmatchcase(site, rule.site) and fault.name == name
            for rule in self.rules
            for fault in rule.faults
        )

    def respond(self, fault: Fault, request: Request) -> Response | None:
        """`respond`, with a fresh nonce for a challenge, remembered until its cookie dies."""
        challenge = CHALLENGES.get(fault.name)
        if challenge is None:
            return respond(fault, request)
        nonce = secrets.token_hex(8)
        lifetime = fault.seconds or challenge.lifetime
        self.lifetimes[nonce] = lifetime
        if fault.uses is not None:
            self.uses_left[nonce] = fault.uses
        self.challenged[fault.name] = self.challenged.get(fault.name, 0) + 1
        return challenge.answer(nonce, lifetime)

    def passes(self, fault: Fault, request: Request) -> bool:
        """Whether a request carries a live cookie computed by a challenge's script."""
        challenge = CHALLENGES.get(fault.name)
        if challenge is None:
            return False
        value = cookies(request).get(challenge.cookie, "")
        nonce, _, proof = value.partition(".")
        if proof != work(nonce):
            return False
        if nonce in self.lifetimes:  # its first use: its lifetime starts now
            self.issued[nonce] = time.monotonic() + self.lifetimes.pop(nonce)
        if nonce in self.uses_left:
            self.uses_left[nonce] -= 1
            if self.uses_left[nonce] < 0:
                return False
        expires = self.issued.get(nonce)
        return expires is not None and expires > time.monotonic()

    def decide(self, site: str, request: Request) -> Fault | None:
        """The fault this request meets, if any (counts the request)."""
        matching = [
            rule
            for rule in self.rules
            if fnmatch.fnmatchcase(site, rule.site) and fnmatch.fnmatchcase(request.path, rule.glob)
        ]
        if not matching:
            return None
        key = (site, request.path)
        count = self._asked.get(key, 0)
        self._asked[key] = count + 1
        draw = random.Random(f"{self.seed}/{site}/{request.path}/{count}")
        for rule in matching:
            for fault in rule.faults:
                if (
                    draw.random() < fault.rate
                    and applies(fault, request)
                    and not self.passes(fault, request)
                ):
                    return fault
        return None


def cookies(request: Request) -> dict[str, str]:
    """The cookies a request carries, by name."""
    pairs = (part.strip().partition("=") for part in request.headers.get("cookie", "").split(";"))
    return {name: value for name, _, value in pairs if name}


def work(nonce: str) -> str:
    """What a challenge's script computes from its nonce (FNV-1a, 32 bits, 64 rounds), in hex."""
    value = nonce
    for _ in range(64):
        h = 0x811C9DC5
        for char in value:
            h = ((h ^ ord(char)) * 0x01000193) & 0xFFFFFFFF
        value = format(h, "x") + nonce
    return value[: -len(nonce)]


#: The same computation in the challenges' JavaScript (`W(nonce)`).
_WORK_JS = (
    "function W(n){var v=n;for(var r=0;r<64;r++){var h=0x811c9dc5;for(var i=0;i<v.length;i++)"
    "{h^=v.charCodeAt(i);h=Math.imul(h,0x01000193)>>>0;}v=h.toString(16)+n;}"
    "return v.slice(0,v.length-n.length);}"
)


@dataclass(frozen=True)
class Challenge:
    """A script challenge: its status, the cookie its script sets, the page around the script."""

    status: int
    cookie: str
    lifetime: float
    page: str  # with {script} and {nonce}

    def answer(self, nonce: str, lifetime: float) -> Response:
        script = (
            f"{_WORK_JS}var c=W(N);document.cookie={_cookie_name(self.cookie)}+N+'.'+c+"
            f"';max-age={int(lifetime) + 60};path=/';location.reload();"
        )
        body = self.page.format(nonce=nonce, script=script)
        return Response(self.status, body.encode(), "text/html; charset=utf-8")


def _cookie_name(name: str) -> str:
    """A cookie's `name=` written as the real scripts write it (加速乐's in pieces)."""
    if name == "__jsl_clearance":
        return "('_')+('_')+('jsl_clearance')+('=')"
    return repr(name + "=")


def applies(fault: Fault, request: Request) -> bool:
    if fault.name in SITE_FAULTS:
        return False
    if fault.name == "cookie-302":
        return f"{WAF_COOKIE}=" not in request.headers.get("cookie", "")
    if fault.name == "illegal":
        return f"{SESSION_COOKIE}=" not in request.headers.get("cookie", "")
    if fault.name == "empty-proxy":
        return "dataproxy" in request.path and not request.browser_like
    return True


_TS_PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{nonce}"></head><body>
<script type="text/javascript">$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=28375;$_ts.cd="{nonce}";
var N=$_ts.cd;{script}</script></body></html>"""
_JSL_PAGE = """<html><head><meta charset="utf-8"><title>访问被拦截</title></head><body>
<script>var N='{nonce}';{script}</script>
<div class="content"><h1>访问被拦截！</h1><p>您的访问可能对网站造成威胁，已被云防护拦截。</p></div></body></html>"""
_SHIELD_PAGE = """<!DOCTYPE html> <html shield="Virtual Container Shield"> <head> <meta charset="utf-8"> \
<meta http-equiv="Cache-Control" content="no-cache, no-store, must-revalidate"> </head> <body> \
<script>var N="{nonce}";{script}</script> </body></html>"""
_COOKIE_SHELL_PAGE = """<html><head><meta charset="utf-8"></head><body><script>var N="{nonce}";{script}</script></body></html>"""
_ACW_PAGE = """<html><script>var arg1='{nonce}';var N=arg1;{script}</script></html>"""
_JSL_SCRIPT = """<script>var N='{nonce}';{script}</script>"""
CHALLENGES = {
    "412": Challenge(412, "FSSBBIl1UgzbN7N80T", 3600, _TS_PAGE),
    "418": Challenge(418, "__jsl_clearance", 3600, _JSL_PAGE),
    "jsl": Challenge(521, "__jsl_clearance", 3600, _JSL_SCRIPT),
    "shield": Challenge(200, "vcs_clearance", 3600, _SHIELD_PAGE),
    "cookie-shell": Challenge(200, "C3VK", 300, _COOKIE_SHELL_PAGE),
    "acw": Challenge(200, "acw_sc__v2", 3600, _ACW_PAGE),
}
_GEO = """<html><head><meta charset="utf-8"><title>403 Forbidden</title></head><body>
<h1>403 Forbidden</h1><p>Access denied. Code: GeoBL. Reference: {content}</p></body></html>"""
_ILLEGAL = """<html><head><meta charset="utf-8"><title>非法请求</title></head>
<body><div class="error">非法请求 404</div></body></html>"""


_CAPTCHA = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问验证</title>
<style>.box{{width:360px;margin:120px auto;text-align:center}}</style></head><body><div class="box">
<h3>访问验证</h3><p>请输入验证码后继续访问</p><img src="/verify/captcha.jpg?t={content}" alt="" />
<form method="post" action="/verify/check"><input name="code" placeholder="请输入验证码" />
<button type="submit">确定</button></form></div></body></html>"""
_SOFT_404 = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府门户网站</title>
<meta name="ColumnName" content="信息提示"></head><body>
<div class="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="error-box"><img src="/images/404.png" alt="" /><p class="tips-title">抱歉，您访问的页面不存在或已删除</p>
<p><span id="sec">10</span>秒后自动返回首页</p><a href="/">返回首页</a></div>
<script>var s=10;setInterval(function(){{if(--s<=0)location.href='/';}},1000);</script>
<div class="footer"><ul><li><a href="/wzdt/">网站地图</a></li><li><a href="/lxwm/">联系我们</a></li></ul>
<p>主办单位：政府办公室　网站标识码：{content}</p></div></body></html>"""
_APP_SHELL = """<!doctype html><html lang="zh"><head><meta charset="UTF-8" /><title>政务服务</title>
<script type="module" crossorigin src="/assets/index-{content}.js"></script></head>
<body><noscript>本网站需要启用 JavaScript</noscript><div id="app"></div></body></html>"""
_STUB_AWAY = """<!doctype html><html><head><meta charset="utf-8"><title>跳转</title>
<meta http-equiv="refresh" content="0;url=https://www.example-portal.gov.cn/{content}/"></head><body></body></html>"""
_STUB_LOOP = """<SCRIPT LANGUAGE="JavaScript">document.location.href = "{target}";</SCRIPT>"""


def _home_page(token: str) -> str:
    """A portal's home page: news of every kind, none of them the page asked for."""
    rows = "".join(
        f'<li><a href="/art/2024/{1 + k % 12}/{1 + k}/art_1229000{k:03d}_{9000000 + k * 7}.html">'
        f"要闻动态第{k + 1}条</a><span>2024-{1 + k % 12:02d}-{1 + k:02d}</span></li>"
        for k in range(14)
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府门户网站</title>'
        f'<meta name="SiteName" content="政府门户网站"></head><body><ul class="nav"><li><a href="/">首页</a>'
        '</li><li><a href="/zwgk/">政务公开</a></li></ul><div class="news"><h3>要闻动态</h3>'
        f'<ul>{rows}</ul></div><div class="footer">网站标识码：{token}</div></body></html>'
    )


def in_script(answer: Response) -> Response:
    """The js-render fault: an HTML page written into an empty shell by a script, as pages that
    only render in a browser are (its validators kept)."""
    if answer.status != 200 or "html" not in answer.content_type:
        return answer
    charset = answer.content_type.partition("charset=")[2].strip() or "utf-8"
    encoded = base64.b64encode(answer.body).decode("ascii")
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
        '<div id="app"></div><script>var b=atob("' + encoded + '");'
        "var u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);"
        f'document.open();document.write(new TextDecoder("{charset}").decode(u));'
        "document.close();</script></body></html>"
    )
    return Response(200, body.encode(), "text/html; charset=utf-8", dict(answer.headers),
                    answer.etag, answer.last_modified)  # fmt: skip


def respond(fault: Fault, request: Request) -> Response | None:
    """The answer a fault gives in place of the page; None for faults the server acts out
    (slow, reset, truncate) or that wrap the page."""
    token = hashlib.sha1(f"{request.path}/{fault.name}".encode()).hexdigest()[:12]
    if fault.name in ("500", "502", "503", "429"):
        headers = {"Retry-After": "1"} if fault.name in ("503", "429") else {}
        body = f"<html><body><h1>{fault.name} Service Unavailable</h1></body></html>".encode()
        return Response(int(fault.name), body, "text/html", headers)
    if fault.name in CHALLENGES:  # a nonce never handed out: this answer is never passed
        challenge = CHALLENGES[fault.name]
        return challenge.answer(token, fault.seconds or challenge.lifetime)
    if fault.name == "geo":
        return Response(403, _GEO.format(content=token).encode(), "text/html; charset=utf-8")
    if fault.name == "cookie-302":
        target = request.path + (
            "?" + request.headers["x-query"] if request.headers.get("x-query") else ""
        )
        cookie = f"{WAF_COOKIE}={token}; Path=/"
        return Response(302, b"", "text/html", {"Location": target, "Set-Cookie": cookie})
    if fault.name == "illegal":
        cookie = f"{SESSION_COOKIE}={token}; Path=/; HttpOnly"
        return Response(200, _ILLEGAL.encode(), "text/html; charset=utf-8", {"Set-Cookie": cookie})
    if fault.name == "empty-proxy":
        return Response(200, b"", "text/html; charset=UTF-8")
    if fault.name == "oversize":
        return Response(
            200, b"<html><body>" + (b"<p>" + b"x" * 1017 + b"</p>") * 24 * 1024, "text/html"
        )
    html = "text/html; charset=utf-8"
    pages = {"captcha": _CAPTCHA, "soft-404": _SOFT_404, "app-shell": _APP_SHELL,
             "stub-away": _STUB_AWAY}  # fmt: skip
    if fault.name in pages:
        return Response(200, pages[fault.name].format(content=token).encode(), html)
    if fault.name == "wrong-page":
        return Response(200, _home_page(token).encode(), html)
    if fault.name == "stub-loop":
        # Back and forth between the page and itself with ?from=stub: a loop a browser never ends.
        back = request.headers.get("x-query", "") == "from=stub"
        target = request.path if back else request.path + "?from=stub"
        return Response(200, _STUB_LOOP.format(target=target).encode(), html)
    if fault.name == "redirect-loop":
        target = request.path + (
            "?" + request.headers["x-query"] if request.headers.get("x-query") else ""
        )
        return Response(302, b"", "text/html", {"Location": target})
    return None
