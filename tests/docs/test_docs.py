"""The manual: `mkdocs build --strict` passes (no broken link, no page left out of the nav), and
every command and option of `govwatch` is documented in docs/commands.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from saved_pages import ROOT

from crawler.cli import cli


def test_the_manual_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site" / "commands" / "index.html").exists()


def _leaves(command: click.Command, prefix: str) -> dict[str, click.Command]:
    """Every command by its full name, asked for as Click asks (plugins' commands too)."""
    if not isinstance(command, click.Group):
        return {prefix: command}
    found: dict[str, click.Command] = {prefix: command} if command.invoke_without_command else {}
    context = click.Context(command)
    for name in command.list_commands(context):
        sub = command.get_command(context, name)
        assert sub is not None, name
        found.update(_leaves(sub, f"{prefix} {name}"))
    return found


def test_every_command_and_option_is_documented_once() -> None:
    manual = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    commands = _leaves(cli, "govwatch")
    assert {"govwatch extract", "govwatch demo", "govwatch replica serve"} <= set(commands)
    for name, command in commands.items():
        heading = [line for line in manual.splitlines() if line.startswith("#") and name in line]
        assert heading, f"{name} has no heading in docs/commands.md"
        options = [opt for param in command.params for opt in param.opts if opt.startswith("--")]
        for option in options:
            assert option in manual, (name, option)


def test_the_readme_is_a_front_door() -> None:
    """Short, and pointing only inside the repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    assert "../" not in readme
    for target in ("docs/commands.md", "docs/ARCHITECTURE.md", "docs/DOMAIN.md"):
        assert f"]({target})" in readme and (ROOT / target).exists(), target
