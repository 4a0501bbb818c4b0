"""Search as users of any search box expect it, over govwatch's bigram index.

The index holds text NFKC-folded, simplified and lower-cased, with each run of Chinese characters
as overlapping bigrams (开源软件 → `开源 源软 软件`), so two-character words and either script
work. A query is words (all required), `A OR B`, `NOT word` or `-word`, and `"quoted phrases"`;
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
_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9a-z]+")
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
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


def parse(query: str) -> Query:
    """`开源 OR 鸿蒙 -节流 "open source"` → a Query. Operators are upper-case OR and NOT."""
    parsed = Query()
    join_next = negate_next = False
    for token in _TOKEN.findall(query):
        if token == "OR":
            join_next = bool(parsed.groups)
            continue
        if token == "NOT":
            negate_next = True
            continue
        negate = negate_next or (token.startswith("-") and len(token) > 1)
        text = token[1:] if token.startswith("-") and len(token) > 1 else token
        phrase = text.startswith('"')
        found = tuple(words(text.strip('"')))
        negate_next = False
        if not found:
            join_next = False
            continue
        term = Term(found, phrase and len(found) > 1)
        if negate:
            parsed.negatives.append(term)
        else:
            parsed.words.extend([" ".join(found)] if term.phrase else found)
            if join_next:
                parsed.groups[-1].append(term)
            else:
                parsed.groups.append([term])
        join_next = False
    return parsed


def fts_query(query: str) -> str:
    """A user's query as one FTS5 expression (words required, OR, NOT, phrases)."""
    return parse(query).expression


def field_key(value: str | None) -> str:
    """A field value as compared: 杭经信提〔2023〕140号 and 杭经信提[2023]140 号 are one."""
    if not value:
        return ""
    return "".join(normalized(value).translate(_BRACKETS).split())
