"""Downloader middlewares: retries with backoff that honour Retry-After; cookies that never
reach the network for the Public Suffix List; one politeness slot per loopback origin; a
stopping crawl's waiting requests dropped at once (`drop_waiting`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import cookies
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.asyncio import CallLaterResult, call_later
from tldextract import TLDExtract
from twisted.internet.defer import Deferred

from crawler.fetch.slots import Stopped, slot_key

DELAY_KEY = "govwatch_retry_delay"

#: Scrapy's cookie middleware asks tldextract whether a cookie's domain is public, and tldextract
#: by default downloads the Public Suffix List (DNS and HTTPS from the crawl, a long traceback
#: when the network says no). A monitor deployed offline or behind a firewall must never do that:
#: the suffix list tldextract ships is used, and nothing is fetched or cached.
OFFLINE_SUFFIXES = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def use_offline_suffixes() -> None:
    """Point Scrapy's cookie middleware at the shipped suffix list (idempotent)."""
    cookies._split_domain = OFFLINE_SUFFIXES


use_offline_suffixes()  # this module is loaded with the downloader, before any cookie is seen


def retry_delay(retries: int, retry_after: str | None, base: float, cap: float) -> float:
    """Seconds to wait before retry number `retries` + 1: the server's Retry-After when it gives
    one (seconds), else exponential backoff from `base`, never more than `cap`."""
    if retry_after:
        try:
            return float(min(max(float(retry_after.strip()), 0.0), cap))
        except ValueError:
            pass  # an HTTP date: fall back to backoff
    return float(min(base * 2.0**retries, cap))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, with a wait before each retry (GOVWATCH_RETRY_BACKOFF_BASE / _MAX)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("GOVWATCH_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("GOVWATCH_RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    def _with_delay(
        self, retry: Request | None, request: Request, retry_after: str | None
    ) -> Request | None:
        if retry is not None:
            retries = int(request.meta.get("retry_times", 0))
            retry.meta[DELAY_KEY] = retry_delay(retries, retry_after, self.base, self.cap)
        return retry

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        after = response.headers.get(b"Retry-After")
        retry = self._retry(request, f"HTTP {response.status}")
        delayed = self._with_delay(retry, request, after.decode("latin-1") if after else None)
        return delayed or response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get(
            "dont_retry", False
        ):
            return self._with_delay(self._retry(request, exception), request, None)
        return None


class RetryDelayMiddleware:
    """Holds a retried request back for the delay its retry asked for."""

    def __init__(self) -> None:
        self.waiting: dict[Deferred[None], CallLaterResult] = {}

    def process_request(
        self, request: Request, spider: Spider | None = None
    ) -> Deferred[None] | None:
        delay = request.meta.pop(DELAY_KEY, 0)
        if not delay or delay <= 0:
            return None
        waited: Deferred[None] = Deferred()
        self.waiting[waited] = call_later(delay, self._waited, waited)
        return waited

    def _waited(self, waited: Deferred[None]) -> None:
        del self.waiting[waited]
        waited.callback(None)

    def drop(self) -> int:
        """Every retry still waiting, failed with `Stopped`."""
        waiting, self.waiting = self.waiting, {}
        for waited, call in waiting.items():
            call.cancel()
            waited.errback(Stopped())
        return len(waiting)


def drop_waiting(crawler: Crawler) -> int:
    """A stopping crawl's requests that wait for a politeness delay (queued in a downloader
    slot) or a retry's backoff, failed at once with `Stopped` rather than sent one delay after
    another: Scrapy's graceful stop sends every request its downloader holds, so a cancelled
    polite crawl took as long as its queue, many delays, longer still where AutoThrottle had
    raised them on a busy machine (a node's cancelled job outlived 30 s). Requests already in
    transfer finish and are stored. Nothing is lost: a crawl that did not finish marks no
    column complete, so the next one walks them again and finds what was dropped. How many."""
    try:
        engine = crawler.engine
    except RuntimeError:  # not started: nothing waits
        return 0
    dropped = 0
    for slot in engine.downloader.slots.values():
        slot.close()  # its next delay's call, cancelled
        while slot.queue:
            _, queued = slot.queue.popleft()
            queued.errback(Stopped())
            dropped += 1
    retries = crawler.get_downloader_middleware(RetryDelayMiddleware)
    return dropped + (retries.drop() if retries is not None else 0)


class OriginSlotMiddleware:
    """Puts each request in its origin's slot on loopback (`slot_key`), so that each replica
    portal gets its own delay and concurrency as a real portal on its own host does. Scrapy
    keys slots on the host name alone: every replica portal's slot would be `127.0.0.1`, and
    the profiles' DOWNLOAD_SLOTS entries for it would overwrite one another."""

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlsplit(request.url)
        key = slot_key(parts.netloc)
        if "download_slot" not in request.meta and key != parts.hostname:
            request.meta["download_slot"] = key


class ProfileFloorThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, which never takes a slot below its own delay: a profile's (from
    DOWNLOAD_SLOTS), not only the global DOWNLOAD_DELAY. Scrapy's floors every slot at
    DOWNLOAD_DELAY, so a portal that answers fast saw its profile's 3 s become 2 s after its
    first answer."""

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        key = request.meta.get("download_slot")
        assert self.crawler.engine is not None
        own = self.crawler.engine.downloader.per_slot_settings.get(key or "", {}).get("delay")
        floor = self.mindelay
        if own is not None:
            self.mindelay = max(floor, float(own))
        try:
            super()._response_downloaded(response, request, spider)
        finally:
            self.mindelay = floor
