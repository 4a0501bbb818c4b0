"""Legacy Word and WPS (OLE2 compound files with a WordDocument stream): every reader that can,
and the most complete text of them kept.

- ole-stream: the WordDocument stream's text read here through its piece table (olefile, BSD):
  every story — the body, footnotes, headers and footers, comments, endnotes, text boxes — which
  antiword partly drops (headers and footers always; the whole file when its text is short:
  "the text stream of this file is too small to handle"), field codes left out, their results
  kept. Word 6/95 files (8-bit text in the file's code page, GBK for Chinese) are read too.
- antiword, then catdoc (GPL programs, run, not linked): for what the piece table misses.
- The text of the best reader (the most good characters, `garbage.quality`) is kept, with the
  lines only another reader found added after it.
- A file that is only pictures (a scan saved as .doc or .wps) has its JPEG and PNG pictures,
  found in its streams by their signatures, read by OCR (ole-ocr).
- An OLE file whose text none of these finds is scanned for runs of UTF-16 and GBK text
  (byte-scan): better some of its words than none.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass

from crawler.attachments import garbage
from crawler.attachments.formats.images import ocr_pictures, signature_images
from crawler.attachments.model import MAX_OCR_PAGES, Context, FileText, PageText, printed, tidy

#: A Word file with fewer printed characters than this per picture is read from its pictures.
THIN_TEXT = 300
#: The legacy Word readers run as programs, best first: each a Debian package.
WORD_TOOLS = (
    ("antiword", ["antiword", "-m", "UTF-8.txt", "-w", "0"]),
    # 8-bit text (Word 6/95) comes out as CP1252 letters, which garbage.repair reads as GBK.
    ("catdoc", ["catdoc", "-d", "utf-8", "-w"]),
)
_STORIES = ("ccpText", "ccpFtn", "ccpHdd", "ccpMcr", "ccpAtn", "ccpEdn", "ccpTxbx", "ccpHdrTxbx")


@dataclass
class WordText:
    body: str
    other: str  # notes, headers, comments, text boxes


class NotReadable(Exception):
    """The stream cannot be read here (encrypted, broken, a format this reader does not know)."""


def _pieces(
    stream: bytes, table: bytes, fc_clx: int, lcb_clx: int
) -> list[tuple[int, int, int, bool]]:
    """The piece table: (first cp, last cp, file offset, compressed) for each piece."""
    clx = table[fc_clx : fc_clx + lcb_clx]
    at = 0
    while at < len(clx) and clx[at] == 1:  # Prc: property modifiers, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at + 5 > len(clx) or clx[at] != 2:
        raise NotReadable("no piece table")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5 : at + 5 + size]
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc)
    pieces = []
    for index in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        compressed = bool(fc & 0x40000000)
        offset = (fc & ~0x40000000) // 2 if compressed else fc
        pieces.append((cps[index], cps[index + 1], offset, compressed))
    return pieces


def _fields(text: str) -> str:
    """Field codes (between 0x13 and 0x14) out, field results (0x14 to 0x15) kept."""
    out: list[str] = []
    stack: list[bool] = []  # per open field: is its result being read
    for ch in text:
        if ch == "\x13":
            stack.append(False)
        elif ch == "\x14" and stack:
            stack[-1] = True
        elif ch == "\x15" and stack:
            stack.pop()
        elif not stack or all(stack):
            out.append(ch)
    return "".join(out)


_SPECIAL = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x0e": "\n", "\x07": "\t",
                          "\x1e": "-", "\x1f": "", "\x01": "", "\x08": "", "\x02": "", "\x05": ""})  # fmt: skip


def _clean(text: str) -> str:
    return tidy(_fields(text).replace("\x07\x07", "\n").translate(_SPECIAL))


def ole_text(ole: object) -> WordText:
    """The text of a Word 97+ (or Word 6/95) file's WordDocument stream."""
    stream = ole.openstream("WordDocument").read()  # type: ignore[attr-defined]
    if len(stream) < 0x200 or struct.unpack_from("<H", stream)[0] not in (0xA5EC, 0xA5DC):
        raise NotReadable("not a Word document stream")
    n_fib, _, _, _, flags = struct.unpack_from("<HHHHH", stream, 2)
    if flags & 0x0100:
        raise NotReadable("encrypted (a password is needed)")
    if n_fib < 0xC1:  # Word 6/95: one run of 8-bit text unless fast-saved
        if flags & 0x0004:
            raise NotReadable("a fast-saved Word 6/95 file")
        fc_min, fc_mac = struct.unpack_from("<II", stream, 0x18)
        text, _ = garbage.best_decoding(stream[fc_min:fc_mac])
        return WordText(_clean(text), "")
    csw = struct.unpack_from("<H", stream, 32)[0]
    at = 34 + csw * 2
    cslw = struct.unpack_from("<H", stream, at)[0]
    counts = struct.unpack_from(f"<{min(cslw, 22)}i", stream, at + 2)
    stories = dict(zip(_STORIES, counts[3:11], strict=False))
    at += 2 + cslw * 4
    fc_clx, lcb_clx = struct.unpack_from("<II", stream, at + 2 + 33 * 8)
    name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(name):  # type: ignore[attr-defined]
        raise NotReadable(f"no {name} stream")
    table = ole.openstream(name).read()  # type: ignore[attr-defined]
    parts: list[str] = []
    for first, last, offset, compressed in _pieces(stream, table, fc_clx, lcb_clx):
        count = last - first
        if compressed:
            raw = stream[offset : offset + count]
            piece = raw.decode("cp1252", "replace")
            if any(b >= 0x80 for b in raw) and garbage.garbled(piece):
                piece = garbage.best_decoding(raw)[0]  # 8-bit text in a Chinese code page
        else:
            piece = stream[offset : offset + 2 * count].decode("utf-16-le", "replace")
        parts.append(piece)
    text = "".join(parts)
    body_end = max(stories.get("ccpText", len(text)), 0)
    return WordText(_clean(text[:body_end]), _clean(text[body_end:]))


def _run_tool(command: list[str], data: bytes) -> bytes:
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(data)
        handle.flush()
        done = subprocess.run(
            [*command, handle.name], capture_output=True, timeout=120, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(" ".join(done.stderr.decode("utf-8", "replace").split())[:200])
    return done.stdout


def _tool_text(output: bytes) -> str:
    return garbage.repair(tidy(output.decode("utf-8", "replace")))


def _plain(text: str) -> str:
    return re.sub(r"[\s|]+|\[\d+\]", "", text)


def _words(text: str) -> int:
    """Characters that carry meaning: common Chinese ones, Latin letters and digits (not the
    rules and bars antiword draws tables with)."""
    common = garbage.common_chars()
    return sum(1 for ch in text if ch in common or (ch.isascii() and ch.isalnum()))


def combine(candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """(reader, text) of the readers that found text → (readers, text): the text with the most
    good characters, and after it the lines only the others found."""
    ranked = sorted(candidates, key=lambda c: _words(c[1]), reverse=True)  # stable: ties keep order
    reader, text = ranked[0]
    readers = [reader]
    have = _plain(text)
    for other, other_text in ranked[1:]:
        if garbage.quality(other_text).garbled:
            continue
        missing = []
        for line in other_text.splitlines():
            plain = _plain(line)
            if _words(plain) >= 2 and plain not in have:
                missing.append(line.strip(" |"))
                have += plain
        if missing:
            text = tidy(text + "\n" + "\n".join(missing))
            readers.append(other)
    return "+".join(readers), text


_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00|[\x00-\xff][\x30-\x9f]){6,}")
_GBK_RUN = re.compile(rb"(?:[\x81-\xfe][\x40-\x7e\x80-\xfe]|[\x20-\x7e\r\n\t]){6,}")


def byte_scan(blob: bytes) -> str:
    """Runs of text in bytes of no known layout: UTF-16LE runs (CJK and ASCII), then GBK runs,
    each kept only when it reads as text (`garbage.quality`)."""
    found: list[str] = []
    for pattern, encoding in ((_UTF16_RUN, "utf-16-le"), (_GBK_RUN, "gb18030")):
        for match in pattern.finditer(blob):
            raw = match.group(0)
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            judged = garbage.quality(text)
            if judged.cjk >= 2 and not judged.garbled and judged.cjk * 2 >= judged.chars:
                found.append(text.strip())
    return tidy("\n".join(found))


def read_word(data: bytes, into: FileText, ctx: Context) -> list[PageText]:
    import olefile

    warnings = into.warnings
    reasons: list[str] = []
    candidates: list[tuple[str, str]] = []
    ole = None
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as error:  # olefile raises plain exceptions on broken files
        reasons.append(f"not an OLE2 file olefile can open ({error})")
    if ole is not None and ole.exists("WordDocument"):
        try:
            found = ole_text(ole)
            text = tidy(found.body + "\n" + found.other)
            if printed(text):
                candidates.append(("ole-stream", text))
        except (NotReadable, struct.error, OSError, ValueError) as error:
            reasons.append(f"its WordDocument stream: {error}")
    for tool, command in WORD_TOOLS:
        if shutil.which(tool) is None:
            reasons.append(f"{tool} is not installed")
            continue
        try:
            text = _tool_text(_run_tool(command, data))
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            reasons.append(f"{tool}: {error}")
            continue
        if printed(text):
            candidates.append((tool, text))
        else:
            reasons.append(f"{tool} found no text")
    pages: list[PageText] = []
    if candidates:
        reader, text = combine(candidates)
        pages.append(PageText(1, text, reader=reader))
    pictures = _pictures(ole) if ole is not None else []
    if pictures and sum(printed(p.text) for p in pages) < THIN_TEXT * len(pictures):
        pages += ocr_pictures(pictures, into, len(pages) + 1, "ole-ocr")
    if not any(page.text for page in pages) and ole is not None:
        scanned = byte_scan(b"".join(ole.openstream(s).read() for s in ole.listdir()))
        if scanned:
            warnings.append(
                "no reader knows this file's layout; its text was found by scanning its bytes "
                "(order and tables lost): convert it to DOCX for a full reading"
            )
            pages = [PageText(1, scanned, reader="byte-scan")]
    if ole is not None:
        ole.close()
    if not any(page.text for page in pages):
        warnings.append(
            "legacy Word/WPS file not read ("
            + "; ".join(reasons or ["no text and no pictures of text in it"])
            + "); apt-get install antiword catdoc, or convert it to DOCX"
        )
    return pages


def _pictures(ole: object) -> list[tuple[str, bytes]]:
    """JPEG and PNG pictures in any of the file's streams, by signature."""
    found: list[tuple[str, bytes]] = []
    for path in ole.listdir():  # type: ignore[attr-defined]
        blob = ole.openstream(path).read()  # type: ignore[attr-defined]
        for index, picture in enumerate(signature_images(blob, MAX_OCR_PAGES * 4)):
            found.append((f"{'/'.join(path)}#{index + 1}", picture))
    return found
