"""Portal profiles: one YAML file per real portal, validated on load.

A profile names the portal, its CMS family, its origin and allowed hosts, the columns to watch with
the family's parameters, politeness and schedule. The same profile runs against the real site and,
with only its origins swapped (`with_origin`), against the replica.

Profiles ship in `crawler/portals/`; a user adds a directory of their own with `--profiles DIR` or
`GOVWATCH_PROFILES` (a profile there replaces a shipped one of the same name). Profiles are
`*.yaml` or `*.yml` files in UTF-8; a field govwatch does not know is an error, never ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.clock import CHINA
from crawler.extract.select import ARTICLE_SELECTORS, SelectorError, check_selector

FAMILIES = ("hanweb", "jpaas", "trs", "govcn", "gkmlpt", "generic")
#: Families whose columns are paths under the origin (a TRS section, a generic listing page).
PATH_FAMILIES = ("trs", "generic")
SHIPPED = Path(__file__).parent / "shipped"
#: Profiles of real portals from public sources, not crawled until enabled (`portals enable`).
CATALOGUE = Path(__file__).parent / "catalogue"
SUFFIXES = (".yaml", ".yml")
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
          "province", "sources", "verified", "render", "tls", "attachments", "nodes")  # fmt: skip
#: `render: browser` fetches every page in a headless browser; `tls: legacy` reaches the portal's
#: hosts with old TLS (crawler.fetch.tls) from the first request.
RENDER_VALUES = ("plain", "browser")
TLS_VALUES = ("default", "legacy")
COLUMN_FIELDS = ("id", "name", "path", "article_pattern", "list_selector")
POLITENESS_FIELDS = ("delay", "concurrency")
SCHEDULE_FIELDS = ("interval", "cron", "jitter")
#: `attachments: {fetch: true, max_file_mb: 20, max_run_mb: 500}` (issue 13).
ATTACHMENT_FIELDS = ("fetch", "max_file_mb", "max_run_mb")
MIN_DELAY = 2.0  # seconds between requests to one host: government servers are small
MIN_INTERVAL = 300  # seconds between two crawls of a portal
MAX_REVISIT_DAYS = 3650


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    path: str = ""  # TRS: the section path under the origin
    #: For odd portals: the regex a document URL matches, the CSS/XPath of the list that holds
    #: them (the profile's own, else the family's defaults).
    article_pattern: str | None = None
    list_selector: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    family: str
    origin: str
    hosts: tuple[str, ...]
    site_name: str
    columns: tuple[Column, ...]
    params: dict[str, str] = field(default_factory=dict)
    #: Other origins the family needs (gov.cn's search API lives on sousuo.www.gov.cn).
    origins: dict[str, str] = field(default_factory=dict)
    delay: float = 2.0
    concurrency: int = 1
    interval_seconds: int = 6 * 3600
    cron: str | None = None
    jitter_seconds: int = 600
    revisit_days: int = 30
    source: str = ""  # the file it came from
    #: The real portal's origins when this profile fetches from elsewhere (the replica).
    real_origin: str = ""
    real_origins: dict[str, str] = field(default_factory=dict)
    article_pattern: str | None = None
    list_selector: str | None = None
    #: An odd template's own selectors for its article pages (see extract.select).
    selectors: dict[str, str] = field(default_factory=dict)
    province: str = ""
    sources: tuple[str, ...] = ()
    verified: bool | None = None  # None: the profile does not say
    render: str = "plain"
    tls: str = "default"
    #: Attachments of new and changed documents are fetched and read, each file at most
    #: `attachment_max_file_mb`, all of one run at most `attachment_max_run_mb`.
    attachments_fetch: bool = True
    attachment_max_file_mb: float = 20.0
    attachment_max_run_mb: float = 500.0
    #: Tags a crawl node must carry to crawl this portal (`nodes: [cn]`: from inside China).
    nodes: tuple[str, ...] = ()

    def listing_overrides(self, column_id: str) -> tuple[str | None, str | None]:
        """(article_pattern, list_selector) for a column: its own, else the profile's."""
        column = next((c for c in self.columns if c.id == column_id), None)
        pattern = column.article_pattern if column else None
        selector = column.list_selector if column else None
        return pattern or self.article_pattern, selector or self.list_selector

    def origin_for(self, role: str = "") -> str:
        return self.origins.get(role, self.origin) if role else self.origin

    @property
    def canonical_origin(self) -> str:
        return self.real_origin or self.origin

    def with_origin(self, origin: str) -> Profile:
        """The same portal served from another origin (the replica): every origin swapped."""
        origin = origin.rstrip("/")
        return replace(
            self,
            origin=origin,
            origins=dict.fromkeys(self.origins, origin),
            hosts=(urlsplit(origin).netloc,),
            real_origin=self.canonical_origin,
            real_origins=self.real_origins or dict(self.origins),
        )

    def _pairs(self) -> list[tuple[str, str]]:
        """(real origin, fetched origin) pairs, longest real origin first."""
        if not self.real_origin:
            return []
        pairs = [(self.real_origin, self.origin)]
        pairs += [
            (real, self.origins.get(role, self.origin)) for role, real in self.real_origins.items()
        ]
        return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def to_fetch(self, url: str) -> str:
        """A real URL (as listings and pages name them) → the URL to fetch."""
        for real, fetched in self._pairs():
            if url.startswith(real + "/") or url == real:
                return fetched + url[len(real) :]
        return url

    def canonical(self, url: str) -> str:
        """A fetched URL → its URL on the real portal (documents live on the main origin)."""
        for real, fetched in sorted(self._pairs(), key=lambda pair: pair[0] != self.real_origin):
            if url.startswith(fetched + "/") or url == fetched:
                return real + url[len(fetched) :]
        return url

    def allows(self, url: str) -> bool:
        """Only the portal's own hosts are ever fetched."""
        return urlsplit(url).netloc in self.hosts


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


def _seconds(value: Any, path: Path, where: str, minimum: int = 0) -> int:
    """A duration (seconds, or 30m, 6h, 1d) of at least `minimum` seconds."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        seconds = value
    else:
        match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
        if match is None:
            raise _fail(
                path, where, f"cannot read {value!r} as a duration", "write seconds or 30m, 6h, 1d"
            )
        seconds = int(match.group(1)) * _SECONDS[match.group(2)]
    if seconds < minimum:
        raise _fail(
            path, where, f"{value!r} is too short", f"give at least {_duration_text(minimum)}"
        )
    return seconds


def _duration_text(seconds: int) -> str:
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
    origin = _string(data, "origin", path).rstrip("/")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise _fail(
            path,
            "origin",
            f"{origin!r} is not an origin",
            "write scheme and host, e.g. http://jxj.hangzhou.gov.cn",
        )
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
        column = Column(
            id=_string(raw, "id", path, where),
            name=_string(raw, "name", path, where),
            # A generic listing's trailing slash is part of its address (…/tzgg/ ≠ …/tzgg).
            path=_string(raw, "path", path, where, required=family in PATH_FAMILIES).lstrip("/")
            if family == "generic"
            else _string(raw, "path", path, where, required=family in PATH_FAMILIES).strip("/"),
            article_pattern=pattern,
            list_selector=selector,
        )
        columns.append(column)
    ids = [c.id for c in columns]
    if len(set(ids)) != len(ids):
        raise _fail(path, "columns", "a column id appears twice", "keep one entry per column")
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
                    path,
                    f"jpaas.{key}",
                    "missing",
                    "add it under `jpaas:` (see the column page's queryData)",
                )
    if family == "gkmlpt" and not params.get("sid"):
        raise _fail(
            path, "gkmlpt.sid", "missing",
            "add it under `gkmlpt:` (the SID in window._CONFIG on the site's /gkmlpt/index)",
        )  # fmt: skip
    sources = data.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise _fail(path, "sources", "expected a list of addresses", "write e.g. [https://…]")
    verified = data.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise _fail(path, "verified", f"{verified!r} is not true or false", "write true or false")
    politeness = _mapping(data, "politeness", path, "{delay: 3, concurrency: 1}")
    schedule = _mapping(data, "schedule", path, "{interval: 6h, jitter: 15m}")
    check_fields(politeness, POLITENESS_FIELDS, path, "politeness.")
    check_fields(schedule, SCHEDULE_FIELDS, path, "schedule.")
    try:
        delay = float(politeness.get("delay", MIN_DELAY))
        concurrency = int(politeness.get("concurrency", 1))
    except (TypeError, ValueError, OverflowError):
        raise _fail(
            path,
            "politeness",
            "delay and concurrency must be numbers",
            "e.g. delay: 2, concurrency: 1",
        ) from None
    if not (MIN_DELAY <= delay <= 3600) or not 1 <= concurrency <= 8:
        raise _fail(
            path,
            "politeness",
            f"delay from {MIN_DELAY:g} s to an hour and concurrency from 1 to 8",
            "be gentle with government servers",
        )
    article_pattern, list_selector = _listing_keys(data, path)
    cron = schedule.get("cron")
    if cron is not None:
        cron = check_cron(cron, path, "schedule.cron")
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
    choices = {}
    for key, allowed in (("render", RENDER_VALUES), ("tls", TLS_VALUES)):
        value = data.get(key, allowed[0])
        if value not in allowed:
            raise _fail(
                path, key, f"{value!r} is not one of {', '.join(allowed)}",
                f"write {key}: {allowed[1]} (or leave it out for {allowed[0]})",
            )  # fmt: skip
        choices[key] = str(value)
    return Profile(
        name=name,
        family=family,
        origin=origin,
        hosts=tuple(hosts),
        site_name=_string(data, "site_name", path, required=False) or name,
        columns=tuple(columns),
        params=params,
        origins=origins,
        delay=delay,
        concurrency=concurrency,
        interval_seconds=_seconds(
            schedule.get("interval", "6h"), path, "schedule.interval", MIN_INTERVAL
        ),
        cron=cron,
        jitter_seconds=_seconds(schedule.get("jitter", 600), path, "schedule.jitter"),
        revisit_days=revisit_days,
        source=str(path),
        article_pattern=article_pattern,
        list_selector=list_selector,
        selectors=_selectors(data, path),
        province=_string(data, "province", path, required=False),
        sources=tuple(s.strip() for s in sources),
        verified=verified,
        render=choices["render"],
        tls=choices["tls"],
        nodes=_tags(data, path),
        **_attachments(data, path),
    )


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


def load_profile(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ProfileError(
            f"{path}: not UTF-8 text (GBK?); save it as UTF-8, e.g. iconv -f GBK -t UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProfileError(f"{path}: not valid YAML: {error}") from None
    profile = parse_profile(data, path)
    if profile.name != path.stem:
        raise _fail(
            path,
            "name",
            f"{profile.name!r} differs from the file name",
            f"name the file {profile.name}{path.suffix}",
        )
    return profile


def profile_dirs(extra: str | Path | None = None) -> list[Path]:
    """Where profiles come from: the shipped ones, then $GOVWATCH_PROFILES, then `extra`."""
    dirs = [SHIPPED]
    for value in (os.environ.get("GOVWATCH_PROFILES"), extra):
        if value:
            directory = Path(value)
            if not directory.is_dir():
                raise ProfileError(
                    f"{directory}: not a directory of profiles; pass a folder of *.yaml files"
                )
            dirs.append(directory)
    return dirs


def load_profiles(extra: str | Path | None = None) -> dict[str, Profile]:
    """Every profile by name; a later directory's profile replaces an earlier one's."""
    profiles: dict[str, Profile] = {}
    for directory in profile_dirs(extra):
        seen: dict[str, Path] = {}
        for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
            profile = load_profile(path)
            if profile.name in seen:
                raise ProfileError(
                    f"{path}: the portal {profile.name} is also {seen[profile.name]}; keep one file"
                )
            seen[profile.name] = path
            profiles[profile.name] = profile
    return profiles


def select(profiles: dict[str, Profile], names: list[str]) -> list[Profile]:
    """The named profiles (all when none is named); an unknown name is a clear error."""
    if not names:
        return list(profiles.values())
    unknown = [name for name in names if name not in profiles]
    if unknown:
        raise ProfileError(
            f"unknown portal {', '.join(unknown)}; known: {', '.join(profiles)} (govwatch portals lists them)"
        )
    return [profiles[name] for name in names]
