"""What govwatch sees in any saved answer of a portal: a document, a listing, or what stands in
their place (a block, a redirect stub, a soft 404, an app shell, another page, a blank page).

`read_page(body, url)` is what `govwatch extract` prints: one question — "what does govwatch see
here" — for users adding a portal and for tests and benchmarks, which need not know which
module reads what. Pure: bytes and a URL in, a `PageReading` out.

A page is a document when its URL is a known article URL, or when what it prints reads as one
(labelled metadata, a body of its own); it is a listing when most of what it prints is a list of
document links. A listing is read by its family's parser where the page shows its family (a TRS
index with its paging call, a Hanweb column with its datastore, a jpaas column), else as the list
of any page that holds most article links (`crawler.listings.links`, with the pattern the page's
own dated links teach, `crawler.listings.generic`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.extract import extract_document
from crawler.extract.decode import decode_html
from crawler.items import Document, ListingEntry
from crawler.listings import generic, hanweb, jpaas, trs
from crawler.listings.answers import CONTENT, read_answer
from crawler.listings.links import ANY_ARTICLE, document_links, is_article, parse_tree

DOCUMENT, LISTING = "document", "listing"
#: A listing shows at least this many documents.
MIN_ENTRIES = 5
_ANY_ARTICLE = re.compile(ANY_ARTICLE)
# A column's own page: its directory, an index page (TRS index_N, Hanweb /col/colN/), a list page.
_INDEX_URL = re.compile(
    r"(?:/|/index(?:_\d+)?\.s?html?|/col/col\d+/(?:index\.html?)?|/(?:list|more)[\w-]*\.\w+)$",
    re.I,
)
_TRS_PAGING = re.compile(r"createPageHTML\s*\(")
_HANWEB_STORE = re.compile(r"<datastore>", re.I)
_JPAAS_COLUMN = re.compile(r"""\bqueryData\s*=|unitbuild\.js""")


@dataclass
class PageReading:
    """What a page is, and what govwatch reads off it."""

    page: str  # document | listing | blocked | redirect | postmeta | soft-404 | app-shell | …
    reason: str | None = None  # why a non-answer is one
    target: str | None = None  # where a stub leads
    document: Document | None = None
    entries: list[ListingEntry] = field(default_factory=list)
    next_page: str | None = None
    parser: str | None = None  # which listing parser read the entries
    url: str | None = None  # the listing's own address

    def to_json(self) -> dict[str, Any]:
        """What `govwatch extract` prints: `page`, then what that kind of page carries."""
        if self.page == DOCUMENT and self.document is not None:
            return {"page": DOCUMENT, **self.document.to_record()}
        if self.page == LISTING:
            return {
                "page": LISTING, "url": self.url, "parser": self.parser,
                "entries": [{"url": e.url, "title": e.title, "date": e.date} for e in self.entries],
                "next_page": self.next_page,
            }  # fmt: skip
        return {"page": self.page, "reason": self.reason, "target": self.target}


def read_page(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    status: int = 200,
    requested: str | None = None,
    selectors: dict[str, str] | None = None,
) -> PageReading:
    """What an answer from `url` is and says. `requested` is the URL asked for where a redirect
    happened on the way; `encoding` the charset the server declared."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    requested = requested or url
    article = is_article(requested, _ANY_ARTICLE)
    answer = read_answer(
        status, data, url, encoding=encoding, document=article, requested=requested
    )
    if answer.kind not in (CONTENT, "blank"):
        return PageReading(answer.kind, answer.reason, answer.target)
    document = extract_document(data, url, encoding=encoding, selectors=selectors)
    if answer.kind == "blank":
        # Next to nothing on it: a document only if it has a title of its own.
        if document.title:
            return PageReading(DOCUMENT, document=document)
        return PageReading(answer.kind, answer.reason, answer.target)
    if article:
        return PageReading(DOCUMENT, document=document)
    listing = read_listing(data, url, encoding=encoding)
    if _is_listing(listing, document, url):
        listing.url = url
        return listing
    return PageReading(DOCUMENT, document=document)


def read_listing(body: bytes, url: str, *, encoding: str | None = None) -> PageReading:
    """A page read as a listing: by its family's parser where the page shows its family, else
    as any page's list of documents."""
    text = decode_html(body, encoding).text
    if _TRS_PAGING.search(text) or _looks_trs(text, url):
        page = trs.parse_index(body, url, encoding)
        if page.entries:
            return PageReading(
                LISTING, entries=page.entries, next_page=page.next_page, parser="trs"
            )
    if _HANWEB_STORE.search(text):
        column = hanweb.parse_column_page(text, url)
        if column.entries:
            return PageReading(LISTING, entries=column.entries, parser="hanweb")
    if _JPAAS_COLUMN.search(text):
        entries = jpaas.entries_from_html(text, url)
        if entries:
            return PageReading(LISTING, entries=entries, parser="jpaas")
    root = parse_tree(text)
    following = generic.next_page(root, url)
    found = document_links(root, url, _ANY_ARTICLE)
    if len(found.entries) >= MIN_ENTRIES:
        return PageReading(LISTING, entries=found.entries, next_page=following, parser="links")
    learnt = generic.learn_pattern(root, url)
    if learnt is not None:
        found = document_links(root, url, learnt)
        return PageReading(LISTING, entries=found.entries, next_page=following, parser="generic")
    return PageReading(LISTING, entries=found.entries, next_page=following, parser="links")


def _looks_trs(text: str, url: str) -> bool:
    """TRS's article links (`./202311/t20231103_123.html`) under the page's own directory."""
    if "/t2" not in text:  # every TRS article name since 2000 starts t2…: most pages stop here
        return False
    directory = urlsplit(url).path.rsplit("/", 1)[0]
    own = re.escape(directory) + r"/\d{6}/t\d{8}_\d+\.s?html?|\./\d{6}/t\d{8}_"
    return re.search(own, text) is not None


def _is_listing(listing: PageReading, document: Document, url: str) -> bool:
    """A page of no article URL is a listing when it lists enough documents and either its URL
    is a column's, or what it prints is mostly that list (no labelled metadata, no body of its
    own beyond the entries' titles)."""
    if len(listing.entries) < MIN_ENTRIES:
        return False
    if _INDEX_URL.search(urlsplit(url).path):
        return True
    if document.index_no or document.doc_no or document.publisher or document.written_date:
        return False
    body = "".join((document.body_text or "").split())
    titles = sum(len("".join((entry.title or "").split())) for entry in listing.entries)
    return titles >= 0.5 * len(body)
