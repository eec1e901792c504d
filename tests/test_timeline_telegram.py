"""The `telegram` source as an account: channel URLs, the `/s/<channel>` preview page on FakeSite,
and the rule that a post read from the channel page equals the same post read alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import (
    Blocked,
    Broken,
    Failed,
    Hidden,
    Page,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.common import Response
from watcher.sources.telegram import TelegramSource, channel_ref, post_ref

PAGES = FIXTURES / "telegram"
HTML = {"content-type": "text/html; charset=utf-8"}
ACCOUNT = "https://t.me/s/durov"
PREVIEW = "/s/durov"
DUROV = (PAGES / "channel_s_durov.html").read_text()


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "channel"),
    [
        ("https://t.me/s/durov", "durov"),
        ("https://t.me/s/durov/", "durov"),
        ("https://t.me/durov", "durov"),
        ("https://t.me/durov/", "durov"),
        ("http://t.me/durov", "durov"),
        ("https://t.me/s/durov?before=300", "durov"),  # an older page is still the channel
        ("https://telegram.me/s/topwar_official", "topwar_official"),
        ("https://www.t.me/K1inUSA", "K1inUSA"),  # as written: the page answers any case
        ("https://telegram.dog/durov", "durov"),
        ("https://T.ME/s/durov", "durov"),
        # posts are not accounts
        ("https://t.me/durov/300", None),
        ("https://t.me/s/durov/300", None),
        ("https://t.me/durov/300?single", None),
        # Telegram's own pages and links that are not public channels
        ("https://t.me/joinchat/AbCdEf", None),
        ("https://t.me/joinchat", None),
        ("https://t.me/addstickers/Animals", None),
        ("https://t.me/share/url", None),
        ("https://t.me/share", None),
        ("https://t.me/proxy", None),
        ("https://t.me/c/1234567890", None),
        ("https://t.me/+AbCdEfGh", None),
        ("https://t.me/s", None),
        ("https://t.me/s/", None),
        ("https://t.me/", None),
        ("https://t.me/abc", None),  # too short for a username
        ("https://t.me/1abc2", None),
        ("https://telegram.org/durov", None),
        ("https://example.com/s/durov", None),
        ("t.me/durov", None),
    ],
)
def test_channel_ref(url: str, channel: str | None) -> None:
    assert channel_ref(url) == channel
    assert TelegramSource.account_ref(url) == channel
    if channel is not None:  # an account URL is never taken for a post
        assert post_ref(url) is None
        assert not TelegramSource.matches(url)


# --- reading the preview page -----------------------------------------------------------------


def timeline(site: FakeSite, reply: Reply, url: str = ACCOUNT) -> TimelineObservation:
    """Read `url`'s timeline with t.me pointed at FakeSite, which answers `/s/durov`."""
    site.set(PREVIEW, reply)
    source = live(TelegramSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(url, "telegram"))


def page(site: FakeSite, body: str = DUROV, url: str = ACCOUNT) -> Page:
    result = timeline(site, Reply(200, body, HTML), url)
    assert isinstance(result, Page), result
    return result


def test_page_is_newest_first(site: FakeSite) -> None:
    result = page(site)
    assert result.ids == ("durov/303", "durov/302", "durov/301", "durov/300")
    assert result.account == "@durov"
    # Only the preview page was asked for, at the configured base URL, without paging.
    assert [path for path, _ in site.requests] == [PREVIEW]


def test_contact_url_reads_the_preview_page(site: FakeSite) -> None:
    assert page(site, url="https://t.me/durov").ids[0] == "durov/303"


def test_forwarded_message_is_the_channels_own_post(site: FakeSite) -> None:
    forwarded = page(site).posts[0]
    assert forwarded.id == "durov/303"
    assert forwarded.url == "https://t.me/durov/303"
    assert forwarded.text == "Forwarded: 通知 — new features"
    assert forwarded.author == "Durov's Channel"
    assert forwarded.created_at == datetime(2025, 6, 3, 8, 30, tzinfo=UTC)
    assert dict(forwarded.metrics) == {"views": 5}


def test_no_posts_found_is_an_empty_page(site: FakeSite) -> None:
    body = (PAGES / "channel_s_empty.html").read_text()
    assert page(site, body) == Page((), "@durov")


def test_channel_without_preview_redirects_to_contact_page_hidden(site: FakeSite) -> None:
    site.set("/durov", Reply(200, (PAGES / "channel_page.html").read_bytes(), HTML))
    result = timeline(site, Reply(302, "", {"location": "/durov"}))
    assert isinstance(result, Hidden), result
    assert "@durov" in result.reason


def test_page_of_another_shape_is_broken(site: FakeSite) -> None:
    result = timeline(site, Reply(200, "<html><body><p>Hello</p></body></html>", HTML))
    assert isinstance(result, Broken), result


def test_message_without_id_is_broken_not_skipped(site: FakeSite) -> None:
    result = timeline(site, Reply(200, DUROV.replace(' data-post="durov/302"', ""), HTML))
    assert isinstance(result, Broken), result
    assert "data-post" in result.reason


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(404, "Not Found"), Broken),  # t.me redirects unknown channels: not its answer
        (Reply(410, "Gone"), Broken),
        (Reply(429, "slow down", {"Retry-After": "30"}), RateLimited),
        (Reply(403, "Forbidden"), Blocked),
        (Reply(502, "Bad Gateway"), Failed),
        (Reply(503, "busy"), Failed),
        (Reply(200, "   ", HTML), Failed),  # an empty body is no page at all
    ],
)
def test_refusals(site: FakeSite, reply: Reply, kind: type[TimelineObservation]) -> None:
    assert isinstance(timeline(site, reply), kind)


def test_rate_limit_keeps_retry_after(site: FakeSite) -> None:
    result = timeline(site, Reply(429, "slow down", {"Retry-After": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


def test_post_url_is_not_an_account() -> None:
    with pytest.raises(UsageError, match="not a public Telegram channel URL"):
        live(TelegramSource()).timeline(Target("https://t.me/durov/300", "telegram"))


# --- a post from the page is the post read alone ----------------------------------------------


@pytest.mark.parametrize(
    ("ident", "embed"),
    [
        ("300", "embed_text.html"),
        ("301", "embed_edited_signed_media.html"),
        ("302", "embed_reply_poll.html"),
    ],
)
def test_post_from_timeline_equals_post_from_fetch(site: FakeSite, ident: str, embed: str) -> None:
    site.set(PREVIEW, Reply(200, DUROV, HTML))
    site.set(f"/durov/{ident}", Reply(200, (PAGES / embed).read_bytes(), HTML))
    source = live(TelegramSource(PlatformSettings(base_url=site.url)))
    listed = source.timeline(Target(ACCOUNT, "telegram"))
    alone = source.fetch(Target(f"https://t.me/durov/{ident}", "telegram"))
    assert isinstance(listed, Page), listed
    assert isinstance(alone, Seen), alone
    from_page = {post.id: post for post in listed.posts}[f"durov/{ident}"]
    assert from_page == alone.post
    assert content_hash(from_page) == content_hash(alone.post)
    assert from_page.media_urls == alone.post.media_urls  # nor do media URLs
    assert dict(from_page.metrics) == dict(alone.post.metrics)  # metrics do not take part in ==


# --- deeper pages: ?before=<smallest id listed> -------------------------------------------------

NEWEST = ("durov/303", "durov/302", "durov/301", "durov/300")
OLDER = ("durov/299", "durov/298")
BEFORE_300 = (PAGES / "channel_s_durov_before_300.html").read_text()


def read_pages(site: FakeSite, pages: int) -> TimelineObservation:
    source = live(TelegramSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(ACCOUNT, "telegram"), pages)


def listed(site: FakeSite, pages: int) -> Page:
    result = read_pages(site, pages)
    assert isinstance(result, Page), result
    return result


def html(body: str) -> Reply:
    return Reply(200, body, HTML)


def test_one_page_is_the_single_request_as_before(site: FakeSite) -> None:
    site.set(PREVIEW, html(DUROV))
    site.set(f"{PREVIEW}?before=300", html(BEFORE_300))
    assert listed(site, 1).ids == NEWEST
    assert [path for path, _ in site.requests] == [PREVIEW]


@pytest.mark.parametrize("pages", [2, 3])
def test_next_page_is_before_the_smallest_id_listed(site: FakeSite, pages: int) -> None:
    site.set(PREVIEW, html(DUROV))
    site.set(f"{PREVIEW}?before=300", html(BEFORE_300))
    site.set(f"{PREVIEW}?before=298", html((PAGES / "channel_s_empty.html").read_text()))
    result = listed(site, pages)
    assert result.ids == NEWEST + OLDER
    assert result.account == "@durov"
    asked = [f"{PREVIEW}?before=300", f"{PREVIEW}?before=298"][: pages - 1]
    assert [path for path, _ in site.requests] == [PREVIEW, *asked]


def test_a_page_with_nothing_older_ends_the_reading(site: FakeSite) -> None:
    # Unrouted `?before=300` falls back to the first page itself: nothing older than 300.
    site.set(PREVIEW, html(DUROV))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(PREVIEW) == 2


def test_a_post_listed_again_keeps_its_first_listing(site: FakeSite) -> None:
    shifted = BEFORE_300.replace("durov/298", "durov/300")  # lists 299 and 300 again
    site.set(PREVIEW, html(DUROV))
    site.set(f"{PREVIEW}?before=300", html(shifted))
    result = listed(site, 2)
    assert result.ids == (*NEWEST, "durov/299")
    assert result.posts[3] == listed(site, 1).posts[3]


@pytest.mark.parametrize(
    "later",
    [
        Reply(500, "Internal Server Error"),
        Reply(429, "slow down", {"Retry-After": "30"}),
        Reply(404, "Not Found"),
        Reply(302, "", {"location": "/durov"}),  # the contact page: no preview
        Reply(200, "   ", HTML),
    ],
)
def test_trouble_on_a_later_page_keeps_the_pages_before(site: FakeSite, later: Reply) -> None:
    site.set(PREVIEW, html(DUROV))
    site.set("/durov", Reply(200, (PAGES / "channel_page.html").read_bytes(), HTML))
    site.set(f"{PREVIEW}?before=300", later)
    assert read_pages(site, 3) == read_pages(site, 1)


# --- sans-I/O: the paging flow, answered with no server -----------------------------------------


def recorded(body: str) -> Response:
    return Response("https://t.me/s/durov", 200, HTML, body.encode())


def test_flow_reads_each_page_before_the_smallest_id_then_stops_at_trouble() -> None:
    answers: dict[str, Response | FetchError] = {
        "https://t.me/s/durov": recorded(DUROV),
        "https://t.me/s/durov?before=300": recorded(BEFORE_300),
        "https://t.me/s/durov?before=298": TransportError("connection reset"),
    }
    result, asked = replayed(TelegramSource().timeline(Target(ACCOUNT, "telegram"), 5), answers)
    assert isinstance(result, Page) and result.ids == NEWEST + OLDER
    assert [request_key(request) for request in asked] == list(answers)


def test_flow_with_a_transport_error_on_the_first_page_is_failed() -> None:
    answers = {"https://t.me/s/durov": TransportError("timed out")}
    result, asked = replayed(TelegramSource().timeline(Target(ACCOUNT, "telegram"), 3), answers)
    assert result == Failed("timed out") and len(asked) == 1
