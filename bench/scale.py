"""Many watches, nothing due: what a start, `watcher status` and an idle daemon cost.

    .venv/bin/python bench/scale.py [--watches 100000] [--runs 3]

Fills a fresh SQLite file with N web watches (one bulk insert; none due for an hour, as after
a check), then times, each in a fresh process under GNU time: `watcher run --once` (a start
with nothing due: open the store, sync an empty config, claim nothing, exit) and `watcher
status`; and reads the RSS of `watcher run` (the daemon) after it has settled.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watcher.model import Target
from watcher.store import Store
from watcher.store.records import new_watch_values
from watcher.store.writes import WATCH

WATCHER = [sys.executable, "-m", "watcher.cli"]


def fill(db: Path, count: int) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)
    store = Store(f"sqlite:///{db}")
    rows = []
    for i in range(count):
        values = new_watch_values(Target(f"https://example.com/p/{i}", "web"), 3600, now, True, ())
        rows.append(values | {"next_check_at": later, "status": "unchanged"})
    with store.engine.begin() as conn:
        conn.execute(WATCH.insert(), rows)
    store.close()


def timed(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MB) of `runs` runs of a command."""
    walls, peaks = [], []
    for _ in range(runs):
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", *WATCHER, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        wall, peak_kb = done.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        peaks.append(int(peak_kb) / 1024)
    return statistics.median(walls), max(peaks)


def daemon_rss(config: Path, settle: float) -> float:
    proc = subprocess.Popen([*WATCHER, "run", "-c", str(config)], stderr=subprocess.DEVNULL)
    time.sleep(settle)
    status = Path(f"/proc/{proc.pid}/status").read_text()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watches", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="watcher-scale-"))
    db, config = tmp / "w.db", tmp / "config.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    started = time.perf_counter()
    fill(db, args.watches)
    print(f"scale: {args.watches:,} watches in {time.perf_counter() - started:.1f} s ({db})")
    for name, command in (("run --once", ["run", "--once"]), ("status", ["status"])):
        wall, peak = timed([*command, "-c", str(config)], args.runs)
        print(f"  watcher {name:<11} {wall:.2f} s  peak RSS {peak:.0f} MB")
    print(f"  daemon after {args.settle:g} s: peak RSS {daemon_rss(config, args.settle):.0f} MB")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
