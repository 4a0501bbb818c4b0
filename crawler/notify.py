"""Delivering the alerts outbox to sinks, each alert once per sink.

Sinks: the console, a JSONL file, an Atom feed per rule (feedgen), a signed webhook (HMAC-SHA256,
idempotency key), and every channel Apprise knows — 钉钉, 企业微信, 飞书, e-mail, Telegram, Slack… —
one message per alert or a digest. A delivery is recorded after it succeeds; a failure is retried
with backoff and then left in the outbox for the next run. Receivers dedupe on the alert's key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from crawler.store import Store

SIGNATURE_HEADER = "X-Govwatch-Signature"
KEY_HEADER = "Idempotency-Key"


class SinkError(RuntimeError):
    """A delivery that failed; the alert stays in the outbox."""


class ConfigError(ValueError):
    """A sink configuration that cannot be used; the message names the field and the fix."""


class Sink(Protocol):
    name: str

    @property
    def batch(self) -> bool:
        """A batch sink takes all pending alerts at once (a feed, a digest); others one by one."""

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None: ...


def describe(alert: dict[str, Any]) -> list[str]:
    """The alert as a reader wants it: what, who asked, which proposal, who answered, where."""
    if alert.get("rule") == "health":
        return [
            f"[health] {alert.get('portal')}: {alert.get('message')}",
            f"  {alert.get('url') or ''}",
        ]
    lines = [f"[{alert.get('rule')}] {alert.get('title')}"]
    reply = alert.get("reply") or {}
    if reply:
        who = reply.get("addressee")
        role = reply.get("addressee_role") or ""
        if who:
            lines.append(f"  deputy:       {who}{'' if who.endswith(role) else role}")
        if reply.get("proposal_no") or reply.get("session"):
            lines.append(
                f"  proposal:     {reply.get('proposal_no') or '—'}  {reply.get('session') or ''}".rstrip()
            )
        if reply.get("proposal_title"):
            lines.append(f"  title asked:  《{reply['proposal_title']}》")
        agencies = reply.get("lead_agency") or "—"
        if reply.get("co_agencies"):
            agencies += " (lead); " + "、".join(reply["co_agencies"]) + " (co-handling)"
        lines.append(f"  answered by:  {agencies}")
        if reply.get("contact_person") or reply.get("contact_phone"):
            lines.append(
                f"  contact:      {reply.get('contact_person') or ''} {reply.get('contact_phone') or ''}".rstrip()
            )
    dates = [f"published {alert.get('published_at')}"] if alert.get("published_at") else []
    if reply.get("signed_date"):
        dates.append(f"signed {reply['signed_date']}")
    if dates:
        lines.append("  dates:        " + ", ".join(dates))
    lines.append(f"  url:          {alert.get('url')}")
    for snippet in alert.get("snippets") or []:
        lines.append(f"  match:        {snippet}")
    return lines


@dataclass
class ConsoleSink:
    name: str = "console"
    batch: bool = False
    out: IO[str] = field(default_factory=lambda: sys.stdout)

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        for alert in alerts:
            print("\n".join(describe(alert)) + "\n", file=self.out, flush=True)


@dataclass
class JsonlSink:
    """Appends one JSON object per alert; an alert already in the file is not written twice."""

    path: Path
    name: str = "jsonl"
    batch: bool = False

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        present = set()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    present.add(json.loads(line).get("key"))
                except ValueError:
                    continue
        with self.path.open("a", encoding="utf-8") as out:
            for alert in alerts:
                if alert["key"] not in present:
                    out.write(json.dumps(_public(alert), ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())


@dataclass
class AtomSink:
    """An Atom feed per rule, rewritten from the outbox (so it is idempotent by construction)."""

    directory: Path
    base_url: str = "http://localhost/feeds"
    name: str = "atom"
    batch: bool = True

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        from feedgen.feed import FeedGenerator

        self.directory.mkdir(parents=True, exist_ok=True)
        for rule in sorted({alert["rule"] for alert in alerts}):
            feed = FeedGenerator()
            feed.id(f"{self.base_url}/{rule}.atom")
            feed.title(f"govwatch: {rule}")
            feed.link(href=f"{self.base_url}/{rule}.atom", rel="self")
            feed.author({"name": "govwatch"})
            feed.subtitle(f"New documents matching the govwatch rule {rule}")
            feed.language("zh-CN")
            entries = list(reversed(store.alerts(rule, limit=200)))
            for alert in entries:
                entry = feed.add_entry()
                entry.id(f"urn:govwatch:{alert['key']}")
                entry.title(alert.get("title") or alert.get("message") or alert["key"])
                if alert.get("url"):
                    entry.link(href=alert["url"])
                entry.published(_atom_date(alert.get("published_at") or alert["created_at"]))
                entry.updated(_atom_date(alert["created_at"]))
                entry.summary("\n".join(describe(alert)[1:]))
            feed.atom_file(str(self.directory / f"{rule}.atom"), pretty=True)


def _atom_date(value: str) -> str:
    return value if "T" in value else value + "T00:00:00+08:00"


@dataclass
class WebhookSink:
    """POST JSON, signed: `X-Govwatch-Signature: sha256=<HMAC of the body>`, `Idempotency-Key`."""

    url: str
    secret: str
    name: str = "webhook"
    batch: bool = False
    timeout: float = 10.0

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        for alert in alerts:
            body = json.dumps(_public(alert), ensure_ascii=False).encode()
            signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            request = urllib.request.Request(
                self.url, data=body, method="POST",
                headers={"Content-Type": "application/json; charset=utf-8", KEY_HEADER: alert["key"],
                         SIGNATURE_HEADER: f"sha256={signature}", "User-Agent": "govwatch-webhook/0.1"},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    answer.read()
            except (urllib.error.URLError, OSError) as error:
                raise SinkError(f"webhook {self.url}: {error}") from None


@dataclass
class AppriseSink:
    """Any Apprise notification URL (dingtalk://, wecombot://, feishu://, mailto://, tgram://…)."""

    urls: list[str]
    digest: bool = False
    name: str = "apprise"

    @property
    def batch(self) -> bool:
        return self.digest

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        import apprise

        notifier = apprise.Apprise()
        for url in self.urls:
            if not notifier.add(url):
                raise SinkError(f"apprise: cannot use the notification URL {_redact(url)}")
        messages = (
            [
                (
                    f"govwatch: {len(alerts)} new alert(s)",
                    "\n\n".join("\n".join(describe(a)) for a in alerts),
                )
            ]
            if self.digest
            else [(str(a.get("title") or a.get("message")), "\n".join(describe(a))) for a in alerts]
        )
        for title, body in messages:
            if not notifier.notify(title=title[:200], body=body):
                raise SinkError(f"apprise: delivery to {', '.join(map(_redact, self.urls))} failed")


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://…" if rest else url


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in alert.items() if k not in ("id", "attempts")}


def sinks_from_config(
    entries: list[dict[str, Any]], base: Path, env: dict[str, str] | None = None
) -> list[Sink]:
    """Sinks from `govwatch.yaml`'s `sinks:` list; secrets come from the environment."""
    env = dict(os.environ) if env is None else env
    sinks: list[Sink] = []
    for index, entry in enumerate(entries):
        where = f"sinks[{index}]"
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind == "console":
            sinks.append(ConsoleSink())
        elif kind == "jsonl":
            sinks.append(JsonlSink(base / str(entry.get("path") or "alerts.jsonl")))
        elif kind == "atom":
            sinks.append(
                AtomSink(
                    base / str(entry.get("dir") or "feeds"),
                    str(entry.get("base_url") or "http://localhost/feeds"),
                )
            )
        elif kind == "webhook":
            secret_env = str(entry.get("secret_env") or "GOVWATCH_WEBHOOK_SECRET")
            if not entry.get("url"):
                raise ConfigError(f"{where}.url: missing; give the receiver's URL")
            if not env.get(secret_env):
                raise ConfigError(
                    f"{where}.secret_env: set the environment variable {secret_env} to the shared secret"
                )
            sinks.append(
                WebhookSink(
                    str(entry["url"]), env[secret_env], name=str(entry.get("name") or "webhook")
                )
            )
        elif kind == "apprise":
            urls = [str(u) for u in entry.get("urls") or []]
            if entry.get("urls_env"):
                urls += [u for u in env.get(str(entry["urls_env"]), "").split() if u]
            if not urls:
                raise ConfigError(
                    f"{where}.urls: give Apprise URLs, or urls_env naming a variable that holds them"
                )
            sinks.append(
                AppriseSink(
                    urls, bool(entry.get("digest", False)), name=str(entry.get("name") or "apprise")
                )
            )
        else:
            raise ConfigError(
                f"{where}.type: {kind!r}; use console, jsonl, atom, webhook or apprise"
            )
    return sinks


@dataclass
class Delivery:
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _send(sink: Sink, alerts: list[dict[str, Any]], store: Store, retries: int, backoff: float,
          sleep: Callable[[float], None]) -> str | None:  # fmt: skip
    """Send with retries and backoff; the last error, or None once it went through."""
    for attempt in range(retries + 1):
        try:
            sink.send(alerts, store)
            return None
        except SinkError as error:
            if attempt == retries:
                return str(error)
            sleep(backoff * 2**attempt)
    return None


def deliver(
    store: Store, sinks: list[Sink], *, retries: int = 3, backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:  # fmt: skip
    """Deliver every pending alert to every sink, each once, recording each delivery as it
    succeeds. A sink that still fails after its retries keeps its alerts for the next run."""
    result = Delivery()
    for sink in sinks:
        pending = store.pending_alerts(sink.name)
        groups = [pending] if sink.batch and pending else [[alert] for alert in pending]
        for group in groups:
            error = _send(sink, group, store, retries, backoff, sleep)
            for alert in group:
                store.record_delivery(alert["id"], sink.name, error is None, error)
            if error is not None:
                result.failed += len(group)
                result.errors.append(error)
                break  # the receiver is down: the rest waits for the next run
            result.delivered += len(group)
    return result
