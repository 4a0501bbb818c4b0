"""The replica's commands, which `govwatch` offers where the replica is installed (the
`govwatch.commands` entry points): `demo`, `replica serve|truth` and `cluster demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli import EXIT_USAGE, fail


@click.command()
@click.option("--dir", "directory", default="govwatch-demo", show_default=True,
              help="where the database, alerts and feeds go")  # fmt: skip
@click.option("--docs", type=int, default=300, show_default=True, help="documents per replica site")
def demo(directory: str, docs: int) -> int:
    """Show the whole job on the embedded default.

    Start the replica before 2023-11-03, crawl it into a fresh SQLite file, move time past
    2023-11-03, run one scheduler pass and print the alert for the real 西湖31号 reply.
    """
    from replica.demo import run_demo

    click.echo("govwatch demo — the replica portals, a fresh SQLite file, one scheduler pass.\n")
    try:
        run_demo(Path(directory), docs)
    except KeyboardInterrupt:
        click.echo("\ngovwatch demo: stopped; the replica was shut down", err=True)
        return 130
    return 0


# The replica


@click.group()
def replica() -> None:
    """Local portals that behave like the real ones.

    Serve simulated disclosure portals (Hanweb classic and its traditional mirror, jpaas, TRS
    WCM, www.gov.cn) or print the truth about their documents.
    """


def replica_options(f: Any) -> Any:
    f = click.option("--seed", type=int, default=1, show_default=True, help="corpus seed")(f)
    f = click.option("--day", help="ISO date or day number from 2023-01-01 (default: today)")(f)
    return click.option("--docs", type=int, default=200, show_default=True,
                        help="documents per site (≤ 50000)")(f)  # fmt: skip


def make_replica(docs: int, day: str | None, seed: int, faults: str | None = None) -> Any:
    from replica.app import Replica
    from replica.corpus import day_number
    from replica.faults import FaultSpecError

    try:
        number = day_number(day) if day is not None else _today()
        return Replica(docs, number, seed, faults)
    except (ValueError, FaultSpecError) as error:
        raise fail("replica", error) from None


def _today() -> int:
    """The replica's default day: today, within the corpus."""
    import datetime as dt

    from replica.corpus import EPOCH, LAST_DAY

    return min((dt.date.today() - EPOCH).days, LAST_DAY)


def _faults_help() -> str:
    from replica.faults import __doc__ as text

    # Click rewraps an epilog unless each paragraph starts with \b.
    return "\n\n".join("\b\n" + part for part in (text or "").strip().split("\n\n"))


@replica.command("serve", epilog=_faults_help())
@replica_options
@click.option("--host", default="127.0.0.1", show_default=True, help="interface")
@click.option(
    "--port",
    type=int,
    default=8400,
    show_default=True,
    help="first port (0: any free ports, said on the first line)",
)
@click.option("--faults", metavar="SPEC", help="opt-in faults, see below")
def replica_serve(docs: int, day: str | None, seed: int, host: str, port: int,
                  faults: str | None) -> int:  # fmt: skip
    """Serve every site on consecutive ports from --port.

    \b
    Example: govwatch replica serve --docs 1000 --day 2023-11-03
    """
    from twisted.internet.error import CannotListenError

    from replica.server import serve

    portals = make_replica(docs, day, seed, faults)
    try:
        serve(portals, host, port)
    except CannotListenError as error:
        click.echo(f"govwatch replica: cannot listen on {error.interface or host}:{error.port}: "
                   f"{error.socketError}; give another --port (it serves {len(portals.handlers)} "
                   "consecutive ports)", err=True)  # fmt: skip
        return EXIT_USAGE
    return 0


@replica.command("truth")
@replica_options
def replica_truth(docs: int, day: str | None, seed: int) -> int:
    """Print JSONL: every document live on --day, with its true fields.

    \b
    Example: govwatch replica truth --docs 1000 --day 2023-11-03
    """
    portals = make_replica(docs, day, seed)
    out = sys.stdout
    for record in portals.truth():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


@click.group()
def cluster() -> None:
    """The scaled-out setup on this machine: PostgreSQL, two Scrapyd nodes, a node killed."""


@cluster.command("demo")
@click.option("--docs", type=int, default=60, show_default=True, help="documents per replica site")
def cluster_demo(docs: int) -> int:
    """A throwaway PostgreSQL, two Scrapyd nodes and the replica; one node killed mid-crawl.

    Needs Debian's postgresql (and scrapyd from the dev extras). Ends with the corpus equal to
    the truth and every alert delivered once.

    \b
    Example: govwatch cluster demo   (or make cluster-demo)
    """
    from replica.cluster import run_cluster

    code: int = run_cluster("demo", docs)
    return code
