"""Accounts going silent and coming back, end to end with the clock injected: the April 2025
pattern on a fake Weibo (getIndex), and a fake Mastodon, checked by the app as the daemon checks
them, alerts sent through the outbox and apprise's json:// to a local receiver. Nothing sleeps:
the app's clock jumps three hours between checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakeapis import json_messages
from tests.fakeplatform import PROFILE, FakeAccount
from tests.fakeweibo import ACCOUNT, CST, FakeWeibo
from tests.server import FakeSite
from watcher.app import App
from watcher.model import EventKind, StoredEvent, Watch
from watcher.notify import Notifier
from watcher.outbox import Outbox
from watcher.settings import ChannelSettings, DetectSettings, PlatformSettings, Settings
from watcher.views import Change

STEP = timedelta(hours=3)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def settings(site: FakeSite, platform: str, zone: str = "Asia/Shanghai") -> Settings:
    host = site.url.split("//")[1]
    phone = ChannelSettings(
        "phone", f"json://{host}/phone", frozenset({"silent", "back"}), timezone=zone
    )
    return Settings(
        platforms={platform: PlatformSettings(base_url=site.url)},
        channels=(phone,),
        detect=DetectSettings(confirm_pause=0.01),
    )


class World:
    """One account watched by the app, checked every three hours of its clock, its alerts sent
    to the receiver after each check."""

    def __init__(self, site: FakeSite, db: Path, platform: str, url: str, start: datetime) -> None:
        site.reply("/phone", 200, "ok")
        self.site, self.clock = site, Clock(start)
        self.settings = settings(site, platform)
        self.db, self.url = str(db), url
        self.app = self.open()

    def open(self) -> App:
        return App(self.settings, db=self.db, clock=self.clock)

    def restart(self) -> None:
        """A new process on the same database (the daemon restarted)."""
        self.app.close()
        self.app = self.open()

    def add(self, pages: int = 1) -> Watch:
        return self.app.add_watch(self.app.target(self.url), 3 * 3600.0, None, pages).watch

    def check(self) -> None:
        account = self.app.store.find_watch(self.app.target(self.url))
        assert account is not None
        self.app.check_once(account)
        Outbox(self.app.store, Notifier(), self.settings, self.clock).drain()

    def until(self, end: datetime) -> None:
        """Check every three hours until `end` (included)."""
        while self.clock.now + STEP <= end:
            self.clock.now += STEP
            self.check()

    def messages(self) -> list[dict[str, Any]]:
        return json_messages(self.site, "/phone")

    def events(self) -> list[StoredEvent]:
        """The account's silent and back events, oldest first."""
        account = self.app.store.find_watch(self.app.target(self.url))
        assert account is not None
        quiet = (EventKind.SILENT, EventKind.BACK)
        return [e for e in reversed(self.app.store.events(account.id)) if e.kind in quiet]


def cst(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=CST)


# -- the April 2025 pattern on Weibo -----------------------------------------------------------

# Seeded by the first listing: a post a day through March (at 10:00 to 13:00, so gaps of 21 to
# 25 hours: auto makes the threshold twice 25 h, 50 h). Then April 1; April 6 (five days of
# silence); April 15 (nine days); then April 15, 17, 18 and 19, nothing remarkable.
SEED = [cst(3, day, 10 + day % 4) for day in range(10, 32)]
APRIL = [cst(4, 1, 10), cst(4, 6, 10), cst(4, 15, 9), cst(4, 15, 20), cst(4, 17, 8)]
APRIL += [cst(4, 18, 9), cst(4, 19, 10)]


@pytest.fixture
def weibo(site: FakeSite, tmp_path: Path) -> Iterator[tuple[World, FakeWeibo]]:
    world = World(site, tmp_path / "watcher.db", "weibo", ACCOUNT, cst(4, 1, 12))
    fake = FakeWeibo(site, world.clock)
    for n, at in enumerate(SEED + APRIL):
        fake.post(at, f"第{n + 1}条微博")
    try:
        yield world, fake
    finally:
        world.app.close()


def test_the_april_2025_pattern_on_weibo(weibo: tuple[World, FakeWeibo]) -> None:
    world, fake = weibo
    world.add(pages=3)  # the first listing's 23 posts seed the rhythm
    world.check()
    assert world.messages() == []

    # April 1 10:00 + 50 h = April 3 12:00: the check after it says so, once.
    world.until(cst(4, 3, 12))
    assert world.messages() == []
    world.until(cst(4, 6, 9))
    (silent,) = world.messages()
    assert (silent["title"], silent["type"]) == (
        "💤 Silent — 雷军 has not posted on Weibo for 2 days 5 h",
        "warning",
    )
    last = fake.posts[len(SEED)][1]  # April 1's
    assert silent["message"].split("\n")[:5] == [
        "💤 Silent — 雷军 has not posted on Weibo for 2 days 5 h",
        "Usually about one post a day · last post 2025-04-01 10:00 CST",
        fake.link(last),
        "",
        f"第{len(SEED) + 1}条微博",
    ]

    # The April 6 post ends it: the gap is the whole silence, from April 1 10:00.
    world.until(cst(4, 6, 12))
    back = world.messages()[1]
    assert (back["title"], back["type"]) == (
        "↩️ Back — 雷军 is back on Weibo after 5 days",
        "success",
    )
    assert back["message"].split("\n")[1] == (
        "Posted 2025-04-06 10:00 · previous post 2025-04-01 10:00 CST"
    )
    assert f"第{len(SEED) + 2}条微博" in back["message"]

    # Silent again from April 8 12:00, but the API fails, then the account is hidden: no
    # silence is measured until a check sees the timeline again.
    world.until(cst(4, 7))
    fake.failing = True
    world.until(cst(4, 9, 12))
    fake.failing, fake.hidden = False, True
    world.until(cst(4, 10, 21))
    assert len(world.messages()) == 2
    fake.hidden = False
    world.until(cst(4, 11))
    assert (
        world.messages()[2]["title"] == "💤 Silent — 雷军 has not posted on Weibo for 4 days 14 h"
    )
    world.until(cst(4, 15, 6))
    assert len(world.messages()) == 3

    world.until(cst(4, 15, 9))
    assert world.messages()[3]["title"] == "↩️ Back — 雷军 is back on Weibo after 8 days 23 h"

    # April 15, 17, 18 and 19: the gaps stay within the account's rhythm.
    world.until(cst(4, 20, 12))
    assert len(world.messages()) == 4
    kinds = [(e.kind.value, e.at.astimezone(CST)) for e in world.events()]
    assert kinds == [
        ("silent", cst(4, 3, 15)),
        ("back", cst(4, 6, 12)),
        ("silent", cst(4, 11)),
        ("back", cst(4, 15, 9)),
    ]
    assert [e.detail.split(";")[0] for e in world.events()] == [
        "no post for 2d 5h",
        "back after 5d",
        "no post for 4d 14h",
        "back after 8d 23h",
    ]


def test_a_silence_is_said_once_across_restarts(weibo: tuple[World, FakeWeibo]) -> None:
    world, _ = weibo
    world.add(pages=3)
    world.check()
    world.until(cst(4, 3, 15))
    assert len(world.events()) == 1
    for _ in range(3):
        world.restart()
        world.until(world.clock.now + 2 * STEP)
    assert [e.kind for e in world.events()] == [EventKind.SILENT]
    assert len(world.messages()) == 1


def test_two_daemons_checking_at_once_say_it_once(weibo: tuple[World, FakeWeibo]) -> None:
    """A second app on the same database decides from the watch as it stood: its plan is stale
    once the first one's silence is written, and decided again it finds the silence said."""
    world, _ = weibo
    world.add(pages=3)
    world.check()
    world.clock.now = cst(4, 3, 15)
    other = world.open()
    try:
        account = other.store.find_watch(other.target(ACCOUNT))
        assert account is not None
        world.check()  # the first daemon says it
        other.check_once(account)  # the second read the watch before: stale, decided again
    finally:
        other.close()
    assert [e.kind for e in world.events()] == [EventKind.SILENT]


def test_a_silence_running_when_first_read_is_recorded_not_alerted(
    weibo: tuple[World, FakeWeibo],
) -> None:
    world, _ = weibo
    world.clock.now = cst(4, 4)  # three days after April 1's post: past its 50 h already
    world.add(pages=3)
    world.check()
    assert [e.kind for e in world.events()] == [EventKind.SILENT]
    assert world.messages() == []
    world.until(cst(4, 6, 12))
    [back] = world.messages()
    assert back["title"] == "↩️ Back — 雷军 is back on Weibo after 5 days"


def test_off_says_nothing(weibo: tuple[World, FakeWeibo]) -> None:
    world, _ = weibo
    account = world.add(pages=3)
    world.app.edit(str(account.id), Change(silence="off"))
    world.check()
    world.until(cst(4, 15, 9))
    assert world.events() == [] and world.messages() == []


# -- Mastodon: an account posting every four hours ---------------------------------------------

T0 = datetime(2025, 4, 1, 12, tzinfo=UTC)


@pytest.fixture
def mastodon(site: FakeSite, tmp_path: Path) -> Iterator[tuple[World, FakeAccount]]:
    world = World(site, tmp_path / "watcher.db", "mastodon", PROFILE, T0)
    fake = FakeAccount(site, page_size=40)
    for n in range(30, 0, -1):  # five days of a post every four hours, newest last
        fake.post(f"toot {31 - n}", at=T0 - timedelta(hours=4 * n))
    try:
        yield world, fake
    finally:
        world.app.close()


def test_mastodon_silent_after_a_day_then_back(mastodon: tuple[World, FakeAccount]) -> None:
    world, fake = mastodon
    account = world.add()
    world.check()
    last = T0 - timedelta(hours=4)
    # Six posts a day: twice the 90th percentile of its 4 h gaps is 8 h, below the 24 h floor.
    world.until(last + timedelta(hours=24))
    assert world.messages() == []
    fake.private = True  # the timeline lists nothing: hidden, not silent
    world.until(last + timedelta(hours=30))
    fake.private, fake.gone = False, True  # the account answers 404: gone, not silent
    world.until(last + timedelta(hours=36))
    assert world.messages() == []
    fake.gone = False
    world.until(last + timedelta(hours=39))
    [silent] = world.messages()
    assert (
        silent["title"]
        == "💤 Silent — @ann@social.example has not posted on Mastodon for 1 day 13 h"
    )
    assert "Usually about 6 posts a day · last post 2025-04-01 16:00 CST" in silent["message"]
    assert "toot 30" in silent["message"]
    fake.post("good morning", at=world.clock.now + timedelta(hours=1))
    world.until(last + timedelta(hours=45))
    back = world.messages()[1]
    assert back["title"] == "↩️ Back — @ann@social.example is back on Mastodon after 1 day 14 h"
    assert "good morning" in back["message"]
    assert world.app.store.get_watch(account.id).silent_since is None
