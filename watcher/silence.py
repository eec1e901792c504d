"""Pure: when an account goes silent and when it comes back (issue 10).

The rules:
- only a check that listed the account's timeline can start a silence: a failing, blocked,
  hidden or removed account is not silent (its own status says so), and a listing is the only
  proof that nothing was posted;
- `silent` is said once, when the running gap (from the last known post to this check) passes
  the account's threshold (`watcher.activity`). The watch keeps `silent_since`, the time of that
  last post, until the silence ends: later checks, restarts and other daemons (which decide from
  the watch as stored, conditionally) never say it again;
- `back` is said by the check that first finds a post published after `silent_since`, with the
  gap from that last post to the first new one; the silence then ends. A silence announced
  before the setting became "off" still ends with `back`;
- a silence already running when the account is first read is recorded, not alerted (like the
  first listing's posts), and ends with `back` all the same.

A `silent` or `back` event's detail says what a message about it needs, in words that read well
in `watcher history` and that `read` understands (`Quiet`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.activity import AUTO, FLOOR, OFF, basis, span, threshold
from watcher.model import Event, EventKind, Followed, Post

QUIET_KINDS = frozenset({EventKind.SILENT, EventKind.BACK})


@dataclass(frozen=True, slots=True)
class Posting:
    """When one of the account's posts was published."""

    at: datetime
    post_id: str


@dataclass(frozen=True, slots=True)
class Quiet:
    """What a `silent` or `back` event says.

    silent: `gap` is the running gap when it was found, `post` the last post's id, `per_day` the
    usual rate and `threshold` the one passed. back: `gap` is the whole silence, from the last
    post before it to `post`, the first one after."""

    gap: float  # seconds
    post: str = ""  # the platform's id of the post
    per_day: float | None = None
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one listing says about the account's silence: the events, and `silent_since` after."""

    events: tuple[Event, ...] = ()
    silent_since: datetime | None = None


def postings(followed: Sequence[Followed], fresh: Sequence[Post], now: datetime) -> list[Posting]:
    """The account's posts with their times: those it follows, and those this listing found
    (`fresh`). A fresh post without a time counts as posted now; a followed one without a
    time is left out (it counted as posted when it was found)."""
    known = [Posting(f.posted_at, f.post_id) for f in followed if f.posted_at is not None]
    ids = {f.post_id for f in followed}
    return known + [Posting(p.created_at or now, p.id) for p in fresh if p.id not in ids]


def decide(
    setting: str, silent_since: datetime | None, posts: Sequence[Posting], now: datetime
) -> Verdict:
    """The silence verdict of a check that listed the timeline (see the module's rules)."""
    if silent_since is not None:
        after = [p for p in posts if p.at > silent_since]
        if not after:
            return Verdict((), silent_since)  # still silent: said once already
        first = min(after, key=lambda p: p.at)
        gap = (first.at - silent_since).total_seconds()
        return Verdict(
            (Event(EventKind.BACK, now, describe(EventKind.BACK, Quiet(gap, first.post_id))),)
        )
    if not posts:
        return Verdict()
    last = max(posts, key=lambda p: p.at)
    gap = (now - last.at).total_seconds()
    if setting == OFF or (setting == AUTO and gap <= FLOOR):
        return Verdict()  # most listings: no threshold to derive (auto is never below FLOOR)
    times = [p.at for p in posts]
    limit = threshold(times, now, setting).seconds
    if limit is None or gap <= limit:
        return Verdict()
    said = Quiet(gap, last.post_id, basis(times, now).per_day, limit)
    return Verdict((Event(EventKind.SILENT, now, describe(EventKind.SILENT, said)),), last.at)


# -- the detail: "no post for 2d 5h 3m; threshold 2d; usually 6.02 posts a day; last post 51" --


def describe(kind: EventKind, quiet: Quiet) -> str:
    """A `silent` or `back` event's detail."""
    if kind is EventKind.BACK:
        return f"back after {span(quiet.gap)}; first post {quiet.post}"
    parts = [f"no post for {span(quiet.gap)}"]
    if quiet.threshold is not None:
        parts.append(f"threshold {span(quiet.threshold)}")
    if quiet.per_day is not None:
        parts.append(f"usually {quiet.per_day:.2f} posts a day")
    return "; ".join(parts) + f"; last post {quiet.post}"


_SPAN = r"\d+d(?: \d+h)?(?: \d+m)?|\d+h(?: \d+m)?|\d+m"
_SILENT = re.compile(
    rf"no post for (?P<gap>{_SPAN})(?:; threshold (?P<threshold>{_SPAN}))?"
    r"(?:; usually (?P<rate>\d+(?:\.\d+)?) posts a day)?; last post (?P<post>.*)",
    re.DOTALL,
)
_BACK = re.compile(rf"back after (?P<gap>{_SPAN}); first post (?P<post>.*)", re.DOTALL)
_UNITS = {"d": 86400, "h": 3600, "m": 60}


def read(kind: EventKind, detail: str) -> Quiet | None:
    """What a `silent` or `back` event's detail says; None when it is not in `describe`'s
    words (an event written by hand, or by a watcher that wrote them otherwise)."""
    found = (_BACK if kind is EventKind.BACK else _SILENT).fullmatch(detail)
    if found is None:
        return None
    if kind is EventKind.BACK:
        return Quiet(_seconds(found["gap"]), found["post"])
    limit, rate = found["threshold"], found["rate"]
    return Quiet(
        _seconds(found["gap"]),
        found["post"],
        float(rate) if rate else None,
        _seconds(limit) if limit else None,
    )


def _seconds(text: str) -> float:
    return float(sum(int(part[:-1]) * _UNITS[part[-1]] for part in text.split()))
