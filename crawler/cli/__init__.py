"""The `govwatch` command: a thin layer over the library, one function per command (Click).

Options several commands share are defined once here (`db_option`, `json_option`, …); each
command lives in the module of its trade: `documents` (extract, search, show, alerts, export,
serve), `monitor` (crawl, run, schedule, status, check, portals), `maintain` (prune), `tools`
(demo, rules, replica).
A command returns its exit code; errors are one line on stderr that names what to fix.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

EXIT_USAGE = 2
F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def one_line(error: object) -> str:
    """An error as one line (a YAML parser's message spans several)."""
    return " ".join(str(error).split())


def fail(command: str, error: object, code: int = EXIT_USAGE) -> click.exceptions.Exit:
    """Say what went wrong in one line on stderr; the caller raises what this returns."""
    click.echo(f"govwatch {command}: {one_line(error)}", err=True)
    return click.exceptions.Exit(code)


def default_db() -> str:
    return os.environ.get("GOVWATCH_DB") or "govwatch.db"


def db_option(f: F) -> F:
    return click.option(
        "--db", default=default_db, metavar="FILE", show_default="govwatch.db or $GOVWATCH_DB",
        help="the corpus",
    )(f)  # fmt: skip


def config_options(f: F) -> F:
    f = click.option(
        "--db", default=None, metavar="FILE",
        help="the corpus (default: the config's, $GOVWATCH_DB or govwatch.db)",
    )(f)  # fmt: skip
    return click.option(
        "--config", metavar="FILE", help="govwatch.yaml (default ./govwatch.yaml if present)"
    )(f)


def json_option(help: str = "one JSON object per line") -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def profiles_option(f: F) -> F:
    return click.option("--profiles", metavar="DIR", help="a directory of your own profiles")(f)


def rules_options(f: F) -> F:
    f = click.option("--rule", metavar="NAME", help="only this rule")(f)
    return click.option(
        "--rules", metavar="FILE", help="a rules file (default: the shipped rules)"
    )(f)


KINDS = click.Choice(("reply", "co_handling_opinion", "other"))


class SinceType(click.ParamType):  # type: ignore[type-arg]  # generic only from Click 8.2
    """--since, read by `crawler.clock.since` when the command line is parsed (a bad value is a
    usage error, exit 2, before any database is opened), as the bound the command compares:
    `published` (a date, or a time at +08:00, as pages print them) or `utc` (times govwatch
    writes, such as an alert's creation)."""

    name = "since"

    def __init__(self, bound: str = "published") -> None:
        self.bound = bound

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from crawler.clock import since, utcnow

        now = utcnow()  # a $GOVWATCH_NOW that is no time is its own error (`main`)
        try:
            read = since(str(value), now)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return read.utc if self.bound == "utc" else read.published


SINCE_HELP = "a date (2023-11-01, 2023/11/1), a time (2023-11-01T08:00, China's unless it says) or an age (36h, 7d, 2w)"  # fmt: skip


def since_option(f: F) -> F:
    return click.option(
        "--since", type=SinceType("published"), metavar="WHEN",
        help=f"published on or after: {SINCE_HELP}",
    )(f)  # fmt: skip


def load_profiles_or_exit(directory: str | None) -> dict[str, Any]:
    from crawler.portals.profiles import ProfileError, load_profiles

    try:
        return load_profiles(directory)
    except ProfileError as error:
        click.echo(f"govwatch: {one_line(error)}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None


def load_config_or_exit(path: str | None, db: str | None) -> Any:
    from crawler.config import ConfigFileError, load_config

    try:
        return load_config(path, db)
    except ConfigFileError as error:
        click.echo(f"govwatch: {one_line(error)}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None


class ReaderGone(Exception):
    """Standard output's reader has gone (`govwatch … | head`)."""


#: Where other installed packages add commands (the replica adds `demo`, `replica`, `cluster`).
PLUGIN_GROUP = "govwatch.commands"


class Govwatch(click.Group):
    """The command group, with the commands of installed plugins loaded when they are asked for
    (so that `govwatch` itself never imports them)."""

    def _plugins(self) -> dict[str, Any]:
        from importlib.metadata import entry_points

        return {entry.name: entry for entry in entry_points(group=PLUGIN_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = self._plugins().get(cmd_name)
        if entry is None:
            return None
        try:
            loaded: click.Command = entry.load()
        except ImportError as error:
            raise click.ClickException(
                f"`govwatch {cmd_name}` needs what the replica needs ({error.name or error}): "
                "pip install -e '.[replica]'"
            ) from None
        return loaded

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Click would turn it into exit 1; a pipe closed by its reader is no failure.
            raise ReaderGone from None


@click.group(cls=Govwatch, context_settings=CONTEXT)
def cli() -> None:
    """Monitor Chinese government information-disclosure portals (政府信息公开).

    \b
    Start with:  govwatch demo
    Then:        govwatch search 开源 --db govwatch-demo/govwatch.db
    """


# The commands register themselves on `cli` when their modules load.
from crawler.cli import alerts, documents, maintain, monitor, portals, scale, tools  # noqa: E402, F401


def main(argv: Sequence[str] | None = None) -> int:
    import sqlite3

    from crawler.clock import ClockError, utcnow
    from crawler.store import StoreError

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        utcnow()  # a $GOVWATCH_NOW that is no time: said once, here
        result = cli.main(args, prog_name="govwatch", standalone_mode=False)
        sys.stdout.flush()
        return result if isinstance(result, int) else 0
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("govwatch: stopped", err=True)
        return 130
    except (BrokenPipeError, ReaderGone):
        # `govwatch … | head`: the reader has gone, and wants no more. Nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (ClockError, StoreError) as error:
        click.echo(f"govwatch: {one_line(error)}", err=True)
        return EXIT_USAGE
    except sqlite3.DatabaseError as error:
        from crawler.store.sqlite import damage

        db = _db_in(args) or "the database"
        click.echo(f"govwatch: {db}: {damage(error)}; restore it from a backup, or salvage what "
                   f"is readable with `sqlite3 {db} .recover`", err=True)  # fmt: skip
        return EXIT_USAGE


def _db_in(args: list[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg == "--db" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--db="):
            return arg[5:]
    return None
