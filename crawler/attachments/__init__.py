"""The text of attachment files: bytes and a file name in, text per page out, each page saying
which reader made it.

Pure apart from edges that are plain subprocesses: OCR (Tesseract, `tesseract-ocr` with
`tesseract-ocr-chi-sim`) for pages and pictures without a readable text layer, antiword/catdoc
for legacy Word and WPS files, and `read_attachment_isolated`'s child process. Nothing is
downloaded at run time; a missing tool is a warning on the file, never an error. A file that
cannot be read (encrypted, broken, a bomb, of no known type) comes back with a warning and
whatever text could be read: never an exception.
"""

from __future__ import annotations

from crawler.attachments.isolated import read_attachment_isolated
from crawler.attachments.read import (
    TYPES,
    FileText,
    PageText,
    detect_type,
    read_attachment,
    read_path,
)

__all__ = [
    "TYPES",
    "FileText",
    "PageText",
    "detect_type",
    "read_attachment",
    "read_attachment_isolated",
    "read_path",
]
