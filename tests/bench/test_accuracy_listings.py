"""Listing and stub accuracy on real material holds: no change lowers a score of
`python -m bench.accuracy_listings`.

The saved pages live in ../shared/data/real/pages/ (never copied into the repository); without
them these tests skip and say so. When a change raises a score, raise its floor here too.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.accuracy_listings import headline, measure
from bench.real import data_dir

# The scores as they stand (before issue 11: 0.0, 0.2, 0.4, 1.0, 0.0, 1.0).
FLOORS = {
    "listing_count_exact": 1.0,
    "listing_first_right": 1.0,
    "listing_last_right": 1.0,
    "listing_next_right": 1.0,
    "stub_detection": 1.0,
    "content_kept": 1.0,
}

PAGES = data_dir() / "pages"


@pytest.fixture(scope="module")
def scores() -> dict[str, Any]:
    if not (PAGES / "truth.jsonl").exists():
        pytest.skip(f"real saved pages not found in {PAGES} (set GOVWATCH_REAL_DATA)")
    measured, _ = measure(PAGES)
    return headline(measured)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_score_holds_its_floor(scores: dict[str, float], name: str) -> None:
    assert scores[name] >= FLOORS[name], f"{name} fell to {scores[name]} (floor {FLOORS[name]})"


def test_every_headline_score_has_a_floor(scores: dict[str, float]) -> None:
    assert set(scores) == set(FLOORS)
