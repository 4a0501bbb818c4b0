"""`govwatch alerts`: what went out, to which sink, and what waits; `alerts resend`."""

from __future__ import annotations

import json
from typing import Any

import click

from crawler.cli import SINCE_HELP, SinceType, cli, config_options, fail, json_option
from crawler.clock import shown


@cli.group(invoke_without_command=True)
@click.option("--pending", is_flag=True, help="only alerts some sink has not received yet")
@click.option("--rule", metavar="NAME", help="only alerts of this rule")
@click.option("--since", type=SinceType("utc"), metavar="WHEN", help=f"created since {SINCE_HELP}")
@click.option("--limit", type=int, default=50, show_default=True, help="alerts to show")
@config_options
@json_option("one JSON object per alert, with its deliveries")
@click.pass_context
def alerts(
    ctx: click.Context, pending: bool, rule: str | None, since: str | None, limit: int,
    config: str | None, db: str | None, as_json: bool,
) -> int:  # fmt: skip
    """Recent alerts, newest first, with their delivery to each sink.

    \b
    Examples: govwatch alerts --pending --config govwatch.yaml
              govwatch alerts --rule open-source-replies --since 7d
              govwatch alerts resend 12 13 --sink webhook
    """
    if ctx.invoked_subcommand is not None:
        return 0
    from crawler.cli import load_config_or_exit
    from crawler.cli.documents import read_corpus

    settings = load_config_or_exit(config, db)
    routes = _routes(settings)
    with read_corpus(settings.db) as store:
        found = store.alerts(rule, limit=limit if not pending else 1_000_000, since=since)
        deliveries = store.deliveries([alert["id"] for alert in found])
        total = len(found) if pending else store.count_alerts(rule, since=since)
    shown_alerts: list[tuple[dict[str, Any], dict[str, Any]]] = []
    waiting = 0
    for alert in found:
        state = _state(alert, deliveries.get(alert["id"], {}), routes)
        if pending and not any(_waits(d) for d in state.values()):
            continue
        waiting += 1
        if len(shown_alerts) < limit:
            shown_alerts.append((alert, state))
    total = waiting if pending else total
    for alert, state in shown_alerts:
        if as_json:
            record = {key: alert.get(key) for key in ("id", "key", "rules", "created_at", "portal",
                                                       "url", "title", "kind", "message")}  # fmt: skip
            record["deliveries"] = {sink: d or {"status": "pending"} for sink, d in state.items()}
            click.echo(json.dumps(record, ensure_ascii=False))
            continue
        click.echo(f"#{alert['id']}  {shown(alert['created_at'])}  [{', '.join(alert['rules'])}]  "
                   f"{alert.get('portal') or ''}")  # fmt: skip
        click.echo(f"    {alert.get('title') or alert.get('message') or alert['key']}")
        if alert.get("url"):
            click.echo(f"    {alert['url']}")
        click.echo("    " + " · ".join(_delivery(sink, d) for sink, d in state.items()))
    if not as_json:
        what = "pending alert(s)" if pending else "alert(s)"
        count = f"{len(shown_alerts)} of {total}" if total > len(shown_alerts) else str(total)
        click.echo(f"{count} {what}" + (f" of rule {rule}" if rule else "")
                   + (" (--limit shows more)" if total > len(shown_alerts) else ""))  # fmt: skip
    return 0


def _routes(settings: Any) -> dict[str, Any]:
    """sink name → the alerts it takes, or a one-line error for a sink that cannot be read."""
    from crawler.watch.notify import ConfigError, sink_routes

    try:
        return sink_routes(settings.sinks)
    except ConfigError as error:
        raise fail("alerts", f"{settings.path or 'govwatch.yaml'}: {error}") from None


def _state(
    alert: dict[str, Any], recorded: dict[str, dict[str, Any]], routes: dict[str, Any]
) -> dict[str, dict[str, Any] | None]:
    """sink → the alert's delivery there: recorded, None (pending), or not routed (the sink
    does not take the alert); sinks no longer configured keep what they recorded."""
    state: dict[str, dict[str, Any] | None] = {}
    for sink, route in routes.items():
        delivery = recorded.get(sink)
        if not route.takes(alert) and (delivery is None or delivery["status"] != "delivered"):
            state[sink] = {"status": "not routed"}
        else:
            state[sink] = delivery
    for sink, delivery in recorded.items():
        state.setdefault(sink, delivery)
    return state


def _waits(delivery: dict[str, Any] | None) -> bool:
    """A delivery still to make: none yet, pending or failed (not delivered, not routed)."""
    return delivery is None or delivery["status"] not in ("delivered", "not routed")


@alerts.command("resend")
@click.argument("ids", nargs=-1, required=True, type=int, metavar="ID…")
@click.option("--sink", required=True, metavar="NAME", help="the sink to send them to again")
@config_options
def alerts_resend(ids: tuple[int, ...], sink: str, config: str | None, db: str | None) -> int:
    """Send alerts again through one sink (its delivery is recorded anew).

    \b
    Example: govwatch alerts resend 12 13 --sink webhook --config govwatch.yaml
    """
    from crawler.cli import load_config_or_exit
    from crawler.store import open_store
    from crawler.watch.notify import ConfigError, deliver, sinks_from_config

    settings = load_config_or_exit(config, db)
    try:
        chosen = [s for s in sinks_from_config(settings.sinks, settings.base) if s.name == sink]
    except ConfigError as error:
        raise fail("alerts resend", f"{settings.path or 'govwatch.yaml'}: {error}") from None
    if not chosen:
        raise fail("alerts resend", f"--sink {sink}: no such sink; the sinks are "
                   f"{', '.join(_sink_names(settings))}")  # fmt: skip
    with open_store(settings.db) as store:
        known = {alert["id"] for alert in store.alerts(limit=len(ids), ids=list(ids))}
        missing = sorted(set(ids) - known)
        if missing:
            raise fail("alerts resend", f"no alert #{missing[0]} in {settings.db}; "
                       "`govwatch alerts` lists them")  # fmt: skip
        route = getattr(chosen[0], "route", None)
        unrouted = [a["id"] for a in store.alerts(limit=len(ids), ids=list(ids))
                    if route is not None and not route.takes(a)]  # fmt: skip
        store.requeue(list(ids), sink)
        result = deliver(store, chosen, only=list(ids))
    click.echo(f"{result.delivered} alert(s) sent again to {sink}"
               + (f"; failed: {result.errors[0]}" if result.errors else "")
               + (f"; not routed to {sink} (its rules or kinds), not sent: "
                  f"{', '.join(f'#{i}' for i in sorted(unrouted))}" if unrouted else ""))  # fmt: skip
    return 1 if result.failed else 0


def _sink_names(settings: Any) -> list[str]:
    from crawler.watch.notify import sink_name

    return [sink_name(entry, index) for index, entry in enumerate(settings.sinks)]


def _delivery(sink: str, delivery: dict[str, Any] | None) -> str:
    if delivery is None or delivery["status"] == "pending":  # no row yet, or one not yet tried
        return f"{sink}: pending"
    if delivery["status"] == "not routed":
        return f"{sink}: not routed"
    if delivery["status"] == "delivered":
        return f"{sink}: delivered {shown(delivery['at'])}"
    tries = delivery["attempts"]
    return f"{sink}: failed ×{tries} ({delivery['error'] or 'no reason given'})"
