"""Wiring: settings, store, HTTP client and sources; and `check_once`, the one pipeline that the
CLI and the daemon both run (sources → normalize → detect → store)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from watcher.detect import Outcome, detect
from watcher.differ import diff_texts
from watcher.errors import ConfigError, UsageError
from watcher.history import Step, missed, replay
from watcher.model import (
    Diff,
    Event,
    EventKind,
    Observation,
    Page,
    Post,
    Presence,
    RateLimited,
    Seen,
    Status,
    Target,
    TimelineObservation,
    Watch,
    WatchState,
)
from watcher.normalize import canonical
from watcher.schedule import CONFIRM_SPACING, first_check, follow_interval, next_check
from watcher.settings import Settings, WatchSettings
from watcher.sources import SOURCES, Source, make_source, platform_for
from watcher.sources.http import Http
from watcher.store import Discovery, Store, SyncEntry, SyncReport, resolve_db_url
from watcher.timeline import read_page

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SUSPECT_LEASE = 300.0  # seconds a suspect's direct check holds its watch


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
    # accounts: the posts listed, the post watches this check started, the suspects it checked
    listed: int = 0
    discovered: tuple[Watch, ...] = ()
    suspects: tuple[CheckResult, ...] = ()
    # edits: versions from the platform's edit history that lived between two checks
    missed: tuple[Post, ...] = ()


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

    def observe(self, target: Target) -> Observation:
        return _canonical(self.source(target.platform).fetch(target))

    def batches(self, watches: Sequence[Watch]) -> list[list[Watch]]:
        """`watches` in groups to check together: post watches of a platform that observes
        posts in batches (`Source.batch`) share its requests, up to a batch per group; every
        other watch is a group of its own. Order is kept within each platform."""
        groups: list[list[Watch]] = []
        filling: dict[str, list[Watch]] = {}
        for watch in watches:
            platform = watch.target.platform
            source = SOURCES.get(platform)
            if watch.target.account or source is None or source.batch == 1:
                groups.append([watch])
                continue
            group = filling.get(platform)
            if group is None or len(group) >= source.batch:
                group = filling[platform] = []
                groups.append(group)
            group.append(watch)
        return groups

    def prefetch(self, group: Sequence[Watch]) -> dict[int, Observation]:
        """The observations of a group from `batches`, by watch id, made with the platform's
        batch requests; {} for a group of one (its check fetches as usual)."""
        if len(group) < 2:
            return {}
        source = self.source(group[0].target.platform)
        observed = source.fetch_many([watch.target for watch in group])
        return {w.id: _canonical(obs) for w, obs in zip(group, observed, strict=True)}

    def check_once(
        self, watch: Watch, confirm_now: bool = False, observed: Observation | None = None
    ) -> CheckResult:
        """Check one watch and record the result in one transaction.

        With `confirm_now` (the one-off CLI check), a first gone signal is re-fetched after a
        pause until it is confirmed or contradicted, instead of waiting for the next check.
        `observed` is the post as a batch request already observed it (see `prefetch`).
        """
        if watch.target.account:
            return self._check_account(watch, confirm_now)
        confirm = self.settings.detect.confirm_deletions
        obs = self.observe(watch.target) if observed is None else observed
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
        steps, outcome = self._missed(watch, obs, outcome)
        return self._record(watch, obs, outcome, steps)

    def _missed(
        self, watch: Watch, obs: Observation, outcome: Outcome
    ) -> tuple[list[Step], Outcome]:
        """For a post found edited, the versions the platform's edit history holds that our
        checks never saw, each an edit of its own; and the outcome of the current version,
        now compared with the last of them."""
        if outcome.status is not Status.EDITED or not isinstance(obs, Seen):
            return [], outcome
        if not obs.post.platform_edited:  # only a platform that flags edits keeps a history
            return [], outcome
        history = self.source(watch.target.platform).history(watch.target, obs.post)
        versions = [canonical(post) for post in history]
        between = missed(versions, watch.state.content_hash, outcome.state.content_hash)
        if not between:
            return [], outcome
        now, confirm = self.clock(), self.settings.detect.confirm_deletions
        steps, state = replay(watch.state, between, watch.last_checked_at, now, confirm)
        return steps, detect(state, obs, now, confirm)

    def _record(
        self, watch: Watch, obs: Observation, outcome: Outcome, steps: Sequence[Step] = ()
    ) -> CheckResult:
        now = self.clock()
        post = obs.post if isinstance(obs, Seen) else None
        next_at, enabled = self._schedule(watch, obs, outcome, now)
        updated = self.store.record(watch, outcome, post, now, next_at, self.route, enabled, steps)
        previous = steps[-1].post if steps else self._previous(watch, outcome)
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
            events=tuple(e for step in steps for e in step.outcome.events) + outcome.events,
            missed=tuple(step.post for step in steps),
        )

    def _schedule(
        self, watch: Watch, obs: Observation | TimelineObservation, outcome: Outcome, now: datetime
    ) -> tuple[datetime, bool | None]:
        """The next check, and whether the watch stays scheduled (None: as it is). A post an
        account discovered is followed by age, and dropped once past the follow window
        (unless a gone signal still waits for its confirmation)."""
        retry_after = obs.retry_after if isinstance(obs, RateLimited) else None
        if not watch.discovered:
            daemon = self.settings.daemon
            return next_check(watch.interval, outcome, now, daemon, retry_after, self._rng), None
        since = watch.posted_at or watch.created_at
        next_at, following = self._follow(since, outcome, now, retry_after)
        if outcome.status is Status.UNCONFIRMED:
            return next_at, True  # a gone signal is confirmed or refuted, even past the window
        return (next_at, None) if following else (now, False)

    def _follow(
        self, since: datetime, outcome: Outcome, now: datetime, retry_after: float | None = None
    ) -> tuple[datetime, bool]:
        """When to check a followed post published at `since` next, and whether it is still
        inside the follow window (past it, the next check is only a gone signal's
        confirmation)."""
        interval = follow_interval((now - since).total_seconds(), self.settings.accounts)
        seconds = interval or CONFIRM_SPACING
        next_at = next_check(seconds, outcome, now, self.settings.daemon, retry_after, self._rng)
        return next_at, interval is not None

    # -- accounts ------------------------------------------------------------------------

    def _check_account(self, watch: Watch, confirm_now: bool) -> CheckResult:
        """Read the account's timeline: follow each post not seen before (a `new` event),
        check at once each post that vanished between live neighbours, and track the
        account's own presence. Nothing here ever marks a post deleted: only its own check
        can."""
        source = self.source(watch.target.platform)
        obs = source.timeline(watch.target, watch.pages)
        now = self.clock()
        reading = None
        seen: Observation
        if isinstance(obs, Page):
            reading = read_page(watch, obs, self.store.followed(watch.id))
            seen = reading.observation
        else:
            seen = obs
        outcome = detect(watch.state, seen, now, self.settings.detect.confirm_deletions)
        # The first listing is the baseline: its posts are followed, not announced; so are
        # posts that only moved up into the page. Followed oldest first, so that `new` alerts
        # arrive in posting order (pages list newest first).
        baseline = watch.state.presence is Presence.UNKNOWN
        found = [
            self._discovery(source, watch, post, now, announce=False)
            for post in reversed(reading.backfill if reading else ())
        ] + [
            self._discovery(source, watch, post, now, announce=not baseline)
            for post in reversed(reading.new if reading else ())
        ]
        next_at, _ = self._schedule(watch, obs, outcome, now)
        post = seen.post if isinstance(seen, Seen) else None
        listing = reading.listing if reading else watch.listing
        account, created = self.store.record_account(
            watch, outcome, post, now, next_at, self.route, listing, found
        )
        suspects = self._check_suspects(reading.suspects if reading else (), now, confirm_now)
        return CheckResult(
            watch=account,
            status=outcome.status,
            post=post,
            revision=account.revisions,
            reason=outcome.reason,
            changed=outcome.changed or any(r.changed for r in suspects),
            events=outcome.events,
            listed=len(obs.posts) if isinstance(obs, Page) else 0,
            discovered=tuple(created),
            suspects=tuple(suspects),
        )

    def _discovery(
        self, source: Source, account: Watch, post: Post, now: datetime, announce: bool
    ) -> Discovery:
        """A listed post's first check, as if it had been fetched directly (timeline posts
        equal direct fetches, which the adapters' tests show)."""
        post = canonical(post)
        outcome = detect(WatchState(), Seen(post), now, self.settings.detect.confirm_deletions)
        next_at, following = self._follow(post.created_at or now, outcome, now)
        target = source.post_target(account.target, post)
        # A check-only account (`watcher check`) records its posts without following them.
        return Discovery(target, post, outcome, next_at, account.enabled and following, announce)

    def _check_suspects(
        self, ids: Sequence[int], now: datetime, confirm_now: bool
    ) -> list[CheckResult]:
        """Check at once the posts that vanished from the middle of the timeline; a post
        whose check is already under way elsewhere is left to it."""
        if not ids:
            return []
        claimed = self.store.claim(ids, now, now + timedelta(seconds=SUSPECT_LEASE))
        return [self.check_once(watch, confirm_now) for watch in claimed]

    def route(self, watch: Watch, kind: EventKind) -> list[str]:
        """The channels an event of this watch goes to: the watch's channels (all when it
        names none) that want this kind. A post's first snapshot is not news: `new` is
        alerted only for posts discovered by an account watch."""
        if kind is EventKind.NEW and not watch.discovered:
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
        return SyncEntry(target, interval, watch.channels, watch.pages)

    def _previous(self, watch: Watch, outcome: Outcome) -> Post | None:
        """The last stored version, when this check changed or removed it (for the diff or the
        deletion evidence). Unchanged checks never read it: that is the hot path."""
        kinds = {e.kind for e in outcome.events}
        wanted = {EventKind.EDITED, EventKind.DELETED, EventKind.REMOVED}
        if not watch.revisions or not kinds & wanted:
            return None
        return self.store.revision(watch.id, watch.revisions).post


def _canonical(obs: Observation) -> Observation:
    return Seen(canonical(obs.post)) if isinstance(obs, Seen) else obs


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
