"""The rows of scheduled digests: a period's digest recorded once, with its event (the digest
names its period in the event's detail) and one outbox row per channel; and when each digest
was first seen, so that a digest added to the config today does not send last week's at once.
`Store` inherits these queries; it supplies the transaction (`_connection`)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

import watcher.store.records as records
from watcher.errors import StoreError
from watcher.model import EventKind
from watcher.store.tables import DIGEST_RUN, EVENT, META
from watcher.store.writes import DELIVERY

_SINCE = "digest_since:"  # the meta key prefix of a digest's first sighting


class DigestQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def digest_since(self, key: str, now: datetime) -> datetime:
        """When the digest `key` was first seen (recorded now if it never was)."""
        name = _SINCE + key
        with self._connection() as conn:
            found = conn.execute(select(META.c.value).where(META.c.key == name)).scalar()
            if found:
                return datetime.fromisoformat(found)
        try:
            with self._connection() as conn:
                conn.execute(META.insert().values(key=name, value=now.isoformat()))
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            with self._connection() as conn:  # another daemon recorded it first: theirs stands
                return datetime.fromisoformat(
                    conn.execute(select(META.c.value).where(META.c.key == name)).scalar_one()
                )
        return now

    def record_digest(
        self,
        key: str,
        account_id: int,
        period: tuple[datetime, datetime],
        detail: str,
        channels: Sequence[str],
        now: datetime,
    ) -> bool:
        """Record one period's digest: its event on the account, its outbox rows, and the
        run that keeps it from being recorded twice. False when it was recorded already (by
        this daemon before a restart, or by another one)."""
        values = records.event_values(account_id, EventKind.DIGEST, now, detail, 0, 0)
        try:
            with self._connection() as conn:
                event_id = conn.execute(EVENT.insert().returning(EVENT.c.id), values).scalar_one()
                run = {"digest": key, "period_start": period[0], "period_end": period[1]}
                run |= {"watch_id": account_id, "event_id": event_id, "created_at": now}
                conn.execute(DIGEST_RUN.insert().values(run))
                outbox = [records.delivery_values(event_id, name, now) for name in channels]
                if outbox:
                    conn.execute(DELIVERY.insert(), outbox)
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False  # the unique (digest, period) row exists: someone recorded it
            raise
        return True
