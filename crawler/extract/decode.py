"""Bytes to text the way the portals need it.

Order of trust: a byte-order mark; then UTF-8 when the bytes are valid UTF-8 (CJK text in GBK is
practically never valid UTF-8, while UTF-8 read as GB18030 often "succeeds" as mojibake); then the
declared charset (HTTP header, then `<meta>`), GB2312/GBK always read as GB18030, their superset;
then GB18030. Bytes nothing can decode are replaced, with a warning — never an exception.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc_cn", "x-gbk", "gb_2312-80"}


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    #: The bytes themselves where they are the text in UTF-8 as they stand (no BOM, nothing
    #: replaced): the parser reads them without encoding the text again.
    utf8: bytes | None = None


def canonical_encoding(label: str | None) -> str | None:
    """A Python codec name for a charset label, GB family → gb18030; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"';").lower()
    if label in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    if name == "big5":
        return "big5hkscs"  # a superset of Big5, as browsers read it
    return name


def declared_encoding(body: bytes) -> str | None:
    """The charset label a page declares in its first 4 KiB, as written."""
    head = body[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def decode_html(body: bytes, encoding: str | None = None) -> Decoded:
    """Decode `body`; `encoding` is the transport's (HTTP header or caller) declaration."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(name, errors="replace"), name)
    warnings: list[str] = []
    declared_label = encoding or declared_encoding(body)
    declared = canonical_encoding(declared_label)
    if declared_label and declared is None:
        warnings.append(f"unknown declared charset {declared_label!r}; guessed from the bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared not in (None, "utf-8", "ascii") and not body.isascii():
            warnings.append(f"declared charset {declared_label!r} but the bytes are UTF-8")
        return Decoded(text, "utf-8", warnings, utf8=body)
    candidates = [name for name in (declared, "gb18030") if name and name != "utf-8"]
    for name in dict.fromkeys(candidates):
        try:
            text = body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if declared is not None and name != declared:
            warnings.append(f"declared charset {declared_label!r} but the bytes are {name}")
        return Decoded(text, name, warnings)
    # Nothing decodes cleanly: keep what can be read and say so.
    name = declared if declared and declared != "utf-8" else "gb18030"
    utf8_text = body.decode("utf-8", errors="replace")
    other_text = body.decode(name, errors="replace")
    if utf8_text.count("\ufffd") <= other_text.count("\ufffd"):
        name, text = "utf-8", utf8_text
    else:
        text = other_text
    bad = text.count("\ufffd")
    warnings.append(f"{bad} undecodable byte sequence(s) replaced while decoding as {name}")
    return Decoded(text, name, warnings)
