"""The listing parsers and the stub detection on real saved pages (../shared/data/real/pages/).

The pages are never copied here: they are read where they are, and these tests skip, saying
why, when they are absent. Truth: `truth.jsonl` (entries, first, last, next_page; stub kinds).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

import pytest

from bench.accuracy_listings import (
    expected_kind,
    expected_next,
    parse_listing,
    read_kind,
    read_page,
)
from bench.real import data_dir, norm
from crawler.listings.answers import CONTENT

PAGES = data_dir() / "pages"


def _records(kinds: tuple[str, ...]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    if not (PAGES / "truth.jsonl").exists():
        return []
    index = {}
    for line in (PAGES / "index.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            index[record["file"]] = record
    found = []
    for line in (PAGES / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            truth = json.loads(line)
            if index[truth["file"]]["type"] in kinds:
                found.append((index[truth["file"]], truth))
    return found


LISTINGS = _records(("listing",))
STUBS = _records(("stub", "challenge"))
CONTENT_PAGES = _records(("article", "listing"))
ABSENT = f"real saved pages not found in {PAGES} (set GOVWATCH_REAL_DATA)"


def _ids(records: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    return [entry["file"].split("-")[0] for entry, _ in records]


@pytest.fixture(autouse=True)
def _need_pages() -> None:
    if not (PAGES / "truth.jsonl").exists():
        pytest.skip(ABSENT)


def _entry_matches(got: Any, want: dict[str, Any], page_url: str) -> bool:
    return bool(
        got is not None
        and got.url == urljoin(page_url, want["url"])
        and norm(got.title) == norm(want["title"])
        and got.date == want["date"]
    )


@pytest.mark.parametrize(("entry", "truth"), LISTINGS or [({}, {})], ids=_ids(LISTINGS) or ["none"])
def test_listing_entries(entry: dict[str, Any], truth: dict[str, Any]) -> None:
    listing = parse_listing(entry, read_page(PAGES, entry))
    assert len(listing.entries) == truth["entries"], [e.url for e in listing.entries][:60]
    assert _entry_matches(listing.entries[0], truth["first"], entry["url"]), listing.entries[0]
    assert _entry_matches(listing.entries[-1], truth["last"], entry["url"]), listing.entries[-1]


@pytest.mark.parametrize(("entry", "truth"), LISTINGS or [({}, {})], ids=_ids(LISTINGS) or ["none"])
def test_listing_next_page(entry: dict[str, Any], truth: dict[str, Any]) -> None:
    listing = parse_listing(entry, read_page(PAGES, entry))
    assert listing.next_page == expected_next(entry["url"], truth["next_page"])


@pytest.mark.parametrize(("entry", "truth"), STUBS or [({}, {})], ids=_ids(STUBS) or ["none"])
def test_stubs_and_challenges_are_not_content(entry: dict[str, Any], truth: dict[str, Any]) -> None:
    answer = read_kind(PAGES, entry)
    assert answer.kind in expected_kind(truth), (truth["kind"], answer)
    assert answer.reason


@pytest.mark.parametrize(
    ("entry", "truth"), CONTENT_PAGES or [({}, {})], ids=_ids(CONTENT_PAGES) or ["none"]
)
def test_real_pages_stay_content(entry: dict[str, Any], truth: dict[str, Any]) -> None:
    """No article and no listing is taken for a stub, a challenge or an error page."""
    answer = read_kind(PAGES, entry)
    assert answer.kind == CONTENT, answer


def test_redirect_stubs_lead_where_a_browser_goes() -> None:
    targets = {}
    for entry, truth in STUBS:
        answer = read_kind(PAGES, entry)
        if truth["kind"] == "redirect-stub":
            targets[entry["file"].split("-")[0]] = answer.target
    if not targets:
        pytest.skip(f"no redirect stubs in {PAGES}")
    pages = {entry["file"].split("-")[0]: entry["url"] for entry, _ in STUBS}
    for number, target in targets.items():
        assert target is not None and target.startswith("http"), (number, target)
        assert target != pages[number], (number, target)
