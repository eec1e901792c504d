"""Alert latency: from the moment the daemon detects an edit to the moment the local receiver
has the message.

    .venv/bin/python bench/alert_latency.py [--posts 20] [--edits 40]

Runs the real daemon (`watcher run`) as a subprocess with default daemon settings against a
local fake Mastodon and a json:// receiver; edits posts one at a time and compares each
`edited` event's detection time (stored in the database) with the arrival time of its alert.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

from daemon_run import Receiver, free_port, start_daemon, start_server, write_config

from watcher.model import EventKind
from watcher.store import Store


def wait_for(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout}s")


def edited_events(store: Store) -> dict[int, list[float]]:
    """Detection times of the edits, per post number, oldest first."""
    times: dict[int, list[float]] = defaultdict(list)
    for watch in store.list_watches():
        post = int(watch.target.url.rsplit("/", 1)[1])
        events = [e for e in store.events(watch.id) if e.kind is EventKind.EDITED]
        times[post] = sorted(e.at.timestamp() for e in events)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="watcher-latency-"))
    api_port = free_port()
    server = start_server(api_port, args.posts)
    receiver = Receiver()
    db, config = tmp / "w.db", tmp / "config.toml"
    write_config(config, db, api_port, receiver.port, args.posts, "2s")
    daemon = start_daemon(config, tmp / "daemon.log")
    store = Store(f"sqlite:///{db}")
    try:
        wait_for(lambda: db.exists() and store.count_revisions() >= args.posts, 120)
        for k in range(args.edits):
            post = k % args.posts + 1  # round robin: each edit lands in its own check
            request = urllib.request.Request(f"http://127.0.0.1:{api_port}/edit/{post}", b"")
            urllib.request.urlopen(request).close()
            time.sleep(0.5)
        wait_for(lambda: len(receiver.arrivals) >= args.edits, 120)
        time.sleep(1)
        detected = edited_events(store)
    finally:
        daemon.terminate()
        daemon.wait(30)
        server.terminate()
        store.close()
    arrivals: dict[int, list[float]] = defaultdict(list)
    for at, message in receiver.arrivals:
        match = re.search(r"@bench/(\d+)", message)
        if match:
            arrivals[int(match.group(1))].append(at)
    latencies = [
        (arrived - found) * 1000
        for post, found_times in detected.items()
        for found, arrived in zip(found_times, arrivals[post], strict=False)
    ]
    if not latencies:
        print("no alerts matched")
        return 1
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(
        f"{len(latencies)} alerts (edits detected {sum(map(len, detected.values()))}, "
        f"messages received {len(receiver.arrivals)})"
    )
    print(
        f"detection → delivery: median {statistics.median(latencies):.0f} ms, "
        f"p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
