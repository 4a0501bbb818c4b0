"""Plain data carried from the extractors to the pipelines.

Dataclasses, so ItemAdapter handles them as Scrapy items and the pure extractors need no Scrapy.
Values are kept as the page shows them; `None` means unknown, never an empty string.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: The keys `govwatch extract` prints, in order.
DOCUMENT_KEYS = (
    "url",
    "title",
    "addressee",
    "index_no",
    "doc_no",
    "publisher",
    "source",
    "category",
    "disclosure_form",
    "written_date",
    "published_at",
    "kind",
    "reply",
    "body_text",
    "attachments",
    "site_name",
    "column_name",
    "script",
    "warnings",
)
#: A stored record: the fields, and why the document was classed as it was (`evidence`).
RECORD_KEYS = (*DOCUMENT_KEYS, "evidence")

KINDS = ("reply", "co_handling_opinion", "other")
#: Fields that make up a document's content (its hash): what a reader would call the content —
#: never the URL fetched, warnings, or why the extractor decided what it did.
CONTENT_KEYS = tuple(k for k in DOCUMENT_KEYS if k not in ("url", "warnings"))


def content_hash(record: dict[str, Any]) -> str:
    """A hash of a record's content only: never the fetch, the URL fetched, warnings or counters."""
    content = {key: record.get(key) for key in CONTENT_KEYS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str | None
    type: str


@dataclass(frozen=True)
class ListingEntry:
    """One document as a listing shows it: where it is, its title and date if shown."""

    url: str
    title: str | None = None
    date: str | None = None  # ISO date


@dataclass(frozen=True)
class DocNumber:
    """A 文号 such as 杭经信提〔2023〕140号, parsed leniently."""

    raw: str
    normalized: str
    issuer: str | None
    year: int | None
    serial: int | None


@dataclass(frozen=True)
class IndexNumber:
    """A 索引号 such as 002489452/2023-00334, parsed leniently."""

    raw: str
    org_code: str | None
    year: int | None
    serial: str | None


@dataclass
class Reply:
    """Fields of a reply to a deputy's suggestion or a CPPCC member's proposal."""

    addressee: str | None = None
    addressee_role: str | None = None  # 代表 | 委员
    body_type: str | None = None  # suggestion | proposal
    session: str | None = None
    proposal_no: str | None = None
    proposal_title: str | None = None
    lead_agency: str | None = None
    co_agencies: list[str] = field(default_factory=list)
    contact_person: str | None = None
    contact_phone: str | None = None
    signed_date: str | None = None
    result_class: str | None = None


@dataclass
class Document:
    url: str
    title: str | None = None
    # The salutation that opens the body (主送): 各有关单位, 何征宇代表.
    addressee: str | None = None
    index_no: str | None = None
    doc_no: str | None = None
    publisher: str | None = None
    source: str | None = None
    category: str | None = None
    disclosure_form: str | None = None
    written_date: str | None = None
    published_at: str | None = None
    kind: str = "other"
    reply: Reply | None = None
    body_text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    site_name: str | None = None
    column_name: str | None = None
    script: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Beyond the printed record: parsed numbers and every standard meta tag, for the store.
    doc_number: DocNumber | None = None
    index_number: IndexNumber | None = None
    keywords: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    # Why `kind` was decided so (a title, a salutation and an answer formula …).
    kind_evidence: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """What the page says: exactly DOCUMENT_KEYS, JSON-ready."""
        data = asdict(self)
        return {key: data[key] for key in DOCUMENT_KEYS}

    def to_record(self) -> dict[str, Any]:
        """The record a crawl stores: RECORD_KEYS, JSON-ready — the fields, and `evidence` of why
        the document was classed as it was (`{"kind": [...]}`)."""
        data = asdict(self)
        data["evidence"] = {"kind": list(self.kind_evidence)}
        return {key: data[key] for key in RECORD_KEYS}


@dataclass(frozen=True)
class OutboxAlert:
    """An alert as the outbox keeps it: its key's prefix (`doc`, or the name of a rule whose
    alerts stand alone), the rules it names (the most specific first) and what it says."""

    prefix: str
    rules: list[str]
    payload: dict[str, Any]


@dataclass(frozen=True)
class DueAlerts:
    """The alerts a stored document deserves (crawler.watch decides): those written when it is
    new, and those written when it changed. The store writes one list or the other in the
    transaction that stores the version."""

    new: list[OutboxAlert] = field(default_factory=list)
    changed: list[OutboxAlert] = field(default_factory=list)


@dataclass
class FetchedFile:
    """One attachment of a fetched document, as its download answered (issue 13)."""

    url: str  # as the document links it (canonical)
    name: str | None
    fetched_url: str  # where the bytes came from, after the family's redirects
    fetched_at: str
    status: int  # 200, 304 (not modified: the stored file stands) or 0 (not fetched: see error)
    raw: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


@dataclass
class Fetched:
    """What a spider hands the pipelines: one document page as fetched (or not modified, or gone)."""

    portal: str
    identity: str
    url: str  # canonical, on the real portal's origin
    fetched_url: str  # what was actually fetched (provenance)
    fetched_at: str
    status: int  # 200, 304 (not modified) or 404 (gone)
    record: dict[str, Any] | None = None
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    column: str | None = None
    #: The document's attachments fetched with it (new and changed documents only).
    files: list[FetchedFile] = field(default_factory=list)
