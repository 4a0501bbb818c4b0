"""`govwatch portals`: the profiles, the catalogue of real portals, and a profile made from a
pasted page."""

from __future__ import annotations

import os
import urllib.error
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
import yaml

from crawler.cli import cli, load_profiles_or_exit
from crawler.cli import profiles_option as profiles_dir_option

if TYPE_CHECKING:
    from crawler.portals.discover import Discovery
    from crawler.portals.onboard import Fetch
    from crawler.portals.profiles import Profile

# (The portals' modules, read where a `portals` command runs: every other command, and the
# replica, start without their parsers.)


@cli.group(invoke_without_command=True)
@profiles_dir_option
@click.option(
    "--catalogue", is_flag=True, help="list the catalogue of real portals by province and family"
)
@click.pass_context
def portals(ctx: click.Context, profiles: str | None, catalogue: bool) -> int:
    """List the portal profiles and validate them; add and enable portals.

    The shipped ones, those in $GOVWATCH_PROFILES and those in --profiles.

    \b
    Examples: govwatch portals --profiles ./my-portals
              govwatch portals --catalogue
              govwatch portals add http://jxj.hangzhou.gov.cn/col/col1229265378/index.html
              govwatch portals enable pingtan-gov --profiles ./my-portals
    """
    if ctx.invoked_subcommand is not None:
        return 0
    if catalogue:
        return run_catalogue()
    found = load_profiles_or_exit(profiles)
    for profile in found.values():
        columns = ", ".join(f"{c.name} ({c.id})" for c in profile.columns)
        schedule = (
            f"cron {profile.cron}"
            if profile.cron
            else f"every {profile.interval_seconds // 60} min"
        )
        click.echo(
            f"{profile.name:14} {profile.family:7} {profile.origin:32} {schedule:18} {columns}"
        )
    click.echo(f"\n{len(found)} portals, all valid")
    return 0


@portals.command("add")
@click.argument("url")
@click.option("--name", help="the new portal's name (default: from its host)")
@profiles_dir_option
@click.option("--dry-run", is_flag=True, help="only show what it found; write nothing")
def portals_add(url: str, name: str | None, profiles: str | None, dry_run: bool) -> int:
    """A profile from a portal's page: its family and ids, proved on one listing page.

    URL may be the portal's home page (its reply columns are proposed, its other disclosure
    columns shown), a column's page, or an article (its column is read). A page behind a
    JavaScript challenge is opened in Chromium when it is installed (GOVWATCH_BROWSER: its path,
    or off). Exit 0 written or shown, 1 not, 2 bad input.

    \b
    Examples: govwatch portals add http://jxj.hangzhou.gov.cn/ --dry-run
              govwatch portals add http://jxj.hangzhou.gov.cn/col/col1229265378/index.html
              govwatch portals add http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html
    """
    return run_portals_add(url, name, profiles, dry_run)


@portals.command("enable")
@click.argument("names", nargs=-1, required=True, metavar="NAME…")
@profiles_dir_option
def portals_enable(names: tuple[str, ...], profiles: str | None) -> int:
    """Turn on portals of the catalogue (copied into --profiles, still marked unverified).

    \b
    Example: govwatch portals enable pingtan-gov foshan-fsgjj --profiles ./my-portals
    """
    return run_enable(list(names), profiles)


def run_catalogue(directory: Path | None = None) -> int:
    """Print the catalogue (the shipped one by default) by province and family; the exit
    code."""
    from crawler.portals.catalogue import catalogue
    from crawler.portals.profiles import CATALOGUE, ProfileError

    try:
        profiles = catalogue(directory or CATALOGUE)
    except ProfileError as error:
        click.echo(f"govwatch portals: {error}", err=True)
        return 2
    groups: dict[tuple[str, str], list[Profile]] = {}
    for profile in profiles.values():
        groups.setdefault((profile.province or "?", profile.family), []).append(profile)
    for (province, family), members in sorted(groups.items()):
        click.echo(f"{province} · {family}")
        for profile in members:
            state = "verified" if profile.verified else "unverified"
            columns = ", ".join(c.name for c in profile.columns)
            click.echo(f"  {profile.name:18} {profile.site_name} ({state}): {columns}")
            for source in profile.sources:
                click.echo(f"  {'':18} source: {source}")
    click.echo(f"\n{len(profiles)} portals in the catalogue; turn them on with "
          "govwatch portals enable NAME… --profiles DIR")  # fmt: skip
    return 0


def run_enable(names: list[str], profiles: str | None, directory: Path | None = None) -> int:
    """Copy the named catalogue profiles (the shipped catalogue's by default) into the user's
    profiles directory; the exit code."""
    from crawler.portals.catalogue import catalogue, enable
    from crawler.portals.profiles import CATALOGUE, ProfileError, profiles_target

    directory = directory or CATALOGUE
    target = profiles_target(profiles)
    if target is None:
        click.echo("govwatch portals enable: say where your profiles live: --profiles DIR "
                   "(or GOVWATCH_PROFILES)", err=True)  # fmt: skip
        return 2
    try:
        known = catalogue(directory)
        done = enable(names, target, directory)
    except (ProfileError, ValueError) as error:
        click.echo(f"govwatch portals enable: {error}", err=True)
        return 2
    for name, destination, there in done:
        if there:
            click.echo(f"{name}: already enabled ({destination})")
            continue
        note = "" if known[name].verified else " — unverified: check its first crawl"
        click.echo(f"{name}: enabled ({destination}){note}")
    return 0


def run_portals_add(
    url: str, name: str | None = None, profiles: str | None = None, dry_run: bool = False,
    get: Fetch | None = None,
) -> int:  # fmt: skip
    """Recognise, show, prove and write a profile; the exit code (0 written or shown, 1 not)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        click.echo(f"govwatch portals add: {url!r} is not a web address; paste the portal's home page, a column's or an article's URL", err=True)  # fmt: skip
        return 2
    if get is not None:
        return _add(url, name, profiles, dry_run, get)
    from crawler.portals.onboard import Fetcher

    fetcher = Fetcher(_chromium)
    try:
        return _add(url, name, profiles, dry_run, fetcher)
    finally:
        fetcher.close()


def _chromium() -> Any:
    """The system's Chromium, for a page behind a script challenge (None when there is none)."""
    from crawler.fetch.browser import Browser, find_chromium

    executable = find_chromium(os.environ.get("GOVWATCH_BROWSER"))
    return Browser(executable) if executable else None


def _add(url: str, name: str | None, profiles: str | None, dry_run: bool, get: Fetch) -> int:
    from crawler.portals.discover import suggest_name
    from crawler.portals.onboard import Blocked, discover, prove
    from crawler.portals.profiles import ProfileError, parse_profile, profiles_target

    try:
        found = discover(url, get)
    except Blocked as error:
        click.echo(f"govwatch portals add: {error}", err=True)
        return 1
    except (OSError, urllib.error.URLError) as error:
        reason = getattr(error, "reason", None) or error
        click.echo(f"govwatch portals add: cannot fetch {url}: {reason}", err=True)
        return 1
    portal = name or suggest_name(url)
    _show_found(url, found, get)
    if found.family is None:
        return 1
    data = found.profile_data(portal)
    shown = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
    click.echo(f"  family: {found.family}\n\n{shown}")
    directory = profiles_target(profiles)
    path = (directory or Path(".")) / f"{portal}.yaml"
    try:
        profile = parse_profile(data, path)
    except ProfileError as error:
        click.echo(f"govwatch portals add: the profile is not complete: {error}", err=True)
        return 1
    try:
        lines = prove(profile, get)
    except (OSError, ValueError) as error:
        click.echo(f"govwatch portals add: the listing does not read: {error}", err=True)
        return 1
    click.echo("listing read:\n" + "\n".join(lines))
    if dry_run:
        click.echo("\n--dry-run: nothing written")
        return 0
    if directory is None:
        click.echo("govwatch portals add: say where to write it: --profiles DIR (or GOVWATCH_PROFILES)", err=True)  # fmt: skip
        return 2
    if path.exists():
        click.echo(f"govwatch portals add: {path} exists; pass --name another-name or remove it", err=True)  # fmt: skip
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Added by `govwatch portals add {url}`\n{shown}", encoding="utf-8")
    click.echo(f"\nwritten: {path}")
    return 0


def _show_found(url: str, found: Discovery, get: Fetch) -> None:
    """What the page and the pages it pointed to showed, what could not be told, and the
    disclosure columns left out of the profile."""
    click.echo(url)
    for line in found.seen:
        click.echo(f"  saw: {line}")
    for page, seconds in getattr(get, "passed", []):
        click.echo(f"  passed a JavaScript challenge in the browser in {seconds:.1f} s: {page}")
    for key, how in found.missing:
        click.echo(f"  could not tell {key}: fill it in — {how}")
    if found.others:
        click.echo("  other disclosure columns it links (not added; add one with "
                   "`govwatch portals add URL`):")  # fmt: skip
        for lead in found.others:
            click.echo(f"    {lead.name or '(unnamed)'}  {lead.url}")
