"""The daemon-side commands in-process: run --once (cron), status, deliveries, notify-test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.fakeapis import json_messages
from tests.server import FakeSite, Reply
from watcher.cli import cli

HTML = {"content-type": "text/html; charset=utf-8"}


def page(text: str) -> Reply:
    return Reply(200, f"<html><body><article><p>{text}</p></article></body></html>", HTML)


@pytest.fixture
def receiver() -> Any:
    with FakeSite().running() as site:
        site.reply("/notify", 200, "ok")
        yield site


class Env:
    def __init__(self, tmp: Path, site: FakeSite, receiver: FakeSite) -> None:
        self.site, self.receiver = site, receiver
        self.config = tmp / "c.toml"
        self.db = str(tmp / "w.db")
        host = receiver.url.split("//")[1]
        self.config.write_text(
            f"""
[daemon]
retry_base = "1ms"
max_attempts = 2
[[channels]]
name = "ops"
url = "json://{host}/notify"
[[channels]]
name = "quiet"
url = "json://{host}/quiet"
events = ["deleted"]
[[watches]]
url = "{site.url}/post"
interval = "1h"
""",
            encoding="utf-8",
        )

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "-c", str(self.config), "--db", self.db])

    def messages(self, path: str = "/notify") -> list[str]:
        return [m["message"] for m in json_messages(self.receiver, path)]


@pytest.fixture
def env(tmp_path: Path, site: FakeSite, receiver: FakeSite) -> Env:
    return Env(tmp_path, site, receiver)


def test_run_once_checks_due_watches_and_sends_alerts(env: Env):
    env.site.set("/post", page("first version"))
    first = env("run", "--once")
    assert first.exit_code == 0, first.output
    assert "checked 1" in first.stdout
    assert env.messages() == []  # a first snapshot is not news
    env.site.set("/post", page("second version"))
    assert "checked 0" in env("run", "--once").stdout  # not due for an hour
    again = env("run", "--once", "--all")
    assert "checked 1: 1 changed" in again.stdout
    assert "alerts: 1 sent" in again.stdout
    assert len(env.messages()) == 1 and "{+second+}" in env.messages()[0]
    assert env.messages("/quiet") == []  # that channel only wants deletions


def test_config_watches_follow_the_file(env: Env):
    env.site.set("/post", page("x"))
    env("run", "--once")
    env.config.write_text(env.config.read_text().split("[[watches]]")[0], encoding="utf-8")
    result = env("run", "--once")
    assert "0 added, 0 changed, 1 disabled" in result.stderr
    assert json.loads(env("list", "--json").stdout) == []


def test_undelivered_alerts_show_in_status_and_can_be_retried(env: Env):
    env.site.set("/post", page("one"))
    env("run", "--once")
    env.receiver.reply("/notify", 500, "down")
    env.site.set("/post", page("two"))
    env("run", "--once", "--all")
    env("run", "--once")  # the retry (after 1 ms) fails too: max_attempts = 2 → dead
    status = env("status")
    assert status.exit_code == 0
    assert "1 undelivered alert\n" in status.stdout
    assert "dead" in status.stdout
    error = status.stdout.split("undelivered")[1]
    assert "/notify" not in error and "/****" in error  # the channel's URL is masked
    listed = json.loads(env("deliveries", "--json").stdout)
    assert [(d["channel"], d["state"], d["attempts"]) for d in listed] == [("ops", "dead", 2)]
    env.receiver.reply("/notify", 200, "ok")
    retried = env("deliveries", "--retry")
    assert "retried 1: 1 sent" in retried.stdout
    assert "all alerts delivered" in retried.stdout
    assert len(env.messages()) == 1


def test_status_shows_failing_watches(env: Env):
    env.site.set("/post", Reply(503, "busy", HTML))
    env("run", "--once")
    data = json.loads(env("status", "--json").stdout)
    assert data["watches"][0]["status"] == "failed"
    assert "503" in data["watches"][0]["last_error"]
    assert (data["summary"]["statuses"], data["summary"]["failing"]) == ({"failed": 1}, 1)
    text = env("status").stdout
    assert (
        text.splitlines()[0]
        == "1 watch (1 enabled): 1 failed; 1 failing; alerts: 0 pending, 0 dead"
    )
    assert "backing off" in text


def test_status_opens_with_counts_over_every_watch(env: Env, site: FakeSite):
    env.site.set("/post", page("one"))
    env("run", "--once")
    env.site.set("/post", page("two"))
    env("run", "--once", "--all")  # edited: an alert for ops, sent
    for name in ("a", "b"):
        env("add", f"{site.url}/{name}")
    assert env("remove", "3").exit_code == 0
    first = env("status").stdout.splitlines()[0]
    assert first == "3 watches (2 enabled): 1 edited, 1 not checked; alerts: 0 pending, 0 dead"


def test_status_lists_one_page_of_watches_and_says_how_to_see_the_next(env: Env, site: FakeSite):
    for name in ("a", "b", "c", "d", "e"):
        env("add", f"{site.url}/{name}")
    first = env("status", "--limit", "2")
    assert first.exit_code == 0, first.output
    assert "watches 1–2 of 5 enabled; 3 more: `watcher status --offset 2 --limit 2`" in first.stdout
    assert (
        "watches 3–4 of 5 enabled; 1 more" in env("status", "--limit", "2", "--offset", "2").stdout
    )
    last = env("status", "--limit", "2", "--offset", "4").stdout
    assert "watches 5–5 of 5 enabled" in last and "more" not in last
    beyond = env("status", "--offset", "9")
    assert beyond.exit_code == 0 and "no watches after the first 9 (5 enabled)" in beyond.stdout
    whole = env("status").stdout  # the default page holds them all: no paging line
    assert "of 5 enabled" not in whole and "more" not in whole
    assert env("status", "--limit", "0").exit_code == 2


def test_status_json_is_the_summary_and_one_page(env: Env, site: FakeSite):
    for name in ("a", "b", "c"):
        env("add", f"{site.url}/{name}")
    data = json.loads(env("status", "--json", "--limit", "1", "--offset", "1").stdout)
    assert set(data) == {"summary", "watches", "undelivered", "limit", "offset"}
    assert data["summary"] == {
        "watches": 3,
        "enabled": 3,
        "failing": 0,
        "statuses": {"not_checked": 3},
        "pending": 0,
        "dead": 0,
    }
    assert [w["url"] for w in data["watches"]] == [f"{site.url}/b"]
    assert (data["undelivered"], data["limit"], data["offset"]) == ([], 1, 1)
    assert len(json.loads(env("status", "--json").stdout)["watches"]) == 3  # default: 50


def test_status_lists_the_oldest_undelivered_alerts_and_counts_them_all(env: Env):
    env.site.set("/post", page("one"))
    env("run", "--once")
    env.receiver.reply("/notify", 500, "down")
    for text in ("two", "three"):
        env.site.set("/post", page(text))
        env("run", "--once", "--all")
        env("run", "--once")  # the retry fails too: dead
    status = env("status", "--limit", "1")
    assert status.stdout.splitlines()[0].endswith("alerts: 0 pending, 2 dead")
    assert "2 undelivered alerts" in status.stdout
    assert "the oldest 1 shown; `watcher deliveries` lists them all" in status.stdout
    data = json.loads(env("status", "--json", "--limit", "1").stdout)
    assert [d["state"] for d in data["undelivered"]] == ["dead"]
    assert (data["summary"]["pending"], data["summary"]["dead"]) == (0, 2)
    assert len(json.loads(env("deliveries", "--json").stdout)) == 2  # deliveries lists them all


def test_notify_test(env: Env):
    result = env("notify-test", "ops")
    assert result.exit_code == 0, result.output
    assert "test message" in env.messages()[0]
    assert "notify" not in result.stdout.split("(")[1]  # masked path
    assert env("notify-test", "nope").exit_code == 2
    env.receiver.reply("/notify", 500, "down")
    failed = env("notify-test", "ops")
    assert failed.exit_code == 2
    assert "/notify" not in failed.stderr


def test_add_with_channels(env: Env, site: FakeSite):
    assert env("add", f"{site.url}/other", "--channel", "ops").exit_code == 0
    watches = json.loads(env("list", "--json").stdout)
    assert watches[0]["url"].endswith("/other")
    bad = env("add", f"{site.url}/x", "--channel", "nope")
    assert bad.exit_code == 2 and "no channel 'nope'" in bad.stderr


def test_all_needs_once(env: Env):
    result = env("run", "--all")
    assert result.exit_code == 2 and "--all goes with --once" in result.stderr


@pytest.mark.parametrize(
    "config,key",
    [
        ("[daemon]\ntik = 1\n", "daemon.tik"),
        (
            '[[watches]]\nurl = "https://x.example/"\ninterval = "sometimes"\n',
            "watches[0].interval",
        ),
        ('[[watches]]\nurl = "https://x.example/"\nchannels = ["nope"]\n', "watches[0].channels"),
        ('[[channels]]\nname = "a"\nurl = "tgram://${NO_SUCH_TOKEN}/1"\n', "channels[0].url"),
        ('[[watches]]\nurl = "not a url"\n', "watches[0]"),
    ],
)
def test_bad_config_exits_2_with_one_line_naming_the_key(tmp_path: Path, config: str, key: str):
    file = tmp_path / "c.toml"
    file.write_text(config, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["run", "--once", "-c", str(file), "--db", str(tmp_path / "d")]
    )
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "bomb",
    [
        Reply(200, b"[" * 50_000 + b"]" * 50_000, {"content-type": "application/json"}),
        Reply(200, b"<div>" * 300_000 + b"x", HTML),
    ],
    ids=["nested-json", "nested-html"],
)
def test_one_malformed_answer_fails_that_watch_only(env: Env, bomb: Reply):
    """A hostile answer fails its own watch with a reason; the pass goes on and the other
    watches' alerts are sent."""
    platform = "json" if b"[" in bomb.encoded()[:1] else "web"
    text = env.config.read_text(encoding="utf-8")
    extra = f'[[watches]]\nurl = "{env.site.url}/bomb"\nplatform = "{platform}"\ninterval = "1h"\n'
    env.config.write_text(text + extra, encoding="utf-8")
    env.site.set("/post", page("first version"))
    env.site.set("/bomb", bomb)
    assert env("run", "--once").exit_code == 0
    env.site.set("/post", page("second version"))
    result = env("run", "--once", "--all")
    assert result.exit_code == 0, result.output
    assert "checked 2: 1 changed, 1 not observed" in result.stdout
    assert len(env.messages()) == 1 and "second" in env.messages()[0]
    data = json.loads(env("status", "--json").stdout)
    bombed = next(w for w in data["watches"] if w["url"].endswith("/bomb"))
    assert bombed["status"] == "failed"
    assert "nests deeper" in bombed["last_error"]


def test_a_channel_apprise_cannot_use_stops_run_but_not_check(env: Env):
    text = env.config.read_text(encoding="utf-8")
    env.config.write_text(text.replace("json://", "nosuchservice://"), encoding="utf-8")
    env.site.set("/post", page("words"))
    run = env("run", "--once")
    assert run.exit_code == 2
    assert "channels[0].url" in run.output and "not a usable apprise URL" in run.output
    assert env("check", f"{env.site.url}/post").exit_code == 0  # sends nothing: not checked
