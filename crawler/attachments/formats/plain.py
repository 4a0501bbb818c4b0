"""Text-based formats that portals serve under Word's and WPS's names as often as under their own:
plain text (UTF-8, UTF-16, GB18030 or Big5, whichever reads as text), RTF (Word and WPS "save
as .doc" of old), and HTML or MHT (Word's "web page" saved as .doc)."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

from crawler.attachments import garbage
from crawler.attachments.model import Context, FileText, PageText, tidy


def read_text(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    text, encoding = garbage.best_decoding(data)
    if "replacements" in encoding:
        into.warnings.append("text in an unknown encoding; read as UTF-8 with replacements")
    return [PageText(1, tidy(text), reader="text")]


# RTF groups whose text is not the document's (fonts, styles, pictures, metadata…).
_SKIP = frozenset({
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "listtable", "listoverridetable",
    "rsidtbl", "generator", "xmlnstbl", "themedata", "colorschememapping", "datastore",
    "latentstyles", "pgdsctbl", "revtbl", "filetbl", "object", "objdata", "fldinst", "bkmkstart",
    "bkmkend", "shppict", "nonshppict", "private", "mmathPr", "wgrffmtfilter", "userprops",
})  # fmt: skip
_TOKEN = re.compile(
    rb"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([^\\{}\r\n]+)|[\r\n]+"
)
_BREAKS = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "cell": "\t",
           "tab": "\t", "emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’",
           "ldblquote": "“", "rdblquote": "”", "bullet": "•"}  # fmt: skip


def rtf_text(data: bytes) -> str:
    """The text of an RTF file: \\'hh bytes in the file's code page (\\ansicpg; GBK when that
    does not read as text), \\uN characters, skipped destinations left out."""
    codepage = "cp1252"
    found = re.search(rb"\\ansicpg(\d+)", data[:4096])
    if found:
        codepage = f"cp{int(found.group(1))}"
    out: list[str] = []
    pending = bytearray()
    skip_depth: int | None = None
    depth = 0
    uc = 1
    skip_chars = 0
    star = False

    def flush() -> None:
        if not pending:
            return
        try:
            text = bytes(pending).decode(codepage)
            if garbage.garbled(text):
                raise UnicodeDecodeError(codepage, b"", 0, 1, "garbled")
        except (UnicodeDecodeError, LookupError):
            text = garbage.best_decoding(bytes(pending))[0]
        out.append(text)
        pending.clear()

    for match in _TOKEN.finditer(data):
        word, arg, hexbyte, symbol, brace, text = match.groups()
        if brace == b"{":
            depth += 1
            star = False
            continue
        if brace == b"}":
            if skip_depth is not None and depth <= skip_depth:
                skip_depth = None
            depth -= 1
            continue
        if skip_depth is not None:
            continue
        if skip_chars and (hexbyte or text):
            if hexbyte:
                skip_chars -= 1
                continue
            if text:
                consumed = min(skip_chars, len(text))
                skip_chars -= consumed
                text = text[consumed:]
                if not text:
                    continue
        if hexbyte:
            pending.append(int(hexbyte, 16))
            continue
        flush()
        if symbol == b"*":
            star = True
        elif symbol in (b"\\", b"{", b"}"):
            out.append(symbol.decode())
        elif symbol == b"~":
            out.append("\u00a0")
        elif word:
            name = word.decode()
            if name in _SKIP or star:
                skip_depth = depth
                star = False
            elif name == "uc" and arg:
                uc = int(arg)
            elif name == "u" and arg:
                out.append(chr(int(arg) % 65536))
                skip_chars = uc
            elif name in _BREAKS:
                out.append(_BREAKS[name])
        elif text:
            out.append(text.decode(codepage, "replace"))
    flush()
    return "".join(out)


def read_rtf(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    return [PageText(1, tidy(rtf_text(data)), reader="rtf")]


_BLOCKS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "title")


def html_text(data: bytes) -> str:
    import lxml.html

    found = re.search(rb"""charset=["']?([\w-]+)""", data[:4096], re.I)
    text = None
    if found:
        try:
            text = data.decode(found.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = garbage.best_decoding(data)[0]
    text = re.sub(r"<\?xml[^>]*>", "", text, count=1)
    root: Any = lxml.html.document_fromstring(text or "<html></html>")
    for bad in list(root.iter("script", "style", "xml", "head")):
        bad.drop_tree()
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    for cell in root.iter("td", "th"):
        cell.tail = "\t" + (cell.tail or "")
    body: Any = root.find("body")
    return str((body if body is not None else root).text_content())  # an HtmlElement's


def read_html(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    if (
        data.lstrip()[:40].lower().startswith(b"mime-version")
        or b"multipart/related" in data[:2048]
    ):
        message = email.message_from_bytes(data, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    charset = part.get_content_charset()
                    if charset and b"charset" not in payload[:4096].lower():
                        payload = payload.decode(charset, "replace").encode("utf-8")
                        payload = b'<meta charset="utf-8">' + payload
                    return [PageText(1, tidy(html_text(payload)), reader="html")]
        into.warnings.append("MHT file without an HTML part; not read")
        return []
    return [PageText(1, tidy(html_text(data)), reader="html")]
