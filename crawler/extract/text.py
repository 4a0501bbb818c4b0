"""Text normalisation shared by every extractor and, later, by the watch rules.

Values are stored as the page shows them, but matched on a normalised form: full-width ASCII folded
to ASCII, every kind of space to a plain space, traditional characters to simplified (OpenCC).
`fold` keeps the length of its input whenever it can, so a match found in the folded text can be
sliced out of the original (`Folded.original`), which is how labels written in traditional
characters still yield values exactly as written.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width ASCII (U+FF01..U+FF5E) → ASCII; every space-like and zero-width character → " ", so
# that folding never changes the length of a text.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u202f\u205f\u3000\t\r\f\v\u200b\u200c\u200d\ufeff"
_FOLD_TABLE: dict[int, int | str | None] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE.update({ord(ch): " " for ch in _SPACES})
# Colons of other forms that templates set after labels (ratio sign, small colon).
_FOLD_TABLE.update({ord(ch): ":" for ch in "\u2236\ufe55\ufe13"})

_FOLDED = {chr(code): chr(code).translate(_FOLD_TABLE) for code in _FOLD_TABLE}
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in _FOLD_TABLE) + "]")
_FREQUENT = [(mark, mark.translate(_FOLD_TABLE)) for mark in "，：（）；！？\u3000\u00a0"]
_SPACE_RUN = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Pinyin that some copies insert after characters (`鎮(zhèn)`, `號(hào)`).
# (Lower case, and more than one plain letter: `号(B)类` and `(a)` are no pinyin.)
_ANNOTATION = r"\((?:[a-z\u00c0-\u024f]{2,7}|[\u00c0-\u024f])\)"
_PINYIN = re.compile(rf"(?<=[\u4e00-\u9fff]){_ANNOTATION}")
_PINYIN_HINT = re.compile(r"\([a-zA-Z\u00c0-\u024f]")


@dataclass(frozen=True)
class Folded:
    """A text and its folded form; `aligned` when both have the same length."""

    text: str
    folded: str

    @property
    def aligned(self) -> bool:
        return len(self.text) == len(self.folded)

    def original(self, start: int, end: int) -> str:
        """The original characters behind folded[start:end]."""
        if self.aligned:
            return self.text[start:end]
        return self.folded[start:end]


def to_simplified(text: str) -> str:
    return str(_T2S.convert(text))


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    """Simplified → traditional, character by character: OpenCC's character table alone. Its
    `s2t` config also loads phrase tables, 40–80 ms in each of a deployment's processes, for
    conversions that keep one character for one (what `detect_script` and `either_script`
    need). A config names its tables by path, so the table's own path is written into one
    that lives as long as the loading."""
    table = Path(opencc.__file__).parent / "clib" / "share" / "opencc" / "STCharacters.ocd2"
    if not table.is_file():
        return opencc.OpenCC("s2t")  # a build of OpenCC that keeps its data elsewhere
    config = {
        "name": "s2t characters",
        "conversion_chain": [{"dict": {"type": "ocd2", "file": str(table)}}],
    }
    with tempfile.TemporaryDirectory(prefix="govwatch-opencc-") as directory:
        path = Path(directory) / "s2t_characters.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        return opencc.OpenCC(str(path))


def to_traditional(text: str) -> str:
    return str(_s2t().convert(text))


def either_script(pattern: str) -> str:
    """A regular expression of simplified characters that also matches their traditional forms
    (`建议人` → `建[议議]人`), to look at text before it is folded. The pattern's syntax is ASCII
    and stays as it is."""
    return "".join(
        f"[{ch}{other}]" if len(other := to_traditional(ch)) == 1 and other != ch else ch
        for ch in pattern
    )


@lru_cache(maxsize=65536)
def _char_t2s(ch: str) -> str:
    out = str(_T2S.convert(ch))
    return out if len(out) == 1 else ch


def narrow(text: str) -> str:
    """Full-width ASCII to ASCII, every space to " " (what `_FOLD_TABLE` says), fast.

    `str.translate` looks every character of a Chinese text up in the table (it was the dearest
    step of extraction); instead the few full-width marks Chinese prose is full of are replaced
    in C, then each other character to fold that the text holds, one `replace` per character."""
    for mark, ascii_mark in _FREQUENT:
        if mark in text:
            text = text.replace(mark, ascii_mark)
    found = _FOLDABLE.search(text)
    while found is not None:
        char = found.group()
        text = text.replace(char, _FOLDED[char])
        found = _FOLDABLE.search(text, found.start())
    return text


@lru_cache(maxsize=64)
def fold(text: str) -> Folded:
    """Fold width, spaces and script, keeping one folded character per original character.

    Cached: a page's title and body are folded by several extractors.
    """
    narrowed = narrow(text)
    simplified = to_simplified(narrowed)
    if len(simplified) != len(narrowed):
        # OpenCC converted a phrase to one of another length: fall back to character by character.
        simplified = "".join(_char_t2s(ch) for ch in narrowed)
    return Folded(text, simplified)


def normalize(text: str) -> str:
    """The matching form: NFKC, traditional → simplified, spaces collapsed, lower-case Latin."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return _SPACE_RUN.sub(" ", text).strip().lower()


def clean(text: str | None) -> str | None:
    """Collapse runs of spaces and strip; `None` for text with nothing in it."""
    if text is None:
        return None
    text = _SPACE_RUN.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()
    return text or None


def squeeze(text: str) -> str:
    """Remove every space and line break (labels are written with spaces inside: 索 引 号; titles
    are compared across the lines they are broken over)."""
    return "".join(_SPACE_RUN.sub("", text).split())


def detect_script(text: str) -> str | None:
    """`zh-Hant` when the text has more traditional-only than simplified-only characters."""
    sample = text[:1000]
    if not _HAN.search(sample):
        return None
    to_simp = to_simplified(sample)
    if to_simp == sample:
        return "zh-Hans"  # no traditional-only character at all: the common case, decided cheaply
    to_trad = to_traditional(sample)
    traditional = sum(a != b for a, b in zip(sample, to_simp, strict=False))
    simplified = sum(a != b for a, b in zip(sample, to_trad, strict=False))
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def strip_pinyin(text: str) -> str:
    """Text without the pinyin annotations that copies insert (`鎮(zhèn)康縣` → `鎮康縣`)."""
    return _PINYIN.sub("", text) if _PINYIN_HINT.search(text) else text


def has_pinyin(text: str) -> bool:
    return _PINYIN_HINT.search(text) is not None and _PINYIN.search(text) is not None


def as_annotated(value: str, original: str) -> str:
    """`value`, read from `strip_pinyin(original)`, as `original` writes it: with the pinyin
    annotations after its characters (`鎮康縣` → `鎮(zhèn)康縣`); as it is where `original` does
    not hold it so."""
    pattern = "".join(
        re.escape(ch) + (f"(?:{_ANNOTATION})?" if "\u4e00" <= ch <= "\u9fff" else "")
        for ch in value
    )
    found = re.search(pattern, original)
    return found.group() if found else value
