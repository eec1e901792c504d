"""Pure: the versions of a post that were published and replaced between two of our checks.

Mastodon keeps an edit history of every status (`GET /api/v1/statuses/:id/history`). When a
check finds a post edited, the history can hold versions that lived only between our checks
(A → B → C seen as A → C). Each of them is a real edit with its own before and after, so the
user gets one alert per version, in order, each with its own diff.

The rule is conservative, because a missed version is a claim: the history is used only when
it contains the version we stored last, and only the versions after its last occurrence count
(an author who reverted to an earlier text cannot make us invent an edit). Versions that
differ only in what we do not compare (the sensitive flag, say) hash alike and collapse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from watcher.detect import Outcome, detect
from watcher.model import Post, Seen, WatchState
from watcher.normalize import content_hash

MISSED = "a version from the platform's edit history, replaced before our next check"


@dataclass(frozen=True, slots=True)
class Step:
    """One missed version, detected as an edit of the one before it."""

    post: Post
    outcome: Outcome
    at: datetime  # when the platform says this version was published


def missed(versions: Sequence[Post], stored: str, current: str) -> tuple[Post, ...]:
    """The versions (oldest first) strictly between the one stored as `stored` (a content
    hash) and the current one (`current`); () when the history does not hold `stored`."""
    hashes = [content_hash(post) for post in versions]
    if stored not in hashes:
        return ()
    start = len(hashes) - hashes[::-1].index(stored)
    found: list[Post] = []
    last = stored
    for post, digest in zip(versions[start:], hashes[start:], strict=True):
        if digest not in (last, current):
            found.append(post)
        last = digest
    return tuple(found)


def replay(
    state: WatchState,
    versions: Sequence[Post],
    since: datetime | None,
    now: datetime,
    confirm: int,
) -> tuple[list[Step], WatchState]:
    """Detect each missed version as an edit, in order; returns the steps and the state the
    current observation is then compared with. A version's time is the platform's, kept
    between our last check (`since`) and now so that clock skew cannot reorder them."""
    steps: list[Step] = []
    for post in versions:
        at = min(now, max(post.edited_at or now, since or now))
        outcome = detect(state, Seen(post), at, confirm)
        events = tuple(replace(event, detail=MISSED) for event in outcome.events)
        steps.append(Step(post, replace(outcome, events=events), at))
        state = outcome.state
    return steps, state
