"""Watch rules: which documents deserve an alert.

A rule has terms (`any`: one must match; `all`: every one must), a sense (`sense: open-source`:
a term with 开源 in it matches only where `crawler.watch.sense` judges that occurrence to be about
open-source software, and "open source" in Latin letters not where it is open source intelligence),
masks (phrases blanked out in place before matching, for users' own rules), the fields it reads
(title, body, attachments: their names and, once fetched, their text), and the kinds and portals it applies to. Matching is script- and
width-insensitive: text and terms are folded (full-width → ASCII, traditional → simplified) and
lower-cased; Latin terms (open source, OpenHarmony) match on word boundaries. 开源 inside 展开源头
or 公开源于 is not the word and never matches a term with 开源 in it. Every match says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from crawler.extract.text import fold
from crawler.items import DueAlerts
from crawler.watch.alerts import Alert, due
from crawler.watch.sense import WORD, Sense, judge, judge_latin, not_the_word

DEFAULT_RULES = Path(__file__).parent / "default_rules.yaml"
FIELDS = ("title", "body", "attachments")
KINDS = ("reply", "co_handling_opinion", "other")
_LATIN = re.compile(r"^[\x20-\x7e]+$")
_RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SENSES = ("open-source",)
_OPEN_SOURCE_LATIN = re.compile(r"^open[\s\-]*source$")
#: The field name of an attachment file's text in a match: `attachment:答复.pdf`.
ATTACHMENT_FIELD = "attachment:"
_BODY_CONTEXT = 600  # characters of the body a title or attachment occurrence is judged with


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, rule and field."""


def _folded(text: str) -> str:
    folded = fold(text).folded.lower()
    return folded if len(folded) == len(text) else fold(text).folded


@lru_cache(maxsize=1024)
def _term_key(term: str) -> str:
    """A term as it is matched: folded, lower-cased, without surrounding spaces."""
    return _folded(term).strip()


def _pattern(term: str) -> re.Pattern[str]:
    key = _term_key(term)
    if _LATIN.match(key):
        words = r"[\s\-]*".join(re.escape(word) for word in key.split())
        return re.compile(rf"(?<![a-z0-9]){words}(?![a-z0-9])")
    return re.compile(re.escape(key))


@dataclass(frozen=True)
class Match:
    """A term found in a field; `why` says which evidence decided a judged occurrence."""

    term: str
    field: str
    snippet: str
    evidence: tuple[str, ...] = ()
    why: str = ""

    @property
    def explanation(self) -> str:
        return self.why or f"the term {self.term!r}"


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
    sense: str | None = None
    alone: bool = False  # its alerts stand alone, never merged with other rules' for a document
    _any: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _all: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _masks: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def applies(self, kind: str | None, portal: str | None) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        return not (self.portals and portal not in self.portals)

    def match(self, record: dict[str, Any], portal: str | None = None) -> list[Match]:
        """The matches of this rule in a document record; empty when it does not match."""
        return self.judge(record, portal)[0]

    def judge(
        self, record: dict[str, Any], portal: str | None = None
    ) -> tuple[list[Match], list[Match]]:
        """(the matches, empty when the rule does not match; the occurrences set aside, and why).

        An occurrence is set aside when it is not the word 开源 (展开源头), or, for a rule with a
        sense, when it is judged to be another sense (开源节流, 开源证券, open source intelligence).
        """
        if not self.applies(record.get("kind"), portal or record.get("portal")):
            return [], []
        texts = [(name, text, _folded(text)) for name, text in _field_texts(record, self.fields)]
        body = next((folded for name, _, folded in texts if name == "body"), "")
        found_any: list[Match] = []
        found_all: dict[int, Match] = {}
        set_aside: dict[tuple[str, int], Match] = {}
        for name, text, folded in texts:
            context = folded if name == "body" else folded + "\n" + body[:_BODY_CONTEXT]
            masked = folded
            for mask in self._masks:
                masked = mask.sub(lambda m: "\0" * len(m.group(0)), masked)
            for term, pattern in zip(self.any, self._any, strict=True):
                hit = self._find(term, pattern, name, text, masked, context, set_aside)
                if hit:
                    found_any.append(hit)
            for index, pattern in enumerate(self._all):
                if index not in found_all:
                    hit = self._find(
                        self.all[index], pattern, name, text, masked, context, set_aside
                    )
                    if hit:
                        found_all[index] = hit
        rejected = list(set_aside.values())
        if self.any and not found_any:
            return [], rejected
        if len(found_all) < len(self.all):
            return [], rejected
        return found_any + list(found_all.values()), rejected

    def _find(
        self,
        term: str,
        pattern: re.Pattern[str],
        name: str,
        text: str,
        masked: str,
        context: str,
        set_aside: dict[tuple[str, int], Match],
    ) -> Match | None:
        """The first occurrence of a term that counts, setting aside those that do not."""
        key = _term_key(term)
        for hit in pattern.finditer(masked):
            snippet = _snippet(text, hit.start(), hit.end())
            if name.startswith(ATTACHMENT_FIELD):  # the quote names the file it is from
                snippet = f"{name.removeprefix(ATTACHMENT_FIELD)}: {snippet}"
            sense = self._sense(key, hit, context)
            if sense is None:
                return Match(term, name, snippet)
            if sense.oss:
                return Match(term, name, snippet, sense.evidence, sense.explain())
            set_aside.setdefault(
                (name, sense.start), Match(term, name, snippet, sense.evidence, sense.explain())
            )
        return None

    def _sense(self, key: str, hit: re.Match[str], context: str) -> Sense | None:
        """The judged sense of a term's occurrence, or None when the term is matched as written."""
        if WORD in key:
            start = hit.start() + key.index(WORD)
            if self.sense is None:
                return judge(context, start) if not_the_word(context, start) else None
            return judge(context, start)
        if self.sense is not None and _OPEN_SOURCE_LATIN.match(key):
            return judge_latin(context, hit.start(), hit.end())
        return None


def _field_texts(record: dict[str, Any], fields: tuple[str, ...]) -> list[tuple[str, str]]:
    texts = []
    if "title" in fields and record.get("title"):
        texts.append(("title", str(record["title"])))
    if "body" in fields and record.get("body_text"):
        texts.append(("body", str(record["body_text"])))
    if "attachments" in fields:
        attachments = record.get("attachments") or []
        names = " ".join(a.get("name") or "" for a in attachments)
        if names.strip():
            texts.append(("attachments", names))
        # The files' text, when the crawl fetched and read them (issue 13): one field per file.
        for attachment in attachments:
            if attachment.get("text"):
                name = attachment.get("name") or attachment.get("url") or "attachment"
                texts.append((ATTACHMENT_FIELD + name, str(attachment["text"])))
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
            "sense",
            "alone",
        }
        if unknown:
            raise RulesError(
                f"{where} {sorted(unknown)[0]!r}: unknown; known are any, all, masks, sense, fields, kinds, portals, realert_on_change, alone"
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
        alone = raw.get("alone", False)
        if not isinstance(alone, bool):
            raise RulesError(f"{where} 'alone': write true or false")
        sense = raw.get("sense")
        if sense is not None and sense not in SENSES:
            raise RulesError(
                f"{where} 'sense': {sense!r}; write {' or '.join(SENSES)}, or leave it out"
            )
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
                sense=sense,
                alone=alone,
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
    except UnicodeDecodeError:
        raise RulesError(
            f"{path}: not UTF-8 text (GBK?); save it as UTF-8, e.g. iconv -f GBK -t UTF-8"
        ) from None
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
    files = [
        h.field.removeprefix(ATTACHMENT_FIELD) for h in hits if h.field.startswith(ATTACHMENT_FIELD)
    ]
    return {
        **({"attachment_files": list(dict.fromkeys(files))} if files else {}),
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
        "evidence": [hit.explanation for hit in hits[:3]],
    }


def alerts_for(rules: list[Rule], record: dict[str, Any], portal: str | None) -> DueAlerts:
    """The alerts a stored document deserves (`crawler.watch.alerts`: one per document and version
    for every rule it matched, unless a rule stands alone). Rules that narrow kinds or portals come
    first: the most specific rule leads the alert."""
    found = []
    for rule in sorted(rules, key=lambda rule: not (rule.kinds or rule.portals)):
        hits = rule.match(record, portal)
        if hits:
            found.append(
                Alert(
                    rule.name,
                    alert_payload(rule.name, record, portal, hits),
                    rule.realert_on_change,
                    rule.alone,
                )
            )
    return due(found)
