"""A catalogue of real portals from public sources: listed by province and family, enabled on
request (`govwatch portals --catalogue`, `govwatch portals enable NAME…`).

Catalogue profiles live in `crawler/portals/catalogue/`; each names the sources of its facts and
says `verified: false` until a live crawl confirms it. Enabling copies a profile into the user's
profiles directory (`--profiles DIR` or `$GOVWATCH_PROFILES`), where crawls and schedules find it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from crawler.portals.discover import target_dir
from crawler.portals.profiles import CATALOGUE, SUFFIXES, Profile, ProfileError, load_profile


def catalogue(directory: Path = CATALOGUE) -> dict[str, Profile]:
    """Every catalogue profile by name (validated as any profile)."""
    found = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
        profile = load_profile(path)
        found[profile.name] = profile
    return found


def run_catalogue(directory: Path = CATALOGUE) -> int:
    """Print the catalogue by province and family; the exit code."""
    try:
        profiles = catalogue(directory)
    except ProfileError as error:
        print(f"govwatch portals: {error}", file=sys.stderr)
        return 2
    groups: dict[tuple[str, str], list[Profile]] = {}
    for profile in profiles.values():
        groups.setdefault((profile.province or "?", profile.family), []).append(profile)
    for (province, family), members in sorted(groups.items()):
        print(f"{province} · {family}")
        for profile in members:
            state = "verified" if profile.verified else "unverified"
            columns = ", ".join(c.name for c in profile.columns)
            print(f"  {profile.name:18} {profile.site_name} ({state}): {columns}")
            for source in profile.sources:
                print(f"  {'':18} source: {source}")
    print(f"\n{len(profiles)} portals in the catalogue; turn them on with "
          "govwatch portals enable NAME… --profiles DIR")  # fmt: skip
    return 0


def run_enable(names: list[str], profiles: str | None, directory: Path = CATALOGUE) -> int:
    """Copy the named catalogue profiles into the user's profiles directory; the exit code."""
    if not names:
        print("govwatch portals enable: name the portals (govwatch portals --catalogue lists them)",
              file=sys.stderr)  # fmt: skip
        return 2
    target = target_dir(profiles)
    if target is None:
        print("govwatch portals enable: say where your profiles live: --profiles DIR "
              "(or GOVWATCH_PROFILES)", file=sys.stderr)  # fmt: skip
        return 2
    try:
        known = catalogue(directory)
    except ProfileError as error:
        print(f"govwatch portals enable: {error}", file=sys.stderr)
        return 2
    unknown = [name for name in names if name not in known]
    if unknown:
        print(f"govwatch portals enable: not in the catalogue: {', '.join(unknown)} "
              "(govwatch portals --catalogue lists them)", file=sys.stderr)  # fmt: skip
        return 2
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = Path(known[name].source)
        destination = target / source.name
        if destination.exists():
            print(f"{name}: already enabled ({destination})")
            continue
        shutil.copyfile(source, destination)
        note = "" if known[name].verified else " — unverified: check its first crawl"
        print(f"{name}: enabled ({destination}){note}")
    return 0
