"""A real browser for the pages that demand one: the system's Chromium driven by Playwright.

Used only where needed (`crawler.fetch.defences`): to pass a script challenge once and hand its cookies
back to plain requests, and to render the pages of portals whose profile says `render: browser`.
The browser is Debian's `chromium` (never downloaded at run time); without it, `find_chromium`
says None and the crawl goes on without a browser.

Playwright's sync API runs in one worker thread of its own (its objects belong to the thread
that made them); Twisted code gets Deferreds.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twisted.internet import reactor as _reactor
from twisted.internet.defer import Deferred

from crawler.listings.blocked import blocked_reason, solvable

reactor: Any = _reactor
T = TypeVar("T")

#: Where Debian and others put Chromium.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "no Chromium found: portals that answer with a JavaScript challenge stay blocked; "
    "install it (Debian: apt-get install chromium) or set GOVWATCH_BROWSER to its path"
)
#: What a crawl says when a challenge met a browser turned off (whether or not one is installed).
OFF_HINT = (
    "the browser is turned off (GOVWATCH_BROWSER=off): portals that answer with a JavaScript "
    "challenge stay blocked; unset GOVWATCH_BROWSER (or set it to auto, or to Chromium's path) "
    "to solve them in Chromium"
)

#: Flags that work in containers and keep the browser from talking to anyone but the portal.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


class BrowserError(RuntimeError):
    """The browser could not pass a challenge."""


class BrowserStartError(BrowserError):
    """The browser could not start at all."""


#: GOVWATCH_BROWSER values that turn the browser off.
OFF_VALUES = ("off", "no", "none", "false", "0")


def browser_off(setting: str | None) -> bool:
    """Whether GOVWATCH_BROWSER turns the browser off."""
    return (setting or "").strip().lower() in OFF_VALUES


def find_chromium(setting: str | None = None) -> str | None:
    """The Chromium to use: `setting` (GOVWATCH_BROWSER: a path, or `off`), else the first of
    CANDIDATES on PATH; None when there is none (or it is turned off)."""
    value = (setting or "").strip()
    if browser_off(value):
        return None
    if value and value.lower() != "auto":
        found = shutil.which(value)
        return found if found else (value if os.access(value, os.X_OK) else None)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Solved:
    """What a browser earned on a page: its cookies (Playwright's dicts) and what it finally
    showed (HTML, the URL it ended on)."""

    cookies: list[dict[str, Any]]
    html: str
    url: str
    seconds: float


@dataclass
class Browser:
    """One headless Chromium, started on first use, in a worker thread of its own."""

    executable: str
    timeout: float = 30.0
    launches: int = 0
    _executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="govwatch-browser")
    )
    _playwright: Any = None
    _browser: Any = None

    # Twisted side

    def solve(
        self, url: str, user_agent: str | None, cookies: list[dict[str, Any]]
    ) -> Deferred[Solved]:
        """Open `url` as a browser does (with `cookies`), let its scripts run until the page is
        no challenge any more; the cookies it earned and the page."""
        return self._defer(lambda: self._open(url, user_agent, cookies))

    def close(self) -> Deferred[None]:
        return self._defer(self._close)

    # Blocking side, for callers outside a crawl (`govwatch portals add`)

    def open(
        self, url: str, user_agent: str | None = None, cookies: list[dict[str, Any]] | None = None
    ) -> Solved:
        """`solve`, waiting for it: the page once it is no challenge, and the cookies earned."""
        return self._executor.submit(self._open, url, user_agent, cookies or []).result()

    def shutdown(self) -> None:
        """Stop the browser and its thread (blocking; at the end of a crawl)."""
        self._executor.submit(self._close).result(timeout=30)
        self._executor.shutdown(wait=True)

    def _defer(self, work: Callable[[], T]) -> Deferred[T]:
        deferred: Deferred[T] = Deferred()

        def done(future: Future[T]) -> None:
            error = future.exception()
            if error is not None:
                reactor.callFromThread(deferred.errback, error)
            else:
                reactor.callFromThread(deferred.callback, future.result())

        self._executor.submit(work).add_done_callback(done)
        return deferred

    # Worker thread side

    def _start(self) -> Any:
        if self._browser is not None:
            return self._browser
        from playwright.sync_api import Error, sync_playwright

        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable,
                headless=True,
                args=list(FLAGS),  # Playwright gives it a fresh --user-data-dir
                timeout=self.timeout * 1000,
            )
        except Error as error:
            self._close()
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            raise BrowserStartError(f"cannot start {self.executable}: {first}") from None
        self.launches += 1
        return self._browser

    def _open(self, url: str, user_agent: str | None, cookies: list[dict[str, Any]]) -> Solved:
        from playwright.sync_api import Error

        started = time.monotonic()
        browser = self._start()
        context = browser.new_context(user_agent=user_agent, ignore_https_errors=True)
        try:
            if cookies:
                context.add_cookies(cookies)
            page = context.new_page()
            # A challenge in front of a file (瑞数 guards every URL): once passed, the answer is a
            # download, never a page that loads; the cookies are what was asked for.
            downloads: list[Any] = []
            page.on("download", lambda download: downloads.append(download))  # (not a builtin)
            try:
                page.goto(url, wait_until="commit", timeout=self.timeout * 1000)
            except Error as error:
                if not downloads and "interrupted by another navigation" not in str(error):
                    raise BrowserError(f"{url}: {str(error).splitlines()[0]}") from None
            html = _settled(page, started + self.timeout, downloads)
            return Solved(context.cookies(), html, page.url, time.monotonic() - started)
        finally:
            context.close()

    def _close(self) -> None:
        for thing in (self._browser, self._playwright):
            try:
                if thing is self._playwright and thing is not None:
                    thing.stop()
                elif thing is not None:
                    thing.close()
            except Exception:  # a browser that died already: nothing left to close
                pass
        self._browser = self._playwright = None


def _settled(page: Any, deadline: float, downloads: list[Any]) -> str:
    """The page's HTML once it is no challenge: its scripts set their cookie and reloaded. Empty
    where the answer became a download (a file behind the challenge)."""
    from playwright.sync_api import Error

    html = ""
    while True:
        if downloads:
            return ""
        try:
            # A second at a time, so that a download that starts meanwhile is seen.
            wait = min(max(deadline - time.monotonic(), 0.1), 1.0)
            page.wait_for_load_state("load", timeout=wait * 1000)
            html = page.content()
        except Error:  # still loading, or it navigated while read: read it again
            html = ""
        reason = blocked_reason(200, html.encode("utf-8")) if html else "navigating"
        if html and (reason is None or not solvable(reason)):
            return html
        if time.monotonic() > deadline:
            raise BrowserError(f"{page.url}: still a challenge ({reason})")
        time.sleep(0.05)
