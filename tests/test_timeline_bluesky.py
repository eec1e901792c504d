"""Bluesky account watches: profile URLs and getAuthorFeed pages, on our own AppView-shaped
payloads served by FakeSite."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.live import live
from tests.server import FakeSite, Reply
from watcher.errors import UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Hidden,
    Page,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.settings import PlatformSettings
from watcher.sources.bluesky import BlueskySource, post_ref

PAYLOADS = FIXTURES / "bluesky"
JSON = {"content-type": "application/json; charset=utf-8"}
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
PROFILE = "https://bsky.app/profile/alice.example.com"


def feed_path(actor: str = "alice.example.com") -> str:
    """The exact request: the actor as named in the URL, first 30 posts, no replies."""
    return f"{FEED}?actor={actor.replace(':', '%3A')}&limit=30&filter=posts_no_replies"


def payload(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), {**JSON, **(headers or {})})


def read(site: FakeSite, reply: Reply, url: str = PROFILE, path: str = FEED) -> TimelineObservation:
    site.set(path, reply)
    source = live(BlueskySource(PlatformSettings(base_url=site.url)))
    return source.timeline(Target(url, "bluesky"))


def page(site: FakeSite, name: str = "author_feed.json") -> Page:
    result = read(site, payload(name), path=feed_path())
    assert isinstance(result, Page), result
    return result


# --- account URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PROFILE, "alice.example.com"),
        ("https://bsky.app/profile/Alice.Example.COM/", "alice.example.com"),
        ("http://www.bsky.app/profile/alice.example.com?ref=x#top", "alice.example.com"),
        (f"https://bsky.app/profile/{DID}", DID),
        ("https://bsky.app/profile/did%3Aplc%3Aabc", "did:plc:abc"),
        ("https://bsky.app/profile/did:web:bob.example.org", "did:web:bob.example.org"),
        (f"{PROFILE}/post/3lbqta5lnck2c", None),  # a post
        (f"{PROFILE}/feed/whats-hot", None),
        (f"{PROFILE}/lists/3kxyz", None),
        (f"{PROFILE}/followers", None),
        ("https://bsky.app/profile/alice", None),  # a handle has a dot
        ("https://bsky.app/profile/", None),
        ("https://example.com/profile/alice.example.com", None),
        (f"at://{DID}", None),
        ("ftp://bsky.app/profile/alice.example.com", None),
    ],
)
def test_account_ref(url: str, expected: str | None) -> None:
    assert BlueskySource.account_ref(url) == expected
    if expected is not None:  # an account URL is never taken for a post
        assert post_ref(url) is None and not BlueskySource.matches(url)


def test_post_url_is_no_account() -> None:
    url = f"https://bsky.app/profile/{DID}/post/3lbqta5lnck2c"
    assert BlueskySource.matches(url) and BlueskySource.account_ref(url) is None


def test_post_url_cannot_be_read_as_a_timeline(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Bluesky profile URL"):
        read(site, payload("author_feed.json"), f"{PROFILE}/post/3lbqta5lnck2c")
    assert site.requests == []


# --- pages ------------------------------------------------------------------------------------


def test_page_lists_own_posts_newest_first(site: FakeSite) -> None:
    result = page(site)
    at = f"at://{DID}/app.bsky.feed.post/"
    assert result.ids == (f"{at}3lbqtf000000e", f"{at}3lbqta5lnck2c")  # the repost is left out
    assert result.account == "@alice.example.com"
    newest = result.posts[0]
    assert newest.text == "New bike day\n[image] a red bicycle"
    assert newest.media == ("bafkreibike",)
    assert newest.media_urls == ("https://cdn.bsky.app/img/feed_fullsize/plain/x/bafkreibike@jpeg",)
    assert newest.url == "https://bsky.app/profile/alice.example.com/post/3lbqtf000000e"
    assert newest.created_at == datetime(2025, 6, 3, 9, 15, tzinfo=UTC)
    assert site.hits(feed_path()) == 1


def test_post_from_timeline_equals_post_from_fetch(site: FakeSite) -> None:
    """The account watch stores a listed post as revision 1, then checks it directly: any
    difference would read as an edit."""
    listed = page(site).posts[1]
    thread = (
        "/xrpc/app.bsky.feed.getPostThread?uri="
        f"at%3A%2F%2F{DID.replace(':', '%3A')}%2Fapp.bsky.feed.post%2F3lbqta5lnck2c"
        "&depth=0&parentHeight=0"
    )
    site.set(thread, payload("thread_plain.json"))
    source = live(BlueskySource(PlatformSettings(base_url=site.url)))
    fetched = source.fetch(Target(listed.url.replace("alice.example.com", DID), "bluesky"))
    assert isinstance(fetched, Seen)
    assert fetched.post == listed
    assert (fetched.post.id, fetched.post.text) == (listed.id, listed.text)
    assert fetched.post.metrics == listed.metrics


def test_did_url_asks_by_did_and_names_the_handle(site: FakeSite) -> None:
    url = f"https://bsky.app/profile/{DID}"
    result = read(site, payload("author_feed.json"), url, feed_path(DID))
    assert isinstance(result, Page) and result.account == "@alice.example.com"
    assert site.hits(feed_path(DID)) == 1
    assert site.hits("/xrpc/com.atproto.identity.resolveHandle") == 0  # one request per check


def test_empty_page_is_a_page(site: FakeSite) -> None:
    result = page(site, "author_feed_empty.json")
    assert result == Page((), "@alice.example.com")


def test_post_listed_twice_is_listed_once(site: FakeSite) -> None:
    """A pinned post (reasonPin, if the server lists pins) also appears at its own place."""
    body = json.loads((PAYLOADS / "author_feed.json").read_text())
    pinned = {**body["feed"][2], "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    body["feed"].insert(0, pinned)
    result = read(site, Reply(200, json.dumps(body), JSON), path=feed_path())
    assert isinstance(result, Page)
    assert len(result.ids) == len(set(result.ids)) == 2


def test_base_url_is_used(site: FakeSite) -> None:
    site.set(f"/mirror{FEED}", payload("author_feed.json"))
    source = live(BlueskySource(PlatformSettings(base_url=f"{site.url}/mirror/")))
    assert isinstance(source.timeline(Target(PROFILE, "bluesky")), Page)
    assert site.hits(f"/mirror{FEED}") == 1


# --- not-ok answers ---------------------------------------------------------------------------


def test_profile_not_found_by_handle_is_hidden_never_gone(site: FakeSite) -> None:
    result = read(site, payload("author_feed_profile_not_found.json", 400))
    assert isinstance(result, Hidden)  # the handle may have changed: no claim of deletion
    assert result.reason.startswith("account alice.example.com: Profile not found")
    assert "handle changed" in result.reason


def test_profile_not_found_by_did_has_no_handle_hint(site: FakeSite) -> None:
    url = f"https://bsky.app/profile/{DID}"
    result = read(site, payload("author_feed_profile_not_found.json", 400), url)
    assert result == Gone(f"account {DID}: Profile not found")


def test_block_is_hidden(site: FakeSite) -> None:
    result = read(site, payload("author_feed_blocked.json", 400))
    assert isinstance(result, Hidden) and "BlockedByActor" in result.reason


def test_other_invalid_request_is_failed_not_gone(site: FakeSite) -> None:
    body = '{"error":"InvalidRequest","message":"Malformed cursor"}'
    result = read(site, Reply(400, body, JSON))
    assert result == Failed("HTTP 400 InvalidRequest: Malformed cursor")


def test_429_is_rate_limited(site: FakeSite) -> None:
    reply = payload("error_rate_limited.json", 429, {"retry-after": "30"})
    result = read(site, reply)
    assert isinstance(result, RateLimited) and result.retry_after == 30


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(401, '{"error":"AuthMissing","message":"Authentication Required"}', JSON), Blocked),
        (Reply(403, "<h1>Forbidden</h1>"), Blocked),
        (Reply(502, "<h1>Bad gateway</h1>"), Failed),
        (Reply(503, ""), Failed),
        (Reply(404, "no route"), Failed),  # an unknown XRPC method: a wrong base_url
    ],
)
def test_unobserved_answers(site: FakeSite, reply: Reply, expected: type) -> None:
    assert isinstance(read(site, reply), expected)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[]",
        b"not json",
        b'{"feed": {}}',
        b'{"feed": [{"reason": {}}]}',
        b'{"feed": [{"post": {"uri": "at://x"}}]}',  # no record
        b'{"feed": [{"post": {"uri": "at://did:plc:a/app.bsky.feed.like/3k", "record": {}}}]}',
    ],
)
def test_unexpected_shape_is_failed(site: FakeSite, body: bytes) -> None:
    assert isinstance(read(site, Reply(200, body, JSON)), Failed)


# --- deeper pages: cursor ---------------------------------------------------------------------

NEWEST = tuple(
    f"at://{DID}/app.bsky.feed.post/{rkey}" for rkey in ("3lbqtf000000e", "3lbqta5lnck2c")
)
OLDER = tuple(
    f"at://{DID}/app.bsky.feed.post/{rkey}" for rkey in ("3lbq7zz2aaa2c", "3lbq5xx1aaa2c")
)
CURSOR = "2025-06-01T14:02:01.123Z"  # author_feed.json's


def at_cursor(cursor: str = CURSOR) -> str:
    return f"{feed_path()}&cursor={cursor.replace(':', '%3A')}"


def read_pages(site: FakeSite, pages: int) -> TimelineObservation:
    source = live(BlueskySource(PlatformSettings(base_url=site.url)))
    return source.timeline(Target(PROFILE, "bluesky"), pages)


def listed(site: FakeSite, pages: int) -> Page:
    result = read_pages(site, pages)
    assert isinstance(result, Page), result
    return result


def feed(name: str, **changes: object) -> Reply:
    body = {**json.loads((PAYLOADS / name).read_text()), **changes}
    return Reply(200, json.dumps(body), JSON)


def test_one_page_is_the_single_request_as_before(site: FakeSite) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), payload("author_feed_older.json"))
    assert listed(site, 1).ids == NEWEST
    assert [path for path, _ in site.requests] == [feed_path()]


@pytest.mark.parametrize("pages", [2, 3])
def test_next_page_is_asked_with_the_cursor(site: FakeSite, pages: int) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), payload("author_feed_older.json"))  # no cursor: the last page
    result = listed(site, pages)
    assert result.ids == NEWEST + OLDER
    assert result.account == "@alice.example.com"
    assert [path for path, _ in site.requests] == [feed_path(), at_cursor()]


def test_three_pages_follow_each_cursor(site: FakeSite) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), feed("author_feed_older.json", cursor="2025-05-29T18:45:01.500Z"))
    site.set(at_cursor("2025-05-29T18:45:01.500Z"), payload("author_feed_empty.json"))
    assert listed(site, 3).ids == NEWEST + OLDER
    assert site.hits(FEED) == 3


def test_an_empty_page_ends_the_reading_even_with_a_cursor(site: FakeSite) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), feed("author_feed_empty.json", cursor="2025-05-01T00:00:00.000Z"))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(FEED) == 2


def test_without_a_cursor_there_is_no_next_page(site: FakeSite) -> None:
    site.set(feed_path(), feed("author_feed.json", cursor=None))
    assert listed(site, 3).ids == NEWEST
    assert site.hits(FEED) == 1


def test_a_post_listed_again_keeps_its_first_listing(site: FakeSite) -> None:
    first = json.loads((PAYLOADS / "author_feed.json").read_text())
    older = json.loads((PAYLOADS / "author_feed_older.json").read_text())
    again = first["feed"][2]
    again = {"post": {**again["post"], "likeCount": 99}}  # listed again, counted later
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), feed("author_feed_older.json", feed=[again, *older["feed"]]))
    result = listed(site, 2)
    assert result.ids == NEWEST + OLDER
    assert result.posts[1] == listed(site, 1).posts[1]


def test_a_page_that_only_repeats_ends_the_reading(site: FakeSite) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), feed("author_feed.json", cursor="2025-01-01T00:00:00.000Z"))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(FEED) == 2


@pytest.mark.parametrize(
    "later",
    [
        Reply(500, b'{"error":"InternalServerError"}', JSON),
        payload("error_rate_limited.json", 429, {"retry-after": "30"}),
        payload("author_feed_profile_not_found.json", 400),
        Reply(200, b"<html>oops</html>", {"content-type": "text/html"}),
    ],
)
def test_trouble_on_a_later_page_keeps_the_pages_before(site: FakeSite, later: Reply) -> None:
    site.set(feed_path(), payload("author_feed.json"))
    site.set(at_cursor(), later)
    assert read_pages(site, 3) == read_pages(site, 1)
