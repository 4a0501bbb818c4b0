"""What search shares on both backends: the field filters and the snippet of a hit."""

from __future__ import annotations

from typing import Any

from crawler.extract.text import fold
from crawler.store.query import words

#: Search by field: where each field filter looks (a column, or `reply.<key>` of the reply).
FIELD_FILTERS = {
    "doc_no": ("doc_no",),
    "index_no": ("index_no",),
    "deputy": ("reply.addressee", "addressee"),
    "proposal": ("reply.proposal_no", "reply.proposal_title"),
    "publisher": ("publisher", "source", "reply.lead_agency"),
}


def asked(fields: dict[str, str]) -> dict[str, str]:
    """The field filters given a value; an unknown field is an error naming the known ones."""
    unknown = set(fields) - set(FIELD_FILTERS)
    if unknown:
        raise ValueError(f"no search field {sorted(unknown)[0]!r}; the fields are "
                         f"{', '.join(FIELD_FILTERS)}")  # fmt: skip
    return {name: value for name, value in fields.items() if value}


def snippet(record: dict[str, Any], query: str, width: int = 40) -> str:
    """The first place the query's words occur in title or body, marked 【like this】."""
    wanted = [w for w in words(query) if w]
    for text in (record.get("body_text") or "", record.get("title") or ""):
        folded = fold(text).folded.lower()
        positions = [(folded.find(w), w) for w in wanted if folded.find(w) >= 0]
        if not positions:
            continue
        start, word = min(positions)
        left = max(0, start - width)
        right = min(len(text), start + len(word) + width)
        marked = (
            text[left:start]
            + "【"
            + text[start : start + len(word)]
            + "】"
            + text[start + len(word) : right]
        )
        return (
            ("…" if left else "") + marked.replace("\n", " ") + ("…" if right < len(text) else "")
        )
    return (record.get("title") or "")[: width * 2]
