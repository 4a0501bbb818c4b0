"""`govwatch attachment FILE… [--json]`: the text of attachment files a user already has."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from crawler.attachments.read import FileText, read_path

EXIT_USAGE = 2


def describe(result: FileText) -> str:
    """A heading line for a person: type, pages, size, the readers that made the text, OCR."""
    ocr_pages = sum(1 for page in result.pages if page.ocr)
    parts = [f"{result.type.upper()}", f"{len(result.pages)} page(s)", f"{result.size} bytes"]
    if result.reader:
        parts.append(f"read by {result.reader}")
    if ocr_pages:
        confidence = result.ocr_confidence
        shown = f", confidence {confidence:.0%}" if confidence is not None else ""
        parts.append(f"{ocr_pages} read by OCR{shown}")
    return f"== {result.name}: " + ", ".join(parts)


def run_attachment(files: Sequence[str], as_json: bool = False, pretty: bool = False) -> int:
    """Read every file first (an unreadable one: one line on stderr, exit 2), then print each:
    a JSON object per line with --json, else a heading, its warnings and its text."""
    results: list[FileText] = []
    for name in files:
        try:
            results.append(read_path(name))
        except OSError as error:
            reason = error.strerror or str(error)
            print(f"govwatch attachment: cannot read {name}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    for result in results:
        record = result.to_record()
        if as_json:
            print(json.dumps(record, ensure_ascii=False, indent=2 if pretty else None))
            continue
        print(describe(result))
        for warning in result.warnings:
            print(f"warning: {warning}")
        print(result.text)
        print()
    return 0
