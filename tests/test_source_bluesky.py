"""The `bluesky` source: URL recognition and our own AppView-shaped payloads on FakeSite."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Hidden,
    Observation,
    Post,
    RateLimited,
    Seen,
    Target,
)
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.bluesky import BlueskySource, post_ref
from watcher.sources.common import Request, Response

PAYLOADS = FIXTURES / "bluesky"
JSON = {"content-type": "application/json; charset=utf-8"}
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
RKEY = "3lbqta5lnck2c"
THREAD = "/xrpc/app.bsky.feed.getPostThread"
RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"


def thread_path(rkey: str = RKEY, did: str = DID) -> str:
    """The exact request for a post: DID in the at:// URI, no replies, no parents."""
    at = f"at%3A%2F%2F{did.replace(':', '%3A')}%2Fapp.bsky.feed.post%2F"
    return f"{THREAD}?uri={at}{rkey}&depth=0&parentHeight=0"


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://bsky.app/profile/alice.bsky.social/post/{RKEY}", ("alice.bsky.social", RKEY)),
        (f"https://bsky.app/profile/Alice.Example.COM/post/{RKEY}", ("alice.example.com", RKEY)),
        (f"https://bsky.app/profile/{DID}/post/{RKEY}", (DID, RKEY)),
        (f"https://bsky.app/profile/{DID}/post/{RKEY}/", (DID, RKEY)),
        (f"https://bsky.app/profile/did%3Aplc%3Aabc/post/{RKEY}", ("did:plc:abc", RKEY)),
        (
            f"https://bsky.app/profile/did:web:bob.example.org/post/{RKEY}",
            ("did:web:bob.example.org", RKEY),
        ),
        (
            f"https://bsky.app/profile/dril.bsky.social/post/{RKEY}?ref_src=embed",
            ("dril.bsky.social", RKEY),
        ),
        (f"https://bsky.app/profile/a-b.xn--p1ai/post/{RKEY}#x", ("a-b.xn--p1ai", RKEY)),
        (f"http://www.bsky.app/profile/alice.bsky.social/post/{RKEY}", ("alice.bsky.social", RKEY)),
        (f"at://{DID}/app.bsky.feed.post/{RKEY}", (DID, RKEY)),
        (f"at://alice.bsky.social/app.bsky.feed.post/{RKEY}", ("alice.bsky.social", RKEY)),
        ("https://bsky.app/profile/alice.bsky.social", None),
        ("https://bsky.app/profile/alice.bsky.social/post/", None),
        (f"https://bsky.app/profile/alice.bsky.social/post/{RKEY}/liked-by", None),
        (f"https://bsky.app/profile/alice.bsky.social/post/{RKEY}/reposted-by", None),
        ("https://bsky.app/profile/alice.bsky.social/feed/whats-hot", None),
        ("https://bsky.app/profile/alice.bsky.social/lists/3kxyz", None),
        ("https://bsky.app/profile/alice/post/3lbqta5lnck2c", None),  # a handle has a dot
        (f"https://bsky.app/profile/did:key:zQ3sh/post/{RKEY}", None),
        (f"https://bsky.social/profile/alice.bsky.social/post/{RKEY}", None),
        (f"https://example.com/profile/alice.bsky.social/post/{RKEY}", None),
        (f"at://{DID}/app.bsky.feed.like/{RKEY}", None),
        (f"ftp://bsky.app/profile/alice.bsky.social/post/{RKEY}", None),
        ("https://bsky.app/", None),
    ],
)
def test_post_ref(url: str, expected: tuple[str, str] | None) -> None:
    assert post_ref(url) == expected
    assert BlueskySource.matches(url) is (expected is not None)


# --- fetching ---------------------------------------------------------------------------------


def observe(
    site: FakeSite,
    reply: Reply,
    url: str = f"https://bsky.app/profile/{DID}/post/{RKEY}",
    path: str = THREAD,
) -> Observation:
    """Fetch `url` with the API pointed at FakeSite, which answers `path` with `reply`."""
    site.set(path, reply)
    source = live(BlueskySource(PlatformSettings(base_url=site.url + "/")))
    return source.fetch(Target(url, "bluesky"))


def payload(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), {**JSON, **(headers or {})})


def seen(site: FakeSite, name: str, rkey: str = RKEY, did: str = DID) -> Post:
    url = f"https://bsky.app/profile/{did}/post/{rkey}"
    result = observe(site, payload(name), url, thread_path(rkey, did))
    assert isinstance(result, Seen), result
    return result.post


def test_plain_post(site: FakeSite) -> None:
    post = seen(site, "thread_plain.json")
    assert post.id == f"at://{DID}/app.bsky.feed.post/{RKEY}"
    assert post.url == f"https://bsky.app/profile/alice.example.com/post/{RKEY}"
    assert post.text == "Shipping 2.0 today 🎉\n小米5月交付超过2.8万台"
    assert post.author == "@alice.example.com"
    assert post.created_at == datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
    assert (post.edited_at, post.platform_edited, post.title, post.media) == (None, False, "", ())


def test_metrics_are_not_content(site: FakeSite) -> None:
    post = seen(site, "thread_plain.json")
    assert dict(post.metrics) == {
        "likeCount": 21,
        "repostCount": 7,
        "replyCount": 3,
        "quoteCount": 1,
    }
    recounted = replace(post, metrics={"likeCount": 5000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_images_and_quote_come_from_the_record(site: FakeSite) -> None:
    post = seen(site, "thread_media.json", "3lbqtb000000a")
    assert post.text == (
        "Two photos and a quote\n"
        "[quote] at://did:plc:quotedquotedquotedquoted/app.bsky.feed.post/3kquoted00000\n"
        "[image] a red bicycle"
    )
    assert "someone else's words" not in post.document  # the quoted post's text is not ours
    assert post.media == ("bafkreiimageone", "bafkreilegacyimage")
    assert post.created_at == datetime(2025, 6, 2, 8, 30, tzinfo=UTC)
    assert "quoteCount" not in post.metrics  # older servers do not send it


def test_link_card_is_content(site: FakeSite) -> None:
    did = "did:web:bob.example.org"
    post = seen(site, "thread_external_video.json", "3lbqtc000000b", did)
    assert post.text == "An article https://example.org/article"
    assert post.author == "@bob.example.org"


def test_video_blob_and_alt(site: FakeSite) -> None:
    post = seen(site, "thread_video.json", "3lbqtd000000c", "did:web:bob.example.org")
    assert post.text == "clip\n[video] a cat jumping"
    assert post.media == ("bafkreivideoblob",)
    assert post.media_urls == (  # the view's playlist; the record has only the blob's cid
        "https://video.bsky.app/watch/did%3Aweb%3Abob.example.org/bafkreivideoblob/playlist.m3u8",
    )


def test_images_are_seen_at_the_views_fullsize_else_its_thumbnail(site: FakeSite) -> None:
    post = seen(site, "thread_media.json", "3lbqtb000000a")
    assert post.media_urls == (
        "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:x/bafkreiimageone@jpeg",
        "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:x/bafkreilegacyimage@jpeg",
    )


def test_images_moved_to_another_cdn_are_no_edit(site: FakeSite) -> None:
    post = seen(site, "thread_media.json", "3lbqtb000000a")
    text = (PAYLOADS / "thread_media.json").read_text(encoding="utf-8")
    moved_body = text.replace("https://cdn.bsky.app/", "https://cdn2.bsky.example/")
    url = f"https://bsky.app/profile/{DID}/post/3lbqtb000000a"
    moved = observe(site, Reply(200, moved_body, JSON), url, thread_path("3lbqtb000000a"))
    assert isinstance(moved, Seen), moved
    assert moved.post.media_urls[0].startswith("https://cdn2.bsky.example/img/")
    assert moved.post == post
    assert content_hash(moved.post) == content_hash(post)


def test_a_post_without_a_view_of_its_embed_has_no_media_urls(site: FakeSite) -> None:
    body = json.loads((PAYLOADS / "thread_media.json").read_text(encoding="utf-8"))
    del body["thread"]["post"]["embed"]
    url = f"https://bsky.app/profile/{DID}/post/3lbqtb000000a"
    result = observe(site, Reply(200, json.dumps(body), JSON), url, thread_path("3lbqtb000000a"))
    assert isinstance(result, Seen), result
    assert result.post.media == ("bafkreiimageone", "bafkreilegacyimage")
    assert result.post.media_urls == ()  # no CDN address is made up from a cid


def test_handle_is_resolved_once_then_remembered(site: FakeSite) -> None:
    site.set(f"{RESOLVE}?handle=alice.example.com", payload("resolve_handle.json"))
    site.set(thread_path(), payload("thread_plain.json"))
    url = f"https://bsky.app/profile/Alice.Example.com/post/{RKEY}"
    source = live(BlueskySource(PlatformSettings(base_url=site.url)))
    first = source.fetch(Target(url, "bluesky"))
    second = source.fetch(Target(url, "bluesky"))
    assert isinstance(first, Seen) and first == second
    assert site.hits(RESOLVE) == 1
    assert site.hits(thread_path()) == 2


def test_unresolvable_handle_is_failed_not_gone(site: FakeSite) -> None:
    url = f"https://bsky.app/profile/gone.example.com/post/{RKEY}"
    result = observe(site, payload("resolve_handle_failed.json", 400), url, RESOLVE)
    assert isinstance(result, Failed)
    assert "handle gone.example.com does not resolve" in result.reason
    assert "Unable to resolve handle" in result.reason
    assert site.hits(THREAD) == 0


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(503, "<h1>upstream down</h1>"), Failed),
        (Reply(429, '{"error":"RateLimitExceeded"}', JSON), RateLimited),
        (Reply(403, "forbidden"), Blocked),
        (Reply(200, "{}", JSON), Failed),
    ],
)
def test_handle_resolution_trouble_is_never_gone(
    site: FakeSite, reply: Reply, expected: type[Observation]
) -> None:
    url = f"https://bsky.app/profile/alice.example.com/post/{RKEY}"
    assert isinstance(observe(site, reply, url, RESOLVE), expected)


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, payload("thread_plain.json"), path=thread_path())
    assert site.hits(thread_path()) == 1


def test_at_uri_is_watchable(site: FakeSite) -> None:
    url = f"at://{DID}/app.bsky.feed.post/{RKEY}"
    assert isinstance(observe(site, payload("thread_plain.json"), url, thread_path()), Seen)


def test_non_post_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Bluesky post URL"):
        observe(
            site, payload("thread_plain.json"), url="https://bsky.app/profile/alice.bsky.social"
        )


# --- gone and not-gone signals ----------------------------------------------------------------


def test_400_not_found_is_gone(site: FakeSite) -> None:
    result = observe(site, payload("error_not_found.json", 400))
    assert result == Gone(f"NotFound: Post not found: at://{DID}/app.bsky.feed.post/{RKEY}")


def test_not_found_member_is_gone(site: FakeSite) -> None:
    result = observe(site, payload("thread_not_found.json"))
    assert result == Gone(f"not found: at://{DID}/app.bsky.feed.post/{RKEY}")


def test_blocked_member_is_hidden(site: FakeSite) -> None:
    result = observe(site, payload("thread_blocked.json"))
    assert result == Hidden(f"blocked: at://{DID}/app.bsky.feed.post/{RKEY}")


@pytest.mark.parametrize("name", ["BlockedActor", "BlockedByActor"])
def test_400_block_errors_are_hidden(site: FakeSite, name: str) -> None:
    result = observe(site, Reply(400, f'{{"error":"{name}","message":"blocked"}}', JSON))
    assert result == Hidden(f"{name}: blocked")


def test_other_400_is_failed(site: FakeSite) -> None:
    body = '{"error":"InvalidRequest","message":"Error: uri must be a valid at-uri"}'
    result = observe(site, Reply(400, body, JSON))
    assert result == Failed("HTTP 400 InvalidRequest: Error: uri must be a valid at-uri")


def test_404_is_failed_not_gone(site: FakeSite) -> None:
    # XRPC servers answer 404 for an unknown method (a wrong base_url), not for a missing post.
    body = '{"error":"MethodNotImplemented","message":"Method Not Implemented"}'
    result = observe(site, Reply(404, body, JSON))
    assert isinstance(result, Failed)
    assert "MethodNotImplemented" in result.reason


def test_429_waits_until_ratelimit_reset(site: FakeSite) -> None:
    reset = str(int(time.time()) + 120)
    result = observe(site, payload("error_rate_limited.json", 429, {"RateLimit-Reset": reset}))
    assert isinstance(result, RateLimited)
    assert result.reason == "HTTP 429: Rate Limit Exceeded"
    assert result.retry_after is not None
    assert 110 < result.retry_after <= 120


def test_429_prefers_retry_after_and_tolerates_bad_reset(site: FakeSite) -> None:
    headers = {"Retry-After": "7", "RateLimit-Reset": "99999999999"}
    preferred = observe(site, payload("error_rate_limited.json", 429, headers))
    assert isinstance(preferred, RateLimited) and preferred.retry_after == 7.0


@pytest.mark.parametrize("reset", ["1", "<unix seconds>"])
def test_429_with_past_or_bad_reset(site: FakeSite, reset: str) -> None:
    result = observe(site, payload("error_rate_limited.json", 429, {"RateLimit-Reset": reset}))
    assert isinstance(result, RateLimited)
    assert result.retry_after == (0.0 if reset == "1" else None)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>oops</html>"))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_401_is_blocked(site: FakeSite) -> None:
    body = '{"error":"AuthMissing","message":"Authentication Required"}'
    assert isinstance(observe(site, Reply(401, body, JSON)), Blocked)


@pytest.mark.parametrize(
    "body",
    [
        (PAYLOADS / "thread_unknown_member.json").read_bytes(),
        b'{"posts":[]}',
        b"[]",
        b"<html>maintenance</html>",
    ],
)
def test_200_that_is_not_a_thread_is_failed(site: FakeSite, body: bytes) -> None:
    result = observe(site, Reply(200, body, JSON))
    assert isinstance(result, Failed)


# --- sans-I/O: the flow's requests, answered with no server ----------------------------------

BASE = "http://appview.test"
AT = f"at://{DID}/app.bsky.feed.post/{RKEY}"


def answer(name: str, status: int = 200) -> Response:
    return Response(
        BASE, status, {"content-type": "application/json"}, (PAYLOADS / name).read_bytes()
    )


def resolve_key(handle: str = "alice.example.com") -> str:
    return request_key(Request(BASE + RESOLVE, {"handle": handle}))


def thread_key(uri: str = AT) -> str:
    return request_key(Request(BASE + THREAD, {"uri": uri, "depth": "0", "parentHeight": "0"}))


def test_a_handle_url_is_one_flow_resolve_then_thread_by_did() -> None:
    source = BlueskySource(PlatformSettings(base_url=BASE))
    target = Target(f"https://bsky.app/profile/Alice.Example.com/post/{RKEY}", "bluesky")
    answers = {
        resolve_key(): answer("resolve_handle.json"),
        thread_key(): answer("thread_plain.json"),
    }
    result, asked = replayed(source.observe(target), answers)
    assert isinstance(result, Seen) and result.post.id == AT
    assert [request_key(r) for r in asked] == [resolve_key(), thread_key()]
    # The DID is remembered: the next check of the post is its one thread request.
    again, asked_again = replayed(source.observe(target), answers)
    assert again == result
    assert [request_key(r) for r in asked_again] == [thread_key()]


def test_a_transport_error_resolving_the_handle_is_failed_and_asks_nothing_more() -> None:
    source = BlueskySource(PlatformSettings(base_url=BASE))
    target = Target(f"https://bsky.app/profile/alice.example.com/post/{RKEY}", "bluesky")
    answers: dict[str, Response | FetchError] = {
        resolve_key(): TransportError("connection reset"),
        thread_key(): answer("thread_plain.json"),
    }
    result, asked = replayed(source.observe(target), answers)
    assert result == Failed("connection reset")
    assert [request_key(r) for r in asked] == [resolve_key()]


def test_an_unresolved_handle_is_not_remembered() -> None:
    source = BlueskySource(PlatformSettings(base_url=BASE))
    target = Target(f"https://bsky.app/profile/alice.example.com/post/{RKEY}", "bluesky")
    failed = {resolve_key(): answer("resolve_handle_failed.json", 400)}
    assert isinstance(replayed(source.observe(target), failed)[0], Failed)
    answers = {
        resolve_key(): answer("resolve_handle.json"),
        thread_key(): answer("thread_plain.json"),
    }
    result, asked = replayed(source.observe(target), answers)
    assert isinstance(result, Seen) and len(asked) == 2
