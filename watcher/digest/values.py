"""The values of a digest: what it is built from (`DigestData`, as the store reads it) and what
it says (`Digest` and its parts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from watcher.digest.periods import Period
from watcher.model import Followed, Revision, StoredEvent, Watch
from watcher.stats import Silence

Sample = tuple[int, datetime, Mapping[str, int]]  # a post watch's counters, first seen then

# Each platform's names for the three counters (`metrics=` in watcher/sources): the first one
# present counts. Reddit reports `ups` and `score` alike, so never both; quotes and views
# (Telegram's only counter) are not engagement here.
COUNTERS: Mapping[str, tuple[str, ...]] = {
    "likes": ("likes", "attitudes_count", "favourites_count", "likeCount", "ups", "score"),
    "reposts": ("reposts", "reposts_count", "reblogs_count", "repostCount"),
    "replies": (
        "replies",
        "comments_count",
        "replies_count",
        "replyCount",
        "num_comments",
        "descendants",
    ),
}


@dataclass(frozen=True, slots=True)
class DigestData:
    """What the store read for one account watch (`App.digest` reads it): its posts published
    in the period or the one before, and what happened to its posts in the period."""

    account: Watch
    as_of: datetime  # when it was read: a gap still running ends here
    posts: Sequence[Followed]  # published in the period or the one before (posted_at set)
    revisions: Sequence[Revision]  # of the posts published in the period and those changed in it
    events: Sequence[StoredEvent]  # its posts' edits, deletions, restorations in the period
    account_events: Sequence[StoredEvent]  # the account's silent/back events before its end
    samples: Sequence[Sample]  # its posts' counter samples in the period, oldest first
    baselines: Mapping[int, Mapping[str, int]]  # those posts' last counters before the period


@dataclass(frozen=True, slots=True)
class Account:
    watch_id: int
    url: str
    platform: str
    author: str  # as its newest post in the digest names it ("" when none)


@dataclass(frozen=True, slots=True)
class Counters:
    """A post's likes, reposts and replies, whatever its platform calls them."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0

    @classmethod
    def of(cls, metrics: Mapping[str, int]) -> Counters:
        def first(names: tuple[str, ...]) -> int:
            return next((int(metrics[n]) for n in names if n in metrics), 0)

        return cls(*(first(COUNTERS[kind]) for kind in ("likes", "reposts", "replies")))

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies


@dataclass(frozen=True, slots=True)
class Day:
    date: date  # a local date of the period
    posts: int
    interactions: int  # the counters' growth seen that day (never below 0)


@dataclass(frozen=True, slots=True)
class TopPost:
    url: str
    created_at: datetime
    text: str  # as it read at the period's end
    counters: Counters


@dataclass(frozen=True, slots=True)
class Photo:
    url: str  # the image
    post_url: str


@dataclass(frozen=True, slots=True)
class Edit:
    url: str
    at: datetime
    removed: tuple[str, ...]  # the passages taken out, in order
    added: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deletion:
    url: str
    at: datetime
    text: str  # the last text stored: the evidence
    by_platform: bool = False  # removed by the platform or a moderator, not the author


@dataclass(frozen=True, slots=True)
class Restoration:
    url: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Digest:
    """An account's period at a glance: what `watcher digest` prints and digests send."""

    account: Account
    period: Period
    posts: int
    previous_posts: int  # in the period of the same length just before
    per_day: tuple[Day, ...]
    top: tuple[TopPost, ...]  # by engagement at the period's end, then the earliest
    photo: Photo | None  # the most engaging post with an image
    edits: tuple[Edit, ...]
    deletions: tuple[Deletion, ...]
    restorations: tuple[Restoration, ...]
    silences: tuple[Silence, ...]  # found silent → back, those overlapping the period
    longest_gap: Silence | None  # between posting times, the one running at the end included

    @property
    def interactions(self) -> int:
        return sum(day.interactions for day in self.per_day)
