"""The `feed` source: one item of an RSS or Atom feed, or a whole feed as an account."""

from watcher.sources.feed.parse import Feed, Item, atom_item, parse_feed, read_feed, rss_item
from watcher.sources.feed.source import FeedSource, looks_like_feed
from watcher.sources.feed.window import Sightings, missing, newest_first, trackable

__all__ = [
    "Feed",
    "FeedSource",
    "Item",
    "Sightings",
    "atom_item",
    "looks_like_feed",
    "missing",
    "newest_first",
    "parse_feed",
    "read_feed",
    "rss_item",
    "trackable",
]
