"""Every saved page against its expected record, one assertion per field."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from saved_pages import FIXTURES, expected_record, fixture_pages

from crawler.extract import extract_document
from crawler.items import DOCUMENT_KEYS

PAGES = fixture_pages()
# Warnings are checked by content where a fixture lists them, never by exact wording elsewhere.
FIELDS = [key for key in DOCUMENT_KEYS if key != "warnings"]


@cache
def extracted(page: Path) -> dict[str, Any]:
    expected = expected_record(page)
    encoding = expected.get("_http_encoding")
    return extract_document(page.read_bytes(), expected["url"], encoding=encoding).to_record()


def test_there_are_fixtures() -> None:
    assert len(PAGES) >= 12


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
@pytest.mark.parametrize("field", FIELDS)
def test_field(page: Path, field: str) -> None:
    expected = expected_record(page)
    assert extracted(page)[field] == expected[field]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_warnings(page: Path) -> None:
    """A fixture lists fragments its warnings must contain; no fragments, no warnings."""
    expected = expected_record(page)
    warnings = extracted(page)["warnings"]
    fragments: list[str] = expected["warnings"]
    if not fragments:
        assert warnings == []
    for fragment in fragments:
        assert any(fragment in warning for warning in warnings), (fragment, warnings)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_no_empty_strings(page: Path) -> None:
    """Unknown values are null — never an empty string."""
    record = extracted(page)
    values = [value for key, value in record.items() if key != "reply"]
    values += list((record["reply"] or {}).values())
    assert "" not in values
