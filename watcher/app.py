"""Wiring: settings, store and sources, behind the façade the CLI and the daemon call: choosing
a watch's platform, syncing the config file's watches, checking (`checks.Checks`) and what the
commands read and change (`views.Views`)."""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime

from watcher.checks import CheckResult, Checks
from watcher.config import check_watch_url, database_url
from watcher.decide import Rules
from watcher.errors import ConfigError, UsageError
from watcher.model import Target
from watcher.schedule import first_check
from watcher.settings import Settings, WatchSettings
from watcher.sources import SOURCES, Source, make_source, platform_for
from watcher.store import Store, SyncEntry, SyncReport
from watcher.views import Views

__all__ = ["App", "CheckResult", "validate_url"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class App(Checks, Views):
    def __init__(self, settings: Settings, db: str = "", clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.store = Store(database_url(db, settings))
        self.rules = Rules(settings, random.Random())
        self._sources: dict[str, Source] = {}
        # The daemon batches the state updates of unchanged checks; a one-off check writes
        # at once (its process is about to end).
        self.defer_quiet = False

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def source(self, platform: str) -> Source:
        if platform not in self._sources:
            settings = self.settings.platform(platform)
            self._sources[platform] = make_source(platform, settings)
        return self._sources[platform]

    def target(self, url: str, platform: str = "", selector: str = "", field: str = "") -> Target:
        """Validate what the user typed and choose the platform (explicit, implied, detected).
        An account page (or a `@user@instance` handle) makes an account target, unless an
        option picks one item out of it (a feed with `--field`)."""
        if not url.startswith("@"):
            validate_url(url)
        name = platform or _implied_platform(url, selector, field)
        source = self.source(name)  # raises UsageError for an unknown platform
        for option, value in (("selector", selector), ("field", field)):
            if value and option not in source.options:
                raise UsageError(f"--{option} does not apply to platform {name}")
        account = not (selector or field) and source.account_ref(url) is not None
        if url.startswith("@") and not account:
            raise UsageError(f"not an http(s) URL or a @user@instance handle: {url!r}")
        target = Target(url, name, selector, field, account)
        if not account:
            source.validate(target)
        return target

    # -- config ------------------------------------------------------------------------

    def sync_config(self, spread: bool = True) -> SyncReport:
        """Put the config file's [[watches]] into the database (see Store.sync_config). New
        watches' first checks are spread over a minute, unless `spread` is off (a one-off
        pass must check them now)."""
        digest = self._config_digest()
        if digest == self.store.config_digest():
            return SyncReport()  # the file's watches are as last synced: nothing to do
        entries = [self._sync_entry(i, w) for i, w in enumerate(self.settings.watches)]
        now = self.clock()
        report = self.store.sync_config(
            entries, now, lambda s: first_check(s, now, self.rules.rng) if spread else now
        )
        for entry in entries:  # an account a one-off check listed follows what it recorded
            account = self.store.find_watch(entry.target) if entry.target.account else None
            if account is not None and account.enabled:
                self._follow_recorded(account)
        self.store.set_config_digest(digest)
        return report

    def _config_digest(self) -> str:
        """What the config's watches amount to (and the version reading them), so that a
        start with an unchanged file skips the sync: its cost then does not grow with the
        number of watches."""
        from watcher import __version__

        seen = (__version__, self.settings.default_interval, self.settings.watches)
        return hashlib.sha256(repr(seen).encode()).hexdigest()

    def _sync_entry(self, index: int, watch: WatchSettings) -> SyncEntry:
        try:
            target = self.target(watch.url, watch.platform, watch.selector, watch.field)
        except UsageError as exc:
            key = f"watches[{index}].{_watch_key(str(exc))}"
            raise ConfigError(f"{self.settings.source}: {key}") from exc
        interval = watch.interval or self.settings.default_interval
        if watch.silence and not target.account:
            raise ConfigError(
                f"{self.settings.source}: watches[{index}].silence: applies to accounts;"
                " this URL is a single post"
            )
        silence = watch.silence or "auto"
        return SyncEntry(target, interval, watch.channels, watch.pages, watch.filters, silence)


# What `App.target` says about an option, by the start of its message.
_OPTION_PROBLEMS = (
    ("selector", ("--selector ", "invalid CSS selector")),
    ("field", ("--field ", "empty JSON field path", "malformed JSON field path", "a feed item")),
)


def _watch_key(problem: str) -> str:
    """`key: problem` for what `App.target` found wrong with a [[watches]] entry, in the
    config's words ("--selector does not apply" is "selector: does not apply"). The URL's
    shape and the platform name were checked when the file was loaded."""
    for key, starts in _OPTION_PROBLEMS:
        if problem.startswith(starts):
            return f"{key}: {problem.removeprefix(f'--{key} ')}"
    return f"url: {problem}"


def _implied_platform(url: str, selector: str, field: str) -> str:
    """The platform the URL is recognised as, unless it cannot read the option given: then
    `--field` means a JSON endpoint and `--selector` a web page."""
    detected = platform_for(url)
    options = SOURCES[detected].options
    if field and "field" not in options:
        return "json"
    if selector and "selector" not in options:
        return "web"
    return detected


def validate_url(url: str) -> None:
    """UsageError unless `url` is an http(s) URL a watch can keep (see check_watch_url)."""
    try:
        check_watch_url(url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
