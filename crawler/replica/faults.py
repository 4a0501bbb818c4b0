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
    illegal           HTTP 200 "非法请求" page unless the request carries the session cookie
                      (the page sets it)
    empty-proxy       an empty body from dataproxy.jsp to user agents that are not browsers
    oversize          a body larger than any sane page (24 MiB)
    redirect-loop     302 back to the same URL
Example: `hangzhou-jxj:/art/*=503@0.2,reset@0.05;*:*dataproxy*=empty-proxy`.
Each request's fate is drawn from (seed, site, path, how many times that path was asked), so a
run is repeatable and a retry of a transient fault can succeed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import random
from dataclasses import dataclass, field

from crawler.replica.web import Request, Response

FAULTS = ("500", "502", "503", "429", "slow", "reset", "truncate", "412", "418", "illegal",
          "empty-proxy", "oversize", "redirect-loop")  # fmt: skip
SESSION_COOKIE = "JSESSIONID"


class FaultSpecError(ValueError):
    """A --faults value that cannot be read."""


@dataclass(frozen=True)
class Fault:
    name: str
    rate: float = 1.0
    seconds: float = 3.0


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
            try:
                rate = float(rate_text) if rate_text else 1.0
                seconds = float(seconds_text) if seconds_text else 3.0
            except ValueError:
                raise FaultSpecError(
                    f"--faults {part!r}: {item!r} needs numbers after @ and :"
                ) from None
            if not 0 <= rate <= 1:
                raise FaultSpecError(f"--faults {part!r}: rate {rate} is not between 0 and 1")
            faults.append(Fault(name, rate, seconds))
        rules.append(Rule(site.strip() or "*", glob.strip() or "*", tuple(faults)))
    return rules


@dataclass
class Faults:
    rules: list[Rule]
    seed: int = 1
    _asked: dict[tuple[str, str], int] = field(default_factory=dict)

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
                if draw.random() < fault.rate and applies(fault, request):
                    return fault
        return None


def applies(fault: Fault, request: Request) -> bool:
    if fault.name == "illegal":
        return f"{SESSION_COOKIE}=" not in request.headers.get("cookie", "")
    if fault.name == "empty-proxy":
        return "dataproxy" in request.path and not request.browser_like
    return True


_TS_CHALLENGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{content}"></head><body>
<script type="text/javascript">$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=28375;$_ts.cd="{content}";</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js"></script>
</body></html>"""
_JSL_BLOCK = """<html><head><meta charset="utf-8"><title>访问被拦截</title></head><body>
<script>document.cookie='__jsl_clearance={content}; max-age=3600; path=/';location.href=location.pathname+location.search</script>
<div class="content"><h1>访问被拦截！</h1><p>您的访问可能对网站造成威胁，已被云防护拦截。</p></div></body></html>"""
_ILLEGAL = """<html><head><meta charset="utf-8"><title>非法请求</title></head>
<body><div class="error">非法请求 404</div></body></html>"""


def respond(fault: Fault, request: Request) -> Response | None:
    """The answer a fault gives in place of the page; None for faults the server acts out
    (slow, reset, truncate) or that wrap the page."""
    token = hashlib.sha1(f"{request.path}/{fault.name}".encode()).hexdigest()[:12]
    if fault.name in ("500", "502", "503", "429"):
        headers = {"Retry-After": "1"} if fault.name in ("503", "429") else {}
        body = f"<html><body><h1>{fault.name} Service Unavailable</h1></body></html>".encode()
        return Response(int(fault.name), body, "text/html", headers)
    if fault.name == "412":
        return Response(
            412, _TS_CHALLENGE.format(content=token).encode(), "text/html; charset=utf-8"
        )
    if fault.name == "418":
        return Response(418, _JSL_BLOCK.format(content=token).encode(), "text/html; charset=utf-8")
    if fault.name == "illegal":
        cookie = f"{SESSION_COOKIE}={token}; Path=/; HttpOnly"
        return Response(200, _ILLEGAL.encode(), "text/html; charset=utf-8", {"Set-Cookie": cookie})
    if fault.name == "empty-proxy":
        return Response(200, b"", "text/html; charset=UTF-8")
    if fault.name == "oversize":
        return Response(
            200, b"<html><body>" + (b"<p>" + b"x" * 1017 + b"</p>") * 24 * 1024, "text/html"
        )
    if fault.name == "redirect-loop":
        target = request.path + (
            "?" + request.headers["x-query"] if request.headers.get("x-query") else ""
        )
        return Response(302, b"", "text/html", {"Location": target})
    return None
