"""The rhythm of an account and its silence threshold (`watcher.activity`), the silence verdict
of a listing (`watcher.silence`), where it lands in an account check's plan (`decide`), and the
interactions `watcher stats` counts: pure functions of posting times, counter samples and the
watch as read. No database, no network, no clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from watcher.activity import (
    FALLBACK,
    FLOOR,
    Rhythm,
    basis,
    gaps,
    silence_threshold,
    span,
    threshold,
)
from watcher.decide import Rules, plan_account
from watcher.detect import detect
from watcher.model import (
    EventKind,
    Failed,
    Followed,
    Hidden,
    Post,
    Seen,
    Target,
    Watch,
    WatchState,
)
from watcher.settings import ChannelSettings, Settings
from watcher.silence import Posting, Quiet, decide, describe, postings, read
from watcher.stats import account_stats, interactions

NOW = datetime(2025, 4, 20, 12, tzinfo=UTC)
HOUR, DAY = 3600.0, 86400.0


def every(hours: float, count: int, last: datetime = NOW) -> list[datetime]:
    """`count` posting times `hours` apart, the last at `last`."""
    return [last - timedelta(hours=hours * n) for n in range(count)]


# -- the rhythm and the threshold ---------------------------------------------------------------


def test_gaps_are_between_consecutive_posts_in_any_order() -> None:
    times = [NOW, NOW - timedelta(hours=5), NOW - timedelta(hours=2)]
    assert gaps(times) == [3 * HOUR, 2 * HOUR]
    assert gaps([NOW]) == [] and gaps([]) == []


def test_a_busy_account_is_silent_after_the_floor() -> None:
    """Six posts a day: twice its 90th percentile (4 h) is 8 h, so the 24 h floor rules."""
    times = every(4, 60)
    found = threshold(times, NOW)
    assert found.seconds == FLOOR
    assert found.rule == (
        "auto: the 1d floor; twice the 90th percentile of 59 gaps in the last 30 days is 8h"
    )
    rhythm = basis(times, NOW)
    assert (rhythm.median_gap, rhythm.per_day, rhythm.recent) == (4 * HOUR, 6.0, True)


def test_a_daily_account_is_silent_after_twice_its_90th_percentile() -> None:
    # 20 gaps: 18 of a day, one of two days, one of five. Their 90th percentile (inclusive,
    # interpolated) is a tenth of the way from the 18th smallest (1 day) to the 19th (2 days):
    # 1.1 days, so the threshold is 2.2 days.
    times = [*every(24, 19, NOW - timedelta(days=7)), NOW - timedelta(days=5), NOW]
    found = threshold(times, NOW)
    assert found.percentile == pytest.approx(1.1 * DAY)
    assert found.seconds == pytest.approx(2.2 * DAY)
    assert (
        found.rule == "auto: twice the 90th percentile (1d 2h 24m) of 20 gaps in the last 30 days"
    )


def test_only_the_last_30_days_count_when_they_have_enough_gaps() -> None:
    old = every(24 * 7, 10, NOW - timedelta(days=40))  # weekly, long ago
    recent = every(6, 10)  # four a day lately
    assert threshold(old + recent, NOW).seconds == FLOOR
    assert basis(old + recent, NOW).gaps == (6 * HOUR,) * 9


def test_a_slow_account_is_judged_by_its_last_10_gaps() -> None:
    times = every(24 * 14, 15)  # a post a fortnight: two in the last 30 days, 14 gaps known
    rhythm = basis(times, NOW)
    assert rhythm == Rhythm((14 * DAY,) * 10, recent=False)
    found = threshold(times, NOW)
    assert found.seconds == pytest.approx(28 * DAY)
    assert found.rule == (
        "auto: twice the 90th percentile (14d) of the last 10 gaps known"
        " (fewer than 3 in the last 30 days)"
    )


def test_too_few_gaps_known_fall_back_to_three_days() -> None:
    assert threshold(every(24, 3), NOW).seconds == FALLBACK  # two gaps
    assert threshold([NOW], NOW).seconds == FALLBACK
    assert threshold([], NOW).rule == "auto: fewer than 3 gaps between posts known, so 3d"


def test_a_set_threshold_and_off() -> None:
    times = every(4, 60)
    assert silence_threshold(times, NOW, "108000") == 30 * HOUR
    assert threshold(times, NOW, "108000").rule == "set for this account"
    assert silence_threshold(times, NOW, "off") is None
    assert silence_threshold(times, NOW) == FLOOR


def test_posts_after_now_do_not_count() -> None:
    """A platform clock ahead of ours: such a post is no gap of the past yet."""
    times = [*every(4, 60), NOW + timedelta(hours=1)]
    assert basis(times, NOW).gaps == (4 * HOUR,) * 59


def test_span() -> None:
    assert [span(s) for s in (0, 59, 60, 3600, 90061, 5 * DAY)] == [
        "0m",
        "1m",
        "1m",
        "1h",
        "1d 1h 1m",
        "5d",
    ]


# -- the verdict of one listing -----------------------------------------------------------------

BUSY = [Posting(at, f"p{n}") for n, at in enumerate(every(4, 60, NOW - timedelta(hours=30)))]


def test_silent_once_the_running_gap_passes_the_threshold() -> None:
    quiet = decide("auto", None, BUSY, NOW - timedelta(hours=7))
    assert quiet.events == () and quiet.silent_since is None
    verdict = decide("auto", None, BUSY, NOW)
    (event,) = verdict.events
    assert (event.kind, event.at) == (EventKind.SILENT, NOW)
    assert verdict.silent_since == BUSY[0].at
    assert read(EventKind.SILENT, event.detail) == Quiet(30 * HOUR, "p0", 6.0, FLOOR)
    assert event.detail == "no post for 1d 6h; threshold 1d; usually 6.00 posts a day; last post p0"


def test_a_silence_said_is_not_said_again() -> None:
    since = BUSY[0].at
    later = decide("auto", since, BUSY, NOW + timedelta(days=3))
    assert later.events == () and later.silent_since == since


def test_back_with_the_first_post_after_the_silence_and_its_gap() -> None:
    since = BUSY[0].at
    fresh = [Posting(NOW + timedelta(hours=2), "late"), Posting(NOW + timedelta(hours=1), "q")]
    verdict = decide("auto", since, [*BUSY, *fresh], NOW + timedelta(hours=3))
    (event,) = verdict.events
    assert event.kind is EventKind.BACK and verdict.silent_since is None
    assert read(EventKind.BACK, event.detail) == Quiet(31 * HOUR, "q")
    assert event.detail == "back after 1d 7h; first post q"


def test_back_even_when_the_setting_went_off_meanwhile() -> None:
    fresh = Posting(NOW, "q")
    (event,) = decide("off", BUSY[0].at, [*BUSY, fresh], NOW).events
    assert event.kind is EventKind.BACK


def test_off_and_no_posts_say_nothing() -> None:
    assert decide("off", None, BUSY, NOW + timedelta(days=30)).events == ()
    assert decide("auto", None, [], NOW).events == ()


def test_a_detail_in_other_words_is_not_read() -> None:
    assert read(EventKind.SILENT, "quiet for a while") is None
    assert read(EventKind.BACK, "no post for 1d; last post x") is None
    said = Quiet(2 * DAY + 61, "https://example.com/item?a=1; b", None, None)
    assert read(EventKind.SILENT, describe(EventKind.SILENT, said)) == Quiet(
        2 * DAY + 60, said.post
    )


def test_postings_come_from_followed_posts_and_the_listing() -> None:
    followed = [Followed(1, "a", NOW - timedelta(days=2)), Followed(2, "b", None)]
    fresh = [
        Post("a", "u", "again"),  # followed already
        Post("c", "u", "dated", created_at=NOW - timedelta(hours=1)),
        Post("d", "u", "undated"),
    ]
    assert postings(followed, fresh, NOW) == [
        Posting(NOW - timedelta(days=2), "a"),
        Posting(NOW - timedelta(hours=1), "c"),
        Posting(NOW, "d"),  # a post without a time counts as posted when found
    ]


# -- in an account check's plan -----------------------------------------------------------------

ACCOUNT = Target("https://social.example/@ann", "mastodon", account=True)
HANDLE = Post(ACCOUNT.url, ACCOUNT.url, "@ann@social.example")


def rules() -> Rules:
    channels = (
        ChannelSettings("phone", "json://x/phone"),
        ChannelSettings("ops", "json://x/ops", frozenset({"deleted"})),
    )
    return Rules(Settings(channels=channels), random.Random(1))


def account(**changes: object) -> Watch:
    state = detect(WatchState(), Seen(HANDLE), NOW - timedelta(days=10)).state
    values: dict[str, object] = {
        "id": 3,
        "target": ACCOUNT,
        "interval": 600.0,
        "enabled": True,
        "state": state,
        "created_at": NOW - timedelta(days=10),
        "next_check_at": NOW,
        "revisions": 1,
        "version": 5,
    }
    return Watch(**(values | changes))  # type: ignore[arg-type]


def plan(
    watch: Watch, seen: Seen | Hidden | Failed
) -> tuple[list[tuple[EventKind, tuple[str, ...]]], datetime | None]:
    outcome = detect(watch.state, seen, NOW)
    made = plan_account(rules(), watch, seen, outcome, NOW, watch.listing, (), BUSY)
    events = [(e.kind, e.channels) for step in made.steps for e in step.events]
    return events, made.silent_since


def test_a_listing_that_was_seen_says_silent_to_the_channels_that_want_it() -> None:
    assert plan(account(), Seen(HANDLE)) == ([(EventKind.SILENT, ("phone",))], BUSY[0].at)


def test_a_failing_or_hidden_account_is_not_silent_and_keeps_its_state() -> None:
    assert plan(account(), Failed("HTTP 503")) == ([], None)
    hidden, since = plan(account(), Hidden("the timeline listed no posts"))
    assert [kind for kind, _ in hidden] == [EventKind.HIDDEN] and since is None
    said = BUSY[0].at
    assert plan(account(silent_since=said), Failed("HTTP 503")) == ([], said)


def test_the_first_listing_records_a_running_silence_for_nobody() -> None:
    first = account(state=WatchState(), revisions=0)
    events, since = plan(first, Seen(HANDLE))
    assert (EventKind.SILENT, ()) in events and since == BUSY[0].at


def test_a_plan_that_announces_or_ends_a_silence_is_not_quiet() -> None:
    outcome = detect(account().state, Seen(HANDLE), NOW)
    made = plan_account(rules(), account(), Seen(HANDLE), outcome, NOW, (), (), BUSY)
    assert not made.quiet
    early = NOW - timedelta(hours=7)  # 23 h after the last post: below the threshold
    unchanged = plan_account(rules(), account(), Seen(HANDLE), outcome, early, (), (), BUSY)
    assert unchanged.quiet and unchanged.silent_since is None
    said = account(silent_since=BUSY[0].at)
    still = plan_account(rules(), said, Seen(HANDLE), outcome, NOW, (), (), BUSY)
    assert still.quiet and still.silent_since == BUSY[0].at  # said once: nothing to write


# -- interactions (`watcher stats`) ---------------------------------------------------------------


def test_interactions_are_the_growth_of_likes_reposts_and_replies_in_the_period() -> None:
    start, end = NOW - timedelta(days=7), NOW
    day = timedelta(days=1)
    samples = {
        # sampled before the week: it grew from 100 to 160 in it (views are no interaction)
        1: [
            (start - day, {"favourites_count": 90, "reblogs_count": 10, "views": 5000}),
            (start + day, {"favourites_count": 120, "reblogs_count": 20, "views": 9000}),
            (end - day, {"favourites_count": 140, "reblogs_count": 20}),
        ],
        # published in the week: all it has counts
        2: [(end - day, {"attitudes_count": 30, "comments_count": 4, "reposts_count": 1})],
        # published before the week and first seen in it: only what it gained since
        3: [(start + day, {"likeCount": 50}), (end, {"likeCount": 58, "score": 999})],
        # not sampled in the week
        4: [(start - day, {"likes": 7})],
    }
    posted = {1: start - 2 * day, 2: end - 2 * day, 3: start - day, 4: start - 3 * day}
    assert interactions(samples, posted, start, end) == 60 + 35 + 8
    assert interactions({}, {}, start, end) == 0


def test_stats_carry_the_threshold_and_median_gap() -> None:
    figures = account_stats(every(4, 60), {}, NOW, "auto")
    assert figures.threshold.seconds == FLOOR
    assert figures.median_gap == 4 * HOUR
    assert account_stats(every(4, 60), {}, NOW, "off").threshold.seconds is None
