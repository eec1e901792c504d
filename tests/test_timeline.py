from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watcher.model import Followed, Hidden, Page, Post, Seen, Target, Watch, WatchState
from watcher.schedule import follow_interval
from watcher.settings import AccountSettings
from watcher.timeline import Known, compare, read_page

T0 = datetime(2026, 6, 1, tzinfo=UTC)


def post(n: int) -> Post:
    """Post n was published n hours after T0: a higher number is newer."""
    return Post(id=str(n), url=f"u/{n}", text=f"post {n}", created_at=T0 + timedelta(hours=n))


def known(*numbers: int) -> list[Known]:
    order = sorted(numbers, reverse=True)
    return [Known(str(n), T0 + timedelta(hours=n), order.index(n)) for n in numbers]


def page(*numbers: int) -> list[Post]:
    return [post(n) for n in sorted(numbers, reverse=True)]


def test_a_new_post_is_new():
    change = compare(known(3, 2, 1), page(4, 3, 2, 1))
    assert [p.id for p in change.new] == ["4"] and change.suspects == ()


def test_a_post_gone_between_live_neighbours_is_a_suspect():
    change = compare(known(5, 4, 3, 2, 1), page(5, 4, 2, 1))
    assert change.suspects == ("3",) and change.aged_out == ()


def test_an_older_post_moving_up_into_the_page_is_backfill_not_new():
    # 3 deleted: the page of four now reaches down to 1, a post we never listed.
    change = compare(known(5, 4, 3, 2), page(5, 4, 2, 1))
    assert change.new == () and [p.id for p in change.backfill] == ["1"]
    assert change.suspects == ("3",)


def test_unknown_posts_above_or_between_known_ones_are_new():
    change = compare(known(5, 3), page(6, 5, 4, 3, 2))
    assert [p.id for p in change.new] == ["6", "4"] and [p.id for p in change.backfill] == ["2"]
    # nothing known still listed: everything listed is new
    assert [p.id for p in compare(known(2, 1), page(9, 8)).new] == ["9", "8"]


def test_the_page_shifting_by_one_is_nothing():
    change = compare(known(5, 4, 3, 2, 1), page(6, 5, 4, 3, 2))
    assert [p.id for p in change.new] == ["6"]
    assert change.suspects == () and change.aged_out == ("1",)


def test_the_newest_post_missing_is_left_to_its_own_watch():
    change = compare(known(5, 4, 3), page(4, 3))
    assert change.suspects == () and change.aged_out == ("5",)


def test_an_empty_page_is_an_account_condition_not_deletions():
    change = compare(known(3, 2, 1), [])
    assert change.empty and change.suspects == ()
    assert compare([], []) == compare([], [])  # nothing known, nothing said
    assert not compare([], []).empty


def test_times_beat_positions_when_a_post_is_pinned():
    # post 1 (old) was pinned at the top; post 3 vanished between 4 and 2.
    follows = [Known("1", T0 + timedelta(hours=1), 0), *known(4, 3, 2)]
    change = compare(follows, [post(1), post(4), post(2)])
    assert change.suspects == ("3",)


def test_without_times_positions_decide():
    follows = [Known(str(n), None, i) for i, n in enumerate([5, 4, 3, 2])]
    untimed = [Post(id=str(n), url="u", text="t") for n in (5, 4, 2)]
    assert compare(follows, untimed).suspects == ("3",)


@pytest.mark.parametrize(
    "age,interval",
    [
        (0, 120),
        (59 * 60, 120),
        (3600, 180),
        (86400, 4320),
        (3 * 86400, 12960),
        (6 * 86400, 6 * 3600),
        (7 * 86400, None),
    ],
)
def test_follow_interval_backs_off_with_age(age: float, interval: float | None):
    assert follow_interval(age) == interval


def test_follow_interval_follows_the_settings():
    quick = AccountSettings(follow_for=3600, young_for=600, young_interval=10, max_interval=60)
    assert [follow_interval(age, quick) for age in (0, 900, 3000, 3600)] == [10, 45, 60, None]


ACCOUNT = Target("https://social.example/@ann", "mastodon", account=True)


def followed(numbers: list[int], listing: list[int]) -> tuple[Watch, list[Followed]]:
    """An account watch whose last listing was `listing`, following posts `numbers`."""
    listed = tuple(str(n) for n in listing)
    account = Watch(1, ACCOUNT, 60.0, True, WatchState(), T0, T0, listing=listed)
    return account, [Followed(100 + n, str(n), post(n).created_at) for n in numbers]


def test_read_page_turns_a_vanished_middle_post_into_its_watch_id():
    account, posts = followed([1, 2, 3], [3, 2, 1])
    reading = read_page(account, Page(tuple(page(4, 3, 1)), "@ann"), posts)
    assert [p.id for p in reading.new] == ["4"]
    assert reading.suspects == (102,)
    assert reading.listing == ("4", "3", "1")
    assert isinstance(reading.observation, Seen) and reading.observation.post.text == "@ann"


def test_read_page_a_post_listed_again_is_not_new():
    account, posts = followed([1, 2, 3], [3, 2])  # 1 fell off the end last time
    reading = read_page(account, Page(tuple(page(3, 2, 1)), "@ann"), posts)
    assert (reading.new, reading.suspects) == ((), ())


def test_read_page_an_empty_page_is_hidden_and_keeps_the_listing():
    account, posts = followed([1, 2], [2, 1])
    reading = read_page(account, Page((), "@ann"), posts)
    assert isinstance(reading.observation, Hidden)
    assert (reading.new, reading.suspects, reading.listing) == ((), (), ("2", "1"))


def test_read_page_an_empty_page_of_a_new_account_is_just_empty():
    account, _ = followed([], [])
    assert isinstance(read_page(account, Page((), "@ann"), []).observation, Seen)
