"""Portal profiles: one YAML file per real portal (`crawler.portals.model`), checked on load
(`crawler.portals.parse`).

Profiles ship in `crawler/portals/shipped/`; a user adds a directory of their own with
`--profiles DIR` or `GOVWATCH_PROFILES` (a profile there replaces a shipped one of the same name).
Profiles are `*.yaml` or `*.yml` files in UTF-8.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from crawler.portals.model import Column, Profile, ProfileError
from crawler.portals.parse import FAMILIES, _fail, check_cron, parse_profile

__all__ = ["FAMILIES", "Column", "Profile", "ProfileError", "check_cron", "load_profile",
           "load_profiles", "parse_profile", "select"]  # fmt: skip

SHIPPED = Path(__file__).parent / "shipped"
#: Profiles of real portals from public sources, not crawled until enabled (`portals enable`).
CATALOGUE = Path(__file__).parent / "catalogue"
SUFFIXES = (".yaml", ".yml")


def load_profile(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ProfileError(
            f"{path}: not UTF-8 text (GBK?); save it as UTF-8, e.g. iconv -f GBK -t UTF-8"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProfileError(f"{path}: not valid YAML: {error}") from None
    profile = parse_profile(data, path)
    if profile.name != path.stem:
        raise _fail(
            path,
            "name",
            f"{profile.name!r} differs from the file name",
            f"name the file {profile.name}{path.suffix}",
        )
    return profile


def profiles_target(profiles: str | None) -> Path | None:
    """Where the user's own profiles are written: `--profiles DIR`, else $GOVWATCH_PROFILES."""
    value = profiles or os.environ.get("GOVWATCH_PROFILES")
    return Path(value) if value else None


def profile_dirs(extra: str | Path | None = None) -> list[Path]:
    """Where profiles come from: the shipped ones, then $GOVWATCH_PROFILES, then `extra`."""
    dirs = [SHIPPED]
    for value in (os.environ.get("GOVWATCH_PROFILES"), extra):
        if value:
            directory = Path(value)
            if not directory.is_dir():
                raise ProfileError(
                    f"{directory}: not a directory of profiles; pass a folder of *.yaml files"
                )
            dirs.append(directory)
    return dirs


def load_profiles(extra: str | Path | None = None) -> dict[str, Profile]:
    """Every profile by name; a later directory's profile replaces an earlier one's."""
    profiles: dict[str, Profile] = {}
    for directory in profile_dirs(extra):
        seen: dict[str, Path] = {}
        for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file()):
            profile = load_profile(path)
            if profile.name in seen:
                raise ProfileError(
                    f"{path}: the portal {profile.name} is also {seen[profile.name]}; keep one file"
                )
            seen[profile.name] = path
            profiles[profile.name] = profile
    return profiles


def select(profiles: dict[str, Profile], names: list[str]) -> list[Profile]:
    """The named profiles (all when none is named); an unknown name is a clear error."""
    if not names:
        return list(profiles.values())
    unknown = [name for name in names if name not in profiles]
    if unknown:
        raise ProfileError(
            f"unknown portal {', '.join(unknown)}; known: {', '.join(profiles)} (govwatch portals lists them)"
        )
    return [profiles[name] for name in names]
