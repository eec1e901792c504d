"""Pure timeline comparison for account watches: what a fresh page of an account's timeline
says about the posts we follow.

The rules (issue 4, "Accounts"):
- a post on the page that we do not know is new, unless it is listed after (older than) every
  known post still listed: then it only moved up into the page, because a post above it was
  deleted or hidden, and is followed without being announced (backfill);
- a known post missing from the page is a suspect, to be checked directly at once, only when
  posts both newer and older than it are still listed: it vanished from the middle;
- a known post missing because it is older than everything listed merely fell off the end of
  the page; one newer than everything listed is left to its own post watch. Neither is a
  suspect, and nothing here is ever a deletion: only the post's own gone signal is;
- an empty page while we know posts is an account-level condition (private, suspended, a
  failed render), never a mass deletion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.model import Followed, Hidden, Page, Post, Seen, Target, Watch

EMPTY_REASON = "the timeline listed no posts (private, suspended, or not shown to visitors)"


@dataclass(frozen=True, slots=True)
class Known:
    """A post the account watch already follows."""

    id: str
    created_at: datetime | None = None
    position: int = 0  # its place in the timeline when last listed (0 = newest)


@dataclass(frozen=True, slots=True)
class TimelineChange:
    new: tuple[Post, ...] = ()  # newest first, as listed
    backfill: tuple[Post, ...] = ()  # unknown, but older than every known post still listed
    suspects: tuple[str, ...] = ()  # vanished between live neighbours: check these now
    aged_out: tuple[str, ...] = ()  # fell off the end of the page (or are too new to judge)
    empty: bool = False  # the page listed nothing although we know posts


def compare(known: Sequence[Known], page: Sequence[Post]) -> TimelineChange:
    """Compare a page (newest first) with the posts we follow."""
    listed = {post.id for post in page}
    known_ids = {k.id for k in known}
    missing = [k for k in known if k.id not in listed]
    if not page:
        return TimelineChange(empty=bool(known), aged_out=tuple(k.id for k in missing))
    # Where the oldest known post still listed sits: unknown posts below it moved up.
    last = max((i for i, post in enumerate(page) if post.id in known_ids), default=len(page))
    unknown = [(i, post) for i, post in enumerate(page) if post.id not in known_ids]
    still = [k for k in known if k.id in listed]
    suspects = tuple(k.id for k in missing if _between(k, still))
    aged = tuple(k.id for k in missing if k.id not in suspects)
    return TimelineChange(
        new=tuple(post for i, post in unknown if i < last),
        backfill=tuple(post for i, post in unknown if i > last),
        suspects=suspects,
        aged_out=aged,
    )


def _between(post: Known, listed: Sequence[Known]) -> bool:
    """Whether known posts both newer and older than `post` are still listed."""
    newer = any(_order(other, post) < 0 for other in listed)
    older = any(_order(other, post) > 0 for other in listed)
    return newer and older


def _order(a: Known, b: Known) -> int:
    """-1 if `a` is newer than `b`, 1 if older, 0 if unknown. Times decide when both have
    them (pinned posts break positions); else the positions when they were last listed."""
    if a.created_at and b.created_at and a.created_at != b.created_at:
        return -1 if a.created_at > b.created_at else 1
    if a.position != b.position:
        return -1 if a.position < b.position else 1
    return 0


@dataclass(frozen=True, slots=True)
class Reading:
    """What one listing of an account means: the account's own observation (its handle as a
    post, or `Hidden` for an empty page), the posts to start following, the post watches to
    check at once, and the listing to compare the next one with."""

    observation: Seen | Hidden
    new: tuple[Post, ...]
    suspects: tuple[int, ...]  # post watch ids
    listing: tuple[str, ...]
    backfill: tuple[Post, ...] = ()  # to follow quietly: they only moved up into the page


def read_page(account: Watch, page: Page, posts: Sequence[Followed]) -> Reading:
    """Compare `page` with the account's last listing and the posts it follows."""
    by_post = {post.post_id: post for post in posts}
    known = [
        Known(post_id, by_post[post_id].posted_at, position)
        for position, post_id in enumerate(account.listing)
        if post_id in by_post
    ]
    change = compare(known, page.posts)
    if change.empty:
        return Reading(Hidden(EMPTY_REASON), (), (), account.listing)
    # A post listed again after it fell off the end is not new: it was never lost.
    new = tuple(post for post in change.new if post.id not in by_post)
    backfill = tuple(post for post in change.backfill if post.id not in by_post)
    suspects = tuple(by_post[post_id].watch_id for post_id in change.suspects)
    seen = Seen(account_post(account.target, page))
    return Reading(seen, new, suspects, page.ids, backfill)


def account_post(target: Target, page: Page) -> Post:
    """The account as a post whose text is its handle: its presence is tracked like a post's
    (gone, restored, hidden), and a renamed account reads as an edit of that one line."""
    name = page.account or target.url
    return Post(id=target.url, url=target.url, text=name, author=name)
