"""Bluesky: one post through the public AppView, `app.bsky.feed.getPostThread` (depth 0).

A URL that names the author by handle is first turned into a DID with
`com.atproto.identity.resolveHandle`. getPostThread would accept the handle inside the at:// URI,
but a handle that no longer resolves (the author changed it, a custom domain's DNS lapsed) then
answers exactly like a deleted post, `400 NotFound`. Resolving separately keeps "the handle does
not resolve" (`Failed`) apart from "the post is gone" (`Gone`). The DID is remembered for the
life of the source, so the unchanged hot path stays one request.

Bluesky has no edit feature: a record only changes by being replaced (new `cid`), so
`platform_edited` is always False and `edited_at` None.

Accounts (`https://bsky.app/profile/<handle-or-did>`) are read with
`app.bsky.feed.getAuthorFeed` (`filter=posts_no_replies`). The actor is passed as given, handle
or DID: one request per page; a deeper page is asked for with the `cursor` of the one before.
Its "Profile not found" answer is `Gone` for the account (for a handle that includes a handle
change; a did: URL follows the account across handles). Every feed item becomes its Post through
the same `post_view` as getPostThread, so a post listed on the timeline and the same post fetched
directly are equal.

Reposts are left out of the Page, on purpose: the reposted post is someone else's (or an older
one of the account's own, listed a second time), its `createdAt` is the original's, which would
misplace it among the account's posts when the timeline is compared, and its deletion is not the
account's doing. Skipped reposts are logged at debug level. Pinned posts appear only when asked
for (`includePins`), which we do not: they are listed at their own place in time anyway.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

from watcher.errors import BadBody, UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Hidden,
    Observation,
    Page,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import html_to_text, looks_like_html, parse_time
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import BLOCKED_STATUSES, Http, Response, retry_after, unobserved
from watcher.sources.paging import Sheet, more_pages

log = logging.getLogger(__name__)

API = "https://public.api.bsky.app"
COLLECTION = "app.bsky.feed.post"
_HANDLE = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
)
_DID = r"did:(?:plc|web):[a-zA-Z0-9._:%-]+"
_RKEY = r"[a-zA-Z0-9._~:-]{1,512}"
_WEB_POST = re.compile(rf"/profile/({_HANDLE}|{_DID})/post/({_RKEY})/?")
_AT_URI = re.compile(rf"at://({_HANDLE}|{_DID})/{re.escape(COLLECTION)}/({_RKEY})")
_PROFILE = re.compile(rf"/profile/({_HANDLE}|{_DID})/?")
_WEB_HOSTS = frozenset({"bsky.app", "www.bsky.app"})
# Counters a postView carries; stored as metrics, never part of the content.
METRICS = ("likeCount", "repostCount", "replyCount", "quoteCount")
# XRPC error names that mean the post exists but a block stands between it and us.
_BLOCK_ERRORS = frozenset({"BlockedActor", "BlockedByActor"})
FEED_LIMIT = "30"
_REPOST = "app.bsky.feed.defs#reasonRepost"


def post_ref(url: str) -> tuple[str, str] | None:
    """(handle or DID, rkey) of a bsky.app post URL or an at:// post URI, or None."""
    if url.startswith("at://"):
        match = _AT_URI.fullmatch(url.split("?")[0].split("#")[0])
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in _WEB_HOSTS:
            return None
        match = _WEB_POST.fullmatch(unquote(parts.path))
    if match is None:
        return None
    return _actor(match.group(1)), match.group(2)


def profile_ref(url: str) -> str | None:
    """The handle or DID of a bsky.app profile URL (not one of its posts, feeds or lists)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in _WEB_HOSTS:
        return None
    match = _PROFILE.fullmatch(unquote(parts.path))
    return _actor(match.group(1)) if match else None


def _actor(actor: str) -> str:
    # Handles are case-insensitive; DIDs are not.
    return actor if actor.startswith("did:") else actor.lower()


class BlueskySource(Source):
    name = "bluesky"
    batch = 25  # app.bsky.feed.getPosts takes up to 25 URIs

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        super().__init__(http, settings)
        self._dids: dict[str, str] = {}  # handle → DID, resolved once per source

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return profile_ref(url)

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not a Bluesky post URL: {target.url}")

    def fetch_many(self, targets: Sequence[Target]) -> list[Observation]:
        # Imported here, not at the top: the batch half imports this module.
        from watcher.sources.bluesky_batch import fetch_posts

        return fetch_posts(self, targets)

    def post_uri(self, target: Target) -> str | Observation:
        """The post's at:// URI by DID, or why the author's handle could not be resolved."""
        self.validate(target)
        actor, rkey = post_ref(target.url) or ("", "")
        did = self._did(self.base_url(API), actor)
        return f"at://{did}/{COLLECTION}/{rkey}" if isinstance(did, str) else did

    def _fetch(self, target: Target) -> Observation:
        uri = self.post_uri(target)
        if not isinstance(uri, str):
            return uri
        rkey = uri.rsplit("/", 1)[1]
        api = self.base_url(API)
        params = {"uri": uri, "depth": "0", "parentHeight": "0"}
        resp = self.get(f"{api}/xrpc/app.bsky.feed.getPostThread", params)
        if resp.status != 200:
            return _refusal(resp)
        return _thread_observation(_thread(resp), rkey)

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        actor = profile_ref(target.url)
        if actor is None:
            raise UsageError(f"not a Bluesky profile URL: {target.url}")
        api = self.base_url(API)
        first = self._author_feed(api, actor, None)
        return more_pages(first, pages, partial(self._author_feed, api, actor), log)

    def _author_feed(
        self, api: str, actor: str, cursor: str | None
    ) -> Sheet[str] | TimelineObservation:
        """One page of the author feed: the newest, or the one at `cursor` from the page before."""
        params = {"actor": actor, "limit": FEED_LIMIT, "filter": "posts_no_replies"}
        if cursor is not None:
            params["cursor"] = cursor
        resp = self.get(f"{api}/xrpc/app.bsky.feed.getAuthorFeed", params)
        if resp.status != 200:
            return _feed_refusal(resp, actor)
        feed, after = _feed(resp)
        # An empty page ends the feed even if it came with a cursor.
        return Sheet(_page(feed, actor), after if feed else None)

    def _did(self, api: str, actor: str) -> str | Observation:
        """The DID of `actor`, or why it could not be had (never `Gone`: see the docstring)."""
        if actor.startswith("did:"):
            return actor
        if actor in self._dids:
            return self._dids[actor]
        resp = self.get(f"{api}/xrpc/com.atproto.identity.resolveHandle", {"handle": actor})
        if resp.status == 429:
            return _rate_limited(resp)
        body = _json_or_none(resp)
        did = body.get("did") if resp.status == 200 and isinstance(body, dict) else None
        if isinstance(did, str) and did.startswith("did:"):
            self._dids[actor] = did
            return did
        if resp.status in (200, 400):  # 400 InvalidRequest "Unable to resolve handle"
            return _unresolved(actor, resp)
        return unobserved(resp) or _unresolved(actor, resp)


def _unresolved(handle: str, resp: Response) -> Observation:
    """A handle that does not resolve says nothing about the post: it may have been renamed."""
    return Failed(
        f"handle {handle} does not resolve (HTTP {resp.status}: {_error(resp)}); if the author "
        "changed handles, watch the post by its did: URL"
    )


def _refusal(resp: Response) -> Observation:
    """The observation for a getPostThread answer other than 200."""
    if resp.status == 429:
        return _rate_limited(resp)
    name = _error_name(resp)
    if resp.status == 400 and name == "NotFound":
        # Deleted by the author, or taken down: the AppView answers both the same way.
        return Gone(f"NotFound: {_error(resp)}")
    if resp.status == 400 and name in _BLOCK_ERRORS:
        return Hidden(f"{name}: {_error(resp)}")
    detail = f"HTTP {resp.status} {name}: {_error(resp)}".replace("  ", " ")
    if resp.status in BLOCKED_STATUSES:
        return Blocked(detail)
    # 404 from an XRPC server means "no such method" (a wrong base_url), never a missing post.
    return Failed(detail)


def _feed_refusal(resp: Response, actor: str) -> TimelineObservation:
    """The observation for a getAuthorFeed answer other than 200."""
    if resp.status == 429:
        return _rate_limited(resp)
    name, message = _error_name(resp), _error(resp)
    # The name is the generic InvalidRequest (a bad cursor gets it too): the message decides.
    if resp.status == 400 and message.lower().startswith("profile not found"):
        if actor.startswith("did:"):
            return Gone(f"account {actor}: {message}")
        # A handle can move to another account or away: not finding it proves no deletion.
        return Hidden(
            f"account {actor}: {message} (deleted, or its handle changed: watch the did: URL)"
        )
    if resp.status == 400 and name in _BLOCK_ERRORS:
        return Hidden(f"account {actor}: {name}: {message}")
    detail = f"HTTP {resp.status} {name}: {message}".replace("  ", " ")
    return Blocked(detail) if resp.status in BLOCKED_STATUSES else Failed(detail)


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


def feed_post(view: Mapping[str, Any]) -> Post:
    """The Post of a feed item's postView: the same as getPostThread gives for that post."""
    match = _AT_URI.fullmatch(str(view.get("uri") or ""))
    if match is None:
        raise BadBody(f"feed item with a post URI that is not a post: {view.get('uri')!r}")
    return post_view(view, match.group(2))


def _rate_limited(resp: Response) -> RateLimited:
    return RateLimited(f"HTTP 429: {_error(resp)}", _retry_after(resp.headers))


def _retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait: Retry-After if sent, else until RateLimit-Reset (unix seconds)."""
    seconds = retry_after(headers, now)
    if seconds is not None:
        return seconds
    reset = headers.get("ratelimit-reset", "").strip()
    if not reset.isdigit():
        return None
    return max(0.0, int(reset) - (now or datetime.now(UTC)).timestamp())


def _json_or_none(resp: Response) -> Any:
    try:
        return resp.json()
    except BadBody:
        return None


def _error_name(resp: Response) -> str:
    body = _json_or_none(resp)
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _error(resp: Response) -> str:
    """The XRPC `{"error", "message"}` message, or the start of whatever the body was."""
    body = _json_or_none(resp)
    if isinstance(body, dict) and isinstance(body.get("message") or body.get("error"), str):
        return str(body.get("message") or body["error"])
    text = resp.text()[:2000]  # an HTML error page from a proxy: its words, not its markup
    words = html_to_text(text) if looks_like_html(text) else text
    return " ".join(words.split())[:200] or "no message"


def _thread(resp: Response) -> dict[str, Any]:
    body = resp.json()
    thread = body.get("thread") if isinstance(body, dict) else None
    if not isinstance(thread, dict):
        raise BadBody(f"response from {resp.url} is not a Bluesky thread")
    return thread


def _thread_observation(thread: Mapping[str, Any], rkey: str) -> Observation:
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


def post_view(view: Mapping[str, Any], rkey: str) -> Post:
    """The Post of a postView. Content comes from the author's record, not the hydrated view:
    the view's embed carries the quoted post's current text and counters, which change without
    this post changing."""
    record: Mapping[str, Any] = view["record"]
    author = view.get("author") or {}
    actor = str(author.get("handle") or author.get("did") or "")
    raw_embed = record.get("embed")
    embed: Mapping[str, Any] = raw_embed if isinstance(raw_embed, dict) else {}
    return Post(
        id=str(view.get("uri") or rkey),
        url=f"https://bsky.app/profile/{actor}/post/{rkey}",
        text=_text(record, embed),
        author=f"@{author['handle']}" if author.get("handle") else str(author.get("did") or ""),
        created_at=parse_time(str(record.get("createdAt") or "")),
        media=tuple(_blob_cids(embed)),
        metrics=_metrics(view),
    )


def _text(record: Mapping[str, Any], embed: Mapping[str, Any]) -> str:
    lines = (str(record.get("text") or ""), *_embed_lines(embed))
    return "\n".join(line for line in lines if line)


def _embed_lines(embed: Mapping[str, Any]) -> Iterator[str]:
    """What the author attached, as text: image alt texts, the link card, the quoted post.

    Alt text and the link card are written (or accepted) by the author and change only with the
    record; the quoted post is named by URI, not copied, since its text is someone else's."""
    kind = str(embed.get("$type") or "")
    if kind == "app.bsky.embed.recordWithMedia":
        yield from _embed_lines(embed.get("record") or {})
        yield from _embed_lines(embed.get("media") or {})
    elif kind == "app.bsky.embed.record":
        quoted = (embed.get("record") or {}).get("uri")
        if quoted:
            yield f"[quote] {quoted}"
    elif kind == "app.bsky.embed.external":
        card = embed.get("external") or {}
        yield " ".join(str(card.get(k) or "") for k in ("title", "uri")).strip()
    for image in embed.get("images") or ():
        if image.get("alt"):
            yield f"[image] {image['alt']}"
    if embed.get("alt"):  # a video's alt text
        yield f"[video] {embed['alt']}"


def _blob_cids(embed: Mapping[str, Any]) -> Iterator[str]:
    """The content ids of attached images and video: stable, unlike the CDN URLs of the view."""
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        yield from _blob_cids(embed.get("media") or {})
        return
    blobs = [image.get("image") for image in embed.get("images") or ()] + [embed.get("video")]
    for blob in blobs:
        if isinstance(blob, dict):
            # Current blobs have ref.$link; legacy ones a plain cid.
            cid = (blob.get("ref") or {}).get("$link") or blob.get("cid")
            if cid:
                yield str(cid)


def _metrics(view: Mapping[str, Any]) -> Mapping[str, int]:
    counts = {
        key: value
        for key in METRICS
        if isinstance(value := view.get(key), int) and not isinstance(value, bool)
    }
    return MappingProxyType(counts)
