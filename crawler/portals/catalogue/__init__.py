"""A catalogue of real portals from public sources: listed by province and family, enabled on
request (`govwatch portals --catalogue`, `govwatch portals enable NAME…`).

Catalogue profiles live in `crawler/portals/catalogue/`; each names the sources of its facts and
says `verified: false` until a live crawl confirms it. Enabling copies a profile into the user's
profiles directory (`--profiles DIR` or `$GOVWATCH_PROFILES`), where crawls and schedules find it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from crawler.portals.profiles import CATALOGUE, SUFFIXES, Profile, load_profile


def catalogue(directory: Path = CATALOGUE) -> dict[str, Profile]:
    """Every catalogue profile by name (validated as any profile)."""
    found = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
        profile = load_profile(path)
        found[profile.name] = profile
    return found


def enable(
    names: list[str], target: Path, directory: Path = CATALOGUE
) -> list[tuple[str, Path, bool]]:
    """Copy the named catalogue profiles into `target`: (name, where, whether it was there
    already) each. A name not in the catalogue is a ValueError naming it."""
    known = catalogue(directory)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"not in the catalogue: {', '.join(unknown)} (govwatch portals --catalogue lists them)"
        )
    target.mkdir(parents=True, exist_ok=True)
    done = []
    for name in names:
        source = Path(known[name].source)
        destination = target / source.name
        there = destination.exists()
        if not there:
            shutil.copyfile(source, destination)
        done.append((name, destination, there))
    return done
