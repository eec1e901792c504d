"""The `bluesky` source: one post through the public AppView, `app.bsky.feed.getPostThread`
(depth 0); many at once through `getPosts` (see `batch`); accounts through getAuthorFeed (see
`timeline`).

A URL that names the author by handle is first turned into a DID with
`com.atproto.identity.resolveHandle`. getPostThread would accept the handle inside the at:// URI,
but a handle that no longer resolves (the author changed it, a custom domain's DNS lapsed) then
answers exactly like a deleted post, `400 NotFound`. Resolving separately keeps "the handle does
not resolve" (`Failed`) apart from "the post is gone" (`Gone`). The DID is remembered (see
`DID_MEMO`), so the unchanged hot path stays one request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from watcher.errors import UsageError
from watcher.model import Observation, Target, TimelineObservation
from watcher.settings import PlatformSettings
from watcher.sources.bluesky.batch import observe_batch
from watcher.sources.bluesky.post import resolved_did, thread_observation, unresolved
from watcher.sources.bluesky.refs import API, at_uri, post_ref, profile_ref, rkey_of
from watcher.sources.bluesky.timeline import feed_params, feed_sheet
from watcher.sources.common import BoundedCache, Flow, Sheet, Source, more_pages

log = logging.getLogger(__name__)

# Handles remembered with their DID. An entry is a few dozen bytes, so 50,000 (a few MB) covers
# every author a large daemon watches; one evicted is resolved again, one request. Never
# expired: a DID is what the watched post belongs to, even after its handle moves on.
DID_MEMO = 50_000


class BlueskySource(Source):
    """Bluesky posts (bsky.app and at:// URLs) and accounts (bsky.app profile URLs)."""

    name = "bluesky"
    batch = 25  # app.bsky.feed.getPosts takes up to 25 URIs

    def __init__(self, settings: PlatformSettings | None = None) -> None:
        super().__init__(settings)
        self._dids: BoundedCache[str, str] = BoundedCache(DID_MEMO)

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return profile_ref(url)

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not a Bluesky post URL: {target.url}")

    @property
    def api(self) -> str:
        return self.base_url(API)

    # -- posts ----------------------------------------------------------------------------

    def observe_many(self, targets: Sequence[Target]) -> Flow[list[Observation]]:
        return (yield from observe_batch(self, targets))

    def post_uri(self, target: Target) -> Flow[str | Observation]:
        """The post's at:// URI by DID, or why the author's handle could not be resolved."""
        self.validate(target)
        actor, rkey = post_ref(target.url) or ("", "")
        did = yield from self._did(actor)
        return at_uri(did, rkey) if isinstance(did, str) else did

    def _observe(self, target: Target) -> Flow[Observation]:
        uri = yield from self.post_uri(target)
        if not isinstance(uri, str):
            return uri
        params = {"uri": uri, "depth": "0", "parentHeight": "0"}
        resp = yield self.request(f"{self.api}/xrpc/app.bsky.feed.getPostThread", params)
        return thread_observation(resp, rkey_of(uri))

    def _did(self, actor: str) -> Flow[str | Observation]:
        """The DID of `actor`, or why it could not be had (never `Gone`: see the docstring)."""
        if actor.startswith("did:"):
            return actor
        known = self._dids.get(actor)
        if known is not None:
            return known
        resolve = f"{self.api}/xrpc/com.atproto.identity.resolveHandle"
        resp = yield self.request(resolve, {"handle": actor})
        did = resolved_did(resp)
        if did is None:
            return unresolved(actor, resp)
        self._dids.put(actor, did)
        return did

    # -- accounts -------------------------------------------------------------------------

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        actor = profile_ref(target.url)
        if actor is None:
            raise UsageError(f"not a Bluesky profile URL: {target.url}")
        read = partial(self._author_feed, actor)
        first = yield from read(None)
        return (yield from more_pages(first, pages, read, log))

    def _author_feed(
        self, actor: str, cursor: str | None
    ) -> Flow[Sheet[str] | TimelineObservation]:
        """One page of the author feed: the newest, or the one at `cursor` from the page before."""
        params = feed_params(actor, cursor)
        resp = yield self.request(f"{self.api}/xrpc/app.bsky.feed.getAuthorFeed", params)
        return feed_sheet(resp, actor)
