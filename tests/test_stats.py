from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watcher.model import EventKind
from watcher.stats import account_stats, longest_silence

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)


def hours_ago(*hours: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours]


def test_no_posts():
    stats = account_stats([], {}, NOW)
    assert (stats.posts, stats.per_day, stats.longest_silence) == (0, 0.0, None)


def test_figures():
    posted = hours_ago(1, 50, 2, 24 * 9)  # any order
    counts = {EventKind.EDITED: 3, EventKind.DELETED: 1, EventKind.REMOVED: 2}
    stats = account_stats(posted, counts, NOW)
    assert stats.posts == 4 and stats.last_week == 3
    assert stats.first == NOW - timedelta(days=9) and stats.last == NOW - timedelta(hours=1)
    assert stats.per_day == 4 / 9
    assert (stats.edits, stats.deletions, stats.removals, stats.restorations) == (3, 1, 2, 0)
    silence = stats.longest_silence
    assert silence is not None and silence.seconds == (24 * 9 - 50) * 3600
    assert silence.end == NOW - timedelta(hours=50)


def test_a_young_account_counts_at_least_a_day():
    assert account_stats(hours_ago(1, 2), {}, NOW).per_day == 2


def test_the_silence_still_running_counts():
    silence = longest_silence(sorted(hours_ago(100, 99)), NOW)
    assert silence is not None and silence.end is None and silence.seconds == 99 * 3600
