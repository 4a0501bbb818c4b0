"""Helpers for replica tests: requests straight to the in-process replica."""

from __future__ import annotations

import os
import random
import socket

from crawler.replica.app import Replica
from crawler.replica.web import Request, Response

BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64)"}


def get(replica: Replica, site: str, path: str, query: str = "", **headers: str) -> Response:
    request = Request("GET", path, Request.parse_query(query), {}, {**BROWSER, **headers})
    return replica.handle(site, request)


def post(replica: Replica, site: str, path: str, query: str, form: str) -> Response:
    request = Request(
        "POST", path, Request.parse_query(query), Request.parse_query(form), dict(BROWSER)
    )
    return replica.handle(site, request)


def free_block(count: int) -> int:
    """A first port such that `count` consecutive loopback ports are free."""
    rng = random.Random(os.getpid())
    for _ in range(200):
        base = rng.randrange(20000, 60000)
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return base
    raise RuntimeError("no block of free loopback ports")
