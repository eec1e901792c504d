"""What the CLI asks of the app besides checks: reading history, listing, adding and removing
watches, status and deliveries. The CLI goes through these, never through the store.

Each method is a thin, named use of the store: what a command wants, not how it is queried.
What a command shows at once comes back as one frozen value (`History`, `StatusPage`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from watcher.errors import UsageError
from watcher.model import Delivery, EventKind, Filters, Revision, StoredEvent, Target, Watch
from watcher.schedule import follow_interval
from watcher.settings import Settings
from watcher.stats import WEEK
from watcher.store import CHECK_ONLY, Store, Summary, WatchEdit

if TYPE_CHECKING:  # the outbox brings the chat library: only the commands that send load it
    from watcher.digest import Digest, Period
    from watcher.export import Evidence
    from watcher.notify import Notifier
    from watcher.outbox import DrainReport, Outbox
    from watcher.store.status import Daemons

__all__ = [
    "Activity",
    "Added",
    "Change",
    "History",
    "Listed",
    "Pausing",
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
    PAUSED = "paused"  # stopped by `pause` until `resume`


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
    """An account watch, the posts it follows (oldest first), their events by kind, and the
    counters' history of those sampled in the last week (by watch id, oldest first)."""

    account: Watch
    posts: Sequence[Watch]
    events: Mapping[EventKind, int]
    samples: Mapping[int, Sequence[Sample]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusPage:
    """What `watcher status` shows: counts over everything, one page of the enabled watches
    (by id) and the oldest undelivered alerts (at most `limit` of each)."""

    summary: Summary
    watches: Sequence[Watch]
    undelivered: Sequence[Delivery]
    limit: int
    offset: int
    tag: str = ""  # the watches listed are those tagged so (with the posts of such accounts)
    tagged: int = 0  # how many enabled watches are, with `tag`

    @property
    def total(self) -> int:
        """The enabled watches the pages go through: every one, or those tagged `tag`."""
        return self.tagged if self.tag else self.summary.enabled

    @property
    def undelivered_total(self) -> int:
        """Every pending or dead alert (at least those listed: one may have failed since
        the count)."""
        return max(self.summary.pending + self.summary.dead, len(self.undelivered))

    @property
    def remaining(self) -> int:
        """Enabled watches (tagged `tag`) after this page."""
        return max(self.total - self.offset - len(self.watches), 0)


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
        self,
        target: Target,
        interval: float,
        channels: tuple[str, ...] | None,
        pages: int,
        ignore: str | None = None,
        min_change: int | None = None,
        silence: str | None = None,
    ) -> Added:
        """Schedule `target` every `interval` seconds: created if new; an existing watch
        (check-only, removed or scheduled) takes the new settings and is rescheduled from
        now. `channels` (when given) replaces its channel list, `ignore` and `min_change`
        (when given) its filters, `silence` (an account's, as stored) its silence setting;
        `pages`: timeline pages per check. An account also follows the posts an earlier check
        recorded (see `_follow_recorded`)."""
        if silence is not None and not target.account:
            raise UsageError("--silence applies to accounts; this URL is a single post")
        found = self.store.find_watch(target)
        before = _schedule(found, {}, self._follow_ended()) if found else None
        filters = None
        if ignore is not None or min_change is not None:
            filters = (found.filters if found else Filters()).but(ignore, min_change)
        watch = self.store.ensure_watch(
            target, interval, self.clock(), True, channels, pages, filters
        )
        if silence is not None and silence != watch.silence:
            watch = self.store.edit_watch(watch.id, WatchEdit(silence=silence), self.clock())
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

    def evidence(self, ref: str) -> Evidence:
        """Everything `watcher export` shows of a watch, raw answers included."""
        from watcher.export import gather

        return gather(self.store, self.store.resolve(ref), self.clock())

    def versions(self, ref: str, old: int | None = None, new: int | None = None) -> Versions:
        """Versions `old` and `new` of a watch; by default the last two (`old` alone: against
        the newest). UsageError when the watch has too few."""
        watch = self.store.resolve(ref)
        if watch.revisions < 1 or (old is None and watch.revisions < 2):
            stored = f"{watch.revisions} stored version{'' if watch.revisions == 1 else 's'}"
            raise UsageError(f"watch {watch.id} has {stored}: a diff needs two")
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
        counts = self.store.event_counts([post.id for post in posts])
        since = self.clock() - timedelta(days=WEEK)
        week = self.store.account_samples(account.id, since)
        return Activity(account, posts, counts, week)

    def digest(self, ref: str, period: Period | None, top: int, tz: str | None) -> Digest:
        """An account watch's digest of `period` (None: the last full week in `tz`, else in
        the account's zone) with its `top` posts; reads only. UsageError for a post watch."""
        from watcher.digest import default_tz, last_full_week
        from watcher.digest_runs import digest_of

        account = self.store.resolve(ref)
        if not account.target.account:
            raise UsageError(f"watch {account.id} is a post, not an account")
        now = self.clock()
        span = period or last_full_week(now, tz or default_tz(account.target.platform))
        return digest_of(self.store, account, span, top, now)

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

    # -- doctor: where things stand (`watcher doctor`) -----------------------------------

    def schema_version(self) -> int:
        """The database's recorded schema version (0: none recorded)."""
        return self.store.schema_version()

    def summary(self) -> Summary:
        """Counts over every watch and undelivered alert."""
        return self.store.summary()

    def daemons(self) -> Daemons:
        """The processes the database names as checking or sending (see `Daemons`)."""
        return self.store.daemons(self.clock())

    # -- names, tags, pausing, editing, importing (`pause`, `resume`, `edit`, `import`) -----

    def target(self, url: str, platform: str = "", selector: str = "", field: str = "") -> Target:
        raise NotImplementedError  # App's: checks what was typed and recognises the platform

    def tagged_listing(self, tag: str, include_removed: bool = False) -> list[Listed]:
        """`listing`, of the watches tagged `tag` (in any case) and the posts such accounts
        follow."""
        listed = self.listing(include_removed)
        ids = {i.watch.id for i in listed if has_tag(i.watch, tag)}
        return [i for i in listed if i.watch.id in ids or _post_of(i.watch, ids)]

    def tagged_status_page(self, tag: str, limit: int, offset: int = 0) -> StatusPage:
        """`status_page`, its watches those tagged `tag` and the posts such accounts follow."""
        ids = self.store.tagged(tag)
        watches = self.store.list_watches(ids=ids[offset : offset + limit])
        undelivered = self.store.undelivered(limit)
        return StatusPage(self.store.summary(), watches, undelivered, limit, offset, tag, len(ids))

    def label(self, watch: Watch, name: str | None, tags: Sequence[str] = ()) -> Watch:
        """Name a watch (None: its name stays) and add `tags` to its own."""
        if name is None and not tags:
            return watch
        merged = _merged(watch.tags, checked_tags(tags))
        edit = WatchEdit(name=checked_name(name) if name is not None else None, tags=merged)
        return self.store.edit_watch(watch.id, edit, self.clock())

    def pause(self, ref: str) -> Pausing:
        """Stop checking a watch (an account: with the posts it follows) without removing it."""
        watch = self.store.resolve(ref)
        if watch.paused:
            return Pausing(watch, 0, changed=False)
        if not watch.enabled:
            raise UsageError(
                f"watch {watch.id} is not checked on a schedule: nothing to pause"
                " (`watcher list --all` says why)"
            )
        posts = self.store.pause_watch(watch.id)
        return Pausing(self.store.get_watch(watch.id), posts)

    def resume(self, ref: str) -> Pausing:
        """Check a paused watch again, with the posts that paused with it."""
        watch = self.store.resolve(ref)
        if watch.enabled:
            return Pausing(watch, 0, changed=False)
        if not watch.paused:
            raise UsageError(
                f"watch {watch.id} is not paused; `watcher add {watch.target.url}` schedules it"
            )
        posts = self.store.resume_watch(watch.id)
        return Pausing(self.store.get_watch(watch.id), posts)

    def edit(self, ref: str, change: Change) -> tuple[Watch, Watch]:
        """Change a watch in place, keeping its versions and events; returns it before and
        after. A config watch's interval, channels, selector and filters are the file's to
        change."""
        watch = self.store.resolve(ref)
        target = self._edited_target(watch, change.selector, change.field)
        filters = watch.filters.but(change.ignore, change.min_change)
        silence = _silence_change(watch, change.silence)
        scheduling = change.interval is not None or change.channels is not None
        owned = target is not None or scheduling or filters != watch.filters
        if watch.origin == "config" and (owned or silence is not None):
            raise UsageError(
                f"watch {watch.id} comes from the config file: change its interval, channels,"
                " selector, field, filters or silence there"
            )
        if change.interval is not None and watch.discovered:
            raise UsageError(f"watch {watch.id} is a post its account follows: it has no interval")
        tags = _merged(watch.tags, checked_tags(change.tag))
        edit = WatchEdit(
            target,
            change.interval,
            change.channels,
            checked_name(change.name) if change.name is not None else None,
            _untagged(watch, tags, change.untag),
            filters if filters != watch.filters else None,
            silence,
        )
        return watch, self.store.edit_watch(watch.id, edit, self.clock())

    def _edited_target(
        self, watch: Watch, selector: str | None, field: str | None
    ) -> Target | None:
        """The watch's target with the new selector or field; None when neither changes."""
        old = watch.target
        if selector is None and field is None:
            return None
        if old.account:
            raise UsageError(f"watch {watch.id} is an account: it has no selector or field")
        new = self.target(
            old.url,
            old.platform,
            old.selector if selector is None else selector,
            old.field if field is None else field,
        )
        if new == old:
            return None
        found = self.store.find_watch(new)
        if found is not None:
            raise UsageError(f"watch {found.id} already reads that: edit or remove that one")
        return new

    def import_watch(
        self,
        target: Target,
        interval: float,
        channels: tuple[str, ...] | None,
        label: tuple[str, tuple[str, ...]],
        dry_run: bool = False,
    ) -> bool:
        """Add `target` as `add` does, with `label` (its name and tags); False, changing
        nothing, when a watch of it is scheduled or paused already. `dry_run`: only say."""
        found = self.store.find_watch(target)
        if found is not None and (found.enabled or found.paused):
            return False
        if not dry_run:
            name, tags = label
            self.label(self.add_watch(target, interval, channels, 1).watch, name or None, tags)
        return True


def _schedule(watch: Watch, by_id: Mapping[int, Watch], ended: datetime) -> Schedule:
    """Why `watch` is or is not checked; `by_id`: the other watches listed (its account is
    among them whenever that decides it); `ended`: posts published before it are no longer
    followed."""
    if watch.enabled:
        return Schedule.FOLLOW if watch.discovered else Schedule.INTERVAL
    if watch.paused:
        return Schedule.PAUSED
    if watch.origin == CHECK_ONLY:
        return Schedule.UNSCHEDULED
    account = by_id.get(watch.parent_id) if watch.parent_id is not None else None
    if watch.discovered and account is not None:
        if account.origin == CHECK_ONLY:
            return Schedule.UNSCHEDULED
        if account.enabled and (watch.posted_at or watch.created_at) < ended:
            return Schedule.ENDED
    return Schedule.REMOVED


# -- names and tags ------------------------------------------------------------------------

NAME_MAX, TAG_MAX, TAGS_MAX = 200, 50, 20  # a label, not a note: it shares a table row


@dataclass(frozen=True, slots=True)
class Pausing:
    """What `pause` or `resume` did: the watch as it now is, how many followed posts went
    with it, and whether anything changed (False: it already was so)."""

    watch: Watch
    posts: int
    changed: bool = True


@dataclass(frozen=True, slots=True)
class Change:
    """What `edit` asks for; None (or no tag to add or drop) leaves that as it is."""

    interval: float | None = None
    channels: tuple[str, ...] | None = None
    selector: str | None = None
    field: str | None = None
    name: str | None = None
    tag: tuple[str, ...] = ()
    untag: tuple[str, ...] = ()
    ignore: str | None = None  # "": ignore nothing
    min_change: int | None = None
    silence: str | None = None  # an account's: "auto", "off" or seconds


def _silence_change(watch: Watch, silence: str | None) -> str | None:
    """The silence setting `edit` gives the watch; None when it stays. UsageError for a post."""
    if silence is None:
        return None
    if not watch.target.account:
        raise UsageError(f"watch {watch.id} is a post: --silence applies to accounts")
    return silence if silence != watch.silence else None


def checked_name(name: str) -> str:
    """A watch's name, trimmed; UsageError unless it is one printable line ("" clears it)."""
    name = name.strip()
    if len(name) > NAME_MAX or not name.isprintable():
        raise UsageError(f"a name is one line of at most {NAME_MAX} printable characters")
    return name


def checked_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags, trimmed; UsageError for one that is empty, long, or has a comma (the separator
    in listings and imports) or a control character."""
    trimmed = tuple(tag.strip() for tag in tags)
    for tag in trimmed:
        if not tag or len(tag) > TAG_MAX or "," in tag or not tag.isprintable():
            raise UsageError(
                f"tag {tag[:TAG_MAX]!r}: a tag is 1 to {TAG_MAX} printable characters, no comma"
            )
    return trimmed


def has_tag(watch: Watch, tag: str) -> bool:
    return tag.casefold() in {t.casefold() for t in watch.tags}


def _post_of(watch: Watch, accounts: Collection[int]) -> bool:
    return watch.discovered and watch.parent_id in accounts


def _merged(tags: tuple[str, ...], more: Sequence[str]) -> tuple[str, ...]:
    """`tags` and then those of `more` it lacks (tags compare in any case)."""
    merged = list(tags)
    for tag in more:
        if tag.casefold() not in {t.casefold() for t in merged}:
            merged.append(tag)
    if len(merged) > TAGS_MAX:
        raise UsageError(f"a watch has at most {TAGS_MAX} tags")
    return tuple(merged)


def _untagged(watch: Watch, tags: tuple[str, ...], drop: Sequence[str]) -> tuple[str, ...]:
    """`tags` without those of `drop`; UsageError for one the watch does not have."""
    for tag in drop:
        if tag.casefold() not in {t.casefold() for t in tags}:
            have = f" (its tags: {', '.join(watch.tags)})" if watch.tags else ""
            raise UsageError(f"watch {watch.id} has no tag {tag!r}{have}")
    gone = {tag.casefold() for tag in drop}
    return tuple(t for t in tags if t.casefold() not in gone)
