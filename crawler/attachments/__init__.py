"""The text of attachment files: bytes and a file name in, text per page out.

Pure apart from two edges that are plain subprocesses: OCR (Tesseract, `tesseract-ocr` with
`tesseract-ocr-chi-sim`) for pages and images without a text layer, and antiword/catdoc for
legacy Word and WPS files. Nothing is downloaded at run time; a missing tool is a warning on the
file, never an error. A file that cannot be read (encrypted, broken, of no known type) comes back
with a warning and whatever text could be read: never an exception.
"""

from __future__ import annotations

from crawler.attachments.read import (
    TYPES,
    FileText,
    PageText,
    detect_type,
    read_attachment,
)

__all__ = ["TYPES", "FileText", "PageText", "detect_type", "read_attachment"]
