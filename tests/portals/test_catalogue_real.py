"""Every catalogue entry against the real saved pages of its host (../shared/data/real/pages/).

A catalogue profile's `sources` are the real URLs of saved pages (`index.jsonl`), read where they
are and never copied here. For each source page:

- the family seen on the page is the profile's: `discover.recognise`; on an article page the
  family of its own URL (TRS `t<date>_<id>`, Hanweb `art_<col>_<id>`, gkmlpt `post_<id>`) or its
  marks is provisional (its column's page decides), so generic is allowed there too;
- a listing page's entries read through the family's listing parser; an article's title and at
  least one other field read by `extract_document`;
- a gkmlpt page's SID is the profile's.

And every column is where one of its pages puts it: a TRS or generic column is the directory of a
source page's URL or a link printed on the page; a Hanweb column the `art_<col>_` of a source URL
or a `col<id>` link on the page; a gkmlpt column a category of the page's TREE.

The portal's host must have a saved page (a portal whose page we have not seen stays out). These
tests skip, saying why, when the shared data is absent; the count test runs without it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from bench.real import data_dir
from crawler.extract import extract_document
from crawler.extract.decode import decode_html
from crawler.items import ListingEntry
from crawler.listings import generic, gkmlpt, hanweb, trs
from crawler.listings.links import parse_tree
from crawler.portals.catalogue import catalogue
from crawler.portals.discover import recognise
from crawler.portals.profiles import Column, Profile

PAGES = data_dir() / "pages"
ABSENT = f"real saved pages not found in {PAGES} (set GOVWATCH_REAL_DATA)"
CATALOGUE = catalogue()
#: Besides the title, an article must give at least one of these.
FIELDS = ("published_at", "written_date", "publisher", "index_no", "doc_no", "body_text")
_INDEX_PAGE = re.compile(r"/index\.s?html?$")


@dataclass(frozen=True)
class Saved:
    """One saved page as index.jsonl lists it."""

    file: Path
    url: str  # the final URL
    kind: str  # article, listing, stub, challenge
    encoding: str | None

    def body(self) -> bytes:
        return self.file.read_bytes()

    def text(self) -> str:
        return decode_html(self.body(), self.encoding).text


def _encoding(declared: str | None) -> str | None:
    """The charset index.jsonl records ("GBK (HTTP charset=GBK + meta)" → GBK)."""
    return declared.split()[0] if declared and "undeclared" not in declared else None


@cache
def saved_pages() -> dict[str, Saved]:
    """Every saved page by its final URL and by the URL it was asked for."""
    found: dict[str, Saved] = {}
    for line in (PAGES / "index.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        page = Saved(
            PAGES / entry["file"], entry["url"], entry["type"], _encoding(entry.get("encoding"))
        )
        for url in (entry["url"], entry.get("requested_url")):
            if url:
                found[url] = page
    return found


def families_seen(text: str, url: str, kind: str) -> set[str | None]:
    """The families a page allows: recognise's. An article's is its own URL's or its marks',
    and only provisional — `portals add` reads its column's page, which decides — so an article
    also allows generic (the generic spider reads a column page of any family, as the catalogue
    does where a family's parameters are missing), and one showing no family is generic."""
    found = recognise(text, url)
    if kind != "article" or found.kind != "article":
        return {found.family}
    return {found.family or "generic", "generic"}


def _norm(url: str) -> str:
    """A URL compared without its scheme, port, spaces or a trailing index page."""
    parts = urlsplit(url.strip())
    path = parts.path if parts.query else _INDEX_PAGE.sub("/", parts.path)
    return f"{parts.hostname}{path}" + (f"?{parts.query}" if parts.query else "")


def links(text: str, url: str) -> set[str]:
    return {
        _norm(urljoin(url, (a.get("href") or "").strip()))
        for a in parse_tree(text).iter("a")
        if (a.get("href") or "").strip()
    }


def column_url(profile: Profile, column: Column) -> str:
    # A TRS section is a directory; a generic column's path is its listing page's address.
    path = column.path + "/" if profile.family == "trs" else column.path
    return urljoin(profile.origin + "/", path)


def placed(profile: Profile, column: Column, page: Saved, text: str) -> bool:
    """Whether the page puts the column where the profile says it is."""
    if profile.family in ("trs", "generic"):
        url = column_url(profile, column)
        if _norm(url) in links(text, page.url):
            return True
        parts = urlsplit(url)
        directory = parts.path.rsplit("/", 1)[0] + "/"
        # The page lies under the column's directory (never the site's root).
        return (
            not parts.query
            and directory != "/"
            and _norm(page.url).startswith(f"{parts.hostname}{directory}")
        )
    if profile.family == "hanweb":
        own = re.search(rf"/art_{re.escape(column.id)}_\d+\.html", page.url) is not None
        linked = any(f"/col/col{column.id}/" in link for link in links(text, page.url))
        return own or linked
    if profile.family == "gkmlpt":
        return column.id in {category.id for category in gkmlpt.parse_config(text).tree}
    return False


def listing_entries(profile: Profile, page: Saved) -> list[ListingEntry]:
    """A saved listing page through the profile's family's listing parser."""
    pattern, selector = profile.article_pattern, profile.list_selector
    if profile.family == "trs":
        return trs.parse_index(
            page.body(), page.url, page.encoding, pattern=pattern, list_selector=selector
        ).entries
    if profile.family == "generic":
        return generic.parse_listing(
            page.body(), page.url, page.encoding, pattern=pattern, list_selector=selector
        ).entries
    if profile.family == "hanweb":
        return hanweb.parse_column_page(page.text(), page.url, pattern, selector).entries
    pytest.fail(f"{profile.name}: no listing check for the {profile.family} family")


def test_thirty_portals_each_sourced_on_its_own_host() -> None:
    assert len(CATALOGUE) >= 30
    for profile in CATALOGUE.values():
        host = urlsplit(profile.origin).hostname
        assert profile.sources and profile.verified is False, profile.name
        for source in profile.sources:
            parts = urlsplit(source)
            # A page of the portal (a listing or an article), not the site's address alone.
            assert parts.hostname == host and parts.path.strip("/"), (profile.name, source)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_entry_read_off_its_saved_pages(name: str) -> None:
    if not (PAGES / "index.jsonl").exists():
        pytest.skip(ABSENT)
    profile = CATALOGUE[name]
    host = urlsplit(profile.origin).hostname
    saved = saved_pages()
    assert any(urlsplit(url).hostname == host for url in saved), (
        f"{name}: no saved page of {host} in {PAGES}; a portal whose page we have not seen "
        "stays out of the catalogue"
    )
    read: list[tuple[Saved, str]] = []
    for source in profile.sources:
        page = saved.get(source)
        assert page is not None, f"{name}: {source} is not a saved page (index.jsonl)"
        assert page.kind in ("article", "listing"), f"{name}: {source} is a {page.kind}"
        text = page.text()
        seen = families_seen(text, page.url, page.kind)
        assert profile.family in seen, f"{name}: {source} shows {seen}, not {profile.family}"
        if page.kind == "listing":
            assert listing_entries(profile, page), f"{name}: {source} lists no entries"
        else:
            document = extract_document(
                page.body(), page.url, encoding=page.encoding, selectors=profile.selectors
            )
            assert document.title, f"{name}: {source} has no title"
            assert any(getattr(document, key) for key in FIELDS), f"{name}: {source}: title only"
        if profile.family == "gkmlpt":
            assert gkmlpt.parse_config(text).sid == profile.params["sid"], (name, source)
        read.append((page, text))
    for column in profile.columns:
        assert any(placed(profile, column, page, text) for page, text in read), (
            f"{name}: column {column.id} ({column.path or column.name}) is neither where its "
            "pages are nor linked from them"
        )
