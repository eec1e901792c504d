"""How the store stands, counted in the database (what `watcher status` shows first), and the
small facts kept about the database as a whole. `Store` inherits these queries; it supplies
the transaction (`_connection`)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, case, func, select
from sqlalchemy.exc import IntegrityError

from watcher.errors import StoreError
from watcher.model import DeliveryState, Status
from watcher.store.daemons import LOST_AFTER
from watcher.store.process import died_here
from watcher.store.schema import stored_version
from watcher.store.tables import CHANNEL_LEASE, DAEMON, META
from watcher.store.writes import DELIVERY as _DELIVERY
from watcher.store.writes import WATCH as _WATCH

_META = META
CONFIG_DIGEST = "config_digest"


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over every watch and delivery, made by GROUP BY queries (no watch is loaded)."""

    watches: int = 0  # every watch, disabled ones included
    enabled: int = 0
    failing: int = 0  # enabled watches whose last check got no answer
    statuses: Mapping[Status | None, int] = field(default_factory=dict)  # enabled; None: unchecked
    pending: int = 0  # deliveries still to send
    dead: int = 0  # deliveries given up on


@dataclass(frozen=True, slots=True)
class Daemons:
    """The processes the database names as running daemons (their heartbeat, see
    `watcher.store.daemons`) or as checking watches or sending alerts (a claim's or a channel
    lease's holder): on this machine, those still running (`here`) and those that died
    (`died`), by pid; on other machines (`elsewhere`), by host, those whose heartbeat, claim
    or lease is recent."""

    here: tuple[int, ...] = ()
    died: tuple[int, ...] = ()
    elsewhere: tuple[str, ...] = ()


class StatusQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def summary(self) -> Summary:
        w = _WATCH.c
        failing = func.sum(case((w.fail_streak > 0, 1), else_=0))
        watches = select(w.enabled, w.status, func.count(), failing).group_by(w.enabled, w.status)
        undelivered = (DeliveryState.PENDING, DeliveryState.DEAD)
        deliveries = (
            select(_DELIVERY.c.state, func.count())
            .where(_DELIVERY.c.state.in_(undelivered))
            .group_by(_DELIVERY.c.state)
        )
        with self._connection() as conn:
            rows = conn.execute(watches).all()
            by_state = {DeliveryState(s): int(n) for s, n in conn.execute(deliveries)}
        statuses = {Status(s) if s else None: int(n) for on, s, n, _ in rows if on}
        return Summary(
            watches=sum(int(n) for _, _, n, _ in rows),
            enabled=sum(statuses.values()),
            failing=sum(int(f or 0) for on, _, _, f in rows if on),
            statuses=statuses,
            pending=by_state.get(DeliveryState.PENDING, 0),
            dead=by_state.get(DeliveryState.DEAD, 0),
        )

    def schema_version(self) -> int:
        """The schema version recorded in the database (0: none)."""
        with self._connection() as conn:
            return stored_version(conn)

    def daemons(self, now: datetime) -> Daemons:
        """Who runs as a daemon or holds claims and channel leases, read-only (`Daemons`)."""
        w, lease = _WATCH.c, CHANNEL_LEASE.c
        claims = select(w.claimed_by, func.max(w.claimed_until)).where(w.claimed_by != "")
        leases = select(lease.holder, func.max(lease.until)).where(lease.holder != "")
        beat = DAEMON.c
        beats = select(beat.holder, beat.seen_at).where(
            beat.stopped_at.is_(None), beat.seen_at >= now - LOST_AFTER
        )
        with self._connection() as conn:
            found = [*conn.execute(claims.group_by(w.claimed_by))]
            found += conn.execute(leases.group_by(lease.holder))
            found += [(h, seen + LOST_AFTER) for h, seen in conn.execute(beats)]
        rows: list[tuple[str, datetime | None]] = [(str(h), u) for h, u in found]
        host = socket.gethostname()
        here: set[int] = set()
        died: set[int] = set()
        elsewhere: set[str] = set()
        for holder, until in rows:
            name, pid, *_ = [*holder.split(":"), ""]
            if name != host:
                if until is not None and until > now:
                    elsewhere.add(name)
            elif pid.isdigit():
                (died if died_here(holder) else here).add(int(pid))
        return Daemons(tuple(sorted(here)), tuple(sorted(died - here)), tuple(sorted(elsewhere)))

    def config_digest(self) -> str:
        """The digest of the config last synced ("" before the first sync): a config whose
        digest is this one need not be synced again."""
        return self._meta(CONFIG_DIGEST)

    def set_config_digest(self, digest: str) -> None:
        self._set_meta(CONFIG_DIGEST, digest)

    def _meta(self, key: str) -> str:
        with self._connection() as conn:
            return conn.execute(select(_META.c.value).where(_META.c.key == key)).scalar() or ""

    def _set_meta(self, key: str, value: str) -> None:
        update = _META.update().where(_META.c.key == key).values(value=value)
        with self._connection() as conn:
            if conn.execute(update).rowcount:
                return
        try:
            with self._connection() as conn:
                conn.execute(_META.insert().values(key=key, value=value))
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            with self._connection() as conn:  # another process inserted it first: ours is newer
                conn.execute(update)
