"""Reading the answers for one post: `com.atproto.identity.resolveHandle` (a handle's DID) and
`app.bsky.feed.getPostThread` (the post itself)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.errors import BadBody
from watcher.model import Failed, Gone, Hidden, Observation, Seen
from watcher.sources.bluesky.answers import json_or_none, rate_limited, thread_refusal
from watcher.sources.bluesky.views import post_view
from watcher.sources.common import Response, error_text, unobserved


def resolved_did(resp: Response) -> str | None:
    """The DID a resolveHandle answer gives, or None when it gives none."""
    body = json_or_none(resp)
    did = body.get("did") if resp.status == 200 and isinstance(body, dict) else None
    return did if isinstance(did, str) and did.startswith("did:") else None


def unresolved(handle: str, resp: Response) -> Observation:
    """Why a resolveHandle answer gave no DID. Never `Gone`: a handle that does not resolve
    says nothing about the post, whose author may just have changed handles."""
    if resp.status == 429:
        return rate_limited(resp)
    failed = Failed(
        f"handle {handle} does not resolve (HTTP {resp.status}: {error_text(resp)}); if the "
        "author changed handles, watch the post by its did: URL"
    )
    if resp.status in (200, 400):  # 400 InvalidRequest "Unable to resolve handle"
        return failed
    return unobserved(resp) or failed


def thread_observation(resp: Response, rkey: str) -> Observation:
    """What a getPostThread answer says of the post `rkey`."""
    if resp.status != 200:
        return thread_refusal(resp)
    body = resp.json()
    thread = body.get("thread") if isinstance(body, dict) else None
    if not isinstance(thread, dict):
        raise BadBody(f"response from {resp.url} is not a Bluesky thread")
    return _anchor(thread, rkey)


def _anchor(thread: Mapping[str, Any], rkey: str) -> Observation:
    """The anchor of a thread: a post, an explicit not-found, or a block."""
    kind = str(thread.get("$type") or "")
    if kind.endswith("#notFoundPost") or thread.get("notFound") is True:
        return Gone(f"not found: {thread.get('uri') or rkey}")
    if kind.endswith("#blockedPost") or thread.get("blocked") is True:
        # The post exists; a block between its author and the viewer hides it.
        return Hidden(f"blocked: {thread.get('uri') or rkey}")
    post = thread.get("post")
    if not isinstance(post, dict) or not isinstance(post.get("record"), dict):
        raise BadBody(f"unexpected thread member {kind or 'without $type'}")
    return Seen(post_view(post, rkey))
