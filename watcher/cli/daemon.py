"""Commands about the daemon and alerts: run, notify-test, status, deliveries."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from watcher.cli.base import (
    cli,
    common_options,
    emit_json,
    open_app,
    out_console,
)
from watcher.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from watcher.model import Delivery, Watch
    from watcher.views import StatusPage, Summary

STATUS_PAGE = 50  # watches `watcher status` lists unless --limit


@cli.command()
@click.option("--once", is_flag=True, help="Check what is due, send alerts, exit (for cron).")
@click.option("--all", "everything", is_flag=True, help="With --once: check every watch now.")
@click.option("--verbose", "-v", is_flag=True, help="Log every check.")
@common_options
def run(once: bool, everything: bool, verbose: bool, config: str | None, db: str | None) -> None:
    """Run the daemon: check watches on schedule and send alerts, until SIGTERM/SIGINT."""
    from watcher.notify import Notifier
    from watcher.scheduler import Daemon

    if everything and not once:
        raise UsageError("--all goes with --once")
    setup_logging(verbose)
    with open_app(config, db, deliver=True) as app:
        report = app.sync_config(spread=not once)
        if report.added or report.changed or report.disabled:
            click.echo(
                f"config watches: {report.added} added, {report.changed} changed, "
                f"{report.disabled} disabled",
                err=True,
            )
        daemon = Daemon(app, app.outbox(Notifier()))
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
def status(limit: int, offset: int, as_json: bool, config: str | None, db: str | None) -> None:
    """How the watches stand (counts), then a page of them with their last and next check and
    last error; and the undelivered alerts."""
    from watcher import serialize

    with open_app(config, db) as app:
        page = app.status_page(limit, offset)
    if as_json:
        emit_json(
            {
                "summary": _summary_json(page.summary),
                "watches": [serialize.watch_json(w) for w in page.watches],
                "undelivered": [serialize.delivery_json(d) for d in page.undelivered],
                "limit": page.limit,
                "offset": page.offset,
            }
        )
        return
    out = out_console()
    out.print(_summary_line(page.summary))
    _print_watches(out, page)
    _print_undelivered(out, page.undelivered, page.undelivered_total)


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


def _print_watches(out: Console, page: StatusPage) -> None:
    """The page's table, then where it stands among all enabled watches and how to see the
    next page."""
    from rich.table import Table

    from watcher import console as show

    enabled, shown = page.summary.enabled, len(page.watches)
    if not shown:
        if page.offset and enabled:
            out.print(f"no watches after the first {page.offset} ({enabled} enabled)")
        else:
            out.print("no watches yet: `watcher add URL`")
        return
    table = Table("id", "url", "status", "last check", "next check", "problem")
    for w in page.watches:
        table.add_row(
            str(w.id),
            show.inert(w.target.url),
            w.state.status.value if w.state.status else "not checked",
            show.when(w.last_checked_at),
            show.when(w.next_check_at),
            show.inert(_problem(w)),
        )
    out.print(table)
    if not page.offset and not page.remaining:
        return  # every enabled watch is on this page
    span = f"watches {page.offset + 1}–{page.offset + shown} of {enabled} enabled"
    if not page.remaining:
        out.print(span)
        return
    more = f"--offset {page.offset + shown}"
    if page.limit != STATUS_PAGE:
        more += f" --limit {page.limit}"
    out.print(f"{span}; {page.remaining} more: `watcher status {more}`")


def _problem(w: Watch) -> str:
    if not w.state.fail_streak:
        return ""
    return f"{w.state.fail_streak} failed check(s), backing off: {w.last_error}"


@cli.command()
@click.option("--retry", is_flag=True, help="Send every pending or dead alert now.")
@click.option(
    "--drop", "drop", type=int, multiple=True, metavar="ID", help="Delete this alert (repeat)."
)
@click.option("--dead", is_flag=True, help="Delete every dead alert.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
@click.pass_context
def deliveries(
    ctx: click.Context,
    retry: bool,
    drop: tuple[int, ...],
    dead: bool,
    as_json: bool,
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
            say(f"dropped {app.drop_deliveries(drop)} alert(s)")
        if dead:
            say(f"dropped {app.drop_dead()} dead alert(s)")
        if retry:
            retried = app.retry_deliveries(Notifier())
            report = retried.report
            failed = report.retrying + report.dead
            say(f"retried {retried.count}: {report.sent} sent, {failed} failed")
            if retried.retired:
                say(
                    f"{retried.retired} alert(s) to channels no longer in the config retired "
                    "(`watcher deliveries --dead` drops them)"
                )
        undelivered = app.undelivered()
    if as_json:
        emit_json([serialize.delivery_json(d) for d in undelivered])
    else:
        _print_undelivered(out_console(), undelivered)
    ctx.exit(1 if failed else 0)


def _print_undelivered(out: Console, undelivered: Sequence[Delivery], total: int = 0) -> None:
    """The alerts listed, under how many there are in all (`total`, when only the oldest are
    listed)."""
    from rich.table import Table

    from watcher import console as show
    from watcher.model import DeliveryState

    if not undelivered:
        out.print("all alerts delivered")
        return
    table = Table("alert", "channel", "event", "watch", "state", "attempts", "next try", "error")
    for d in undelivered:
        table.add_row(
            str(d.id),
            show.inert(d.channel),
            d.event.kind.value,
            str(d.watch.id),
            d.state.value,
            str(d.attempts),
            show.when(d.next_attempt_at) if d.state is DeliveryState.PENDING else "—",
            show.inert(d.last_error),
        )
    total = max(total, len(undelivered))
    out.print(f"{total} undelivered alert(s)")
    out.print(table)
    if total > len(undelivered):
        out.print(f"the oldest {len(undelivered)} shown; `watcher deliveries` lists them all")


def setup_logging(verbose: bool) -> None:
    import logging

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per request is noise; watcher logs each check itself.
    for noisy in ("aiohttp", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
