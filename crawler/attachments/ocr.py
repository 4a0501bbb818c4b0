"""OCR of page images for simplified Chinese: Tesseract with Debian's `chi_sim` model.

The engine and its model come from the system's packages (`apt-get install tesseract-ocr
tesseract-ocr-chi-sim`); nothing is downloaded. When either is missing, `available()` says why,
and the readers turn that into a warning on the file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

LANGUAGE = "chi_sim"
#: Pixels per inch a PDF page is rendered at before OCR: at 200, body text is 25-40 pixels
#: high, which Tesseract reads as well as at 300 and a third faster (bench/attachments.py).
DPI = 200
#: Seconds one page may take before it is given up with a warning.
TIMEOUT = 120
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
        if not word:
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


def recognize(image: Any) -> Recognized:
    """The text of one page image (a PIL image). Raises RuntimeError with a one-line reason."""
    import pytesseract

    reason = available()
    if reason:
        raise RuntimeError(reason)
    try:
        data = pytesseract.image_to_data(
            image,
            lang=LANGUAGE,
            config="--oem 1 --psm 3",
            output_type=pytesseract.Output.DICT,
            timeout=TIMEOUT,
        )
    except RuntimeError as error:  # pytesseract's timeout
        raise RuntimeError(f"OCR gave up after {TIMEOUT} s ({error})") from None
    except pytesseract.TesseractError as error:
        raise RuntimeError(f"OCR failed: {' '.join(str(error).split())}") from None
    return assemble(data)
