"""Bluesky recordings (MarshalX/atproto and blueskyprofiler fixtures, plus AppView error bodies
reconstructed from bluesky-social/atproto) and what the adapter makes of them."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Gone, Hidden, Page, RateLimited, Seen

DID = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
RKEY = "3kaheyt6vpc22"
AT_URI = f"at://{DID}/app.bsky.feed.post/{RKEY}"
# The adapter asks for the post alone: no replies (depth=0), no parents (parentHeight=0).
THREAD = (
    "/xrpc/app.bsky.feed.getPostThread?uri="
    f"at%3A%2F%2F{DID.replace(':', '%3A')}%2Fapp.bsky.feed.post%2F{RKEY}&depth=0&parentHeight=0"
)
WATCH = f"https://bsky.app/profile/{DID}/post/{RKEY}"
DRIL = "did:plc:6wpkkitfdkgthatfvspcfmjo"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed?actor={}&limit=30&filter=posts_no_replies"

PLATFORM = Platform(
    source="bluesky",
    cases=(
        Case(
            # Recorded with depth=1; depth only changes `replies`, which is empty here.
            "getPostThread.json",
            WATCH,
            THREAD,
            Seen,
            {
                "id": AT_URI,
                "url": f"https://bsky.app/profile/test.marshal.dev/post/{RKEY}",
                "title": "",
                # Empty text, an image without alt text, and a quote of the author's own post.
                "text": f"[quote] at://{DID}/app.bsky.feed.post/3kahesw26il2z",
                "author": "@test.marshal.dev",
                "created_at": datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC),
                "edited_at": None,
                "platform_edited": False,
                "media": ("bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq",),
                # The view's fullsize image (the record has only the blob's cid).
                "media_urls": (
                    f"https://cdn.bsky.app/img/feed_fullsize/plain/{DID}/"
                    "bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq@jpeg",
                ),
                "metrics": {"likeCount": 0, "repostCount": 0, "replyCount": 0},
            },
        ),
        Case(
            "getPostThread_notfound_reconstructed.json",
            WATCH,
            THREAD,
            Gone,
            {"reason": f"NotFound: Post not found: {AT_URI}", "removed": False},
        ),
        Case(
            # A union member, not a whole answer: served as the `thread` of a 200
            # getPostThread body, which the lexicon allows (threadViewPost | notFoundPost |
            # blockedPost). It names the post and says it is not found: a gone signal.
            "notFoundPost_reconstructed.json",
            WATCH,
            THREAD,
            Gone,
            {"reason": f"not found: {AT_URI}", "removed": False},
            wrap="thread",
        ),
        Case(
            "rate_limited_429_reconstructed.json",
            WATCH,
            THREAD,
            RateLimited,
            # RateLimit-Reset is a placeholder in the manifest, so it is not sent.
            {"reason": "HTTP 429: Rate Limit Exceeded", "retry_after": None},
        ),
        Case(
            # A handle URL first resolves the handle; a 429 there is a 429, not a missing post.
            "rate_limited_429_reconstructed.json",
            f"https://bsky.app/profile/test.marshal.dev/post/{RKEY}",
            "/xrpc/com.atproto.identity.resolveHandle?handle=test.marshal.dev",
            RateLimited,
            {"reason": "HTTP 429: Rate Limit Exceeded"},
        ),
        Case(
            # Recorded without limit/filter, so its one reply (3liphfrnb7c2n) is listed; the
            # adapter lists whatever the server lists, in its order.
            "getAuthorFeed.json",
            "https://bsky.app/profile/dril.bsky.social",
            FEED.format("dril.bsky.social"),
            Page,
            {
                "ids": tuple(
                    f"at://{DRIL}/app.bsky.feed.post/{rkey}"
                    for rkey in (
                        "3lix6ufungs22",
                        "3litgermucc2h",
                        "3lirwer3l4s2r",
                        "3liphfrnb7c2n",
                        "3liphb4l7m22n",
                    )
                ),
                "account": "@dril.bsky.social",
            },
            timeline=True,
        ),
        Case(
            "getAuthorFeed_profile_notfound_reconstructed.json",
            "https://bsky.app/profile/gone.example.com",
            FEED.format("gone.example.com"),
            Hidden,
            {
                "reason": "account gone.example.com: Profile not found (deleted, or its handle "
                "changed: watch the did: URL)",
            },
            timeline=True,
        ),
    ),
    not_yet_used={},
    used_by={
        "getPosts_reconstructed.json": (
            "tests/test_bluesky_batch.py::test_recorded_get_posts_gives_the_post"
        ),
        "getPosts_missing_reconstructed.json": (
            "tests/test_bluesky_batch.py::test_recorded_empty_get_posts_is_no_gone_signal_by_itself"
        ),
    },
)
