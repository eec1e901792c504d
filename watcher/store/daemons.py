"""When each daemon was last seen (the `daemon` table, schema 8): a daemon says so as it
starts, every `HEARTBEAT` while it runs, and as it stops; `watcher serve`'s Health page and
`watcher doctor` read it. `Store` inherits `DaemonQueries`.

Claims and channel leases name a daemon only while it checks or sends; a daemon idle for
hours is still running, and this is how it shows.
"""

from __future__ import annotations

import os
import socket
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, delete, select, update

from watcher.store.process import PROCESS, died_here
from watcher.store.tables import DAEMON

HEARTBEAT = timedelta(seconds=60)
# Not seen for this long while not stopped: it died or hangs (three missed heartbeats).
LOST_AFTER = 3 * HEARTBEAT
KEPT_FOR = timedelta(days=30)  # rows of daemons not seen since are forgotten at a start


class DaemonState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"  # said so as it stopped
    LOST = "lost"  # stopped saying it runs without saying it stopped (killed, crashed, hung)


@dataclass(frozen=True, slots=True)
class SeenDaemon:
    """A daemon as the database last saw it, and what that means at `now`."""

    host: str
    pid: int
    version: str
    started_at: datetime
    seen_at: datetime
    stopped_at: datetime | None
    state: DaemonState


class DaemonQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def daemon_started(self, now: datetime, version: str) -> None:
        """This process runs as a daemon from `now`; rows long unseen are forgotten."""
        row = {"holder": PROCESS, "host": socket.gethostname(), "pid": os.getpid()}
        row |= {"version": version, "started_at": now, "seen_at": now, "stopped_at": None}
        with self._connection() as conn:
            conn.execute(delete(DAEMON).where(DAEMON.c.seen_at < now - KEPT_FOR))
            conn.execute(delete(DAEMON).where(DAEMON.c.holder == PROCESS))
            conn.execute(DAEMON.insert(), row)

    def daemon_seen(self, now: datetime, stopped: bool = False) -> None:
        """This daemon still runs at `now` (or, `stopped`, stops at `now`)."""
        values: dict[str, datetime] = {"seen_at": now}
        if stopped:
            values["stopped_at"] = now
        with self._connection() as conn:
            conn.execute(update(DAEMON).where(DAEMON.c.holder == PROCESS).values(values))

    def seen_daemons(self, now: datetime) -> list[SeenDaemon]:
        """Every daemon seen in the last `KEPT_FOR`, the latest seen first."""
        query = select(DAEMON).order_by(DAEMON.c.seen_at.desc(), DAEMON.c.holder)
        with self._connection() as conn:
            rows = conn.execute(query.where(DAEMON.c.seen_at >= now - KEPT_FOR)).all()
        return [
            SeenDaemon(
                host=row.host,
                pid=row.pid,
                version=row.version,
                started_at=row.started_at,
                seen_at=row.seen_at,
                stopped_at=row.stopped_at,
                state=_state(row.holder, row.seen_at, row.stopped_at, now),
            )
            for row in rows
        ]


def _state(holder: str, seen: datetime, stopped: datetime | None, now: datetime) -> DaemonState:
    if stopped is not None:
        return DaemonState.STOPPED
    if died_here(holder) or seen < now - LOST_AFTER:
        return DaemonState.LOST
    return DaemonState.RUNNING
