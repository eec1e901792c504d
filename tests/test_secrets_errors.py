"""Errors are one line, name the file and key, and never show a secret: a channel URL of the
wrong type, a database password in the query, credentials in a watch URL, host names DNS cannot
carry, values a newer watcher wrote into the store, apprise's own log lines, absurd settings."""

from __future__ import annotations

import logging
import math
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from tests.live import get
from watcher.app import App
from watcher.cli import cli
from watcher.config import PLATFORMS, load_settings, parse_settings
from watcher.errors import ConfigError, StoreError, TransportError
from watcher.model import Status, Target, Watch
from watcher.notify import check_url
from watcher.settings import Settings
from watcher.sources import SOURCES
from watcher.store import Store

TOKEN = "123456789:AAFakeTelegramSecretToken"
LONG_LABEL = "a" * 64
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def one_line_error(result: Result) -> str:
    """The CLI's error: exit 2, one line on stderr, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("watcher: error: ")
    return lines[0]


def config_error(data: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "c.toml")
    message = str(info.value)
    assert "\n" not in message
    return message


def watcher(tmp_path: Path, *args: str, config: str = "") -> Result:
    file = tmp_path / "c.toml"
    file.write_text(config, encoding="utf-8")
    return CliRunner().invoke(cli, [*args, "-c", str(file)])


# -- a channel url of the wrong type ----------------------------------------------------------


@pytest.mark.parametrize(
    "value,kind",
    [([f"tgram://{TOKEN}/1"], "an array"), ({"u": f"tgram://{TOKEN}/1"}, "a table")],
)
def test_a_channel_url_of_the_wrong_type_names_the_type_not_the_token(value: object, kind: str):
    message = config_error({"channels": [{"name": "ops", "url": value}]})
    assert message == f"c.toml: channels[0].url: must be a str, not {kind}"


def test_the_cli_does_not_print_a_misplaced_token(tmp_path: Path):
    config = f'[[channels]]\nname = "ops"\nurl = ["tgram://{TOKEN}/1"]\n'
    line = one_line_error(watcher(tmp_path, "list", "--db", str(tmp_path / "w.db"), config=config))
    assert "channels[0].url: must be a str" in line
    assert "AAFake" not in line


# -- database passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["password=Sup3rSecretPw", "sslmode=disable&sslpassword=Sup3rSecretPw"]
)
def test_a_database_password_in_the_query_is_masked(tmp_path: Path, query: str):
    url = f"postgresql+psycopg://watcher@127.0.0.1:9/nodb?{query}"  # nothing listens on 9
    line = one_line_error(watcher(tmp_path, "list", "--db", url))
    assert "Sup3rSecretPw" not in line
    assert "password=****" in line and "127.0.0.1:9/nodb" in line


def test_a_database_password_in_the_userinfo_stays_masked():
    with pytest.raises(StoreError) as info:
        Store("postgresql+psycopg://watcher:Sup3rSecretPw@127.0.0.1:9/nodb?sslmode=disable")
    assert "Sup3rSecretPw" not in str(info.value)
    assert "watcher:****@127.0.0.1:9/nodb?sslmode=disable" in str(info.value)


# -- credentials in a watch URL ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "check"])
def test_a_watch_url_with_credentials_is_refused(tmp_path: Path, command: str):
    url = "http://alice:Sup3rSecretPw@127.0.0.1:9/post"
    line = one_line_error(watcher(tmp_path, command, url, "--db", str(tmp_path / "w.db")))
    assert "Sup3rSecretPw" not in line
    assert "[platforms.NAME] headers" in line


def test_a_config_watch_with_credentials_is_refused():
    message = config_error({"watches": [{"url": "https://alice:Sup3rSecretPw@example.com/p"}]})
    assert message.startswith("c.toml: watches[0].url: 'https://****@example.com/p': ")
    assert "Sup3rSecretPw" not in message and "headers" in message


def test_a_malformed_url_with_credentials_does_not_echo_them():
    message = config_error({"watches": [{"url": "https://alice:Sup3rSecretPw@exa mple.com/p"}]})
    assert "not an http(s) URL" in message and "Sup3rSecretPw" not in message


# -- host names DNS cannot carry --------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "check"])
@pytest.mark.parametrize("host", [f"{LONG_LABEL}.example.com", f"ü{LONG_LABEL}.example.com"])
def test_a_host_label_past_63_characters_is_one_line(tmp_path: Path, command: str, host: str):
    line = one_line_error(watcher(tmp_path, command, f"http://{host}/x", "--db", "w.db"))
    assert "longer than 63 characters" in line


def test_a_config_watch_with_a_long_host_label_names_file_and_key():
    message = config_error({"watches": [{"url": f"https://{LONG_LABEL}.example.com/p"}]})
    assert message.startswith("c.toml: watches[0].url: not an http(s) URL")


@pytest.mark.parametrize("host", [f"{LONG_LABEL}.example.com", f"ü{LONG_LABEL}.example.com"])
def test_the_engine_refuses_such_a_host_as_a_transport_error(host: str):
    with pytest.raises(TransportError, match="not a URL we can request"):
        get(f"http://{host}/x")


def test_a_stored_watch_with_such_a_host_fails_its_check_visibly(tmp_path: Path):
    """A watch stored before URLs were checked: each check records `failed` and why."""
    url = f"http://ü{LONG_LABEL}.example.com/x"
    with App(Settings(), db=str(tmp_path / "w.db")) as app:
        watch = app.store.ensure_watch(Target(url, "web"), 600, app.clock(), enable=True)
        result = app.check_once(watch)
        stored = app.store.get_watch(watch.id)
    assert result.status is Status.FAILED
    assert stored.state.status is Status.FAILED
    assert "not a URL we can request" in stored.last_error and "\n" not in stored.last_error


# -- values the store does not know -----------------------------------------------------------


@pytest.mark.parametrize(
    "column,value", [("status", "frozen"), ("presence", "ghostly"), ("kind", "thread")]
)
def test_an_unknown_value_in_the_store_is_one_line(tmp_path: Path, column: str, value: str):
    db = tmp_path / "w.db"
    watch = _stored_watch(db)
    _sql(db, f"UPDATE watch SET {column} = '{value}' WHERE id = {watch.id}")
    line = one_line_error(watcher(tmp_path, "list", "--db", str(db)))
    assert f"watch {watch.id}: column {column} holds '{value}'" in line
    assert "newer watcher" in line


def test_an_unknown_event_kind_names_the_event(tmp_path: Path):
    db = tmp_path / "w.db"
    watch = _stored_watch(db)
    _sql(
        db,
        "INSERT INTO event (watch_id, kind, at, detail) "
        f"VALUES ({watch.id}, 'teleported', '2026-01-01 00:00:00', '')",
    )
    store = Store(f"sqlite:///{db}")
    try:
        with pytest.raises(StoreError) as info:
            store.events(watch.id)
    finally:
        store.close()
    assert f"of watch {watch.id}: column kind holds 'teleported'" in str(info.value)


def _sql(db: Path, statement: str) -> None:
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _stored_watch(db: Path) -> Watch:
    store = Store(f"sqlite:///{db}")
    try:
        return store.ensure_watch(Target("https://example.com/p", "web"), 600, T0, enable=True)
    finally:
        store.close()


# -- apprise's own log lines ------------------------------------------------------------------


def test_an_unusable_apprise_url_logs_nothing_of_apprise(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConfigError, match=r"discord://\*\*\*\* is not a usable apprise URL \("):
        check_url("discord://only")
    shown = [r for r in caplog.records if r.name == "apprise" and r.levelno >= logging.WARNING]
    assert shown == []


def test_run_prints_only_watchers_error_for_an_unusable_apprise_url(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text('[[channels]]\nname = "a"\nurl = "discord://only"\n', encoding="utf-8")
    args = ["run", "--once", "-c", str(config), "--db", str(tmp_path / "w.db")]
    done = subprocess.run(
        [sys.executable, "-m", "watcher.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"watcher: error: {config}: channels[0].url: discord://**** is not a usable apprise URL "
        "(An invalid Discord Webhook Token (None) was specified.)"
    ]


# -- watch errors name the file and the key ---------------------------------------------------


@pytest.mark.parametrize(
    "watch,message",
    [
        ({"url": "ftp://example.com/x"}, "c.toml: watches[0].url: not an http(s) URL"),
        ({"url": "https://x.example/1", "platform": "mastdon"}, "c.toml: watches[0].platform: "),
    ],
)
def test_watch_errors_name_file_and_key(watch: dict[str, object], message: str):
    assert config_error({"watches": [watch]}).startswith(message)


def test_cli_watch_error_names_file_and_key(tmp_path: Path):
    config = '[[watches]]\nurl = "not a url"\n'
    line = one_line_error(watcher(tmp_path, "run", "--once", "--db", "w.db", config=config))
    assert f"{tmp_path / 'c.toml'}: watches[0].url: not an http(s) URL" in line


@pytest.mark.parametrize(
    "watch,key",
    [
        (
            {"url": "https://mastodon.social/@a/1", "platform": "mastodon", "selector": "p"},
            "selector: does not apply to platform mastodon",
        ),
        ({"url": "https://x.example/p", "selector": "p[["}, "selector: invalid CSS selector"),
        ({"url": "https://x.example/1.json", "field": "a..b"}, "field: malformed JSON field"),
        ({"url": "https://mastodon.social/@a", "platform": "x"}, "url: not an X post URL"),
    ],
)
def test_sync_errors_name_the_file_and_key(tmp_path: Path, watch: dict[str, object], key: str):
    settings = parse_settings({"watches": [watch]}, "c.toml")
    with App(settings, db=str(tmp_path / "w.db")) as app, pytest.raises(ConfigError) as info:
        app.sync_config()
    assert str(info.value).startswith(f"c.toml: watches[0].{key}")


# -- unknown platforms and absurd values ------------------------------------------------------


def test_the_config_knows_every_platform_and_no_other():
    assert set(SOURCES) == PLATFORMS


def test_an_unknown_platform_table_is_refused():
    message = config_error({"platforms": {"mastdon": {"headers": {"Authorization": "x"}}}})
    assert message.startswith("c.toml: platforms.mastdon: unknown platform 'mastdon' (known: ")


@pytest.mark.parametrize(
    "data,message",
    [
        ({"http": {"timeout": 1e308}}, "http.timeout: duration must be at most 1h"),
        ({"http": {"timeout": math.inf}}, "http.timeout: duration must be at most 1h"),
        ({"http": {"deadline": math.nan}}, "http.deadline: not a duration"),
        ({"http": {"timeout": 10**400}}, "http.timeout: duration must be at most 1h"),
        ({"http": {"timeout": -1.5}}, "http.timeout: duration must be positive"),
        ({"daemon": {"tick": "2d"}}, "daemon.tick: duration must be at most 1h"),
        ({"daemon": {"max_backoff": "400d"}}, "daemon.max_backoff: duration must be at most"),
        ({"accounts": {"young_for": math.nan}}, "accounts.young_for: not a duration"),
        ({"defaults": {"interval": "9999w"}}, "defaults.interval: duration must be at most"),
        ({"platforms": {"web": {"min_spacing": math.nan}}}, "platforms.web.min_spacing: not a"),
        ({"http": {"max_bytes": 10**30}}, "http.max_bytes: must be at most 1,073,741,824"),
        ({"daemon": {"concurrency": 10**9}}, "daemon.concurrency: must be at most"),
        (
            {"platforms": {"web": {"max_concurrent": 10**6}}},
            "platforms.web.max_concurrent: must be at most 1,000",
        ),
        ({"watches": [{"url": "https://x.example/", "pages": 11}]}, "watches[0].pages: must be"),
    ],
)
def test_absurd_values_are_refused(data: dict[str, object], message: str):
    assert config_error(data).startswith(f"c.toml: {message}")


def test_a_huge_interval_on_the_command_line_is_refused(tmp_path: Path):
    result = watcher(tmp_path, "add", "https://x.example/", "-i", "9999w", "--db", "w.db")
    assert "duration must be at most 366d" in one_line_error(result)


def test_the_example_config_is_within_every_bound(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_CHAT_ID", "12345")
    monkeypatch.setenv("SLACK_TOKENS", "T0FAKE0001/B0FAKE0002/FakeSlackWebhookSecret0123")
    assert load_settings(Path(__file__).resolve().parents[1] / "config.example.toml").watches


# -- an empty --field -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "check"])
@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_field_option_is_refused(tmp_path: Path, command: str, value: str):
    url = "http://127.0.0.1:9/post.json"
    result = watcher(tmp_path, command, url, "--field", value, "--db", str(tmp_path / "w.db"))
    assert one_line_error(result) == "watcher: error: --field must not be empty"


@pytest.mark.parametrize("command", ["add", "check"])
def test_an_empty_selector_option_is_refused(tmp_path: Path, command: str):
    url = "http://127.0.0.1:9/page"
    result = watcher(tmp_path, command, url, "--selector", "", "--db", str(tmp_path / "w.db"))
    assert one_line_error(result) == "watcher: error: --selector must not be empty"
