"""What changed between two versions of a document: its fields, and its text line by line."""

from __future__ import annotations

import difflib
import json
from typing import Any

from crawler.items import DOCUMENT_KEYS

#: Fields compared one by one; the body is compared line by line instead.
FIELDS = tuple(key for key in DOCUMENT_KEYS if key not in ("body_text", "warnings"))


def shown_value(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field that differs; reply fields one by one."""
    changes = []
    for key in FIELDS:
        if key == "reply":
            before, after = old.get("reply") or {}, new.get("reply") or {}
            for name in sorted(set(before) | set(after)):
                if before.get(name) != after.get(name):
                    changes.append((f"reply.{name}", shown_value(before.get(name)),
                                    shown_value(after.get(name))))  # fmt: skip
        elif old.get(key) != new.get(key):
            changes.append((key, shown_value(old.get(key)), shown_value(new.get(key))))
    return changes


def text_diff(old: str | None, new: str | None, before: str, after: str) -> list[str]:
    """The body's changes as unified-diff lines (no trailing newlines), three lines of context."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), before, after, lineterm=""
        )
    ]
