"""A profile's YAML checked field by field: every error names the file, the field and the fix,
and a field govwatch does not know is an error, never ignored."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.clock import CHINA
from crawler.extract.select import ARTICLE_SELECTORS, SelectorError, check_selector
from crawler.portals.model import Column, Profile, ProfileError

FAMILIES = ("hanweb", "jpaas", "trs", "govcn", "gkmlpt", "generic")
#: Families whose columns are paths under the origin (a TRS section, a generic listing page).
PATH_FAMILIES = ("trs", "generic")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: A profile's fields (besides its family's parameters, under the family's name). `article_pattern`
#: (a regular expression for article URLs) and `list_selector` (a CSS or XPath selector for the
#: document list) serve listings that need them; a column may give its own. `selectors` names an
#: odd template's title, body, date or attachments (CSS or XPath) for the article pages.
#: `province`, `sources` (where the facts come from) and `verified` (a live crawl confirmed them)
#: describe catalogue profiles.
FIELDS = ("name", "family", "origin", "origins", "hosts", "site_name", "columns", "politeness",
          "schedule", "revisit_days", "article_pattern", "list_selector", "selectors",
          "province", "sources", "verified", "render", "tls", "attachments", "nodes",
          "robots")  # fmt: skip
#: `render: browser` fetches every page in a headless browser; `tls: legacy` reaches the portal's
#: hosts with old TLS (crawler.fetch.tls) from the first request; `robots: ignore` fetches what
#: the portal's robots.txt forbids (crawler.fetch.robots; the default obeys it).
RENDER_VALUES = ("plain", "browser")
TLS_VALUES = ("default", "legacy")
ROBOTS_VALUES = ("obey", "ignore")
COLUMN_FIELDS = ("id", "name", "path", "article_pattern", "list_selector")
POLITENESS_FIELDS = ("delay", "concurrency")
SCHEDULE_FIELDS = ("interval", "cron", "jitter")
#: `attachments: {fetch: true, max_file_mb: 20, max_run_mb: 500}` (issue 13).
ATTACHMENT_FIELDS = ("fetch", "max_file_mb", "max_run_mb")
MIN_DELAY = 2.0  # seconds between requests to one host: government servers are small
MIN_INTERVAL = 300  # seconds between two crawls of a portal
#: The longest durations govwatch takes: beyond these a schedule means nothing, and times
#: computed from them overflow (a datetime past the year 9999).
MAX_INTERVAL = 366 * 86400  # between two crawls of a portal; also full_every
MAX_JITTER = 86400  # a trigger's random delay
MAX_TIMEOUT = 30 * 86400  # one crawl (a full walk of a big portal at a gentle delay takes days)
MAX_REVISIT_DAYS = 3650


def _fail(path: Path, where: str, problem: str, fix: str) -> ProfileError:
    return ProfileError(f"{path}: field '{where}': {problem}; {fix}")


def _string(
    data: dict[str, Any], key: str, path: Path, where: str = "", required: bool = True
) -> str:
    value = data.get(key)
    label = f"{where}{key}"
    if value is None:
        if required:
            raise _fail(path, label, "missing", f"add `{key}: …`")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(
            path, label, f"expected text, got {type(value).__name__}", "write a single value"
        )
    return str(value).strip()


def _listing_keys(
    data: dict[str, Any], path: Path, where: str = ""
) -> tuple[str | None, str | None]:
    """`article_pattern` (a regex) and `list_selector` (CSS or XPath), checked."""
    pattern = _string(data, "article_pattern", path, where, required=False) or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise _fail(
                path, f"{where}article_pattern", f"{pattern!r} is not a regular expression ({error})",
                r"write a Python regex searched in the link's path, e.g. '/t\d{8}_\d+\.html'",
            ) from None  # fmt: skip
    selector = _string(data, "list_selector", path, where, required=False) or None
    if selector is not None:
        try:
            check_selector(selector)
        except SelectorError as error:
            raise _fail(
                path, f"{where}list_selector", str(error),
                "write a CSS selector (ul.list) or an XPath (//div[@id='list']//ul)",
            ) from None  # fmt: skip
    return pattern, selector


def _selectors(data: dict[str, Any], path: Path) -> dict[str, str]:
    """`selectors: {title: …, body: …, published_at: …, attachments: …}`, each checked."""
    raw = data.get("selectors")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(
            path, "selectors", "expected a mapping", "write e.g. `selectors: {body: div.article}`"
        )
    found: dict[str, str] = {}
    for key, query in raw.items():
        where = f"selectors.{key}"
        if key not in ARTICLE_SELECTORS:
            raise _fail(
                path, where, "unknown selector", f"use one of {', '.join(ARTICLE_SELECTORS)}"
            )
        if not isinstance(query, str) or not query.strip():
            raise _fail(path, where, "expected text", "write one CSS selector or XPath")
        try:
            check_selector(query)
        except SelectorError as error:
            raise _fail(
                path, where, str(error),
                "write a CSS selector (div.article) or an XPath (//div[@id='content'])",
            ) from None  # fmt: skip
        found[key] = query.strip()
    return found


def duration_seconds(
    value: Any, path: Path, where: str, minimum: int = 0, maximum: int = MAX_INTERVAL
) -> int:
    """A duration (seconds, or 30m, 6h, 1d) from `minimum` to `maximum` seconds: every duration
    is bounded where it is read, so that nothing computed from it later can overflow."""
    allowed = f"from {_duration_text(minimum)} to {_duration_text(maximum)}"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        seconds = value
    else:
        match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
        if match is None:
            raise _fail(
                path, where, f"cannot read {value!r} as a duration",
                f"write seconds or 30m, 6h, 1d ({allowed})",
            )  # fmt: skip
        # Digits beyond any sane duration are too long, not a number to convert (Python refuses
        # to convert more than 4300 digits).
        digits = match.group(1)
        seconds = maximum + 1 if len(digits) > 12 else int(digits) * _SECONDS[match.group(2)]
    if seconds < minimum:
        raise _fail(
            path, where, f"{value!r} is too short", f"give at least {_duration_text(minimum)} ({allowed})"
        )  # fmt: skip
    if seconds > maximum:
        shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:20] + "…"
        raise _fail(
            path, where, f"{shown} is too long", f"give at most {_duration_text(maximum)} ({allowed})"
        )  # fmt: skip
    return seconds


def _duration_text(seconds: int) -> str:
    if seconds == 0:
        return "0"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds} s"


def check_cron(value: Any, path: Path, where: str) -> str:
    """A 5-field cron expression APScheduler can use (minute hour day month weekday)."""
    from apscheduler.triggers.cron import CronTrigger

    text = str(value).strip()
    problem = f"{value!r} is not a 5-field cron expression"
    if len(text.split()) == 5:
        try:
            CronTrigger.from_crontab(text, timezone=CHINA)
            return text
        except ValueError as error:
            problem = f"{value!r} is not a cron expression ({error})"
    raise _fail(path, where, problem, "e.g. '0 7 * * *' (minute hour day month weekday)")


def check_fields(data: dict[str, Any], known: tuple[str, ...], path: Path, where: str) -> None:
    """An unknown field is an error (a typo must not silently change nothing)."""
    for key in data:
        if key not in known:
            raise _fail(
                path,
                f"{where}{key}",
                "not a field govwatch knows",
                f"use one of {', '.join(known)}",
            )


def _mapping(data: dict[str, Any], key: str, path: Path, example: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(
            path, key, f"expected a mapping, got {type(value).__name__}", f"write e.g. {example}"
        )
    return value


def parse_profile(data: Any, path: Path) -> Profile:
    """A validated profile from parsed YAML; `path` names it in errors."""
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping of fields (name, family, origin, columns…)")
    family_key = data.get("family") if data.get("family") in FAMILIES else None
    check_fields(data, (*FIELDS, *([family_key] if family_key else [])), path, "")
    name = _string(data, "name", path)
    if not _NAME.match(name):
        raise _fail(
            path, "name", f"{name!r} is not a portal name", "use lower-case letters, digits and -"
        )
    family = _string(data, "family", path)
    if family not in FAMILIES:
        raise _fail(
            path, "family", f"unknown family {family!r}", f"use one of {', '.join(FAMILIES)}"
        )
    origin, origins, hosts = _origins(data, path)
    schedule = _mapping(data, "schedule", path, "{interval: 6h, jitter: 15m}")
    check_fields(schedule, SCHEDULE_FIELDS, path, "schedule.")
    cron = schedule.get("cron")
    delay, concurrency = _politeness(data, path)
    article_pattern, list_selector = _listing_keys(data, path)
    sources, verified = _provenance(data, path)
    choices = _choices(data, path)
    return Profile(
        name=name,
        family=family,
        origin=origin,
        hosts=hosts,
        site_name=_string(data, "site_name", path, required=False) or name,
        columns=_columns(data, family, path),
        params=_family_params(data, family, path),
        origins=origins,
        delay=delay,
        concurrency=concurrency,
        interval_seconds=duration_seconds(
            schedule.get("interval", "6h"), path, "schedule.interval", MIN_INTERVAL
        ),
        cron=check_cron(cron, path, "schedule.cron") if cron is not None else None,
        jitter_seconds=duration_seconds(
            schedule.get("jitter", 600), path, "schedule.jitter", maximum=MAX_JITTER
        ),
        revisit_days=_revisit_days(data, path),
        source=str(path),
        article_pattern=article_pattern,
        list_selector=list_selector,
        selectors=_selectors(data, path),
        province=_string(data, "province", path, required=False),
        sources=sources,
        verified=verified,
        render=choices["render"],
        tls=choices["tls"],
        robots=choices["robots"],
        nodes=_tags(data, path),
        **_attachments(data, path),
    )


def _origins(data: dict[str, Any], path: Path) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """The portal's origin, its other origins by role (a search API's), and the hosts it may
    be crawled on."""
    origin = _string(data, "origin", path).rstrip("/")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise _fail(
            path, "origin", f"{origin!r} is not an origin",
            "write scheme and host, e.g. http://jxj.hangzhou.gov.cn",
        )  # fmt: skip
    origins: dict[str, str] = {}
    for role, other in _mapping(
        data, "origins", path, "{search: https://sousuo.www.gov.cn}"
    ).items():
        other_parts = urlsplit(str(other))
        if other_parts.scheme not in ("http", "https") or not other_parts.netloc:
            raise _fail(
                path, f"origins.{role}", f"{other!r} is not an origin", "write scheme and host"
            )
        origins[str(role)] = str(other).rstrip("/")
    hosts = data.get("hosts") or [parts.netloc, *(urlsplit(o).netloc for o in origins.values())]
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise _fail(
            path, "hosts", "expected a list of host names", "write e.g. [jxj.hangzhou.gov.cn]"
        )
    return origin, origins, tuple(hosts)


def _columns(data: dict[str, Any], family: str, path: Path) -> tuple[Column, ...]:
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _fail(
            path, "columns", "missing or empty", "list the columns to watch, each with id and name"
        )
    columns = []
    for index, raw in enumerate(raw_columns):
        where = f"columns[{index}]."
        if not isinstance(raw, dict):
            raise _fail(
                path, f"columns[{index}]", "expected a mapping", "write `- id: …` and `name: …`"
            )
        check_fields(raw, COLUMN_FIELDS, path, where)
        pattern, selector = _listing_keys(raw, path, where)
        column_path = _string(raw, "path", path, where, required=family in PATH_FAMILIES)
        columns.append(Column(
            id=_string(raw, "id", path, where),
            name=_string(raw, "name", path, where),
            # A generic listing's trailing slash is part of its address (…/tzgg/ ≠ …/tzgg).
            path=column_path.lstrip("/") if family == "generic" else column_path.strip("/"),
            article_pattern=pattern,
            list_selector=selector,
        ))  # fmt: skip
    ids = [c.id for c in columns]
    if len(set(ids)) != len(ids):
        raise _fail(path, "columns", "a column id appears twice", "keep one entry per column")
    return tuple(columns)


def _family_params(data: dict[str, Any], family: str, path: Path) -> dict[str, str]:
    """The family's own parameters (`jpaas: {webId, tplSetId}`, `gkmlpt: {sid}` …)."""
    params_raw = data.get(family) or {}
    if not isinstance(params_raw, dict):
        raise _fail(
            path,
            family,
            "expected a mapping of the family's parameters",
            "see the shipped profiles",
        )
    for key, value in params_raw.items():
        if isinstance(value, (dict, list)):
            raise _fail(path, f"{family}.{key}", "expected a single value", "write it as text")
    params = {str(k): str(v) for k, v in params_raw.items()}
    if family == "jpaas":
        for key in ("webId", "tplSetId"):
            if not params.get(key):
                raise _fail(
                    path, f"jpaas.{key}", "missing",
                    "add it under `jpaas:` (see the column page's queryData)",
                )  # fmt: skip
    if family == "gkmlpt" and not params.get("sid"):
        raise _fail(
            path, "gkmlpt.sid", "missing",
            "add it under `gkmlpt:` (the SID in window._CONFIG on the site's /gkmlpt/index)",
        )  # fmt: skip
    return params


def _provenance(data: dict[str, Any], path: Path) -> tuple[tuple[str, ...], bool | None]:
    """Where a catalogue profile's facts come from, and whether a crawl proved it."""
    sources = data.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise _fail(path, "sources", "expected a list of addresses", "write e.g. [https://…]")
    verified = data.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise _fail(path, "verified", f"{verified!r} is not true or false", "write true or false")
    return tuple(s.strip() for s in sources), verified


def _politeness(data: dict[str, Any], path: Path) -> tuple[float, int]:
    """The delay between requests and the concurrency, within what is gentle."""
    politeness = _mapping(data, "politeness", path, "{delay: 3, concurrency: 1}")
    check_fields(politeness, POLITENESS_FIELDS, path, "politeness.")
    try:
        delay = float(politeness.get("delay", MIN_DELAY))
        concurrency = int(politeness.get("concurrency", 1))
    except (TypeError, ValueError, OverflowError):
        raise _fail(
            path, "politeness", "delay and concurrency must be numbers",
            "e.g. delay: 2, concurrency: 1",
        ) from None  # fmt: skip
    if not (MIN_DELAY <= delay <= 3600) or not 1 <= concurrency <= 8:
        raise _fail(
            path, "politeness",
            f"delay from {MIN_DELAY:g} s to an hour and concurrency from 1 to 8",
            "be gentle with government servers",
        )  # fmt: skip
    return delay, concurrency


def _revisit_days(data: dict[str, Any], path: Path) -> int:
    revisit_days = data.get("revisit_days", 30)
    if (
        isinstance(revisit_days, bool)
        or not isinstance(revisit_days, int)
        or not 0 <= revisit_days <= MAX_REVISIT_DAYS
    ):
        raise _fail(
            path, "revisit_days", f"{revisit_days!r} is not a number of days",
            f"write a whole number of days from 0 to {MAX_REVISIT_DAYS}, e.g. 30",
        )  # fmt: skip
    return revisit_days


def _choices(data: dict[str, Any], path: Path) -> dict[str, str]:
    """`render` (plain or browser), `tls` (default or legacy), `robots` (obey or ignore)."""
    choices = {}
    for key, allowed in (("render", RENDER_VALUES), ("tls", TLS_VALUES),
                         ("robots", ROBOTS_VALUES)):  # fmt: skip
        value = data.get(key, allowed[0])
        if value not in allowed:
            raise _fail(
                path, key, f"{value!r} is not one of {', '.join(allowed)}",
                f"write {key}: {allowed[1]} (or leave it out for {allowed[0]})",
            )  # fmt: skip
        choices[key] = str(value)
    return choices


def _attachments(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """`attachments: {fetch: true, max_file_mb: 20, max_run_mb: 500}`, each checked."""
    raw = _mapping(data, "attachments", path, "{fetch: true, max_file_mb: 20, max_run_mb: 500}")
    check_fields(raw, ATTACHMENT_FIELDS, path, "attachments.")
    fetch = raw.get("fetch", True)
    if not isinstance(fetch, bool):
        raise _fail(
            path, "attachments.fetch", f"{fetch!r} is not true or false", "write true or false"
        )
    sizes: dict[str, float] = {}
    for key, default in (("max_file_mb", 20.0), ("max_run_mb", 500.0)):
        value = raw.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 < value <= 100_000
        ):
            raise _fail(
                path, f"attachments.{key}", f"{value!r} is not a size in megabytes",
                f"write a number of megabytes, e.g. {default:g}",
            )  # fmt: skip
        sizes[key] = float(value)
    return {
        "attachments_fetch": fetch,
        "attachment_max_file_mb": sizes["max_file_mb"],
        "attachment_max_run_mb": sizes["max_run_mb"],
    }


def _tags(data: dict[str, Any], path: Path) -> tuple[str, ...]:
    """`nodes:` — the tags a crawl node needs for this portal (a list of words)."""
    value = data.get("nodes") or []
    if not isinstance(value, list) or not all(isinstance(tag, str) and tag for tag in value):
        raise ProfileError(f"{path}: field 'nodes': expected a list of node tags, e.g. [cn]")
    return tuple(value)
