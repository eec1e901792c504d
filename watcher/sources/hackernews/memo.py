"""What the `hackernews` source remembers of items between account reads (see `user`)."""

from __future__ import annotations

from watcher.model import Gone, Observation, Seen
from watcher.sources.common import BoundedCache
from watcher.sources.hackernews.item import DELETED

# Items remembered. An account read lists 30 items a page, so 20,000 covers ~200 accounts read
# three pages deep; a remembered Post is a few KB at most (tens of MB in all). One evicted is
# fetched again on the next read: a request, never a wrong listing.
MEMO_SIZE = 20_000


class Memo:
    """The last observation of each item that can stand in for a refetch on an account read (a
    Post, or a deletion, which is final on HN); the least recently used goes first. Flows run
    on the engine's one event loop and never hold it across a request, so no lock is needed."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._items: BoundedCache[str, Seen | Gone] = BoundedCache(size)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, ident: object) -> bool:
        return isinstance(ident, str) and self._items.get(ident) is not None

    def recall(self, ident: str) -> Seen | Gone | None:
        """What item `ident` was when last fetched, or None if it is not remembered."""
        return self._items.get(ident)

    def note(self, ident: str, observed: Observation | None) -> None:
        """Remember a Post or a deletion; forget the item on anything else. A dead item can be
        vouched for and a `null` one may still be being written: remembered, a missed update
        would keep a live post off every listing."""
        if isinstance(observed, Seen) or (isinstance(observed, Gone) and observed == DELETED):
            self._items.put(ident, observed)
        else:
            self._items.pop(ident)
