"""Cookies between the browser and the crawler: Playwright's keys (what a browser earned passing
a portal's script challenge) and Python's cookie jar (what plain requests send)."""

from __future__ import annotations

import http.cookiejar
from typing import Any


def to_cookie(data: dict[str, Any]) -> http.cookiejar.Cookie:
    """A cookie as Python's jar keeps it, from Playwright's keys."""
    domain = str(data.get("domain", ""))
    expires = data.get("expires")
    alive = isinstance(expires, int | float) and expires > 0
    return http.cookiejar.Cookie(
        version=0, name=str(data["name"]), value=str(data.get("value", "")), port=None,
        port_specified=False, domain=domain, domain_specified=domain.startswith("."),
        domain_initial_dot=domain.startswith("."), path=str(data.get("path") or "/"),
        path_specified=True, secure=bool(data.get("secure")),
        expires=int(expires) if alive else None,  # type: ignore[arg-type]
        discard=not alive, comment=None, comment_url=None,
        rest={"HttpOnly": ""} if data.get("httpOnly") else {},
    )  # fmt: skip


def from_cookie(cookie: http.cookiejar.Cookie) -> dict[str, Any]:
    """Playwright's keys for a cookie of Python's jar."""
    return {
        "name": cookie.name,
        "value": cookie.value or "",
        "domain": cookie.domain,
        "path": cookie.path or "/",
        "expires": float(cookie.expires) if cookie.expires else -1,
        "httpOnly": cookie.has_nonstandard_attr("HttpOnly"),
        "secure": bool(cookie.secure),
    }
