"""Reading what was stored about watches: revisions, events and counter samples. `Store`
inherits these queries; it supplies the transaction (`_connection`)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection, func, select

import watcher.store.records as records
from watcher.errors import UsageError
from watcher.model import EventKind, Revision, StoredEvent
from watcher.store.writes import EVENT as _EVENT
from watcher.store.writes import METRIC as _METRIC
from watcher.store.writes import REVISION as _REVISION
from watcher.store.writes import WATCH as _WATCH

Sample = tuple[datetime, dict[str, int]]  # when counters were first seen at these values


class RevisionQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

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

    def count_revisions(self) -> int:
        with self._connection() as conn:
            return int(conn.execute(select(func.count()).select_from(_REVISION)).scalar_one())

    def events(self, watch_id: int) -> list[StoredEvent]:
        """Every event, newest first."""
        query = (
            select(_EVENT)
            .where(_EVENT.c.watch_id == watch_id)
            .order_by(_EVENT.c.at.desc(), _EVENT.c.id.desc())
        )
        with self._connection() as conn:
            return [records.event_record(r._mapping) for r in conn.execute(query)]

    def event_counts(self, watch_ids: Sequence[int]) -> dict[EventKind, int]:
        """How many events of each kind these watches have had."""
        query = (
            select(_EVENT.c.kind, func.count())
            .where(_EVENT.c.watch_id.in_(list(watch_ids)))
            .group_by(_EVENT.c.kind)
        )
        with self._connection() as conn:
            return {EventKind(kind): int(n) for kind, n in conn.execute(query)}

    def post_revision(self, account_id: int, post_id: str) -> Revision | None:
        """The newest stored version of the post `post_id` (the platform's id) that account
        `account_id` follows; None when it follows none such, or it stored no version."""
        posts = select(_WATCH.c.id).where(
            _WATCH.c.parent_id == account_id, _WATCH.c.post_id == post_id
        )
        query = (
            select(_REVISION)
            .where(_REVISION.c.watch_id.in_(posts))
            .order_by(_REVISION.c.number.desc())
            .limit(1)
        )
        with self._connection() as conn:
            row = conn.execute(query).first()
        return records.revision_record(row._mapping) if row else None

    def account_samples(self, account_id: int, since: datetime) -> dict[int, list[Sample]]:
        """The counters' history (oldest first) of each post account `account_id` follows
        whose counters were sampled after `since`, by post watch id: every sample, the earlier
        ones too (what a post stood at when `since` began). Only posts still followed are
        sampled, so this stays small however long the account has been watched."""
        posts = select(_WATCH.c.id).where(_WATCH.c.parent_id == account_id)
        recent = select(_METRIC.c.watch_id).where(
            _METRIC.c.at > since, _METRIC.c.watch_id.in_(posts)
        )
        query = (
            select(_METRIC.c.watch_id, _METRIC.c.at, _METRIC.c["values"])
            .where(_METRIC.c.watch_id.in_(recent))
            .order_by(_METRIC.c.watch_id, _METRIC.c.at, _METRIC.c.id)
        )
        found: dict[int, list[Sample]] = {}
        with self._connection() as conn:
            for watch_id, at, values in conn.execute(query):
                found.setdefault(watch_id, []).append((at, dict(values)))
        return found

    def metric_samples(self, watch_id: int) -> list[tuple[datetime, dict[str, int]]]:
        """The counters' history, oldest first: (when first seen, values)."""
        query = (
            select(_METRIC.c.at, _METRIC.c["values"])
            .where(_METRIC.c.watch_id == watch_id)
            .order_by(_METRIC.c.at, _METRIC.c.id)
        )
        with self._connection() as conn:
            return [(row[0], dict(row[1])) for row in conn.execute(query)]
