"""Watch rules: which documents deserve an alert.

A rule has terms (`any`: one must match; `all`: every one must), masks (phrases whose words are
not the topic — 开源节流, 开源证券, place names — blanked out in place, so a document that uses both
senses still matches on the other), the fields it reads (title, body, attachment names), and the
kinds and portals it applies to. Matching is script- and width-insensitive: text and terms are
folded (full-width → ASCII, traditional → simplified) and lower-cased; Latin terms (open source,
OpenHarmony) match on word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crawler.extract.text import fold

DEFAULT_RULES = Path(__file__).parent / "rules" / "default.yaml"
FIELDS = ("title", "body", "attachments")
KINDS = ("reply", "co_handling_opinion", "other")
_LATIN = re.compile(r"^[\x20-\x7e]+$")
_RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, rule and field."""


def _folded(text: str) -> str:
    folded = fold(text).folded.lower()
    return folded if len(folded) == len(text) else fold(text).folded


def _pattern(term: str) -> re.Pattern[str]:
    key = _folded(term).strip()
    if _LATIN.match(key):
        words = r"[\s\-]*".join(re.escape(word) for word in key.split())
        return re.compile(rf"(?<![a-z0-9]){words}(?![a-z0-9])")
    return re.compile(re.escape(key))


@dataclass(frozen=True)
class Match:
    term: str
    field: str
    snippet: str


@dataclass(frozen=True)
class Rule:
    name: str
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    masks: tuple[str, ...] = ()
    fields: tuple[str, ...] = FIELDS
    kinds: tuple[str, ...] = ()
    portals: tuple[str, ...] = ()
    realert_on_change: bool = False
    description: str = ""
    _any: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _all: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _masks: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def applies(self, kind: str | None, portal: str | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        return not (self.portals and portal not in self.portals)

    def match(self, record: dict[str, Any], portal: str | None = None) -> list[Match]:
        """The matches of this rule in a document record; empty when it does not match."""
        if not self.applies(record.get("kind"), portal or record.get("portal")):
            return []
        texts = _field_texts(record, self.fields)
        found_any: list[Match] = []
        found_all: dict[int, Match] = {}
        for name, text in texts:
            folded = _folded(text)
            masked = folded
            for mask in self._masks:
                masked = mask.sub(lambda m: "\0" * len(m.group(0)), masked)
            for term, pattern in zip(self.any, self._any, strict=True):
                hit = pattern.search(masked)
                if hit:
                    found_any.append(Match(term, name, _snippet(text, hit.start(), hit.end())))
            for index, pattern in enumerate(self._all):
                hit = pattern.search(masked)
                if hit and index not in found_all:
                    found_all[index] = Match(
                        self.all[index], name, _snippet(text, hit.start(), hit.end())
                    )
        if self.any and not found_any:
            return []
        if len(found_all) < len(self.all):
            return []
        return found_any + list(found_all.values())


def _field_texts(record: dict[str, Any], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    texts = []
    if "title" in fields and record.get("title"):
        texts.append(("title", str(record["title"])))
    if "body" in fields and record.get("body_text"):
        texts.append(("body", str(record["body_text"])))
    if "attachments" in fields:
        names = " ".join(a.get("name") or "" for a in record.get("attachments") or [])
        if names.strip():
            texts.append(("attachments", names))
    return texts


def _snippet(text: str, start: int, end: int, width: int = 24) -> str:
    left, right = max(0, start - width), min(len(text), end + width)
    shown = text[left:start] + "【" + text[start:end] + "】" + text[end:right]
    return ("…" if left else "") + shown.replace("\n", " ") + ("…" if right < len(text) else "")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, (str, int, float)) and str(v).strip() for v in value
    ):
        raise RulesError(f"{where}: expected a list of non-empty phrases")
    return tuple(str(v).strip() for v in value)


def parse_rules(data: Any, source: str) -> list[Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise RulesError(f"{source}: expected `rules:` with a list of rules")
    rules: list[Rule] = []
    for index, raw in enumerate(data["rules"]):
        if not isinstance(raw, dict):
            raise RulesError(f"{source}: rules[{index}]: expected a mapping with name and terms")
        name = str(raw.get("name") or "").strip()
        if not _RULE_NAME.match(name):
            raise RulesError(
                f"{source}: rules[{index}] field 'name': {name!r}; use lower-case letters, digits and -"
            )
        where = f"{source}: rule {name!r} field"
        unknown = set(raw) - {
            "name",
            "any",
            "all",
            "masks",
            "fields",
            "kinds",
            "portals",
            "realert_on_change",
            "description",
        }
        if unknown:
            raise RulesError(
                f"{where} {sorted(unknown)[0]!r}: unknown; known are any, all, masks, fields, kinds, portals, realert_on_change"
            )
        any_terms = _strings(raw.get("any"), f"{where} 'any'")
        all_terms = _strings(raw.get("all"), f"{where} 'all'")
        if not any_terms and not all_terms:
            raise RulesError(f"{where} 'any': a rule needs terms in `any` or `all`")
        fields = _strings(raw.get("fields"), f"{where} 'fields'") or FIELDS
        bad = [f for f in fields if f not in FIELDS]
        if bad:
            raise RulesError(f"{where} 'fields': {bad[0]!r} is not one of {', '.join(FIELDS)}")
        kinds = _strings(raw.get("kinds"), f"{where} 'kinds'")
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise RulesError(f"{where} 'kinds': {bad[0]!r} is not one of {', '.join(KINDS)}")
        masks = _strings(raw.get("masks"), f"{where} 'masks'")
        realert = raw.get("realert_on_change", False)
        if not isinstance(realert, bool):
            raise RulesError(f"{where} 'realert_on_change': write true or false")
        if name in {rule.name for rule in rules}:
            raise RulesError(f"{where} 'name': the name {name!r} is used twice")
        rules.append(
            Rule(
                name=name,
                any=any_terms,
                all=all_terms,
                masks=masks,
                fields=fields,
                kinds=kinds,
                portals=_strings(raw.get("portals"), f"{where} 'portals'"),
                realert_on_change=realert,
                description=str(raw.get("description") or ""),
                _any=tuple(map(_pattern, any_terms)),
                _all=tuple(map(_pattern, all_terms)),
                _masks=tuple(map(_pattern, masks)),
            )
        )
    return rules


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """The rules in a YAML file (the shipped defaults when none is given)."""
    path = Path(path) if path else DEFAULT_RULES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(f"{path}: cannot read: {error.strerror or error}") from None
    except yaml.YAMLError as error:
        raise RulesError(f"{path}: not valid YAML: {error}") from None
    return parse_rules(data, str(path))


def matches(
    rules: list[Rule], record: dict[str, Any], portal: str | None = None
) -> dict[str, list[Match]]:
    """rule name → its matches, for the rules a document matches."""
    found = {}
    for rule in rules:
        hits = rule.match(record, portal)
        if hits:
            found[rule.name] = hits
    return found


REPLY_FIELDS = ("addressee", "addressee_role", "body_type", "session", "proposal_no", "proposal_title",
                "lead_agency", "co_agencies", "contact_person", "contact_phone", "signed_date", "result_class")  # fmt: skip


def alert_payload(
    rule: str, record: dict[str, Any], portal: str | None, hits: list[Match]
) -> dict[str, Any]:
    """What an alert says: the document's facts that matter, and why it matched."""
    reply = record.get("reply") or {}
    return {
        "rule": rule,
        "portal": portal,
        "url": record.get("url"),
        "title": record.get("title"),
        "kind": record.get("kind"),
        "publisher": record.get("publisher"),
        "doc_no": record.get("doc_no"),
        "written_date": record.get("written_date"),
        "published_at": record.get("published_at"),
        "reply": {key: reply.get(key) for key in REPLY_FIELDS} if reply else None,
        "snippets": [hit.snippet for hit in hits[:3]],
    }


def alerts_for(rules: list[Rule], record: dict[str, Any], portal: str | None) -> list[Any]:
    """The outbox entries a stored document deserves (see `Store.save`)."""
    from crawler.store import Alert

    found = []
    for rule in rules:
        hits = rule.match(record, portal)
        if hits:
            found.append(
                Alert(
                    rule.name,
                    alert_payload(rule.name, record, portal, hits),
                    rule.realert_on_change,
                )
            )
    return found
