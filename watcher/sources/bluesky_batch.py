"""Bluesky posts in batches: the batch half of the `bluesky` source (`BlueskySource.fetch_many`
calls `fetch_posts`). No `Source` subclass lives here, so the registry adds nothing for it.

`app.bsky.feed.getPosts` hydrates up to 25 posts in one request, with the same postView that
getPostThread gives, so a post seen in a batch equals the post fetched alone. It says nothing
about the posts it leaves out: deleted, taken down, blocked and never-existing URIs are all
silently dropped from the envelope. So getPosts never makes a post gone: a post it leaves out is
fetched on its own with getPostThread, whose answer is the gone signal (or not). Trouble with the
batch request itself falls back to one getPostThread per post, except a rate limit, which holds
for every post of the batch (asking again one by one would only make it worse).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from watcher.errors import BadBody, FetchError, HostBackoff
from watcher.model import Observation, RateLimited, Seen, Target
from watcher.sources.bluesky import API, BlueskySource, _rate_limited, post_view

log = logging.getLogger(__name__)


def fetch_posts(source: BlueskySource, targets: Sequence[Target]) -> list[Observation]:
    """Each target's observation, in order: one getPosts request for up to `batch` posts,
    then getPostThread for each post it did not return."""
    uris: dict[int, str] = {}
    results: dict[int, Observation] = {}
    for index, target in enumerate(targets):
        uri = _uri(source, target)
        if isinstance(uri, str):
            uris[index] = uri
        else:
            results[index] = uri
    views = _views(source, list(uris.values())) if uris else {}
    for index, uri in uris.items():
        if isinstance(views, RateLimited):
            results[index] = views
        else:
            results[index] = _seen(views.get(uri), uri) or source.fetch(targets[index])
    return [results[index] for index in range(len(targets))]


def _uri(source: BlueskySource, target: Target) -> str | Observation:
    """The post's URI by DID; what a lone fetch gives when the handle cannot be resolved."""
    try:
        return source.post_uri(target)
    except FetchError:
        return source.fetch(target)


def _seen(view: Mapping[str, Any] | None, uri: str) -> Seen | None:
    """The post in `view`; None when getPosts left it out or its view is unreadable."""
    if view is None:
        return None
    try:
        return Seen(post_view(view, uri.rsplit("/", 1)[1]))
    except BadBody as exc:
        log.info("getPosts view of %s unreadable, fetching it alone: %s", uri, exc)
        return None


def _views(
    source: BlueskySource, uris: Sequence[str]
) -> Mapping[str, Mapping[str, Any]] | RateLimited:
    """The postViews getPosts returns, by URI; {} when the batch could not be read (each post
    is then fetched on its own)."""
    query = urlencode([("uris", uri) for uri in uris])
    try:
        resp = source.get(f"{source.base_url(API)}/xrpc/app.bsky.feed.getPosts?{query}")
        if resp.status == 429:
            return _rate_limited(resp)
        body = resp.json() if resp.status == 200 else None
    except HostBackoff as exc:
        return RateLimited(str(exc), exc.retry_after)
    except FetchError as exc:
        log.info("getPosts failed, checking %d posts one by one: %s", len(uris), exc)
        return {}
    posts = body.get("posts") if isinstance(body, dict) else None
    if not isinstance(posts, list):
        log.info("getPosts answered HTTP %s, checking posts one by one", resp.status)
        return {}
    return {view["uri"]: view for view in posts if _is_view(view)}


def _is_view(view: object) -> bool:
    return (
        isinstance(view, dict)
        and isinstance(view.get("uri"), str)
        and isinstance(view.get("record"), dict)
    )
