"""What a command costs before it does anything: wall time and peak RSS of `watcher --version`,
`watcher --help` and `watcher check URL`, each a fresh process.

    .venv/bin/python bench/startup.py [--runs 20]

`check` reads one small HTML page from a local server (a thread here; the measured process is
the child) into a temporary SQLite file given with `--db`, with an empty config file (`-c`), so
neither the user's database nor their config is touched. One unmeasured run of each command
comes first: it compiles the bytecode, warms the page cache and, for `check`, stores the first
snapshot, so every measured `check` is an unchanged check of a known watch.

Peak RSS is measured by GNU time (`/usr/bin/time -f %M`), which forks the command from its own
small process: the ru_maxrss that wait4 gives a child of this Python process starts at this
process's RSS (Linux carries it across fork and exec), so it would report ~20 MB for
`/bin/true`. Without GNU time the RSS column says n/a.

Every measured run should exit 0 (`check` finds the page unchanged); any other exit is counted
and its last stderr line printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGE = (
    b"<html><head><title>Bench</title></head><body><nav>Home</nav>"
    b"<article><p>One small post, unchanged between checks.</p></article></body></html>"
)


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    peak: float | None  # MB
    code: int
    error: str  # the last line on stderr


class Page(BaseHTTPRequestHandler):
    """Serves PAGE at every path."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else the body waits ~40 ms for a delayed ACK

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_page() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/post"


def watcher_command() -> list[str]:
    """The installed console script, as a user runs it (else `python -m watcher.cli`)."""
    script = Path(sys.executable).parent / "watcher"
    return [str(script)] if script.exists() else [sys.executable, "-m", "watcher.cli"]


def gnu_time() -> str | None:
    found = shutil.which("time") or ""
    if not found:
        return None
    probe = subprocess.run([found, "--version"], capture_output=True, text=True)
    return found if "GNU" in probe.stdout + probe.stderr else None


def run_once(argv: list[str], env: dict[str, str], timer: str | None) -> Run:
    """Wall time, peak RSS, exit code and last stderr line of one fresh process."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        wrapped = [timer, "-f", "%M", "-o", rss.name, *argv] if timer else argv
        start = time.perf_counter()
        done = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - start
        lines = rss.read().split()  # "Command exited with non-zero status N" comes first
    peak = int(lines[-1]) / 1024 if timer and lines else None
    err = done.stderr.decode(errors="replace").strip().splitlines()
    return Run(wall, peak, done.returncode, err[-1] if err else "")


def measure(name: str, argv: list[str], env: dict[str, str], runs: int, timer: str | None) -> None:
    run_once(argv, env, timer)  # warm-up, not counted
    done = [run_once(argv, env, timer) for _ in range(runs)]
    walls = [r.wall for r in done]
    peaks = [r.peak for r in done if r.peak is not None]
    rss = f"{max(peaks):5.1f} MB" if peaks else "  n/a   "
    print(
        f"{name:<14} median {statistics.median(walls) * 1000:5.0f} ms   "
        f"min {min(walls) * 1000:5.0f} ms   peak RSS {rss}"
    )
    failed = [r for r in done if r.code != 0]
    if failed:
        print(f"{'':<14} {len(failed)} of {runs} runs exited {failed[-1].code}: {failed[-1].error}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    timer = gnu_time()
    tmp = Path(tempfile.mkdtemp(prefix="watcher-startup-"))
    config, db = tmp / "config.toml", tmp / "w.db"
    config.write_text("", encoding="utf-8")
    env = os.environ | {"WATCHER_CONFIG": str(config)}
    watcher = watcher_command()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],  # the floor
        "--version": [*watcher, "--version"],
        "--help": [*watcher, "--help"],
        "check --help": [*watcher, "check", "--help"],
        "check URL": [*watcher, "check", serve_page(), "--db", str(db), "-c", str(config)],
    }
    print(f"{' '.join(watcher)}: {args.runs} runs each, after one warm-up run")
    try:
        for name, argv in cases.items():
            measure(name, argv, env, args.runs, timer)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
