"""Pure parsers of listing formats: bytes or text and a URL in, entries and paging out.

No Scrapy, no clock, no network (tests/test_purity.py keeps it so). One module per family, and
`blocked` for the answers anti-bot layers give instead of a listing.
"""
