"""Shared pieces for the daemon benchmarks: the fake platform, a receiver, the config, and
reading a process's CPU time and RSS from /proc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from check_pass import free_port, start_server

__all__ = ["Receiver", "cpu_seconds_of", "free_port", "rss_mb_of", "start_daemon", "start_server"]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Receiver:
    """A local endpoint for apprise's json://, recording when each message arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.arrivals.append((time.time(), json.loads(body)["message"]))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def write_config(
    path: Path, db: Path, api_port: int, receiver_port: int, posts: int, interval: str
) -> None:
    lines = [
        f'[store]\nurl = "sqlite:///{db}"\n',
        f'[platforms.mastodon]\nbase_url = "http://127.0.0.1:{api_port}"\nmax_concurrent = 4\n',
        f'[[channels]]\nname = "bench"\nurl = "json://127.0.0.1:{receiver_port}/notify"\n',
    ]
    lines += [
        f'[[watches]]\nurl = "https://bench.example/@bench/{i}"\ninterval = "{interval}"\n'
        for i in range(1, posts + 1)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def start_daemon(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "watcher.cli", "run", "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def cpu_seconds_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
