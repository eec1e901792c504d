"""The store: the only module that talks SQL. It takes `watcher.plan` values and returns
`watcher.model` records; it imports nothing from the pipeline.

Tables are SQLAlchemy Core (`tables.py`); queries are SQLAlchemy Core statements, so the hot
path (an unchanged check) is one precompiled UPDATE with no ORM unit of work, and a batch of
them one executemany.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Update, delete, select, true
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import watcher.store.records as records
from watcher.errors import StoreError, UsageError
from watcher.masking import mask_db_url
from watcher.model import DISCOVERED, Filters, Followed, Target, Watch
from watcher.plan import CheckPlan
from watcher.store.activity import AccountRows, ActivityQueries
from watcher.store.captures import CaptureQueries, delete_captures
from watcher.store.claims import ClaimQueries
from watcher.store.daemons import DaemonQueries
from watcher.store.deliveries import DeliveryQueries
from watcher.store.digests import DigestQueries
from watcher.store.engine import is_read_only, make_engine, resolve_db_url
from watcher.store.pages import PageQueries
from watcher.store.process import PROCESS, died_here
from watcher.store.records import CHECK_ONLY
from watcher.store.revisions import RevisionQueries
from watcher.store.schema import set_up
from watcher.store.status import CONFIG_DIGEST, StatusQueries, Summary
from watcher.store.tables import META
from watcher.store.writes import APPLY_STATE, Applied, apply_plan, state_params, target_query
from watcher.store.writes import DELIVERY as _DELIVERY
from watcher.store.writes import EVENT as _EVENT
from watcher.store.writes import METRIC as _METRIC
from watcher.store.writes import REVISION as _REVISION
from watcher.store.writes import WATCH as _WATCH

__all__ = [
    "CHECK_ONLY",
    "PROCESS",
    "AccountRows",
    "Applied",
    "Store",
    "Summary",
    "SyncEntry",
    "SyncReport",
    "WatchEdit",
    "died_here",
    "resolve_db_url",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncEntry:
    """A watch as the config file declares it."""

    target: Target
    interval: float
    channels: tuple[str, ...]
    pages: int = 1
    filters: Filters = field(default_factory=Filters)
    silence: str = "auto"  # accounts: see watcher.activity


@dataclass(frozen=True, slots=True)
class WatchEdit:
    """What `edit` changes on a watch; None leaves a field as it is. `target`: the same URL
    and platform with another selector or field."""

    target: Target | None = None
    interval: float | None = None
    channels: tuple[str, ...] | None = None
    name: str | None = None
    tags: tuple[str, ...] | None = None
    filters: Filters | None = None
    silence: str | None = None  # accounts: "auto", "off" or seconds


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    changed: int = 0
    disabled: int = 0


class Store(
    DeliveryQueries,
    ClaimQueries,
    RevisionQueries,
    StatusQueries,
    ActivityQueries,
    DigestQueries,
    PageQueries,
    CaptureQueries,
    DaemonQueries,
):
    """The database of watches, their history and the outbox. Checks are written as decided
    plans (`apply`, or `defer` then `flush` for unchanged ones), each only while its watch is
    still at the version the decision read. Safe to share between threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._deferred: list[dict[str, Any]] = []  # bound values of quiet plans to flush
        self._deferred_lock = threading.Lock()
        try:
            set_up(self.engine, is_read_only(self.engine))
        except StoreError as exc:  # a newer or a read-only old database: left as it is
            self.engine.dispose()
            raise StoreError(f"cannot open database {_safe(url)}: {exc}") from exc
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open database {_safe(url)}: {_reason(exc)}") from exc

    def close(self) -> None:
        """Write the deferred plans, then let go of the database."""
        try:
            self.flush()
        finally:
            self.engine.dispose()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back (and mapped) on failure."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"database {_safe(self.url)}: {_reason(exc)}") from exc

    # -- checks --------------------------------------------------------------------------

    def apply(self, plan: CheckPlan) -> Applied | None:
        """Write one check's plan in ONE transaction: the watch's new state (its version
        bumped, its claim ended), each step's revision and events with one outbox row per
        channel, the counters' sample, the listing, and the post watches it starts. None,
        with nothing written, when the watch is no longer at `plan.watch.version`: the plan
        is stale, and the caller decides again from the watch as it now is."""
        try:
            return self._apply_once(plan)
        except StoreError as exc:
            # Another account started a watch for one of the same posts meanwhile: this
            # transaction was undone, and applied again it adopts that watch.
            if not isinstance(exc.__cause__, IntegrityError) or not plan.discovered:
                raise
            return self._apply_once(plan)

    def _apply_once(self, plan: CheckPlan) -> Applied | None:
        with self._connection() as conn:
            return apply_plan(conn, plan)

    def defer(self, plan: CheckPlan) -> None:
        """Queue a quiet plan (only the watch's own state changes) for the next `flush`.
        Until then its watch stays claimed, so no other check of it starts."""
        if not plan.quiet:
            raise ValueError("only a quiet plan can be deferred: apply() this one")
        params = state_params(plan)
        with self._deferred_lock:
            self._deferred.append(params)

    def flush(self) -> int:
        """Write the deferred plans in ONE transaction (one executemany); returns how many
        were written. A stale one matches no row and is dropped: a newer check of its watch
        was written already. If the write fails, the plans stay queued."""
        with self._deferred_lock:
            batch, self._deferred = self._deferred, []
        if not batch:
            return 0
        try:
            with self._connection() as conn:
                return int(conn.execute(APPLY_STATE, batch).rowcount)
        except StoreError:
            with self._deferred_lock:
                self._deferred[:0] = batch
            raise

    # -- watches -------------------------------------------------------------------------

    def find_watch(self, target: Target) -> Watch | None:
        with self._connection() as conn:
            row = conn.execute(target_query(target)).first()
        return records.watch_record(row._mapping) if row else None

    def ensure_watch(
        self,
        target: Target,
        interval: float,
        now: datetime,
        enable: bool,
        channels: tuple[str, ...] | None = None,
        pages: int = 1,
        filters: Filters | None = None,
    ) -> Watch:
        """The watch for `target`, created if new (without `enable`: a check-only watch);
        `enable` schedules it (never unschedules) every `interval`, from now on: a watch not
        scheduled before is due at once, a scheduled one within the new interval. `channels`
        and `filters` (when given) replace its own, and an account's posts'. Two processes
        creating the same watch at once both get it: the later insert conflicts, and it is
        read again."""
        args = (target, interval, now, enable, channels, pages, filters)
        try:
            return self._ensure_once(*args)
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._ensure_once(*args)

    def _ensure_once(
        self,
        target: Target,
        interval: float,
        now: datetime,
        enable: bool,
        channels: tuple[str, ...] | None,
        pages: int,
        filters: Filters | None,
    ) -> Watch:
        with self._connection() as conn:
            row = conn.execute(target_query(target)).first()
            if row is None:
                values = records.new_watch_values(
                    target, interval, now, enable, channels or (), pages, filters
                )
                conn.execute(_WATCH.insert().values(values))
            elif enable or channels is not None or filters is not None:
                changes: dict[str, Any] = {}
                if enable:
                    changes = records.scheduled_changes(row, interval, now) | {"pages": pages}
                if channels is not None:
                    changes["channels"] = list(channels)
                if filters is not None:
                    changes |= records.filter_values(filters)
                conn.execute(_changed(_WATCH.c.id == row.id, changes))
                _pass_on(conn, row.id, changes)
                _forget_config(conn)
            found = conn.execute(target_query(target)).one()
        return records.watch_record(found._mapping)

    def get_watch(self, watch_id: int) -> Watch:
        with self._connection() as conn:
            row = conn.execute(select(_WATCH).where(_WATCH.c.id == watch_id)).first()
        if row is None:
            raise UsageError(f"no watch with id {watch_id}")
        return records.watch_record(row._mapping)

    def resolve(self, ref: str) -> Watch:
        """A watch by id or by URL, for commands that take `<url-or-id>`."""
        if ref.isdigit():
            return self.get_watch(int(ref))
        with self._connection() as conn:
            rows = conn.execute(select(_WATCH).where(_WATCH.c.url == ref)).all()
        if not rows:
            raise UsageError(f"no watch for {ref!r}; `watcher list --all` shows every watch")
        if len(rows) > 1:
            ids = ", ".join(records.told_apart(r) for r in rows)
            raise UsageError(f"several watches for {ref!r}: {ids}; give the id")
        return records.watch_record(rows[0]._mapping)

    def list_watches(
        self,
        include_disabled: bool = False,
        limit: int | None = None,
        offset: int = 0,
        unscheduled: bool = False,
        ids: Sequence[int] | None = None,
    ) -> list[Watch]:
        """The (enabled) watches by id, a page of `limit` after `offset` of them if asked;
        `unscheduled` adds what one-off checks kept (check-only watches and the posts a
        check-only account recorded) and paused watches; `ids`: only those."""
        query = select(_WATCH).order_by(_WATCH.c.id).limit(limit).offset(offset or None)
        if ids is not None:
            query = query.where(_WATCH.c.id.in_(list(ids)))
        if not include_disabled:
            shown: ColumnElement[bool] = _WATCH.c.enabled.is_(True)
            if unscheduled:
                parent = _WATCH.alias("parent")
                checked = select(parent.c.id).where(parent.c.origin == CHECK_ONLY)
                posts = (_WATCH.c.origin == DISCOVERED) & _WATCH.c.parent_id.in_(checked)
                shown = shown | (_WATCH.c.origin == CHECK_ONLY) | posts | _WATCH.c.paused
            query = query.where(shown)
        with self._connection() as conn:
            return [records.watch_record(r._mapping) for r in conn.execute(query)]

    def disable_watch(self, watch_id: int) -> Watch:
        """Stop checking a watch; an account's discovered posts stop with it. A check-only
        watch stopped is a removed one (no longer listed as unscheduled)."""
        discovered = (_WATCH.c.parent_id == watch_id) & (_WATCH.c.origin == DISCOVERED)
        with self._connection() as conn:
            mine = (_WATCH.c.id == watch_id) | discovered
            conn.execute(_changed(mine, {"enabled": False, "paused": False}))
            checked = (_WATCH.c.id == watch_id) & (_WATCH.c.origin == CHECK_ONLY)
            conn.execute(_WATCH.update().where(checked).values(origin="cli"))
            _forget_config(conn)
        return self.get_watch(watch_id)

    def follow_posts(self, due: Mapping[int, datetime]) -> int:
        """Schedule discovered post watches that were recorded but not followed (by a
        check-only account, or one that was removed), each first due at `due[id]`; returns
        how many were."""
        followed = 0
        with self._connection() as conn:
            for watch_id, at in due.items():
                off = _WATCH.c.enabled.is_(False) & (_WATCH.c.origin == DISCOVERED)
                where = (_WATCH.c.id == watch_id) & off
                changes = {"enabled": True, "paused": False, "next_check_at": at}
                followed += conn.execute(_changed(where, changes)).rowcount
        return followed

    def discard_unseen(self, watch_id: int) -> bool:
        """Delete a check-only watch that stored no version and started no post watch (its
        one-off check saw nothing), with what that check recorded (events, their alerts).
        False, leaving it, once it is more than that (added meanwhile, or it saw something)."""
        w, child = _WATCH.c, _WATCH.alias("child")
        posts = select(child.c.id).where(child.c.parent_id == watch_id).exists()
        unseen = (w.id == watch_id) & (w.origin == CHECK_ONLY) & w.enabled.is_(False)
        unseen &= (w.revisions == 0) & ~posts
        with self._connection() as conn:
            # The UPDATE locks the row (or the SQLite file): an `add` of it waits, then finds it
            # gone and creates it afresh.
            if not conn.execute(_changed(unseen, {})).rowcount:
                return False
            _delete_rows(conn, watch_id)
        return True

    def purge_watch(self, watch_id: int) -> int:
        """Delete a watch with its revisions, events and deliveries (an account: with the
        posts it discovered; posts it adopted stay); returns how many revisions went."""
        watch = self.get_watch(watch_id)
        gone = watch.revisions
        for child in self.children(watch_id):
            if child.discovered:
                gone += self.purge_watch(child.id)
        with self._connection() as conn:
            adopted = _WATCH.c.parent_id == watch_id
            conn.execute(_WATCH.update().where(adopted).values(parent_id=None))
            _delete_rows(conn, watch_id)
            _forget_config(conn)
        return gone

    def sync_config(
        self, entries: Sequence[SyncEntry], now: datetime, first_check: Callable[[float], datetime]
    ) -> SyncReport:
        """Make the config file's watches the database's `config` watches: add the new ones
        (first check spread by `first_check(interval)`), update changed ones, and disable
        those no longer in the file. CLI-added watches are left alone.

        Daemons that start together on one database may both add a new watch: the later
        insert conflicts, and that daemon syncs again, finding the watch in place."""
        try:
            return self._sync_once(entries, now, first_check)
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            return self._sync_once(entries, now, first_check)

    def _sync_once(
        self, entries: Sequence[SyncEntry], now: datetime, first_check: Callable[[float], datetime]
    ) -> SyncReport:
        added = changed = 0
        wanted: set[int] = set()
        with self._connection() as conn:
            for entry in entries:
                row = conn.execute(target_query(entry.target)).first()
                if row is None:
                    values = records.new_watch_values(
                        entry.target,
                        entry.interval,
                        now,
                        True,
                        entry.channels,
                        entry.pages,
                        entry.filters,
                    )
                    values |= {
                        "origin": "config",
                        "next_check_at": first_check(entry.interval),
                        "silence": entry.silence,
                    }
                    new_id = conn.execute(_WATCH.insert().returning(_WATCH.c.id), values).scalar()
                    wanted.add(int(new_id or 0))
                    added += 1
                    continue
                wanted.add(row.id)
                changes = records.config_changes(row, entry, now)
                if changes:
                    conn.execute(_changed(_WATCH.c.id == row.id, changes))
                    _pass_on(conn, row.id, changes)
                    changed += 1
            unwanted = _WATCH.c.id.not_in(wanted) if wanted else true()
            scheduled = _WATCH.c.enabled.is_(True) | _WATCH.c.paused.is_(True)
            dropped = (_WATCH.c.origin == "config") & scheduled & unwanted
            gone = conn.execute(_changed(dropped, {"enabled": False, "paused": False}))
        return SyncReport(added, changed, gone.rowcount)

    # -- the user's organisation: tags, pausing, editing ------------------------------------

    def tagged(self, tag: str) -> list[int]:
        """The enabled watches tagged `tag` (in any case) and the posts their accounts
        follow, by id. Tags are compared here, not in SQL: a JSON list is searched alike on
        every backend only as text, and case folding is Python's."""
        wanted, w = tag.casefold(), _WATCH.c
        query = select(w.id, w.tags, w.parent_id, w.origin, w.enabled).order_by(w.id)
        with self._connection() as conn:
            rows = conn.execute(query).all()
        labelled = {r.id for r in rows if wanted in {t.casefold() for t in r.tags or ()}}
        posts = {r.id for r in rows if r.origin == DISCOVERED and r.parent_id in labelled}
        return [r.id for r in rows if r.enabled and r.id in labelled | posts]

    def pause_watch(self, watch_id: int) -> int:
        """Stop checking a watch, kept as paused (not removed); an account's followed posts
        pause with it. Returns how many posts did."""
        w, paused = _WATCH.c, {"enabled": False, "paused": True}
        followed = (w.parent_id == watch_id) & (w.origin == DISCOVERED) & w.enabled.is_(True)
        with self._connection() as conn:
            posts = conn.execute(_changed(followed, paused)).rowcount
            conn.execute(_changed(w.id == watch_id, paused))
        return int(posts)

    def resume_watch(self, watch_id: int) -> int:
        """Check a paused watch again, and the posts that paused with it, each from its next
        check as it was (at once if that time has passed); returns how many posts resumed."""
        w = _WATCH.c
        posts = (w.parent_id == watch_id) & (w.origin == DISCOVERED) & w.paused.is_(True)
        with self._connection() as conn:
            resumed = conn.execute(_changed(posts, {"enabled": True, "paused": False})).rowcount
            own = (w.id == watch_id) & w.paused.is_(True)
            conn.execute(_changed(own, {"enabled": True, "paused": False}))
        return int(resumed)

    def edit_watch(self, watch_id: int, edit: WatchEdit, now: datetime) -> Watch:
        """Change a watch in place: its versions, events and state stay, so a new selector's
        text is compared with the last stored one. A new interval brings a scheduled watch's
        next check within it; new channels and filters apply to an account's posts too."""
        changes = records.edit_values(edit)
        with self._connection() as conn:
            row = conn.execute(select(_WATCH).where(_WATCH.c.id == watch_id)).first()
            if row is None:
                raise UsageError(f"no watch with id {watch_id}")
            if edit.interval is not None and row.enabled:
                soon = now + timedelta(seconds=edit.interval)
                changes["next_check_at"] = min(row.next_check_at, soon)
            conn.execute(_changed(_WATCH.c.id == watch_id, changes))
            _pass_on(conn, watch_id, changes)
        return self.get_watch(watch_id)

    # -- accounts ------------------------------------------------------------------------

    def children(self, account_id: int) -> list[Watch]:
        """The post watches an account watch discovered or adopted, oldest first."""
        query = select(_WATCH).where(_WATCH.c.parent_id == account_id).order_by(_WATCH.c.id)
        with self._connection() as conn:
            return [records.watch_record(r._mapping) for r in conn.execute(query)]

    def followed(self, account_id: int) -> list[Followed]:
        """The posts an account watch follows, with only what comparing a listing needs
        (the light query every account check makes)."""
        columns = _WATCH.c.id, _WATCH.c.post_id, _WATCH.c.posted_at
        query = select(*columns).where(_WATCH.c.parent_id == account_id, _WATCH.c.post_id != "")
        with self._connection() as conn:
            return [Followed(*row) for row in conn.execute(query)]


# -- helpers ---------------------------------------------------------------------------------


def _changed(where: ColumnElement[bool], changes: dict[str, Any]) -> Update:
    """An UPDATE of what a decision reads (schedule, channels): it bumps the version, so a
    check decided before it is stale and decided again."""
    return _WATCH.update().where(where).values(changes).values(version=_WATCH.c.version + 1)


# What an account's posts take from it: where they alert and what they leave out.
_INHERITED = frozenset({"channels", "ignore_pattern", "min_change"})


def _pass_on(conn: Connection, account_id: int, changes: Mapping[str, Any]) -> None:
    """Give the posts an account discovered the settings they take from it that `changes`
    changes (nothing for a post watch: it discovered none)."""
    inherited = {key: value for key, value in changes.items() if key in _INHERITED}
    if inherited:
        posts = (_WATCH.c.parent_id == account_id) & (_WATCH.c.origin == DISCOVERED)
        conn.execute(_changed(posts, inherited))


def _delete_rows(conn: Connection, watch_id: int) -> None:
    """A watch's row and everything stored about it (versions, events, their alerts, counters)."""
    events = select(_EVENT.c.id).where(_EVENT.c.watch_id == watch_id)
    conn.execute(delete(_DELIVERY).where(_DELIVERY.c.event_id.in_(events)))
    conn.execute(delete(_EVENT).where(_EVENT.c.watch_id == watch_id))
    conn.execute(delete(_METRIC).where(_METRIC.c.watch_id == watch_id))
    delete_captures(conn, watch_id)
    conn.execute(delete(_REVISION).where(_REVISION.c.watch_id == watch_id))
    conn.execute(delete(_WATCH).where(_WATCH.c.id == watch_id))


def _forget_config(conn: Connection) -> None:
    """A watch changed outside the config file: the next start syncs the file again (so that
    a config watch removed by hand comes back as the file says), whatever its digest."""
    conn.execute(META.delete().where(META.c.key == CONFIG_DIGEST))


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _safe(url: str) -> str:
    """The URL without its password (`user:pw@` or `?password=`), for messages."""
    return mask_db_url(url)
