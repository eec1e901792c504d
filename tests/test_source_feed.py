"""The `feed` source: URL recognition, our own RSS/Atom payloads on FakeSite, and when a missing
item counts as deleted (only with older items still listed) versus aged out (never a deletion)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.live import Live, live, replayed
from tests.server import FakeSite, Reply
from tests.test_conformance import recorded_reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import (
    Blocked,
    Broken,
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
from watcher.sources import platform_for
from watcher.sources.common import Response
from watcher.sources.feed import FeedSource, Sightings, looks_like_feed, missing, parse_feed
from watcher.sources.mastodon import MastodonSource

PAYLOADS = FIXTURES / "feed"
RSS_TYPE = {"content-type": "application/rss+xml; charset=utf-8"}
ATOM_TYPE = {"content-type": "application/atom+xml; charset=utf-8"}
FEED_URL = "https://blog.example/feed/"
PATH = "/feed/"
RSS = (PAYLOADS / "blog.rss").read_text()
ATOM = (PAYLOADS / "blog.atom").read_text()


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://blog.example/feed", True),
        ("https://blog.example/feed/", True),
        ("https://blog.example/feed/atom/", True),
        ("https://blog.example/comments/feed/", True),
        ("https://blog.example/rss", True),
        ("https://blog.example/atom.xml", True),
        ("https://blog.example/index.xml", True),
        ("https://blog.example/rss.xml", True),
        ("https://blog.example/feed.xml", True),
        ("https://blog.example/feeds/posts.xml", True),
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UC123", True),
        ("https://mastodon.social/@Gargron.rss", True),
        ("https://mastodon.social/tags/python.rss", True),
        ("https://www.reddit.com/r/python/.rss", True),
        ("https://blog.example/posts.atom", True),
        ("https://blog.example/FEED/", True),
        ("https://blog.example/", False),
        ("https://blog.example/feedback", False),
        ("https://blog.example/feeding-cats.xml", False),
        ("https://blog.example/sitemap.xml", False),
        ("https://blog.example/rss-guide.html", False),
        ("https://blog.example/feed/2025/06/third", False),
        ("https://api.example.com/v1/items.json", False),
        ("https://mastodon.social/@Gargron/109318821117356215", False),
        ("ftp://blog.example/feed/", False),
        ("/feed/", False),
    ],
)
def test_looks_like_feed(url: str, expected: bool) -> None:
    assert looks_like_feed(url) is expected
    assert FeedSource.matches(url) is expected


def test_registry_picks_feed_for_feed_urls() -> None:
    assert platform_for("https://blog.example/feed/") == "feed"
    assert platform_for("https://blog.example/post/1") == "web"


@pytest.mark.parametrize("field", ["", "   "])
def test_feed_watch_needs_an_item(field: str) -> None:
    with pytest.raises(UsageError, match="--field ITEM") as info:
        FeedSource().validate(Target(FEED_URL, "feed", field=field))
    assert "\n" not in str(info.value)


# --- fetching ---------------------------------------------------------------------------------


def source_for(site: FakeSite) -> Live:
    return live(FeedSource(PlatformSettings(base_url=site.url + "/")))


def observe(site: FakeSite, reply: Reply, item: str, url: str = FEED_URL) -> Observation:
    site.set(PATH, reply)
    return source_for(site).fetch(Target(url, "feed", field=item))


def seen(site: FakeSite, body: str, item: str, headers: dict[str, str] = RSS_TYPE) -> Post:
    result = observe(site, Reply(200, body, headers), item)
    assert isinstance(result, Seen), result
    return result.post


def test_rss_item_prefers_full_content(site: FakeSite) -> None:
    post = seen(site, RSS, "post-3")
    assert post.id == "post-3"
    assert post.url == "https://blog.example/2025/06/third"
    assert post.title == "Third & last"
    assert post.text == "Full text of the third post.\n\n莫言说：第二段。"
    assert post.author == "Ann Writer"
    assert post.created_at == datetime(2025, 6, 1, 6, 2, tzinfo=UTC)  # +0800 to UTC
    assert (post.edited_at, post.platform_edited, post.media) == (None, False, ())


def test_rss_item_found_by_link_or_guid(site: FakeSite) -> None:
    by_link = seen(site, RSS, "https://blog.example/2025/05/second")
    by_guid = seen(site, RSS, " post-2 ")
    assert by_link == by_guid
    assert by_link.text == "Escaped HTML body"  # escaped HTML description → text
    assert by_link.author == "Ann Writer"  # "email (Name)"


def test_rss_permalink_guid_is_the_url(site: FakeSite) -> None:
    post = seen(site, RSS, "https://blog.example/2025/05/first")
    assert (post.id, post.url, post.text) == (
        "https://blog.example/2025/05/first",
        "https://blog.example/2025/05/first",
        "Plain text body",
    )


def test_atom_entry_edited_with_xhtml_content(site: FakeSite) -> None:
    post = seen(site, ATOM, "https://blog.example/2025/06/edited", ATOM_TYPE)
    assert post.id == "tag:blog.example,2025:edited"
    assert post.url == "https://blog.example/2025/06/edited"  # the alternate, not replies
    assert post.title == "Edited entry"
    assert post.text == "First paragraph.\n\nSecond bold one."
    assert post.author == "Ann Writer"  # inherited from the feed
    assert post.created_at == datetime(2025, 6, 1, 6, 2, tzinfo=UTC)
    assert post.edited_at == datetime(2025, 6, 2, 7, 0, tzinfo=UTC)
    assert post.platform_edited is True


def test_atom_entry_html_content_and_own_author(site: FakeSite) -> None:
    post = seen(site, ATOM, "tag:blog.example,2025:guest", ATOM_TYPE)
    assert (post.text, post.author, post.edited_at) == ("Hello & welcome", "Bob Guest", None)


def test_atom_entry_text_summary_and_no_published(site: FakeSite) -> None:
    post = seen(site, ATOM, "tag:blog.example,2025:old", ATOM_TYPE)
    assert post.text == "Plain <not a tag> text"  # type=text is never read as HTML
    assert post.created_at == datetime(2025, 5, 1, 10, 0, tzinfo=UTC)  # `updated` stands in
    assert post.platform_edited is False


MEDIA_RSS = (PAYLOADS / "media.rss").read_text()


def test_rss_images_are_seen_at_their_enclosures_and_media_content(site: FakeSite) -> None:
    post = seen(site, MEDIA_RSS, "photo-2")
    # Image enclosures, then Media RSS images (also in a group); audio, video and a
    # javascript: address are left out, and an image listed twice is listed once.
    assert post.media_urls == (
        "https://cdn.photos.example/harbour.jpg",
        "https://cdn.photos.example/gull.webp",
        "https://cdn.photos.example/gull-small.webp",
    )
    assert post.media == ()  # a feed names no media ids: the pictures are not content
    assert seen(site, MEDIA_RSS, "photo-1").media_urls == ()


def test_feed_images_moved_to_another_host_are_no_edit(site: FakeSite) -> None:
    post = seen(site, MEDIA_RSS, "photo-2")
    moved = seen(site, MEDIA_RSS.replace("cdn.photos.example", "img.cdn.example"), "photo-2")
    assert moved.media_urls[0] == "https://img.cdn.example/harbour.jpg"
    assert moved == post
    assert content_hash(moved) == content_hash(post)


def test_atom_images_are_seen_at_their_image_enclosures(site: FakeSite) -> None:
    enclosures = (
        '<link rel="enclosure" type="image/png" href="https://blog.example/chart.png"/>'
        '<link rel="enclosure" type="application/pdf" href="https://blog.example/paper.pdf"/>'
        '<link rel="alternate" type="image/png" href="https://blog.example/not-an-enclosure.png"/>'
    )
    atom = ATOM.replace(
        "<id>tag:blog.example,2025:guest</id>", f"{enclosures}<id>tag:blog.example,2025:guest</id>"
    )
    post = seen(site, atom, "tag:blog.example,2025:guest", ATOM_TYPE)
    assert post.media_urls == ("https://blog.example/chart.png",)


def test_rss_1_0_rdf_item(site: FakeSite) -> None:
    post = seen(site, (PAYLOADS / "rdf.xml").read_text(), "https://news.example/a")
    assert (post.id, post.title, post.text, post.author) == (
        "https://news.example/a",
        "Item A",
        "Body of A",
        "Carol",
    )
    assert post.created_at == datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def test_base_url_override_keeps_path_and_query(site: FakeSite) -> None:
    site.set("/feeds/videos.xml", Reply(200, RSS, RSS_TYPE))
    url = "https://www.youtube.com/feeds/videos.xml?channel_id=UC123"
    result = source_for(site).fetch(Target(url, "feed", field="post-3"))
    assert isinstance(result, Seen)
    assert site.requests[-1][0] == "/feeds/videos.xml?channel_id=UC123"


def test_feed_url_itself_is_fetched_without_base_url(site: FakeSite) -> None:
    site.set(PATH, Reply(200, RSS, RSS_TYPE))
    result = live(FeedSource()).fetch(Target(site.url + PATH, "feed", field="post-3"))
    assert isinstance(result, Seen)
    assert site.hits(PATH) == 1


# --- missing items: deleted or aged out ---------------------------------------------------------


def without(feed: str, *items: str) -> str:
    """The RSS feed without the items whose guid is in `items`."""
    for guid in items:
        feed = re.sub(rf"\s*<item>(?:(?!</item>).)*>{guid}</guid>.*?</item>", "", feed, flags=re.S)
    return feed


def newer_item(guid: str) -> str:
    return (
        f"<item><title>New</title><guid isPermaLink='false'>{guid}</guid>"
        "<pubDate>Mon, 02 Jun 2025 00:00:00 GMT</pubDate><description>x</description></item>"
    )


def with_new(feed: str, *guids: str) -> str:
    return feed.replace("<item>", "".join(newer_item(g) for g in guids) + "<item>", 1)


def sequence(
    site: FakeSite, item: str, *bodies: str, headers: dict[str, str] = RSS_TYPE
) -> list[Observation]:
    """Check `item` once per body, with one source (its memory carries over between checks)."""
    results = []
    source = source_for(site)
    for body in bodies:
        site.set(PATH, Reply(200, body, headers))
        results.append(source.fetch(Target(FEED_URL, "feed", field=item)))
    return results


def test_item_removed_while_older_items_remain_is_gone(site: FakeSite) -> None:
    first, second, third = sequence(site, "post-2", RSS, without(RSS, "post-2"), RSS)
    assert isinstance(first, Seen)
    assert second == Gone("no longer in the feed, though older items are")
    assert isinstance(third, Seen)  # put back: seen again (detect calls it restored)


def test_item_that_aged_out_is_hidden_not_gone(site: FakeSite) -> None:
    aged = with_new(without(RSS, "post-2", "https://blog.example/2025/05/first"), "n1", "n2")
    first, second = sequence(site, "post-2", RSS, aged)
    assert isinstance(first, Seen)
    assert isinstance(second, Hidden)
    assert "feed window" in second.reason


def test_oldest_item_missing_is_hidden(site: FakeSite) -> None:
    oldest = "https://blog.example/2025/05/first"
    _, second = sequence(site, oldest, RSS, without(RSS, oldest))
    assert isinstance(second, Hidden)


def test_item_never_seen_by_this_process_is_hidden(site: FakeSite) -> None:
    result = observe(site, Reply(200, without(RSS, "post-2"), RSS_TYPE), "post-2")
    assert isinstance(result, Hidden)
    assert "not in the feed (2 items)" in result.reason


def test_item_without_dates_is_never_gone(site: FakeSite) -> None:
    undated = re.sub(r"<pubDate>.*?</pubDate>", "", RSS)
    _, second = sequence(site, "post-2", undated, without(undated, "post-2"))
    assert isinstance(second, Hidden)


def test_successor_bumped_newer_is_not_proof(site: FakeSite) -> None:
    # A feed ordered by `updated`: the older guest entry was updated after the watched entry's
    # publication, so the watched entry may have aged out below it. Not a deletion.
    bumped = ATOM.replace(
        "<updated>2025-05-20T10:00:00Z</updated>", "<updated>2025-06-05T10:00:00Z</updated>"
    )
    gone = re.sub(r"\s*<entry>(?:(?!</entry>).)*edited</id>.*?</entry>", "", bumped, flags=re.S)
    gone = re.sub(r"\s*<entry>(?:(?!</entry>).)*:old</id>.*?</entry>", "", gone, flags=re.S)
    item = "tag:blog.example,2025:edited"
    first, second = sequence(site, item, bumped, gone, headers=ATOM_TYPE)
    assert isinstance(first, Seen)
    assert isinstance(second, Hidden)


def test_memory_is_per_watch(site: FakeSite) -> None:
    source = source_for(site)
    site.set(PATH, Reply(200, RSS, RSS_TYPE))
    source.fetch(Target(FEED_URL, "feed", field="post-3"))
    site.set(PATH, Reply(200, without(RSS, "post-2"), RSS_TYPE))
    result = source.fetch(Target(FEED_URL, "feed", field="post-2"))
    assert isinstance(result, Hidden)  # post-2 itself was never seen


# --- refusals and bad bodies ------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_feed_gone_is_broken_not_gone(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<h1>Not Found</h1>"), "post-3")
    assert isinstance(result, Broken)
    assert f"HTTP {status}" in result.reason


def test_429_is_rate_limited(site: FakeSite) -> None:
    result = observe(site, Reply(429, "slow down", {"Retry-After": "30"}), "post-3")
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


@pytest.mark.parametrize(("status", "kind"), [(403, Blocked), (401, Blocked), (503, Failed)])
def test_other_refusals(site: FakeSite, status: int, kind: type[Observation]) -> None:
    assert isinstance(observe(site, Reply(status, "no"), "post-3"), kind)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html><body><p>Are you a robot?<br></body></html>", "not XML"),
        (b"", "not XML"),
        ((PAYLOADS / "not_a_feed.xml").read_bytes(), "not an RSS or Atom feed"),
    ],
)
def test_body_that_is_not_a_feed_is_failed(site: FakeSite, body: bytes, words: str) -> None:
    result = observe(site, Reply(200, body, RSS_TYPE), "post-3")
    assert isinstance(result, Failed)
    assert words in result.reason


def test_external_entities_are_not_resolved(site: FakeSite) -> None:
    body = RSS.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ).replace("Plain text body", "&xxe;")
    post = seen(site, body, "https://blog.example/2025/05/first")
    assert post.text == "&xxe;"  # left as the reference, never read from disk


def test_billion_laughs_does_not_expand(site: FakeSite) -> None:
    lol = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = RSS.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{lol}]>',
    ).replace("Plain text body", "&l9;")
    result = observe(site, Reply(200, body, RSS_TYPE), "https://blog.example/2025/05/first")
    assert isinstance(result, Failed)  # libxml2 refuses the amplification outright
    assert "amplification" in result.reason


# --- the shared recordings, until conformance Cases can name the item ---------------------------


def test_rss_sample_item_without_title_or_link() -> None:
    items = parse_feed(recorded_reply("rss", "rss2_sample.xml").encoded())
    assert len(items) == 4
    post = items[1].post  # the spec sample's item 2: a permalink guid stands in for the link
    assert (post.title, post.id, post.url) == (
        "",
        post.url,
        "http://liftoff.msfc.nasa.gov/2003/05/30.html#item572",
    )
    assert post.text.startswith("Sky watchers in Europe") and post.text.endswith("May 31st.")


# --- sans-I/O: checks answered with no server -------------------------------------------------


def check(source: FeedSource, body: str | FetchError, item: str) -> Observation:
    """One check of `item` with the feed answered by `body`, no server."""
    answer = (
        body if isinstance(body, FetchError) else Response(FEED_URL, 200, RSS_TYPE, body.encode())
    )
    result, asked = replayed(
        source.observe(Target(FEED_URL, "feed", field=item)), {FEED_URL: answer}
    )
    assert [request.url for request in asked] == [FEED_URL]
    return result


def test_flows_share_the_sources_memory_of_the_item() -> None:
    source = FeedSource()
    assert isinstance(check(source, RSS, "post-2"), Seen)
    assert isinstance(check(source, TransportError("reset"), "post-2"), Failed)
    assert check(source, without(RSS, "post-2"), "post-2") == Gone(
        "no longer in the feed, though older items are"
    )


def test_a_forgotten_sighting_is_hidden_never_gone() -> None:
    sightings = Sightings(size=1)
    items = parse_feed(RSS.encode())
    sightings.remember((FEED_URL, "post-2"), items[1], items[2:])
    sightings.remember((FEED_URL, "post-3"), items[0], items[1:])  # evicts post-2's
    assert sightings.last((FEED_URL, "post-2")) is None
    assert isinstance(missing(sightings.last((FEED_URL, "post-2")), items[2:]), Hidden)


def test_a_feed_url_mastodon_could_also_claim_is_the_feed() -> None:
    # /users/rss is also the path of a Mastodon account named "rss".
    assert MastodonSource.account_ref("https://social.example/users/rss") is not None
    assert platform_for("https://social.example/users/rss") == "feed"
    assert FeedSource.priority < MastodonSource.priority
