"""Commands about the daemon and alerts: run, notify-test, status, deliveries."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import click

from watcher.cli.base import (
    cli,
    common_options,
    emit_json,
    open_app,
    out_console,
    print_table,
    times,
    tz_option,
)
from watcher.errors import UsageError
from watcher.words import counted

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from contextlib import AbstractContextManager

    from rich.console import Console

    from watcher.app import App
    from watcher.console import Times
    from watcher.model import Delivery, Watch
    from watcher.scheduler import PassReport, Progress
    from watcher.views import StatusPage, Summary

STATUS_PAGE = 50  # watches `watcher status` lists unless --limit


@cli.command()
@click.option("--once", is_flag=True, help="Check what is due, send alerts, exit (for cron).")
@click.option("--all", "everything", is_flag=True, help="With --once: check every watch now.")
@click.option("--json", "as_json", is_flag=True, help="With --once: print the summary as JSON.")
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Log unchanged checks too (changes and problems are always logged).",
)
@common_options
def run(
    once: bool,
    everything: bool,
    as_json: bool,
    verbose: bool,
    config: str | None,
    db: str | None,
) -> None:
    """Run the daemon: check watches on schedule and send alerts, until SIGTERM/SIGINT.
    It logs each change and each check that could not observe (and why) on stderr."""
    from watcher.notify import Notifier
    from watcher.scheduler import Daemon

    for flag, given in (("--all", everything), ("--json", as_json)):
        if given and not once:
            raise UsageError(f"{flag} goes with --once")
    terminal = sys.stderr.isatty()
    with daemon_logging(verbose), open_app(config, db, deliver=True) as app:
        # A cron pass (`--once`, stderr not a terminal) stays quiet unless something happens.
        if not once or verbose or terminal:
            _say_where(app, config, db)
        synced = app.sync_config(spread=not once)
        moved = {"added": synced.added, "changed": synced.changed, "disabled": synced.disabled}
        if any(moved.values()):
            shown = ", ".join(f"{count} {what}" for what, count in moved.items())
            click.echo(f"config watches: {shown}", err=True)
        daemon = Daemon(app, app.outbox(Notifier()))
        if not once:
            daemon.run_forever()
            return
        with _pass_progress(terminal) as progress:
            report = daemon.run_once(everything, progress)
    if as_json:
        emit_json(_pass_json(report) | {"config": moved})
    else:
        click.echo(_pass_line(report))


def _say_where(app: App, config: str | None, db: str | None) -> None:
    """Where this run reads and sends, a line each on stderr; a warning when alerts would go
    nowhere."""
    from watcher.cli.base import where_lines
    from watcher.config import database_url

    url = database_url(db, app.settings)
    for line in where_lines(url, config, app.settings.channels):
        click.echo(line, err=True)
    if not app.settings.channels:
        click.echo(
            "watcher: warning: no channels configured: alerts would go nowhere "
            "(add a [[channels]] table to the config)",
            err=True,
        )


def _pass_line(r: PassReport) -> str:
    """E.g. `checked 12: 2 new, 1 changed, 8 unchanged, 1 not observed; alerts: 1 sent, 0 to
    retry, 0 dead` (counts of none left out)."""
    counts = [(r.new, "new"), (r.changed, "changed"), (r.unchanged, "unchanged")]
    counts.append((r.unobserved, "not observed"))
    shown = ", ".join(f"{count} {what}" for count, what in counts if count)
    d = r.drained
    alerts = f"alerts: {d.sent} sent, {d.retrying} to retry, {d.dead} dead"
    return f"checked {r.checked}{': ' if shown else ''}{shown}; {alerts}"


def _pass_json(r: PassReport) -> dict[str, object]:
    d = r.drained
    return {
        "checked": r.checked,
        "new": r.new,
        "changed": r.changed,
        "unchanged": r.unchanged,
        "not_observed": r.unobserved,
        "alerts": {"sent": d.sent, "retrying": d.retrying, "dead": d.dead},
    }


def _pass_progress(terminal: bool) -> AbstractContextManager[Progress | None]:
    """`checked 340/1000` on a terminal while a pass runs; nothing on a pipe or a file (and
    no terminal library loaded)."""
    if not terminal:
        return contextlib.nullcontext()
    from watcher.console import counting

    return counting("checked")


@cli.command(name="notify-test")
@click.argument("channel")
@common_options
def notify_test(channel: str, config: str | None, db: str | None) -> None:
    """Send a test message to CHANNEL (a [[channels]] name in the config)."""
    from watcher.config import load_settings
    from watcher.masking import mask
    from watcher.notify import Notifier
    from watcher.outbox import send_test

    settings = load_settings(config, deliver=True)
    chosen = settings.channel(channel)
    if chosen is None:
        known = ", ".join(c.name for c in settings.channels) or "none configured"
        raise UsageError(f"no channel {channel!r} in the config (known: {known})")
    send_test(Notifier(), chosen)
    click.echo(f"test message sent to {channel} ({mask(chosen.url)})")


@cli.command()
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=STATUS_PAGE,
    show_default=True,
    help="Watches (and undelivered alerts) to list.",
)
@click.option(
    "--offset", type=click.IntRange(min=0), default=0, help="Watches to skip (they go by id)."
)
@click.option("--tag", "-t", default="", metavar="TAG", help="Only the watches tagged TAG.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
def status(
    limit: int,
    offset: int,
    tag: str,
    as_json: bool,
    tz: str,
    config: str | None,
    db: str | None,
) -> None:
    """How the watches stand (counts), then a page of them with their last and next check and
    last error; and the undelivered alerts. With --tag, the page lists the watches tagged so
    (and the posts such an account follows)."""
    from watcher import serialize

    with open_app(config, db) as app:
        page = app.tagged_status_page(tag, limit, offset) if tag else app.status_page(limit, offset)
        show = times(app, tz)
    if as_json:
        emit_json(
            {
                "summary": _summary_json(page.summary),
                "watches": [serialize.watch_json(w) for w in page.watches],
                "undelivered": [serialize.delivery_json(d) for d in page.undelivered],
                "limit": page.limit,
                "offset": page.offset,
            }
            | ({"tag": page.tag, "tagged": page.tagged} if page.tag else {})
        )
        return
    out = out_console()
    out.print(_summary_line(page.summary))
    _print_watches(out, page, show)
    _print_undelivered(out, page.undelivered, show, page.undelivered_total)


def _summary_line(s: Summary) -> str:
    """E.g. `12 watches (10 enabled): 8 unchanged, 1 edited, 1 failed; 1 failing; alerts: 2
    pending, 1 dead`."""
    from watcher.model import Status

    line = f"{s.watches} watch{'' if s.watches == 1 else 'es'} ({s.enabled} enabled)"
    counts = [f"{s.statuses[k]} {k.value}" for k in Status if s.statuses.get(k)]
    if s.statuses.get(None):
        counts.append(f"{s.statuses[None]} not checked")
    if counts:
        line += ": " + ", ".join(counts)
    if s.failing:
        line += f"; {s.failing} failing"
    return line + f"; alerts: {s.pending} pending, {s.dead} dead"


def _summary_json(s: Summary) -> dict[str, object]:
    from watcher.model import Status

    statuses = {k.value: s.statuses[k] for k in Status if s.statuses.get(k)}
    if s.statuses.get(None):
        statuses["not_checked"] = s.statuses[None]
    return {
        "watches": s.watches,
        "enabled": s.enabled,
        "failing": s.failing,
        "statuses": statuses,
        "pending": s.pending,
        "dead": s.dead,
    }


def _print_watches(out: Console, page: StatusPage, times: Times) -> None:
    """The page's table, then where it stands among all enabled watches and how to see the
    next page."""
    import shlex

    shown, tagged = len(page.watches), f" tagged {page.tag!r}" if page.tag else ""
    enabled = f"{page.total} enabled{tagged}"
    if not shown:
        if page.offset and page.total:
            out.print(f"no watches after the first {page.offset} ({enabled})")
        elif page.tag:
            every = f"watcher list --all --tag {shlex.quote(page.tag)}"
            out.print(f"no enabled watches{tagged}: `{every}` lists every one")
        else:
            out.print("no watches yet: `watcher add URL`")
        return
    _watch_table(out, page.watches, times)
    if not page.offset and not page.remaining:
        return  # every enabled watch is on this page
    span = f"watches {page.offset + 1}–{page.offset + shown} of {enabled}"
    if not page.remaining:
        out.print(span)
        return
    more = f"--offset {page.offset + shown}"
    if page.limit != STATUS_PAGE:
        more += f" --limit {page.limit}"
    if page.tag:
        more += f" --tag {shlex.quote(page.tag)}"
    out.print(f"{span}; {page.remaining} more: `watcher status {more}`")


def _watch_table(out: Console, watches: Sequence[Watch], times: Times) -> None:
    """A row per watch; its URL, and why it fails if it does, under it."""
    from watcher.cli.watches import label
    from watcher.layout import Column, Row

    labels = any(w.name or w.tags for w in watches)  # a column only when one has a label
    columns = [Column("id", right=True), *([Column("name", shrink=True)] if labels else [])]
    columns += [Column("status"), Column(f"last check ({times.name})"), Column("next check")]
    rows = [
        Row(
            (
                str(w.id),
                *([label(w)] if labels else []),
                w.state.status.value if w.state.status else "not checked",
                times.short(w.last_checked_at),
                times.short(w.next_check_at),
            ),
            url=w.target.url,
            note=_problem(w),
        )
        for w in watches
    ]
    print_table(out, columns, rows)


def _problem(w: Watch) -> str:
    if not w.state.fail_streak:
        return ""
    return f"{counted(w.state.fail_streak, 'failed check')}, backing off: {w.last_error}"


@cli.command()
@click.option("--retry", is_flag=True, help="Send every pending or dead alert now.")
@click.option(
    "--drop", "drop", type=int, multiple=True, metavar="ID", help="Delete this alert (repeat)."
)
@click.option("--dead", is_flag=True, help="Delete every dead alert.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@tz_option
@common_options
@click.pass_context
def deliveries(
    ctx: click.Context,
    retry: bool,
    drop: tuple[int, ...],
    dead: bool,
    as_json: bool,
    tz: str,
    config: str | None,
    db: str | None,
) -> None:
    """Alerts not delivered yet (pending or dead). --retry exits 1 if one fails again.
    Dropping an alert keeps its event in the history."""
    import functools

    from watcher import serialize
    from watcher.notify import Notifier

    failed = 0
    say = functools.partial(click.echo, err=as_json)  # stdout is the JSON's alone
    with open_app(config, db, deliver=True) as app:
        if drop:
            say(f"dropped {counted(app.drop_deliveries(drop), 'alert')}")
        if dead:
            say(f"dropped {counted(app.drop_dead(), 'dead alert')}")
        if retry:
            retried = app.retry_deliveries(Notifier())
            report = retried.report
            failed = report.retrying + report.dead
            say(f"retried {retried.count}: {report.sent} sent, {failed} failed")
            if retried.retired:
                retired = counted(retried.retired, "alert")
                say(
                    f"retired {retired} whose channel is no longer in the config "
                    "(`watcher deliveries --dead` drops dead alerts)"
                )
        undelivered = app.undelivered()
        show = times(app, tz)
    if as_json:
        emit_json([serialize.delivery_json(d) for d in undelivered])
    else:
        _print_undelivered(out_console(), undelivered, show)
    ctx.exit(1 if failed else 0)


def _print_undelivered(
    out: Console, undelivered: Sequence[Delivery], times: Times, total: int = 0
) -> None:
    """The alerts listed, under how many there are in all (`total`, when only the oldest are
    listed); each one's last error under its row."""
    from watcher.layout import Column, Row
    from watcher.model import DeliveryState

    if not undelivered:
        out.print("all alerts delivered")
        return
    columns = [Column("alert", right=True), Column("channel", shrink=True), Column("event")]
    columns += [Column("watch", right=True), Column("state"), Column("attempts", right=True)]
    columns.append(Column(f"next try ({times.name})"))
    rows = [
        Row(
            (
                str(d.id),
                d.channel,
                d.event.kind.value,
                str(d.watch.id),
                d.state.value,
                str(d.attempts),
                times.short(d.next_attempt_at) if d.state is DeliveryState.PENDING else "—",
            ),
            note=d.last_error,
        )
        for d in undelivered
    ]
    total = max(total, len(undelivered))
    out.print(counted(total, "undelivered alert"))
    print_table(out, columns, rows)
    if total > len(undelivered):
        out.print(f"the oldest {len(undelivered)} shown; `watcher deliveries` lists them all")


@contextlib.contextmanager
def daemon_logging(verbose: bool) -> Iterator[None]:
    """While `run` runs, log lines on stderr: watcher's changes and problems, and with
    `verbose` its unchanged checks and debug notes too; other libraries' warnings only (a
    line per request from urllib3 or aiohttp is noise, and apprise's debug lines hold
    payloads). Undone after, for a test runner's sake."""
    import logging

    handler = logging.StreamHandler(_Stderr())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root, ours = logging.getLogger(), logging.getLogger("watcher")
    levels = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    ours.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        ours.setLevel(levels[1])


class _Stderr:
    """Writes to whatever stderr is at the time: a progress display that takes it over
    prints each log line above itself."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()
