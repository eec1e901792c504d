"""End to end: the real daemon (`watcher run`) as a subprocess, a local fake site, apprise's
json:// to a local receiver, and apprise's Telegram, Slack and Discord plugins pointed at a
local fake API. Each test is one of the scenarios the daemon must get right."""

from __future__ import annotations

import html
import signal
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.daemon import DaemonProcess, config_text, running, wait_until
from tests.fakeapis import (
    discord_messages,
    discord_url,
    fake_api_env,
    fake_chat_apis,
    json_messages,
    slack_messages,
    slack_url,
    telegram_messages,
    telegram_url,
)
from tests.server import FakeSite, Reply
from watcher.model import EventKind
from watcher.store import Store

HTML = {"content-type": "text/html; charset=utf-8"}


def page(text: str) -> Reply:
    return Reply(200, f"<html><body><article><p>{text}</p></article></body></html>", HTML)


class World:
    """A fake site with posts, chat receivers, a config file and the daemon process."""

    def __init__(self, tmp_path: Path, site: FakeSite, chat: FakeSite, posts: int = 1) -> None:
        self.site, self.chat, self.tmp = site, chat, tmp_path
        self.db = tmp_path / "watcher.db"
        self.paths = [f"/post/{i}" for i in range(posts)]
        channels = [
            {"name": "receiver", "url": f"json://{chat.url.split('//')[1]}/notify"},
            {"name": "telegram", "url": telegram_url()},
            {"name": "slack", "url": slack_url()},
            {"name": "discord", "url": discord_url()},
        ]
        watches = [{"url": site.url + path, "interval": "1s"} for path in self.paths]
        self.config = tmp_path / "config.toml"
        self.config.write_text(config_text(self.db, channels, watches), encoding="utf-8")
        self.env = fake_api_env(chat, tmp_path)
        self.daemon = DaemonProcess(self.config, self.env, tmp_path / "daemon.log")

    def serve(self, text: str, index: int = 0) -> None:
        self.site.set(self.paths[index], page(text))

    def revisions(self) -> int:
        store = Store(f"sqlite:///{self.db}")
        try:
            return store.count_revisions()
        finally:
            store.close()

    def events(self, kind: EventKind) -> int:
        store = Store(f"sqlite:///{self.db}")
        try:
            return sum(e.kind is kind for w in store.list_watches() for e in store.events(w.id))
        finally:
            store.close()

    def received(self) -> dict[str, list[str]]:
        return {
            "receiver": [m["message"] for m in json_messages(self.chat, "/notify")],
            "telegram": [m["text"] for m in telegram_messages(self.chat)],
            "slack": [m["text"] for m in slack_messages(self.chat)],
            "discord": [m["content"] for m in discord_messages(self.chat)],
        }

    def counts(self) -> dict[str, int]:
        return {name: len(messages) for name, messages in self.received().items()}


@pytest.fixture
def chat() -> Iterator[FakeSite]:
    with FakeSite().running() as receiver, fake_chat_apis(receiver):
        receiver.reply("/notify", 200, "ok")
        yield receiver


@pytest.fixture
def world(tmp_path: Path, site: FakeSite, chat: FakeSite) -> World:
    return World(tmp_path, site, chat)


def each(count: int) -> dict[str, int]:
    return dict.fromkeys(("receiver", "telegram", "slack", "discord"), count)


def test_an_edit_sends_exactly_one_alert_per_channel_with_marks(world: World):
    world.serve("The colour of the sky is blue today.")
    with running(world.daemon) as daemon:
        wait_until(lambda: world.revisions() == 1, what="first snapshot")
        world.serve("The colour of the sky is grey today.")
        wait_until(lambda: world.counts() == each(1), what="one alert per channel")
        wait_until(lambda: world.events(EventKind.EDITED) == 1)
        assert daemon.stop() == 0
    assert world.counts() == each(1)  # no second alert for the same edit
    got = world.received()
    assert "[-blue-]{+grey+}" in got["receiver"][0]
    assert "<s>blue</s>" in got["telegram"][0] and "grey" in got["telegram"][0]
    assert telegram_messages(world.chat)[0]["parse_mode"] == "HTML"
    assert "~blue~" in got["slack"][0] and "*grey*" in got["slack"][0]
    assert "~~blue~~" in got["discord"][0] and "**grey**" in got["discord"][0]
    assert all("Edited" in messages[0] for messages in got.values())


def test_deletion_only_after_confirmation_and_never_for_blips(world: World):
    world.serve("A post that will be deleted.")
    with running(world.daemon) as daemon:
        wait_until(lambda: world.revisions() == 1)
        path = world.paths[0]
        world.site.set(path, Reply(503, "busy", HTML))
        wait_until(lambda: world.site.hits(path) >= 6, what="a 503 burst")
        world.site.set(path, Reply(200, "slow", HTML, delay=1.0))  # past the 500 ms timeout
        hits = world.site.hits(path)
        wait_until(lambda: world.site.hits(path) >= hits + 4, timeout=30, what="timeouts")
        world.serve("A post that will be deleted.")
        hits = world.site.hits(path)
        wait_until(lambda: world.site.hits(path) >= hits + 2)
        assert world.counts() == each(0)  # nothing to say about blips
        world.site.set(path, Reply(404, "gone", HTML))
        before_404 = world.site.hits(path)
        wait_until(lambda: world.counts() == each(1), what="one deletion alert per channel")
        assert world.site.hits(path) - before_404 >= 2  # confirmed, not a single 404
        wait_until(lambda: world.site.hits(path) >= before_404 + 5)
        assert daemon.stop() == 0
    assert world.counts() == each(1)
    got = world.received()
    assert all("Deleted" in messages[0] for messages in got.values())
    assert "A post that will be deleted." in got["receiver"][0]  # the evidence


def test_alerts_wait_out_a_receiver_outage(world: World):
    world.serve("version one")
    world.chat.reply("/notify", 500, "down")
    with running(world.daemon) as daemon:
        wait_until(lambda: world.revisions() == 1)
        world.serve("version two")
        wait_until(lambda: world.revisions() == 2)
        world.serve("version three")
        wait_until(lambda: world.revisions() == 3)
        wait_until(lambda: world.counts()["telegram"] == 2, what="other channels unaffected")
        assert world.counts()["receiver"] == 0
        world.chat.reply("/notify", 200, "ok")
        wait_until(lambda: world.counts()["receiver"] == 2, what="delivery after recovery")
        assert daemon.stop() == 0
    messages = world.received()["receiver"]
    assert len(set(messages)) == 2
    assert "{+two+}" in messages[0] and "{+three+}" in messages[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
def test_stopping_mid_run_loses_nothing(tmp_path: Path, site: FakeSite, chat: FakeSite, sig: int):
    world = World(tmp_path, site, chat, posts=12)
    for i in range(12):
        world.serve(f"post {i} first", i)
    chat.reply("/notify", 200, "ok", delay=0.3)  # a slow receiver: deliveries are in flight
    with running(world.daemon):
        wait_until(lambda: world.revisions() == 12, what="12 first snapshots")
        for i in range(12):
            world.serve(f"post {i} second", i)
        wait_until(lambda: world.counts()["receiver"] >= 1, timeout=30, what="first alerts")
        code = world.daemon.stop(sig)
    if sig == signal.SIGTERM:
        assert code == 0
    with running(DaemonProcess(world.config, world.env, tmp_path / "daemon2.log")) as again:
        wait_until(lambda: world.events(EventKind.EDITED) == 12, timeout=30, what="12 edits")
        wait_until(lambda: world.counts()["receiver"] >= 12, timeout=60, what="every alert")
        again.stop()
    messages = world.received()["receiver"]
    per_post = Counter(next(f"post {i} " for i in range(12) if f"post {i} " in m) for m in messages)
    assert set(per_post) == {f"post {i} " for i in range(12)}  # nothing lost
    duplicates = sum(n - 1 for n in per_post.values())
    assert duplicates <= (1 if sig == signal.SIGKILL else 0)


TRICKY = "<b>not bold</b> *bold* ~x~ _u_ `c` & [a](b) 👨‍👩‍👧 🇨🇳 中文"


class _TelegramText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _plain(channel: str, message: str) -> str:
    """The text a reader sees, per format (marks and escapes removed)."""
    if channel == "telegram":
        parser = _TelegramText()
        parser.feed(message)
        return "".join(parser.text)
    if channel == "slack":
        return html.unescape(message.replace("\u200b", ""))
    if channel == "discord":
        return message.replace("\\", "")
    return message


def test_tricky_text_arrives_verbatim_on_every_format(world: World):
    world.serve("plain start")
    with running(world.daemon) as daemon:
        wait_until(lambda: world.revisions() == 1)
        world.serve(html.escape(TRICKY))
        wait_until(lambda: world.counts() == each(1))
        daemon.stop()
    for channel, messages in world.received().items():
        assert TRICKY in _plain(channel, messages[0]), channel


LIMITS = {"telegram": 4096, "discord": 2000, "slack": 3000, "receiver": 4000}


def test_a_long_post_with_scattered_edits_fits_every_limit(world: World):
    words = [f"w{i}" if i % 7 else "中文" for i in range(4000)]
    world.serve(" ".join(words))
    with running(world.daemon) as daemon:
        wait_until(lambda: world.revisions() == 1, timeout=20)
        for i in range(0, 4000, 250):
            words[i] = f"EDIT{i}"
        world.serve(" ".join(words))
        wait_until(lambda: all(n >= 1 for n in world.counts().values()), timeout=30)
        wait_until(lambda: world.events(EventKind.EDITED) == 1)
        daemon.stop()
    for channel, messages in world.received().items():
        for message in messages:
            size = len(message.encode("utf-16-le")) // 2 if channel == "telegram" else len(message)
            assert size <= LIMITS[channel], (channel, size)
    for text in world.received()["telegram"]:
        _assert_balanced(text)


def _assert_balanced(text: str) -> None:
    stack: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Any) -> None:
            stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert stack and stack.pop() == tag, f"unbalanced </{tag}>"

    Checker().feed(text)
    assert not stack, f"unclosed {stack}"
