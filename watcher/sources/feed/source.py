"""RSS 2.0 / RSS 1.0 and Atom feeds: one item of a feed, named by its link or its guid/id.

    watcher check https://blog.example/feed/ --platform feed --field ITEM_LINK_OR_GUID

When is a missing item deleted? A feed lists only its newest N items, so an item that is no
longer listed has usually just aged out of that window. Once it is gone we no longer know its
date or position from the feed alone, so this source remembers, each time it sees the item, the
item's earliest date and the items listed after it. The item is `Gone` only when it is missing
AND one of those former successors is still listed AND that successor is dated strictly before
the item (all its dates before all of the item's, so a feed ordered by `updated` cannot fool us).
An item that merely aged out takes its successors with it, so it can never look deleted. In
every other case (never seen in this process, the item was the last listed, dates missing,
order changed) the answer is `Hidden`: "not in the feed window", never a deletion claim.
The memory lives in the process: after a restart, or on another daemon, a missing item stays
`Hidden` until it is seen again. That loses deletions, never invents them.

The feed URL answering 404/410 is `Broken`, not `Gone`: the feed moved or was removed, which
says nothing about the item.

A whole feed is also an account: the feed URL watched without `--field` (`account_ref` is the
feed URL itself; the same URL with `--field` names one item, and that choice is the caller's).
Its timeline is every listed item, newest first by date when every item has one, else in
document order (feeds list newest first by convention; an undated item cannot be placed among
dated ones). Each item's Post is the one `_observe` gives for its guid/id, so an item first seen
in the timeline and later checked alone never reads as edited. Items `_observe` could not find
as themselves are left out, with a log line: an item with neither guid/id nor link, and an
item whose id an earlier item already answers to (`_observe` would return the earlier one).
For the timeline too, a feed answering 404/410 is `Broken`, not a gone account: feeds move
(a new blog engine, a new path) far more often than blogs are deleted, and only a person can
tell which it was.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from watcher.errors import UsageError
from watcher.model import (
    Broken,
    Observation,
    Page,
    Post,
    Seen,
    Target,
    TimelineObservation,
    Unobserved,
)
from watcher.settings import PlatformSettings
from watcher.sources.common import GONE_STATUSES, Flow, Response, Source, unobserved
from watcher.sources.feed.parse import parse_feed, read_feed
from watcher.sources.feed.window import Sightings, missing, newest_first, trackable

# Path words that say "this is a feed" in a .xml file name or folder (/feeds/videos.xml).
_FEED_WORDS = frozenset({"feed", "feeds", "rss", "rss2", "atom"})
_WORDS = re.compile(r"[a-z0-9]+")
# WordPress-style feed paths: /feed, /feed/atom, /comments/feed/, /rss.
_FEED_PATH = re.compile(r"(?:.*/)?(?:feed(?:/(?:atom|rss|rss2|rdf))?|rss)/?")


def looks_like_feed(url: str) -> bool:
    """Only URLs that obviously are feeds; anything else needs `--platform feed`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    path = parts.path.lower()
    if path.endswith((".rss", ".atom")) or path.endswith("/index.xml"):
        return True
    if path.endswith(".xml"):
        return bool(_FEED_WORDS & set(_WORDS.findall(path)))
    return bool(_FEED_PATH.fullmatch(path))


class FeedSource(Source):
    """One item of an RSS or Atom feed, found by its link or guid/id."""

    name = "feed"
    options = frozenset({"field"})
    # Asked before `mastodon` (50): a URL like https://host/users/rss is also a Mastodon
    # account's path, but a URL that obviously names a feed is read as the feed.
    priority = 40

    def __init__(self, settings: PlatformSettings | None = None) -> None:
        super().__init__(settings)
        self._sightings = Sightings()

    @classmethod
    def matches(cls, url: str) -> bool:
        return looks_like_feed(url)

    def validate(self, target: Target) -> None:
        if not target.field.strip():
            raise UsageError(
                "a feed item watch needs the item: add --field ITEM (the item's link or guid/id)"
            )

    def _observe(self, target: Target) -> Flow[Observation]:
        self.validate(target)
        resp = yield self.request(self._feed_url(target.url))
        early = _refusal(resp)
        if early is not None:
            return early
        items = parse_feed(resp.body, resp.url)
        wanted = target.field.strip()
        key = (target.url, wanted)
        for index, item in enumerate(items):
            if wanted in item.names:
                self._sightings.remember(key, item, items[index + 1 :])
                return Seen(item.post)
        return missing(self._sightings.last(key), items)

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        # The feed is the account; without --field the caller watches it whole.
        return url if looks_like_feed(url) else None

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        resp = yield self.request(self._feed_url(target.url))
        early = _refusal(resp)
        if early is not None:
            return early
        feed = read_feed(resp.body, resp.url)
        # Each listed item is sighted as its own watch would sight it (`post_target`), so an
        # item that vanishes from the middle is provably gone when it is checked at once.
        for index, item in enumerate(feed.items):
            if item.post.id:
                self._sightings.remember((target.url, item.post.id), item, feed.items[index + 1 :])
        return Page(newest_first(trackable(feed.items, target.url)), feed.title or target.url)

    def post_target(self, account: Target, post: Post) -> Target:
        """A feed's item is read from the feed, chosen by its id (see `_observe`)."""
        return Target(account.url, self.name, field=post.id)

    def _feed_url(self, url: str) -> str:
        parts = urlsplit(url)
        origin = self.base_url(f"{parts.scheme}://{parts.netloc}")
        return origin + parts.path + (f"?{parts.query}" if parts.query else "")


def _refusal(resp: Response) -> Unobserved | None:
    if resp.status in GONE_STATUSES:
        # The feed vanishing is no proof that the item (or the blog) was deleted: someone must
        # fix the URL.
        return Broken(f"the feed itself answered HTTP {resp.status} ({resp.url}): moved or removed")
    early = unobserved(resp)
    return early if isinstance(early, Unobserved) else None
