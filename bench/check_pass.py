"""Serve N posts locally, check them all twice through the real pipeline, print figures.

    .venv/bin/python bench/check_pass.py [--posts 1000] [--workers 8] [--keep-raw changes]

The second pass must find every post unchanged and add no revision row (exit 1 otherwise).
Figures: checks/second (wall), CPU ms per check (this process: fetch, parse, hash, detect,
store), peak RSS, and the SQLite size (db + WAL) after each pass; then the store's size once
checkpointed and the share the raw answers kept as evidence take (`[store] keep_raw`).
`BENCH_DIR` keeps the database in that folder instead of a fresh temporary one.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from watcher.app import App
from watcher.model import Status, Watch
from watcher.settings import KEEP_RAW, PlatformSettings, Settings

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, posts: int, accounts: int = 0) -> subprocess.Popen[str]:
    extra = [str(accounts)] if accounts else []
    server = subprocess.Popen(
        [sys.executable, str(HERE / "serve_posts.py"), str(port), str(posts), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    return server


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def evidence_share(db: Path) -> str:
    """The store's size once its WAL is checkpointed, and how much of it the raw answers kept
    as evidence take (tables and index, from SQLite's dbstat)."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total, raw = conn.execute(
            "SELECT sum(pgsize), sum(CASE WHEN name LIKE '%raw%' THEN pgsize ELSE 0 END)"
            " FROM dbstat"
        ).fetchone()
    rest = total - raw
    return (
        f"checkpointed store {total / 1024:.0f} KiB: raw answers {raw / 1024:.0f} KiB,"
        f" {100 * raw / rest:.1f}% on top of the rest ({rest / 1024:.0f} KiB)"
    )


def one_pass(app: App, watches: list[Watch], workers: int) -> tuple[list[Watch], dict[str, float]]:
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(app.check_once, watches))
    wall, cpu = time.perf_counter() - start_wall, cpu_seconds() - start_cpu
    statuses = {s.value: sum(r.status is s for r in results) for s in Status}
    figures = {
        "checks_per_s": len(watches) / wall,
        "cpu_ms_per_check": cpu * 1000 / len(watches),
        "wall_s": wall,
    }
    print(f"    statuses: { {k: v for k, v in statuses.items() if v} }")
    return [r.watch for r in results], figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--keep-raw", default="changes", choices=KEEP_RAW)
    args = parser.parse_args()

    port = free_port()
    server = start_server(port, args.posts)
    tmp = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="watcher-bench-"))
    db = tmp / "bench.db"
    platforms = {"mastodon": PlatformSettings(base_url=f"http://127.0.0.1:{port}")}
    try:
        with App(Settings(platforms=platforms, keep_raw=args.keep_raw), db=str(db)) as app:
            watches = [
                app.store.ensure_watch(
                    app.target(f"https://bench.example/@bench/{i}"), 60, app.clock(), True
                )
                for i in range(1, args.posts + 1)
            ]
            print(f"watcher bench: {args.posts} posts, {args.workers} workers, SQLite {db}")
            revisions = []
            for number in (1, 2):
                print(f"pass {number}:")
                watches, fig = one_pass(app, watches, args.workers)
                revisions.append(app.store.count_revisions())
                rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(
                    f"    {fig['checks_per_s']:.0f} checks/s  {fig['cpu_ms_per_check']:.2f} CPU ms"
                    f"/check  peak RSS {rss_mb:.0f} MB  DB {db_bytes(db) / 1024:.0f} KiB"
                    f"  revisions {revisions[-1]}  ({fig['wall_s']:.2f} s)"
                )
        print(evidence_share(db))
    finally:
        server.terminate()
        server.wait()
    if revisions[1] != revisions[0]:
        print(f"FAIL: the unchanged pass added {revisions[1] - revisions[0]} revision rows")
        return 1
    print("second pass added no revision rows")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
