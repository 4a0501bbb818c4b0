"""The pure packages stay pure: no Scrapy, no network, no clock, no database."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
PURE = [ROOT / "crawler" / "extract", ROOT / "crawler" / "listings"]
FORBIDDEN_MODULES = {
    "scrapy",
    "twisted",
    "socket",
    "urllib.request",
    "http.client",
    "requests",
    "httpx",
    "sqlite3",
    "sqlite_utils",
    "time",
    "datetime.datetime.now",
}
FORBIDDEN_CALLS = {"now", "today", "utcnow", "monotonic", "perf_counter", "urlopen", "connect"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _calls(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            prefix = f"{owner.id}." if isinstance(owner, ast.Name) else ""
            calls.add(node.func.attr if prefix != "time." else f"time.{node.func.attr}")
    return calls


def test_pure_modules_import_nothing_impure() -> None:
    files = [path for package in PURE for path in package.rglob("*.py")]
    assert files
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            assert name not in FORBIDDEN_MODULES and top not in {"scrapy", "twisted"}, (path, name)


def test_pure_modules_read_no_clock_and_open_no_connection() -> None:
    for path in (p for package in PURE for p in package.rglob("*.py")):
        calls = _calls(path)
        clock = {call for call in calls if call.startswith("time.")}
        assert not (calls & FORBIDDEN_CALLS) and not clock, (path, calls & FORBIDDEN_CALLS, clock)


def test_importing_extract_loads_no_scrapy_nor_network() -> None:
    # parsel (the design card's extraction library) loads urllib.request through w3lib, and with
    # it `socket`: what extraction itself adds on top of parsel must hold none of these.
    code = (
        "import sys, parsel; before = set(sys.modules); import crawler.extract\n"
        "added = set(sys.modules) - before\n"
        "bad = [m for m in ('scrapy', 'twisted', 'sqlite3', 'sqlite_utils') if m in sys.modules]\n"
        "bad += [m for m in ('socket', 'http.client', 'urllib.request') if m in added]\n"
        "print(','.join(bad))"
    )
    assert _printed_by_a_fresh_process(code) == ""


def test_the_command_line_starts_without_the_portals_parsers() -> None:
    # Every `govwatch` command (search, show, a replica's serve…) pays for what `crawler.cli`
    # imports: the portals' discovery and profile parsers (parsel, lxml) wait for a `portals`
    # command, or for a crawl that reads the profiles.
    code = (
        "import sys, crawler.cli\n"
        "print(','.join(m for m in ('parsel', 'lxml', 'crawler.portals.discover', "
        "'crawler.portals.profiles', 'scrapy') if m in sys.modules))"
    )
    assert _printed_by_a_fresh_process(code) == ""


def _printed_by_a_fresh_process(code: str) -> str:
    """What `code` prints in a Python of its own (no module of this one loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()
