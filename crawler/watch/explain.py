"""Why a stored document is what it is: why it was classed a reply (the evidence the extractor
stored), and why it matches each watch rule — each 开源 judged in its context — with the
occurrences set aside as another sense. `govwatch show` prints it; the document page of
`govwatch serve` shows it."""

from __future__ import annotations

from typing import Any

from crawler.watch.rules import Rule

#: The key under which occurrences judged another sense are listed.
SET_ASIDE = "set aside"


def kind_evidence(document: dict[str, Any]) -> list[str]:
    """Why the extractor classed the document as it did (a title, a salutation and an answer
    formula …); empty for records stored before the evidence was kept."""
    evidence = document.get("evidence") or {}
    found = evidence.get("kind") if isinstance(evidence, dict) else None
    return [str(item) for item in found or []]


def rule_matches(
    document: dict[str, Any], files: list[dict[str, Any]], rules: list[Rule], shown: int = 3
) -> dict[str, list[dict[str, str]]]:
    """rule name → why the document matches it (up to `shown` snippets, each with its reason),
    for the rules it matches; under `SET_ASIDE`, the occurrences judged another sense.

    `files` are the document's stored attachment files (`Store.attachment_texts`): their text
    is judged as the crawl judged it."""
    texts = {file["url"]: file.get("text") for file in files}
    record = {**document, "attachments": [
        {**a, "text": texts.get(a["url"])} for a in document.get("attachments") or []]}  # fmt: skip
    found: dict[str, list[dict[str, str]]] = {}
    aside: list[dict[str, str]] = []
    for rule in rules:
        hits, rejected = rule.judge(record, document.get("portal"))
        if hits:
            found[rule.name] = [{"snippet": h.snippet, "why": h.explanation} for h in hits[:shown]]
        seen = {a["snippet"] for a in aside}
        aside += [{"snippet": r.snippet, "why": r.explanation} for r in rejected
                  if r.snippet not in seen]  # fmt: skip
    if aside:
        found[SET_ASIDE] = aside[:shown]
    return found


def matched_rules(record: dict[str, Any], rules: list[Rule]) -> list[str]:
    """The names of the rules a record matches (its stored text; attachments by name only)."""
    return [rule.name for rule in rules if rule.judge(record, record.get("portal"))[0]]
