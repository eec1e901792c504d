"""Commands about accounts: stats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from watcher.cli.base import cli, common_options, emit_json, open_app, out_console, times, tz_option

if TYPE_CHECKING:
    from watcher.console import Times
    from watcher.stats import AccountStats


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def stats(ref: str, as_json: bool, tz: str, config: str | None, db: str | None) -> None:
    """How an account posts: posts per day, edits, deletions, the longest silence."""
    from watcher import console as show
    from watcher.stats import account_stats

    with open_app(config, db) as app:
        activity = app.activity(ref)
        now = app.clock()
        show_times = times(app, tz)
    account, posts = activity.account, activity.posts
    figures = account_stats([p.posted_at or p.created_at for p in posts], activity.events, now)
    if as_json:
        emit_json({"watch_id": account.id, "url": account.target.url} | _json(figures))
        return
    out = out_console()
    header = f"watch {account.id} · {account.target.platform} · {account.target.url}"
    out.print(show.inert(header, style="bold"))
    for label, value in _lines(figures, show_times):
        out.print(f"{label:<16}{value}")


def _lines(s: AccountStats, times: Times) -> list[tuple[str, str]]:
    from watcher.detect import format_duration

    silence = s.longest_silence
    quiet = "—"
    if silence is not None:
        until = times.at(silence.end) if silence.end else "now (still silent)"
        quiet = f"{format_duration(silence.seconds)} ({times.at(silence.start)} → {until})"
    return [
        ("posts followed", f"{s.posts} (first {times.at(s.first)}, last {times.at(s.last)})"),
        ("posts per day", f"{s.per_day:.2f} ({s.last_week} in the last 7 days)"),
        ("edits", str(s.edits)),
        ("deletions", f"{s.deletions} by the author, {s.removals} removed by the platform"),
        ("restorations", str(s.restorations)),
        ("longest silence", quiet),
    ]


def _json(s: AccountStats) -> dict[str, Any]:
    silence = s.longest_silence
    return {
        "posts": s.posts,
        "first_post_at": s.first.isoformat() if s.first else None,
        "last_post_at": s.last.isoformat() if s.last else None,
        "posts_per_day": round(s.per_day, 3),
        "posts_last_7_days": s.last_week,
        "edits": s.edits,
        "deletions": s.deletions,
        "removals": s.removals,
        "restorations": s.restorations,
        "longest_silence": None
        if silence is None
        else {
            "seconds": silence.seconds,
            "from": silence.start.isoformat(),
            "until": silence.end.isoformat() if silence.end else None,
        },
    }
