"""Through the portals' defences: a cookie jar per portal that outlives the run, and a browser
only where a challenge demands one.

`PortalCookiesMiddleware` is Scrapy's cookie middleware (so 302-to-self with Set-Cookie and
session cookies work as in a browser), loading the portal's jar from the store when the spider
opens and saving the live cookies when it closes.

`ChallengeMiddleware` sees every answer: a script challenge (`crawler.listings.blocked.solvable`)
is solved once per host in a headless Chromium (`crawler.fetch.browser`), its cookies go into the
portal's jar, and the request goes again as a plain request carrying them. Requests challenged
while a solve runs wait for it; requests sent before a solve finished go again without another
one; a challenge that comes back (the cookie expired) is solved again. Portals whose profile says
`render: browser` have their HTML pages shown by the browser (its scripts run). Without Chromium the crawl goes on
(the challenge is reported as blocked) and says once what to install.

Stats (per portal): `govwatch/challenges`, `govwatch/browser_solves`,
`govwatch/browser_launches`, `govwatch/browser_seconds`, `govwatch/browser_pages` (rendered),
`govwatch/browser_missing` (no Chromium), `govwatch/browser_off` (GOVWATCH_BROWSER turned it off).
"""

from __future__ import annotations

import http.cookiejar
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawler.cookies import from_cookie, to_cookie
from crawler.fetch.browser import (
    INSTALL_HINT,
    OFF_HINT,
    Browser,
    BrowserError,
    BrowserStartError,
    Solved,
    browser_off,
    find_chromium,
)
from crawler.listings.blocked import blocked_reason, solvable
from crawler.store import open_store

logger = logging.getLogger(__name__)
#: How often one request may meet a challenge before it is reported as blocked.
MAX_CHALLENGES = 3
#: The install hint is said once per process, however many portals meet a challenge.
_HINTED: list[str] = []
_GENERATION = "govwatch_generation"
_CHALLENGED = "govwatch_challenges"


def _host(url: str) -> str:
    return urlsplit(url).netloc


class PortalCookiesMiddleware(CookiesMiddleware):
    """Scrapy's cookies, kept with the portal's state in the store between runs."""

    crawler: Crawler
    portal: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalCookiesMiddleware:
        middleware = super().from_crawler(crawler)
        assert isinstance(middleware, PortalCookiesMiddleware)
        middleware.crawler = crawler
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    @property
    def jar(self) -> http.cookiejar.CookieJar:
        jar: http.cookiejar.CookieJar = self.jars[None].jar
        return jar

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        if profile is None:
            return
        self.portal = str(profile.name)
        with open_store(self.crawler.settings["GOVWATCH_DB"]) as store:
            saved = store.cookies(self.portal)
        now = time.time()
        self.add([c for c in saved if c.get("expires", -1) > now])

    def spider_closed(self, spider: Spider) -> None:
        if self.portal is None:
            return
        self.jar.clear_expired_cookies()
        keep = [from_cookie(c) for c in self.jar if c.expires and not c.discard]
        with open_store(self.crawler.settings["GOVWATCH_DB"]) as store:
            store.set_cookies(self.portal, keep)

    def add(self, cookies: list[dict[str, Any]]) -> None:
        for data in cookies:
            if data.get("name"):
                self.jar.set_cookie(to_cookie(data))

    def export(self) -> list[dict[str, Any]]:
        return [from_cookie(c) for c in self.jar]


class ChallengeMiddleware:
    """Script challenges solved in a browser, once per host and cookie lifetime."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.executable = find_chromium(crawler.settings.get("GOVWATCH_BROWSER"))
        self.off = browser_off(crawler.settings.get("GOVWATCH_BROWSER"))
        self.timeout = crawler.settings.getfloat("GOVWATCH_BROWSER_TIMEOUT", 30.0)
        self.browser: Browser | None = None
        self.generation: dict[str, int] = {}
        self.waiting: dict[str, list[Deferred[None]]] = {}
        self.render = False
        self.warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def spider_opened(self, spider: Spider) -> None:
        profile = getattr(spider, "profile", None)
        self.render = getattr(profile, "render", "plain") == "browser"

    async def spider_closed(self, spider: Spider) -> None:
        if self.browser is None:
            return
        browser, self.browser = self.browser, None
        self.stats.set_value("govwatch/browser_launches", browser.launches)
        await maybe_deferred_to_future(deferToThread(browser.shutdown))

    def _cookies(self) -> PortalCookiesMiddleware | None:
        assert self.crawler.engine is not None
        for middleware in self.crawler.engine.downloader.middleware.middlewares:
            if isinstance(middleware, PortalCookiesMiddleware):
                return middleware
        return None

    def _available(self) -> bool:
        if self.executable is not None:
            return True
        if self.off:  # turned off on purpose: say so (not "install Chromium": it may be there)
            self.stats.set_value("govwatch/browser_off", OFF_HINT)
            return False
        if not self.warned:
            self.warned = True
            if not _HINTED:
                _HINTED.append(INSTALL_HINT)
                logger.warning(INSTALL_HINT)
            self.stats.set_value("govwatch/browser_missing", INSTALL_HINT)
        return False

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta.setdefault(_GENERATION, self.generation.get(_host(request.url), 0))

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status in (301, 302, 303, 304, 307, 308):
            return response
        reason = blocked_reason(response.status, response.body)
        if reason is None or not solvable(reason):
            return await self._rendered(request, response)
        self.stats.inc_value("govwatch/challenges")
        tries = int(request.meta.get(_CHALLENGED, 0))
        if tries >= MAX_CHALLENGES or not self._available():
            return response
        host = _host(request.url)
        if int(request.meta.get(_GENERATION, 0)) >= self.generation.get(host, 0):
            try:
                await self._solve(host, request)
            except BrowserStartError as error:
                self.executable = None  # said once; the crawl goes on without a browser
                logger.warning("%s", error)
                self.stats.set_value("govwatch/browser_missing", str(error))
                return response
            except BrowserError as error:
                logger.warning("%s: the browser could not pass the challenge: %s", host, error)
                self.stats.inc_value("govwatch/browser_failures")
                return response
        again = request.replace(dont_filter=True)
        again.headers.pop(b"Cookie", None)
        again.meta[_CHALLENGED] = tries + 1
        again.meta[_GENERATION] = self.generation.get(host, 0)
        return again

    async def _rendered(self, request: Request, response: Response) -> Response:
        """For `render: browser` portals, an HTML page as the browser shows it (its scripts
        run); JSON and other answers as they came."""
        kind = (response.headers.get(b"Content-Type") or b"").lower()
        if not self.render or request.method != "GET" or response.status != 200:
            return response
        if b"html" not in kind or not self._available():
            return response
        try:
            solved = await self._open(request.url, request)
        except BrowserError as error:
            logger.warning("%s: the browser could not render it: %s", request.url, error)
            self.stats.inc_value("govwatch/browser_failures")
            return response
        self.stats.inc_value("govwatch/browser_pages")
        headers = response.headers.copy()
        for name in (b"Content-Length", b"Content-Encoding"):
            headers.pop(name, None)
        headers[b"Content-Type"] = b"text/html; charset=utf-8"
        return HtmlResponse(
            response.url, status=200, headers=headers, body=solved.html.encode("utf-8"),
            encoding="utf-8", request=request,
        )  # fmt: skip

    async def _solve(self, host: str, request: Request) -> None:
        """One solve per host at a time: who comes while it runs waits for it."""
        if host in self.waiting:
            waiter: Deferred[None] = Deferred()
            self.waiting[host].append(waiter)
            await maybe_deferred_to_future(waiter)
            return
        self.waiting[host] = []
        error: BaseException | None = None
        try:
            solved = await self._open(request.url, request)
            logger.info("%s: challenge passed in the browser in %.1f s", host, solved.seconds)
            self.stats.inc_value("govwatch/browser_solves")
            self.generation[host] = self.generation.get(host, 0) + 1
        except BaseException as failure:
            error = failure
            raise
        finally:
            for waiter in self.waiting.pop(host):
                waiter.callback(None) if error is None else waiter.errback(error)

    async def _open(self, url: str, request: Request) -> Solved:
        if self.browser is None:
            assert self.executable is not None
            self.browser = Browser(self.executable, self.timeout)
        cookies = self._cookies()
        agent = request.headers.get(b"User-Agent")
        solved = await maybe_deferred_to_future(
            self.browser.solve(
                url, agent.decode("latin-1") if agent else None,
                cookies.export() if cookies else [],
            )
        )  # fmt: skip
        if cookies is not None:
            cookies.add(solved.cookies)
        self.stats.inc_value("govwatch/browser_seconds", round(solved.seconds, 3))
        self.stats.set_value("govwatch/browser_launches", self.browser.launches)
        return solved
