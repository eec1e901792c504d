"""Commands about the watch list: add, list, remove."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click

from watcher.cli.base import (
    cli,
    common_options,
    emit_json,
    filter_options,
    given,
    open_app,
    out_console,
    print_table,
    silence_option,
    target_options,
    times,
    tz_option,
)
from watcher.errors import UsageError
from watcher.words import counted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from watcher.console import Times
    from watcher.model import Watch
    from watcher.views import Added, Listed

MAX_PAGES = 10  # more would be a crawl, not a watch


@cli.command()
@click.argument("url")
@click.option("--interval", "-i", default="", help="How often to check, e.g. 30s, 10m, 1h.")
@target_options
@click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Alert this channel (repeat)."
)
@click.option(
    "--pages",
    type=click.IntRange(1, MAX_PAGES),
    default=None,
    help="Accounts: timeline pages read per check (default 1).",
)
@click.option("--name", "-n", default=None, callback=given, help="What to call it in lists.")
@click.option("--tag", "-t", "tags", multiple=True, metavar="TAG", help="Tag it (repeat).")
@filter_options
@silence_option
@click.option("--json", "as_json", is_flag=True, help="Print the watch as JSON.")
@tz_option
@common_options
def add(
    url: str,
    interval: str,
    platform: str,
    selector: str,
    field: str,
    channels: tuple[str, ...],
    pages: int | None,
    name: str | None,
    tags: tuple[str, ...],
    ignore: str | None,
    min_change: int | None,
    silence: str | None,
    as_json: bool,
    tz: str,
    config: str | None,
    db: str | None,
) -> None:
    """Add URL (a post, or a whole account: its profile URL, `@user@instance` or a feed) to
    the watches the daemon checks (alerts go to every channel unless --channel). A watch that
    exists (kept by `check`, removed, or added before) takes these settings and is
    rescheduled; an account follows the recent posts a check recorded."""
    from watcher.views import checked_name, checked_tags

    name, tags = checked_name(name) if name is not None else None, checked_tags(tags)
    with open_app(config, db) as app:
        seconds = interval_seconds(interval) if interval else app.settings.default_interval
        target = app.target(url, platform, selector, field)
        if pages is not None and not target.account:
            raise UsageError("--pages applies to accounts; this URL is a single post")
        if silence is not None and not target.account:
            raise UsageError("--silence applies to accounts; this URL is a single post")
        for channel in channels:
            if app.settings.channel(channel) is None:
                raise UsageError(f"--channel: no channel {channel!r} in the config")
        chosen = channels or None
        added = app.add_watch(target, seconds, chosen, pages or 1, ignore, min_change, silence)
        added = replace(added, watch=app.label(added.watch, name, tags))
        show = times(app, tz)
    if as_json:
        emit_json(_added_json(added))
    else:
        _say_added(added, show)


def _added_json(added: Added) -> dict[str, object]:
    from watcher import serialize

    before = added.before.value if added.before is not None else None
    return {
        "watch": serialize.watch_json(added.watch),
        "before": before,  # how it stood if it existed: unscheduled, paused, removed, ...
        "followed": added.followed,
        "too_old": added.too_old,
    }


def _say_added(added: Added, times: Times) -> None:
    from watcher.controls import visible
    from watcher.detect import format_duration

    watch, target = added.watch, added.watch.target
    kind = f"{target.platform} account" if target.account else target.platform
    every = format_duration(watch.interval)
    called = f" ({visible(label(watch))})" if watch.name or watch.tags else ""
    was = _was(added, times)
    click.echo(f"watch {watch.id}{called}: {kind} {visible(target.url)} every {every}{was}")
    if added.followed or added.too_old:
        line = f"following {added.followed} of its recorded posts"
        if added.too_old:
            line += f"; {added.too_old} older than the follow window stay recorded, not followed"
        click.echo(line)


def _was(added: Added, times: Times) -> str:
    """What adding changed for a watch that existed."""
    from watcher.views import Schedule

    if added.before is None:
        return ""
    if added.before is Schedule.UNSCHEDULED:
        return " (kept by a check until now: scheduled, first check now)"
    if added.before in (Schedule.INTERVAL, Schedule.FOLLOW):
        return f" (updated: next check {times.at(added.watch.next_check_at)})"
    if added.before is Schedule.PAUSED:
        return " (was paused: scheduled again, first check now)"
    return " (scheduled again, first check now)"


def interval_seconds(text: str) -> float:
    from watcher.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from exc


@cli.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include removed watches.")
@click.option("--tag", "-t", default="", metavar="TAG", help="Only the watches tagged TAG.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def list_(
    show_all: bool, tag: str, as_json: bool, tz: str, config: str | None, db: str | None
) -> None:
    """The watches, with their state: those the daemon checks, those paused, and those
    one-off checks kept (unscheduled). --tag: those tagged so, and the posts such an account
    follows."""
    from watcher import serialize

    with open_app(config, db) as app:
        if tag:
            listed = app.tagged_listing(tag, include_removed=show_all)
        else:
            listed = app.listing(include_removed=show_all)
        show = times(app, tz)
    if as_json:
        emit_json([serialize.watch_json(i.watch) | {"schedule": i.schedule.value} for i in listed])
        return
    if not listed:
        hint = "no watches yet: `watcher add URL` (or `watcher check URL` once)"
        out_console().print(f"no watches tagged {tag!r}" if tag else hint)
        return
    _print_listing(listed, show)


def _print_listing(listed: Sequence[Listed], show: Times) -> None:
    """A row per watch, its URL under it."""
    from watcher.layout import Column, Row

    # Watches of one URL differ by what they read: shown when any listed watch has one.
    picks = any(i.watch.target.selector or i.watch.target.field for i in listed)
    labels = any(i.watch.name or i.watch.tags for i in listed)
    columns = [Column("id", right=True), *([Column("name", shrink=True)] if labels else [])]
    columns += [Column("platform"), Column("every"), Column("status")]
    columns += [Column(f"last check ({show.name})"), Column("versions", right=True)]
    if picks:
        columns.append(Column("reads", shrink=True))
    rows = []
    for item in listed:
        w = item.watch
        cells = [str(w.id), *([label(w)] if labels else [])]
        cells += [f"{w.target.platform} account" if w.target.account else w.target.platform]
        cells += [_every(item), w.state.status.value if w.state.status else "not checked"]
        cells += [show.short(w.last_checked_at), str(w.revisions)]
        rows.append(Row(tuple(cells + ([_picks(w)] if picks else [])), url=w.target.url))
    print_table(out_console(), columns, rows)


def label(w: Watch) -> str:
    """A watch's name and tags as lists show them: `Acme blog [news, ceo]`."""
    tags = f"[{', '.join(w.tags)}]" if w.tags else ""
    return " ".join(part for part in (w.name, tags) if part)


def _picks(w: Watch) -> str:
    """What a watch reads of its URL: `selector CSS`, `field PATH`, or nothing."""
    if w.target.selector:
        return f"selector {w.target.selector}"
    return f"field {w.target.field}" if w.target.field else ""


def _every(item: Listed) -> str:
    from watcher.detect import format_duration
    from watcher.views import Schedule

    w = item.watch
    labels = {
        Schedule.INTERVAL: format_duration(w.interval),
        Schedule.FOLLOW: f"by account {w.parent_id}",  # the account's follow schedule
        Schedule.UNSCHEDULED: "unscheduled",  # kept by a one-off check
        Schedule.ENDED: "ended",  # past the follow window
        Schedule.REMOVED: "removed",
        Schedule.PAUSED: "paused",  # `watcher resume` checks it again
    }
    return labels[item.schedule]


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--purge", is_flag=True, help="Also delete its stored versions and events.")
@click.option("--yes", "-y", is_flag=True, help="With --purge: delete without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@common_options
def remove(
    ref: str, purge: bool, yes: bool, as_json: bool, config: str | None, db: str | None
) -> None:
    """Stop watching a watch (its history is kept unless --purge, which asks first)."""
    with open_app(config, db) as app:
        watch = app.watch(ref)
        if purge and not yes:
            _confirm_purge(watch)
        versions = app.remove(watch.id, purge)
    kept = counted(versions, "version")
    if as_json:
        emit_json({"id": watch.id, "url": watch.target.url, "purged": purge, "versions": versions})
    elif purge:
        click.echo(f"watch {watch.id} deleted with its {kept}")
    else:
        click.echo(f"watch {watch.id} stopped; its {kept} {'is' if versions == 1 else 'are'} kept")


def _confirm_purge(watch: Watch) -> None:
    """Ask before deleting evidence; without a terminal to ask on, refuse (--yes says it)."""
    from watcher.controls import visible

    if not _interactive():
        raise UsageError("--purge deletes stored versions and events for good: add --yes")
    posts = " and the posts it discovered" if watch.target.account else ""
    question = (
        f"Delete watch {watch.id} ({visible(watch.target.url)}) with its "
        f"{counted(watch.revisions, 'stored version')} and events{posts}? This cannot be undone"
    )
    if not click.confirm(question, default=False, err=True):
        click.echo("nothing deleted", err=True)
        raise click.exceptions.Exit(1)


def _interactive() -> bool:
    """Whether someone can answer a question: stdin is a terminal."""
    import sys

    return sys.stdin.isatty()
