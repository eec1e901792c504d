"""Claims name their claimer, so that a daemon starting on this machine releases at once the
claims of one that died here. Real processes; SQLite and the local PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import applied, planned
from watcher.model import EventKind, Post, Target
from watcher.store import PROCESS, Store, died_here

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = T0 + timedelta(minutes=5)
ROOT = Path(__file__).resolve().parents[1]

# Another daemon: claims every due watch, says how many, then holds on until its stdin closes.
CLAIMER = """
import sys
from datetime import datetime
from watcher.store import Store

store = Store(sys.argv[1])
now, lease = (datetime.fromisoformat(arg) for arg in sys.argv[2:4])
print(len(store.claim_due(now, 100, lease)), flush=True)
sys.stdin.read()
store.close()
"""


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


def _watches(store: Store, n: int) -> list[int]:
    return [
        store.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True).id
        for i in range(n)
    ]


def _claimer(db_url: str) -> subprocess.Popen[str]:
    """Another process on this machine that claims every due watch; it runs until its stdin
    is closed."""
    claimer = subprocess.Popen(
        [sys.executable, "-c", CLAIMER, db_url, T0.isoformat(), LEASE.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert claimer.stdout is not None
    claimed = claimer.stdout.readline()
    assert claimed.strip().isdigit(), "the claiming process failed"
    return claimer


def _end(claimer: subprocess.Popen[str]) -> None:
    assert claimer.stdin is not None
    claimer.stdin.close()
    assert claimer.wait(timeout=60) == 0


def test_claims_of_a_process_that_died_here_are_released_at_once(store: Store, db_url: str):
    ids = _watches(store, 3)
    _end(_claimer(db_url))  # it claimed all three, then died without checking them
    assert store.claim_due(T0, 10, LEASE) == []  # its lease still runs
    now = T0 + timedelta(seconds=30)
    assert store.release_dead_claims(now) == 3
    assert {w.next_check_at for w in store.list_watches()} == {now}  # due at once
    assert [w.id for w in store.claim_due(now, 10, LEASE)] == ids
    assert store.release_dead_claims(now) == 0  # ours now, and we are alive


def test_claims_of_a_live_process_stay(store: Store, db_url: str):
    _watches(store, 2)
    claimer = _claimer(db_url)
    try:
        assert store.release_dead_claims(T0) == 0
        assert store.claim_due(T0, 10, LEASE) == []
    finally:
        _end(claimer)
    assert store.release_dead_claims(T0) == 2  # once it is gone


def test_claims_of_this_process_stay(store: Store):
    _watches(store, 2)
    assert len(store.claim_due(T0, 10, LEASE)) == 2
    assert store.release_dead_claims(T0) == 0
    assert store.claim_due(T0, 10, LEASE) == []


def test_claims_of_an_earlier_process_with_this_pid_are_released(store: Store):
    """A restarted container's daemon often gets its predecessor's pid: the claimer's token
    tells them apart."""
    _watches(store, 2)
    store.claim_due(T0, 10, LEASE)
    host, pid, _token = PROCESS.split(":")
    with store.engine.begin() as conn:  # as the predecessor would have left them
        conn.exec_driver_sql(f"UPDATE watch SET claimed_by = '{host}:{pid}:0ther0ne'")
    assert store.release_dead_claims(T0) == 2
    assert len(store.claim_due(T0, 10, LEASE)) == 2


def test_applying_or_flushing_a_check_ends_its_claim(store: Store):
    ids = _watches(store, 2)
    changed, unchanged = store.claim_due(T0, 10, LEASE)
    applied(store, planned(changed, T0, Post("1", changed.target.url, "A"), EventKind.NEW))
    store.defer(planned(unchanged, T0))
    store.flush()
    assert [w.id for w in store.claim(ids, T0, LEASE)] == ids  # neither check is under way
    assert store.release_dead_claims(T0) == 0


def test_a_holder_is_known_dead_only_when_its_process_on_this_machine_is_gone():
    host, pid, _token = PROCESS.split(":")
    assert host == socket.gethostname() and pid == str(os.getpid())
    assert not died_here(PROCESS)  # this process: alive
    assert not died_here(f"{PROCESS}:drain1")  # a part of it, e.g. a channel drainer
    assert died_here(f"{host}:{pid}:0ther0ne")  # an earlier process with our pid
    assert not died_here(f"{host}:{os.getppid()}:abcd1234")  # a live process
    assert died_here(f"{host}:{2**22 + 12345}:abcd1234")  # beyond any pid in use
    assert not died_here(f"elsewhere.example:{pid}:abcd1234")  # another machine
    assert not died_here("")
