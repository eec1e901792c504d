"""Bluesky posts in batches: the flow behind `BlueskySource.observe_many`.

`app.bsky.feed.getPosts` hydrates up to 25 posts in one request, with the same postView that
getPostThread gives, so a post seen in a batch equals the post fetched alone. It says nothing
about the posts it leaves out: deleted, taken down, blocked and never-existing URIs are all
silently dropped from the envelope. So getPosts never makes a post gone: a post it leaves out is
fetched on its own with getPostThread, whose answer is the gone signal (or not). Trouble with the
batch request itself falls back to one getPostThread per post, except a rate limit, which holds
for every post of the batch (asking again one by one would only make it worse).

The source is reached through `Posts`, what this half needs of it, so this module does not
import the source's (which imports this one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlencode

from watcher.errors import BadBody, FetchError, HostBackoff
from watcher.model import Observation, RateLimited, Seen, Target
from watcher.sources.bluesky.answers import rate_limited
from watcher.sources.bluesky.refs import API, rkey_of
from watcher.sources.bluesky.views import post_view
from watcher.sources.common import Flow, Request

log = logging.getLogger(__name__)

Views = Mapping[str, Mapping[str, Any]]  # postViews by at:// URI


class Posts(Protocol):
    """What the batch asks of the source: a post's URI by DID, the lone observation of a post,
    and requests with the platform's settings."""

    def post_uri(self, target: Target) -> Flow[str | Observation]: ...

    def observe(self, target: Target) -> Flow[Observation]: ...

    def base_url(self, default: str) -> str: ...

    def request(self, url: str, params: Mapping[str, str] | None = None) -> Request: ...


def observe_batch(source: Posts, targets: Sequence[Target]) -> Flow[list[Observation]]:
    """Each target's observation, in order: one getPosts request for up to `batch` posts,
    then getPostThread for each post it did not return."""
    uris: dict[int, str] = {}
    results: dict[int, Observation] = {}
    for index, target in enumerate(targets):
        uri = yield from _uri(source, target)
        if isinstance(uri, str):
            uris[index] = uri
        else:
            results[index] = uri
    views = (yield from _views(source, list(uris.values()))) if uris else {}
    for index, uri in uris.items():
        found: Observation | None
        found = views if isinstance(views, RateLimited) else _seen(views.get(uri), uri)
        if found is None:
            found = yield from source.observe(targets[index])
        results[index] = found
    return [results[index] for index in range(len(targets))]


def _uri(source: Posts, target: Target) -> Flow[str | Observation]:
    """The post's URI by DID; what a lone observation gives when the handle cannot be read."""
    try:
        return (yield from source.post_uri(target))
    except FetchError:
        return (yield from source.observe(target))


def _seen(view: Mapping[str, Any] | None, uri: str) -> Seen | None:
    """The post in `view`; None when getPosts left it out or its view is unreadable."""
    if view is None:
        return None
    try:
        return Seen(post_view(view, rkey_of(uri)))
    except BadBody as exc:
        log.info("getPosts view of %s unreadable, fetching it alone: %s", uri, exc)
        return None


def _views(source: Posts, uris: Sequence[str]) -> Flow[Views | RateLimited]:
    """The postViews getPosts returns, by URI; {} when the batch could not be read (each post
    is then fetched on its own)."""
    # `uris` repeats, which a params mapping cannot say: the query is built here.
    query = urlencode([("uris", uri) for uri in uris])
    try:
        resp = yield source.request(f"{source.base_url(API)}/xrpc/app.bsky.feed.getPosts?{query}")
        if resp.status == 429:
            return rate_limited(resp)
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
