"""The demo, watch rules on files or the corpus, and the replica portals."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli import EXIT_USAGE, cli, db_option, fail, json_option, one_line, rules_options


@cli.command()
@click.option("--dir", "directory", default="govwatch-demo", show_default=True,
              help="where the database, alerts and feeds go")  # fmt: skip
@click.option("--docs", type=int, default=300, show_default=True, help="documents per replica site")
def demo(directory: str, docs: int) -> int:
    """Show the whole job on the embedded default.

    Start the replica before 2023-11-03, crawl it into a fresh SQLite file, move time past
    2023-11-03, run one scheduler pass and print the alert for the real 西湖31号 reply.
    """
    from crawler.demo import run_demo

    click.echo("govwatch demo — the replica portals, a fresh SQLite file, one scheduler pass.\n")
    try:
        run_demo(Path(directory), docs)
    except KeyboardInterrupt:
        click.echo("\ngovwatch demo: stopped; the replica was shut down", err=True)
        return 130
    return 0


# Watch rules


@cli.group()
def rules() -> None:
    """Test watch rules on files, or on the stored corpus.

    Watch rules decide which documents deserve an alert (default: the shipped open-source and
    open-source-replies rules).
    """


def chosen_rules(path: str | None, only: str | None) -> list[Any]:
    from crawler.watch import RulesError, load_rules

    try:
        found = load_rules(path)
    except RulesError as error:
        raise fail("rules", error) from None
    if not only:
        return found
    chosen = [rule for rule in found if rule.name == only]
    if not chosen:
        names = ", ".join(rule.name for rule in found)
        raise fail("rules", f"no rule {only!r}; the rules are {names}") from None
    return chosen


@rules.command("test")
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@rules_options
@json_option()
def rules_test(files: tuple[str, ...], rules: str | None, rule: str | None, as_json: bool) -> int:
    """Whether each rule matches saved pages (.html) or plain text (.txt).

    A page is judged on its extracted document; a text file as a body of unknown kind.

    \b
    Example: govwatch rules test page.html notes.txt --rule open-source-replies
    """
    from crawler.cli.documents import extract_file

    chosen = chosen_rules(rules, rule)
    for name in files:
        path = Path(name)
        try:
            if path.suffix.lower() in (".html", ".htm", ".shtml"):
                record = extract_file(path, None, None).to_record()
            else:
                record = {"title": None, "body_text": path.read_text(encoding="utf-8", errors="replace"),
                          "kind": None, "attachments": []}  # fmt: skip
        except OSError as error:
            raise fail("rules test", f"cannot read {name}: {error.strerror or error}") from None
        results: dict[str, dict[str, Any]] = {}
        for each in chosen:
            hits, rejected = each.judge(record)
            results[each.name] = {"matched": bool(hits), "snippets": [hit.snippet for hit in hits],
                                  "evidence": [hit.explanation for hit in hits],
                                  "rejected": [{"snippet": r.snippet, "why": r.why} for r in rejected]}  # fmt: skip
        if as_json:
            click.echo(json.dumps({"file": name, "rules": results}, ensure_ascii=False))
            continue
        click.echo(f"{name}  (kind: {record.get('kind') or 'unknown'})")
        for rule_name, result in results.items():
            click.echo(f"  {rule_name:24} {'MATCH' if result['matched'] else 'no match'}")
            for snippet, why in list(zip(result["snippets"], result["evidence"], strict=True))[:3]:
                click.echo(f"      {snippet}\n        ← {why}")
            for rejected in result["rejected"][:3]:
                click.echo(f"      set aside: {rejected['snippet']}\n        ← {rejected['why']}")
    return 0


@rules.command("backtest")
@db_option
@rules_options
@json_option()
def rules_backtest(db: str, rules: str | None, rule: str | None, as_json: bool) -> int:
    """What the rules would have flagged in the stored corpus.

    \b
    Example: govwatch rules backtest --rule open-source-replies --db govwatch.db
    """
    from crawler.cli.documents import open_store

    chosen = chosen_rules(rules, rule)
    counts = dict.fromkeys((each.name for each in chosen), 0)
    with open_store(db) as store:
        for record in store.records():
            for each in chosen:
                hits = each.match(record, record.get("portal"))
                if not hits:
                    continue
                counts[each.name] += 1
                if as_json:
                    click.echo(json.dumps({"rule": each.name, "url": record["url"], "title": record["title"],
                                           "kind": record["kind"], "published_at": record["published_at"],
                                           "snippets": [h.snippet for h in hits][:3]}, ensure_ascii=False))  # fmt: skip
                else:
                    click.echo(f"{each.name:24} {(record['published_at'] or '')[:10]}  {record['title']}\n"
                               f"{'':24} {record['url']}\n{'':24} {hits[0].snippet}")  # fmt: skip
    if not as_json:
        click.echo("; ".join(f"{name}: {count} document(s)" for name, count in counts.items()))
    return 0


# The replica


@cli.group()
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
    from crawler.replica.app import Replica
    from crawler.replica.corpus import day_number
    from crawler.replica.faults import FaultSpecError

    try:
        number = day_number(day) if day is not None else _today()
        return Replica(docs, number, seed, faults)
    except (ValueError, FaultSpecError) as error:
        raise fail("replica", error) from None


def _today() -> int:
    """The replica's default day: today, within the corpus."""
    import datetime as dt

    from crawler.replica.corpus import EPOCH, LAST_DAY

    return min((dt.date.today() - EPOCH).days, LAST_DAY)


def _faults_help() -> str:
    from crawler.replica.faults import __doc__ as text

    # Click rewraps an epilog unless each paragraph starts with \b.
    return "\n\n".join("\b\n" + part for part in (text or "").strip().split("\n\n"))


@replica.command("serve", epilog=_faults_help())
@replica_options
@click.option("--host", default="127.0.0.1", show_default=True, help="interface")
@click.option("--port", type=int, default=8400, show_default=True, help="first port")
@click.option("--faults", metavar="SPEC", help="opt-in faults, see below")
def replica_serve(docs: int, day: str | None, seed: int, host: str, port: int,
                  faults: str | None) -> int:  # fmt: skip
    """Serve every site on consecutive ports from --port.

    \b
    Example: govwatch replica serve --docs 1000 --day 2023-11-03
    """
    from twisted.internet.error import CannotListenError

    from crawler.replica.server import serve

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


__all__ = ["one_line"]
