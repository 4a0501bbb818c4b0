"""OCR of page images for simplified Chinese: Tesseract with Debian's `chi_sim` model.

The engine and its model come from the system's packages (`apt-get install tesseract-ocr
tesseract-ocr-chi-sim`); nothing is downloaded. When either is missing, `available()` says why,
and the readers turn that into a warning on the file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

LANGUAGE = "chi_sim"
#: Pixels per inch a PDF page is rendered at before OCR: at 200, body text is 25-40 pixels
#: high, which Tesseract reads as well as at 300 and a third faster (bench/attachments.py).
DPI = 200
#: Seconds one page may take before it is given up with a warning.
TIMEOUT = 120
#: Page segmentation: one block of text lines in reading order. Disclosure files are letters and
#: notices in one column; automatic segmentation (3) split the ends of long lines into columns
#: of their own and put them out of order (96.0% of characters right → 99.7%, bench/attachments).
PSM = "6"
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"

# Tesseract separates every Chinese character by a space: spaces between CJK characters (and
# their punctuation) are dropped, spaces between Latin words kept.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE = re.compile(
    rf"(?<=[{_CJK}])\s+(?=[{_CJK}0-9(),:;?!])|(?<=[{_CJK}0-9(),:;?!])\s+(?=[{_CJK}])"
)
# ASCII punctuation beside a Chinese character is the full-width mark the page printed.
_HALF = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_HALF_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[(),:;?!]|[(),:;?!](?=[{_CJK}])")


def _cjk_text(line: str) -> str:
    line = _HALF_NEAR_CJK.sub(lambda m: _HALF[m.group(0)], _CJK_SPACE.sub("", line))
    return _CJK_SPACE.sub("", line)


@dataclass(frozen=True)
class Recognized:
    text: str
    confidence: float | None  # 0..1, the mean of the words' confidences weighted by length


@lru_cache(maxsize=1)
def available() -> str | None:
    """None when OCR can run; else why not and what to install."""
    binary = shutil.which("tesseract")
    if binary is None:
        return f"no OCR engine (tesseract) installed; {INSTALL}"
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"tesseract does not run ({error}); reinstall it: {INSTALL}"
    if LANGUAGE not in (listed.stdout + listed.stderr).split():
        return f"tesseract has no simplified Chinese model ({LANGUAGE}); {INSTALL}"
    return None


def assemble(data: dict[str, list[Any]]) -> Recognized:
    """Lines of text and a confidence out of Tesseract's word table (`image_to_data`)."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    weighted = 0.0
    characters = 0
    for index, word in enumerate(data.get("text", [])):
        word = str(word).strip()
        if not word or str(data["level"][index]) != "5":  # words only
            continue
        key = (int(data["block_num"][index]), int(data["par_num"][index]),
               int(data["line_num"][index]))  # fmt: skip
        lines.setdefault(key, []).append(word)
        confidence = float(data["conf"][index])
        if confidence >= 0:
            weighted += confidence * len(word)
            characters += len(word)
    text = "\n".join(_cjk_text(" ".join(words)) for _, words in sorted(lines.items()))
    return Recognized(text, round(weighted / characters / 100, 3) if characters else None)


def _table(tsv: str) -> dict[str, list[Any]]:
    """Tesseract's TSV output as columns (level, …, conf, text)."""
    rows = tsv.splitlines()
    if not rows:
        return {}
    header = rows[0].split("\t")
    columns: dict[str, list[Any]] = {name: [] for name in header}
    for row in rows[1:]:
        values = row.split("\t")
        if len(values) < len(header):
            values += [""] * (len(header) - len(values))
        for name, value in zip(header, values, strict=False):
            columns[name].append(value)
    return columns


def recognize(image: Any) -> Recognized:
    """The text of one page image (a PIL image). Raises RuntimeError with a one-line reason.

    Tesseract runs as a program on a temporary PNG, one thread (OMP_THREAD_LIMIT=1): its
    OpenMP threads cost more than they give on a small shared machine (about 1.5 s a page
    instead of 2.7 under load)."""
    reason = available()
    if reason:
        raise RuntimeError(reason)
    binary = shutil.which("tesseract") or "tesseract"
    with tempfile.TemporaryDirectory(prefix="govwatch-ocr-") as folder:
        path = os.path.join(folder, "page.png")
        image.save(path, "PNG")
        try:
            done = subprocess.run(
                [binary, path, "stdout", "-l", LANGUAGE, "--oem", "1", "--psm", PSM, "tsv"],
                capture_output=True, timeout=TIMEOUT, check=False,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"OCR gave up after {TIMEOUT} s") from None
        except OSError as error:
            raise RuntimeError(f"OCR could not run: {error}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
        raise RuntimeError(f"OCR failed: {message}")
    return assemble(_table(done.stdout.decode("utf-8", "replace")))


def plain(text: str) -> str:
    """Text without layout: NFKC, no whitespace (lines wrap differently in every format)."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def char_accuracy(expected: str, got: str) -> float:
    """The share of the expected characters read right (1 - edit distance / length), layout
    aside: how OCR is measured, by the benchmark and the tests alike."""
    a, b = plain(expected), plain(got)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return max(0.0, 1 - previous[-1] / max(len(a), 1))
