"""`watcher doctor`: the setup in one screen — the config, the database, each channel's URL and
whether a daemon is running. It reads: it creates no database and sends nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import click

from watcher.cli.base import EXIT_CHANGED, EXIT_OK, EXIT_USAGE, cli, common_options, emit_json
from watcher.words import counted

if TYPE_CHECKING:
    from watcher.app import App
    from watcher.settings import Settings
    from watcher.views import Summary

# How a finding stands: fine, worth knowing, needs attention (exit 1), the config fails (exit 2).
OK, INFO, FIX, ERROR = "ok", "info", "fix", "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the screen: what was looked at, how it stands, what was found."""

    topic: str
    state: str  # OK, INFO, FIX or ERROR
    text: str


@cli.command()
@click.option("--deliver", is_flag=True, help="Also check each channel URL with apprise.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@common_options
@click.pass_context
def doctor(
    ctx: click.Context, deliver: bool, as_json: bool, config: str | None, db: str | None
) -> None:
    """Check the setup in one screen: the config, the database, each channel's URL, and
    whether a daemon is running. Exit 0: all is well; 1: something needs attention; 2: the
    config does not load. Creates nothing and sends nothing."""
    from watcher.controls import visible

    findings = examine(config, db, deliver)
    states = {f.state for f in findings}
    code = EXIT_USAGE if ERROR in states else EXIT_CHANGED if FIX in states else EXIT_OK
    if as_json:
        emit_json({"ok": code == EXIT_OK, "findings": [asdict(f) for f in findings]})
    else:
        for f in findings:
            click.echo(visible(f"{f.topic:<9}{f.state:<6}{f.text}"))
    ctx.exit(code)


def examine(config: str | None, db: str | None, deliver: bool) -> list[Finding]:
    """Every finding, in screen order; after a config that does not load, only that one (the
    database and channels depend on it)."""
    from watcher.config import database_url, load_settings
    from watcher.errors import ConfigError

    try:
        settings = load_settings(config)  # shapes only: `--deliver` asks apprise per channel
    except ConfigError as exc:
        return [Finding("config", ERROR, f"{exc} (nothing else checked)")]
    findings = [_config(config, settings)]
    url = database_url(db, settings)
    app = _open(settings, url, findings)
    if app is None:
        return [*findings, *_channels(settings, deliver, None)]
    with app:
        summary = _database(app, url, findings)
        findings += _channels(settings, deliver, summary)
        findings.append(_daemon(app))
    return findings


def _config(config: str | None, settings: Settings) -> Finding:
    from watcher.config import config_file, config_places

    file = config_file(config)
    if file is None:
        return Finding("config", INFO, f"none, defaults (looked for {config_places()})")
    channels = counted(len(settings.channels), "channel")
    counts = f"{channels}, {counted(len(settings.watches), 'watch', 'watches')}"
    return Finding("config", OK, f"{file} ({counts})")


def _open(settings: Settings, url: str, findings: list[Finding]) -> App | None:
    """The app over the database, or None (with a finding saying why): not created yet, or
    it cannot be opened. A database that does not exist is not made."""
    from watcher.app import App
    from watcher.cli.base import sqlite_file
    from watcher.errors import WatcherError

    file = sqlite_file(url)
    if file is not None and not file.exists():
        made = "`watcher add URL` or `watcher check URL` creates it"
        findings.append(Finding("database", INFO, f"{file} does not exist yet ({made})"))
        return None
    try:
        return App(settings, url)
    except WatcherError as exc:
        findings.append(Finding("database", FIX, str(exc)))
        return None


def _database(app: App, url: str, findings: list[Finding]) -> Summary | None:
    """The database's line, then its watches' and alerts' where they need attention."""
    from watcher.cli.base import shown_db
    from watcher.errors import WatcherError

    try:
        version, s = app.schema_version(), app.summary()
    except WatcherError as exc:
        findings.append(Finding("database", FIX, str(exc)))
        return None
    watches = f"{counted(s.watches, 'watch', 'watches')} ({s.enabled} scheduled)"
    where = f"{shown_db(url)} · schema {version} · {watches}"
    findings.append(Finding("database", OK, where))
    if s.failing:
        failing = f"{s.failing} failing, backing off: `watcher status` shows why"
        findings.append(Finding("watches", FIX, failing))
    if s.dead:
        dead = f"{counted(s.dead, 'alert')} dead: `watcher deliveries` lists them (--retry, --dead)"
        findings.append(Finding("alerts", FIX, dead))
    if s.pending:
        findings.append(Finding("alerts", INFO, f"{s.pending} waiting to be sent"))
    return s


def _channels(settings: Settings, deliver: bool, summary: Summary | None) -> list[Finding]:
    """A line per channel: its URL (masked) and whether it is usable. Without `deliver` only
    its shape is checked (apprise's plugins take a fifth of a second to load)."""
    from watcher.errors import ConfigError
    from watcher.masking import mask

    if not settings.channels:
        # With watches scheduled, their alerts go nowhere; before that, it is worth knowing.
        state = FIX if summary is not None and summary.enabled else INFO
        return [Finding("channels", state, "none: alerts go nowhere (add [[channels]])")]
    findings = []
    for channel in settings.channels:
        try:
            if deliver:
                from watcher.notify import check_url

                check_url(channel.url)
        except ConfigError as exc:
            findings.append(Finding("channel", FIX, f"{channel.name}: {exc}"))
            continue
        checked = "apprise accepts it" if deliver else "well-formed (--deliver asks apprise)"
        findings.append(Finding("channel", OK, f"{channel.name}: {mask(channel.url)}, {checked}"))
    return findings


def _daemon(app: App) -> Finding:
    """Whether a daemon is running, as far as the database names one (see `Daemons`)."""
    from watcher.errors import WatcherError

    try:
        found = app.daemons()
    except WatcherError as exc:
        return Finding("daemon", FIX, str(exc))
    running = [f"on this machine (pid {', '.join(map(str, found.here))})"] if found.here else []
    running += [f"on {host}" for host in found.elsewhere]
    if running:
        return Finding("daemon", OK, "running " + "; ".join(running))
    before = f"; pid {', '.join(map(str, found.died))} ran here before" if found.died else ""
    seen = "a running daemon says so every minute"
    return Finding("daemon", INFO, f"none seen running{before} ({seen})")
