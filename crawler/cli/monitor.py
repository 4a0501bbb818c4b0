"""Commands of the monitor: portals, crawl, run, schedule, status."""

from __future__ import annotations

import json
import signal
from typing import Any

import click

from crawler.cli import (
    EXIT_USAGE,
    cli,
    config_options,
    db_option,
    fail,
    json_option,
    load_config_or_exit,
    load_profiles_or_exit,
)
from crawler.cli import profiles_option as profiles_dir_option

#: `govwatch run` found the database's lock held by another run or schedule (sysexits' TEMPFAIL).
EXIT_BUSY = 75


class ReplicaError(ValueError):
    """--replica names no running replica."""


def replica_of(url: str) -> tuple[dict[str, str], str]:
    """A running replica's sites and simulated day, or a one-line error."""
    from crawler.portals.origins import OriginsError, served_day, served_origins

    try:
        return served_origins(url), served_day(url)
    except OriginsError as error:
        raise ReplicaError(
            f"--replica {error}; give the URL `govwatch replica serve` printed, e.g. "
            "http://127.0.0.1:8400"
        ) from None


@cli.command()
@click.argument("names", nargs=-1, metavar="PORTAL…")
@db_option
@click.option("--full", is_flag=True, help="walk every listing page and revisit every document")
@click.option("--replica", metavar="URL", help="crawl the portals a running replica serves")
@profiles_dir_option
@click.option("--rules", metavar="FILE", help="watch rules for alerts (default: the shipped rules)")
@json_option("print the run's summary as JSON")
@click.option("--verbose", is_flag=True, help="log every request")
@click.option("--progress", is_flag=True, help="print progress every 10 s (on at a terminal)")
def crawl(
    names: tuple[str, ...], db: str, full: bool, replica: str | None, profiles: str | None,
    rules: str | None, as_json: bool, verbose: bool, progress: bool,
) -> int:  # fmt: skip
    """Crawl the named portals (all by default) once into the corpus.

    \b
    Examples: govwatch crawl hangzhou-jxj --db corpus.db
              govwatch crawl --replica http://127.0.0.1:8400 --json
    """
    from crawler.portals.profiles import ProfileError, select
    from crawler.run import crawl as crawling
    from crawler.store import StoreError
    from crawler.watch.rules import RulesError

    found = load_profiles_or_exit(profiles)
    today = None
    served: dict[str, str] = {}
    try:
        if replica:
            served, today = replica_of(replica)
            found = {name: p for name, p in found.items() if name in served}
        chosen = select(found, list(names))
    except (ProfileError, ReplicaError) as error:
        raise fail("crawl", error) from None
    try:
        summary = crawling.run(
            chosen, db=db, full=full, replica=replica, origins=served, today=today,
            profiles_dir=profiles,
            log_level="INFO" if verbose else "WARNING", progress=progress, rules=rules,
        )  # fmt: skip
    except (StoreError, RulesError) as error:
        raise fail("crawl", error) from None
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(
            f"{summary['requests']} requests, {summary['documents_new']} new, "
            f"{summary['documents_changed']} changed, {summary['documents_gone']} gone, "
            f"{summary['errors']} errors, {len(summary['blocked'])} blocked "
            f"in {summary['duration_s']} s (run {summary['run']})"
        )
        for blocked in summary["blocked"]:
            click.echo(f"  blocked: {blocked['portal']} {blocked['column']} {blocked['url']}: "
                       f"{blocked['message']}")  # fmt: skip
        for line in crawling.defence_lines(summary):  # the browser, TLS, what still blocks
            click.echo(line)
    code: int = crawling.EXIT_CODES[summary["status"]]
    if code:
        click.echo(f"govwatch crawl: {crawling.problem_line(summary)}", err=True)
    return code


@cli.command()
@click.argument("names", nargs=-1, metavar="PORTAL…")
@click.option("--due", is_flag=True, help="only the portals that are due (the default)")
@click.option("--all", "every", is_flag=True, help="every portal, due or not")
@click.option("--wait", is_flag=True, help="wait while another run holds the database's lock")
@click.option(
    "--if-idle", is_flag=True, help="exit 0 quietly when another run or schedule holds the lock"
)
@config_options
def run(
    names: tuple[str, ...], due: bool, every: bool, wait: bool, if_idle: bool,
    config: str | None, db: str | None,
) -> int:  # fmt: skip
    """One scheduler pass: crawl the due portals, then deliver alerts.

    For people who prefer system cron: crawl the portals that are due (or those named, or
    --all), each in a child process with a timeout, then deliver the alerts to the sinks of
    govwatch.yaml. One run or schedule at a time per database: while another holds its lock,
    run refuses (exit 75), waits (--wait), or exits 0 quietly (--if-idle, for cron).

    \b
    Examples: govwatch run --due --config govwatch.yaml
              govwatch run --if-idle --config govwatch.yaml   (in crontab)
    """
    from crawler.run.lock import RunLock, SchedulerLocked
    from crawler.run.schedule import request_stop, stopping

    settings = load_config_or_exit(config, db)
    stopping.clear()
    # SIGTERM (systemd, a timeout) or Ctrl-C: the running crawl stops cleanly, nothing else runs.
    previous = {signum: signal.signal(signum, lambda *_: request_stop())
                for signum in (signal.SIGTERM, signal.SIGINT)}  # fmt: skip
    lock = RunLock(settings.db, "run")
    try:
        try:
            lock.acquire(float("inf") if wait else 0.0, stop=stopping.is_set)
        except SchedulerLocked as error:
            if stopping.is_set():
                return 130  # stopped while waiting
            if if_idle:
                return 0  # cron: the run or schedule holding it does this work
            click.echo(f"govwatch run: {error}; try again when it ends, or wait for it with "
                       "--wait (--if-idle: exit quietly)", err=True)  # fmt: skip
            return EXIT_BUSY
        try:
            return _run_pass(settings, names, due, every)
        finally:
            lock.release()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _run_pass(settings: Any, names: tuple[str, ...], due: bool, every: bool) -> int:
    """`govwatch run`'s pass, with the lock held: crawl, deliver, say what happened."""
    from crawler.config import ConfigFileError
    from crawler.portals.profiles import ProfileError
    from crawler.run.crawl import defence_lines
    from crawler.run.schedule import crawl_problem, crawl_status, run_pass
    from crawler.watch.notify import ConfigError
    from crawler.watch.rules import RulesError

    try:
        result = run_pass(
            settings, only_due=due or not (every or names), portals=list(names) or None
        )
    except (ConfigError, ConfigFileError, ProfileError, RulesError, ReplicaError) as error:
        raise fail("run", error) from None
    problems = []
    for portal, summary in result.crawls.items():
        status = crawl_status(summary)
        if "requests" in summary:
            click.echo(f"{portal}: {status}: {summary['requests']} requests, "
                       f"{summary['documents_new']} new, {summary['documents_changed']} changed, "
                       f"{summary['documents_gone']} gone, {summary['errors']} errors, "
                       f"{len(summary['blocked'])} blocked"
                       + (f" ({summary['error']})" if summary.get("error") else ""))  # fmt: skip
        else:
            click.echo(f"{portal}: {status}: {summary.get('error')}")
        for line in defence_lines(summary):  # the browser, TLS, what still blocks, robots.txt
            click.echo(line)
        if status != "done":  # the first problem, as `crawl` says it
            problems.append(crawl_problem(portal, summary))
    if not result.crawls and not result.interrupted:
        click.echo("no portal is due")
    delivery = result.delivery
    click.echo(f"alerts: {delivery.delivered} delivered, {delivery.waiting} waiting for a retry"
               + (f" ({'; '.join(delivery.errors)})" if delivery.errors else ""))  # fmt: skip
    if result.interrupted:
        problems.append("interrupted: alerts stay in the outbox for the next run")
    if delivery.failed:
        problems.append(f"{delivery.waiting} alert deliveries waiting ({delivery.errors[0]})")
    if result.exit_code:
        click.echo(f"govwatch run: {'; '.join(problems)}", err=True)
    code: int = result.exit_code
    return code


@cli.command()
@config_options
@click.option("--metrics-port", metavar="[HOST:]PORT",
              help="serve Prometheus metrics at /metrics (default: the config's schedule.metrics_port)")  # fmt: skip
def schedule(config: str | None, db: str | None, metrics_port: str | None) -> int:
    """Run crawls on schedule and deliver alerts, until stopped.

    Each portal on its own trigger (interval or cron with jitter) from its profile or
    govwatch.yaml; overdue portals run at start; one scheduler per database. With
    --metrics-port, Prometheus metrics (crawls, documents, alerts per sink, last success,
    blocked portals) at http://127.0.0.1:PORT/metrics.

    \b
    Examples: govwatch schedule --config govwatch.yaml
              govwatch schedule --metrics-port 9108
    """
    from crawler.config import ConfigFileError
    from crawler.portals.profiles import ProfileError
    from crawler.run.lock import SchedulerLocked
    from crawler.run.schedule import Scheduler
    from crawler.watch.notify import ConfigError
    from crawler.watch.rules import RulesError

    settings = load_config_or_exit(config, db)
    listen = metrics_port or settings.metrics_port
    if listen:
        from crawler.run.metrics import MetricsError, start

        try:
            start(settings, listen)
        except MetricsError as error:
            raise fail("schedule", error) from None
    try:
        Scheduler(settings).run_forever()
    except (SchedulerLocked, ConfigError, ConfigFileError, ProfileError, RulesError) as error:
        raise fail("schedule", error) from None
    return 0


@cli.command()
@config_options
@json_option("print JSON")
def status(config: str | None, db: str | None, as_json: bool) -> int:
    """Each portal's last crawl, last full walk, last new document, health and next run; the
    deliveries pending per sink; the corpus's size against its cap.

    \b
    Example: govwatch status --config govwatch.yaml
    """
    from crawler.cli.documents import read_corpus
    from crawler.config import ConfigFileError
    from crawler.portals.profiles import ProfileError
    from crawler.run.health import lines, snapshot

    settings = load_config_or_exit(config, db)
    with read_corpus(settings.db):
        pass  # a clear error for a missing, foreign or newer database
    try:
        found = snapshot(settings)
    except (ProfileError, ConfigFileError) as error:
        raise fail("status", error) from None
    if as_json:
        click.echo(json.dumps({"documents": found.counts, **found.to_json()}, ensure_ascii=False))
        return 0
    for line, colour in lines(found):  # one row per portal, coloured by its health
        click.echo(click.style(line, fg=colour) if colour and colour != "grey" else line)
    return 0


@cli.command()
@config_options
@profiles_dir_option
@click.option(
    "--send-test-alert", is_flag=True, help="send one marked test alert through every sink"
)
def check(config: str | None, db: str | None, profiles: str | None, send_test_alert: bool) -> int:
    """Check the configuration, profiles, rules and sinks in one pass; every problem is listed.

    With --send-test-alert, one alert marked as a test goes through every sink, and each
    sink's result is shown (the corpus is not touched).

    \b
    Examples: govwatch check --config govwatch.yaml
              govwatch check --send-test-alert
              govwatch check --profiles ./my-portals
    """
    from crawler.run.check import checkup

    problems, notes, sinks = checkup(config, db, profiles)
    for note in notes:
        click.echo(f"ok       {note}")
    for problem in problems:
        click.echo(f"PROBLEM  {problem}")
    if send_test_alert:
        from crawler.run.check import send_test

        if not sinks:
            problems.append("no sink to send a test alert through (fix the sinks above)")
        for name, error in send_test(sinks):
            if error:
                problems.append(f"sink {name}: the test alert failed: {error}")
                click.echo(f"PROBLEM  sink {name}: the test alert failed: {error}")
            else:
                click.echo(f"sent     a test alert through sink {name}")
    if problems:
        click.echo(f"govwatch check: {len(problems)} problem(s)", err=True)
        return EXIT_USAGE
    click.echo("everything checks out")
    return 0
