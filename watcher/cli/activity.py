"""Commands about what accounts did: digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from watcher.cli.base import checked_zone, cli, common_options, emit_json, open_app
from watcher.errors import UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from watcher.digest import Period

FORMATS = {"text": "text", "md": "markdown", "markdown": "markdown", "html": "html"}
LAST = "last"  # what a bare --week means: the last full week


@cli.command()
@click.argument("ref", metavar="ACCOUNT")
@click.option(
    "--week",
    is_flag=False,
    flag_value=LAST,
    default=None,
    metavar="[YYYY-Www]",
    help="An ISO week, e.g. 2025-W22 (alone: the last full week, the default).",
)
@click.option("--since", metavar="WHEN", help="Start: an ISO date or time, e.g. 2025-06-01.")
@click.option("--until", metavar="WHEN", help="End (default: now); a date alone includes that day.")
@click.option(
    "--tz",
    default="",
    metavar="ZONE",
    callback=checked_zone,
    help="Count days in this IANA zone (default: Asia/Shanghai for Weibo, else UTC).",
)
@click.option(
    "--top",
    type=click.IntRange(1, 100),
    default=5,
    show_default=True,
    metavar="N",
    help="The N most engaging posts.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default=None,
    help="text (the default), md or html.",
)
@common_options
def digest(
    ref: str,
    week: str | None,
    since: str | None,
    until: str | None,
    tz: str,
    top: int,
    as_json: bool,
    fmt: str | None,
    config: str | None,
    db: str | None,
) -> None:
    """An account's week (or period) at a glance: posts per day against the period before,
    the top posts, the most engaging image, edits, deletions, restorations and silences.
    ACCOUNT is an account watch's URL or id."""
    from watcher.digest import default_tz, digest_json
    from watcher.render.digest import render_digest

    if as_json and fmt:
        raise UsageError("--json or --format, not both")
    if week and (since or until):
        raise UsageError("--week or --since/--until, not both")
    if until and not since:
        raise UsageError("--until needs --since")
    with open_app(config, db) as app:
        account = app.watch(ref)
        zone = tz or default_tz(account.target.platform)
        period = _period(week, since, until, zone, app.clock())
        found = app.digest(str(account.id), period, top, zone)
    if as_json:
        emit_json(digest_json(found))
        return
    click.echo(render_digest(found, FORMATS[fmt or "text"]), nl=False)


def _period(
    week: str | None, since: str | None, until: str | None, tz: str, now: datetime
) -> Period | None:
    """The period the options name; None: the default (the last full week)."""
    from watcher.digest import iso_week, span

    try:
        if since:
            return span(since, until, tz, now)
        if week and week != LAST:
            return iso_week(week, tz)
    except ValueError as exc:
        raise UsageError(f"--week {week}: {exc}" if week else str(exc)) from None
    return None
