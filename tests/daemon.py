"""Run the real daemon (`watcher run`) as a subprocess against local fakes, for end-to-end
tests: a fake site serving posts, and receivers for apprise's json:// and chat plugins."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FAST_DAEMON = """
[daemon]
tick = "200ms"
drain_interval = "200ms"
retry_base = "300ms"
retry_max = "1s"
max_attempts = 50
shutdown_grace = "10s"
max_backoff = "1s"

[http]
timeout = "500ms"
"""


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")


class DaemonProcess:
    def __init__(
        self, config: Path, env: dict[str, str], log: Path, args: Sequence[str] = ()
    ) -> None:
        self.config, self.env, self.log, self.args = config, env, log, args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> DaemonProcess:
        command = ["-m", "watcher.cli", "run", "-c", str(self.config), *self.args]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, *command],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
            )
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@contextmanager
def running(daemon: DaemonProcess) -> Iterator[DaemonProcess]:
    daemon.start()
    try:
        yield daemon
    finally:
        if daemon.alive():
            daemon.stop(signal.SIGKILL)


def daemon_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ) | (extra or {})
    env.pop("WATCHER_DB", None)
    env.pop("WATCHER_CONFIG", None)
    return env


def config_text(
    db: Path | str,
    channels: Sequence[dict[str, Any]],
    watches: Sequence[dict[str, Any]],
    extra: str = "",
) -> str:
    """A config for the daemon; `db` is a SQLite file or a database URL."""
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    lines = [f"[store]\nurl = {json.dumps(url)}\n", FAST_DAEMON, extra]
    for channel in channels:
        lines.append("[[channels]]\n" + _toml_table(channel))
    for watch in watches:
        lines.append("[[watches]]\n" + _toml_table(watch))
    return "\n".join(lines)


def _toml_table(values: dict[str, Any]) -> str:
    return "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
