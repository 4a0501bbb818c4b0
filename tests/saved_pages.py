"""Saved pages under tests/fixtures/<family>/<name>.html with <name>.json beside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent  # the repository
FIXTURES = Path(__file__).parent / "fixtures"


def fixture_pages() -> list[Path]:
    """Every saved page that has its expected record beside it."""
    return sorted(path for path in FIXTURES.rglob("*.html") if path.with_suffix(".json").exists())


def expected_record(page: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return data
