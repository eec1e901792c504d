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

    def metric_samples(self, watch_id: int) -> list[tuple[datetime, dict[str, int]]]:
        """The counters' history, oldest first: (when first seen, values)."""
        query = (
            select(_METRIC.c.at, _METRIC.c["values"])
            .where(_METRIC.c.watch_id == watch_id)
            .order_by(_METRIC.c.at, _METRIC.c.id)
        )
        with self._connection() as conn:
            return [(row[0], dict(row[1])) for row in conn.execute(query)]
