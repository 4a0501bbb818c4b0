"""Beyond one machine: `migrate` a corpus between SQLite and PostgreSQL, crawl `nodes` on Scrapyd."""

from __future__ import annotations

import sys

import click

from crawler.cli import cli, db_option


@cli.command()
@click.option("--from", "source", required=True, metavar="DB", help="the corpus to copy")
@click.option("--to", "target", required=True, metavar="DB", help="a new, empty corpus")
def migrate(source: str, target: str) -> int:
    """Copy a corpus to another database, counts and hashes checked.

    Every table (raw responses, runs, alerts, deliveries) goes into a new, empty corpus in one
    transaction; then both sides are counted and hashed, table by table.

    \b
    Example: govwatch migrate --from govwatch.db --to postgresql://govwatch@db.example/govwatch
    """
    code: int = run_migrate(source, target)
    return code


@cli.group(invoke_without_command=True)
@db_option
@click.pass_context
def nodes(ctx: click.Context, db: str) -> int:
    """Crawl nodes on Scrapyd: each with its health, jobs and batches; add and remove.

    Each batch job: its run, how many of its portals are done, how many it holds leases for
    and until when. Exit 1 when a node is down.

    \b
    Examples: govwatch nodes --db postgresql://govwatch@db.example/govwatch
              govwatch nodes add http://10.0.0.5:6800 --tag cn
              govwatch nodes remove http://10.0.0.5:6800
    """
    if ctx.invoked_subcommand is not None:
        return 0
    code: int = run_nodes(db, None, None, [])
    return code


@nodes.command("add")
@click.argument("url")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="where it stands, e.g. cn")
@db_option
def nodes_add(url: str, tags: tuple[str, ...], db: str) -> int:
    """Register a Scrapyd node (its URL, e.g. http://10.0.0.5:6800) with its tags.

    \b
    Example: govwatch nodes add http://10.0.0.5:6800 --tag cn
    """
    code: int = run_nodes(db, "add", url, list(tags))
    return code


@nodes.command("remove")
@click.argument("url")
@db_option
def nodes_remove(url: str, db: str) -> int:
    """Forget a node; its portals go to the others.

    \b
    Example: govwatch nodes remove http://10.0.0.5:6800
    """
    code: int = run_nodes(db, "remove", url, [])
    return code


def run_nodes(db: str, action: str | None, url: str | None, tags: list[str]) -> int:
    """`govwatch nodes [add URL --tag T | remove URL]`: the nodes, their health and jobs, and per
    batch job its run, the portals done and the leases it holds."""
    from crawler.run.nodes.report import node_views, view_lines
    from crawler.run.nodes.scrapyd import NodeError
    from crawler.store import StoreError, open_store
    from crawler.store.nodes import normal_url

    try:
        with open_store(db) as store:
            if action == "add" and url:
                node = store.add_node(url, tags)
                print(f"added {node.url} tags {', '.join(node.tags) or '(none)'}")
            elif action == "remove" and url:
                if not store.remove_node(url):
                    print(f"govwatch nodes: no node {url}", file=sys.stderr)
                    return 2
                print(f"removed {normal_url(url)}")
            views = node_views(store)
    except (StoreError, NodeError, ValueError) as error:
        print(f"govwatch nodes: {error}", file=sys.stderr)
        return 2
    if not views:
        print("no crawl nodes; add one: govwatch nodes add http://HOST:6800 --tag cn")
        return 0
    for view in views:
        print("\n".join(view_lines(view)))
    return 0 if all(view.healthy for view in views) else 1


def run_migrate(source: str, target: str) -> int:
    """The command: 0 when every table arrived whole, 1 when a count or hash differs, 2 when
    the copy could not be made (one line on stderr)."""
    if source == target:
        click.echo("govwatch migrate: --from and --to are the same database", err=True)
        return 2
    from crawler.store import StoreError, open_store
    from crawler.store.copy import copy_corpus

    try:
        with open_store(source, readonly=True) as origin, open_store(target) as destination:
            click.echo(f"copying {origin.where} → {destination.where}")
            from crawler.run.progress import progress  # rows copied, at a terminal only

            report = copy_corpus(origin, destination, sys.stdout, progress)
    except StoreError as error:
        click.echo(f"govwatch migrate: {error}", err=True)
        return 2
    for check in report.tables:
        mark = "ok" if check.ok else "DIFFERS"
        click.echo(f"  {check.table}: {check.source_rows} → {check.target_rows} rows, "
              f"sha256 {check.source_digest[:16]} → {check.target_digest[:16]} {mark}")  # fmt: skip
    if not report.ok:
        click.echo("govwatch migrate: the copy differs from its source (see above)", err=True)
        return 1
    click.echo(f"every table copied whole ({sum(c.source_rows for c in report.tables)} rows; "
          "counts and hashes match)")  # fmt: skip
    return 0
