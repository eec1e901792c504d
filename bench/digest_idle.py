"""What scheduled digests cost an idle daemon: the time of `DigestRuns.record_due` (called
before every drain, by default every 2 s) between two fire times, with N digests configured.

    .venv/bin/python bench/digest_idle.py [--digests 10] [--calls 100000]

Each digest's account is watched in a fresh SQLite file. The first call looks at each digest
once (reads when it was first seen, finds nothing due, keeps its next fire time); the calls
timed after it are the idle ones, and are compared with a drain tick.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from watcher.app import App
from watcher.digest_runs import DigestRuns
from watcher.model import Target
from watcher.settings import DaemonSettings, DigestSettings, Settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday: Monday's fire time is past


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--digests", type=int, default=10)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    accounts = [f"https://weibo.com/u/{1_000_000 + i}" for i in range(args.digests)]
    settings = Settings(digests=tuple(DigestSettings(url) for url in accounts))
    db = Path(tempfile.mkdtemp(prefix="watcher-digest-idle-")) / "w.db"
    with App(settings, f"sqlite:///{db}", clock=lambda: NOW) as app:
        for url in accounts:
            app.store.ensure_watch(Target(url, "weibo", account=True), 600.0, NOW, enable=True)
        runs = DigestRuns(app)
        started = time.perf_counter()
        runs.record_due()
        first = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(args.calls):
            runs.record_due()
        idle = (time.perf_counter() - started) / args.calls
    tick = DaemonSettings().drain_interval
    print(f"digests: {args.digests}")
    print(f"first look (reads the database once per digest): {first * 1000:.2f} ms")
    print(f"idle call (between fire times): {idle * 1e6:.2f} µs")
    print(f"share of a {tick:g} s drain tick: {idle / tick:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
