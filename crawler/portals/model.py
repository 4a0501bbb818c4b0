"""A portal profile as govwatch holds it: the portal, its CMS family, its origin and allowed
hosts, the columns to watch with the family's parameters, politeness and schedule. The same
profile runs against the real site and, with only its origins swapped (`with_origin`), against a
stand-in for it (the replica)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file, the field and the fix."""


@dataclass(frozen=True)
class Column:
    id: str
    name: str
    path: str = ""  # TRS: the section path under the origin
    #: For odd portals: the regex a document URL matches, the CSS/XPath of the list that holds
    #: them (the profile's own, else the family's defaults).
    article_pattern: str | None = None
    list_selector: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    family: str
    origin: str
    hosts: tuple[str, ...]
    site_name: str
    columns: tuple[Column, ...]
    params: dict[str, str] = field(default_factory=dict)
    #: Other origins the family needs (gov.cn's search API lives on sousuo.www.gov.cn).
    origins: dict[str, str] = field(default_factory=dict)
    delay: float = 2.0
    concurrency: int = 1
    interval_seconds: int = 6 * 3600
    cron: str | None = None
    jitter_seconds: int = 600
    revisit_days: int = 30
    source: str = ""  # the file it came from
    #: The real portal's origins when this profile fetches from elsewhere (the replica).
    real_origin: str = ""
    real_origins: dict[str, str] = field(default_factory=dict)
    article_pattern: str | None = None
    list_selector: str | None = None
    #: An odd template's own selectors for its article pages (see extract.select).
    selectors: dict[str, str] = field(default_factory=dict)
    province: str = ""
    sources: tuple[str, ...] = ()
    verified: bool | None = None  # None: the profile does not say
    render: str = "plain"
    tls: str = "default"
    #: `obey` the portal's robots.txt, or `ignore` it (crawler.fetch.robots).
    robots: str = "obey"
    #: Attachments of new and changed documents are fetched and read, each file at most
    #: `attachment_max_file_mb`, all of one run at most `attachment_max_run_mb`.
    attachments_fetch: bool = True
    attachment_max_file_mb: float = 20.0
    attachment_max_run_mb: float = 500.0
    #: Tags a crawl node must carry to crawl this portal (`nodes: [cn]`: from inside China).
    nodes: tuple[str, ...] = ()

    def listing_overrides(self, column_id: str) -> tuple[str | None, str | None]:
        """(article_pattern, list_selector) for a column: its own, else the profile's."""
        column = next((c for c in self.columns if c.id == column_id), None)
        pattern = column.article_pattern if column else None
        selector = column.list_selector if column else None
        return pattern or self.article_pattern, selector or self.list_selector

    def origin_for(self, role: str = "") -> str:
        return self.origins.get(role, self.origin) if role else self.origin

    @property
    def canonical_origin(self) -> str:
        return self.real_origin or self.origin

    def with_origin(self, origin: str) -> Profile:
        """The same portal served from another origin (the replica): every origin swapped."""
        origin = origin.rstrip("/")
        return replace(
            self,
            origin=origin,
            origins=dict.fromkeys(self.origins, origin),
            hosts=(urlsplit(origin).netloc,),
            real_origin=self.canonical_origin,
            real_origins=self.real_origins or dict(self.origins),
        )

    def _pairs(self) -> list[tuple[str, str]]:
        """(real origin, fetched origin) pairs, longest real origin first."""
        if not self.real_origin:
            return []
        pairs = [(self.real_origin, self.origin)]
        pairs += [
            (real, self.origins.get(role, self.origin)) for role, real in self.real_origins.items()
        ]
        return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    def to_fetch(self, url: str) -> str:
        """A real URL (as listings and pages name them) → the URL to fetch."""
        for real, fetched in self._pairs():
            if url.startswith(real + "/") or url == real:
                return fetched + url[len(real) :]
        return url

    def canonical(self, url: str) -> str:
        """A fetched URL → its URL on the real portal (documents live on the main origin)."""
        for real, fetched in sorted(self._pairs(), key=lambda pair: pair[0] != self.real_origin):
            if url.startswith(fetched + "/") or url == fetched:
                return real + url[len(fetched) :]
        return url

    def allows(self, url: str) -> bool:
        """Only the portal's own hosts are ever fetched."""
        return urlsplit(url).netloc in self.hosts
