"""The store: the only module that talks SQL. It takes and returns `watcher.model` records.

Tables are SQLModel classes (`tables.py`); queries are SQLAlchemy Core statements, so the hot
path (an unchanged check) is one precompiled UPDATE with no ORM unit of work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, text, true
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlmodel import SQLModel

from watcher.detect import Outcome
from watcher.errors import StoreError, UsageError
from watcher.history import Step
from watcher.model import (
    DISCOVERED,
    EventKind,
    Followed,
    Post,
    Revision,
    StoredEvent,
    Target,
    Watch,
)
from watcher.store import records
from watcher.store.deliveries import DeliveryQueries
from watcher.store.engine import make_engine, resolve_db_url
from watcher.store.upgrade import upgrade
from watcher.store.writes import (
    DELIVERY as _DELIVERY,
)
from watcher.store.writes import (
    EVENT as _EVENT,
)
from watcher.store.writes import (
    METRIC as _METRIC,
)
from watcher.store.writes import (
    REVISION as _REVISION,
)
from watcher.store.writes import (
    WATCH as _WATCH,
)
from watcher.store.writes import (
    Discovery,
    Route,
    add_post,
    no_route,
    target_query,
    write_check,
)

__all__ = ["Discovery", "Route", "Store", "SyncEntry", "SyncReport", "resolve_db_url"]

log = logging.getLogger(__name__)
SCHEMA_LOCK = 0x77617463  # "watc": the advisory lock that serialises schema set-up


@dataclass(frozen=True, slots=True)
class SyncEntry:
    """A watch as the config file declares it."""

    target: Target
    interval: float
    channels: tuple[str, ...]
    pages: int = 1


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    changed: int = 0
    disabled: int = 0


class Store(DeliveryQueries):
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Daemons starting together would create the same tables at once.
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                SQLModel.metadata.create_all(conn)
                upgrade(conn)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open database {_safe(url)}: {_reason(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back (and mapped) on failure."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"database {_safe(self.url)}: {_reason(exc)}") from exc

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
    ) -> Watch:
        """The watch for `target`, created if new; `enable` schedules it (never unschedules).
        `channels` (when given) replaces its channel list."""
        with self._connection() as conn:
            row = conn.execute(target_query(target)).first()
            if row is None:
                values = records.new_watch_values(
                    target, interval, now, enable, channels or (), pages
                )
                conn.execute(_WATCH.insert().values(values))
            elif enable or channels is not None:
                changes: dict[str, Any] = {}
                if enable:
                    changes = {"enabled": True, "interval": interval, "pages": pages}
                if channels is not None:
                    changes["channels"] = list(channels)
                conn.execute(_WATCH.update().where(_WATCH.c.id == row.id).values(changes))
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
            ids = ", ".join(str(r.id) for r in rows)
            raise UsageError(f"several watches for {ref!r} (ids {ids}); give the id")
        return records.watch_record(rows[0]._mapping)

    def list_watches(self, include_disabled: bool = False) -> list[Watch]:
        query = select(_WATCH).order_by(_WATCH.c.id)
        if not include_disabled:
            query = query.where(_WATCH.c.enabled.is_(True))
        with self._connection() as conn:
            return [records.watch_record(r._mapping) for r in conn.execute(query)]

    def disable_watch(self, watch_id: int) -> Watch:
        """Stop checking a watch; an account's discovered posts stop with it."""
        discovered = (_WATCH.c.parent_id == watch_id) & (_WATCH.c.origin == DISCOVERED)
        with self._connection() as conn:
            mine = (_WATCH.c.id == watch_id) | discovered
            conn.execute(_WATCH.update().where(mine).values(enabled=False))
        return self.get_watch(watch_id)

    def purge_watch(self, watch_id: int) -> int:
        """Delete a watch with its revisions, events and deliveries (an account: with the
        posts it discovered; posts it adopted stay); returns how many revisions went."""
        watch = self.get_watch(watch_id)
        gone = watch.revisions
        for child in self.children(watch_id):
            if child.discovered:
                gone += self.purge_watch(child.id)
        events = select(_EVENT.c.id).where(_EVENT.c.watch_id == watch_id)
        with self._connection() as conn:
            adopted = _WATCH.c.parent_id == watch_id
            conn.execute(_WATCH.update().where(adopted).values(parent_id=None))
            conn.execute(delete(_DELIVERY).where(_DELIVERY.c.event_id.in_(events)))
            conn.execute(delete(_EVENT).where(_EVENT.c.watch_id == watch_id))
            conn.execute(delete(_METRIC).where(_METRIC.c.watch_id == watch_id))
            conn.execute(delete(_REVISION).where(_REVISION.c.watch_id == watch_id))
            conn.execute(delete(_WATCH).where(_WATCH.c.id == watch_id))
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
                        entry.target, entry.interval, now, True, entry.channels, entry.pages
                    )
                    values |= {"origin": "config", "next_check_at": first_check(entry.interval)}
                    new_id = conn.execute(_WATCH.insert().returning(_WATCH.c.id), values).scalar()
                    wanted.add(int(new_id or 0))
                    added += 1
                    continue
                wanted.add(row.id)
                changes = records.config_changes(row, entry)
                if changes:
                    conn.execute(_WATCH.update().where(_WATCH.c.id == row.id).values(changes))
                    changed += 1
                if "channels" in changes:  # an account's posts alert where the account does
                    conn.execute(
                        _WATCH.update()
                        .where(_WATCH.c.parent_id == row.id, _WATCH.c.origin == DISCOVERED)
                        .values(channels=changes["channels"])
                    )
            unwanted = _WATCH.c.id.not_in(wanted) if wanted else true()
            gone = conn.execute(
                _WATCH.update()
                .where(_WATCH.c.origin == "config", _WATCH.c.enabled.is_(True), unwanted)
                .values(enabled=False)
            )
        return SyncReport(added, changed, gone.rowcount)

    # -- scheduling ----------------------------------------------------------------------

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Watch]:
        """Take up to `limit` due watches by moving their next check to `lease_until`.

        One statement: on PostgreSQL the inner SELECT locks with SKIP LOCKED, so several
        daemons never claim the same watch; SQLite serialises writers. A daemon that dies
        mid-check leaves the lease, and the watch is checked again when it runs out."""
        due = _WATCH.c.enabled.is_(True), _WATCH.c.next_check_at <= now
        return self._claim(due, limit, lease_until)

    def claim(self, ids: Sequence[int], now: datetime, lease_until: datetime) -> list[Watch]:
        """Take these watches for a check now, whatever their schedule, unless a check of
        theirs is already under way elsewhere (its lease runs past `now`)."""
        lease = _WATCH.c.claimed_until
        free = _WATCH.c.id.in_(list(ids)), lease.is_(None) | (lease <= now)
        return self._claim(free, len(ids), lease_until)

    def _claim(self, where: Sequence[Any], limit: int, lease_until: datetime) -> list[Watch]:
        due = (
            select(_WATCH.c.id)
            .where(*where)
            .order_by(_WATCH.c.next_check_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            _WATCH.update()
            .where(_WATCH.c.id.in_(due.scalar_subquery()))
            .values(next_check_at=lease_until, claimed_until=lease_until)
            .returning(*_WATCH.c)
        )
        with self._connection() as conn:
            rows = conn.execute(claim).all()
        return sorted((records.watch_record(r._mapping) for r in rows), key=lambda w: w.id)

    # -- one check -----------------------------------------------------------------------

    def record(
        self,
        watch: Watch,
        outcome: Outcome,
        post: Post | None,
        now: datetime,
        next_check_at: datetime,
        route: Route = no_route,
        enabled: bool | None = None,
        steps: Sequence[Step] = (),
    ) -> Watch:
        """Write one check in ONE transaction: the revision (only if the content changed),
        the events, one outbox row per event and channel, and the watch's new state.
        `enabled` (when given) starts or stops the watch's schedule. `steps` are versions
        the check learnt of from the platform's edit history: each is written first, as a
        revision and an edit of its own, at the time the platform gives it."""
        with self._connection() as conn:
            for step in steps:
                watch = write_check(
                    conn, watch, step.outcome, step.post, step.at, watch.next_check_at, route
                )
            return write_check(conn, watch, outcome, post, now, next_check_at, route, enabled)

    def record_account(
        self,
        watch: Watch,
        outcome: Outcome,
        post: Post | None,
        now: datetime,
        next_check_at: datetime,
        route: Route,
        listing: Sequence[str],
        discovered: Sequence[Discovery] = (),
    ) -> tuple[Watch, list[Watch]]:
        """One check of an account in ONE transaction: its own state, the listing it saw,
        and a post watch (with revision 1 and its `new` event) per discovered post. A post
        already watched on its own is adopted, not duplicated. Returns the account and the
        post watches created."""
        with self._connection() as conn:
            account = write_check(conn, watch, outcome, post, now, next_check_at, route)
            by_id = _WATCH.c.id == watch.id
            conn.execute(_WATCH.update().where(by_id).values(listing=list(listing)))
            created = [
                child
                for found in discovered
                if (child := add_post(conn, account, found, now, route)) is not None
            ]
        return replace(account, listing=tuple(listing)), created

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

    def event_counts(self, watch_ids: Sequence[int]) -> dict[EventKind, int]:
        """How many events of each kind these watches have had."""
        query = (
            select(_EVENT.c.kind, func.count())
            .where(_EVENT.c.watch_id.in_(list(watch_ids)))
            .group_by(_EVENT.c.kind)
        )
        with self._connection() as conn:
            return {EventKind(kind): int(n) for kind, n in conn.execute(query)}

    # -- history -------------------------------------------------------------------------

    def revisions(self, watch_id: int) -> list[Revision]:
        """Every stored version, newest first."""
        query = (
            select(_REVISION)
            .where(_REVISION.c.watch_id == watch_id)
            .order_by(_REVISION.c.number.desc())
        )
        with self._connection() as conn:
            return [records.revision_record(r._mapping) for r in conn.execute(query)]

    def revision(self, watch_id: int, number: int) -> Revision:
        query = select(_REVISION).where(
            _REVISION.c.watch_id == watch_id, _REVISION.c.number == number
        )
        with self._connection() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise UsageError(f"watch {watch_id} has no revision {number}")
        return records.revision_record(row._mapping)

    def events(self, watch_id: int) -> list[StoredEvent]:
        """Every event, newest first."""
        query = (
            select(_EVENT)
            .where(_EVENT.c.watch_id == watch_id)
            .order_by(_EVENT.c.at.desc(), _EVENT.c.id.desc())
        )
        with self._connection() as conn:
            return [records.event_record(r._mapping) for r in conn.execute(query)]

    def metric_samples(self, watch_id: int) -> list[tuple[datetime, dict[str, int]]]:
        """The counters' history, oldest first: (when first seen, values)."""
        query = (
            select(_METRIC.c.at, _METRIC.c["values"])
            .where(_METRIC.c.watch_id == watch_id)
            .order_by(_METRIC.c.at, _METRIC.c.id)
        )
        with self._connection() as conn:
            return [(row[0], dict(row[1])) for row in conn.execute(query)]

    def count_revisions(self) -> int:
        with self._connection() as conn:
            return int(conn.execute(select(func.count()).select_from(_REVISION)).scalar_one())

    # -- the outbox ----------------------------------------------------------------------


# -- helpers ---------------------------------------------------------------------------------


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<database>"
