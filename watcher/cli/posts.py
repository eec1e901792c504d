"""Commands about posts: check, history, diff, add, list, remove."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from watcher.cli.base import (
    EXIT_CHANGED,
    EXIT_OK,
    EXIT_UNOBSERVED,
    cli,
    common_options,
    emit_json,
    marks,
    open_app,
    out_console,
)
from watcher.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from rich.console import Console

    from watcher.app import CheckResult

MAX_PAGES = 10  # more would be a crawl, not a watch


def _given(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An option's value, refused when typed but empty: `--field ""` or `--selector ""` would
    silently mean none at all, and watch something else than the user asked for."""
    from click.core import ParameterSource

    typed = ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE
    if typed and not value.strip():
        raise UsageError(f"{param.opts[0]} must not be empty")
    return value


@cli.command()
@click.argument("url")
@click.option("--platform", "-p", default="", help="Platform name (default: from the URL).")
@click.option(
    "--selector",
    "-s",
    default="",
    metavar="CSS",
    callback=_given,
    help="web: element whose text counts.",
)
@click.option(
    "--field",
    "-f",
    default="",
    metavar="PATH",
    callback=_given,
    help="json: dotted path to the text.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@common_options
@click.pass_context
def check(
    ctx: click.Context,
    url: str,
    platform: str,
    selector: str,
    field: str,
    as_json: bool,
    config: str | None,
    db: str | None,
) -> None:
    """Check URL once, store what changed, and print it."""
    from watcher import serialize

    with open_app(config, db) as app:
        target = app.target(url, platform, selector, field)
        watch = app.watch_for(target)
        result = app.check_once(watch, confirm_now=True)
    if as_json:
        emit_json(serialize.result_json(result))
    else:
        _print_result(out_console(), result)
    ctx.exit(_exit_code(result))


def _exit_code(result: CheckResult) -> int:
    from watcher.model import Status

    unobserved = {
        Status.FAILED,
        Status.BLOCKED,
        Status.RATE_LIMITED,
        Status.BROKEN,
        Status.HIDDEN,
        Status.UNCONFIRMED,
    }
    if result.status in unobserved:
        return EXIT_UNOBSERVED
    return EXIT_CHANGED if result.changed else EXIT_OK


def _print_result(out: Console, result: CheckResult) -> None:
    from watcher import console as show
    from watcher.model import Status

    target = result.watch.target
    if target.account:
        _print_account(out, result)
        return
    if result.status in (Status.DELETED, Status.REMOVED) and not result.changed:
        since = show.when(result.watch.state.gone_since)
        out.print(show.status_text(result.status, f"still gone (first gone signal {since})"))
    else:
        out.print(show.status_text(result.status, result.reason))
    post = result.post or result.previous
    if post is None:
        out.print(show.inert(f"{target.platform} · {target.url}", style="dim"))
        return
    out.print(show.post_header(post, target.platform))
    if result.status in (Status.DELETED, Status.REMOVED):
        out.print("Last stored text:", style="dim")
    if result.diff is not None:
        out.print(show.diff_text(result.diff, marks=marks(out)))
    else:
        out.print(show.post_body(post))
    line = f"watch {result.watch.id} · revision {result.revision} · {post.url}"
    out.print(show.inert(line, style="dim"))


def _print_account(out: Console, result: CheckResult) -> None:
    from watcher import console as show

    name = result.post.text if result.post else result.watch.target.url
    out.print(show.status_text(result.status, result.reason))
    platform = result.watch.target.platform
    out.print(show.inert(f"{platform} account {name} · {result.listed} posts listed"))
    for post in result.discovered:
        line = f"  new     watch {post.id} · posted {show.when(post.posted_at)} · {post.target.url}"
        out.print(show.inert(line if post.enabled else line + " (older than the follow window)"))
    for suspect in result.suspects:
        missing = f"  missing watch {suspect.watch.id} · {suspect.watch.target.url} → "
        out.print(show.inert(missing), end="")
        out.print(show.status_text(suspect.status, suspect.reason))
    out.print(f"watch {result.watch.id} · `watcher stats {result.watch.id}`", style="dim")


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
def history(ref: str, as_json: bool, config: str | None, db: str | None) -> None:
    """Every stored version and event of a watch, newest first."""
    from watcher import console as show
    from watcher import serialize

    with open_app(config, db) as app:
        found = app.history(ref)
    watch, revisions, events, samples = found.watch, found.revisions, found.events, found.samples
    if as_json:
        emit_json(
            {
                "watch": serialize.watch_json(watch),
                "revisions": [serialize.revision_json(r) for r in revisions],
                "events": [serialize.event_json(e) for e in events],
                "metrics": [{"at": at.isoformat(), "values": values} for at, values in samples],
            }
        )
        return
    out = out_console()
    header = f"watch {watch.id} · {watch.target.platform} · {watch.target.url}"
    out.print(show.inert(header, style="bold"))
    out.print(f"{len(revisions)} versions, {len(events)} events", style="dim")
    if samples:
        out.print(show.inert(_counters(samples), style="dim"))
    by_number = {r.number: r for r in revisions}
    for event in events:
        line = f"{show.when(event.at)}  {event.kind.value:<9}"
        if event.previous:
            line += f" rev {event.previous} → {event.revision}"
        elif event.revision:
            line += f" rev {event.revision}"
        if event.detail:
            line += f"  ({event.detail})"
        out.print(show.inert(line))
        revision = by_number.get(event.revision or 0)
        if revision and event.kind.value in ("new", "edited", "restored"):
            out.print(show.inert("    " + _preview(revision.post.document), style="dim"))


def _counters(samples: Sequence[tuple[datetime, dict[str, int]]]) -> str:
    """One line: each counter's first and latest value, e.g. `likes 12 → 3,400`."""
    first, last = samples[0][1], samples[-1][1]
    moves = [f"{name} {first.get(name, 0):,} → {value:,}" for name, value in sorted(last.items())]
    return f"counters ({len(samples)} samples): " + ", ".join(moves)


def _preview(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.argument("rev_a", type=int, required=False)
@click.argument("rev_b", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
def diff(
    ref: str,
    rev_a: int | None,
    rev_b: int | None,
    as_json: bool,
    config: str | None,
    db: str | None,
) -> None:
    """Word-level diff between two versions (default: the last two; REV_A alone: against the
    newest)."""
    from watcher import console as show
    from watcher.differ import diff_texts

    with open_app(config, db) as app:
        versions = app.versions(ref, rev_a, rev_b)
    watch, old, new = versions.watch, versions.old, versions.new
    ops = diff_texts(old.post.document, new.post.document)
    if as_json:
        emit_json({"watch_id": watch.id, "from": old.number, "to": new.number, "diff": ops})
        return
    out = out_console()
    out.print(
        f"watch {watch.id} · rev {old.number} ({show.when(old.observed_at)}) → "
        f"rev {new.number} ({show.when(new.observed_at)})",
        style="bold",
    )
    out.print(show.diff_text(ops, marks=marks(out)))


@cli.command()
@click.argument("url")
@click.option("--interval", "-i", default="", help="How often to check, e.g. 30s, 10m, 1h.")
@click.option("--platform", "-p", default="", help="Platform name (default: from the URL).")
@click.option(
    "--selector",
    "-s",
    default="",
    metavar="CSS",
    callback=_given,
    help="web: element whose text counts.",
)
@click.option(
    "--field",
    "-f",
    default="",
    metavar="PATH",
    callback=_given,
    help="json: dotted path to the text.",
)
@click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Alert this channel (repeat)."
)
@click.option(
    "--pages",
    type=click.IntRange(1, MAX_PAGES),
    default=None,
    help="Accounts: timeline pages read per check (default 1).",
)
@common_options
def add(
    url: str,
    interval: str,
    platform: str,
    selector: str,
    field: str,
    channels: tuple[str, ...],
    pages: int | None,
    config: str | None,
    db: str | None,
) -> None:
    """Add URL (a post, or a whole account: its profile URL, `@user@instance` or a feed) to
    the watches the daemon checks (alerts go to every channel unless --channel)."""
    from watcher.controls import visible
    from watcher.detect import format_duration

    with open_app(config, db) as app:
        seconds = _interval(interval) if interval else app.settings.default_interval
        target = app.target(url, platform, selector, field)
        if pages is not None and not target.account:
            raise UsageError("--pages applies to accounts; this URL is a single post")
        for name in channels:
            if app.settings.channel(name) is None:
                raise UsageError(f"--channel: no channel {name!r} in the config")
        chosen = channels or None
        watch = app.add_watch(target, seconds, chosen, pages or 1)
    kind = f"{target.platform} account" if target.account else target.platform
    every = format_duration(watch.interval)
    click.echo(f"watch {watch.id}: {kind} {visible(target.url)} every {every}")


def _interval(text: str) -> float:
    from watcher.config import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from exc


@cli.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include removed and check-only watches.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
def list_(show_all: bool, as_json: bool, config: str | None, db: str | None) -> None:
    """The watches, with their state."""
    from rich.table import Table

    from watcher import console as show
    from watcher import serialize
    from watcher.detect import format_duration

    with open_app(config, db) as app:
        watches = app.watches(include_disabled=show_all)
    if as_json:
        emit_json([serialize.watch_json(w) for w in watches])
        return
    table = Table("id", "platform", "url", "every", "status", "last check", "versions")
    for w in watches:
        every = format_duration(w.interval) if w.enabled else "—"
        if w.enabled and w.discovered:
            every = f"adaptive (account {w.parent_id})"
        status = w.state.status.value if w.state.status else "not checked"
        table.add_row(
            str(w.id),
            f"{w.target.platform} account" if w.target.account else w.target.platform,
            show.inert(w.target.url),
            every,
            status,
            show.when(w.last_checked_at),
            str(w.revisions),
        )
    out_console().print(table if watches else "no watches yet: `watcher add URL`")


@cli.command()
@click.argument("watch_id", type=int)
@click.option("--purge", is_flag=True, help="Also delete its stored versions and events.")
@common_options
def remove(watch_id: int, purge: bool, config: str | None, db: str | None) -> None:
    """Stop watching WATCH_ID (its history is kept unless --purge)."""
    with open_app(config, db) as app:
        versions = app.remove(watch_id, purge)
    if purge:
        click.echo(f"watch {watch_id} deleted with {versions} stored version(s)")
    else:
        click.echo(f"watch {watch_id} stopped; its {versions} version(s) are kept")
