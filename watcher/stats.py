"""Pure account statistics for `watcher stats`: how often an account posts, edits and deletes,
its longest silence, its rhythm (the silence threshold in force, the median gap: see
`watcher.activity`) and its interactions, from the posting times, events and counter samples
its post watches recorded.

Interactions are the growth of a post's likes, reposts, replies and quotes (`INTERACTIONS`:
each platform's names for them; views and scores that can fall are not interactions), summed
over the account's posts: for each post, its last sample in the period minus where it stood
when the period began — its last earlier sample; 0 if it was published in the period; else
(first seen later) its first sample, since what it gained before we saw it is not known."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from watcher.activity import AUTO, Threshold, threshold
from watcher.model import EventKind

DAY = 86400.0
WEEK = 7  # days of interactions `watcher stats` counts
Sample = tuple[datetime, Mapping[str, int]]
# Counters that are interactions, by each platform's names (weibo, mastodon, bluesky, x, reddit
# and hacker news comments); not views, not reddit's or hacker news' scores.
INTERACTIONS = frozenset(
    {
        "reposts_count",
        "comments_count",
        "attitudes_count",
        "replies_count",
        "reblogs_count",
        "favourites_count",
        "quotes_count",
        "likeCount",
        "repostCount",
        "replyCount",
        "quoteCount",
        "likes",
        "replies",
        "reposts",
        "quotes",
        "num_comments",
        "descendants",
    }
)


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
    threshold: Threshold = field(default_factory=lambda: Threshold(None, "off"))
    interactions: int = 0  # in the WEEK days before now

    @property
    def median_gap(self) -> float | None:
        """Seconds between two posts, typically (from the gaps the threshold reads)."""
        return self.threshold.rhythm.median_gap if self.threshold.rhythm else None


def account_stats(
    posted: Sequence[datetime],
    events: Mapping[EventKind, int],
    now: datetime,
    silence: str = AUTO,
    samples: Mapping[int, Sequence[Sample]] | None = None,
    posts: Mapping[int, datetime | None] | None = None,
) -> AccountStats:
    """`posted`: when each followed post was published (in any order); `events`: how many
    events of each kind those posts had; `silence`: the account's setting; `samples`: the
    counters' history of its posts by watch id, `posts` when each was published (by id)."""
    times = sorted(posted)
    since = now - timedelta(days=WEEK)
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
        threshold=threshold(times, now, silence),
        interactions=interactions(samples or {}, posts or {}, since, now),
    )


def interactions(
    samples: Mapping[int, Sequence[Sample]],
    posted: Mapping[int, datetime | None],
    start: datetime,
    end: datetime,
) -> int:
    """The growth of the interactions of every post (`samples`: its counters' history, oldest
    first, by watch id; `posted`: when it was published) from `start` to `end`."""
    return sum(_growth(history, posted.get(key), start, end) for key, history in samples.items())


def _growth(
    history: Sequence[Sample], posted: datetime | None, start: datetime, end: datetime
) -> int:
    before = [_count(values) for at, values in history if at <= start]
    during = [_count(values) for at, values in history if start < at <= end]
    if not during:
        return 0
    if before:
        return during[-1] - before[-1]
    if posted is not None and posted >= start:
        return during[-1]
    return during[-1] - during[0]


def _count(values: Mapping[str, int]) -> int:
    return sum(n for name, n in values.items() if name in INTERACTIONS)


def longest_silence(times: Sequence[datetime], now: datetime) -> Silence | None:
    """The longest gap between consecutive posts (sorted), counting the one still running."""
    if not times:
        return None
    gaps = [Silence(a, b, (b - a).total_seconds()) for a, b in pairwise(times)]
    gaps.append(Silence(times[-1], None, max(0.0, (now - times[-1]).total_seconds())))
    return max(gaps, key=lambda gap: gap.seconds)
