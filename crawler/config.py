"""`govwatch.yaml`: where the corpus lives, which rules, which sinks, and per-portal schedules.

Everything is optional; without a file govwatch uses govwatch.db, the shipped rules and profiles,
and the console as its only sink. Secrets never live here: sinks name environment variables.

    db: govwatch.db
    rules: my-rules.yaml          # default: the shipped open-source rules
    profiles: my-portals/         # added to the shipped profiles
    sinks:
      - {type: console}
      - {type: jsonl, path: alerts.jsonl}
      - {type: atom, dir: feeds, base_url: https://example.org/feeds}
      - {type: webhook, url: https://example.org/hook, secret_env: GOVWATCH_WEBHOOK_SECRET}
      - {type: apprise, urls_env: GOVWATCH_APPRISE_URLS, digest: false}
    schedule:
      timeout: 1h                 # a crawl running longer is stopped
      full_every: 7d              # a --full crawl when the last one is older than this
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

from crawler.profiles import _seconds as seconds_of

DEFAULT_FILE = "govwatch.yaml"


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

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def load_config(path: str | Path | None = None, db: str | None = None) -> Config:
    """The config at `path` (or ./govwatch.yaml if it exists); `db` overrides its database."""
    chosen = Path(path) if path else (Path(DEFAULT_FILE) if Path(DEFAULT_FILE).exists() else None)
    data: dict[str, Any] = {}
    if chosen is not None:
        try:
            loaded = yaml.safe_load(chosen.read_text(encoding="utf-8")) or {}
        except OSError as error:
            raise ConfigFileError(f"{chosen}: cannot read: {error.strerror or error}") from None
        except yaml.YAMLError as error:
            raise ConfigFileError(f"{chosen}: not valid YAML: {error}") from None
        if not isinstance(loaded, dict):
            raise ConfigFileError(f"{chosen}: expected a mapping (db, rules, sinks, schedule)")
        data = loaded
    base = chosen.parent if chosen else Path.cwd()

    def relative(value: Any) -> str | None:
        return str(base / str(value)) if value else None

    sinks = data.get("sinks", [{"type": "console"}])
    if not isinstance(sinks, list):
        raise ConfigFileError(
            f"{chosen}: field 'sinks': expected a list of sinks, e.g. - {{type: console}}"
        )
    schedule = data.get("schedule") or {}
    if not isinstance(schedule, dict):
        raise ConfigFileError(f"{chosen}: field 'schedule': expected a mapping")
    try:
        triggers = {}
        for name, raw in (schedule.get("portals") or {}).items():
            where = f"schedule.portals.{name}"
            if not isinstance(raw, dict):
                raise ConfigFileError(f"{chosen}: field '{where}': expected interval or cron")
            cron = raw.get("cron")
            if cron is not None and len(str(cron).split()) != 5:
                raise ConfigFileError(
                    f"{chosen}: field '{where}.cron': {cron!r} is not a 5-field cron expression"
                )
            triggers[str(name)] = Trigger(
                seconds_of(raw["interval"], chosen or Path(DEFAULT_FILE), f"{where}.interval")
                if "interval" in raw
                else None,
                str(cron) if cron else None,
                seconds_of(raw.get("jitter", 0), chosen or Path(DEFAULT_FILE), f"{where}.jitter"),
            )
        timeout = seconds_of(
            schedule.get("timeout", 3600), chosen or Path(DEFAULT_FILE), "schedule.timeout"
        )
        full_every = seconds_of(
            schedule.get("full_every", "7d"), chosen or Path(DEFAULT_FILE), "schedule.full_every"
        )
    except ValueError as error:
        raise ConfigFileError(str(error)) from None
    return Config(
        path=chosen,
        db=db or os.environ.get("GOVWATCH_DB") or relative(data.get("db")) or "govwatch.db",
        rules=relative(data.get("rules")),
        profiles=relative(data.get("profiles")),
        sinks=sinks,
        timeout_seconds=timeout,
        full_every_seconds=full_every,
        triggers=triggers,
        replica=data.get("replica"),
    )
