"""The edges of `govwatch portals add`: fetching (through a script challenge when a browser is
given), following what a page points to, and proving a profile on one listing page.

`discover(url, get)` reads the pasted page and recognises it (`crawler.portals.discover`). An
article's column, and a home page's disclosure columns (its reply columns first; without them,
the first disclosure page that lists documents, or the reply columns such a page links), are read
in turn: a column's own page holds what its profile needs (Hanweb's webid and unitid, jpaas's
queryData, the column's name).
"""

from __future__ import annotations

import http.cookiejar
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

from crawler.cookies import from_cookie, to_cookie
from crawler.extract.decode import decode_html
from crawler.listings import generic, gkmlpt, govcn, hanweb, jpaas, trs
from crawler.listings.blocked import blocked_reason, remedy, solvable
from crawler.listings.links import parse_tree
from crawler.portals.discover import USER_AGENT, Discovery, Lead, column_leads, recognise
from crawler.portals.profiles import Profile

#: At most this many column pages read for one home page or article.
MAX_FOLLOWED = 8
#: Without reply columns on a home page, at most this many of its disclosure pages are searched
#: for them.
MAX_CATALOGUES = 3

Fetch = Callable[[str, dict[str, str] | None, bytes | None], tuple[bytes, str | None]]


class Blocked(OSError):
    """A page answered with a challenge or a block that was not passed: what, and what to do."""

    def __init__(self, url: str, reason: str, detail: str = "") -> None:
        super().__init__(f"{url} answers with a block, not the page: {reason}"
                         f"{f' ({detail})' if detail else ''}; {remedy(reason)}")  # fmt: skip
        self.url, self.block = url, reason


class Opened(Protocol):
    """A page as a browser showed it (`crawler.fetch.browser.Solved`)."""

    html: str
    url: str
    cookies: list[dict[str, Any]]


class Browser(Protocol):
    """A browser (`crawler.fetch.browser.Browser`): a page opened with cookies, once it is no
    challenge; shut down when done."""

    def open(
        self, url: str, user_agent: str | None = None, cookies: list[dict[str, Any]] | None = None
    ) -> Opened: ...

    def shutdown(self) -> None: ...


def fetch(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None
) -> tuple[bytes, str | None]:
    """A page's bytes and its declared charset, with no browser (see `Fetcher`)."""
    return Fetcher()(url, headers, data)


class Fetcher:
    """Plain requests, browser-like as portals want, with a cookie jar. A page whose plain answer
    is a script challenge (`crawler.listings.blocked.solvable`) is opened in the browser, when
    there is one, and the cookies it earned go with the plain requests after it (docs/DOMAIN.md
    §5); other blocks raise `Blocked`, with their remedy."""

    def __init__(
        self, browser: Callable[[], Browser | None] | None = None, timeout: float = 20.0
    ) -> None:
        #: Makes the browser on the first challenge (None: there is none).
        self.make_browser, self.timeout = browser, timeout
        self.browser: Browser | None = None
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        #: (URL, seconds) of each challenge the browser passed.
        self.passed: list[tuple[str, float]] = []

    def __call__(
        self, url: str, headers: dict[str, str] | None = None, data: bytes | None = None
    ) -> tuple[bytes, str | None]:
        status, body, charset = self._plain(url, headers, data)
        reason = blocked_reason(status, body, expect_body=False)
        if reason is None:
            return body, charset
        if not solvable(reason) or data is not None:
            raise Blocked(url, reason)
        if self.browser is None and self.make_browser is not None:
            self.browser, self.make_browser = self.make_browser(), None
        if self.browser is None:
            raise Blocked(url, reason, "no browser to pass it")
        started = time.monotonic()
        try:
            page = self.browser.open(url, USER_AGENT, [from_cookie(c) for c in self.jar])
        except RuntimeError as error:  # the browser's errors (crawler.fetch.browser)
            raise Blocked(url, reason, f"the browser could not pass it: {error}") from None
        for cookie in page.cookies:
            if cookie.get("name"):
                self.jar.set_cookie(to_cookie(cookie))
        self.passed.append((url, time.monotonic() - started))
        return page.html.encode("utf-8"), "utf-8"

    def close(self) -> None:
        """Shut the browser down, if one was started."""
        if self.browser is not None:
            self.browser.shutdown()
            self.browser = None

    def _plain(
        self, url: str, headers: dict[str, str] | None, data: bytes | None
    ) -> tuple[int, bytes, str | None]:
        request = urllib.request.Request(
            url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return int(answer.status), answer.read(), answer.headers.get_content_charset()
        except urllib.error.HTTPError as error:
            body = error.read() if error.fp is not None else b""
            if blocked_reason(error.code, body) is None:
                raise
            return error.code, body, error.headers.get_content_charset()


# Following leads.


def read(url: str, get: Fetch) -> str:
    body, charset = get(url, None, None)
    return decode_html(body, charset).text


def _visit(lead: Lead, get: Fetch) -> tuple[Discovery | None, str, str]:
    """A lead's page recognised, its text, and a line saying what it was."""
    label = f"{lead.name or '(unnamed)'} {lead.url}"
    try:
        text = read(lead.url, get)
    except (OSError, ValueError) as error:
        return None, "", f"read {label}: {getattr(error, 'reason', None) or error}"
    page = recognise(text, lead.url)
    if not page.complete or page.kind != "column":
        return page, text, f"read {label}: not a column's listing ({'; '.join(page.seen)})"
    columns = ", ".join(c["name"] for c in page.columns)
    return page, text, f"read {label}: {page.family}, {columns}"


def discover(url: str, get: Fetch) -> Discovery:
    """What the page at `url` says of its portal, with the column pages it points to read:
    an article's column, a home page's disclosure columns."""
    found = recognise(read(url, get), url)
    if found.kind == "article" and found.leads:
        return _from_article(found, get)
    if found.kind == "home" and found.leads:
        return _from_home(found, get)
    return found


def _from_article(found: Discovery, get: Fetch) -> Discovery:
    """The article's column as its own page shows it; what the article said, when that page
    does not read."""
    column, _, note = _visit(found.leads[0], get)
    if column is None or not column.complete or column.kind != "column":
        found.seen.append(note)
        return found
    column.seen = [*found.seen, note, *column.seen]
    column.site_name = column.site_name or found.site_name
    return column


def _from_home(found: Discovery, get: Fetch) -> Discovery:
    """The home page's reply columns, each read on its own page; without any, those a disclosure
    page links, else the first disclosure page that lists documents. The rest are shown."""
    chosen = [lead for lead in found.leads if lead.reply]
    visited: dict[str, tuple[Discovery | None, str]] = {}
    if not chosen:
        for lead in [lead for lead in found.leads if lead.rank == 1][:MAX_CATALOGUES]:
            page, text, note = _visit(lead, get)
            visited[lead.url] = page, note
            if text:
                chosen = [deeper for deeper in column_leads(parse_tree(text), lead.url)
                          if deeper.reply]  # fmt: skip
            if chosen:
                found.seen.append(f"{lead.name} links {len(chosen)} reply columns")
                break
    merged: Discovery | None = None
    used: list[Lead] = []
    for lead in (chosen or found.leads)[:MAX_FOLLOWED]:
        if lead.url not in visited:
            page, _, note = _visit(lead, get)
            visited[lead.url] = page, note
        page, note = visited[lead.url]
        found.seen.append(note)
        if page is None or not page.complete or page.kind != "column":
            continue
        if merged is None:
            merged = page
        elif not _merge(merged, page):
            found.seen.append(f"{lead.name}: another family's or site's column, not added")
            continue
        used.append(lead)
        if not chosen:
            break  # without reply columns, one disclosure column is proposed; the rest shown
    if merged is None:
        found.missing.append(("columns", "none of the columns the home page links reads as a "
                              "listing: paste a column's page"))  # fmt: skip
        return found
    merged.kind, merged.seen = "home", [*found.seen, *merged.seen]
    merged.site_name = found.site_name or merged.site_name
    merged.others = [lead for lead in found.leads if lead not in used]
    return merged


def _merge(merged: Discovery, page: Discovery) -> bool:
    """Add a column page's columns to the profile when it is the same site and family. Hanweb
    gives each column its own unitid (docs/DOMAIN.md §6): where they differ, the profile leaves
    it for the spider to read off each column's page."""
    if (page.family, page.origin) != (merged.family, merged.origin):
        return False
    differ = {
        k for k in {*page.params, *merged.params} if page.params.get(k) != merged.params.get(k)
    }
    if differ and not (page.family == "hanweb" and differ == {"unitid"}):
        return False
    if differ:
        merged.params.pop("unitid", None)
        merged.seen.append("each column has its own unitid: read off its page on each crawl")
    known = {c["id"] for c in merged.columns}
    merged.columns += [c for c in page.columns if c["id"] not in known]
    return True


# Proving.


def prove(profile: Profile, get: Fetch = fetch) -> list[str]:
    """Read one listing page of each column: a line per column (raises ValueError when no
    column lists anything)."""
    lines = []
    empty = 0
    for column in profile.columns:
        pattern, selector = profile.listing_overrides(column.id)
        family = profile.family
        if family == "gkmlpt":
            url = gkmlpt.api_url(profile.origin, profile.params["sid"], column.id, 1)
            entries = gkmlpt.parse_api(get(url, None, None)[0], url).entries
        elif family == "jpaas":
            url = jpaas.api_url(profile.origin, profile.params, column.id, 1, 15)
            entries = jpaas.parse_api(get(url, None, None)[0], url, pattern, selector).entries
        elif family == "hanweb":
            url = f"{profile.origin}/col/col{column.id}/index.html"
            body, charset = get(url, None, None)
            text = decode_html(body, charset).text
            entries = hanweb.parse_column_page(text, url, pattern, selector).entries
        elif family == "trs":
            url = trs.page_url(f"{profile.origin}/{column.path}/", 0)
            body, charset = get(url, None, None)
            entries = trs.parse_index(
                body, url, charset, pattern=pattern, list_selector=selector
            ).entries
        elif family == "govcn":
            url = govcn.search_url(profile.origin_for("search"), profile.params, 1, 20)
            headers = {"Referer": f"{profile.origin}/zhengce/zhengceku/"}
            entries = govcn.parse_search(get(url, headers, None)[0], url).entries
        else:
            url = f"{profile.origin}/{column.path}"
            body, charset = get(url, None, None)
            entries = generic.parse_listing(
                body, url, charset, pattern=pattern, list_selector=selector
            ).entries
        if not entries:
            empty += 1
            lines.append(f"  {column.name} ({column.id}): lists no documents at {url} "
                         "(kept; remove the column if it is not one to watch)")  # fmt: skip
            continue
        first = entries[0]
        lines.append(f"  {column.name} ({column.id}): {len(entries)} documents on its first page, "
                     f"e.g. {first.title or first.url} ({first.date or 'no date'})")  # fmt: skip
    if empty == len(profile.columns):
        raise ValueError("no column lists any document:\n" + "\n".join(lines))
    return lines
