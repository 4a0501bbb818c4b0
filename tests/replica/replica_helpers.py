"""Helpers for replica tests: requests straight to the in-process replica."""

from __future__ import annotations

from crawl_helpers import free_block

from replica.app import Replica
from replica.web import Request, Response

BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64)"}


def get(replica: Replica, site: str, path: str, query: str = "", **headers: str) -> Response:
    request = Request("GET", path, Request.parse_query(query), {}, {**BROWSER, **headers})
    return replica.handle(site, request)


def post(replica: Replica, site: str, path: str, query: str, form: str) -> Response:
    request = Request(
        "POST", path, Request.parse_query(query), Request.parse_query(form), dict(BROWSER)
    )
    return replica.handle(site, request)


__all__ = ["free_block", "get", "post"]
