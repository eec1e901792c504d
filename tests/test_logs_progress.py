"""Logs and progress (issue 13, item 5, and the `run` lines of items 2 and 4): the daemon logs
changes and problems with their reason, `-v` adds unchanged checks; `run` says where things go;
`run --once` counts each outcome apart (and in JSON); a spinner or progress line shows on a
terminal only."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.daemon import DaemonProcess, config_text, daemon_env, running, wait_until
from tests.server import FakeSite, Reply
from watcher.app import App
from watcher.cli import cli
from watcher.notify import Notifier
from watcher.outbox import Outbox
from watcher.scheduler import Daemon
from watcher.settings import Settings

HTML = {"content-type": "text/html; charset=utf-8"}
CHECK_LINE = re.compile(r"watch (\d+) (\S+): (\w+)")  # what bench-peers' harness reads


def page(text: str, delay: float = 0.0) -> Reply:
    body = f"<html><body><article><p>{text}</p></article></body></html>"
    return Reply(200, body, HTML, delay)


class Env:
    """A config with a channel (a local receiver) and three watches: a, b and c."""

    def __init__(self, tmp: Path, site: FakeSite, receiver: FakeSite, channels: bool = True):
        self.site, self.tmp = site, tmp
        self.config, self.db = tmp / "c.toml", str(tmp / "w.db")
        channel = [{"name": "ops", "url": f"json://{receiver.url.split('//')[1]}/notify"}]
        watches = [{"url": f"{site.url}/{name}", "interval": "1h"} for name in "abc"]
        text = config_text(Path(self.db), channel if channels else [], watches)
        self.config.write_text(text, encoding="utf-8")

    def __call__(self, *args: str) -> Result:
        argv = [*args, "-c", str(self.config), "--db", self.db]
        return CliRunner().invoke(cli, argv, env={"COLUMNS": "250"})

    def serve(self, **texts: str) -> None:
        for name, text in texts.items():
            self.site.set(f"/{name}", page(text))


@pytest.fixture
def receiver() -> Iterator[FakeSite]:
    with FakeSite().running() as site:
        site.reply("/notify", 200, "ok")
        yield site


@pytest.fixture
def env(tmp_path: Path, site: FakeSite, receiver: FakeSite) -> Env:
    return Env(tmp_path, site, receiver)


def check_lines(stderr: str) -> dict[str, str]:
    """Each logged check, by URL path: its status (as the benchmark harness parses it)."""
    found = (CHECK_LINE.search(line) for line in stderr.splitlines())
    return {m.group(2).rsplit("/", 1)[1]: m.group(3) for m in found if m}


# -- logs -------------------------------------------------------------------------------------


def test_changes_and_problems_are_logged_with_why_and_v_adds_unchanged(env: Env):
    env.serve(a="one", b="same")
    env.site.reply("/c", 503, "busy", HTML)
    first = env("run", "--once")
    assert first.exit_code == 0, first.output
    assert check_lines(first.stderr) == {"a": "new", "b": "new", "c": "failed"}
    lines = [line for line in first.stderr.splitlines() if "watcher" in line]
    assert len(lines) == 3  # a line per check, nothing else
    failed = next(line for line in lines if "/c: failed" in line)
    assert "WARNING" in failed and "503" in failed  # why
    env.serve(a="two")
    quiet = env("run", "--once", "--all")
    assert check_lines(quiet.stderr) == {"a": "edited", "c": "failed"}  # b: unchanged, silent
    env.serve(a="three")
    loud = env("run", "--once", "--all", "-v")
    assert check_lines(loud.stderr) == {"a": "edited", "b": "unchanged", "c": "failed"}
    # An alert was sent through apprise (urllib3 underneath): none of their lines, even at -v.
    assert "alerts: 1 sent" in loud.stdout
    for library in ("urllib3", "aiohttp", "apprise", "httpx", "asyncio"):
        assert library not in loud.stderr, loud.stderr


def test_verbose_help_says_what_it_adds():
    help_text = CliRunner().invoke(cli, ["run", "--help"]).stdout
    assert "unchanged checks" in " ".join(help_text.split())


def test_a_hostile_reason_stays_one_inert_line(env: Env):
    env.serve(a="x", b="y")
    env.site.reply("/c", 403, "<html>denied\x1b[31m\nsecond line</html>", HTML)
    result = env("run", "--once")
    lines = [line for line in result.stderr.splitlines() if "/c: " in line]
    assert len(lines) == 1 and "\x1b" not in result.stderr


# -- where things go --------------------------------------------------------------------------


def test_the_daemon_says_where_things_go_and_warns_without_a_channel(
    tmp_path: Path, site: FakeSite
):
    site.set("/post", page("words"))
    db, config = tmp_path / "w.db", tmp_path / "daemon.toml"
    config.write_text(config_text(db, [], [{"url": f"{site.url}/post"}]), encoding="utf-8")
    with running(DaemonProcess(config, daemon_env(), tmp_path / "daemon.log")) as daemon:
        wait_until(lambda: "daemon running" in daemon.output(), what="the start")
        assert daemon.stop() == 0
    lines = daemon.output().splitlines()
    assert f"database: {db}" in lines
    assert f"config: {config}" in lines
    assert any(line.startswith("channels: none") for line in lines)
    assert any("warning" in line and "alerts would go nowhere" in line for line in lines)


def test_run_once_says_where_on_a_terminal_or_with_v_only(env: Env):
    env.serve(a="x", b="y", c="z")
    cron = env("run", "--once")
    assert "database:" not in cron.stderr and "channels:" not in cron.stderr
    told = env("run", "--once", "-v").stderr.splitlines()
    assert f"database: {env.db}" in told and "channels: ops" in told
    assert not any("nowhere" in line for line in told)


# -- the summary ------------------------------------------------------------------------------


def test_run_once_counts_new_changed_unchanged_and_not_observed_apart(env: Env, site: FakeSite):
    env.serve(a="one", b="same")
    env.site.reply("/c", 503, "busy", HTML)
    first = env("run", "--once")
    assert first.stdout.startswith("checked 3: 2 new, 1 not observed; alerts: 0 sent,")
    env.serve(a="two", d="fresh")
    assert env("add", f"{site.url}/d").exit_code == 0
    second = env("run", "--once", "--all")
    summary = "checked 4: 1 new, 1 changed, 1 unchanged, 1 not observed; alerts: 1 sent,"
    assert second.stdout.startswith(summary), second.stdout
    assert env("run", "--once").stdout.startswith("checked 0; alerts: 0 sent")


def test_run_once_json_is_the_summary(env: Env):
    env.serve(a="one", b="same", c="x")
    result = env("run", "--once", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "checked": 3,
        "new": 3,
        "changed": 0,
        "unchanged": 0,
        "not_observed": 0,
        "alerts": {"sent": 0, "retrying": 0, "dead": 0},
        "config": {"added": 3, "changed": 0, "disabled": 0},
    }
    alone = env("run", "--json")
    assert alone.exit_code == 2 and "--json goes with --once" in alone.stderr


def test_plurals_in_status_and_deliveries(env: Env):
    env.site.reply("/a", 503, "busy", HTML)
    env.serve(b="x", c="y")
    env("run", "--once")
    assert "1 failed check, backing off" in env("status").stdout
    assert "dropped 0 dead alerts" in env("deliveries", "--dead").stdout


# -- progress ---------------------------------------------------------------------------------


def test_a_pass_reports_progress_after_each_check(tmp_path: Path, site: FakeSite):
    for name in "abc":
        site.set(f"/{name}", page(name))
    seen: list[tuple[int, int]] = []
    with App(Settings(), db=str(tmp_path / "w.db")) as app:
        for name in "abc":
            app.store.ensure_watch(app.target(f"{site.url}/{name}"), 60.0, app.clock(), True)
        outbox = Outbox(app.store, Notifier(), app.settings, app.clock)
        report = Daemon(app, outbox).run_once(everything=True, progress=lambda *p: seen.append(p))
    assert report.checked == report.new == 3
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def watcher(tmp: Path, *args: str, terminal: bool) -> tuple[int, str, str]:
    """The real CLI in a fresh process; its stderr a terminal (a pty) or a pipe. Returns the
    exit code, stdout and stderr (a terminal's without its colours and cursor moves)."""
    command = [sys.executable, "-m", "watcher.cli", *args]
    env = daemon_env({"TERM": "xterm", "COLUMNS": "100"})
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp)
        return done.returncode, done.stdout, done.stderr
    ours, theirs = pty.openpty()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=theirs, env=env, cwd=tmp)
    os.close(theirs)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(ours, chunks))
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(10)
    os.close(ours)
    shown = b"".join(chunks).decode(errors="replace")
    return proc.returncode, out.decode(), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)


def _read_all(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the process closed the terminal
            return
        if not data:
            return
        chunks.append(data)


def test_run_once_all_shows_progress_on_a_terminal_only(env: Env):
    env.serve(a="x", b="y", c="z")
    args = ("run", "--once", "--all", "-c", str(env.config), "--db", env.db)
    code, out, err = watcher(env.tmp, *args, terminal=True)
    assert code == 0 and out.startswith("checked 3: 3 new")
    assert "checked 3/3" in err
    code, out, err = watcher(env.tmp, *args, terminal=False)
    assert code == 0 and out.startswith("checked 3: 3 unchanged")
    assert "\x1b" not in err and "/3" not in err and err.strip() == ""


def test_check_shows_a_spinner_while_it_waits_on_a_terminal_only(tmp_path: Path, site: FakeSite):
    site.set("/slow", page("finally", delay=1.0))
    args = ("check", f"{site.url}/slow", "--db", str(tmp_path / "w.db"))
    code, out, err = watcher(tmp_path, *args, terminal=True)
    assert code == 0 and "first snapshot" in out
    assert f"checking {site.url}/slow" in err
    code, out, err = watcher(tmp_path, *args, terminal=False)
    assert code == 0 and "unchanged" in out
    assert err == ""
