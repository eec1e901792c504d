"""Claims: which process checks a watch now. `Store` inherits these queries; it supplies the
transaction (`_connection`).

A claim moves the watch's next check to the end of its lease and names the claimer
(`watcher.store.process.PROCESS`); applying the check's plan ends it. A claimer that dies
leaves its claim until the lease runs out, unless it died on this machine: then the next daemon
to start here releases it at once (`release_dead_claims`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

import watcher.store.records as records
from watcher.model import Watch
from watcher.store.process import PROCESS, died_here
from watcher.store.writes import WATCH as _WATCH


class ClaimQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[Watch]:
        """Take up to `limit` due watches by moving their next check to `lease_until`.

        One statement: on PostgreSQL the inner SELECT locks with SKIP LOCKED, so several
        daemons never claim the same watch; SQLite serialises writers."""
        due = _WATCH.c.enabled.is_(True), _WATCH.c.next_check_at <= now
        return self._claim(due, limit, lease_until)

    def claim(self, ids: Sequence[int], now: datetime, lease_until: datetime) -> list[Watch]:
        """Take these watches for a check now, whatever their schedule, unless a check of
        theirs is already under way elsewhere (its lease runs past `now`)."""
        lease = _WATCH.c.claimed_until
        free = _WATCH.c.id.in_(list(ids)), lease.is_(None) | (lease <= now)
        return self._claim(free, len(ids), lease_until)

    def release_dead_claims(self, now: datetime) -> int:
        """Release the claims of processes on this machine that no longer run (or of an
        earlier process that had this one's pid): their watches are due `now`. A daemon calls
        this as it starts; returns how many claims went."""
        holders = select(_WATCH.c.claimed_by).where(
            _WATCH.c.claimed_until.is_not(None), _WATCH.c.claimed_by != ""
        )
        with self._connection() as conn:
            dead = [h for h in conn.execute(holders.distinct()).scalars() if died_here(h)]
            if not dead:
                return 0
            released = conn.execute(
                _WATCH.update()
                .where(_WATCH.c.claimed_by.in_(dead), _WATCH.c.claimed_until.is_not(None))
                .values(claimed_until=None, claimed_by="", next_check_at=now)
            )
        return released.rowcount

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
            .values(next_check_at=lease_until, claimed_until=lease_until, claimed_by=PROCESS)
            .returning(*_WATCH.c)
        )
        with self._connection() as conn:
            rows = conn.execute(claim).all()
        return sorted((records.watch_record(r._mapping) for r in rows), key=lambda w: w.id)
