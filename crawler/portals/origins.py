"""Portals served elsewhere: a stand-in for the real portals (the replica, a mirror for testing)
that serves each profiled portal at an origin of its own says which at `/__replica__/sites`,
and its simulated day at `/__replica__/day`. A crawl of it swaps only the origins: the profiles
stay the real portals'. Asked once, before a crawl starts (`GOVWATCH_ORIGINS`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class OriginsError(RuntimeError):
    """The stand-in cannot be asked; the message names its URL and why."""


def _ask(url: str, path: str) -> object:
    try:
        with urllib.request.urlopen(url.rstrip("/") + path, timeout=10) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise OriginsError(f"{url}: no portals served there ({error})") from None


def served_origins(url: str) -> dict[str, str]:
    """The portal name → origin map of a stand-in served at `url`."""
    found = _ask(url, "/__replica__/sites")
    if not isinstance(found, dict):
        raise OriginsError(f"{url}: /__replica__/sites is not a map of portals to origins")
    return {str(name): str(origin) for name, origin in found.items()}


def served_day(url: str) -> str:
    """The stand-in's simulated day (ISO)."""
    found = _ask(url, "/__replica__/day")
    if not isinstance(found, dict) or "date" not in found:
        raise OriginsError(f"{url}: /__replica__/day names no date")
    return str(found["date"])
