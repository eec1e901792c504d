"""Reading an account timeline more than one page deep: the loop every paging adapter shares.

Each adapter reads one page (a flow: see `wire`) into a `Sheet` (the `Page` it lists and the
cursor of the next one) and hands `more_pages` a reader for the pages after the first. Trouble
on the first page is the adapter's to report; trouble on a later page only ends the reading
early. A shorter listing
is safe: posts missing off its end "fell off the end", which is never read as their deletion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from logging import Logger
from typing import Generic, TypeVar

from watcher.errors import FetchError
from watcher.model import Observation, Page, Post, TimelineObservation
from watcher.sources.common.wire import Flow

Cursor = TypeVar("Cursor")


@dataclass(frozen=True, slots=True)
class Sheet(Generic[Cursor]):
    """One page as read: what it lists, and where the next page starts (None: no next page)."""

    page: Page
    after: Cursor | None


# What a reader gives for a later page: the page, or the observation that stands in for it.
Read = Callable[[Cursor], Flow[Sheet[Cursor] | Observation | TimelineObservation]]


def merge(listed: Iterable[Post], more: Iterable[Post]) -> tuple[Post, ...]:
    """`listed` then `more`, each post id once. The first listing is kept: when the timeline
    moves between two requests, a post listed again further down is the same post."""
    kept: dict[str, Post] = {}
    for post in (*listed, *more):
        kept.setdefault(post.id, post)
    return tuple(kept.values())


def more_pages(
    first: Sheet[Cursor] | TimelineObservation, pages: int, read: Read[Cursor], log: Logger
) -> Flow[TimelineObservation]:
    """`first`, then up to `pages - 1` pages more, each read from the cursor of the one before:
    all their posts, newest first. Stops at the last page, at a page that only repeats what was
    listed or does not move the cursor, and at any trouble (logged at debug). A first page
    that could not be read (an observation, not a `Sheet`) is the answer as it is."""
    if not isinstance(first, Sheet):
        return first
    posts, after = first.page.posts, first.after
    for number in range(2, pages + 1):
        sheet = None if after is None else (yield from _read(read, after, number, log))
        if sheet is None:
            break
        merged = merge(posts, sheet.page.posts)
        if sheet.page.posts and len(merged) == len(posts):
            break  # nothing new: the cursor led back into what was already listed
        posts, after = merged, (None if sheet.after == after else sheet.after)
    return replace(first.page, posts=posts)


def _read(
    read: Read[Cursor], after: Cursor, number: int, log: Logger
) -> Flow[Sheet[Cursor] | None]:
    """The page at `after`, or None (logged) when it could not be read."""
    try:
        sheet: Sheet[Cursor] | Observation | TimelineObservation | FetchError
        sheet = yield from read(after)
    except FetchError as exc:
        sheet = exc
    if isinstance(sheet, Sheet):
        return sheet
    log.debug(
        "timeline page %s (after %s) not read; keeping the pages before it: %s",
        number,
        after,
        sheet,
    )
    return None
