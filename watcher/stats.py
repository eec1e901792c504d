"""Pure account statistics for `watcher stats`: how often an account posts, edits and deletes,
and its longest silence, from the posting times and events its post watches recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from watcher.model import EventKind

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Silence:
    start: datetime  # the last post before it
    end: datetime | None  # the post that ended it; None: still silent
    seconds: float


@dataclass(frozen=True, slots=True)
class AccountStats:
    posts: int
    first: datetime | None
    last: datetime | None
    per_day: float  # posts per day from the first known post until now
    last_week: int  # posts in the 7 days before now
    edits: int
    deletions: int  # by the author
    removals: int  # by the platform or moderators
    restorations: int
    longest_silence: Silence | None


def account_stats(
    posted: Sequence[datetime], events: Mapping[EventKind, int], now: datetime
) -> AccountStats:
    """`posted`: when each followed post was published (in any order); `events`: how many
    events of each kind those posts had."""
    times = sorted(posted)
    span = (now - times[0]).total_seconds() if times else 0.0
    return AccountStats(
        posts=len(times),
        first=times[0] if times else None,
        last=times[-1] if times else None,
        per_day=len(times) / max(span / DAY, 1.0),
        last_week=sum(1 for t in times if now - t <= timedelta(days=7)),
        edits=events.get(EventKind.EDITED, 0),
        deletions=events.get(EventKind.DELETED, 0),
        removals=events.get(EventKind.REMOVED, 0),
        restorations=events.get(EventKind.RESTORED, 0),
        longest_silence=longest_silence(times, now),
    )


def longest_silence(times: Sequence[datetime], now: datetime) -> Silence | None:
    """The longest gap between consecutive posts (sorted), counting the one still running."""
    if not times:
        return None
    gaps = [Silence(a, b, (b - a).total_seconds()) for a, b in pairwise(times)]
    gaps.append(Silence(times[-1], None, max(0.0, (now - times[-1]).total_seconds())))
    return max(gaps, key=lambda gap: gap.seconds)
