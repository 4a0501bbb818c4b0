"""A fleet of replica portals for scale benchmarks: N copies of the profiled sites.

Copy number n of a site is a portal of its own: named `<site>-<nnn>`, with its own origin
(`http://p<nnn>.<host>`, served on its own loopback port) and its own profile (written by
`write_profiles` into a directory given as GOVWATCH_PROFILES / `--profiles`, never shipped). A copy
keeps only its site's first column, so that each portal's corpus stays small; the families
(Hanweb, jpaas, TRS, gov.cn) take turns.

    python -m replica.fleet --portals 200 --docs 3 --port 18400 --profiles DIR [--spread S]

serves the fleet (printing its sites as `replica serve` does) after writing its profiles to DIR.
With `--spread S`, a move of the simulated day (POST /__replica__/day) publishes across S
seconds, portal by portal, as real portals publish each at its own time: portal n moves to the
new day `publish_offset(n, portals, S)` seconds after the move (`FleetReplica`), so that a
benchmark knows when each new document appeared.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawler.portals.profiles import SHIPPED
from replica.app import Replica
from replica.sites import SITES_BY_NAME, Site
from replica.web import Request, Response

#: The sites copied, in turn: those with a shipped profile.
TEMPLATES = ("hangzhou-jxj", "hangzhou-gov", "hubei-jxt", "govcn")


def _numbered(origin: str, number: int) -> str:
    parts = urlsplit(origin)
    return f"{parts.scheme}://p{number:03d}.{parts.netloc}"


def fleet(portals: int) -> tuple[Site, ...]:
    """`portals` sites, copies of TEMPLATES in turn, each with its own name and origin."""
    sites = []
    for number in range(portals):
        template = SITES_BY_NAME[TEMPLATES[number % len(TEMPLATES)]]
        sites.append(
            dataclasses.replace(
                template,
                name=f"{template.name}-{number:03d}",
                origin=_numbered(template.origin, number),
                columns=template.columns[:1],
            )
        )
    return tuple(sites)


def _shipped_profile(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SHIPPED / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def profile_of(site: Site) -> dict[str, Any]:
    """A copy's profile: its template's shipped profile (politeness included) with the copy's
    name, origins and column."""
    template = site.name.rsplit("-", 1)[0]
    number = int(site.name.rsplit("-", 1)[1])
    data = _shipped_profile(template)
    data["name"] = site.name
    data["origin"] = site.origin
    if "origins" in data:
        data["origins"] = {key: _numbered(value, number) for key, value in data["origins"].items()}
    keep = {column.id for column in site.columns}
    data["columns"] = [column for column in data["columns"] if str(column["id"]) in keep]
    return data


def write_profiles(sites: tuple[Site, ...], directory: Path) -> Path:
    """Every copy's profile as `<name>.yaml` in `directory` (made if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    for site in sites:
        text = yaml.safe_dump(profile_of(site), allow_unicode=True, sort_keys=False)
        (directory / f"{site.name}.yaml").write_text(text, encoding="utf-8")
    return directory


#: A prime: n × STEP mod N visits every portal once, so the families publish interleaved.
STEP = 7919


def publish_offset(number: int, portals: int, spread: float) -> float:
    """Seconds after a move of the day at which portal number `number` of `portals` publishes
    (the move reaches it): spread evenly over `spread` seconds, in an order mixing the families."""
    if portals <= 0 or spread <= 0:
        return 0.0
    order = (number * STEP) % portals if portals % STEP else number
    return spread * order / portals


class FleetReplica(Replica):
    """The fleet's replica, whose portals move to a new day each at its own moment: a move of the
    day (`day = D`) reaches portal n `publish_offset(n)` seconds later; until then it serves the
    day before. With no spread, every portal moves at once (a plain replica)."""

    def __init__(
        self, docs: int, day: int, seed: int, sites: tuple[Site, ...], spread: float = 0.0
    ) -> None:
        self.spread, self.before, self.now_day, self.moved_at = spread, day, day, 0.0
        super().__init__(docs, day, seed, sites=sites)
        self.offsets = {site.name: publish_offset(n, len(sites), spread)
                        for n, site in enumerate(sites)}  # fmt: skip

    @property
    def day(self) -> int:
        return self.now_day

    @day.setter
    def day(self, value: int) -> None:
        self.before, self.now_day, self.moved_at = self.now_day, value, time.time()

    def day_of(self, site: str) -> int:
        """The day portal `site` serves now."""
        if time.time() >= self.moved_at + self.offsets.get(site, 0.0):
            return self.now_day
        return self.before

    def handle(self, site: str, request: Request) -> Response:
        return self.handlers[site].handle(request, self.day_of(site))


def main(argv: list[str] | None = None) -> None:
    from replica.corpus import LAST_DAY, day_number
    from replica.server import serve

    parser = argparse.ArgumentParser(prog="python -m replica.fleet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--portals", type=int, default=200, help="how many portals")
    parser.add_argument("--docs", type=int, default=3, help="documents per portal")
    parser.add_argument("--day", default=str(LAST_DAY), help="ISO date or day number")
    parser.add_argument("--port", type=int, default=8400, help="first of --portals ports")
    parser.add_argument("--profiles", type=Path, help="write the portals' profiles here first")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which a move of the day reaches every portal")  # fmt: skip
    args = parser.parse_args(argv)
    sites = fleet(args.portals)
    if args.profiles:
        write_profiles(sites, args.profiles)
    serve(FleetReplica(args.docs, day_number(args.day), 1, sites, args.spread), port=args.port)


if __name__ == "__main__":
    main()
