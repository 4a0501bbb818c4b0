"""Is this text Chinese (or plain Latin) as people write it, or the garbage a broken font map, a
wrong code page or a misaligned UTF-16 stream makes of it? Dictionary-free, from what the
characters are:

- *bad*: private-use, replacement (U+FFFD), control and unassigned code points: what PDF fonts
  without a usable ToUnicode map and binary read as text give;
- *odd*: letters of scripts a Chinese government file does not use beside Chinese (Latin-1 and
  Latin Extended letters, Greek, Cyrillic, Hangul, Yi, CJK Extension B+, combining marks,
  radicals): what GBK read as Latin-1 or UTF-16 read one byte off gives;
- *rare*: Chinese characters outside the common set — GB2312's first level (3,755 characters,
  over 99% of the characters of modern Chinese text) and Big5's common characters (5,401, for
  traditional script), both taken from Python's own codecs. Random code points land in the
  20,000-odd unified ideographs evenly, so most are rare; real text has few.

`repair` undoes two losses that keep the meaning: Kangxi radicals and compatibility ideographs
some PDF fonts map their glyphs to (U+2F00 ⼀ for 一: NFKC folds them) and GBK bytes read as
Latin-1/CP1252 (Ã÷È· → 明确).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: A text with fewer printed characters than this is too short to judge.
MIN_JUDGED = 6


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """GB2312 level 1 (rows 0xB0-0xD7) and Big5's frequent characters (0xA440-0xC67E)."""
    found: set[str] = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for row in range(0xA4, 0xC7):
        for cell in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                found.add(bytes((row, cell)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(found)


def _is_cjk(code: int) -> bool:
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF


# Symbols and punctuation found in Chinese documents: CJK and fullwidth punctuation, general
# punctuation, Latin-1 symbols, letterlike (℃ №), number forms (Ⅰ), arrows, mathematical
# operators, enclosed numbers (①), box drawing and shapes (□ ■ ○ ★), Bopomofo, kana.
_GOOD_RANGES = (
    (0x00A0, 0x00BF), (0x00D7, 0x00D7), (0x00F7, 0x00F7), (0x2010, 0x205E), (0x2100, 0x23FF),
    (0x2460, 0x27BF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3200, 0x33FF),
    (0xFE30, 0xFE4F), (0xFF01, 0xFFEF), (0x02C6, 0x02DD), (0x0391, 0x03C9),
)  # fmt: skip
_BAD_CATEGORIES = ("Cc", "Cn", "Co", "Cs", "Cf")
_RADICALS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0x31C0, 0x31EF))


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


@dataclass(frozen=True)
class Quality:
    """How a text's printed characters divide up."""

    chars: int = 0  # printed (not whitespace)
    bad: int = 0
    odd: int = 0
    cjk: int = 0
    rare: int = 0  # of cjk
    radicals: int = 0
    symbols: int = 0  # ASCII punctuation and symbols
    letters: int = 0  # ASCII letters
    vowels: int = 0  # of letters
    unbroken: int = 0  # characters in runs of more than 20 without a space (not Chinese)

    @property
    def good(self) -> int:
        """Printed characters that are neither bad, odd nor rare."""
        return self.chars - self.bad - self.odd - self.rare

    @property
    def score(self) -> float:
        """The share of good characters (1.0 for an empty text: nothing wrong in it)."""
        return self.good / self.chars if self.chars else 1.0

    @property
    def unreadable(self) -> bool:
        """Too many characters no Chinese or Latin text is made of."""
        if self.chars < MIN_JUDGED:
            return self.bad > 1
        if self.bad / self.chars > 0.1 or (self.bad + self.odd) / self.chars > 0.3:
            return True
        if self.cjk >= 20 and self.rare / self.cjk > 0.3:
            return True
        return self.radicals >= 10 and self.radicals / max(self.cjk + self.radicals, 1) > 0.5

    @property
    def garbled(self) -> bool:
        """Too much of it is garbage to be the text a page shows: unreadable, or ASCII where a
        font whose codes are its glyph numbers has no map (runs of punctuation and letters
        without vowels or spaces where a Chinese page is)."""
        if self.unreadable:
            return True
        if self.cjk * 10 >= self.chars or self.chars < 20:
            return False
        if self.symbols / self.chars > 0.3 and self.letters / self.chars > 0.15:
            return True  # (a table of numbers has symbols, but no letters)
        if self.unbroken / self.chars > 0.6:
            return True
        return self.letters >= 30 and self.vowels / self.letters < 0.2

    def reason(self) -> str:
        """Why it is garbled, for a warning."""
        parts = []
        if self.bad:
            parts.append(f"{self.bad} unreadable")
        if self.odd:
            parts.append(f"{self.odd} out-of-place")
        if self.rare:
            parts.append(f"{self.rare} rare Chinese")
        if self.radicals:
            parts.append(f"{self.radicals} radical")
        return ", ".join(parts) + f" of {self.chars} characters"


_UNBROKEN = re.compile(r"[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{21,}")


def quality(text: str) -> Quality:
    """Count the text's characters by kind (see the module's docstring)."""
    common = common_chars()
    chars = bad = odd = cjk = rare = radicals = symbols = letters = vowels = 0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            if 0x21 <= code <= 0x7E:
                chars += 1
                if ch.isalpha():
                    letters += 1
                    vowels += ch in "aeiouyAEIOUY"
                elif not ch.isdigit():
                    symbols += 1
            elif ch not in " \t\n\r":
                chars += 1
                bad += 1
            continue
        if ch.isspace():
            continue
        chars += 1
        if _is_cjk(code):
            cjk += 1
            if ch not in common:
                rare += 1
        elif _in(code, _GOOD_RANGES):
            continue
        elif _in(code, _RADICALS):
            radicals += 1
            odd += 1
        elif code in (0xFFFD, 0xFFFE, 0xFFFF) or unicodedata.category(ch) in _BAD_CATEGORIES:
            bad += 1  # private use (Co) included
        else:
            odd += 1
    unbroken = sum(len(run) for run in _UNBROKEN.findall(text)) if cjk * 10 < chars else 0
    return Quality(chars, bad, odd, cjk, rare, radicals, symbols, letters, vowels, unbroken)


def garbled(text: str) -> bool:
    return quality(text).garbled


# Kangxi radicals, CJK radicals supplement and compatibility ideographs that NFKC folds into the
# unified ideograph they look like.
_FOLDABLE = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff]")
# Runs of Latin-1/CP1252 letters: GBK (or UTF-8) bytes read one byte a character.
_MOJIBAKE = re.compile(r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                       r"\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                       r"\u20ac\u2122]{2,}")  # fmt: skip


def _fold(match: re.Match[str]) -> str:
    folded = unicodedata.normalize("NFKC", match.group(0))
    return folded if len(folded) == 1 and _is_cjk(ord(folded)) else match.group(0)


def _single_bytes(run: str) -> bytes | None:
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            try:
                out += ch.encode("latin-1")
            except UnicodeEncodeError:
                return None
    return bytes(out)


def _unmojibake(match: re.Match[str]) -> str:
    run = match.group(0)
    raw = _single_bytes(run)
    if raw is None:
        return run
    for encoding in ("utf-8", "gb18030"):
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        found = quality(decoded)
        if found.cjk and found.cjk * 2 >= found.chars and found.rare * 4 <= found.cjk:
            return decoded
    return run


def repair(text: str, mojibake: bool = True) -> str:
    """Radicals folded to their ideographs; with `mojibake`, runs of Latin-1 letters that are
    GBK or UTF-8 bytes decoded (where there is no page to OCR instead: random Latin-1 letters
    decode as GBK too)."""
    text = _FOLDABLE.sub(_fold, text)
    return _MOJIBAKE.sub(_unmojibake, text) if mojibake else text


def best_decoding(data: bytes) -> tuple[str, str]:
    """Bytes of text in an unknown encoding → (text, encoding): UTF-8, UTF-16 (with a byte-order
    mark or with the zero bytes of mostly-ASCII text), GB18030 or Big5, whichever decodes
    without error into the best text; else UTF-8 with replacement characters."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    candidates = ["utf-8", "gb18030", "big5"]
    sample = data[:4096]
    if len(data) % 2 == 0:
        # Text of UTF-8 or GBK has no zero bytes; UTF-16 has one in every ASCII character.
        odd_zeros = sample[1::2].count(0)
        wide = "utf-16-le" if odd_zeros >= sample[0::2].count(0) else "utf-16-be"
        if 0 in sample:
            candidates.insert(0, wide)
        else:
            candidates.append(wide)
    best: tuple[float, str, str] | None = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = quality(text[:20000]).score
        if best is None or score > best[0] + 1e-9:
            best = (score, text, encoding)
        if score >= 0.98:
            break
    if best is None:
        return data.decode("utf-8", "replace"), "utf-8 (with replacements)"
    return best[1], best[2]
