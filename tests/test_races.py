"""Checks that race each other, and daemons that die: never an error, never a wedged watch,
never a lost or duplicated revision, and a killed daemon's claims come back at once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.daemon import DaemonProcess, config_text, daemon_env, running, wait_until
from tests.server import FakeSite, Reply
from watcher.app import App
from watcher.model import EventKind, Status, Target
from watcher.settings import Settings
from watcher.store import Store

HTML = {"content-type": "text/html; charset=utf-8"}


def page(text: str, delay: float = 0.0) -> Reply:
    body = f"<html><body><article><p>{text}</p></article></body></html>"
    return Reply(200, body, HTML, delay=delay)


def test_five_concurrent_checks_and_a_daemon_never_fail(tmp_path: Path, site: FakeSite) -> None:
    """Five `watcher check` of one URL at once, on a fresh database, while a daemon checks the
    same watch every second: no error, one watch, one revision."""
    site.set("/post", page("the same words"))
    db, config = tmp_path / "fresh.db", tmp_path / "daemon.toml"
    watches = [{"url": site.url + "/post", "interval": "1s"}]
    config.write_text(config_text(db, [], watches), encoding="utf-8")
    env = daemon_env()
    command = [sys.executable, "-m", "watcher.cli", "check", site.url + "/post", "--db", str(db)]
    with running(DaemonProcess(config, env, tmp_path / "daemon.log")) as daemon:
        procs = [
            subprocess.Popen(
                [*command, "-c", str(config)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            for _ in range(5)
        ]
        results = [(p.wait(60), p.stderr.read().decode() if p.stderr else "") for p in procs]
        wait_until(lambda: site.hits("/post") >= 8, what="the daemon's checks too")
        assert daemon.stop() == 0
    assert [code for code, _ in results] == [0] * 5, results
    # No errors: the lines a first use prints (where the database, config and channels are)
    # are all a check may say on stderr.
    first_use = ("database: ", "config: ", "channels: ")
    said = [line for _, err in results for line in err.splitlines() if line.strip()]
    assert all(line.startswith(first_use) for line in said), results
    log = (tmp_path / "daemon.log").read_text()
    assert "ERROR" not in log and "Traceback" not in log, log
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from watch").fetchone() == (1,)
        assert conn.execute("select count(*), max(number) from revision").fetchone() == (1, 1)


def test_a_stale_check_is_dropped_and_never_wedges_the_watch(
    tmp_path: Path, site: FakeSite
) -> None:
    """A slow check that read the old text finishes after a fast one stored the new text: its
    answer is dropped (it is not newer), and the watch goes on as if it never happened."""
    db = str(tmp_path / "w.db")
    answers = iter([page("old text"), page("old text", delay=1.0)])
    site.set("/post", lambda _path: next(answers, page("new text")))
    slow_app, fast_app = App(Settings(), db=db), App(Settings(), db=db)
    target = Target(site.url + "/post", "web")
    watch = slow_app.store.ensure_watch(target, 60, slow_app.clock(), enable=True)
    first = slow_app.check_once(watch)
    assert first.status is Status.NEW
    stale: list[object] = []
    slow = threading.Thread(target=lambda: stale.append(slow_app.check_once(first.watch)))
    slow.start()
    time.sleep(0.3)  # the slow check has its request out, reading "old text"
    fast = fast_app.check_once(fast_app.store.get_watch(watch.id))
    slow.join(10)
    assert fast.status is Status.EDITED and fast.revision == 2
    assert getattr(stale[0], "stale", None) is True
    again = fast_app.check_once(fast_app.store.get_watch(watch.id))
    assert again.status is Status.UNCHANGED and again.revision == 2
    events = [e.kind for e in fast_app.store.events(watch.id)]
    assert events.count(EventKind.EDITED) == 1
    assert [r.number for r in fast_app.store.revisions(watch.id)] == [2, 1]
    slow_app.close()
    fast_app.close()


def test_a_killed_daemons_claims_are_taken_back_at_once(tmp_path: Path, site: FakeSite) -> None:
    db = tmp_path / "w.db"
    store = Store(f"sqlite:///{db}")
    for i in range(20):
        site.set(f"/post/{i}", page(f"post {i}", delay=5.0))  # every check is still in flight
        store.ensure_watch(Target(f"{site.url}/post/{i}", "web"), 3600, datetime.now(UTC), True)
    store.close()
    config = tmp_path / "config.toml"
    text = config_text(db, [], []).replace('timeout = "500ms"', 'timeout = "10s"')
    config.write_text(text, "utf-8")
    env = daemon_env()

    def ids(where: str) -> set[int]:
        with sqlite3.connect(db) as conn:
            return {row[0] for row in conn.execute(f"select id from watch where {where}")}

    with running(DaemonProcess(config, env, tmp_path / "first.log")) as first:
        wait_until(lambda: len(ids("claimed_until is not null")) >= 8, what="checks in flight")
        held = ids("claimed_until is not null")
        first.stop(signal.SIGKILL)
    for i in range(20):
        site.set(f"/post/{i}", page(f"post {i}"))
    with running(DaemonProcess(config, env, tmp_path / "second.log")) as second:
        # Their lease runs 5 minutes; a daemon restarted on this machine does not wait for it.
        wait_until(
            lambda: held <= ids("last_checked_at is not null"), timeout=20, what="held checked"
        )
        second.stop()
    assert "took back 8 claims" in (tmp_path / "second.log").read_text()
