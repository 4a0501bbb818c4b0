"""Asking a running replica: moving its simulated day (what it serves is read through the
product's own `crawler.portals.origins`, as a crawl reads it)."""

from __future__ import annotations

import urllib.request

from crawler.portals.origins import served_day, served_origins

__all__ = ["served_day", "served_origins", "set_day"]


def set_day(origin: str, day: int | str) -> None:
    """Move the replica served at `origin` to `day` (an ISO date, or a day number)."""
    request = urllib.request.Request(origin + "/__replica__/day", data=f"day={day}".encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
