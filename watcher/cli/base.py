"""What every command shares: the group, the exit codes, --db/--config, output helpers.

Start light: this module and the command modules import only click and watcher's exception tree
at the top, so `watcher --version` and `--help` load no database, HTTP, HTML or chat library.
A command imports the heavy modules it uses inside its function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from watcher import __version__
from watcher.errors import UsageError, WatcherError

if TYPE_CHECKING:
    from rich.console import Console

    from watcher.app import App
    from watcher.console import Times
    from watcher.layout import Column, Row
    from watcher.settings import ChannelSettings

EXIT_OK, EXIT_CHANGED, EXIT_USAGE, EXIT_UNOBSERVED = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


class Group(click.Group):
    """Turns every `WatcherError` into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WatcherError as exc:
            # Errors quote URLs and servers' words: their controls are shown, not obeyed.
            from watcher.controls import visible

            click.echo(f"watcher: error: {visible(str(exc))}", err=True)
            ctx.exit(EXIT_USAGE)


def common_options(func: F) -> F:
    func = click.option("--config", "-c", "config", metavar="FILE", help="Config file (TOML).")(
        func
    )
    return click.option("--db", metavar="URL|PATH", help="Database URL or SQLite path.")(func)


def target_options(func: F) -> F:
    """--platform, --selector and --field: how a command that takes a URL reads it (`check`
    and `add` alike)."""
    for option in reversed(
        (
            click.option(
                "--platform", "-p", default="", help="Platform name (default: from the URL)."
            ),
            click.option(
                "--selector",
                "-s",
                default="",
                metavar="CSS",
                callback=given,
                help="web: element whose text counts.",
            ),
            click.option(
                "--field",
                "-f",
                default="",
                metavar="PATH",
                callback=given,
                help="json: dotted path to the text.",
            ),
        )
    ):
        func = option(func)
    return func


MAX_MIN_CHANGE = 100_000  # as the config's (`watcher.config`, not loaded for --help)


def filter_options(func: F) -> F:
    """--ignore and --min-change: what a watch's checks leave out (`add` and `edit` alike)."""
    func = click.option(
        "--min-change",
        type=click.IntRange(0, MAX_MIN_CHANGE),
        default=None,
        metavar="N",
        help="Report an edit only once it changes N characters (0: every edit).",
    )(func)
    return click.option(
        "--ignore",
        default=None,
        metavar="REGEX",
        callback=_pattern,
        help='Leave out text matching REGEX before comparing ("": nothing).',
    )(func)


def _pattern(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--ignore's regex, compiled at once: a bad one is one usage error."""
    from watcher.config import check_pattern

    if value:
        try:
            check_pattern(value)
        except ValueError as exc:
            raise UsageError(f"--ignore: {exc}") from None
    return value


def silence_option(func: F) -> F:
    """--silence: when an account counts as silent (`add` and `edit` alike), as stored."""
    return click.option(
        "--silence",
        default=None,
        metavar="auto|DURATION|off",
        callback=_silence,
        help="Accounts: alert when it posts nothing for this long (auto: from its rhythm).",
    )(func)


def _silence(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from watcher.config import parse_silence

    if value is None:
        return None
    try:
        return parse_silence(value)
    except ValueError as exc:
        raise UsageError(f"--silence: {exc}") from None


def tz_option(func: F) -> F:
    """--tz: the zone a command shows times in (checked before anything is opened)."""
    return click.option(
        "--tz",
        default="",
        metavar="ZONE",
        callback=checked_zone,
        help="Show times in this IANA zone, e.g. Asia/Shanghai (default: the config's "
        "[defaults] timezone, else UTC).",
    )(func)


def checked_zone(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A --tz option's IANA zone, checked before anything is opened."""
    from watcher.config import check_timezone

    if value:
        try:
            check_timezone(value)
        except ValueError as exc:
            raise UsageError(f"--tz: {exc}") from exc
    return value


def times(app: App, tz: str) -> Times:
    """How this command shows times: in `--tz`, else the config's zone, to the second."""
    from zoneinfo import ZoneInfo

    from watcher.console import Times

    return Times(ZoneInfo(tz or app.settings.timezone), app.clock())


def open_app(config: str | None, db: str | None, deliver: bool = False) -> App:
    """The app over the config and database given. `deliver`: this command sends alerts, so
    every channel URL is checked with apprise now (a bad one stops it at once).

    On first use (this command creates the SQLite file) the command ends by saying where
    things go, on stderr: the database, the config file and the channels, a line each. Later
    commands stay quiet; `watcher doctor` says it again."""
    from watcher.app import App
    from watcher.config import database_url, load_settings

    settings = load_settings(config, deliver)
    url = database_url(db, settings)
    file = sqlite_file(url)
    new = file is not None and not file.exists()
    app = App(settings, url)
    ctx = click.get_current_context(silent=True)
    # `run` says where things go at every start, in its own lines.
    if new and ctx is not None and ctx.info_name != "run":
        ctx.with_resource(_SayOnSuccess(where_lines(url, config, settings.channels, new=True)))
    return app


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for another database, memory or a URI."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None  # opening it says why
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri") == "true":
        return None
    return None if database in ("", ":memory:") else Path(database).absolute()


def where_lines(
    url: str, config: str | None, channels: Sequence[ChannelSettings], new: bool = False
) -> list[str]:
    """Where things go, a line each: the database (`new`: this command created it), the
    config file read, the channels alerts go to."""
    from watcher.config import config_file, config_places
    from watcher.controls import visible

    found = config_file(config)
    names = ", ".join(c.name for c in channels)
    return [
        visible(f"database: {shown_db(url)}{' (new)' if new else ''}"),
        visible(f"config: {found}" if found else f"config: none, defaults ({config_places()})"),
        f"channels: {names}" if names else "channels: none (alerts go nowhere)",
    ]


def shown_db(url: str) -> str:
    """A database as people name it: a SQLite file's path, or the URL without its password."""
    from watcher.masking import mask_db_url

    file = sqlite_file(url)
    return str(file) if file is not None else mask_db_url(url)


class _SayOnSuccess:
    """Prints `lines` on stderr when the command ends well: after an error, that error stays
    the only line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def __enter__(self) -> _SayOnSuccess:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None or issubclass(kind, click.exceptions.Exit):
            for line in self.lines:
                click.echo(line, err=True)


def out_console() -> Console:
    """The console commands print to. On a terminal, text is word-wrapped at its width; a
    pipe or a file gets each line whole (no width of 80 imposed). Untrusted text goes through
    `console.inert`; reading no markup or emoji codes in plain strings too means a slip cannot
    turn a post into markup."""
    from rich.console import Console

    out = Console(highlight=False, markup=False, emoji=False)
    out.soft_wrap = not out.is_terminal
    return out


def print_table(out: Console, columns: Sequence[Column], rows: Sequence[Row]) -> None:
    """A `layout.table`, fitted to the terminal's width; whole lines on a pipe."""
    from watcher.layout import table

    width = out.width if out.is_terminal else None
    for line in table(columns, rows, width):
        out.print(line, soft_wrap=True)  # a URL line is never cut: the terminal wraps it


def emit_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# The version is the package's own constant: reading the installed metadata instead would
# import importlib.metadata (a tenth of this command's start-up) to print one line.
@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Watch public posts; know when one is edited, deleted or restored."""


def marks(out: Console) -> bool:
    """Textual diff marks when colour cannot carry them (pipes, files, NO_COLOR)."""
    return not out.is_terminal or out.no_color


def given(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """An option's value, refused when typed but empty: `--field ""` or `--selector ""` would
    silently mean none at all, and watch something else than the user asked for."""
    from click.core import ParameterSource

    typed = ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE
    if typed and not value.strip():
        raise UsageError(f"{param.opts[0]} must not be empty")
    return value
