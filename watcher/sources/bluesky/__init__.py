"""Bluesky: posts and accounts through the public AppView (XRPC over HTTPS, no login).

- `refs`: which URLs are Bluesky's, and the actor and record key they name;
- `source`: the `bluesky` source: a post by handle → DID → getPostThread, an account by pages;
- `batch`: up to 25 posts in one getPosts request, each post it leaves out asked alone;
- `post`, `timeline`, `views`, `answers`: reading the answers (no requests made there).
"""

from watcher.sources.bluesky.refs import API, COLLECTION, post_ref, profile_ref
from watcher.sources.bluesky.source import BlueskySource
from watcher.sources.bluesky.views import METRICS, feed_post, post_view

__all__ = [
    "API",
    "COLLECTION",
    "METRICS",
    "BlueskySource",
    "feed_post",
    "post_ref",
    "post_view",
    "profile_ref",
]
