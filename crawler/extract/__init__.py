"""Pure extraction: a disclosure page's bytes and URL in, a `Document` out.

No Scrapy, no clock, no network, no database (tests/test_purity.py keeps it so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.extract.document import extract_document

__all__ = ["extract_document"]


def __getattr__(name: str) -> Any:
    # Imported when first asked for: a process that needs only a part (`text` for the
    # replica's scripts, `select` for a profile's selectors) does not load every extractor.
    if name == "extract_document":
        from crawler.extract.document import extract_document

        return extract_document
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
