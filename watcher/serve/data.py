"""What each page shows, read through the app's views and the store's read queries, as one
frozen value per page. Every secret a text could carry (channel URLs, platform cookies and
headers, the token) is masked here, so neither the HTML nor the JSON twin can show it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from watcher.app import App
from watcher.digest import Digest, Period, default_tz
from watcher.errors import UsageError
from watcher.masking import Scrubber
from watcher.model import Delivery, EventKind, Revision, StoredEvent, Watch
from watcher.serve.charts import Bars, Line, bars, counter_lines
from watcher.serve.diffview import DiffView, diff_view
from watcher.store import Summary
from watcher.store.daemons import SeenDaemon
from watcher.store.pages import Change, ChangeQuery
from watcher.store.status import Daemons

ACTIVITY_DAYS = 14  # the account chart's span
POSTS_SHOWN = 200  # an account's posts listed, newest first
TROUBLE_SHOWN = 200
UNDELIVERED_SHOWN = 200


class NotFound(LookupError):
    """No such watch (or not the kind the page is for)."""


@dataclass(frozen=True, slots=True)
class ChangesPage:
    query: ChangeQuery
    changes: Sequence[Change]
    total: int

    @property
    def next_offset(self) -> int | None:
        following = self.query.offset + len(self.changes)
        return following if following < self.total else None

    @property
    def previous_offset(self) -> int | None:
        return max(self.query.offset - self.query.limit, 0) if self.query.offset else None


@dataclass(frozen=True, slots=True)
class WatchPage:
    watch: Watch
    account: Watch | None  # the account that follows this post
    revisions: Sequence[Revision]  # newest first
    events: Sequence[StoredEvent]  # newest first
    lines: tuple[Line, ...]  # its counters over time
    samples: Sequence[tuple[datetime, dict[str, int]]]
    old: Revision | None  # the two versions diffed (None: fewer than two stored)
    new: Revision | None
    diff: DiffView | None


@dataclass(frozen=True, slots=True)
class AccountPage:
    account: Watch
    posts: Sequence[Watch]  # newest first, at most POSTS_SHOWN
    post_count: int
    activity: Digest  # the last ACTIVITY_DAYS days, for the chart
    charts: tuple[Bars, Bars]  # posts and interactions per day
    silences: Sequence[StoredEvent]  # its silent and back events, newest first
    week: Digest  # the last full week


@dataclass(frozen=True, slots=True)
class HealthPage:
    summary: Summary
    troubled: Sequence[Watch]
    undelivered: Sequence[Delivery]
    daemons: Daemons  # claim and lease holders now
    seen: Sequence[SeenDaemon]  # every daemon of the last 30 days, with when it was last seen
    now: datetime


def scrubber(app: App) -> Scrubber:
    """Masks every secret the settings hold wherever a stored text quotes it."""
    s = app.settings
    extra = [s.serve.token]
    for platform in s.platforms.values():
        extra += [*platform.cookies.values(), *platform.headers.values()]
    return Scrubber([c.url for c in s.channels], extra)


def changes_page(app: App, query: ChangeQuery) -> ChangesPage:
    found = app.store.changes(query)
    scrub = scrubber(app)
    changes = [replace(c, watch=_scrubbed(c.watch, scrub)) for c in found.changes]
    return ChangesPage(query, changes, found.total)


def watch_page(app: App, watch_id: int, old: int | None, new: int | None) -> WatchPage:
    watch = _watch(app, watch_id)
    samples = app.store.metric_samples(watch.id)
    first, second = _versions(app, watch, old, new)
    diff = diff_view(first.post.document, second.post.document) if first and second else None
    account = _watch(app, watch.parent_id) if watch.parent_id is not None else None
    return WatchPage(
        _scrubbed(watch, scrubber(app)),
        account,
        app.store.revisions(watch.id),
        app.store.events(watch.id),
        counter_lines(samples),
        samples,
        first,
        second,
        diff,
    )


def account_page(app: App, watch_id: int) -> AccountPage:
    account = _watch(app, watch_id)
    if not account.target.account:
        raise NotFound(f"watch {watch_id} is a post, not an account")
    posts = sorted(app.store.children(account.id), key=_newest, reverse=True)
    activity = app.digest(str(account.id), _recent(app, account), 3, None)
    days = [(d.date.isoformat(), d) for d in activity.per_day]
    charts = (
        bars("posts", [(label, d.posts) for label, d in days]),
        bars("interactions", [(label, d.interactions) for label, d in days]),
    )
    quiet = (EventKind.SILENT, EventKind.BACK)
    silences = [e for e in app.store.events(account.id) if e.kind in quiet]
    week = app.digest(str(account.id), None, 3, None)
    shown = _scrubbed(account, scrubber(app))
    return AccountPage(shown, posts[:POSTS_SHOWN], len(posts), activity, charts, silences, week)


def health_page(app: App) -> HealthPage:
    scrub = scrubber(app)
    undelivered = [
        replace(d, last_error=scrub(d.last_error), watch=_scrubbed(d.watch, scrub))
        for d in app.store.undelivered(UNDELIVERED_SHOWN)
    ]
    troubled = [_scrubbed(w, scrub) for w in app.store.troubled(TROUBLE_SHOWN)]
    now = app.clock()
    seen = app.store.seen_daemons(now)
    return HealthPage(app.summary(), troubled, undelivered, app.daemons(), seen, now)


def _watch(app: App, watch_id: int) -> Watch:
    try:
        return app.store.get_watch(watch_id)
    except UsageError:
        raise NotFound(f"no watch with id {watch_id}") from None


def _versions(
    app: App, watch: Watch, old: int | None, new: int | None
) -> tuple[Revision | None, Revision | None]:
    """The versions to diff: those asked for, else the last two; (None, None) when there are
    fewer than two. NotFound for a version the watch does not have."""
    if watch.revisions < 2 and old is None and new is None:
        return None, None
    try:
        pair = app.versions(str(watch.id), old, new)
    except UsageError as exc:
        raise NotFound(str(exc)) from None
    return pair.old, pair.new


def _recent(app: App, account: Watch) -> Period:
    """The last ACTIVITY_DAYS days (today included) in the account's zone."""
    tz = default_tz(account.target.platform)
    today = app.clock().astimezone(ZoneInfo(tz)).date()
    start = datetime.combine(today - timedelta(days=ACTIVITY_DAYS - 1), time(), ZoneInfo(tz))
    end = datetime.combine(today + timedelta(days=1), time(), ZoneInfo(tz))
    return Period(start, end, tz)


def _newest(post: Watch) -> datetime:
    return post.posted_at or post.created_at


def _scrubbed(watch: Watch, scrub: Scrubber) -> Watch:
    return replace(watch, last_error=scrub(watch.last_error)) if watch.last_error else watch
