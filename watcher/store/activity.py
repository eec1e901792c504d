"""Reading what an account's posts did over a period, for digests: one query per table, each
filtered in SQL by time and by the account (a join on `watch.parent_id`, or the ids of posts an
earlier query found), so the cost follows the period, not the account's whole history. `Store`
inherits these queries; it supplies the transaction (`_connection`)."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Connection, Select, bindparam, func, select

import watcher.store.records as records
from watcher.model import EventKind, Followed, Revision, StoredEvent
from watcher.store.writes import EVENT as _EVENT
from watcher.store.writes import METRIC as _METRIC
from watcher.store.writes import REVISION as _REVISION
from watcher.store.writes import WATCH as _WATCH

# What happens to a post that a digest reports.
CHANGES = (EventKind.EDITED, EventKind.DELETED, EventKind.REMOVED, EventKind.RESTORED)
_SPELLS = (EventKind.SILENT, EventKind.BACK)  # the account's own: it went quiet, came back
# A list of post ids, written into the statement: as many as a year of posts may be, past
# SQLite's limit on bound parameters.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True, literal_execute=True)

Counters = dict[str, int]


@dataclass(frozen=True, slots=True)
class AccountRows:
    """What an account's posts did, as `account_rows` read it (`watcher.digest.DigestData` is
    made of it)."""

    posts: list[Followed]  # published from `since` to the end, by the time they were
    revisions: list[Revision]  # of the posts published in the period or changed in it
    events: list[StoredEvent]  # the posts' edits, deletions, restorations in the period
    account_events: list[StoredEvent]  # the account's silent/back events before the end
    samples: list[tuple[int, datetime, Counters]]  # in the period, oldest first
    baselines: dict[int, Counters]  # each post sampled in the period: its sample before it


class ActivityQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def account_rows(
        self, account_id: int, since: datetime, start: datetime, end: datetime
    ) -> AccountRows:
        """What the posts of account watch `account_id` did from `start` to `end`, and which
        were published from `since` (the period before, to compare) to `end`; read in one
        transaction, so the parts agree."""
        reads = _Reads(account_id, start, end)
        with self._connection() as conn:
            posts = reads.posts(conn, since)
            events = reads.events(conn)
            samples = reads.samples(conn)
            fresh = {p.watch_id for p in posts if p.posted_at and p.posted_at >= start}
            told = fresh | {event.watch_id for event in events}
            return AccountRows(
                posts=posts,
                revisions=reads.revisions(conn, told),
                events=events,
                account_events=reads.account_events(conn),
                samples=samples,
                baselines=reads.baselines(conn, {watch_id for watch_id, _, _ in samples}),
            )


class _Reads:
    """The queries of one account and period."""

    def __init__(self, account_id: int, start: datetime, end: datetime) -> None:
        self.account_id, self.start, self.end = account_id, start, end
        # A post's time: when it was published, else when it was found (as `stats` counts).
        self.posted = func.coalesce(_WATCH.c.posted_at, _WATCH.c.created_at)

    def _mine(self) -> ColumnElement[bool]:
        return _WATCH.c.parent_id == self.account_id

    def posts(self, conn: Connection, since: datetime) -> list[Followed]:
        query = select(_WATCH.c.id, _WATCH.c.post_id, self.posted).where(
            self._mine(), self.posted >= since, self.posted < self.end
        )
        return [Followed(*row) for row in conn.execute(query.order_by(self.posted, _WATCH.c.id))]

    def events(self, conn: Connection) -> list[StoredEvent]:
        """The events of the period a digest reports, of this account's posts."""
        query = (
            select(_EVENT)
            .join(_WATCH, _WATCH.c.id == _EVENT.c.watch_id)
            .where(self._mine(), _EVENT.c.at >= self.start, _EVENT.c.at < self.end)
            .where(_EVENT.c.kind.in_([kind.value for kind in CHANGES]))
            .order_by(_EVENT.c.at, _EVENT.c.id)
        )
        return [records.event_record(row._mapping) for row in conn.execute(query)]

    def revisions(self, conn: Connection, watch_ids: Collection[int]) -> list[Revision]:
        """Every stored version of these posts."""
        query = select(_REVISION).where(_REVISION.c.watch_id.in_(_IDS))
        rows = conn.execute(query, {"ids": sorted(watch_ids)})
        return [records.revision_record(row._mapping) for row in rows]

    def account_events(self, conn: Connection) -> list[StoredEvent]:
        query = select(_EVENT).where(
            _EVENT.c.watch_id == self.account_id,
            _EVENT.c.kind.in_([kind.value for kind in _SPELLS]),
            _EVENT.c.at < self.end,
        )
        ordered = query.order_by(_EVENT.c.at, _EVENT.c.id)
        return [records.event_record(row._mapping) for row in conn.execute(ordered)]

    def samples(self, conn: Connection) -> list[tuple[int, datetime, Counters]]:
        query: Select[Any] = (
            select(_METRIC.c.watch_id, _METRIC.c.at, _METRIC.c["values"])
            .join(_WATCH, _WATCH.c.id == _METRIC.c.watch_id)
            .where(self._mine(), _METRIC.c.at >= self.start, _METRIC.c.at < self.end)
            .order_by(_METRIC.c.at, _METRIC.c.id)
        )
        return [(w, at, dict(values)) for w, at, values in conn.execute(query)]

    def baselines(self, conn: Connection, watch_ids: Collection[int]) -> dict[int, Counters]:
        """Each of these posts' last sample before the period (samples are written in time
        order, so the highest id is the last)."""
        last = (
            select(func.max(_METRIC.c.id))
            .where(_METRIC.c.watch_id.in_(_IDS), _METRIC.c.at < self.start)
            .group_by(_METRIC.c.watch_id)
        )
        query = select(_METRIC.c.watch_id, _METRIC.c["values"]).where(_METRIC.c.id.in_(last))
        return {w: dict(values) for w, values in conn.execute(query, {"ids": sorted(watch_ids)})}
