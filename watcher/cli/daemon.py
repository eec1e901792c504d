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
    from rich.console import Console

    from watcher.model import Delivery, Watch


@cli.command()
@click.option("--once", is_flag=True, help="Check what is due, send alerts, exit (for cron).")
@click.option("--all", "everything", is_flag=True, help="With --once: check every watch now.")
@click.option("--verbose", "-v", is_flag=True, help="Log every check.")
@common_options
def run(once: bool, everything: bool, verbose: bool, config: str | None, db: str | None) -> None:
    """Run the daemon: check watches on schedule and send alerts, until SIGTERM/SIGINT."""
    from watcher.notify import Notifier
    from watcher.outbox import Outbox
    from watcher.scheduler import Daemon

    if everything and not once:
        raise UsageError("--all goes with --once")
    setup_logging(verbose)
    with open_app(config, db) as app:
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
@common_options
def notify_test(channel: str, config: str | None, db: str | None) -> None:
    """Send a test message to CHANNEL (a [[channels]] name in the config)."""
    from watcher.config import load_settings
    from watcher.masking import mask
    from watcher.notify import Notifier
    from watcher.outbox import send_test

    settings = load_settings(config)
    chosen = settings.channel(channel)
    if chosen is None:
        known = ", ".join(c.name for c in settings.channels) or "none configured"
        raise UsageError(f"no channel {channel!r} in the config (known: {known})")
    send_test(Notifier(), chosen)
    click.echo(f"test message sent to {channel} ({mask(chosen.url)})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
def status(as_json: bool, config: str | None, db: str | None) -> None:
    """Each watch's state, last and next check, last error; and undelivered alerts."""
    from rich.table import Table

    from watcher import console as show
    from watcher import serialize

    with open_app(config, db) as app:
        watches = app.store.list_watches()
        undelivered = app.store.undelivered()
    if as_json:
        emit_json(
            {
                "watches": [serialize.watch_json(w) for w in watches],
                "undelivered": [serialize.delivery_json(d) for d in undelivered],
            }
        )
        return
    out = out_console()
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
@common_options
def deliveries(retry: bool, as_json: bool, config: str | None, db: str | None) -> None:
    """Alerts not delivered yet (pending or dead)."""
    from watcher import serialize
    from watcher.notify import Notifier
    from watcher.outbox import Outbox

    with open_app(config, db) as app:
        if retry:
            count = app.store.retry_deliveries(app.clock())
            report = Outbox(app.store, Notifier(), app.settings, app.clock).drain(limit=count or 1)
            click.echo(
                f"retried {count}: {report.sent} sent, {report.retrying + report.dead} failed"
            )
        undelivered = app.store.undelivered()
    if as_json:
        emit_json([serialize.delivery_json(d) for d in undelivered])
        return
    _print_undelivered(out_console(), undelivered)


def _print_undelivered(out: Console, undelivered: list[Delivery]) -> None:
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
    import logging

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per request is noise; watcher logs each check itself.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected when a drain is kicked early.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
