"""The command line. Thin: parse, call the app, print, map outcomes to exit codes.

Exit codes: 0 first snapshot or unchanged · 1 change recorded (edited, deleted, restored)
· 2 usage or config error · 3 could not observe (failed, blocked, rate-limited, broken).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from watcher import console as show
from watcher.app import App, CheckResult
from watcher.config import load_settings, parse_duration
from watcher.detect import format_duration
from watcher.differ import diff_texts
from watcher.errors import UsageError, WatcherError
from watcher.model import Post, Revision, Status, StoredEvent, Watch

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_UNOBSERVED = 0, 1, 2, 3
UNOBSERVED = frozenset(
    {
        Status.FAILED,
        Status.BLOCKED,
        Status.RATE_LIMITED,
        Status.BROKEN,
        Status.HIDDEN,
        Status.UNCONFIRMED,
    }
)
F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Turns every `WatcherError` into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WatcherError as exc:
            click.echo(f"watcher: error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


def _common(func: F) -> F:
    func = click.option("--config", "-c", "config", metavar="FILE", help="Config file (TOML).")(
        func
    )
    return click.option("--db", metavar="URL|PATH", help="Database URL or SQLite path.")(func)


def _open_app(config: str | None, db: str | None) -> App:
    return App(load_settings(config), db or "")


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _emit_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="watcher")
def cli() -> None:
    """Watch public posts; know when one is edited, deleted or restored."""


@cli.command()
@click.argument("url")
@click.option("--platform", "-p", default="", help="Platform name (default: from the URL).")
@click.option("--selector", "-s", default="", metavar="CSS", help="web: element whose text counts.")
@click.option("--field", "-f", default="", metavar="PATH", help="json: dotted path to the text.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_common
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
    with _open_app(config, db) as app:
        target = app.target(url, platform, selector, field)
        watch = app.store.find_watch(target) or app.store.ensure_watch(
            target, app.settings.default_interval, app.clock(), enable=False
        )
        result = app.check_once(watch, confirm_now=True)
    if as_json:
        _emit_json(_result_json(result))
    else:
        _print_result(_out(), result)
    ctx.exit(_exit_code(result))


def _exit_code(result: CheckResult) -> int:
    if result.status in UNOBSERVED:
        return EXIT_UNOBSERVED
    return EXIT_CHANGED if result.changed else EXIT_OK


def _print_result(out: Console, result: CheckResult) -> None:
    target = result.watch.target
    if result.status in (Status.DELETED, Status.REMOVED) and not result.changed:
        since = show.when(result.watch.state.gone_since)
        out.print(show.status_text(result.status, f"still gone (first gone signal {since})"))
    else:
        out.print(show.status_text(result.status, result.reason))
    post = result.post or result.previous
    if post is None:
        out.print(f"{target.platform} · {target.url}", style="dim")
        return
    out.print(show.post_header(post, target.platform))
    if result.status in (Status.DELETED, Status.REMOVED):
        out.print("Last stored text:", style="dim")
    if result.diff is not None:
        out.print(show.diff_text(result.diff, marks=_marks(out)))
    else:
        out.print(show.post_body(post))
    out.print(f"watch {result.watch.id} · revision {result.revision} · {post.url}", style="dim")


def _marks(out: Console) -> bool:
    return not out.is_terminal or out.no_color


def _result_json(result: CheckResult) -> dict[str, Any]:
    gone = result.status in (Status.DELETED, Status.REMOVED)
    post = result.post or (result.previous if gone else None)
    return {
        "watch_id": result.watch.id,
        "url": result.watch.target.url,
        "platform": result.watch.target.platform,
        "status": result.status.value,
        "revision": result.revision or None,
        "post": _post_json(post) if post else None,
        "diff": [[op, text] for op, text in result.diff] if result.diff is not None else None,
        "reason": result.reason or None,
    }


def _post_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "url": post.url,
        "author": post.author or None,
        "created_at": post.created_at.isoformat() if post.created_at else None,
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "title": post.title or None,
        "text": post.text,
        "metrics": dict(post.metrics),
    }


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_common
def history(ref: str, as_json: bool, config: str | None, db: str | None) -> None:
    """Every stored version and event of a watch, newest first."""
    with _open_app(config, db) as app:
        watch = app.store.resolve(ref)
        revisions = app.store.revisions(watch.id)
        events = app.store.events(watch.id)
    if as_json:
        _emit_json(
            {
                "watch": _watch_json(watch),
                "revisions": [_revision_json(r) for r in revisions],
                "events": [_event_json(e) for e in events],
            }
        )
        return
    out = _out()
    out.print(f"watch {watch.id} · {watch.target.platform} · {watch.target.url}", style="bold")
    out.print(f"{len(revisions)} versions, {len(events)} events", style="dim")
    by_number = {r.number: r for r in revisions}
    for event in events:
        line = f"{show.when(event.at)}  {event.kind.value:<9}"
        if event.previous:
            line += f" rev {event.previous} → {event.revision}"
        elif event.revision:
            line += f" rev {event.revision}"
        if event.detail:
            line += f"  ({event.detail})"
        out.print(line)
        revision = by_number.get(event.revision or 0)
        if revision and event.kind.value in ("new", "edited", "restored"):
            out.print("    " + _preview(revision.post.document), style="dim")


def _preview(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@cli.command()
@click.argument("ref", metavar="URL-OR-ID")
@click.argument("rev_a", type=int, required=False)
@click.argument("rev_b", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_common
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
    with _open_app(config, db) as app:
        watch = app.store.resolve(ref)
        if watch.revisions < 1 or (rev_a is None and watch.revisions < 2):
            raise UsageError(f"watch {watch.id} has {watch.revisions} stored version(s)")
        new_number = rev_b if rev_b is not None else watch.revisions
        old_number = rev_a if rev_a is not None else new_number - 1
        old = app.store.revision(watch.id, old_number)
        new = app.store.revision(watch.id, new_number)
    ops = diff_texts(old.post.document, new.post.document)
    if as_json:
        _emit_json({"watch_id": watch.id, "from": old.number, "to": new.number, "diff": ops})
        return
    out = _out()
    out.print(
        f"watch {watch.id} · rev {old.number} ({show.when(old.observed_at)}) → "
        f"rev {new.number} ({show.when(new.observed_at)})",
        style="bold",
    )
    out.print(show.diff_text(ops, marks=_marks(out)))


@cli.command()
@click.argument("url")
@click.option("--interval", "-i", default="", help="How often to check, e.g. 30s, 10m, 1h.")
@click.option("--platform", "-p", default="", help="Platform name (default: from the URL).")
@click.option("--selector", "-s", default="", metavar="CSS", help="web: element whose text counts.")
@click.option("--field", "-f", default="", metavar="PATH", help="json: dotted path to the text.")
@_common
def add(
    url: str,
    interval: str,
    platform: str,
    selector: str,
    field: str,
    config: str | None,
    db: str | None,
) -> None:
    """Add URL to the watches the daemon checks."""
    with _open_app(config, db) as app:
        seconds = _interval(interval) if interval else app.settings.default_interval
        target = app.target(url, platform, selector, field)
        watch = app.store.ensure_watch(target, seconds, app.clock(), enable=True)
    click.echo(
        f"watch {watch.id}: {target.platform} {target.url} every {format_duration(watch.interval)}"
    )


def _interval(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"--interval: {exc}") from exc


@cli.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include removed and check-only watches.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_common
def list_(show_all: bool, as_json: bool, config: str | None, db: str | None) -> None:
    """The watches, with their state."""
    with _open_app(config, db) as app:
        watches = app.store.list_watches(include_disabled=show_all)
    if as_json:
        _emit_json([_watch_json(w) for w in watches])
        return
    table = Table("id", "platform", "url", "every", "status", "last check", "versions")
    for w in watches:
        every = format_duration(w.interval) if w.enabled else "—"
        status = w.state.status.value if w.state.status else "not checked"
        table.add_row(
            str(w.id),
            w.target.platform,
            w.target.url,
            every,
            status,
            show.when(w.last_checked_at),
            str(w.revisions),
        )
    _out().print(table if watches else "no watches yet: `watcher add URL`")


@cli.command()
@click.argument("watch_id", type=int)
@click.option("--purge", is_flag=True, help="Also delete its stored versions and events.")
@_common
def remove(watch_id: int, purge: bool, config: str | None, db: str | None) -> None:
    """Stop watching WATCH_ID (its history is kept unless --purge)."""
    with _open_app(config, db) as app:
        if purge:
            gone = app.store.purge_watch(watch_id)
            click.echo(f"watch {watch_id} deleted with {gone} stored version(s)")
        else:
            watch = app.store.disable_watch(watch_id)
            click.echo(f"watch {watch_id} stopped; its {watch.revisions} version(s) are kept")


def _watch_json(w: Watch) -> dict[str, Any]:
    return {
        "id": w.id,
        "url": w.target.url,
        "platform": w.target.platform,
        "selector": w.target.selector or None,
        "field": w.target.field or None,
        "interval": w.interval,
        "enabled": w.enabled,
        "status": w.state.status.value if w.state.status else None,
        "presence": w.state.presence.value,
        "last_checked_at": w.last_checked_at.isoformat() if w.last_checked_at else None,
        "next_check_at": w.next_check_at.isoformat(),
        "last_error": w.last_error or None,
        "revisions": w.revisions,
        "metrics": dict(w.metrics),
    }


def _revision_json(r: Revision) -> dict[str, Any]:
    return {
        "number": r.number,
        "observed_at": r.observed_at.isoformat(),
        "hash": r.content_hash,
        "post": _post_json(r.post),
    }


def _event_json(e: StoredEvent) -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "at": e.at.isoformat(),
        "revision": e.revision,
        "previous": e.previous,
        "detail": e.detail or None,
    }


def main() -> None:
    cli(prog_name="watcher")


if __name__ == "__main__":
    main()
