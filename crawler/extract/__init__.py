"""Pure extraction: a disclosure page's bytes and URL in, a `Document` out.

No Scrapy, no clock, no network, no database (tests/test_purity.py keeps it so).
"""

from crawler.extract.document import extract_document

__all__ = ["extract_document"]
