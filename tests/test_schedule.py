from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from watcher.detect import Outcome
from watcher.model import Status, WatchState
from watcher.schedule import first_check, next_check, retry_delay
from watcher.settings import DaemonSettings

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DAEMON = DaemonSettings(max_backoff=3600, retry_base=30, retry_max=600)


def outcome(status: Status, fail_streak: int = 0) -> Outcome:
    return Outcome(WatchState(status=status, fail_streak=fail_streak), status)


def delay(o: Outcome, interval: float = 300, retry_after: float | None = None) -> float:
    at = next_check(interval, o, NOW, DAEMON, retry_after, random.Random(1))
    return (at - NOW).total_seconds()


def test_interval_with_jitter():
    delays = [
        (next_check(300, outcome(Status.UNCHANGED), NOW, DAEMON, rng=random.Random(i)) - NOW)
        for i in range(50)
    ]
    seconds = [d.total_seconds() for d in delays]
    assert all(270 <= s <= 330 for s in seconds)
    assert len(set(seconds)) > 40


def test_unconfirmed_gone_is_rechecked_soon():
    assert delay(outcome(Status.UNCONFIRMED), interval=3600) == 60
    assert delay(outcome(Status.UNCONFIRMED), interval=10) == 10


@pytest.mark.parametrize("streak,expected", [(1, 300), (2, 600), (3, 1200), (4, 2400), (9, 3600)])
def test_failures_back_off_up_to_a_cap(streak: int, expected: float):
    assert delay(outcome(Status.FAILED, streak)) == expected


def test_backoff_never_goes_below_the_interval():
    assert delay(outcome(Status.FAILED, 5), interval=7200) == 7200


def test_rate_limit_honours_retry_after():
    assert delay(outcome(Status.RATE_LIMITED, 1), retry_after=900) == 900
    assert delay(outcome(Status.RATE_LIMITED, 1), retry_after=5) == 300


def test_first_check_is_spread_over_a_minute():
    times = [first_check(600, NOW, random.Random(i)) for i in range(100)]
    assert all(NOW <= t <= NOW + timedelta(seconds=60) for t in times)
    assert first_check(10, NOW, random.Random(3)) <= NOW + timedelta(seconds=10)


def test_delivery_retries_double_up_to_a_cap():
    delays = [retry_delay(n, DAEMON, random.Random(0)) for n in range(1, 8)]
    assert 24 <= delays[0] <= 30 and 48 <= delays[1] <= 60
    assert all(d <= 600 for d in delays) and delays[-1] >= 480
