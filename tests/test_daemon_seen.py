"""When each daemon was last seen: written as it starts, on a heartbeat and as it stops, and
shown on `watcher serve`'s Health page and in its JSON twin."""

from __future__ import annotations

import os
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.daemon import FAST_DAEMON, DaemonProcess, running, wait_until
from watcher.app import App
from watcher.errors import WatcherError
from watcher.serve.routes import create_app
from watcher.serve.store import read_only_url
from watcher.settings import Settings
from watcher.store import Store
from watcher.store.daemons import HEARTBEAT, KEPT_FOR, LOST_AFTER, DaemonState


class _Empty:
    """What serve would say before the daemon made its database."""

    text = ""

    def json(self) -> Any:
        return {"daemons": {"seen": []}}


EMPTY = _Empty()
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_daemon_is_running_until_it_stops_or_misses_its_heartbeats(db_url: str):
    store = Store(db_url)
    try:
        store.daemon_started(T0, "1.2.3")
        (seen,) = store.seen_daemons(T0 + HEARTBEAT)
        assert (seen.host, seen.pid, seen.version) == (socket.gethostname(), os.getpid(), "1.2.3")
        assert seen.state is DaemonState.RUNNING and seen.started_at == seen.seen_at == T0
        store.daemon_seen(T0 + HEARTBEAT)
        assert store.seen_daemons(T0 + HEARTBEAT + LOST_AFTER)[0].state is DaemonState.RUNNING
        later = T0 + 2 * HEARTBEAT + LOST_AFTER
        assert store.seen_daemons(later)[0].state is DaemonState.LOST
        store.daemon_seen(later, stopped=True)
        (stopped,) = store.seen_daemons(later)
        assert stopped.state is DaemonState.STOPPED and stopped.stopped_at == later
    finally:
        store.close()


def test_daemons_unseen_for_a_month_are_forgotten_at_the_next_start(db_url: str):
    store = Store(db_url)
    try:
        store.daemon_started(T0, "1")
        assert store.seen_daemons(T0 + KEPT_FOR + timedelta(seconds=1)) == []
        store.daemon_started(T0 + KEPT_FOR * 2, "2")
        assert [d.version for d in store.seen_daemons(T0 + KEPT_FOR * 2)] == ["2"]
    finally:
        store.close()


def test_a_running_daemon_shows_on_the_health_page_then_as_stopped(tmp_path: Path):
    db = tmp_path / "w.db"
    config = tmp_path / "c.toml"
    config.write_text(FAST_DAEMON, encoding="utf-8")
    env = os.environ | {"WATCHER_DB": str(db)}
    daemon = DaemonProcess(config, env, tmp_path / "daemon.log", ["--db", str(db)])
    with running(daemon):
        pid = daemon.proc.pid if daemon.proc else 0
        wait_until(lambda: [d for d in health(db)["daemons"]["seen"] if d["pid"] == pid], 20)
        page = page_of(db)
        assert f"<td>{pid}</td>" in page and "running" in page
        assert daemon.stop(signal.SIGTERM) == 0
    (seen,) = health(db)["daemons"]["seen"]
    assert seen["state"] == "stopped" and seen["stopped_at"] is not None
    assert seen["host"] == socket.gethostname()


def health(db: Path) -> Any:
    return served(db, "/api/health").json()


def page_of(db: Path) -> str:
    return served(db, "/health").text


def served(db: Path, path: str) -> Any:
    """`path` as `watcher serve` answers it, read-only beside the running daemon."""
    try:
        with App(Settings(), read_only_url(f"sqlite:///{db}")) as app:
            return TestClient(create_app(app)).get(path)
    except WatcherError:  # the daemon has not made its database yet
        return EMPTY
