"""Hacker News: items and users through the official Firebase API (no login).

- `refs`: which URLs are Hacker News's: item pages (posts) and user pages (accounts);
- `source`: the `hackernews` source: an item, with `maxitem` to explain a `null` one;
- `user`: an account's submissions, with a memo (`memo`) and `updates.json` sparing refetches;
- `item`: reading the answers (no requests made there).
"""

from watcher.sources.hackernews.item import DEAD, DELETED, METRICS, item_post
from watcher.sources.hackernews.memo import Memo
from watcher.sources.hackernews.refs import API, SITE, item_id, user_name
from watcher.sources.hackernews.source import HackerNewsSource

__all__ = [
    "API",
    "DEAD",
    "DELETED",
    "METRICS",
    "SITE",
    "HackerNewsSource",
    "Memo",
    "item_id",
    "item_post",
    "user_name",
]
