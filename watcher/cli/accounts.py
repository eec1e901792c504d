"""Commands about accounts: stats."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from watcher.cli.base import cli, common_options, emit_json, open_app, out_console, times, tz_option

if TYPE_CHECKING:
    from datetime import datetime

    from watcher.activity import Threshold
    from watcher.console import Times
    from watcher.model import Watch
    from watcher.stats import AccountStats


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def stats(ref: str, as_json: bool, tz: str, config: str | None, db: str | None) -> None:
    """How an account posts: posts per day, edits, deletions, the longest silence, the silence
    threshold in force and the median gap, interactions in the last 7 days."""
    from watcher import console as show
    from watcher.stats import account_stats

    with open_app(config, db) as app:
        activity = app.activity(ref)
        now = app.clock()
        show_times = times(app, tz)
    account, posts = activity.account, activity.posts
    figures = account_stats(
        [p.posted_at or p.created_at for p in posts],
        activity.events,
        now,
        account.silence,
        activity.samples,
        {p.id: p.posted_at for p in posts},
    )
    if as_json:
        found = {"watch_id": account.id, "url": account.target.url} | _json(figures)
        emit_json(found | {"silent_since": _iso(account.silent_since)})
        return
    out = out_console()
    header = f"watch {account.id} · {account.target.platform} · {account.target.url}"
    out.print(show.inert(header, style="bold"))
    for label, value in _lines(figures, show_times) + _rhythm(figures, account, show_times):
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


def _rhythm(s: AccountStats, account: Watch, times: Times) -> list[tuple[str, str]]:
    """The silence threshold in force and how it was found, the median gap, whether a silence
    is announced now, and the interactions of the last week."""
    from watcher.activity import span
    from watcher.stats import WEEK

    limit = s.threshold
    rule = f"{span(limit.seconds)} · {limit.rule}" if limit.seconds is not None else limit.rule
    gap = s.median_gap
    lines = [
        ("silent after", rule),
        ("median gap", span(gap) if gap is not None else "—"),
    ]
    if account.silent_since is not None:
        lines.append(("silent now", f"announced; no post since {times.at(account.silent_since)}"))
    per_day = s.interactions / WEEK
    lines.append(
        ("interactions", f"{s.interactions:,} in the last {WEEK} days ({per_day:,.0f} a day)")
    )
    return lines


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _json(s: AccountStats) -> dict[str, Any]:
    from watcher.stats import WEEK

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
        "silence_threshold": _threshold_json(s.threshold),
        "median_gap_seconds": s.median_gap,
        "interactions": {
            "days": WEEK,
            "total": s.interactions,
            "per_day": round(s.interactions / WEEK, 3),
        },
    }


def _threshold_json(limit: Threshold) -> dict[str, Any]:
    rhythm = limit.rhythm
    return {
        "setting": limit.setting if limit.setting in ("auto", "off") else float(limit.setting),
        "seconds": limit.seconds,
        "rule": limit.rule,
        "gaps": len(rhythm.gaps) if rhythm else 0,
        "percentile_90_seconds": limit.percentile,
    }
