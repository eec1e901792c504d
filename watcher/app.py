"""Wiring: settings, store, HTTP client and sources; and `check_once`, the one pipeline that the
CLI and the daemon both run (sources → normalize → detect → store)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from watcher.detect import Outcome, detect
from watcher.differ import diff_texts
from watcher.errors import ConfigError, UsageError
from watcher.model import (
    Diff,
    Event,
    EventKind,
    Observation,
    Post,
    RateLimited,
    Seen,
    Status,
    Target,
    Watch,
)
from watcher.normalize import canonical
from watcher.schedule import first_check, next_check
from watcher.settings import Settings, WatchSettings
from watcher.sources import SOURCES, Source, make_source, platform_for
from watcher.sources.http import Http
from watcher.store import Store, SyncEntry, SyncReport, resolve_db_url

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check found, for printing: the updated watch, its status and the evidence."""

    watch: Watch
    status: Status
    post: Post | None  # the post as observed now (None when it could not be observed)
    revision: int  # the newest stored revision after this check (0: none)
    previous: Post | None = None  # the version the diff starts from
    diff: Diff | None = None
    reason: str = ""
    changed: bool = False  # a change was recorded (edited, deleted, removed, restored)
    events: tuple[Event, ...] = ()


class App:
    def __init__(self, settings: Settings, db: str = "", clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self.store = Store(resolve_db_url(db or settings.db_url))
        self.http = Http(settings.http)
        self._sources: dict[str, Source] = {}
        self._rng = random.Random()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()
        self.store.close()

    def source(self, platform: str) -> Source:
        if platform not in self._sources:
            settings = self.settings.platform(platform)
            self._sources[platform] = make_source(platform, self.http, settings)
        return self._sources[platform]

    def target(self, url: str, platform: str = "", selector: str = "", field: str = "") -> Target:
        """Validate what the user typed and choose the platform (explicit, implied, detected)."""
        validate_url(url)
        name = platform or _implied_platform(url, selector, field)
        source = self.source(name)  # raises UsageError for an unknown platform
        for option, value in (("selector", selector), ("field", field)):
            if value and option not in source.options:
                raise UsageError(f"--{option} does not apply to platform {name}")
        target = Target(url, name, selector, field)
        source.validate(target)
        return target

    def observe(self, target: Target) -> Observation:
        obs = self.source(target.platform).fetch(target)
        return Seen(canonical(obs.post)) if isinstance(obs, Seen) else obs

    def check_once(self, watch: Watch, confirm_now: bool = False) -> CheckResult:
        """Check one watch and record the result in one transaction.

        With `confirm_now` (the one-off CLI check), a first gone signal is re-fetched after a
        pause until it is confirmed or contradicted, instead of waiting for the next check.
        """
        confirm = self.settings.detect.confirm_deletions
        obs = self.observe(watch.target)
        outcome = detect(watch.state, obs, self.clock(), confirm)
        events = outcome.events
        for _ in range(confirm - 1 if confirm_now else 0):
            if outcome.status is not Status.UNCONFIRMED:
                break
            time.sleep(self.settings.detect.confirm_pause)
            obs = self.observe(watch.target)
            outcome = detect(outcome.state, obs, self.clock(), confirm)
            events += outcome.events
        outcome = replace(outcome, events=events)
        return self._record(watch, obs, outcome)

    def _record(self, watch: Watch, obs: Observation, outcome: Outcome) -> CheckResult:
        now = self.clock()
        post = obs.post if isinstance(obs, Seen) else None
        retry_after = obs.retry_after if isinstance(obs, RateLimited) else None
        daemon = self.settings.daemon
        next_at = next_check(watch.interval, outcome, now, daemon, retry_after, self._rng)
        updated = self.store.record(watch, outcome, post, now, next_at, self.route)
        previous = self._previous(watch, outcome)
        diff = diff_texts(previous.document, post.document) if previous and post else None
        return CheckResult(
            watch=updated,
            status=outcome.status,
            post=post,
            revision=updated.revisions,
            previous=previous,
            diff=diff,
            reason=outcome.reason,
            changed=outcome.changed,
            events=outcome.events,
        )

    def route(self, watch: Watch, kind: EventKind) -> list[str]:
        """The channels an event of this watch goes to: the watch's channels (all when it
        names none) that want this kind. A post's first snapshot is not news: `new` is
        alerted only for posts discovered by an account watch."""
        if kind is EventKind.NEW:
            return []
        names = watch.channels or tuple(c.name for c in self.settings.channels)
        wanted = (self.settings.channel(name) for name in names)
        return [c.name for c in wanted if c is not None and c.wants(kind.value)]

    def sync_config(self, spread: bool = True) -> SyncReport:
        """Put the config file's [[watches]] into the database (see Store.sync_config). New
        watches' first checks are spread over a minute, unless `spread` is off (a one-off
        pass must check them now)."""
        entries = [self._sync_entry(i, w) for i, w in enumerate(self.settings.watches)]
        now = self.clock()
        return self.store.sync_config(
            entries, now, lambda s: first_check(s, now, self._rng) if spread else now
        )

    def _sync_entry(self, index: int, watch: WatchSettings) -> SyncEntry:
        try:
            target = self.target(watch.url, watch.platform, watch.selector, watch.field)
        except UsageError as exc:
            raise ConfigError(f"watches[{index}]: {exc}") from exc
        interval = watch.interval or self.settings.default_interval
        return SyncEntry(target, interval, watch.channels)

    def _previous(self, watch: Watch, outcome: Outcome) -> Post | None:
        """The last stored version, when this check changed or removed it (for the diff or the
        deletion evidence). Unchanged checks never read it: that is the hot path."""
        kinds = {e.kind for e in outcome.events}
        wanted = {EventKind.EDITED, EventKind.DELETED, EventKind.REMOVED}
        if not watch.revisions or not kinds & wanted:
            return None
        return self.store.revision(watch.id, watch.revisions).post


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
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises for a malformed port
    except ValueError:
        valid = False
    if not valid or any(c.isspace() for c in url):
        raise UsageError(f"not an http(s) URL: {url!r}")
