"""The one clock: now (the real clock, or $GOVWATCH_NOW to simulate weeks of schedule in
seconds), and times as people read them, in the portals' own zone (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

#: The portals' zone: every time a portal prints is a time here (China keeps no summer time).
CHINA = ZoneInfo("Asia/Shanghai")
#: The offset a document's printed date-time is stored with: a fixed +08:00, so stored values never
#: depend on the machine's tz database (the zone above also knows the summer time of 1986–1991).
CHINA_OFFSET = dt.timezone(dt.timedelta(hours=8))
_AGO = re.compile(r"^(\d+)\s*([mhdw])$")
# A date as portals print it: 2023/11/3, 2023-11-3, 2023年11月3日, with what follows it.
_DATE = re.compile(r"^(\d{4})(?:/|-|年)(\d{1,2})(?:/|-|月)(\d{1,2})日?(?=$|[ T])(.*)$")
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


@dataclass(frozen=True)
class Since:
    """A --since value read: the moment it names (aware)."""

    moment: dt.datetime

    @property
    def utc(self) -> str:
        """The bound for times the corpus writes itself (an alert's `created_at`): UTC ISO."""
        return self.moment.astimezone(dt.UTC).isoformat(timespec="seconds")

    @property
    def published(self) -> str:
        """The bound for `published_at`, which is kept as the page prints it: a date
        (2023-11-03), or a time in the portals' zone (2023-11-03T08:00:00+08:00). Written the
        same way, so that the two compare as text: a day's midnight in China is that date."""
        local = self.moment.astimezone(CHINA)
        if local.time() == dt.time(0, 0):
            return local.date().isoformat()
        return local.isoformat(timespec="seconds")


def since(value: str, now: dt.datetime) -> Since:
    """The one reader of --since (search, export, alerts): an age (36h, 7d, 2w; m for minutes),
    an ISO date or time (read in the portals' zone when it names none), or a date written as
    the portals print it (2023/11/3, 2023年11月3日: docs/DOMAIN.md §2.1, §2.5), optionally with a time."""
    text = value.strip()
    match = _AGO.match(text.lower())
    if match:
        try:
            return Since(now - dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)]))
        except OverflowError:
            raise ValueError(f"{value!r}: an age that reaches before the year 1") from None
    written = _DATE.match(text)
    if written:  # 2023/11/3 08:00 → 2023-11-03 08:00
        year, month, day, rest = written.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    try:
        moment = dt.datetime.fromisoformat(text)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=CHINA)
        moment.astimezone(dt.UTC), moment.astimezone(CHINA)  # both within years 1 to 9999
    except (ValueError, OverflowError) as error:
        reason = "" if "isoformat" in str(error) else f" ({error})"
        raise ValueError(
            f"{value!r} is no date, time or age{reason}; write a date (2023-11-03), a time "
            "(2023-11-03T08:00, in China unless it names a zone) or an age (36h, 7d, 2w)"
        ) from None
    return Since(moment)
