"""When a feed item that is no longer listed counts as deleted: the sightings a feed source
remembers between checks, and the rule that reads them (see the `feed.source` docstring)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from watcher.model import Gone, Hidden, Observation, Post
from watcher.sources.common import BoundedCache
from watcher.sources.feed.parse import Item

log = logging.getLogger(__name__)

# Sightings remembered at once: one per watched item, and one per item of each watched feed.
# One forgotten is only a deletion that reads `Hidden`, never one invented.
SIGHTINGS_KEPT = 20_000

Key = tuple[str, str]  # (feed URL, item name)


@dataclass(frozen=True, slots=True)
class Sighting:
    """What we knew of the watched item the last time the feed listed it."""

    earliest: datetime | None
    successors: frozenset[str]  # post ids of the items listed after it


class Sightings:
    """The last sighting of each watched item, bounded; safe to share between threads."""

    def __init__(self, size: int = SIGHTINGS_KEPT) -> None:
        self._seen: BoundedCache[Key, Sighting] = BoundedCache(size)
        self._lock = threading.Lock()  # checks of different watches may run in parallel

    def remember(self, key: Key, item: Item, after: tuple[Item, ...]) -> None:
        """`item` listed with `after` below it."""
        sighting = Sighting(item.earliest, frozenset(i.post.id for i in after if i.post.id))
        with self._lock:
            self._seen.put(key, sighting)

    def last(self, key: Key) -> Sighting | None:
        with self._lock:
            return self._seen.get(key)


def missing(sighting: Sighting | None, items: tuple[Item, ...]) -> Observation:
    """The observation for a watched item the feed no longer lists (see `feed.source`)."""
    if sighting is None:
        return Hidden(
            f"not in the feed ({len(items)} items): it may have aged out of the feed window "
            "(feeds show only the newest items), or the link/guid given is not one of its items"
        )
    if sighting.earliest is not None:
        for item in items:
            if item.post.id in sighting.successors and _before(item.latest, sighting.earliest):
                return Gone("no longer in the feed, though older items are")
    return Hidden("no longer in the feed window (it shows only the newest items)")


def _before(when: datetime | None, than: datetime) -> bool:
    return when is not None and when < than


def trackable(items: tuple[Item, ...], url: str = "") -> tuple[Post, ...]:
    """The posts of the items `_observe` finds as themselves by their id (see `feed.source`)."""
    posts: list[Post] = []
    names: set[str] = set()
    for item in items:
        ident = item.post.id
        if not ident or ident in names:
            log.info(
                "feed %s: left out an item %s",
                url,
                "named like an earlier one" if ident else "without guid/id or link",
            )
        else:
            posts.append(item.post)
        names |= item.names
    return tuple(posts)


def newest_first(posts: tuple[Post, ...]) -> tuple[Post, ...]:
    """By date, newest first, when every post has one (ties keep document order); else as is."""
    dated = [(post.created_at, post) for post in posts if post.created_at is not None]
    if len(dated) < len(posts):
        return posts
    return tuple(post for _, post in sorted(dated, key=lambda pair: pair[0], reverse=True))
