"""A command imports what it uses: `--version` and `--help` load no database, HTTP, HTML, chat or
terminal library, and `check` loads no chat library when it sends nothing.

Each command runs in a fresh interpreter (this test process has imported everything already);
the test reads that interpreter's `sys.modules` after the command ends. No timings here:
`bench/startup.py` prints them.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import watcher
from tests.server import FakeSite
from watcher.cli import cli

# Top-level packages a light command must not import.
HEAVY = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "apprise",
        "lxml",
        "aiohttp",
        "httpx",
        "charset_normalizer",
        "rich",
        "apscheduler",
    }
)

# Runs the real entry point, then writes its exit code and every loaded module to a file.
PROBE = """
import json, sys
report, args = sys.argv[1], sys.argv[2:]
sys.argv = ["watcher", *args]
code = 1  # an uncaught exception
try:
    from watcher.cli import main
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open(report, "w", encoding="utf-8") as f:
        json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    modules: frozenset[str]

    def heavy(self) -> set[str]:
        return {name.split(".")[0] for name in self.modules} & HEAVY


def run_watcher(tmp_path: Path, *args: str) -> Run:
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"WATCHER_CONFIG": str(tmp_path / "none.toml")},
    )
    found = json.loads(report.read_text(encoding="utf-8"))
    return Run(found["code"], done.stdout, done.stderr, frozenset(found["modules"]))


def test_version_is_printed_without_heavy_imports(tmp_path: Path):
    run = run_watcher(tmp_path, "--version")
    assert (run.code, run.stdout) == (0, f"watcher, version {watcher.__version__}\n")
    assert run.heavy() == set()
    assert "watcher.model" not in run.modules


def test_version_matches_the_installed_distribution():
    assert watcher.__version__ == importlib.metadata.version("watcher")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_the_commands_without_heavy_imports(tmp_path: Path, flag: str):
    run = run_watcher(tmp_path, flag)
    assert run.code == 0
    assert all(name in run.stdout for name in cli.commands)
    assert run.heavy() == set()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_help_without_heavy_imports(tmp_path: Path, command: str):
    run = run_watcher(tmp_path, command, "--help")
    assert run.code == 0
    assert f"Usage: watcher {command}" in run.stdout
    assert run.heavy() == set()
    assert not {"watcher.app", "watcher.config", "watcher.store"} & run.modules


def test_usage_error_without_heavy_imports(tmp_path: Path):
    run = run_watcher(tmp_path, "check")
    assert run.code == 2
    assert "Missing argument 'URL'" in run.stderr
    assert run.heavy() == set()


def _check(tmp_path: Path, site: FakeSite, config: str) -> Run:
    site.reply("/p", 200, "<html><body><article><p>Hello</p></article></body></html>")
    db, conf = tmp_path / "w.db", tmp_path / "c.toml"
    conf.write_text(config, encoding="utf-8")
    return run_watcher(tmp_path, "check", f"{site.url}/p", "--db", str(db), "-c", str(conf))


def test_check_loads_no_chat_library(tmp_path: Path, site: FakeSite):
    run = _check(tmp_path, site, "")
    assert run.code == 0, run.stderr
    assert "first snapshot" in run.stdout
    assert "apprise" not in run.heavy()


def test_check_with_channels_configured_loads_no_chat_library(tmp_path: Path, site: FakeSite):
    config = '[[channels]]\nname = "team"\nurl = "json://127.0.0.1:9/hook"\n'
    run = _check(tmp_path, site, config)
    assert run.code == 0, run.stderr
    assert "apprise" not in run.heavy()
