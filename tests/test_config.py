from __future__ import annotations

from pathlib import Path

import pytest

from watcher.config import (
    beside,
    config_file,
    expand_env,
    load_settings,
    parse_duration,
    parse_settings,
)
from watcher.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("WATCHER_CONFIG", raising=False)
    settings = load_settings()
    assert settings.detect.confirm_deletions == 2
    assert settings.db_url == ""


def test_full_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MASTO_TOKEN", "s3cret")
    file = tmp_path / "config.toml"
    file.write_text(
        """
[store]
url = "sqlite:///x.db"
[defaults]
interval = "5m"
[http]
timeout = "7s"
max_bytes = 1000
[detect]
confirm_deletions = 3
confirm_pause = 0.5
[platforms.mastodon]
base_url = "http://127.0.0.1:9/"
headers = { Authorization = "Bearer ${MASTO_TOKEN}" }
cookies = { a = "b" }
""",
        encoding="utf-8",
    )
    s = load_settings(file)
    assert s.db_url == f"sqlite:///{tmp_path.resolve() / 'x.db'}"  # beside the file
    assert s.default_interval == 300
    assert (s.http.timeout, s.http.max_bytes) == (7, 1000)
    assert (s.detect.confirm_deletions, s.detect.confirm_pause) == (3, 0.5)
    assert s.platform("mastodon").headers["Authorization"] == "Bearer s3cret"
    assert s.platform("mastodon").cookies == {"a": "b"}
    assert s.platform("weibo").base_url == ""


@pytest.mark.parametrize(
    "data,message",
    [
        ({"htp": {}}, "htp: unknown key"),
        ({"http": {"timout": 3}}, "http.timout: unknown key"),
        ({"http": {"timeout": "soon"}}, "http.timeout: not a duration"),
        ({"http": {"max_bytes": 0}}, "http.max_bytes: must be at least 1"),
        ({"http": {"max_bytes": "big"}}, "http.max_bytes: must be a int"),
        ({"store": {"url": 5}}, "store.url: must be a str"),
        ({"store": "x"}, "store: must be a table"),
        ({"defaults": {"interval": "-5m"}}, "defaults.interval: not a duration"),
        ({"platforms": {"mastodon": {"base": "x"}}}, "platforms.mastodon.base: unknown key"),
        ({"platforms": {"m": {"headers": {"a": 1}}}}, "platforms.m.headers: must be a table"),
        (
            {"platforms": {"m": {"headers": {"a": "${NOPE_NOT_SET}"}}}},
            "platforms.m.headers.a: environment variable NOPE_NOT_SET is not set",
        ),
    ],
)
def test_errors_name_the_key(data: dict[str, object], message: str):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("$", r"\$")):
        parse_settings(data, "c.toml")


def test_file_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[store\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)


def test_expand_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("X_TOKEN", "abc")
    assert expand_env("a${X_TOKEN}b $$5") == "aabcb $5"
    with pytest.raises(ValueError, match="Y_MISSING"):
        expand_env("${Y_MISSING}")


@pytest.mark.parametrize(
    "value,seconds",
    [
        (90, 90),
        (1.5, 1.5),
        ("30s", 30),
        ("10m", 600),
        ("1h30m", 5400),
        ("2d", 172800),
        ("1 h", 3600),
        ("500ms", 0.5),
        ("1w", 604800),
    ],
)
def test_parse_duration(value: object, seconds: float):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "10", "soon", "10x", "m", 0, -3, True, None])
def test_parse_duration_rejects(value: object):
    with pytest.raises(ValueError):
        parse_duration(value)


def test_example_config_loads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramToken_0123456789abcdef")
    monkeypatch.setenv("TELEGRAM_CHAT_ID", "12345")
    monkeypatch.setenv("SLACK_TOKENS", "T0FAKE0001/B0FAKE0002/FakeSlackWebhookSecret0123")
    example = Path(__file__).resolve().parents[1] / "config.example.toml"
    settings = load_settings(example)
    assert settings.default_interval == 600
    assert settings.detect.confirm_deletions == 2
    assert [c.name for c in settings.channels] == ["newsroom", "team"]
    assert settings.channels[0].events == {"edited", "deleted", "restored"}
    assert settings.watches[0].channels == ("newsroom", "team")
    assert settings.watches[0].interval == 300
    assert settings.watches[1].selector == "article .content"
    assert settings.daemon.max_attempts == 8


CHANNEL = {"name": "ops", "url": "json://127.0.0.1:9/notify"}


def test_channels_and_watches():
    s = parse_settings(
        {
            "channels": [CHANNEL | {"events": ["edited"], "format": "text"}],
            "watches": [{"url": "https://x.example/1", "channels": ["ops"], "interval": "2m"}],
            "daemon": {"concurrency": 3, "tick": "500ms"},
            "platforms": {"web": {"max_concurrent": 1, "min_spacing": "2s"}},
        }
    )
    assert s.channel("ops") is not None and s.channel("ops").wants("edited")  # type: ignore[union-attr]
    assert not s.channels[0].wants("deleted")
    assert s.watches[0].interval == 120 and s.watches[0].channels == ("ops",)
    assert (s.daemon.concurrency, s.daemon.tick) == (3, 0.5)
    assert (s.platform("web").max_concurrent, s.platform("web").min_spacing) == (1, 2)


def test_accounts_and_pages():
    s = parse_settings(
        {
            "accounts": {"follow_for": "3d", "young_interval": "30s", "max_interval": "1h"},
            "watches": [{"url": "https://bsky.app/profile/a.example", "pages": 3}],
        }
    )
    assert (s.accounts.follow_for, s.accounts.young_for) == (3 * 86400, 3600)
    assert (s.accounts.young_interval, s.accounts.max_interval) == (30, 3600)
    assert s.watches[0].pages == 3


@pytest.mark.parametrize(
    "data,message",
    [
        ({"channels": [{"url": "json://x/y"}]}, "channels[0].name: is required"),
        ({"channels": [CHANNEL, CHANNEL]}, "channels[1].name: channel 'ops' is defined twice"),
        ({"channels": [CHANNEL | {"evnts": []}]}, "channels[0].evnts: unknown key"),
        ({"channels": [CHANNEL | {"events": ["edit"]}]}, "channels[0].events: unknown event"),
        ({"channels": [CHANNEL | {"format": "bbcode"}]}, "channels[0].format: unknown format"),
        ({"channels": [CHANNEL | {"url": "nonsense"}]}, "channels[0].url: "),
        ({"channels": [CHANNEL | {"url": "${NOPE_TOKEN}"}]}, "channels[0].url: environment"),
        ({"channels": {"name": "x"}}, "channels: must be an array of tables"),
        ({"watches": [{"url": "https://x/1", "channels": ["nope"]}]}, "unknown channel 'nope'"),
        ({"watches": [{"url": "https://x/1", "interval": "often"}]}, "watches[0].interval"),
        ({"watches": [{"interval": "1m"}]}, "watches[0].url: is required"),
        ({"daemon": {"concurency": 2}}, "daemon.concurency: unknown key"),
        ({"watches": [{"url": "https://x/1", "pages": 0}]}, "watches[0].pages: must be at least 1"),
        ({"accounts": {"follow_for": "forever"}}, "accounts.follow_for"),
        ({"accounts": {"follow": "7d"}}, "accounts.follow: unknown key"),
    ],
)
def test_channel_and_watch_errors_name_the_key(data: dict[str, object], message: str):
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "c.toml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_example_config_has_a_watch_of_each_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from watcher.app import App
    from watcher.sources import SOURCES

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTelegramToken_0123456789abcdef")
    monkeypatch.setenv("TELEGRAM_CHAT_ID", "12345")
    monkeypatch.setenv("SLACK_TOKENS", "T0FAKE0001/B0FAKE0002/FakeSlackWebhookSecret0123")
    settings = load_settings(Path(__file__).resolve().parents[1] / "config.example.toml")
    with App(settings, db=str(tmp_path / "w.db")) as app:
        report = app.sync_config()
        watches = app.store.list_watches()
    assert report.added == len(settings.watches)
    assert {w.target.platform for w in watches} == set(SOURCES)
    # and one account watch of each platform that can follow accounts
    followers = {name for name, source in SOURCES.items() if "_timeline" in vars(source)}
    assert {w.target.platform for w in watches if w.target.account} == followers
    assert settings.accounts.young_interval == 120


def test_channel_urls_are_checked_with_apprise_only_for_commands_that_send() -> None:
    data = {"channels": [CHANNEL | {"url": "nosuchservice://token@host"}]}
    assert parse_settings(data, "c.toml").channels[0].url.startswith("nosuchservice://")
    with pytest.raises(ConfigError, match=r"^c\.toml: channels\[0\]\.url: .*not a usable"):
        parse_settings(data, "c.toml", deliver=True)


# -- where the config and the database are ---------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty current folder and an empty user config folder."""
    monkeypatch.delenv("WATCHER_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    user = tmp_path / "xdg" / "watcher"
    user.mkdir(parents=True)
    return here, user


def test_config_file_discovery_order(folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch):
    here, user = folders
    assert config_file() is None
    (user / "config.toml").write_text("", encoding="utf-8")
    assert config_file() == user / "config.toml"
    (here / "config.toml").write_text("", encoding="utf-8")
    assert config_file() == here / "config.toml"
    (here / "watcher.toml").write_text("", encoding="utf-8")
    assert config_file() == here / "watcher.toml"
    monkeypatch.setenv("WATCHER_CONFIG", "env.toml")
    assert config_file() == Path("env.toml")
    assert config_file("given.toml") == Path("given.toml")


def test_a_config_in_the_current_folder_is_loaded(folders: tuple[Path, Path]):
    here, _ = folders
    (here / "watcher.toml").write_text('[defaults]\ninterval = "2m"\n', encoding="utf-8")
    settings = load_settings()
    assert settings.default_interval == 120
    assert settings.source == str(here / "watcher.toml")


def test_a_relative_store_url_is_relative_to_the_config_file(folders: tuple[Path, Path]):
    _, user = folders
    (user / "config.toml").write_text('[store]\nurl = "sqlite:///w.db"\n', encoding="utf-8")
    assert load_settings().db_url == f"sqlite:///{user.resolve() / 'w.db'}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", ""),
        ("sqlite:///w.db", "sqlite:////conf/w.db"),
        ("sqlite:///sub/w.db?timeout=5", "sqlite:////conf/sub/w.db?timeout=5"),
        ("sqlite+pysqlite:///w.db", "sqlite+pysqlite:////conf/w.db"),
        ("sqlite:////abs/w.db", "sqlite:////abs/w.db"),
        ("w.db", "/conf/w.db"),
        ("/abs/w.db", "/abs/w.db"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite:///file:w.db?mode=ro&uri=true", "sqlite:///file:w.db?mode=ro&uri=true"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_beside(url: str, expected: str):
    assert beside(url, Path("/conf")) == expected
