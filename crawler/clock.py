"""Times as people read them: the portals' own zone (Asia/Shanghai), with the zone named."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

PORTAL_ZONE = ZoneInfo("Asia/Shanghai")
_AGO = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def shown(value: str | None, zone: ZoneInfo = PORTAL_ZONE) -> str:
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
            moment = moment.replace(tzinfo=PORTAL_ZONE)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
