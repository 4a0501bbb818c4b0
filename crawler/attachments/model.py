"""What reading a file gives (FileText of PageTexts, each saying which reader made it), and what
the format readers share: the reading context (depth, unpack budget) and text tidying."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.attachments.zipsafe import Budget

#: A page with fewer printed characters than this, and an image on it, is read by OCR.
MIN_TEXT_LAYER = 8
#: At most this many pages (or images) of one file go through OCR (a 300-page scan would take
#: an hour).
MAX_OCR_PAGES = 40
#: At most this many characters of text are kept from one file: a real attachment has well under
#: a million, and a file that unpacks to far more text is a bomb, not a document.
MAX_TEXT_CHARS = 20_000_000


@dataclass
class PageText:
    """The text of one page (a PDF or OFD page, a sheet, a whole Word file, an image)."""

    number: int  # 1-based, within its file
    text: str
    ocr: bool = False
    confidence: float | None = None  # OCR's, 0..1
    file: str | None = None  # the member of an archive it comes from
    #: Which reader made the text: pdf-text, ocr, pdf-text+ocr, docx-xml, docx-ocr, antiword,
    #: catdoc, ole-stream, ole-ocr, rtf, html, text, byte-scan, sheet, ofd-xml… ("" when none).
    reader: str = ""

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"page": self.number, "ocr": self.ocr, "chars": len(self.text)}
        if self.ocr:
            record["confidence"] = self.confidence
        if self.file is not None:
            record["file"] = self.file
        record["reader"] = self.reader
        record["text"] = self.text
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PageText:
        return cls(
            int(record["page"]), str(record.get("text") or ""), bool(record.get("ocr")),
            record.get("confidence"), record.get("file"), str(record.get("reader") or ""),
        )  # fmt: skip


@dataclass
class FileText:
    """What a file says: its type, its pages' text, and what went wrong reading it."""

    name: str
    type: str
    size: int
    sha256: str
    pages: list[PageText] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # an archive's files, as read

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages if page.text)

    @property
    def ocr(self) -> bool:
        return any(page.ocr for page in self.pages)

    @property
    def reader(self) -> str:
        """The readers of its pages, in the order they first appear, joined by "+"."""
        seen: list[str] = []
        for page in self.pages:
            for part in page.reader.split("+"):
                if part and part not in seen:
                    seen.append(part)
        return "+".join(seen)

    @property
    def ocr_confidence(self) -> float | None:
        """The mean OCR confidence over the pages read by OCR, weighted by their length."""
        scored = [(p.confidence, len(p.text)) for p in self.pages if p.ocr and p.confidence]
        total = sum(n for _, n in scored)
        if not total:
            return None
        return round(sum(c * n for c, n in scored if c is not None) / total, 3)

    def to_record(self) -> dict[str, Any]:
        """The JSON `govwatch attachment` prints."""
        return {
            "file": self.name,
            "type": self.type,
            "size": self.size,
            "sha256": self.sha256,
            "page_count": len(self.pages),
            "ocr": self.ocr,
            "ocr_confidence": self.ocr_confidence,
            "reader": self.reader,
            "text": self.text,
            "pages": [page.to_record() for page in self.pages],
            **({"members": self.members} if self.members else {}),
            "warnings": self.warnings,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FileText:
        """The FileText a `to_record` came from (as the isolated reader sends it back)."""
        return cls(
            str(record["file"]), str(record["type"]), int(record["size"]), str(record["sha256"]),
            [PageText.from_record(page) for page in record.get("pages") or []],
            [str(w) for w in record.get("warnings") or []],
            [str(m) for m in record.get("members") or []],
        )  # fmt: skip


@dataclass
class Context:
    """What a reader needs besides the bytes: how deep in archives it is, the unpack budget
    shared by every container of the file, and how to read a file found inside (an archive's
    member, a picture in a Word file)."""

    depth: int
    budget: Budget
    read: Callable[..., FileText]


#: A format's reader: bytes → pages; warnings go to `into.warnings`.
Reader = Callable[[bytes, FileText, Context], list[PageText]]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


def tidy(text: str) -> str:
    """Line ends as \\n, no trailing spaces, no runs of blank lines, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def printed(text: str) -> int:
    """How many characters of the text are not whitespace."""
    return len(text) - sum(1 for ch in text if ch.isspace())
