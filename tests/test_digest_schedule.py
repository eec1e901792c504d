"""Scheduled digests (issue 10): when each `[[digests]]` entry is due and which period it
covers, its config errors, and end to end through the daemon to a local json:// receiver,
exactly once across a restart and with two daemons on one database. Time is injected."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ACCOUNT, write_week
from tests.fakeapis import json_messages
from tests.server import FakeSite
from watcher.app import App
from watcher.config import parse_settings
from watcher.digest_schedule import due, next_fire
from watcher.errors import ConfigError
from watcher.model import EventKind, Target
from watcher.notify import Notifier
from watcher.scheduler import Daemon
from watcher.settings import ChannelSettings, DigestSettings, Settings
from watcher.store import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY = DigestSettings("https://weibo.com/u/1", weekday="mon", hour=9, minute=0)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def local(*parts: int, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


# -- when a digest is due ------------------------------------------------------------------


def test_a_weekly_digest_is_due_from_its_fire_time_and_covers_the_week_before():
    found = due(WEEKLY, "Asia/Shanghai", local(2025, 6, 2, 9, 5), LONG_AGO)
    assert found is not None
    assert found.fired == local(2025, 6, 2, 9, 0)
    assert (found.period.start, found.period.end) == (local(2025, 5, 26), local(2025, 6, 2))
    assert found.next_fire == local(2025, 6, 9, 9, 0)


def test_before_monday_nine_the_previous_weeks_digest_is_the_one_due():
    found = due(WEEKLY, "Asia/Shanghai", local(2025, 6, 2, 8, 59), LONG_AGO)
    assert found is not None
    assert (found.period.start, found.period.end) == (local(2025, 5, 19), local(2025, 5, 26))


def test_a_digest_first_seen_after_its_fire_time_waits_for_the_next():
    seen = local(2025, 6, 4, 12, 0)
    assert due(WEEKLY, "Asia/Shanghai", local(2025, 6, 4, 12, 1), seen) is None
    assert next_fire(WEEKLY, "Asia/Shanghai", seen) == local(2025, 6, 9, 9, 0)


def test_a_daily_digest_covers_the_day_before_in_its_zone():
    daily = DigestSettings("https://weibo.com/u/1", every="day", hour=7, minute=30)
    found = due(daily, "Asia/Shanghai", local(2025, 6, 3, 7, 30), LONG_AGO)
    assert found is not None
    assert (found.period.start, found.period.end) == (local(2025, 6, 2), local(2025, 6, 3))


def test_fire_times_follow_daylight_saving_in_the_digests_zone():
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks went forward on Sunday 2025-03-30: Monday 09:00 is 07:00 UTC after, 08:00 before.
    found = due(WEEKLY, "Europe/Berlin", datetime(2025, 3, 31, 7, 1, tzinfo=UTC), LONG_AGO)
    assert found is not None and found.fired == datetime(2025, 3, 31, 9, 0, tzinfo=berlin)
    real = found.period.end.astimezone(UTC) - found.period.start.astimezone(UTC)
    assert real == timedelta(days=7) - timedelta(hours=1)  # the week lost an hour


# -- config ----------------------------------------------------------------------------------


def test_digests_in_the_config():
    settings = parse_settings(
        {
            "channels": [{"name": "desk", "url": "json://127.0.0.1:9/n"}],
            "digests": [
                {"account": "https://weibo.com/u/1", "at": "Fri 18:30", "channels": ["desk"]},
                {"account": "@ann@social.example", "every": "day", "tz": "Europe/Berlin"},
            ],
        }
    )
    weekly, daily = settings.digests
    assert (weekly.weekday, weekly.hour, weekly.minute, weekly.channels) == (
        "fri",
        18,
        30,
        ("desk",),
    )
    assert (daily.every, daily.hour, daily.tz, daily.top) == ("day", 9, "Europe/Berlin", 3)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"account": "https://weibo.com/u/1", "every": "month"},
            'digests[0].every: must be "week"',
        ),
        ({"account": "https://weibo.com/u/1", "at": "09:00"}, "digests[0].at: '09:00' is not"),
        ({"account": "https://weibo.com/u/1", "every": "day", "at": "mon 9:00"}, "digests[0].at"),
        ({"account": "https://weibo.com/u/1", "at": "mon 24:00"}, "digests[0].at"),
        ({"account": "https://weibo.com/u/1", "top": 0}, "digests[0].top: must be at least 1"),
        ({"account": "https://weibo.com/u/1", "tz": "Mars/Base"}, "digests[0].tz: unknown"),
        ({"account": "https://weibo.com/u/1", "channels": ["nope"]}, "unknown channel 'nope'"),
        ({"every": "week"}, "digests[0].account: is required"),
        ({"account": "https://weibo.com/u/1", "hour": 9}, "digests[0].hour: unknown key"),
    ],
)
def test_a_bad_digest_entry_names_the_file_and_the_key(entry: dict[str, object], message: str):
    with pytest.raises(ConfigError) as raised:
        parse_settings({"digests": [entry]}, "c.toml")
    assert str(raised.value).startswith("c.toml: ") and message in str(raised.value)


def test_the_same_digest_twice_is_refused():
    entry = {"account": "https://weibo.com/u/1"}
    with pytest.raises(ConfigError, match="defined twice"):
        parse_settings({"digests": [entry, entry]}, "c.toml")


# -- end to end --------------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def receiver() -> Iterator[FakeSite]:
    with FakeSite().running() as site:
        site.reply("/notify", 200, "ok")
        yield site


def settings_for(receiver: FakeSite) -> Settings:
    channel = ChannelSettings("desk", f"json://{receiver.url.split('//')[1]}/notify")
    return Settings(channels=(channel,), digests=(DigestSettings(ACCOUNT),))


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The 40-post week of `conftest.write_week` (2025-W22, Beijing time) in a SQLite file."""
    url = f"sqlite:///{tmp_path / 'watcher.db'}"
    store = Store(url)
    try:
        write_week(store)
    finally:
        store.close()
    return url


def run_pass(db: str, receiver: FakeSite, now: datetime) -> None:
    with App(settings_for(receiver), db, clock=Clock(now)) as app:
        Daemon(app, app.outbox(Notifier())).run_once()


def test_a_weekly_digest_goes_out_once_across_restarts(db: str, receiver: FakeSite):
    run_pass(db, receiver, local(2025, 6, 2, 8, 0))  # first seen: nothing due yet
    assert json_messages(receiver, "/notify") == []
    run_pass(db, receiver, local(2025, 6, 2, 9, 1))
    (sent,) = json_messages(receiver, "/notify")
    assert "2025-W22" in sent["title"] + sent["message"]
    assert "40" in sent["message"] and "Alan Kay" in sent["message"]  # the removed quote
    (chart,) = sent["attachments"]
    assert chart["mimetype"] == "image/png"
    assert base64.b64decode(chart["base64"]).startswith(b"\x89PNG")
    for minute in (2, 30):  # restarts in the same week: nothing more
        run_pass(db, receiver, local(2025, 6, 2, 9, minute))
    assert len(json_messages(receiver, "/notify")) == 1
    run_pass(db, receiver, local(2025, 6, 9, 9, 0))  # the next week's
    assert len(json_messages(receiver, "/notify")) == 2
    store = Store(db)
    try:
        account = store.find_watch(Target(ACCOUNT, "weibo", account=True))
        assert account is not None
        kinds = [e.kind for e in store.events(account.id)]
        assert kinds.count(EventKind.DIGEST) == 2
    finally:
        store.close()


def test_two_daemons_on_one_database_record_a_period_once(db: str, receiver: FakeSite):
    clock = Clock(local(2025, 6, 1, 12, 0))
    apps = [App(settings_for(receiver), db, clock=clock) for _ in range(2)]
    try:
        daemons = [Daemon(app, app.outbox(Notifier())) for app in apps]
        assert [d.digests.record_due() for d in daemons] == [0, 0]  # first seen
        clock.now = local(2025, 6, 2, 9, 5)
        assert sorted(d.digests.record_due() for d in daemons) == [0, 1]
        for d in daemons:
            d.drain()
    finally:
        for app in apps:
            app.close()
    assert len(json_messages(receiver, "/notify")) == 1


def test_a_digest_for_an_account_not_watched_is_skipped_with_a_warning(
    tmp_path: Path, receiver: FakeSite, caplog: pytest.LogCaptureFixture
):
    run_pass(str(tmp_path / "w.db"), receiver, local(2025, 6, 2, 9, 1))
    assert json_messages(receiver, "/notify") == []
    assert "is not a watched account" in caplog.text
