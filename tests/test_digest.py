"""Digests (issue 10, item 2): a synthetic week of a Weibo account written through the store's
own write API (the plans a check would apply), read back by `App.digest` on a real SQLite file;
and the periods a digest covers. Time is injected: nothing sleeps, no request is made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ACCOUNT, NOW, QUOTE, Week, cst, write_week
from watcher.app import App
from watcher.digest import (
    Counters,
    Digest,
    Period,
    default_tz,
    digest_json,
    iso_week,
    last_full_day,
    last_full_week,
    previous,
    span,
)
from watcher.errors import UsageError
from watcher.settings import Settings

WEEK = iso_week("2025-W22", "Asia/Shanghai")  # Mon 26 May – Mon 2 June, Beijing time


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    with App(Settings(), db=str(tmp_path / "w.db"), clock=lambda: NOW) as running:
        yield running


@pytest.fixture
def week(app: App) -> Week:
    return write_week(app.store)


@pytest.fixture
def weekly(app: App, week: Week) -> Digest:
    return app.digest(ACCOUNT, None, 3, None)


# -- the week --------------------------------------------------------------------------------


def test_a_40_post_week_gives_the_counts_the_top_three_the_photo_and_the_removed_quote(
    week: Week, weekly: Digest
):
    assert weekly.period == WEEK and weekly.period.tz == "Asia/Shanghai"  # Weibo's default
    assert (weekly.posts, weekly.previous_posts) == (40, 25)
    assert [p.url for p in weekly.top] == [week.urls[name] for name in "ABC"]
    assert [p.counters.engagement for p in weekly.top] == [5500, 5000, 4500]
    assert weekly.top[0].counters == Counters(likes=5000, reposts=300, replies=200)
    assert weekly.photo is not None  # the most engaging post with an image: B, not A
    assert (weekly.photo.url, weekly.photo.post_url) == (
        "https://wx1.sinaimg.cn/large/5026.jpg",
        week.urls["B"],
    )
    (edit,) = weekly.edits
    assert edit.url == week.urls["E"] and edit.at == cst(29, 14)
    assert QUOTE in " ".join(edit.removed) and edit.added == ()


def test_days_are_beijing_days_and_interactions_the_growth_of_the_samples(weekly: Digest):
    assert [d.date for d in weekly.per_day] == [date(2025, 5, 26) + timedelta(n) for n in range(7)]
    assert [d.posts for d in weekly.per_day] == [8, 6, 0, 0, 10, 9, 7]
    by_day = {d.date.day: d.interactions for d in weekly.per_day}
    assert by_day[28] == 100  # Wednesday: no post, but an older one grew
    assert by_day[29] == 0
    assert by_day[30] == 5500 + 9  # A from nothing to 5,500, and nine posts of 1 like
    assert by_day[1] == 6 + 4500  # Sunday: C as first seen; its later growth is next week's
    fresh = 2 + 1 + 5000 + 3 + 5 * 1 + 5 + 5 * 1 + 5500 + 9 + 50 + 8 + 6 + 4500
    assert weekly.interactions == fresh + 100


def test_deletions_restorations_and_the_silence_of_the_week(week: Week, weekly: Digest):
    assert [(g.url, g.at, g.by_platform) for g in weekly.deletions] == [
        (week.urls["F"], cst(27, 9), False),
        (week.urls["w21-23-16"], cst(28, 9), True),  # an older post's, removed this week
    ]
    assert weekly.deletions[1].text.startswith("第")  # the last text stored: the evidence
    assert [(r.url, r.at) for r in weekly.restorations] == [(week.urls["F"], cst(31, 19))]
    (silence,) = weekly.silences  # from the last post before it to the first after
    assert (silence.start, silence.end, silence.seconds) == (cst(27, 20), cst(30, 8), 60 * 3600)
    gap = weekly.longest_gap
    assert gap is not None and (gap.start, gap.end) == (cst(27, 20), cst(30, 8))


def test_the_week_before_counts_its_own_posts(app: App, week: Week):
    before = app.digest(ACCOUNT, previous(WEEK), 3, None)
    assert (before.posts, before.previous_posts, before.edits) == (25, 0, ())
    assert before.silences == ()  # the silence began after it


def test_another_zone_moves_the_days(app: App, week: Week):
    utc = app.digest(ACCOUNT, iso_week("2025-W22", "UTC"), 3, None)
    assert utc.posts == 39  # Monday 00:30 in Beijing was Sunday in UTC
    assert utc.period.tz == "UTC" and utc.per_day[0].posts == 7


def test_the_json_object(weekly: Digest, week: Week):
    data = digest_json(weekly)
    assert data["account"] == {
        "watch_id": week.account.id,
        "url": ACCOUNT,
        "platform": "weibo",
        "author": "雷军",
    }
    assert data["period"] == {
        "start": "2025-05-26T00:00:00+08:00",
        "end": "2025-06-02T00:00:00+08:00",
        "tz": "Asia/Shanghai",
    }
    assert (data["posts"], data["previous_posts"]) == (40, 25)
    assert data["per_day"][0] == {"date": "2025-05-26", "posts": 8, "interactions": 5011}
    assert data["sparklines"]["posts"] == "▅▃▁▁▇▇▅"
    top = data["top"][0]
    assert top["metrics"] == {"likes": 5000, "reposts": 300, "replies": 200}
    assert (top["engagement"], top["created_at"]) == (5500, "2025-05-30T12:00:00+08:00")
    assert data["photo"]["post_url"] == week.urls["B"]
    assert set(data["edits"][0]) == {"url", "at", "removed", "added"}
    assert set(data["deletions"][0]) == {"url", "at", "text", "by"}
    assert data["silences"] == [
        {
            "start": "2025-05-27T20:00:00+08:00",
            "end": "2025-05-30T08:00:00+08:00",
            "seconds": 216000,
        }
    ]


def test_sqlite_and_postgresql_read_the_same_digest(db_url: str):
    with App(Settings(), db=db_url, clock=lambda: NOW) as on_both:
        write_week(on_both.store)
        found = digest_json(on_both.digest(ACCOUNT, None, 3, None))
    assert (found["posts"], found["previous_posts"], found["interactions"]) == (40, 25, 15194)
    assert [t["engagement"] for t in found["top"]] == [5500, 5000, 4500]
    assert found["photo"]["url"].endswith("/5026.jpg") and len(found["deletions"]) == 2
    assert QUOTE in " ".join(found["edits"][0]["removed"])


def test_a_post_is_not_an_account(app: App, week: Week):
    with pytest.raises(UsageError, match="is a post, not an account"):
        app.digest(week.urls["A"], None, 3, None)


def test_an_account_with_nothing_in_the_period(app: App, week: Week):
    empty = app.digest(ACCOUNT, iso_week("2025-W30", "Asia/Shanghai"), 3, None)
    assert (empty.posts, empty.top, empty.photo, empty.edits) == (0, (), None, ())
    assert all(d.posts == d.interactions == 0 for d in empty.per_day)
    assert empty.longest_gap is None  # nothing posted in it or the week before


# -- periods ---------------------------------------------------------------------------------


def test_the_last_full_week_is_monday_to_monday_in_the_zone():
    sunday_utc = datetime(2025, 6, 1, 17, tzinfo=UTC)  # already Monday 01:00 in Beijing
    assert last_full_week(sunday_utc, "Asia/Shanghai") == WEEK
    assert last_full_week(sunday_utc, "UTC").start == datetime(2025, 5, 19, tzinfo=UTC)
    assert last_full_week(WEEK.end, "Asia/Shanghai") == WEEK  # Monday 00:00: it just ended


def test_iso_weeks_days_and_the_period_before():
    assert iso_week("2025w22", "Asia/Shanghai") == WEEK
    for bad in ("2025-W60", "2025-22", "last week"):
        with pytest.raises(ValueError):
            iso_week(bad, "UTC")
    day = last_full_day(NOW, "Asia/Shanghai")
    assert (day.start, day.end) == (cst(2, 0, month=6), cst(3, 0, month=6))
    assert previous(WEEK) == iso_week("2025-W21", "Asia/Shanghai")
    # The week before is Monday to Monday even across a clock change (167 hours, not 168).
    before = previous(iso_week("2025-W11", "America/New_York"))
    assert before == iso_week("2025-W10", "America/New_York")
    assert before.end.astimezone(UTC) - before.start.astimezone(UTC) == timedelta(hours=167)
    odd = Period(cst(1, 6, month=6), cst(1, 18, month=6), "Asia/Shanghai")
    assert previous(odd) == Period(cst(31, 18), cst(1, 6, month=6), "Asia/Shanghai")


def test_since_and_until():
    whole = span("2025-05-26", "2025-06-01", "Asia/Shanghai", NOW)
    assert whole == WEEK  # a date alone as --until includes that day
    assert span("2025-06-01T08:00", None, "UTC", NOW).end == NOW
    assert span("2025-06-01T08:00+08:00", None, "UTC", NOW).start == cst(1, 8, month=6)
    for since, until in (("2025-06-02", "2025-06-01"), ("yesterday", None), ("2020-01-01", None)):
        with pytest.raises(ValueError):
            span(since, until, "UTC", NOW)


def test_default_time_zones():
    assert (default_tz("weibo"), default_tz("mastodon"), default_tz("x")) == (
        "Asia/Shanghai",
        "UTC",
        "UTC",
    )
