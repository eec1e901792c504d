"""Reading one page of a Bluesky account: an `app.bsky.feed.getAuthorFeed` answer.

The actor is passed as given, handle or DID: one request per page; a deeper page is asked for
with the `cursor` of the one before. Its "Profile not found" answer is `Gone` for the account
(for a handle that includes a handle change; a did: URL follows the account across handles).
Every feed item becomes its Post through the same `post_view` as getPostThread, so a post
listed on the timeline and the same post fetched directly are equal.

Reposts are left out of the Page, on purpose: the reposted post is someone else's (or an older
one of the account's own, listed a second time), its `createdAt` is the original's, which would
misplace it among the account's posts when the timeline is compared, and its deletion is not the
account's doing. Skipped reposts are logged at debug level. Pinned posts appear only when asked
for (`includePins`), which we do not: they are listed at their own place in time anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from watcher.errors import BadBody
from watcher.model import Page, Post, TimelineObservation
from watcher.sources.bluesky.answers import feed_refusal
from watcher.sources.bluesky.views import feed_post
from watcher.sources.common import Response, Sheet

log = logging.getLogger(__name__)

FEED_LIMIT = "30"
_REPOST = "app.bsky.feed.defs#reasonRepost"


def feed_params(actor: str, cursor: str | None) -> dict[str, str]:
    """The query of one getAuthorFeed page: the newest, or the one at `cursor`."""
    params = {"actor": actor, "limit": FEED_LIMIT, "filter": "posts_no_replies"}
    if cursor is not None:
        params["cursor"] = cursor
    return params


def feed_sheet(resp: Response, actor: str) -> Sheet[str] | TimelineObservation:
    """The page a getAuthorFeed answer lists and the cursor of the next, or why there is none."""
    if resp.status != 200:
        return feed_refusal(resp, actor)
    feed, after = _feed(resp)
    # An empty page ends the feed even if it came with a cursor.
    return Sheet(_page(feed, actor), after if feed else None)


def _feed(resp: Response) -> tuple[list[Mapping[str, Any]], str | None]:
    """The feed items of a getAuthorFeed body, each with a post and its record, and the cursor
    of the next page (absent on the last one)."""
    body = resp.json()
    feed = body.get("feed") if isinstance(body, dict) else None
    if not isinstance(feed, list):
        raise BadBody(f"response from {resp.url} is not a Bluesky author feed")
    for item in feed:
        post = item.get("post") if isinstance(item, dict) else None
        if not (isinstance(post, dict) and isinstance(post.get("record"), dict)):
            raise BadBody(f"feed item without a post in {resp.url}")
    cursor = body.get("cursor")
    return feed, (cursor if isinstance(cursor, str) and cursor else None)


def _page(feed: list[Mapping[str, Any]], actor: str) -> Page:
    """The account's own posts, in the feed's order (newest first); reposts are left out (see
    the module docstring), as is a second listing of the same post."""
    posts: dict[str, Post] = {}
    reposts = 0
    for item in feed:
        reason = item.get("reason")
        if isinstance(reason, dict) and reason.get("$type") == _REPOST:
            reposts += 1
            continue
        post = feed_post(item["post"])
        posts.setdefault(post.id, post)
    if reposts:
        log.debug("bluesky: %s reposts by %s not listed as its posts", reposts, actor)
    listed = tuple(posts.values())
    account = listed[0].author if listed else (actor if actor.startswith("did:") else f"@{actor}")
    return Page(listed, account)
