"""The `feed` source as an account: a whole feed (no --field) read as a timeline on FakeSite,
newest first, with each item's Post equal to the one a single-item watch of it gets."""

from __future__ import annotations

import logging
import re

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed
from tests.server import FakeSite, Reply
from watcher.errors import TransportError, UsageError
from watcher.model import (
    Blocked,
    Broken,
    Failed,
    Gone,
    Page,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.common import Response
from watcher.sources.feed import FeedSource

PAYLOADS = FIXTURES / "feed"
RSS_TYPE = {"content-type": "application/rss+xml; charset=utf-8"}
FEED_URL = "https://blog.example/feed/"
PATH = "/feed/"


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text()


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "account"),
    [
        ("https://blog.example/feed/", "https://blog.example/feed/"),
        ("https://blog.example/atom.xml", "https://blog.example/atom.xml"),
        ("https://mastodon.social/@Gargron.rss", "https://mastodon.social/@Gargron.rss"),
        (
            "https://www.youtube.com/feeds/videos.xml?channel_id=UC123",
            "https://www.youtube.com/feeds/videos.xml?channel_id=UC123",
        ),
        ("https://blog.example/", None),
        ("https://blog.example/2025/06/third", None),  # an item's page is not a feed
        ("https://mastodon.social/@Gargron/109318821117356215", None),
        ("ftp://blog.example/feed/", None),
    ],
)
def test_account_ref_is_the_feed_itself(url: str, account: str | None) -> None:
    assert FeedSource.account_ref(url) == account


def test_item_watch_still_needs_its_field() -> None:
    # Without --field the feed is an account (read by `timeline`); an item watch needs one.
    with pytest.raises(UsageError, match="--field ITEM"):
        FeedSource().validate(Target(FEED_URL, "feed"))


# --- reading the feed -------------------------------------------------------------------------


def timeline(site: FakeSite, reply: Reply, url: str = FEED_URL) -> TimelineObservation:
    """The timeline of `url` (no --field), with its host pointed at FakeSite answering PATH."""
    site.set(PATH, reply)
    source = live(FeedSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(url, "feed"))


def page(site: FakeSite, body: str) -> Page:
    result = timeline(site, Reply(200, body, RSS_TYPE))
    assert isinstance(result, Page), result
    return result


def test_rss_feed_newest_first(site: FakeSite) -> None:
    result = page(site, payload("blog.rss"))
    assert result.ids == ("post-3", "post-2", "https://blog.example/2025/05/first")
    assert result.account == "Field Notes"
    assert [post.title for post in result.posts] == ["Third & last", "Second", "First"]


def test_atom_feed_newest_first(site: FakeSite) -> None:
    result = page(site, payload("blog.atom"))
    assert result.ids == (
        "tag:blog.example,2025:edited",
        "tag:blog.example,2025:guest",
        "tag:blog.example,2025:old",
    )
    assert result.account == "Field Notes"


def test_rdf_feed(site: FakeSite) -> None:
    result = page(site, payload("rdf.xml"))
    assert (result.ids, result.account) == (("https://news.example/a",), "News")


def test_dated_items_are_sorted_newest_first_ties_in_document_order(site: FakeSite) -> None:
    result = page(site, payload("oldest_first.rss"))
    # v1.1 (12:00 +0200) and v1.1.1 (10:00 GMT) are the same instant: document order decides.
    assert result.ids == ("rel-1.1", "rel-1.1.1", "rel-1.0.1", "rel-1.0")
    assert result.account == "Changelog & Notes"


def test_undated_item_keeps_document_order(site: FakeSite) -> None:
    result = page(site, payload("undated.rss"))
    assert result.ids == (
        "https://undated.example/c",
        "https://undated.example/a",
        "https://undated.example/b",
    )


def test_items_a_watch_could_not_find_are_left_out_and_logged(
    site: FakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="watcher.sources.feed"):
        result = page(site, payload("odd_items.rss"))
    assert result.ids == ("odd-1", "odd-5")
    assert [post.title for post in result.posts] == ["Kept", "Also kept"]
    notes = [record.getMessage() for record in caplog.records]
    assert sum("named like an earlier one" in note for note in notes) == 2
    assert sum("without guid/id or link" in note for note in notes) == 1


def test_feed_without_items_is_an_empty_page(site: FakeSite) -> None:
    assert page(site, payload("empty.atom")) == Page((), "Nothing yet")


def test_feed_without_title_is_named_by_its_url(site: FakeSite) -> None:
    body = payload("blog.rss").replace("<title>Field Notes</title>", "")
    assert page(site, body).account == FEED_URL


def test_base_url_keeps_path_and_query(site: FakeSite) -> None:
    url = "https://www.youtube.com/feeds/videos.xml?channel_id=UC123"
    site.set("/feeds/videos.xml", Reply(200, payload("blog.atom"), RSS_TYPE))
    source = live(FeedSource(PlatformSettings(base_url=site.url)))
    assert isinstance(source.timeline(Target(url, "feed")), Page)
    assert [path for path, _ in site.requests] == ["/feeds/videos.xml?channel_id=UC123"]


# --- refusals and bad bodies ------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_feed_gone_is_broken_not_a_gone_account(site: FakeSite, status: int) -> None:
    # A feed URL that vanished has usually moved: someone must fix it; nothing was deleted.
    result = timeline(site, Reply(status, "<h1>Not Found</h1>"))
    assert isinstance(result, Broken), result
    assert f"HTTP {status}" in result.reason


def test_429_is_rate_limited(site: FakeSite) -> None:
    result = timeline(site, Reply(429, "slow down", {"Retry-After": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


@pytest.mark.parametrize(
    ("status", "kind"), [(401, Blocked), (403, Blocked), (500, Failed), (503, Failed)]
)
def test_other_refusals(site: FakeSite, status: int, kind: type[TimelineObservation]) -> None:
    assert isinstance(timeline(site, Reply(status, "no")), kind)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body><p>Are you a robot?<br></body></html>", "not XML"),
        (b"", "not XML"),
        ((PAYLOADS / "not_a_feed.xml").read_bytes(), "not an RSS or Atom feed"),
    ],
)
def test_body_that_is_not_a_feed_is_failed(site: FakeSite, body: bytes, words: str) -> None:
    result = timeline(site, Reply(200, body, RSS_TYPE))
    assert isinstance(result, Failed), result
    assert words in result.reason


# --- a post from the timeline is the post a single-item watch gets ----------------------------


@pytest.mark.parametrize(
    "name", ["blog.rss", "blog.atom", "rdf.xml", "oldest_first.rss", "undated.rss", "odd_items.rss"]
)
def test_post_from_timeline_equals_post_from_fetch(site: FakeSite, name: str) -> None:
    site.set(PATH, Reply(200, payload(name), RSS_TYPE))
    source = live(FeedSource(PlatformSettings(base_url=site.url)))
    listed = source.timeline(Target(FEED_URL, "feed"))
    assert isinstance(listed, Page), listed
    for post in listed.posts:
        # By its id (what the account watch stores) and by its link where it has one.
        for name_it_by in {post.id, post.url} - {""}:
            alone = source.fetch(Target(FEED_URL, "feed", field=name_it_by))
            assert isinstance(alone, Seen), (name_it_by, alone)
            assert alone.post == post, name_it_by
            assert content_hash(alone.post) == content_hash(post)


# --- sans-I/O ---------------------------------------------------------------------------------


def test_an_item_gone_from_the_middle_after_a_timeline_read_is_gone_at_once() -> None:
    source = FeedSource()
    listed = Response(FEED_URL, 200, RSS_TYPE, payload("blog.rss").encode())
    page, asked = replayed(source.timeline(Target(FEED_URL, "feed")), {FEED_URL: listed})
    assert isinstance(page, Page) and len(asked) == 1
    body = re.sub(
        r"\s*<item>(?:(?!</item>).)*>post-2</guid>.*?</item>", "", payload("blog.rss"), flags=re.S
    )
    vanished = Response(FEED_URL, 200, RSS_TYPE, body.encode())
    target = source.post_target(Target(FEED_URL, "feed"), page.posts[1])
    assert target.field == "post-2"
    result, _ = replayed(source.observe(target), {FEED_URL: vanished})
    assert isinstance(result, Gone)


def test_timeline_flow_with_a_transport_error_is_failed() -> None:
    flow = FeedSource().timeline(Target(FEED_URL, "feed"))
    result, _ = replayed(flow, {FEED_URL: TransportError("timed out")})
    assert result == Failed("timed out")
