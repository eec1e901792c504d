"""Daemon cost while nothing changes: CPU% and RSS of `watcher run` with N watches at a
1-minute interval against a local fake Mastodon.

    .venv/bin/python bench/daemon_idle.py [--posts 1000] [--window 120]

Waits until every watch has its first snapshot and one more minute has passed (steady
state), then measures the daemon process's CPU time and RSS (from /proc) over `--window`
seconds. The fake platform runs in its own process and is not counted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from daemon_run import (
    Receiver,
    cpu_seconds_of,
    free_port,
    rss_mb_of,
    start_daemon,
    start_server,
    write_config,
)

from watcher.store import Store


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--window", type=float, default=120.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="watcher-idle-"))
    api_port = free_port()
    server = start_server(api_port, args.posts)
    receiver = Receiver()
    db, config, log = tmp / "w.db", tmp / "config.toml", tmp / "daemon.log"
    write_config(config, db, api_port, receiver.port, args.posts, "1m")
    daemon = start_daemon(config, log)
    try:
        deadline = time.monotonic() + 180
        while not (db.exists() and _revisions(db) >= args.posts):
            if time.monotonic() > deadline:
                print("timed out waiting for first snapshots")
                return 1
            time.sleep(1)
        print(f"{args.posts} first snapshots stored; steady state in 60 s")
        time.sleep(60)
        lines_before = log.read_text().count("\n")
        cpu_before, wall_before = cpu_seconds_of(daemon.pid), time.monotonic()
        rss = []
        while time.monotonic() - wall_before < args.window:
            time.sleep(5)
            rss.append(rss_mb_of(daemon.pid))
        cpu = cpu_seconds_of(daemon.pid) - cpu_before
        wall = time.monotonic() - wall_before
        checks = log.read_text().count("unchanged") - _unchanged_before(log, lines_before)
    finally:
        daemon.terminate()
        daemon.wait(30)
        server.terminate()
    print(
        f"{args.posts} watches @ 1 min, {wall:.0f} s window: {checks} checks "
        f"({checks / wall:.1f}/s), daemon CPU {cpu / wall * 100:.1f}% of one core "
        f"({cpu * 1000 / max(checks, 1):.2f} ms/check), RSS {rss[-1]:.0f} MB (peak {max(rss):.0f})"
    )
    print(f"alerts sent while idle: {len(receiver.arrivals)}")
    return 0


def _revisions(db: Path) -> int:
    store = Store(f"sqlite:///{db}")
    try:
        return store.count_revisions()
    finally:
        store.close()


def _unchanged_before(log: Path, lines: int) -> int:
    return "\n".join(log.read_text().splitlines()[:lines]).count("unchanged")


if __name__ == "__main__":
    sys.exit(main())
