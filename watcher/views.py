"""What the CLI asks of the app besides checks: reading history, listing, adding and removing
watches, status and deliveries. The CLI goes through these, never through the store.

Each method is a thin, named use of the store: what a command wants, not how it is queried.
What a command shows at once comes back as one frozen value (`History`, `StatusPage`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from watcher.errors import UsageError
from watcher.model import Delivery, EventKind, Revision, StoredEvent, Target, Watch
from watcher.schedule import follow_interval
from watcher.settings import Settings
from watcher.store import CHECK_ONLY, Store, Summary

if TYPE_CHECKING:  # the outbox brings the chat library: only the commands that send load it
    from watcher.notify import Notifier
    from watcher.outbox import DrainReport, Outbox

__all__ = [
    "Activity",
    "Added",
    "History",
    "Listed",
    "Retried",
    "Schedule",
    "StatusPage",
    "Summary",
    "Versions",
    "Views",
]

Sample = tuple[datetime, dict[str, int]]  # when the counters were first seen at these values


@dataclass(frozen=True, slots=True)
class History:
    """Everything stored about one watch: versions and events newest first, counter samples
    oldest first."""

    watch: Watch
    revisions: Sequence[Revision]
    events: Sequence[StoredEvent]
    samples: Sequence[Sample]


class Schedule(StrEnum):
    """Why a watch is (or is not) checked, as `list` shows it."""

    INTERVAL = "interval"  # added: checked every `interval`
    FOLLOW = "follow"  # an account's post: checked by its age
    UNSCHEDULED = "unscheduled"  # kept by a one-off `check`: never checked on its own
    ENDED = "ended"  # an account's post older than the follow window: no longer checked
    REMOVED = "removed"  # stopped by `remove`, or gone from the config file


@dataclass(frozen=True, slots=True)
class Added:
    """What `add` did: the watch as it now is, how it was scheduled before (None: it is
    new), and for an account, the recorded posts it now follows again (a check recorded them,
    or `remove` stopped them) and those too old to follow."""

    watch: Watch
    before: Schedule | None
    followed: int = 0
    too_old: int = 0


@dataclass(frozen=True, slots=True)
class Listed:
    """A watch as `list` shows it."""

    watch: Watch
    schedule: Schedule


@dataclass(frozen=True, slots=True)
class Retried:
    """What `deliveries --retry` did: how many alerts it made due, how sending them went, and
    how many it retired (their channel is no longer in the config)."""

    count: int
    report: DrainReport
    retired: int = 0


@dataclass(frozen=True, slots=True)
class Versions:
    """Two stored versions of one watch, to diff."""

    watch: Watch
    old: Revision
    new: Revision


@dataclass(frozen=True, slots=True)
class Activity:
    """An account watch, the posts it follows (oldest first) and their events by kind."""

    account: Watch
    posts: Sequence[Watch]
    events: Mapping[EventKind, int]


@dataclass(frozen=True, slots=True)
class StatusPage:
    """What `watcher status` shows: counts over everything, one page of the enabled watches
    (by id) and the oldest undelivered alerts (at most `limit` of each)."""

    summary: Summary
    watches: Sequence[Watch]
    undelivered: Sequence[Delivery]
    limit: int
    offset: int

    @property
    def undelivered_total(self) -> int:
        """Every pending or dead alert (at least those listed: one may have failed since
        the count)."""
        return max(self.summary.pending + self.summary.dead, len(self.undelivered))

    @property
    def remaining(self) -> int:
        """Enabled watches after this page."""
        return max(self.summary.enabled - self.offset - len(self.watches), 0)


class Views:
    """Mixed into `App`: every store access the commands need, behind app-level names."""

    store: Store
    settings: Settings
    clock: Callable[[], datetime]

    # -- watches ---------------------------------------------------------------------------

    def watch(self, ref: str) -> Watch:
        """A watch by id or by URL (a command's `URL-OR-ID`); UsageError if none or several."""
        return self.store.resolve(ref)

    def watch_for(self, target: Target) -> Watch:
        """The watch of `target` for a one-off check: the existing one as it is, or a new one
        that is stored but not scheduled."""
        found = self.store.find_watch(target)
        if found is not None:
            return found
        return self.store.ensure_watch(
            target, self.settings.default_interval, self.clock(), enable=False
        )

    def add_watch(
        self, target: Target, interval: float, channels: tuple[str, ...] | None, pages: int
    ) -> Added:
        """Schedule `target` every `interval` seconds: created if new; an existing watch
        (check-only, removed or scheduled) takes the new settings and is rescheduled from
        now. `channels` (when given) replaces its channel list; `pages`: timeline pages per
        check. An account also follows the posts an earlier check recorded (see
        `_follow_recorded`)."""
        found = self.store.find_watch(target)
        before = _schedule(found, {}, self._follow_ended()) if found else None
        watch = self.store.ensure_watch(target, interval, self.clock(), True, channels, pages)
        if not target.account:
            return Added(watch, before)
        return Added(watch, before, *self._follow_recorded(watch))

    def _follow_recorded(self, account: Watch) -> tuple[int, int]:
        """Follow the account's posts that were recorded but not followed (a one-off check
        lists without following; `remove` stopped them), as a check of the account would
        have: those inside the follow window, each next checked by its age. Returns how many
        it follows, and how many are too old to."""
        now = self.clock()
        due: dict[int, datetime] = {}
        waiting = [w for w in self.store.children(account.id) if w.discovered and not w.enabled]
        for post in waiting:
            age = (now - (post.posted_at or post.created_at)).total_seconds()
            every = follow_interval(age, self.settings.accounts)
            if every is not None:
                due[post.id] = max(now, (post.last_checked_at or now) + timedelta(seconds=every))
        return self.store.follow_posts(due), len(waiting) - len(due)

    def watches(self, include_disabled: bool = False) -> list[Watch]:
        """Every (enabled) watch, by id."""
        return self.store.list_watches(include_disabled=include_disabled)

    def listing(self, include_removed: bool = False) -> list[Listed]:
        """What `list` shows, by id: the scheduled watches and what one-off checks kept
        (with `include_removed`, every watch), each with its `Schedule`."""
        watches = self.store.list_watches(include_disabled=include_removed, unscheduled=True)
        by_id = {w.id: w for w in watches}
        ended = self._follow_ended()
        return [Listed(w, _schedule(w, by_id, ended)) for w in watches]

    def _follow_ended(self) -> datetime:
        """Account posts published before this are no longer followed."""
        return self.clock() - timedelta(seconds=self.settings.accounts.follow_for)

    def forget_unseen(self, watch: Watch) -> bool:
        """After a one-off check: drop its check-only watch if the check saw nothing (no
        version, no post), so that failed and mistyped checks leave nothing behind."""
        return self.store.discard_unseen(watch.id)

    def remove(self, watch_id: int, purge: bool) -> int:
        """Stop checking a watch; with `purge`, delete it and all it stored. Returns its stored
        versions: those kept, or with `purge` those deleted."""
        if purge:
            return self.store.purge_watch(watch_id)
        return self.store.disable_watch(watch_id).revisions

    # -- what was stored -------------------------------------------------------------------

    def history(self, ref: str) -> History:
        watch = self.store.resolve(ref)
        return History(
            watch,
            self.store.revisions(watch.id),
            self.store.events(watch.id),
            self.store.metric_samples(watch.id),
        )

    def versions(self, ref: str, old: int | None = None, new: int | None = None) -> Versions:
        """Versions `old` and `new` of a watch; by default the last two (`old` alone: against
        the newest). UsageError when the watch has too few."""
        watch = self.store.resolve(ref)
        if watch.revisions < 1 or (old is None and watch.revisions < 2):
            raise UsageError(f"watch {watch.id} has {watch.revisions} stored version(s)")
        new_number = new if new is not None else watch.revisions
        old_number = old if old is not None else new_number - 1
        return Versions(
            watch,
            self.store.revision(watch.id, old_number),
            self.store.revision(watch.id, new_number),
        )

    def activity(self, ref: str) -> Activity:
        """An account watch's posts and their events; UsageError for a post watch."""
        account = self.store.resolve(ref)
        if not account.target.account:
            raise UsageError(f"watch {account.id} is a post, not an account")
        posts = self.store.children(account.id)
        return Activity(account, posts, self.store.event_counts([post.id for post in posts]))

    # -- status and alerts -----------------------------------------------------------------

    def status_page(self, limit: int, offset: int = 0) -> StatusPage:
        """The summary, `limit` enabled watches after `offset`, and the `limit` oldest
        undelivered alerts: a handful of queries, however many watches there are."""
        return StatusPage(
            self.store.summary(),
            self.store.list_watches(limit=limit, offset=offset),
            self.store.undelivered(limit),
            limit,
            offset,
        )

    def undelivered(self, limit: int | None = None) -> list[Delivery]:
        """Pending and dead alerts, oldest first (the first `limit` of them, if given)."""
        return self.store.undelivered(limit)

    def outbox(self, notifier: Notifier) -> Outbox:
        """The outbox that sends this database's alerts through `notifier`."""
        from watcher.outbox import Outbox

        return Outbox(self.store, notifier, self.settings, self.clock)

    def retry_deliveries(self, notifier: Notifier) -> Retried:
        """Make every pending or dead alert due now and send them. Alerts to channels no
        longer in the config are retired instead (never retried while the channel is
        missing; sent again if it comes back)."""
        outbox = self.outbox(notifier)
        configured = {c.name for c in self.settings.channels}
        missing = [c for c in self.store.undelivered_channels() if c not in configured]
        retired = sum(outbox.retire(channel) for channel in missing)
        count = self.store.retry_deliveries(self.clock(), configured)
        return Retried(count, outbox.drain(limit=count or 1), retired)

    def drop_deliveries(self, ids: Collection[int]) -> int:
        """Delete these undelivered alerts (UsageError, none dropped, if one is not)."""
        return self.store.drop_deliveries(ids)

    def drop_dead(self) -> int:
        """Delete every dead alert; their events stay in the history."""
        return self.store.drop_dead()


def _schedule(watch: Watch, by_id: Mapping[int, Watch], ended: datetime) -> Schedule:
    """Why `watch` is or is not checked; `by_id`: the other watches listed (its account is
    among them whenever that decides it); `ended`: posts published before it are no longer
    followed."""
    if watch.enabled:
        return Schedule.FOLLOW if watch.discovered else Schedule.INTERVAL
    if watch.origin == CHECK_ONLY:
        return Schedule.UNSCHEDULED
    account = by_id.get(watch.parent_id) if watch.parent_id is not None else None
    if watch.discovered and account is not None:
        if account.origin == CHECK_ONLY:
            return Schedule.UNSCHEDULED
        if account.enabled and (watch.posted_at or watch.created_at) < ended:
            return Schedule.ENDED
    return Schedule.REMOVED
