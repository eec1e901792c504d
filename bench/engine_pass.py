"""Own CPU per check, in-process: N posts of the peers' fake site (`../shared/bench-peers/
fakeposts.py`, a separate process) checked through the daemon's path (engine → source → decide
→ apply, quiet checks batched), a first pass and an unchanged one, at a given concurrency.

    .venv/bin/python bench/engine_pass.py [--posts 1000] [--concurrency 8] [--profile]

Prints wall time, checks/s and this process's CPU ms per check for each pass (start-up and
database set-up excluded); `--profile` prints the unchanged pass's top functions (cProfile).
The unchanged pass must add no revision row (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from watcher.app import App, CheckResult
from watcher.engine import Engine
from watcher.model import Watch
from watcher.settings import DaemonSettings, PlatformSettings, Settings

SORT = os.environ.get("PROFILE_SORT", "tottime")
FAKEPOSTS = Path(__file__).resolve().parents[2] / "shared" / "bench-peers" / "fakeposts.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_pass(app: App, watches: list[Watch], concurrency: int) -> list[CheckResult]:
    slots = asyncio.Semaphore(concurrency)

    async def check(engine: Engine, watch: Watch) -> CheckResult:
        async with slots:
            return await app.check(engine, watch)

    async with Engine(app.settings.http) as engine:
        results = await asyncio.gather(*(check(engine, w) for w in watches))
    app.store.flush()
    return list(results)


def timed(app: App, watches: list[Watch], concurrency: int, profile: bool) -> list[CheckResult]:
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), cpu_seconds()
    if profiler:
        profiler.enable()
    results = asyncio.run(one_pass(app, watches, concurrency))
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    n = len(watches)
    print(f"    {wall:.2f} s  {n / wall:.0f} checks/s  {cpu * 1000 / n:.3f} CPU ms/check")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(SORT).print_stats(40)
        print(out.getvalue())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not FAKEPOSTS.exists():
        print(f"engine_pass: no {FAKEPOSTS}; skipped")
        return 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(FAKEPOSTS), "--port", str(port), "--posts", str(args.posts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and "fakeposts" in server.stdout.readline()
    db = Path(tempfile.mkdtemp(prefix="watcher-bench-")) / "bench.db"
    polite = PlatformSettings(max_concurrent=args.concurrency)
    settings = Settings(
        daemon=DaemonSettings(concurrency=args.concurrency), platforms={"web": polite}
    )
    try:
        with App(settings, db=str(db)) as app:
            app.defer_quiet = True
            watches = [
                app.store.ensure_watch(
                    app.target(f"http://127.0.0.1:{port}/post/{i}", selector=".post-text"),
                    3600,
                    app.clock(),
                    True,
                )
                for i in range(1, args.posts + 1)
            ]
            print(f"engine_pass: {args.posts} posts, {args.concurrency} in flight")
            counts = []
            for number, profile in ((1, False), (2, args.profile)):
                print(f"pass {number}:")
                results = timed(app, watches, args.concurrency, profile)
                watches = [r.watch for r in results]
                counts.append(app.store.count_revisions())
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak RSS {rss:.0f} MB")
    finally:
        server.terminate()
        server.wait()
    if counts[1] != counts[0]:
        print(f"FAIL: the unchanged pass added {counts[1] - counts[0]} revision rows")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
