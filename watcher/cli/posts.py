"""Commands about what a post did: check, history, diff."""

from __future__ import annotations

import contextlib
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
    print_table,
    target_options,
    times,
    tz_option,
)
from watcher.words import counted

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from contextlib import AbstractContextManager
    from datetime import datetime

    from rich.console import Console
    from rich.text import Text

    from watcher.app import CheckResult
    from watcher.console import Times
    from watcher.model import StoredEvent
    from watcher.views import History


@cli.command()
@click.argument("url")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@tz_option
@common_options
@click.pass_context
def check(
    ctx: click.Context,
    url: str,
    platform: str,
    selector: str,
    field: str,
    as_json: bool,
    tz: str,
    config: str | None,
    db: str | None,
) -> None:
    """Check URL once, store what changed, and print it. What a first check saw is kept
    (`list` shows it as unscheduled; `add` schedules it); a check that saw nothing keeps
    nothing."""
    from watcher import serialize

    with open_app(config, db) as app:
        target = app.target(url, platform, selector, field)
        watch = app.watch_for(target)
        with _waiting(f"checking {target.url}"):
            result = app.check_once(watch, confirm_now=True)
        kept = not app.forget_unseen(result.watch)
        show = times(app, tz)
    if as_json:
        emit_json(serialize.result_json(result, kept))
    else:
        _print_result(out_console(), result, show, kept)
    ctx.exit(_exit_code(result))


def _waiting(label: str) -> AbstractContextManager[None]:
    """A spinner on stderr while the check waits, when stderr is a terminal; on a pipe or a
    file, nothing (and no terminal library loaded for it)."""
    import sys

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from watcher.console import waiting

    return waiting(label)


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


def _print_result(out: Console, result: CheckResult, times: Times, kept: bool = True) -> None:
    from watcher import console as show
    from watcher.model import Status

    target = result.watch.target
    if not kept:
        out.print(show.status_text(result.status, result.reason))
        out.print(show.inert(f"{target.platform} · {target.url}", style="dim"))
        out.print("nothing seen, so nothing kept (no watch)", style="dim")
        return
    if target.account:
        _print_account(out, result, times)
        return
    if result.status in (Status.DELETED, Status.REMOVED) and not result.changed:
        since = times.at(result.watch.state.gone_since)
        out.print(show.status_text(result.status, f"still gone (first gone signal {since})"))
    else:
        out.print(show.status_text(result.status, result.reason))
    for said in show.quoted_lines(result.events):
        out.print(said)
    post = result.post or result.previous
    if post is None:
        out.print(show.inert(f"{target.platform} · {target.url}", style="dim"))
        return
    out.print(show.post_header(post, target.platform, times))
    if result.status in (Status.DELETED, Status.REMOVED):
        out.print("Last stored text:", style="dim")
    if result.diff is not None:
        out.print(show.diff_text(result.diff, marks=marks(out)))
    else:
        out.print(show.post_body(post))
    line = f"watch {result.watch.id} · revision {result.revision} · {post.url}"
    out.print(show.inert(line, style="dim"))


def _print_account(out: Console, result: CheckResult, times: Times) -> None:
    from watcher import console as show

    account = result.watch
    name = result.post.text if result.post else account.target.url
    out.print(show.status_text(result.status, result.reason))
    platform = account.target.platform
    listed = f"{result.listed} post{'' if result.listed == 1 else 's'} listed"
    out.print(show.inert(f"{platform} account {name} · {listed}"))
    _print_posts(out, result, times)
    if result.discovered and not account.enabled:
        add = f"`watcher add {account.target.url}`"
        hint = f"a one-off check records posts without following them: {add} follows them"
        out.print(show.inert(hint, style="dim"))
    out.print(f"watch {account.id} · `watcher stats {account.id}`", style="dim")


def _print_posts(out: Console, result: CheckResult, times: Times) -> None:
    """The posts an account check found new, and those missing from its timeline."""
    from watcher.layout import Column, Row

    if not result.discovered and not result.suspects:
        return
    # Only a scheduled account follows its posts; a one-off check records them.
    unfollowed = "too old to follow" if result.watch.enabled else "not followed"
    rows = [
        Row(
            ("new", str(post.id), times.short(post.posted_at)),
            url=post.target.url,
            note="" if post.enabled else unfollowed,
        )
        for post in result.discovered
    ]
    for suspect in result.suspects:
        w = suspect.watch
        said = suspect.status.value + (f": {suspect.reason}" if suspect.reason else "")
        rows.append(Row(("missing", str(w.id), times.short(w.posted_at)), w.target.url, said))
    columns = (Column("post"), Column("watch", right=True), Column(f"posted ({times.name})"))
    print_table(out, columns, rows)


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def history(ref: str, as_json: bool, tz: str, config: str | None, db: str | None) -> None:
    """Every stored version and event of a watch, newest first, each with what changed."""
    from watcher import serialize

    with open_app(config, db) as app:
        found = app.history(ref)
        show = times(app, tz)
    if as_json:
        emit_json(
            {
                "watch": serialize.watch_json(found.watch),
                "revisions": [serialize.revision_json(r) for r in found.revisions],
                "events": [serialize.event_json(e) for e in found.events],
                "metrics": [{"at": at.isoformat(), "values": v} for at, v in found.samples],
            }
        )
        return
    _print_history(out_console(), found, show)


def _print_history(out: Console, found: History, times: Times) -> None:
    from rich.text import Text

    from watcher import console as show

    watch, revisions, events = found.watch, found.revisions, found.events
    header = f"watch {watch.id} · {watch.target.platform} · {watch.target.url}"
    out.print(show.inert(header, style="bold"))
    out.print(f"{counted(len(revisions), 'version')}, {counted(len(events), 'event')}", style="dim")
    if found.samples:
        out.print(show.inert(_counters(found.samples), style="dim"))
    by_number = {r.number: r.post.document for r in revisions}
    for event in events:
        line = f"{times.at(event.at)}  {event.kind.value:<9}"
        if event.previous:
            line += f" rev {event.previous} → {event.revision}"
        elif event.revision:
            line += f" rev {event.revision}"
        if event.detail:
            line += f"  ({event.detail})"
        out.print(show.inert(line))
        preview = _preview(event, by_number, marks(out))
        if preview is not None:
            # One line on a terminal, cut with "…"; a pipe gets it whole.
            shown = Text("    ").append_text(preview)
            if out.soft_wrap:
                out.print(shown)
            else:
                out.print(shown, no_wrap=True, overflow="ellipsis")


def _preview(event: StoredEvent, texts: Mapping[int, str], marks: bool) -> Text | None:
    """What an event's version says: an edit's first change, a new or restored text's start."""
    from watcher import console as show
    from watcher.differ import diff_texts

    text = texts.get(event.revision or 0)
    if text is None or event.kind.value not in ("new", "edited", "restored"):
        return None
    old = texts.get(event.previous or 0)
    if event.kind.value == "edited" and old is not None:
        return show.first_change(diff_texts(old, text), marks)
    return show.text_preview(text)


def _counters(samples: Sequence[tuple[datetime, dict[str, int]]]) -> str:
    """One line: each counter's first and latest value, e.g. `likes 12 → 3,400`."""
    first, last = samples[0][1], samples[-1][1]
    moves = [f"{name} {first.get(name, 0):,} → {value:,}" for name, value in sorted(last.items())]
    return f"counters ({counted(len(samples), 'sample')}): " + ", ".join(moves)


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.argument("rev_a", type=int, required=False)
@click.argument("rev_b", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def diff(
    ref: str,
    rev_a: int | None,
    rev_b: int | None,
    as_json: bool,
    tz: str,
    config: str | None,
    db: str | None,
) -> None:
    """Word-level diff between two versions (default: the last two; REV_A alone: against the
    newest)."""
    from watcher import console as show
    from watcher.differ import diff_texts

    with open_app(config, db) as app:
        versions = app.versions(ref, rev_a, rev_b)
        when = times(app, tz).at
    watch, old, new = versions.watch, versions.old, versions.new
    ops = diff_texts(old.post.document, new.post.document)
    if as_json:
        emit_json({"watch_id": watch.id, "from": old.number, "to": new.number, "diff": ops})
        return
    out = out_console()
    out.print(
        f"watch {watch.id} · rev {old.number} ({when(old.observed_at)}) → "
        f"rev {new.number} ({when(new.observed_at)})",
        style="bold",
    )
    out.print(show.diff_text(ops, marks=marks(out)))
