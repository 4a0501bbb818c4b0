"""Fetching a document's attachments with it (issue 13), through the same crawl and politeness.

A document page that is new or changed (its content hash differs from the stored one), or one
some of whose attachments have no stored file yet, is held back while its attachments are
fetched one after the other — conditionally (the ETag and Last-Modified of the stored file), each
under the profile's size cap, all of a run under its run cap, through the family's download
redirects (Scrapy follows them) — and then handed to the pipelines with the files, so that the
document, its files, their text and the alerts they raise are stored in one transaction. A file
that fails is recorded as failed; the document is stored all the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.clock import now
from crawler.fetch.slots import Stopped
from crawler.items import Fetched, FetchedFile, content_hash

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.utils.log import SpiderLoggerAdapter

    from crawler.portals.profiles import Profile
    from spiders.state import PortalState

MB = 1024 * 1024


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class AttachmentFetching:
    """Mixed into PortalSpider."""

    attachment_bytes: int = 0  # fetched this run
    attachment_run_capped: bool = False
    if TYPE_CHECKING:  # what PortalSpider provides
        profile: Profile
        state: PortalState
        crawler: Crawler

        @property
        def logger(self) -> SpiderLoggerAdapter: ...

    def with_attachments(self, fetched: Fetched) -> Iterator[Fetched | scrapy.Request]:
        """The document, or the first of its attachment downloads (which ends in the document)."""
        todo = self.attachments_to_fetch(fetched)
        if not todo:
            yield fetched
            return
        yield self.attachment_request(fetched, todo)

    def attachments_to_fetch(self, fetched: Fetched) -> list[dict[str, Any]]:
        record = fetched.record or {}
        links = [a for a in record.get("attachments") or [] if a.get("url")]
        corpus = self.state.files
        if not links or not self.profile.attachments_fetch or corpus is None:
            return []
        stored = corpus.attachment_files(fetched.identity)
        # Unchanged: the page extracts as it did when it was stored. Its files stored already,
        # and those refused for good (too large), are not fetched again until it changes.
        unchanged = corpus.page_hash(fetched.identity) == content_hash(record)
        refused = corpus.refused_files(fetched.identity) if unchanged else set()
        todo = []
        for link in links:
            if unchanged and (stored.get(link["url"]) or link["url"] in refused):
                continue  # the document and this file are stored as they are
            if not self.profile.allows(self.profile.to_fetch(link["url"])):
                continue  # a file elsewhere (another site, a cloud drive): linked, not fetched
            todo.append(link)
        return todo

    def attachment_request(
        self, fetched: Fetched, todo: list[dict[str, Any]]
    ) -> scrapy.Request | Fetched:
        link, rest = todo[0], todo[1:]
        cap = int(self.profile.attachment_max_run_mb * MB)
        if self.attachment_bytes >= cap:
            if not self.attachment_run_capped:
                self.attachment_run_capped = True
                self.logger.warning(
                    "%s: attachments of this run reached %g MB (attachments.max_run_mb); "
                    "the rest are fetched next run", self.profile.name,
                    self.profile.attachment_max_run_mb,
                )  # fmt: skip
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("govwatch/attachments_capped")
            fetched.files.append(FetchedFile(
                link["url"], link.get("name"), "", now(), 0,
                error=f"not fetched: this run's attachments reached attachments.max_run_mb "
                f"({self.profile.attachment_max_run_mb:g} MB)",
            ))  # fmt: skip
            return self.next_attachment(fetched, rest)
        assert self.state.files is not None
        headers: dict[str, str] = {}
        known = self.state.files.attachment_validators(link["url"])
        if known is not None:
            etag, last_modified = known
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        maxsize = int(self.profile.attachment_max_file_mb * MB)
        return scrapy.Request(
            self.profile.to_fetch(link["url"]), callback=self.parse_attachment_file,
            errback=self.attachment_failed, headers={**headers, "Referer": fetched.fetched_url},
            dont_filter=True,  # one file linked from several documents is fetched for each
            meta={"fetched": fetched, "todo": rest, "link": link, "download_maxsize": maxsize,
                  "download_warnsize": 0, "handle_httpstatus_list": [304, 403, 404, 410, 500,
                  502, 503, 504], "column": fetched.column, "identity": fetched.identity},
        )  # fmt: skip

    def next_attachment(
        self, fetched: Fetched, todo: list[dict[str, Any]]
    ) -> scrapy.Request | Fetched:
        return self.attachment_request(fetched, todo) if todo else fetched

    def parse_attachment_file(self, response: Response) -> Iterator[Any]:
        fetched: Fetched = response.meta["fetched"]
        link = response.meta["link"]
        file = FetchedFile(
            link["url"], link.get("name"), response.url, now(), response.status,
            content_type=_header(response, b"Content-Type"), etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )  # fmt: skip
        assert self.crawler.stats is not None
        if response.status == 200:
            file.raw = response.body
            self.attachment_bytes += len(response.body)
            self.crawler.stats.inc_value("govwatch/attachments_fetched")
        elif response.status == 304:
            self.crawler.stats.inc_value("govwatch/attachments_not_modified")
        else:
            file.status, file.error = 0, f"HTTP {response.status}"
            self.crawler.stats.inc_value("govwatch/attachments_failed")
        fetched.files.append(file)
        yield self.next_attachment(fetched, response.meta["todo"])

    def attachment_failed(self, failure: Failure) -> Iterator[Any]:
        """A download that failed (too large, refused, timed out): recorded, never fatal."""
        if isinstance(failure.value, Stopped):
            return  # the crawl stops: its document is not stored, and the next crawl fetches it
        request = failure.request  # type: ignore[attr-defined]
        fetched: Fetched = request.meta["fetched"]
        link = request.meta["link"]
        message = " ".join(str(failure.value).split()) or (
            failure.type.__name__ if failure.type else "error"
        )
        if "maxsize" in message.lower() or "max size" in message.lower():
            message = (
                f"larger than attachments.max_file_mb ({self.profile.attachment_max_file_mb:g} MB)"
            )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("govwatch/attachments_failed")
        # Forbidden by robots.txt: said once per portal in the summary (crawler.fetch.robots).
        log = self.logger.debug if "robots.txt" in message else self.logger.warning
        log("attachment %s of %s: %s", link["url"], fetched.url, message)
        fetched.files.append(FetchedFile(link["url"], link.get("name"), request.url, now(), 0,
                                         error=message))  # fmt: skip
        yield self.next_attachment(fetched, request.meta["todo"])
