"""The README's command list is the CLI's: every command `watcher --help` lists is shown there,
and every command it shows exists; and it links nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from watcher.cli import cli

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _tour() -> str:
    """The command block of the short tour."""
    tour = README.split("## A short tour", 1)[1]
    return tour.split("```", 2)[1]


def test_the_command_list_matches_help() -> None:
    shown = set(re.findall(r"^watcher ([a-z][a-z-]*)", _tour(), re.MULTILINE))
    shown |= set(re.findall(r"/ ([a-z][a-z-]*) <", _tour()))  # "pause <…> / resume <…>"
    assert shown == set(cli.commands)


def test_no_link_leads_outside_the_repository() -> None:
    targets = re.findall(r"\]\(([^)]+)\)", README)
    local = [t for t in targets if not t.startswith(("http://", "https://", "#"))]
    assert all(not t.startswith(("..", "/")) for t in local), local
    assert all((Path(__file__).parents[1] / t.split("#")[0]).exists() for t in local), local
