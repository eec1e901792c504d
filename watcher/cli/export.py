"""`watcher export`: a watch's evidence as WARC, a printable HTML sheet or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from watcher.cli.base import cli, common_options, open_app
from watcher.errors import UsageError


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["warc", "html", "json"]),
    default="html",
    show_default=True,
    help="WARC 1.1 (the raw answers), a printable evidence sheet, or JSON for scripts.",
)
@click.option("-o", "--output", metavar="FILE", help="Write here (default: standard output).")
@common_options
def export(ref: str, fmt: str, output: str | None, config: str | None, db: str | None) -> None:
    """A watch's evidence: every version, its capture times and hashes, the diffs, the events
    and the platform's raw answers kept ([store] keep_raw)."""
    from watcher.export import render

    with open_app(config, db) as app:
        data = render(app.evidence(ref), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror or exc}") from exc
