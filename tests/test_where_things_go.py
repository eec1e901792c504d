"""Say where things go: the first use says where the database, the config and the channels
are; a config's relative SQLite path is beside the file; a config in the current folder is
found; every hint the CLI prints works as printed; `watcher doctor` shows it all."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import watcher
from tests.conftest import applied, planned
from tests.fakeplatform import FakeAccount
from tests.server import FakeSite
from tests.test_cli import HTML, Cli, page
from watcher.cli import cli
from watcher.model import EventKind, Post, Status, Target
from watcher.store import Store
from watcher.store.schema import SCHEMA_VERSION

CHANNEL = '[[channels]]\nname = "team"\nurl = "json://127.0.0.1:9/hook"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder, and user folders with nothing in them: only what a test
    writes is found."""
    for name in ("WATCHER_DB", "WATCHER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# -- first use -----------------------------------------------------------------------------


def test_first_use_says_where_the_database_config_and_channels_are(tmp_path: Path):
    db, config = tmp_path / "w.db", tmp_path / "c.toml"
    config.write_text(CHANNEL, encoding="utf-8")
    added = invoke("add", "https://example.com/p", "--db", str(db), "-c", str(config))
    assert added.exit_code == 0, added.output
    assert added.stderr.splitlines() == [
        f"database: {db} (new)",
        f"config: {config}",
        "channels: team",
    ]
    assert added.stdout.startswith("watch 1: web https://example.com/p")
    again = invoke("list", "--db", str(db), "-c", str(config))
    assert again.exit_code == 0 and again.stderr == ""  # later commands stay quiet


def test_first_use_without_a_config_says_so(home: Path):
    result = invoke("list")
    assert result.exit_code == 0, result.output
    database, config, channels = result.stderr.splitlines()
    default = home.parent / "user-data" / "watcher" / "watcher.db"
    assert database == f"database: {default} (new)"
    assert config.startswith("config: none, defaults (-c FILE, $WATCHER_CONFIG, ./watcher.toml")
    assert str(home.parent / "user-config" / "watcher" / "config.toml") in config
    assert channels == "channels: none (alerts go nowhere)"


def test_first_use_lines_leave_json_on_stdout_alone(tmp_path: Path):
    result = invoke("list", "--json", "--db", str(tmp_path / "w.db"))
    assert json.loads(result.stdout) == []
    assert "(new)" in result.stderr


def test_an_error_on_first_use_stays_one_line(tmp_path: Path):
    result = invoke("check", "notaurl", "--db", str(tmp_path / "w.db"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["watcher: error: not an http(s) URL: 'notaurl'"]


# -- where the database is -----------------------------------------------------------------


def test_a_relative_sqlite_url_in_a_config_is_beside_the_file(home: Path):
    folder = home.parent / "conf"
    folder.mkdir()
    (folder / "watcher.toml").write_text('[store]\nurl = "sqlite:///rel.db"\n', "utf-8")
    assert invoke("list", "-c", "../conf/watcher.toml").exit_code == 0
    assert (folder / "rel.db").exists() and not (home / "rel.db").exists()


def test_db_option_and_environment_stay_relative_to_the_current_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch
):
    assert invoke("list", "--db", "sqlite:///option.db").exit_code == 0
    assert invoke("list", "--db", "path.db").exit_code == 0
    monkeypatch.setenv("WATCHER_DB", "env.db")
    assert invoke("list").exit_code == 0
    assert {p.name for p in home.glob("*.db")} == {"option.db", "path.db", "env.db"}


@pytest.mark.parametrize("name", ["watcher.toml", "config.toml"])
def test_a_config_in_the_current_folder_is_found_without_c(home: Path, name: str):
    (home / name).write_text(f'[store]\nurl = "sqlite:///{name}.db"\n{CHANNEL}', "utf-8")
    result = invoke("list")
    assert result.exit_code == 0, result.output
    assert f"config: {home / name}" in result.stderr
    assert "channels: team" in result.stderr
    assert (home / f"{name}.db").exists()


# -- every hint works as printed -----------------------------------------------------------

HINT = re.compile(r"`(watcher [^`]+)`")


def source_hints() -> set[str]:
    """Every backticked `watcher ...` in the package's strings (docstrings and comments left
    out), f-string fields as `{}`."""
    hints: set[str] = set()
    for file in Path(watcher.__file__).parent.rglob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree) if _has_docstring(n)}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = "" if id(node) in docs else node.value
            else:
                continue
            hints.update(HINT.findall(text))
    return hints


def _has_docstring(node: ast.AST) -> bool:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    if not isinstance(node, kinds) or not node.body:
        return False
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)


def printed_hints(results: list[Result]) -> set[str]:
    """The hints in these outputs (a hint wrapped over lines is one hint)."""
    return {h for r in results for h in HINT.findall(" ".join(r.output.split()))}


def _store_alerts(db: str, count: int) -> None:
    """`count` alerts for a channel no config names (so `deliveries --retry` retires them)."""
    store = Store(f"sqlite:///{db}")
    now = datetime.now(UTC)
    for n in range(count):
        watch = store.ensure_watch(Target(f"https://example.com/a{n}", "web"), 600, now, False)
        post = Post(id=str(n), url=watch.target.url, text=f"text {n}", created_at=now)
        applied(store, planned(watch, now, post, EventKind.NEW, ("gone",)))
    store.close()


def test_every_hint_the_cli_prints_works_as_printed(tmp_path: Path, site: FakeSite):
    account = FakeAccount(site)
    account.post("hello", age=timedelta(hours=1))
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    site.reply("/down", 500, "down", HTML)
    run = Cli(tmp_path, site)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    outputs = [
        Cli(fresh, site)("doctor"),
        run("list"),
        run("status"),
        run("history", "https://example.com/none"),
    ]
    outputs.append(run("check", "@ann@social.example"))
    for url in (f"{site.url}/p", f"{site.url}/down"):
        run("add", url)
    outputs.append(run("check", f"{site.url}/down"))  # fails: a failing watch
    _store_alerts(run.db, 2)
    outputs += [run("status", "--limit", "1"), run("deliveries", "--retry"), run("doctor")]
    outputs += [run("pause", f"{site.url}/p"), run("edit", f"{site.url}/p")]  # nothing to change

    printed = printed_hints(outputs)
    templates = source_hints()
    unseen = [t for t in templates if not any(_matches(t, h) for h in printed)]
    assert not unseen, f"hints this scenario never prints (extend it): {unseen}"
    for hint in sorted(printed):
        args = [f"{site.url}/p" if a == "URL" else a for a in shlex.split(hint)[1:]]
        if args[0] == "run" and "--once" not in args:
            args.append("--once")  # the daemon runs until stopped: one pass of it here
        result = run(*args)
        assert result.exit_code in (0, 1), (hint, result.output)


def _matches(template: str, hint: str) -> bool:
    pattern = ".+?".join(re.escape(part) for part in template.split("{}"))
    return re.fullmatch(pattern, hint) is not None


# -- watcher doctor ------------------------------------------------------------------------


class Doctor:
    """`watcher doctor` over one config file and one database in `folder`."""

    def __init__(self, folder: Path, config: str = "") -> None:
        self.db = folder / "w.db"
        self.config = folder / "c.toml"
        self.config.write_text(config, encoding="utf-8")

    def __call__(self, *args: str) -> tuple[int, dict[str, list[str]]]:
        """The exit code, and each topic's lines as `state text`."""
        result = invoke("doctor", *args, "--db", str(self.db), "-c", str(self.config))
        assert "Traceback" not in result.output, result.output
        lines: dict[str, list[str]] = {}
        for line in result.stdout.splitlines():
            topic, state, text = line.split(maxsplit=2)
            lines.setdefault(topic, []).append(f"{state} {text}")
        return result.exit_code, lines

    def store(self) -> Store:
        return Store(f"sqlite:///{self.db}")


def test_doctor_before_first_use_creates_nothing(tmp_path: Path):
    doctor = Doctor(tmp_path)
    code, lines = doctor()
    assert code == 0
    assert lines["config"] == [f"ok {doctor.config} (0 channels, 0 watches)"]
    assert lines["database"][0].startswith(f"info {doctor.db} does not exist yet")
    assert lines["channels"] == ["info none: alerts go nowhere (add [[channels]])"]
    assert not doctor.db.exists()


def test_doctor_without_a_config_file(home: Path):
    result = invoke("doctor")
    assert result.exit_code == 0
    assert result.stdout.startswith("config   info  none, defaults (looked for -c FILE")


def test_doctor_on_a_healthy_setup(tmp_path: Path):
    doctor = Doctor(tmp_path, CHANNEL)
    store = doctor.store()
    store.ensure_watch(Target("https://example.com/p", "web"), 600, datetime.now(UTC), True)
    store.close()
    code, lines = doctor()
    assert code == 0, lines
    assert lines["config"] == [f"ok {doctor.config} (1 channel, 0 watches)"]
    schema = f"schema {SCHEMA_VERSION}"
    assert lines["database"] == [f"ok {doctor.db} · {schema} · 1 watch (1 scheduled)"]
    assert lines["channel"] == [
        "ok team: json://127.0.0.1:9/****, well-formed (--deliver asks apprise)"
    ]
    assert lines["daemon"][0].startswith("info none seen running")


def test_doctor_config_error_exits_2_with_one_line(tmp_path: Path):
    code, lines = Doctor(tmp_path, "[http]\ntimout = 3\n")()
    assert code == 2
    assert list(lines) == ["config"]
    assert "http.timout: unknown key" in lines["config"][0]
    assert lines["config"][0].startswith("error ")


def test_doctor_database_that_cannot_open_needs_attention(tmp_path: Path):
    doctor = Doctor(tmp_path)
    doctor.db.write_text("not a database", encoding="utf-8")
    code, lines = doctor()
    assert code == 1
    (line,) = lines["database"]
    assert line.startswith("fix cannot open database")


def test_doctor_failing_watches_dead_alerts_and_no_channel_need_attention(tmp_path: Path):
    doctor = Doctor(tmp_path)
    store = doctor.store()
    now = datetime.now(UTC)
    watch = store.ensure_watch(Target("https://example.com/p", "web"), 600, now, True)
    failed = replace(watch.state, status=Status.FAILED, fail_streak=2)
    watch = applied(store, planned(watch, now, state=failed, last_error="timed out"))
    post = Post(id="1", url=watch.target.url, text="text", created_at=now)
    applied(store, planned(watch, now, post, EventKind.NEW, ("old", "older")))
    (alert, _) = store.pending_deliveries()
    store.delivery_failed(alert, 0, "refused", now, dead=True)
    store.close()
    code, lines = doctor()
    assert code == 1
    assert lines["alerts"] == [
        "fix 1 alert dead: `watcher deliveries` lists them (--retry, --dead)",
        "info 1 waiting to be sent",
    ]
    assert lines["channels"] == ["fix none: alerts go nowhere (add [[channels]])"]


def test_doctor_counts_failing_watches(tmp_path: Path):
    doctor = Doctor(tmp_path, CHANNEL)
    store = doctor.store()
    now = datetime.now(UTC)
    watch = store.ensure_watch(Target("https://example.com/p", "web"), 600, now, True)
    failed = replace(watch.state, status=Status.FAILED, fail_streak=3)
    applied(store, planned(watch, now, state=failed, last_error="timed out"))
    store.close()
    code, lines = doctor()
    assert code == 1
    assert lines["watches"] == ["fix 1 failing, backing off: `watcher status` shows why"]


def test_doctor_deliver_checks_each_channel_with_apprise(tmp_path: Path):
    config = CHANNEL + '[[channels]]\nname = "odd"\nurl = "nosuchscheme://x/y"\n'
    doctor = Doctor(tmp_path, config)
    code, lines = doctor()
    assert code == 0  # the shapes are right
    code, lines = doctor("--deliver")
    assert code == 1
    team, odd = lines["channel"]
    assert team == "ok team: json://127.0.0.1:9/****, apprise accepts it"
    assert odd.startswith("fix odd: ") and "is not a usable apprise URL" in odd


def test_doctor_sees_a_running_daemon_by_its_claims_and_leases(tmp_path: Path):
    doctor = Doctor(tmp_path, CHANNEL)
    store = doctor.store()
    now = datetime.now(UTC)
    store.ensure_watch(Target("https://example.com/p", "web"), 600, now, True)
    store.claim_due(now, 10, now + timedelta(minutes=5))  # this process, checking
    store.close()
    _, lines = doctor()
    assert lines["daemon"] == [f"ok running on this machine (pid {os.getpid()})"]


def test_doctor_tells_a_daemon_that_died_and_one_elsewhere(tmp_path: Path):
    doctor = Doctor(tmp_path, CHANNEL)
    store = doctor.store()
    now = datetime.now(UTC)
    dead = f"{socket.gethostname()}:999999999:0badf00d:1"
    store.take_channel("team", dead, now, now + timedelta(minutes=5))
    _, lines = doctor()
    (line,) = lines["daemon"]
    assert line.startswith("info none seen running; pid 999999999 ran here before")
    store.take_channel("other", "elsewhere.example:12:abcd1234:1", now, now + timedelta(minutes=5))
    store.close()
    code, lines = doctor()
    assert (code, lines["daemon"]) == (0, ["ok running on elsewhere.example"])


def test_doctor_json(tmp_path: Path):
    doctor = Doctor(tmp_path, CHANNEL)
    result = invoke("doctor", "--json", "--db", str(doctor.db), "-c", str(doctor.config))
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert [f["topic"] for f in data["findings"]] == ["config", "database", "channel"]


def test_watcher_db_overrides_the_config_and_db_overrides_both(tmp_path: Path) -> None:
    """The README's order: `--db`, then `$WATCHER_DB`, then the config's `[store] url`."""
    from watcher.config import database_url, parse_settings

    settings = parse_settings({"store": {"url": "sqlite:////from/config.db"}}, "c.toml")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("WATCHER_DB", raising=False)
        assert database_url(None, settings) == "sqlite:////from/config.db"
        patch.setenv("WATCHER_DB", "sqlite:////from/env.db")
        assert database_url(None, settings) == "sqlite:////from/env.db"
        assert database_url("sqlite:////from/flag.db", settings) == "sqlite:////from/flag.db"
