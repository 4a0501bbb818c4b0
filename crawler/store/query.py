"""Search as users of any search box expect it, over govwatch's bigram index.

The index holds text NFKC-folded, simplified and lower-cased, with each run of Chinese characters
as overlapping bigrams (开源软件 → `开源 源软 软件`), so two-character words and either script
work. A query is what a search box takes: words (all required; AND, && and +word say so too),
`A OR B` (also `|`, binding tighter than AND), `NOT word`, `-word` or `-(a OR b)`, `"quoted
phrases"` and parentheses. It is brought to one shape both backends answer alike: groups all
required, each any of its terms (OR distributed over AND), and terms none of which may occur;
`Query.positive` is the FTS5 expression the documents must match, `Query.negative` the one they
must not. Field values (文号, 索引号, names) are compared through `field_key`, which ignores
width, script, spaces and the bracket a portal chose for the year (〔〕, [], 【】, ()).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from crawler.extract.text import to_simplified

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# (A run of letters and digits is a token of at most 255: no index takes a longer one whole, and
# a base64 blob is no word anyone searches for.)
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]{1,255}")
# A token: a phrase (with its sign), a parenthesis, an operator written in signs, or a word.
_TOKEN = re.compile(r'[-+]?"[^"]*"?|[-+]?\(|\)|\|\||&&|[|&]|[^\s()"|&]+')
_BRACKETS = str.maketrans({"〔": "[", "〕": "]", "【": "[", "】": "]", "(": "[", ")": "]",
                           "〖": "[", "〗": "]", "［": "[", "］": "]", "（": "[", "）": "]"})  # fmt: skip


def normalized(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def search_form(text: str | None) -> str:
    """Text as the index holds it: 开源软件 → `开源 源软 软件`; Latin words as words."""
    if not text:
        return ""
    tokens: list[str] = []
    for word in _WORD.findall(normalized(text)):
        if _CJK_RUN.fullmatch(word):
            tokens.extend(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
        else:
            tokens.append(word)
    return " ".join(tokens)


def words(text: str) -> list[str]:
    """The words of a text as the index sees them (runs of Chinese, runs of letters/digits)."""
    return _WORD.findall(normalized(text))


@dataclass(frozen=True)
class Term:
    """One term of a query: its words, all required (each a run of bigrams, a lone Chinese
    character a prefix), or, quoted, one phrase over all its words."""

    words: tuple[str, ...]
    phrase: bool = False

    @property
    def fts(self) -> str:
        """The term as FTS5."""
        if self.phrase:
            return '"' + search_form(" ".join(self.words)) + '"'
        parts = [f"{w}*" if _CJK_RUN.fullmatch(w) and len(w) == 1 else f'"{search_form(w)}"'
                 for w in self.words]  # fmt: skip
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


@dataclass
class Query:
    groups: list[list[Term]] = field(default_factory=list)  # all required; each: any of its terms
    negatives: list[Term] = field(default_factory=list)  # none may match
    words: list[str] = field(default_factory=list)  # the words to mark in snippets

    @property
    def positive(self) -> str:
        """FTS5: what a document must match ("" when only filters or negatives)."""
        return " AND ".join(
            g[0].fts if len(g) == 1 else "(" + " OR ".join(t.fts for t in g) + ")"
            for g in self.groups
        )

    @property
    def negative(self) -> str:
        """FTS5: what a document must not match."""
        return " OR ".join(term.fts for term in self.negatives)

    @property
    def expression(self) -> str:
        """Positive and negative as one FTS5 expression (needs a positive part)."""
        if self.positive and self.negative:
            return f"({self.positive}) NOT ({self.negative})"
        return self.positive


class QueryError(ValueError):
    """A query govwatch cannot answer as written; the message says how to write it."""


#: How many OR-groups a query's parentheses may multiply into (`(a b) OR (c d)` is four).
MAX_GROUPS = 64
_OR, _AND = {"OR", "|", "||"}, {"AND", "&", "&&"}


@dataclass(frozen=True)
class _Not:
    operand: _Node


@dataclass(frozen=True)
class _All:
    parts: tuple[_Node, ...]


@dataclass(frozen=True)
class _Any:
    parts: tuple[_Node, ...]


_Node = Term | _Not | _All | _Any


class _Parser:
    """Words all required (side by side, or with AND, &&, +word); A OR B (also |), which binds
    tighter than AND, as in a search box: `开源 鸿蒙 OR 欧拉` is 开源 AND (鸿蒙 OR 欧拉);
    NOT word, -word, -"a phrase", -(a OR b); "phrases"; (parentheses). What holds no word
    (punctuation, an operator with nothing to join) is None and drops out."""

    def __init__(self, query: str) -> None:
        self.tokens = _TOKEN.findall(query)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def conjunction(self, closing: bool = False) -> _Node | None:
        parts: list[_Node | None] = []
        while (token := self.peek()) is not None:
            self.at += token == ")" or token in _OR or token in _AND
            if token == ")":
                if closing:
                    break
                continue  # a stray ")": nothing to close
            if token not in _OR and token not in _AND:  # AND is a space; a leading OR, nothing
                parts.append(self.disjunction())
        return _joined(_All, parts)

    def disjunction(self) -> _Node | None:
        parts = [self.unary()]
        while self.peek() in _OR:
            self.at += 1
            if self.peek() not in (None, ")"):
                parts.append(self.unary())
        return _joined(_Any, parts)

    def unary(self) -> _Node | None:
        token = self.tokens[self.at]
        self.at += 1
        if token == "NOT":
            return _negated(self.unary()) if self.peek() not in (None, ")") else None
        if token.endswith("("):  # (…), +(…), -(…)
            inner = self.conjunction(closing=True)
            return _negated(inner) if token == "-(" else inner
        if token in _OR or token in _AND:
            return None  # an operator where a word belongs: `开源 OR AND 软件`
        if token[0] in "-+" and len(token) > 1:
            return _negated(_term(token[1:])) if token[0] == "-" else _term(token[1:])
        return _term(token)


def _term(text: str) -> Term | None:
    found = tuple(words(text.strip('"')))
    return Term(found, text.startswith('"') and len(found) > 1) if found else None


def _negated(node: _Node | None) -> _Node | None:
    if node is None:
        return None
    return node.operand if isinstance(node, _Not) else _Not(node)  # NOT NOT a is a


def _joined(kind: type[_All] | type[_Any], parts: list[_Node | None]) -> _Node | None:
    kept = tuple(part for part in parts if part is not None)
    return (kind(kept) if len(kept) > 1 else kept[0]) if kept else None


def _conjuncts(node: _Node | None) -> list[_Node]:
    """What must all hold: `a (b -c)` is a, b, NOT c."""
    if node is None:
        return []
    if isinstance(node, _All):
        return [inner for part in node.parts for inner in _conjuncts(part)]
    return [node]


def _clauses(node: _Node) -> list[list[Term]]:
    """A query without NOT as clauses, all required, each any of its terms (exact: OR is
    distributed over AND, `(a b) OR c` → `(a OR c) AND (b OR c)`)."""
    if isinstance(node, Term):
        return [[node]]
    if isinstance(node, _Not):
        raise QueryError("NOT or -word inside OR: put what must not occur outside the OR, "
                         "e.g. '(开源 OR 鸿蒙) -节流'")  # fmt: skip
    if isinstance(node, _All):
        return [clause for part in node.parts for clause in _clauses(part)]
    clauses: list[list[Term]] = [[]]
    for part in node.parts:
        clauses = [[*a, *b] for a in clauses for b in _clauses(part)]
        if len(clauses) > MAX_GROUPS:
            raise QueryError(f"the parentheses multiply into more than {MAX_GROUPS} "
                             "alternatives; write the query with fewer OR-groups")  # fmt: skip
    return clauses


def _excluded(node: _Node) -> list[Term]:
    """What NOT excludes: terms none of which may occur (NOT (a OR b) is NOT a, NOT b)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, _Any):
        return [term for part in node.parts for term in _excluded(part)]
    raise QueryError("NOT (…) takes words or phrases joined by OR; to exclude words only "
                     'where they stand together, write them as one: -开源节流, -"open source"')  # fmt: skip


def parse(query: str) -> Query:
    """`开源 AND 软件`, `开源 OR 鸿蒙 -节流 "open source"`, `(开源 OR 鸿蒙) NOT 节流` → a Query.
    Operators are upper-case (OR, AND, NOT) or signs (|, &&, -, +); a QueryError says what
    cannot be answered (a NOT inside an OR, NOT of words that are not alternatives)."""
    parsed = Query()
    for node in _conjuncts(_Parser(query).conjunction()):
        if isinstance(node, _Not):
            parsed.negatives += _excluded(node.operand)
        else:
            parsed.groups += _clauses(node)
    for group in parsed.groups:  # the words to mark in snippets, each once
        for term in group:
            for word in [" ".join(term.words)] if term.phrase else term.words:
                if word not in parsed.words:
                    parsed.words.append(word)
    return parsed


def fts_query(query: str) -> str:
    """A user's query as one FTS5 expression (words required, OR, NOT, phrases)."""
    return parse(query).expression


def field_key(value: str | None) -> str:
    """A field value as compared: 杭经信提〔2023〕140号 and 杭经信提[2023]140 号 are one."""
    if not value:
        return ""
    return "".join(normalized(value).translate(_BRACKETS).split())
