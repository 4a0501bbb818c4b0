"""Keeping a long-running corpus under its cap: `govwatch prune`."""

from __future__ import annotations

import click

from crawler.cli import SinceType, cli, db_option, fail

MB = 1024 * 1024


@cli.command()
@click.option("--older-than", "cutoff", required=True, type=SinceType("utc"), metavar="AGE",
              help="what was fetched before this: an age (180d, 26w) or a date (2023-06-01)")  # fmt: skip
@click.option(
    "--versions", is_flag=True, help="old versions go whole, not only their raw responses"
)
@click.option("--dry-run", is_flag=True, help="say what would go, and change nothing")
@db_option
def prune(cutoff: str, versions: bool, dry_run: bool, db: str) -> int:
    """Let go of old raw responses (with --versions, old versions) so the corpus stays small.

    Never touched: every document's latest version and its raw response, the versions alerts
    name, alerts, and attachment files a document links. Older than AGE go the raw responses of
    documents' older versions and the raw bytes of attachment files no document links (their
    records and text stay); with --versions, those versions and files whole. Each step is one
    transaction (a crash leaves the corpus whole); then VACUUM gives the space back.

    \b
    Examples: govwatch prune --older-than 180d --dry-run
              govwatch prune --older-than 26w --versions --db govwatch.db
    """
    from crawler.clock import now
    from crawler.store import open_store
    from crawler.store.prune import prune as pruning

    if cutoff > now():
        raise fail("prune", f"--older-than {cutoff}: that is in the future, and would let go of "
                   "every old version; give an age (180d) or a date before today")  # fmt: skip
    with open_store(db, create=False) as store:
        result = pruning(store, cutoff, versions=versions, dry_run=dry_run)
    verb = "would let go of" if dry_run else "let go of"
    for step in result.steps:
        click.echo(f"{verb} the {step.what}: {step.rows}"
                   + (f" ({step.bytes / MB:.1f} MB stored)" if step.bytes else ""))  # fmt: skip
    if result.vacuum_error:
        click.echo(f"govwatch prune: VACUUM did not run ({result.vacuum_error}); the space let "
                   "go of is reused by later writes, and the next prune vacuums", err=True)  # fmt: skip
    size = f"{result.size_before / MB:.1f} MB"
    if not dry_run and result.rows:
        size += f" → {result.size_after / MB:.1f} MB"
    click.echo(f"{db}: {size}; kept: every document's latest version, alerted versions, alerts "
               "and linked attachment files" + (" (dry run: nothing changed)" if dry_run else ""))  # fmt: skip
    return 0
