"""What every portal spider shares: the profile, what is known, what to fetch, and reporting.

A family spider only says how its listings are requested and paged; the listing formats are read
by `crawler.listings`, the pages by `crawler.extract`. Spiders yield requests and items only: the
pipelines store the documents, and the crawl's recorder (`crawler.run.recorder`) hands each spider
what is known of its portal and records what it signals (`spiders.state`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.clock import CHINA, now, utcnow
from crawler.extract import extract_document
from crawler.fetch.slots import Stopped, politeness
from crawler.items import Fetched, ListingEntry
from crawler.listings.answers import Answer, gkml_url, read_answer
from crawler.listings.blocked import blocked_reason
from crawler.listings.jpaas import ListingFormatError
from crawler.listings.links import article_pattern, is_article
from crawler.portals.profiles import Profile, load_profiles
from spiders.attachments import AttachmentFetching
from spiders.state import Known, PortalState, column_listed, problem_found

# Statuses the spider handles itself (after retries): not modified, gone, blocked, failed.
HANDLED = [304, 403, 404, 410, 412, 418, 429, 500, 502, 503, 504, 521]
#: How many redirect stubs (JS, meta refresh, postmeta) a fetch may pass through.
STUB_HOPS = 3
_CHARSET = re.compile(r"charset=([\w-]+)", re.I)
# A column's index (a withdrawn document's stub sends readers there).
_INDEX_PATH = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/col/col\d+/index\.html)$")
# Meta keys Scrapy's own middlewares set on a request; a followed stub starts them afresh.
_SCRAPY_META = frozenset(("redirect_urls", "redirect_times", "redirect_ttl", "redirect_reasons",
                          "retry_times", "download_slot", "download_latency", "depth",
                          "download_timeout"))  # fmt: skip


def conditional_headers(etag: str | None, last_modified: str | None, full: bool) -> dict[str, str]:
    """The validators a revisit sends. The ETag when there is one (it changes with the content).
    Last-Modified only on routine revisits: many CMSs keep it at the publication time, so a
    server would answer 304 to an edited page for ever; a full crawl must see every edit."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified and not full:
        headers["If-Modified-Since"] = last_modified
    return headers


def declared_charset(response: Response) -> str | None:
    """The charset the server declared in Content-Type (None: none declared)."""
    header = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    match = _CHARSET.search(header)
    return match.group(1) if match else None


def _header(response: Response, name: bytes) -> str | None:
    """A response header by name, whatever its case (Scrapy stores `ETag` as `Etag`)."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class PortalSpider(AttachmentFetching, scrapy.Spider):
    """A spider for one portal, parameterised by its profile (`-a portal=NAME`)."""

    family: ClassVar[str] = ""
    #: The family's article id in a URL (Hanweb artid, jpaas uuid, TRS id, gov.cn content id).
    id_pattern: ClassVar[re.Pattern[str]] = re.compile(r"$^")

    def __init__(
        self,
        portal: str = "",
        profile: Profile | None = None,
        profiles: str | None = None,
        full: bool | str = False,
        origin: str | None = None,
        **kwargs: Any,
    ) -> None:
        if profile is None:
            if not portal:
                raise ValueError(f"{self.family}: say which portal, e.g. -a portal=hangzhou-jxj")
            found = load_profiles(profiles)
            if portal not in found:
                raise ValueError(f"unknown portal {portal!r}; known: {', '.join(found)}")
            profile = found[portal]
        if profile.family != self.family:
            raise ValueError(f"{profile.name} is a {profile.family} portal, not {self.family}")
        if origin:
            profile = profile.with_origin(origin)
        super().__init__(name=profile.name, **kwargs)
        self.profile = profile
        self.full = full in (True, "1", "true", "yes")
        self.allowed_domains = [urlsplit(f"//{host}").hostname or host for host in profile.hosts]
        #: What the corpus knows of the portal (handed over by the crawl's recorder when the
        #: spider opens; nothing, where no corpus is written).
        self.state = PortalState()
        self.listed: set[str] = set()  # identities seen in listings this run
        self.scheduled: set[str] = set()  # identities fetched this run
        self.problems = 0
        self.portal_problems = 0  # problems that belong to no column
        self.walk_to_end: set[str] = set()
        self.unfinished: set[str] = set()
        self.walk_ended: set[str] = set()
        self.window_start = ""

    @property
    def known(self) -> dict[str, Known]:
        return self.state.known

    @property
    def first_walk(self) -> bool:
        """Nothing known yet: this crawl walks and fetches everything."""
        return not self.state.known

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        settings = crawler.settings
        kwargs.setdefault("profiles", settings.get("GOVWATCH_PROFILES"))
        # Crawling a stand-in for the portals (the replica): only the origins swapped.
        name = str(kwargs.get("portal") or getattr(kwargs.get("profile"), "name", ""))
        origins = settings.getdict("GOVWATCH_ORIGINS")
        if name in origins and not kwargs.get("origin"):
            kwargs["origin"] = origins[name]
        spider: PortalSpider = super().from_crawler(crawler, *args, **kwargs)
        replica = settings.get("GOVWATCH_REPLICA")
        polite = settings.get("GOVWATCH_POLITENESS")
        if settings.getbool("GOVWATCH_POLITENESS") if polite not in (None, "") else not replica:
            # The profile's delay and concurrency on its hosts' slots, before settings freeze:
            # on a Scrapyd node, which crawls one portal per process, as in a local crawl.
            slots = {**settings.getdict("DOWNLOAD_SLOTS"), **politeness([spider.profile])}
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        if settings.getbool("GOVWATCH_FULL"):
            spider.full = True
        crawler.signals.connect(spider.dropped, signal=signals.request_dropped)
        today = (
            dt.date.fromisoformat(settings["GOVWATCH_TODAY"])
            if settings.get("GOVWATCH_TODAY")
            else utcnow().astimezone(CHINA).date()
        )
        spider.window_start = (today - dt.timedelta(days=spider.profile.revisit_days)).isoformat()
        return spider

    # Reporting

    def report(self, kind: str, column: str | None, url: str, message: str) -> None:
        """An error or a blocked answer: logged, counted, signalled (recorded with the run)."""
        self.problems += 1
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"govwatch/{kind}")
        problems = self.crawler.stats.get_value("govwatch/problems") or []
        problem = {"kind": kind, "portal": self.profile.name, "column": column or "", "url": url}
        self.crawler.stats.set_value(
            "govwatch/problems", [*problems, {**problem, "message": message}]
        )
        self.logger.warning("%s %s column=%s %s: %s", kind, self.profile.name, column, url, message)
        if column:
            # Something in this column was missed: the next crawl walks it to its end.
            self.unfinished.add(column)
        else:
            self.portal_problems += 1
        self.crawler.signals.send_catch_log(
            problem_found, spider=self, kind=kind, column=column, url=url, message=message
        )

    def blocked(self, response: Response, column: str | None, expect_body: bool = True) -> bool:
        reason = blocked_reason(response.status, response.body, expect_body=expect_body)
        if reason:
            self.report("blocked", column, response.url, reason)
            return True
        if response.status >= 400 and response.status not in (404, 410):
            self.report("error", column, response.url, f"HTTP {response.status}")
            return True
        return False

    def not_content(
        self, response: Response, column: str | None, callback: Any, *, document: bool
    ) -> tuple[bool, scrapy.Request | Fetched | None]:
        """Answers that stand in for a page (docs/DOMAIN.md §6): (handled, what to yield instead).

        Blocks are reported as blocked; redirect stubs (JS, meta refresh, Guangdong's postmeta)
        are followed inside the portal, and an error when they loop or lead away; a document
        whose stub sends readers to its column's index was withdrawn (gone, as with a 404); soft
        404s, app shells, wrong pages and blank pages are errors. None is ever stored or read as
        a listing.
        """
        if self.blocked(response, column):
            return True, None
        if response.status != 200:
            return False, None
        chain = [*response.meta.get("redirect_urls", []), *response.meta.get("stub_chain", [])]
        requested = response.meta.get("redirect_urls", [response.url])[0]
        answer = read_answer(
            200, response.body, response.url, encoding=declared_charset(response),
            document=document, requested=requested,
        )  # fmt: skip
        if answer.is_content:
            return False, None
        if answer.kind == "redirect" and document and answer.target:
            target = self.profile.to_fetch(answer.target)
            if self.profile.allows(target) and not is_article(
                answer.target, self.article_pattern(column or "")
            ):
                if _INDEX_PATH.search(urlsplit(target).path):
                    # Withdrawn: the page now only sends readers to its column.
                    return True, self.gone(response, column)
                self.report("error", column, response.url,
                            f"not a document: {answer.reason}, which is no document")  # fmt: skip
                return True, None
        if answer.kind in ("redirect", "postmeta"):
            return True, self.follow_stub(response, column, answer, callback, chain)
        if answer.kind == "blank" and not document and response.meta.get("page"):
            # A deep index_N page left broken: the listing ends here (counted, not an error).
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("govwatch/listing_stubs")
            self.logger.info("listing ends at %s: %s", response.url, answer.reason)
            return True, None
        what = "a document" if document else "a listing"
        self.report("error", column, response.url, f"not {what}: {answer.kind}: {answer.reason}")
        return True, None

    def gone(self, response: Response, column: str | None) -> Fetched:
        identity = response.meta["identity"]
        url = response.meta.get("stub_chain", [response.url])[0]
        canonical = self.profile.canonical(url)
        return Fetched(self.profile.name, identity, canonical, url, now(), 404, column=column)

    def follow_stub(
        self, response: Response, column: str | None, answer: Answer, callback: Any,
        chain: list[str],
    ) -> scrapy.Request | None:  # fmt: skip
        """The request a redirect stub leads to, or None (reported) when it loops or leaves."""
        assert answer.target is not None
        target = self.profile.to_fetch(answer.target)
        seen = [*chain, response.url]
        if not self.profile.allows(target):
            self.report("error", column, response.url, f"{answer.reason}: leads outside the portal")
            return None
        if target in seen or len(seen) > STUB_HOPS:
            self.report("error", column, response.url,
                        f"{answer.reason}: redirect stubs loop ({' → '.join([*seen, target])})")  # fmt: skip
            return None
        meta = {k: v for k, v in response.meta.items() if k not in _SCRAPY_META}
        meta["stub_chain"] = seen
        if answer.kind == "postmeta":
            meta["postmeta_callback"] = callback
            callback = self.parse_postmeta
        return scrapy.Request(
            target, callback=callback, errback=self.failed, meta=meta,
            headers={"Referer": response.url},
        )  # fmt: skip

    def parse_postmeta(self, response: Response) -> Iterator[Any]:
        """Guangdong's postmeta JSON: the page it names is the document."""
        column = response.meta.get("column")
        if self.blocked(response, column) or response.status != 200:
            return
        target = gkml_url(response.body, response.url)
        if target is None:
            self.report("error", column, response.url, "postmeta answer without a gkml_url")
            return
        answer = Answer("redirect", f"postmeta names {target}", target)
        chain = list(response.meta.get("stub_chain", []))
        request = self.follow_stub(
            response, column, answer, response.meta["postmeta_callback"], chain
        )
        if request is not None:
            request.meta.pop("postmeta_callback", None)
            yield request

    def dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """A request the scheduler refused: never silent."""
        if spider is self:
            self.report(
                "error", request.meta.get("column"), request.url, "request dropped by the scheduler"
            )

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        column = request.meta.get("column") if request is not None else None
        url = request.url if request is not None else "?"
        if isinstance(failure.value, Stopped):
            return  # the crawl stops: it finishes no column, so the next walks it again
        if isinstance(failure.value, IgnoreRequest) and "robots.txt" in str(failure.value):
            # Forbidden by the portal's robots.txt: no error (crawler.fetch.robots counts it,
            # the summary says it once). A listing page not read leaves its column unfinished.
            if column and request is not None and "identity" not in request.meta:
                self.unfinished.add(column)
            return
        self.report(
            "error",
            column,
            url,
            f"{failure.type.__name__ if failure.type else 'error'}: {failure.value}",
        )

    def check_column(self, column: str, listed: int, url: str, unmatched: int = 0) -> None:
        """At a column's first listing page. A column that used to list entries and now lists
        none is an error, not silence; so is a list of dated links none of which is a document
        URL (`unmatched`: the layout or the URL scheme changed). A column whose last walk did
        not end (a crawl killed on the way) is walked to its end this time, so that nothing is
        skipped as known."""
        before, complete = self.state.columns.get(column, (None, False))
        if listed == 0 and unmatched >= 3:
            pattern = self.article_pattern(column).pattern
            self.report(
                "error", column, url,
                f"listing changed: {unmatched} dated links in a list but none now matches the "
                f"article pattern {pattern}; set article_pattern or list_selector in the profile",
            )  # fmt: skip
            return
        if listed == 0 and before:
            self.report(
                "error",
                column,
                url,
                f"listed {before} entries before and none now: has the layout changed?",
            )
            return
        if not complete:
            self.walk_to_end.add(column)
        self.crawler.signals.send_catch_log(
            column_listed, spider=self, column=column, listed=listed
        )

    def keep_paging(self, column: str, all_known: bool) -> bool:
        """Routine crawls stop once a whole group is known; full crawls and unfinished walks don't."""
        return self.full or column in self.walk_to_end or not all_known

    def column_done(self, column: str) -> None:
        """The walk of a column ended (its last page, or a group all known). It counts as
        complete only when the crawl finishes: a crawl killed before its pages are stored
        leaves the column for the next crawl to walk to its end."""
        self.walk_ended.add(column)

    # What to fetch

    def identity(self, url: str) -> str:
        found = self.id_pattern.search(url)
        return (
            f"{self.profile.name}:{found.group(1)}"
            if found
            else f"{self.profile.name}:{self.profile.canonical(url)}"
        )

    def article_pattern(self, column: str) -> re.Pattern[str]:
        """What a document URL of this column looks like (the profile's, else the family's)."""
        return article_pattern(self.family, self.profile.listing_overrides(column)[0])

    def list_selector(self, column: str) -> str | None:
        return self.profile.listing_overrides(column)[1]

    def skipped_link(self, url: str, why: str, count: int = 1) -> None:
        """A link a listing showed that is not followed: counted in the run's stats."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value("govwatch/entries_skipped", count)
        if url:
            self.logger.debug("not following %s: %s", url, why)

    def follow_entries(
        self, entries: Iterable[ListingEntry], column: str
    ) -> tuple[list[scrapy.Request], bool]:
        """Requests for the entries that policy says to fetch; and whether all were known."""
        requests = []
        all_known = True
        pattern = self.article_pattern(column)
        for entry in entries:
            url = self.profile.to_fetch(entry.url)
            if not self.profile.allows(url) or not is_article(entry.url, pattern):
                # A menu, a footer, a download, another site: never fetched as a document.
                self.skipped_link(url, "outside the portal" if not self.profile.allows(url)
                                  else f"not a document URL ({pattern.pattern})")  # fmt: skip
                continue
            identity = self.identity(url)
            identity = self.state.aliases.get(identity, identity)
            self.listed.add(identity)
            known = self.known.get(identity)
            if known is None:
                all_known = False
            if identity in self.scheduled:
                continue
            request = self.detail_request(url, identity, column, known, entry)
            if request is not None:
                self.scheduled.add(identity)
                requests.append(request)
        return requests, all_known

    def detail_request(
        self, url: str, identity: str, column: str, known: Known | None,
        entry: ListingEntry,
    ) -> scrapy.Request | None:  # fmt: skip
        headers: dict[str, str] = {}
        if known is not None:
            etag, last_modified, published, status = known
            recent = (published or entry.date or "") >= self.window_start
            if status == "live" and not self.full and not recent:
                return None
            if status == "live":
                headers.update(conditional_headers(etag, last_modified, self.full))
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.failed, headers=headers,
            meta={"column": column, "identity": identity, "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    # Articles

    def parse_article(self, response: Response) -> Iterator[Fetched | scrapy.Request]:
        column = response.meta.get("column")
        identity = response.meta["identity"]
        fetched_at = now()
        canonical = self.profile.canonical(response.url)
        if response.status == 304:
            yield Fetched(
                self.profile.name, identity, canonical, response.url, fetched_at, 304,
                etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
                column=column,
            )  # fmt: skip
            return
        if response.status in (404, 410):
            yield Fetched(
                self.profile.name, identity, canonical, response.url, fetched_at, 404, column=column
            )
            return
        handled, follow = self.not_content(response, column, self.parse_article, document=True)
        if follow is not None:
            yield follow
        if handled:
            return
        document = extract_document(
            response.body,
            canonical,
            encoding=declared_charset(response),
            selectors=self.profile.selectors,
        )
        page_url = document.meta.get("Url", "")
        # A cross-posted page names its home URL; the document lives there.
        if (
            page_url.startswith(self.profile.canonical_origin + "/")
            and self.identity(self.profile.to_fetch(page_url)) == identity
        ):
            document.url = page_url
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        fetched = Fetched(
            portal=self.profile.name,
            identity=identity,
            url=document.url,
            fetched_url=response.url,
            fetched_at=fetched_at,
            status=200,
            record=document.to_record(),
            raw=response.body,
            headers=headers,
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            column=column,
        )
        yield from self.with_attachments(self.refine(fetched, response))

    def refine(self, item: Fetched, response: Response) -> Fetched:
        """A family's last word on a fetched article (its own metadata), before the attachments
        are fetched and the item stored. The default: as extracted."""
        return item

    # Listings: the family's part

    async def start(self) -> AsyncIterator[Any]:
        for request in self.first_requests():
            yield request

    def first_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError


class IndexPagesSpider(PortalSpider):
    """Portals whose listing is HTML index pages (TRS, home-grown templates): each page asked
    of `parse_index`, which follows its entries and then its next page."""

    def index_request(
        self, column: str, url: str, number: int, prefer: str | None = None
    ) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_index, errback=self.failed,
            meta={"column": column, "page": number, "prefer": prefer,
                  "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    def parse_index(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    def index_stub(self, response: Response, column: str) -> Generator[Any, None, bool]:
        """An index page that is no listing (a block, or a JS or meta-refresh stub to its first
        sub-column): the stub's target followed, the column ended when there is none. Whether
        it was one: `if (yield from self.index_stub(response, column)): return`."""
        handled, follow = self.not_content(response, column, self.parse_index, document=False)
        if follow is not None:
            yield follow
        if handled and follow is None:
            self.column_done(column)
        return handled


class NumberedPagesSpider(PortalSpider):
    """Portals whose listing is an API paged by number (jpaas, gov.cn): ask for page 1 of each
    column, follow its entries, then the next page while policy says so."""

    page_size: int = 15

    def listing_url(self, column: str, page: int) -> str:
        raise NotImplementedError

    def listing_headers(self) -> dict[str, str]:
        return {}

    def parse_listing(self, body: bytes, url: str, column: str) -> Any:
        """Entries, the total and the links skipped of one page (raises ListingFormatError)."""
        raise NotImplementedError

    def page_request(self, column: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            self.listing_url(column, page), headers=self.listing_headers(),
            callback=self.parse_page, errback=self.failed,
            meta={"column": column, "page": page, "handle_httpstatus_list": HANDLED},
        )  # fmt: skip

    def first_requests(self) -> Iterable[scrapy.Request]:
        for column in self.profile.columns:
            yield self.page_request(column.id, 1)

    def parse_page(self, response: Response) -> Iterator[Any]:
        column, page = response.meta["column"], response.meta["page"]
        if self.blocked(response, column):
            return
        try:
            listing = self.parse_listing(
                response.body, self.profile.canonical(response.url), column
            )
        except ListingFormatError as error:
            self.report("error", column, response.url, str(error))
            return
        if listing.skipped:
            self.skipped_link("", "rows that are not documents", listing.skipped)
        if page == 1:
            # Rows of an API none of whose URLs is a document's: the listing changed as well.
            unmatched = getattr(listing, "unmatched", 0) or (
                listing.skipped if not listing.entries else 0
            )
            self.check_column(column, len(listing.entries), response.url, unmatched)
        requests, all_known = self.follow_entries(listing.entries, column)
        yield from requests
        pages = math.ceil((listing.total or 0) / self.page_size)
        if listing.entries and page < pages and self.keep_paging(column, all_known):
            yield self.page_request(column, page + 1)
        else:
            self.column_done(column)
