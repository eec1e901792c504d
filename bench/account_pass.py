"""Follow N local accounts of P posts each: list them all twice through the real pipeline.

    .venv/bin/python bench/account_pass.py [--accounts 200] [--posts 20] [--workers 8]

Pass 1 is the baseline (every listed post becomes a post watch with revision 1); pass 2 finds
every listing unchanged and must add no watch and no revision (exit 1 otherwise). Figures:
account checks/second (wall), CPU ms per account check (this process), and the SQLite size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from check_pass import db_bytes, free_port, one_pass, start_server

from watcher.app import App
from watcher.settings import PlatformSettings, Settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    port = free_port()
    server = start_server(port, args.posts, args.accounts)
    db = Path(tempfile.mkdtemp(prefix="watcher-bench-")) / "bench.db"
    platforms = {"mastodon": PlatformSettings(base_url=f"http://127.0.0.1:{port}")}
    totals = []
    try:
        with App(Settings(platforms=platforms), db=str(db)) as app:
            watches = [
                app.store.ensure_watch(
                    app.target(f"@user{k}@bench.example"), 300, app.clock(), True
                )
                for k in range(1, args.accounts + 1)
            ]
            print(f"watcher bench: {args.accounts} accounts × {args.posts} posts, SQLite {db}")
            for number in (1, 2):
                print(f"pass {number}:")
                watches, fig = one_pass(app, watches, args.workers)
                totals.append((len(app.store.list_watches(True)), app.store.count_revisions()))
                print(
                    f"    {fig['checks_per_s']:.0f} account checks/s  "
                    f"{fig['cpu_ms_per_check']:.2f} CPU ms/account check  "
                    f"watches {totals[-1][0]}  revisions {totals[-1][1]}  "
                    f"DB {db_bytes(db) / 1024:.0f} KiB  ({fig['wall_s']:.2f} s)"
                )
    finally:
        server.terminate()
        server.wait()
    if totals[1] != totals[0]:
        print(f"FAIL: the unchanged pass went from {totals[0]} to {totals[1]} (watches, revisions)")
        return 1
    print("second pass added no watch and no revision")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
