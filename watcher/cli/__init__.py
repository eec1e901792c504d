"""The command line. Thin: parse, call the app, print, map outcomes to exit codes.

Exit codes: 0 first snapshot or unchanged · 1 change recorded (edited, deleted, restored)
· 2 usage or config error · 3 could not observe (failed, blocked, rate-limited, broken).
"""

from __future__ import annotations

from watcher.cli import (  # noqa: F401  (registers commands)
    accounts,
    activity,
    daemon,
    doctor,
    export,
    organize,
    posts,
    serve,
    watches,
)
from watcher.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="watcher")
