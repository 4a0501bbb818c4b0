"""Delivering the alerts outbox to sinks, each alert once per sink.

Sinks: the console, a JSONL file, an Atom feed per rule (feedgen), a signed webhook (HMAC-SHA256,
idempotency key), and every channel Apprise knows — 钉钉, 企业微信, 飞书, e-mail, Telegram, Slack… —
one message per alert or a digest. A delivery is recorded after it succeeds; a failure is retried
with backoff and then left in the outbox for the next run. Receivers dedupe on the alert's key.
Deliveries are recorded per sink name (`name:`, default the type), so two sinks of one type need
names of their own. A sink that fails — whatever the exception — never stops the others.

A sink may take only some alerts — `rules: [open-source-replies]`, `kinds: [health]` — so that
operations alerts and topic alerts reach different people; an alert it does not take is no
delivery of that sink's (never sent, never pending).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from crawler.store import Store
from crawler.store.outbox import ALERT_KINDS, Route

SIGNATURE_HEADER = "X-Govwatch-Signature"
KEY_HEADER = "Idempotency-Key"
#: How many alerts a batch sink (a digest) receives at once.
BATCH = 1000


class SinkError(RuntimeError):
    """A delivery that failed; the alert stays in the outbox."""


class ConfigError(ValueError):
    """A sink configuration that cannot be used; the message names the field and the fix."""


class Sink(Protocol):
    """A sink may also have a `route` (a `Route`: the alerts it takes); without one, all."""

    name: str

    @property
    def batch(self) -> bool:
        """A batch sink takes all pending alerts at once (a feed, a digest); others one by one."""

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None: ...


def describe(alert: dict[str, Any]) -> list[str]:
    """The alert as a reader wants it: what, who asked, which proposal, who answered, where."""
    if alert.get("rule") == "health":
        lines = [f"[health] {alert.get('portal')}: {alert.get('message')}"]
        return lines + ([f"  {alert['url']}"] if alert.get("url") else [])  # no empty line
    rules = alert.get("rules") or [alert.get("rule")]
    lines = [f"[{', '.join(map(str, rules))}] {alert.get('title')}"]
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
    if alert.get("url"):
        lines.append(f"  url:          {alert['url']}")
    evidence = alert.get("evidence") or []
    for index, snippet in enumerate(alert.get("snippets") or []):
        lines.append(f"  match:        {snippet}")
        why = evidence[index] if index < len(evidence) else None
        if why:
            lines.append(f"  because:      {why}")  # which clues decided the sense of 开源
    return lines


@dataclass
class ConsoleSink:
    name: str = "console"
    batch: bool = False
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    route: Route = field(default_factory=Route)

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        for alert in alerts:
            print("\n".join(describe(alert)) + "\n", file=self.out, flush=True)


@dataclass
class JsonlSink:
    """Appends one JSON object per alert; an alert already in the file is not written twice."""

    path: Path
    name: str = "jsonl"
    batch: bool = False
    route: Route = field(default_factory=Route)

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        try:
            self._append(alerts)
        except OSError as error:
            raise SinkError(f"jsonl {self.path}: {error.strerror or error}") from None

    def _append(self, alerts: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        present = set()
        torn = False
        if self.path.exists():
            text = self.path.read_text(encoding="utf-8", errors="replace")
            # A write cut short (a crash, a full disk) leaves a last line without its newline:
            # the next alert must start a line of its own, not be glued to the torn one.
            torn = bool(text) and not text.endswith("\n")
            for line in text.splitlines():
                try:
                    present.add(json.loads(line).get("key"))
                except (ValueError, AttributeError):
                    continue
        with self.path.open("a", encoding="utf-8") as out:
            if torn:
                out.write("\n")
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
    route: Route = field(default_factory=Route)

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        from feedgen.feed import FeedGenerator

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SinkError(f"atom {self.directory}: {error.strerror or error}") from None
        for rule in self._feeds(alerts):
            feed = FeedGenerator()
            feed.id(f"{self.base_url}/{rule}.atom")
            feed.title(f"govwatch: {rule}")
            feed.link(href=f"{self.base_url}/{rule}.atom", rel="self")
            feed.author({"name": "govwatch"})
            feed.subtitle(f"New documents matching the govwatch rule {rule}")
            feed.language("zh-CN")
            entries = [a for a in reversed(store.alerts(rule, limit=200)) if self.route.takes(a)]
            for alert in entries:
                entry = feed.add_entry()
                entry.id(f"urn:govwatch:{alert['key']}")
                entry.title(alert.get("title") or alert.get("message") or alert["key"])
                text = "\n".join(describe(alert)[1:])
                if alert.get("url"):
                    entry.link(href=alert["url"])
                else:  # a health alert points nowhere: Atom then wants the text as content
                    entry.content("\n".join(describe(alert)).strip(), type="text")
                entry.published(_atom_date(alert.get("published_at") or alert["created_at"]))
                entry.updated(_atom_date(alert["created_at"]))
                entry.summary(text)
            try:
                feed.atom_file(str(self.directory / f"{rule}.atom"), pretty=True)
            except OSError as error:
                raise SinkError(f"atom {self.directory}: {error.strerror or error}") from None

    def _feeds(self, alerts: list[dict[str, Any]]) -> list[str]:
        """The rules to rewrite a feed of: those of these alerts that the sink takes."""
        rules = {rule for alert in alerts for rule in alert.get("rules") or [alert["rule"]]}
        return sorted(rule for rule in rules if self.route.takes({"rule": rule, "rules": [rule]}))


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
    route: Route = field(default_factory=Route)

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
            except (urllib.error.URLError, OSError, ValueError) as error:
                # The URL may carry a token (…/hook?access_token=…): errors name only its host.
                reason = getattr(error, "reason", None) or error
                raise SinkError(
                    f"webhook {_redact(self.url)}: {_scrub(str(reason), self.url)}"
                ) from None


@dataclass
class AppriseSink:
    """Any Apprise notification URL (dingtalk://, wecombot://, feishu://, mailto://, tgram://…)."""

    urls: list[str]
    digest: bool = False
    name: str = "apprise"
    route: Route = field(default_factory=Route)

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
            # Apprise says why a delivery failed only in its log: keep what it says.
            said: list[str] = []
            with _collected("apprise", said):
                sent = notifier.notify(title=title[:200], body=body)
            if not sent:
                reason = self._scrub(" ".join(said)) or "no reason given"
                raise SinkError(
                    f"apprise: delivery to {', '.join(map(_redact, self.urls))} failed: {reason[:300]}"
                )

    def _scrub(self, text: str) -> str:
        for url in self.urls:
            text = _scrub(text, url)
        return text


class _Collect(logging.Handler):
    """What a library says about a failure: its warnings and errors, and the socket exception
    it logs only at DEBUG (connection refused, name not known, timed out)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        message = " ".join(record.getMessage().split())
        if message.startswith("Socket Exception"):
            found = _ERRNO.findall(message)  # the innermost reason of urllib3's long chain
            self.lines.append(f"Socket Exception: {found[-1]}" if found else message)
        elif record.levelno >= logging.WARNING:
            self.lines.append(message)


_ERRNO = re.compile(r"\[Errno -?\d+\][^\"')]*")


@contextmanager
def _collected(name: str, lines: list[str]) -> Iterator[None]:
    """The logger's records into `lines` for the duration (and nowhere else meanwhile)."""
    logger = logging.getLogger(name)
    handler = _Collect(lines)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _redact(url: str) -> str:
    """A URL as errors may show it: scheme and host only (its path or query may be a token)."""
    scheme, _, rest = url.partition("://")
    if not rest:
        return url
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if len(rest) > len(host) else f"{scheme}://{host}"


def _scrub(text: str, url: str) -> str:
    """Text without the URL's secret parts (its credentials, path and query)."""
    rest = url.partition("://")[2]
    secrets = {url, rest}
    userinfo = rest.split("/", 1)[0].rpartition("@")[0]
    after_host = rest.split("/", 1)[1] if "/" in rest else ""
    for part in (userinfo, after_host, after_host.split("?", 1)[-1], *userinfo.split(":")):
        if len(part) >= 6:  # shorter parts are no secret and could be any word
            secrets.add(part)
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "…")
    return text


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in alert.items() if k not in ("id", "attempts")}


def sink_name(entry: Any, index: int) -> str:
    """What deliveries to a configured sink are recorded under: its `name:`, else its type."""
    if not isinstance(entry, dict):
        return str(index)
    return str(entry.get("name") or entry.get("type") or index)


def sinks_from_config(
    entries: list[dict[str, Any]], base: Path, env: dict[str, str] | None = None
) -> list[Sink]:
    """Sinks from `govwatch.yaml`'s `sinks:` list; secrets come from the environment."""
    env = dict(os.environ) if env is None else env
    sinks: list[Sink] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"sinks[{index}]"
        kind = entry.get("type") if isinstance(entry, dict) else None
        if not isinstance(kind, str) or kind not in SINK_KEYS:
            raise ConfigError(
                f"{where}.type: {kind!r}; use console, jsonl, atom, webhook or apprise"
            )
        unknown = sorted(set(entry) - SINK_KEYS[kind] - COMMON_KEYS)
        if unknown:
            known = ", ".join(sorted(SINK_KEYS[kind] | COMMON_KEYS))
            raise ConfigError(
                f"{where}.{unknown[0]}: not a {kind} sink field; its fields are {known}"
            )
        name = sink_name(entry, index)
        if name in names:
            raise ConfigError(
                f"{where}.name: sinks[{names[name]}] is already called {name!r} (deliveries are "
                f"recorded per sink name); give each {kind} sink its own, e.g. name: {kind}-2"
            )
        names[name] = index
        sinks.append(_sink(kind, entry, where, name, base, env, route_of(entry, where)))
    return sinks


def route_of(entry: dict[str, Any], where: str) -> Route:
    """A sink's `rules:` and `kinds:`: the alerts it takes (neither: every alert)."""
    found: dict[str, tuple[str, ...]] = {}
    for key, example in (("rules", "[open-source-replies]"), ("kinds", "[health]")):
        value = entry.get(key)
        if value is None:
            found[key] = ()
            continue
        if isinstance(value, str):
            value = [value]
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item.strip() for item in value)
        ):
            raise ConfigError(
                f"{where}.{key}: expected a list of {key}, e.g. {key}: {example} "
                "(leave it out to take every alert)"
            )
        found[key] = tuple(item.strip() for item in value)
    wrong = [kind for kind in found["kinds"] if kind not in ALERT_KINDS]
    if wrong:
        raise ConfigError(
            f"{where}.kinds: {wrong[0]!r} is no kind of alert; use {' or '.join(ALERT_KINDS)} "
            "(health: a portal blocked, failing or silent; document: a document a rule matched)"
        )
    return Route(found["rules"], found["kinds"])


def check_routes(sinks: list[Sink], rules: list[str], first: int = 0) -> None:
    """Every rule a sink's `rules:` names is a rule of the rules file (or `health`): a typo
    would route that sink nothing, silently. `first`: the index of `sinks[0]` in the file."""
    known = [*rules, "health"]
    for index, sink in enumerate(sinks, start=first):
        route = getattr(sink, "route", None) or Route()
        unknown = [rule for rule in route.rules if rule not in known]
        if unknown:
            raise ConfigError(
                f"sinks[{index}].rules: no rule {unknown[0]!r}; the rules are "
                f"{', '.join(rules)}, and health for health alerts"
            )


def sink_routes(entries: list[Any]) -> dict[str, Route]:
    """sink name → the alerts it takes, from `govwatch.yaml`'s `sinks:` (no secrets needed)."""
    return {
        sink_name(entry, index): route_of(entry, f"sinks[{index}]") if isinstance(entry, dict) else Route()
        for index, entry in enumerate(entries)
    }  # fmt: skip


#: Every sink's fields: its type, its name, and the alerts it takes (every alert by default).
COMMON_KEYS = {"type", "name", "rules", "kinds"}
#: Each sink type's own fields (besides the common ones).
SINK_KEYS: dict[str, set[str]] = {
    "console": set(),
    "jsonl": {"path"},
    "atom": {"dir", "base_url"},
    "webhook": {"url", "url_env", "secret_env"},
    "apprise": {"urls", "urls_env", "digest"},
}


def _sink(kind: str, entry: dict[str, Any], where: str, name: str, base: Path,
          env: dict[str, str], route: Route) -> Sink:  # fmt: skip
    if kind == "console":
        return ConsoleSink(name=name, route=route)
    if kind == "jsonl":
        return JsonlSink(base / str(entry.get("path") or "alerts.jsonl"), name=name, route=route)
    if kind == "atom":
        return AtomSink(
            base / str(entry.get("dir") or "feeds"),
            str(entry.get("base_url") or "http://localhost/feeds"),
            name=name,
            route=route,
        )
    if kind == "webhook":
        secret_env = str(entry.get("secret_env") or "GOVWATCH_WEBHOOK_SECRET")
        url = str(entry.get("url") or "")
        if entry.get("url_env"):  # a URL that holds a token stays out of the file too
            url = env.get(str(entry["url_env"]), "")
            if not url:
                raise ConfigError(
                    f"{where}.url_env: set the environment variable {entry['url_env']} to the receiver's URL"
                )
        if not url:
            raise ConfigError(
                f"{where}.url: missing; give the receiver's URL, or url_env naming a variable that holds it"
            )
        if not env.get(secret_env):
            raise ConfigError(
                f"{where}.secret_env: set the environment variable {secret_env} to the shared secret"
            )
        return WebhookSink(url, env[secret_env], name=name, route=route)
    urls = [str(u) for u in entry.get("urls") or []]
    if entry.get("urls_env"):
        urls += [u for u in env.get(str(entry["urls_env"]), "").split() if u]
    if not urls:
        raise ConfigError(
            f"{where}.urls: give Apprise URLs, or urls_env naming a variable that holds them"
        )
    return AppriseSink(urls, bool(entry.get("digest", False)), name=name, route=route)


@dataclass
class Delivery:
    delivered: int = 0  # alert deliveries made in this pass
    failed: int = 0  # alert deliveries tried in this pass that failed
    waiting: int = 0  # alert deliveries still pending after this pass, over every sink
    errors: list[str] = field(default_factory=list)


def _send(sink: Sink, alerts: list[dict[str, Any]], store: Store, retries: int, backoff: float,
          sleep: Callable[[float], None]) -> str | None:  # fmt: skip
    """Send with retries and backoff; the last error, or None once it went through. Any
    exception of a sink is its failure (named), never the end of the delivery to the others."""
    for attempt in range(retries + 1):
        try:
            sink.send(alerts, store)
            return None
        except SinkError as error:
            if attempt == retries:
                return str(error)
            sleep(backoff * 2**attempt)
        except BrokenPipeError:
            raise  # standard output went away (`| head`): not this sink's fault
        except Exception as error:  # a sink's bug or a library's surprise: not retried
            return f"{sink.name}: {type(error).__name__}: {error}"
    return None


def deliver(
    store: Store, sinks: list[Sink], *, retries: int = 3, backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep, only: list[int] | None = None,
) -> Delivery:  # fmt: skip
    """Deliver every pending alert (or `only` these) to every sink, each once, recording each
    delivery as it succeeds. A sink that still fails after its retries keeps its alerts for the
    next run."""
    result = Delivery()
    for sink in sinks:
        route = getattr(sink, "route", None)
        store.open_deliveries(sink.name, only, route)
        _deliver_sink(store, sink, result, retries, backoff, sleep, only)
        # Alerts claimed by another deliverer at this moment are counted, never sent twice.
        result.waiting += store.pending_count(sink.name, route)
    return result


def _deliver_sink(
    store: Store, sink: Sink, result: Delivery, retries: int, backoff: float,
    sleep: Callable[[float], None], only: list[int] | None,
) -> None:  # fmt: skip
    """Claim, send, record, one group at a time (a batch sink's page of alerts, otherwise one
    alert): a deliverer that dies mid-send repeats at most the group in flight."""
    after = 0
    route = getattr(sink, "route", None)
    while True:
        with store.claim_pending(
            sink.name, limit=BATCH if sink.batch else 1, after=after, only=only, route=route
        ) as group:
            if not group:
                return
            after = group[-1]["id"]
            error = _send(sink, group, store, retries, backoff, sleep)
            for alert in group:
                store.record_delivery(alert["id"], sink.name, error is None, error)
        if error is not None:
            result.failed += len(group)
            result.errors.append(error)
            return  # the receiver is down: the rest waits for the next run
        result.delivered += len(group)
