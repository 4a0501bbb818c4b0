"""What a spider knows of its portal when the crawl opens, and the signals it sends instead of
writing anything itself.

The crawl's recorder (`crawler.run.recorder.CrawlRecorder`, a Scrapy extension) hands each spider
its `PortalState` when the spider opens and records what the spider signals: a problem found, a
column listed. Spiders yield requests and items only; every write is a pipeline's or the
recorder's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

#: Sent by a spider for an error or a blocked answer: `spider, kind, column, url, message`.
problem_found = object()
#: Sent at a column's first listing page: `spider, column, listed` (how many entries it lists).
column_listed = object()

#: What is known of a document: (etag, last_modified, published_at, status).
Known = tuple[str | None, str | None, str | None, str]


class StoredFiles(Protocol):
    """What the corpus says of a document's attachments, asked as the spider meets them."""

    def page_hash(self, identity: str) -> str | None:
        """The hash of the document's page as last extracted (None: not stored)."""

    def attachment_files(self, identity: str) -> dict[str, str | None]:
        """Its attachment URLs → the hash of the file stored for each (None: none yet)."""

    def refused_files(self, identity: str) -> set[str]:
        """Its attachment URLs last refused for good (larger than the cap)."""

    def attachment_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The ETag and Last-Modified of the file last stored for an attachment URL."""


@dataclass
class PortalState:
    """The corpus's knowledge of one portal at the start of its crawl: nothing, for a portal
    never crawled (its first walk fetches everything)."""

    #: identity → what is known of the document.
    known: dict[str, Known] = field(default_factory=dict)
    #: URLs documents moved from or to (same 索引号) → the document's identity.
    aliases: dict[str, str] = field(default_factory=dict)
    #: column id → (entries its first listing page showed last time, whether its walk completed).
    columns: dict[str, tuple[int, bool]] = field(default_factory=dict)
    #: The stored attachment files (None: no corpus, nothing stored).
    files: StoredFiles | None = None
