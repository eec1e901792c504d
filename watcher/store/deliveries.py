"""The outbox's rows: pending deliveries in event order, their outcomes, and the channel leases
that let one drainer at a time send a channel's alerts. `Store` inherits these queries; it
supplies the transaction (`_connection`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, select
from sqlalchemy.exc import IntegrityError

import watcher.store.records as records
from watcher.errors import StoreError, UsageError
from watcher.model import Delivery, DeliveryState
from watcher.store.tables import CHANNEL_LEASE
from watcher.store.writes import DELIVERY as _DELIVERY
from watcher.store.writes import EVENT as _EVENT
from watcher.store.writes import WATCH as _WATCH

_LEASE = CHANNEL_LEASE
_UNDELIVERED = (DeliveryState.PENDING, DeliveryState.DEAD)


class DeliveryQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def pending_deliveries(self, limit: int = 100, channel: str = "") -> list[Delivery]:
        """Pending deliveries (of one channel, if named) in the order their events happened,
        due or not."""
        pending = _DELIVERY.c.state == DeliveryState.PENDING
        if channel:
            return self._deliveries((pending, _DELIVERY.c.channel == channel), limit)
        return self._deliveries((pending,), limit)

    def pending_channels(self) -> list[str]:
        """The channels that have pending deliveries."""
        query = select(_DELIVERY.c.channel).where(_DELIVERY.c.state == DeliveryState.PENDING)
        with self._connection() as conn:
            return sorted(set(conn.execute(query.distinct()).scalars()))

    def take_channel(
        self, channel: str, holder: str, now: datetime, until: datetime, dead: str = ""
    ) -> bool:
        """Hold `channel`'s outbox for `holder` until `until` (a renewal when it holds it
        already); False while another holder's lease runs, unless that holder is `dead` (a
        drainer known to have died)."""
        lease = _LEASE.c
        mine = lease.holder.in_([holder, dead] if dead else [holder])
        free = lease.channel == channel, (lease.until <= now) | mine
        with self._connection() as conn:
            taken = conn.execute(_LEASE.update().where(*free).values(holder=holder, until=until))
            if taken.rowcount:
                return True
        try:  # never leased before: the first insert wins, a concurrent one conflicts
            with self._connection() as conn:
                conn.execute(_LEASE.insert().values(channel=channel, holder=holder, until=until))
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
        return True

    def channel_holder(self, channel: str) -> str:
        """Who holds (or last held) `channel`'s lease; "" if nobody ever did."""
        query = select(_LEASE.c.holder).where(_LEASE.c.channel == channel)
        with self._connection() as conn:
            return conn.execute(query).scalar() or ""

    def release_channel(self, channel: str, holder: str, now: datetime) -> None:
        held = _LEASE.c.channel == channel, _LEASE.c.holder == holder
        with self._connection() as conn:
            conn.execute(_LEASE.update().where(*held).values(until=now))

    def undelivered(self, limit: int | None = None) -> list[Delivery]:
        """Every pending or dead delivery, oldest first (the first `limit` of them, if given)."""
        return self._deliveries((_DELIVERY.c.state.in_(_UNDELIVERED),), limit)

    def delivery_sent(self, delivery_id: int, parts: int, now: datetime) -> None:
        self._update_delivery(
            delivery_id, state=DeliveryState.SENT, parts_sent=parts, sent_at=now, last_error=""
        )

    def delivery_failed(
        self, delivery: Delivery, parts_sent: int, error: str, retry_at: datetime, dead: bool
    ) -> None:
        self._update_delivery(
            delivery.id,
            state=DeliveryState.DEAD if dead else DeliveryState.PENDING,
            attempts=delivery.attempts + 1,
            parts_sent=parts_sent,
            next_attempt_at=retry_at,
            last_error=error,
        )

    def retry_deliveries(self, now: datetime, channels: Collection[str]) -> int:
        """Make every pending or dead delivery to one of `channels` due now; returns how
        many. (Alerts for other channels are left as they are: they could not be sent.)"""
        undelivered = _DELIVERY.c.state.in_(_UNDELIVERED), _DELIVERY.c.channel.in_(channels)
        with self._connection() as conn:
            result = conn.execute(
                _DELIVERY.update()
                .where(*undelivered)
                .values(state=DeliveryState.PENDING, next_attempt_at=now)
            )
        return result.rowcount

    def undelivered_channels(self) -> list[str]:
        """The channels that have pending or dead deliveries."""
        query = select(_DELIVERY.c.channel).where(_DELIVERY.c.state.in_(_UNDELIVERED))
        with self._connection() as conn:
            return sorted(set(conn.execute(query.distinct()).scalars()))

    def retire_channel(self, channel: str, reason: str) -> int:
        """Give up, saying `reason`, on every undelivered alert to `channel` (one that can no
        longer be sent): dead, so that no drain stops at it again; returns how many (those
        retired already are not counted again)."""
        d = _DELIVERY.c
        mine = d.channel == channel, d.state.in_(_UNDELIVERED), d.last_error != reason
        retired = {"state": DeliveryState.DEAD, "last_error": reason}
        with self._connection() as conn:
            return conn.execute(_DELIVERY.update().where(*mine).values(retired)).rowcount

    def drop_deliveries(self, ids: Collection[int]) -> int:
        """Delete these undelivered alerts (their events stay in the history); a UsageError,
        dropping none, if one of them is not an undelivered alert."""
        chosen = _DELIVERY.c.id.in_(ids), _DELIVERY.c.state.in_(_UNDELIVERED)
        with self._connection() as conn:
            found = set(conn.execute(select(_DELIVERY.c.id).where(*chosen)).scalars())
            missing = sorted(set(ids) - found)
            if missing:
                raise UsageError(f"no undelivered alert {', '.join(map(str, missing))}")
            conn.execute(delete(_DELIVERY).where(*chosen))
        return len(found)

    def drop_dead(self) -> int:
        """Delete every dead alert (their events stay in the history); returns how many."""
        dead = _DELIVERY.c.state == DeliveryState.DEAD
        with self._connection() as conn:
            return conn.execute(delete(_DELIVERY).where(dead)).rowcount

    def _update_delivery(self, delivery_id: int, **values: Any) -> None:
        with self._connection() as conn:
            conn.execute(_DELIVERY.update().where(_DELIVERY.c.id == delivery_id).values(values))

    def _deliveries(self, where: Sequence[Any], limit: int | None) -> list[Delivery]:
        query = (
            select(_DELIVERY, _EVENT, _WATCH)
            .join(_EVENT, _EVENT.c.id == _DELIVERY.c.event_id)
            .join(_WATCH, _WATCH.c.id == _EVENT.c.watch_id)
            .where(*where)
            .order_by(_DELIVERY.c.id)
            .limit(limit)
        )
        with self._connection() as conn:
            return [_delivery_record(row) for row in conn.execute(query)]


def _delivery_record(row: Row[Any]) -> Delivery:
    """A joined delivery + event + watch row; the three tables' columns share names, so they
    are picked by position."""
    values = tuple(row)
    n_delivery, n_event = len(_DELIVERY.c), len(_EVENT.c)
    delivery = dict(zip(_DELIVERY.c.keys(), values[:n_delivery], strict=True))
    event_cols = values[n_delivery : n_delivery + n_event]
    event = dict(zip(_EVENT.c.keys(), event_cols, strict=True))
    watch = dict(zip(_WATCH.c.keys(), values[n_delivery + n_event :], strict=True))
    return records.delivery_record(
        delivery, records.event_record(event), records.watch_record(watch)
    )
