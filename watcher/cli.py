"""The command line. Thin: parse, call the app, print, map outcomes to exit codes.

Exit codes: 0 first snapshot or unchanged · 1 change recorded (edited, deleted, restored)
· 2 usage or config error · 3 could not observe (failed, blocked, rate-limited, broken).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from watcher import console as show
from watcher import serialize
from watcher.app import App, CheckResult
from watcher.config import load_settings, parse_duration
from watcher.detect import format_duration
from watcher.differ import diff_texts
from watcher.errors import UsageError, WatcherError
from watcher.model import Delivery, DeliveryState, Status, Watch
from watcher.notify import Notifier, mask
from watcher.outbox import Outbox, send_test
from watcher.scheduler import Daemon

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
        _emit_json(serialize.result_json(result))
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
                "watch": serialize.watch_json(watch),
                "revisions": [serialize.revision_json(r) for r in revisions],
                "events": [serialize.event_json(e) for e in events],
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
@click.option(
    "--channel", "channels", multiple=True, metavar="NAME", help="Alert this channel (repeat)."
)
@_common
def add(
    url: str,
    interval: str,
    platform: str,
    selector: str,
    field: str,
    channels: tuple[str, ...],
    config: str | None,
    db: str | None,
) -> None:
    """Add URL to the watches the daemon checks (alerts go to every channel unless --channel)."""
    with _open_app(config, db) as app:
        seconds = _interval(interval) if interval else app.settings.default_interval
        target = app.target(url, platform, selector, field)
        for name in channels:
            if app.settings.channel(name) is None:
                raise UsageError(f"--channel: no channel {name!r} in the config")
        chosen = channels or None
        watch = app.store.ensure_watch(target, seconds, app.clock(), True, chosen)
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
        _emit_json([serialize.watch_json(w) for w in watches])
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


@cli.command()
@click.option("--once", is_flag=True, help="Check what is due, send alerts, exit (for cron).")
@click.option("--all", "everything", is_flag=True, help="With --once: check every watch now.")
@click.option("--verbose", "-v", is_flag=True, help="Log every check.")
@_common
def run(once: bool, everything: bool, verbose: bool, config: str | None, db: str | None) -> None:
    """Run the daemon: check watches on schedule and send alerts, until SIGTERM/SIGINT."""
    if everything and not once:
        raise UsageError("--all goes with --once")
    setup_logging(verbose)
    with _open_app(config, db) as app:
        report = app.sync_config(spread=not once)
        if report.added or report.changed or report.disabled:
            click.echo(
                f"config watches: {report.added} added, {report.changed} changed, "
                f"{report.disabled} disabled",
                err=True,
            )
        daemon = Daemon(app, Outbox(app.store, Notifier(), app.settings, app.clock))
        if not once:
            daemon.run_forever()
            return
        result = daemon.run_once(everything)
    d = result.drained
    click.echo(
        f"checked {result.checked}: {result.changed} changed, {result.unobserved} not observed; "
        f"alerts: {d.sent} sent, {d.retrying} to retry, {d.dead} dead"
    )


@cli.command(name="notify-test")
@click.argument("channel")
@_common
def notify_test(channel: str, config: str | None, db: str | None) -> None:
    """Send a test message to CHANNEL (a [[channels]] name in the config)."""
    settings = load_settings(config)
    chosen = settings.channel(channel)
    if chosen is None:
        known = ", ".join(c.name for c in settings.channels) or "none configured"
        raise UsageError(f"no channel {channel!r} in the config (known: {known})")
    send_test(Notifier(), chosen)
    click.echo(f"test message sent to {channel} ({mask(chosen.url)})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_common
def status(as_json: bool, config: str | None, db: str | None) -> None:
    """Each watch's state, last and next check, last error; and undelivered alerts."""
    with _open_app(config, db) as app:
        watches = app.store.list_watches()
        undelivered = app.store.undelivered()
    if as_json:
        _emit_json(
            {
                "watches": [serialize.watch_json(w) for w in watches],
                "undelivered": [serialize.delivery_json(d) for d in undelivered],
            }
        )
        return
    out = _out()
    table = Table("id", "url", "status", "last check", "next check", "problem")
    for w in watches:
        table.add_row(
            str(w.id),
            w.target.url,
            w.state.status.value if w.state.status else "not checked",
            show.when(w.last_checked_at),
            show.when(w.next_check_at),
            _problem(w),
        )
    out.print(table if watches else "no watches yet: `watcher add URL`")
    _print_undelivered(out, undelivered)


def _problem(w: Watch) -> str:
    if not w.state.fail_streak:
        return ""
    return f"{w.state.fail_streak} failed check(s), backing off: {w.last_error}"


@cli.command()
@click.option("--retry", is_flag=True, help="Send every pending or dead alert now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_common
def deliveries(retry: bool, as_json: bool, config: str | None, db: str | None) -> None:
    """Alerts not delivered yet (pending or dead)."""
    with _open_app(config, db) as app:
        if retry:
            count = app.store.retry_deliveries(app.clock())
            report = Outbox(app.store, Notifier(), app.settings, app.clock).drain(limit=count or 1)
            click.echo(
                f"retried {count}: {report.sent} sent, {report.retrying + report.dead} failed"
            )
        undelivered = app.store.undelivered()
    if as_json:
        _emit_json([serialize.delivery_json(d) for d in undelivered])
        return
    _print_undelivered(_out(), undelivered)


def _print_undelivered(out: Console, undelivered: list[Delivery]) -> None:
    if not undelivered:
        out.print("all alerts delivered")
        return
    table = Table("alert", "channel", "event", "watch", "state", "attempts", "next try", "error")
    for d in undelivered:
        table.add_row(
            str(d.id),
            d.channel,
            d.event.kind.value,
            str(d.watch.id),
            d.state.value,
            str(d.attempts),
            show.when(d.next_attempt_at) if d.state is DeliveryState.PENDING else "—",
            d.last_error,
        )
    out.print(f"{len(undelivered)} undelivered alert(s)")
    out.print(table)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per request is noise; watcher logs each check itself.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected when a drain is kicked early.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


def main() -> None:
    cli(prog_name="watcher")


if __name__ == "__main__":
    main()
