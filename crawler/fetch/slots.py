"""Politeness slots: which requests share a delay and a concurrency limit, and each portal's.

Scrapy's downloader keys its slots on the host name. Real portals each have their own host; the
replica serves every portal from 127.0.0.1, one port each, so on loopback each origin (host and
port) is its own slot (`crawler.fetch.middlewares.OriginSlotMiddleware` sets it on each request).
Pure: no reactor, importable anywhere.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.portals.profiles import Profile


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def slot_key(netloc: str) -> str:
    """The politeness slot of a host (`host` or `host:port`): its host name, as Scrapy keys
    slots (one server, one politeness, whatever the port) — except on loopback, where each port
    is its own origin."""
    parts = urlsplit(f"//{netloc}")
    host = parts.hostname or netloc
    return netloc.lower() if _loopback(host) and parts.port else host


def politeness(profiles: list[Profile]) -> dict[str, dict[str, Any]]:
    """Per-slot delay and concurrency from each profile (Scrapy's DOWNLOAD_SLOTS), keyed as the
    downloader keys its slots."""
    slots = {}
    for profile in profiles:
        for host in profile.hosts:
            slots[slot_key(host)] = {"delay": profile.delay, "concurrency": profile.concurrency}
    return slots


class Stopped(IgnoreRequest):
    """A request dropped unsent because its crawl is stopping: the next crawl fetches it."""

    def __init__(self) -> None:
        super().__init__("dropped unsent: the crawl is stopping")
