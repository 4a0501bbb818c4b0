"""Serving the replica: one Twisted reactor, one port per site (consecutive from the first).

Reserved paths on every port: `GET /__replica__/sites` (portal name → origin), `GET|POST
/__replica__/day` (the simulated day; POST `day=D` moves it). Binds to loopback by default.
"""

from __future__ import annotations

import json
import sys
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

from twisted.internet import reactor as _reactor
from twisted.web import resource, server
from twisted.web.server import NOT_DONE_YET

from replica.app import Replica
from replica.corpus import date_of, day_number
from replica.faults import Fault, in_script
from replica.web import Request, Response

CONTROL = "/__replica__/"
reactor: Any = _reactor  # the global reactor's interfaces are not in its static type


def _text(value: bytes | None) -> str:
    return value.decode("latin-1") if value else ""


class SiteResource(resource.Resource):
    isLeaf = True

    def __init__(self, replica: Replica, site: str, origins: dict[str, str]) -> None:
        super().__init__()
        self.replica, self.site, self.origins = replica, site, origins

    def render(self, request: server.Request) -> bytes | int:
        raw_path = _text(request.path)
        query = _text(request.uri).partition("?")[2]
        headers = {
            _text(k).lower(): _text(v[0]) for k, v in request.requestHeaders.getAllRawHeaders()
        }
        headers["x-query"] = query
        form: dict[str, list[str]] = {}
        method = _text(request.method)
        if method == "POST":
            body = request.content.read() if request.content else b""
            form = Request.parse_query(body.decode("utf-8", "replace"))
        req = Request(method, unquote(raw_path), Request.parse_query(query), form, headers)
        if req.path.startswith(CONTROL):
            return self.control(request, req)
        fault = self.replica.faults.decide(self.site, req)
        if fault is not None:
            return self.act(request, req, fault)
        return self.send(request, req, self.replica.handle(self.site, req))

    def control(self, request: server.Request, req: Request) -> bytes:
        request.setHeader(b"Content-Type", b"application/json; charset=utf-8")
        if req.path == CONTROL + "sites":
            return json.dumps(self.origins).encode()
        if req.path == CONTROL + "day":
            if req.method == "POST":
                value = req.arg("day") or _json_day(req)
                try:
                    self.replica.day = day_number(value)
                except ValueError as error:
                    request.setResponseCode(400)
                    return json.dumps({"error": str(error)}).encode()
            day = self.replica.day
            return json.dumps({"day": day, "date": date_of(day).isoformat()}).encode()
        request.setResponseCode(404)
        return b'{"error": "unknown control path"}'

    def act(self, request: server.Request, req: Request, fault: Fault) -> bytes | int:
        if fault.name == "slow":
            reactor.callLater(fault.seconds or 3.0, self._finish_late, request, req)
            return NOT_DONE_YET
        if fault.name == "reset":
            _transport(request).abortConnection()
            return NOT_DONE_YET
        if fault.name == "truncate":
            answer = self.replica.handle(self.site, req)
            self._head(request, answer)
            request.setHeader(b"Content-Length", str(len(answer.body)).encode())
            request.write(answer.body[: len(answer.body) // 2])
            _transport(request).loseConnection()
            return NOT_DONE_YET
        if fault.name == "js-render":
            return self.send(request, req, in_script(self.replica.handle(self.site, req)))
        answer = self.replica.faults.respond(fault, req) or self.replica.handle(self.site, req)
        return self.send(request, req, answer)

    def _finish_late(self, request: server.Request, req: Request) -> None:
        if request.finished or request._disconnected:
            return
        body = self.send(request, req, self.replica.handle(self.site, req))
        request.write(body)
        request.finish()

    @staticmethod
    def _head(request: server.Request, answer: Response) -> None:
        request.setResponseCode(answer.status)
        for name, value in answer.header_items():
            request.setHeader(name.encode(), value.encode("utf-8"))

    def send(self, request: server.Request, req: Request, answer: Response) -> bytes:
        if answer.status == 200 and _not_modified(req, answer):
            answer = Response(304, b"", answer.content_type, {}, answer.etag, answer.last_modified)
        self._head(request, answer)
        if answer.status == 304:
            return b""
        return answer.body


def _transport(request: server.Request) -> Any:
    return request.channel.transport


def _not_modified(req: Request, answer: Response) -> bool:
    if answer.etag and req.headers.get("if-none-match"):
        return answer.etag in [tag.strip() for tag in req.headers["if-none-match"].split(",")]
    since = req.headers.get("if-modified-since")
    if answer.last_modified and since:
        try:
            return answer.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _json_day(req: Request) -> str:
    for key in req.form:
        try:
            parsed: Any = json.loads(key)
        except ValueError:
            continue
        if isinstance(parsed, dict) and "day" in parsed:
            return str(parsed["day"])
    return ""


def listen(replica: Replica, host: str = "127.0.0.1", port: int = 8400) -> dict[str, str]:
    """Listen on consecutive ports from `port` (0: on ports the system picks, one per site, so
    that replicas started side by side never race for a block); the portal name → origin map."""
    sites = replica.sites
    legacy = {site.name for site in sites if replica.faults.site_fault(site.name, "tls-legacy")}
    origins: dict[str, str] = {}  # filled as each site listens; the resources read it later
    for i, site in enumerate(sites):
        factory = server.Site(SiteResource(replica, site.name, origins))
        factory.noisy = False
        factory.log = lambda request: None  # type: ignore[method-assign]
        wanted = port + i if port else 0
        if site.name in legacy:  # the tls-legacy fault: this site speaks old TLS only
            from replica.tls import LegacyContextFactory

            listening = reactor.listenSSL(
                wanted, factory, LegacyContextFactory(host), interface=host
            )
        else:
            listening = reactor.listenTCP(wanted, factory, interface=host)
        scheme = "https" if site.name in legacy else "http"
        origins[site.name] = f"{scheme}://{host}:{listening.getHost().port}"
    return origins


def serve(replica: Replica, host: str = "127.0.0.1", port: int = 8400) -> None:
    """Serve until SIGINT or SIGTERM; print the sites first (one JSON line)."""
    origins = listen(replica, host, port)
    line = json.dumps(
        {"sites": origins, "day": replica.day, "date": date_of(replica.day).isoformat()},
        ensure_ascii=False,
    )
    # Announced once running: by then SIGINT and SIGTERM stop the reactor cleanly.
    reactor.callWhenRunning(print, line, flush=True)
    reactor.run()
    sys.stdout.flush()
