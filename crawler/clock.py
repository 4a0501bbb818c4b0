"""The one clock: now (the real clock, or $GOVWATCH_NOW to simulate weeks of schedule in
seconds), and times as people read them, in the portals' own zone (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

#: The portals' zone: every time a portal prints is a time here (China keeps no summer time).
CHINA = ZoneInfo("Asia/Shanghai")
_AGO = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class ClockError(ValueError):
    """$GOVWATCH_NOW is set but is no time."""


def utcnow() -> dt.datetime:
    """The time: the real clock, or $GOVWATCH_NOW (an ISO time, UTC unless it says otherwise) to
    simulate weeks of schedule against the replica in seconds."""
    pinned = os.environ.get("GOVWATCH_NOW")
    if not pinned:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(pinned.strip())
    except ValueError:
        raise ClockError(
            f"GOVWATCH_NOW={pinned!r} is not an ISO time; write e.g. 2023-11-06T09:00:00+08:00, "
            "or unset it"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def now() -> str:
    """The time as the corpus stores it: UTC, ISO 8601, to the second."""
    return utcnow().isoformat(timespec="seconds")


def today_in_china() -> dt.date:
    """The portals' date now."""
    return utcnow().astimezone(CHINA).date()


def shown(value: str | None, zone: ZoneInfo = CHINA) -> str:
    """'2023-11-03T03:04:00+00:00' → '2023-11-03 11:04 CST'; a bare date stays a date."""
    if not value:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10 or moment.tzinfo is None:
        return value
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def since(value: str, now: dt.datetime) -> str:
    """A --since value as a UTC ISO time: an ISO date or time (read in the portals' zone when
    it names none), or an age such as 36h, 7d, 2w."""
    text = value.strip()
    match = _AGO.match(text)
    if match:
        moment = now - dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    else:
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"--since {value!r}: write a date (2023-11-03), a time (2023-11-03T08:00) or an "
                "age (36h, 7d, 2w)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=CHINA)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
