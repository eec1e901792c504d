"""What the CLI asks of the app besides checks: reading history, listing, adding and removing
watches, status and deliveries. The CLI goes through these, never through the store.

Each method is a thin, named use of the store: what a command wants, not how it is queried.
What a command shows at once comes back as one frozen value (`History`, `StatusPage`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from watcher.errors import UsageError
from watcher.model import Delivery, EventKind, Revision, StoredEvent, Target, Watch
from watcher.settings import Settings
from watcher.store import Store, Summary

if TYPE_CHECKING:  # the outbox brings the chat library: only the commands that send load it
    from watcher.notify import Notifier
    from watcher.outbox import DrainReport, Outbox

__all__ = ["Activity", "History", "StatusPage", "Summary", "Versions", "Views"]

Sample = tuple[datetime, dict[str, int]]  # when the counters were first seen at these values


@dataclass(frozen=True, slots=True)
class History:
    """Everything stored about one watch: versions and events newest first, counter samples
    oldest first."""

    watch: Watch
    revisions: Sequence[Revision]
    events: Sequence[StoredEvent]
    samples: Sequence[Sample]


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
    ) -> Watch:
        """Schedule `target` every `interval` seconds (created if new, re-enabled if removed);
        `channels` (when given) replaces its channel list; `pages`: timeline pages per check."""
        return self.store.ensure_watch(target, interval, self.clock(), True, channels, pages)

    def watches(self, include_disabled: bool = False) -> list[Watch]:
        """Every (enabled) watch, by id."""
        return self.store.list_watches(include_disabled=include_disabled)

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

    def retry_deliveries(self, notifier: Notifier) -> tuple[int, DrainReport]:
        """Make every pending or dead alert due now and send them: how many, and how it went."""
        count = self.store.retry_deliveries(self.clock())
        return count, self.outbox(notifier).drain(limit=count or 1)
