"""`govwatch.yaml`: where the corpus lives, which rules, which sinks, and per-portal schedules.

Everything is optional; without a file govwatch uses govwatch.db, the shipped rules and profiles,
and the console as its only sink. Secrets never live here: sinks name environment variables.
The database is `--db`, else this file's `db:`, else $GOVWATCH_DB, else govwatch.db. The file is
UTF-8; a field govwatch does not know is an error, never ignored.

    db: govwatch.db
    rules: my-rules.yaml          # default: the shipped open-source rules
    profiles: my-portals/         # added to the shipped profiles
    portals: [hangzhou-jxj, govcn]  # run and schedule crawl only these (default: every profile)
    sinks:
      - {type: console}
      - {type: jsonl, path: alerts.jsonl}
      - {type: atom, dir: feeds, base_url: https://example.org/feeds}
      - {type: webhook, url: https://example.org/hook, secret_env: GOVWATCH_WEBHOOK_SECRET}
      - {type: apprise, urls_env: GOVWATCH_APPRISE_URLS, digest: false}
    schedule:
      timeout: 1h                 # a crawl running longer is stopped
      full_every: 7d              # a --full crawl when the last one is older than this
      metrics_port: 9108          # Prometheus metrics of `govwatch schedule` (HOST:PORT too)
      portals:
        hangzhou-jxj: {interval: 2h, jitter: 10m}
        govcn: {cron: "0 8,20 * * *"}
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crawler.portals.model import ProfileError
from crawler.portals.parse import (
    MAX_INTERVAL,
    MAX_JITTER,
    MAX_TIMEOUT,
    MIN_INTERVAL,
    check_cron,
    check_fields,
)
from crawler.portals.parse import duration_seconds as seconds_of
from crawler.store import is_url

DEFAULT_FILE = "govwatch.yaml"
FIELDS = ("db", "rules", "profiles", "portals", "sinks", "schedule", "replica")
SCHEDULE_FIELDS = ("timeout", "full_every", "portals", "metrics_port")
TRIGGER_FIELDS = ("interval", "cron", "jitter")


class ConfigFileError(ValueError):
    """A config file that cannot be used; the message names the file, the field and the fix."""


@dataclass
class Trigger:
    interval_seconds: int | None = None
    cron: str | None = None
    jitter_seconds: int = 0


@dataclass
class Config:
    path: Path | None
    db: str
    rules: str | None = None
    profiles: str | None = None
    sinks: list[dict[str, Any]] = field(default_factory=lambda: [{"type": "console"}])
    timeout_seconds: int = 3600
    full_every_seconds: int = 7 * 86400
    triggers: dict[str, Trigger] = field(default_factory=dict)
    replica: str | None = None  # crawl a replica instead of the real portals (the demo, tests)
    portals: list[str] = field(default_factory=list)  # the portals to watch (empty: every one)
    metrics_port: str | None = (
        None  # `schedule` serves Prometheus metrics here (crawler/run/metrics.py)
    )

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def watched(self, profiles: dict[str, Any]) -> dict[str, Any]:
        """The profiles `run` and `schedule` crawl: those `portals:` names, else every one."""
        self.check_portals(list(profiles))
        if not self.portals:
            return profiles
        return {name: profiles[name] for name in self.portals}

    def check_portals(self, names: list[str]) -> None:
        """Every portal the config names must exist (a typo would silently change nothing)."""
        for index, name in enumerate(self.portals):
            if name not in names:
                raise ConfigFileError(
                    f"{self.path or DEFAULT_FILE}: field 'portals[{index}]': no such portal "
                    f"{name!r}; the portals are {', '.join(names)} (`govwatch portals` lists them)"
                )
        for name in self.triggers:
            if name not in names:
                raise ConfigFileError(
                    f"{self.path or DEFAULT_FILE}: field 'schedule.portals.{name}': no such portal; "
                    f"the portals are {', '.join(names)}"
                )


def load_config(path: str | Path | None = None, db: str | None = None) -> Config:
    """The config at `path` (or ./govwatch.yaml if it exists); `db` overrides its database."""
    chosen = Path(path) if path else (Path(DEFAULT_FILE) if Path(DEFAULT_FILE).exists() else None)
    data: dict[str, Any] = {}
    if chosen is not None:
        try:
            loaded = yaml.safe_load(chosen.read_text(encoding="utf-8")) or {}
        except OSError as error:
            raise ConfigFileError(f"{chosen}: cannot read: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise ConfigFileError(
                f"{chosen}: not UTF-8 text (GBK?); save it as UTF-8, e.g. iconv -f GBK -t UTF-8"
            ) from None
        except yaml.YAMLError as error:
            raise ConfigFileError(f"{chosen}: not valid YAML: {error}") from None
        if not isinstance(loaded, dict):
            raise ConfigFileError(f"{chosen}: expected a mapping (db, rules, sinks, schedule)")
        data = loaded
    try:
        return _config(data, chosen, db)
    except ProfileError as error:
        raise ConfigFileError(str(error)) from None


def _config(data: dict[str, Any], chosen: Path | None, db: str | None) -> Config:
    where_file = chosen or Path(DEFAULT_FILE)
    check_fields(data, FIELDS, where_file, "")
    base = chosen.parent if chosen else Path.cwd()

    def relative(value: Any) -> str | None:
        if isinstance(value, str) and is_url(value):  # a PostgreSQL database, not a file
            return value
        return str(base / str(value)) if value else None

    sinks = data.get("sinks", [{"type": "console"}])
    if not isinstance(sinks, list):
        raise ConfigFileError(
            f"{chosen}: field 'sinks': expected a list of sinks, e.g. - {{type: console}}"
        )
    schedule = data.get("schedule") or {}
    if not isinstance(schedule, dict):
        raise ConfigFileError(f"{chosen}: field 'schedule': expected a mapping")
    check_fields(schedule, SCHEDULE_FIELDS, where_file, "schedule.")
    portals = schedule.get("portals") or {}
    if not isinstance(portals, dict):
        raise ConfigFileError(
            f"{chosen}: field 'schedule.portals': expected a mapping, e.g. {{govcn: {{interval: 12h}}}}"
        )
    triggers = {}
    for name, raw in portals.items():
        where = f"schedule.portals.{name}"
        if not isinstance(raw, dict):
            raise ConfigFileError(f"{chosen}: field '{where}': expected interval or cron")
        check_fields(raw, TRIGGER_FIELDS, where_file, f"{where}.")
        cron = raw.get("cron")
        triggers[str(name)] = Trigger(
            seconds_of(raw["interval"], where_file, f"{where}.interval", MIN_INTERVAL)
            if "interval" in raw
            else None,
            check_cron(cron, where_file, f"{where}.cron") if cron is not None else None,
            seconds_of(raw.get("jitter", 0), where_file, f"{where}.jitter", 0, MAX_JITTER),
        )
    watched = data.get("portals") or []
    if not isinstance(watched, list) or not all(isinstance(n, str) and n for n in watched):
        raise ConfigFileError(
            f"{chosen}: field 'portals': expected a list of portal names, e.g. [hangzhou-jxj, govcn]"
        )
    # Each duration bounded here, where it is read: `check` then refuses what would overflow in
    # `status`, `run` or `schedule` later.
    timeout = seconds_of(
        schedule.get("timeout", 3600), where_file, "schedule.timeout", 1, MAX_TIMEOUT
    )
    full_every = seconds_of(
        schedule.get("full_every", "7d"), where_file, "schedule.full_every", 0, MAX_INTERVAL
    )
    return Config(
        path=chosen,
        db=db or relative(data.get("db")) or os.environ.get("GOVWATCH_DB") or "govwatch.db",
        rules=relative(data.get("rules")),
        profiles=relative(data.get("profiles")),
        sinks=sinks,
        timeout_seconds=timeout,
        full_every_seconds=full_every,
        triggers=triggers,
        replica=data.get("replica"),
        portals=list(watched),
        metrics_port=str(schedule["metrics_port"]) if schedule.get("metrics_port") else None,
    )
