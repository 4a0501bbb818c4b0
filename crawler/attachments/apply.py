"""What a document's attachments add to its record: when the page says nothing but 详见附件 (or
has no body at all), its kind and reply fields are read from the attachments' text, with the
same classifier and reply reader as page bodies. Pure: records and texts in, a record out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from crawler.extract.kind import classify
from crawler.extract.numbers import doc_series, parse_doc_no
from crawler.extract.reply import extract_reply
from crawler.extract.text import fold, squeeze

#: A body no longer than this, that points at the attachments, says nothing of its own.
POINTER_LENGTH = 120
_POINTER = re.compile(
    r"(?:详|具体|请|参)?见附件|附件[见详]|详细内容见|全文见|点击(?:下载|查看)|下载附件|附件下载"
    r"|詳見附件|見附件|附件下載"
)
_SENTENCE_END = re.compile(r"[。！？；：:;!?」』”）)]$")
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])")


def points_to_attachment(body: str | None) -> bool:
    """Whether a page's body is empty or only points to its attachments (详见附件)."""
    if not body or not body.strip():
        return True
    squeezed = squeeze(body)
    return len(squeezed) <= POINTER_LENGTH and bool(_POINTER.search(squeezed))


def reflow(text: str) -> str:
    """Paragraphs out of printed lines: a line as long as the page's longest lines, not ending a
    sentence, runs on into the next (PDF and OFD text layers wrap paragraphs at the margin)."""
    lines = [line.strip() for line in text.splitlines()]
    widths = sorted(len(line) for line in lines if line)
    if not widths:
        return ""
    full = widths[int(len(widths) * 0.9)] if len(widths) >= 3 else widths[-1]
    out: list[str] = []
    joining = False
    for line in lines:
        if not line:
            joining = False
            continue
        if joining and out and not _ITEM_START.match(line):
            out[-1] += line
        else:
            out.append(line)
        joining = len(line) >= full * 0.9 and not _SENTENCE_END.search(line)
    return "\n".join(out)


def with_attachment_text(
    record: dict[str, Any], texts: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """The record, with kind and reply read from its attachments' text (name, text) when the
    page's body says nothing of its own; unchanged otherwise. A note in `warnings` says which
    file the fields came from."""
    if not texts or not points_to_attachment(record.get("body_text")):
        return record
    title = record.get("title")
    number = parse_doc_no(record.get("doc_no"))
    category = record.get("category")
    for name, text in texts:
        body = reflow(text)
        if not body:
            continue
        decision = classify(
            fold(title).folded if title else None,
            fold(category).folded if category else None,
            doc_series(number),
            fold(body[:2500]).folded,
        )
        if decision.kind == "other":
            continue
        reply = extract_reply(title, body, decision.kind, record.get("publisher"))
        warnings = [
            *record.get("warnings", []),
            f"kind and reply fields read from the attachment {name}",
        ]
        return {**record, "kind": decision.kind, "reply": asdict(reply), "warnings": warnings}
    return record
