"""The `telegram` source: URL recognition and our own embed-widget pages on FakeSite."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

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
    Hidden,
    Observation,
    Post,
    RateLimited,
    Seen,
    Target,
)
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.common import Response
from watcher.sources.telegram import PUBLIC_WEB, TelegramSource, parse_count, post_ref

PAGES = FIXTURES / "telegram"
HTML = {"content-type": "text/html; charset=utf-8"}
URL = "https://t.me/durov/300"
EMBED = "/durov/300?embed=1"


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://t.me/durov/300", ("durov", "300")),
        ("https://t.me/durov/300/", ("durov", "300")),
        ("https://t.me/s/durov/300", ("durov", "300")),
        ("http://t.me/durov/300?single", ("durov", "300")),
        ("https://t.me/durov/300?comment=12", ("durov", "300")),
        ("https://t.me/durov/300?embed=1&mode=tme", ("durov", "300")),
        ("https://telegram.me/topwar_official/70989", ("topwar_official", "70989")),
        ("https://telegram.me/s/K1inUSA/3", ("K1inUSA", "3")),
        ("https://www.t.me/durov/300", ("durov", "300")),
        ("https://telegram.dog/durov/300", ("durov", "300")),
        ("https://T.ME/durov/300", ("durov", "300")),
        ("https://t.me/durov", None),
        ("https://t.me/s/durov", None),
        ("https://t.me/c/1234567890/300", None),  # private channel: members only
        ("https://t.me/joinchat/AbCdEf", None),
        ("https://t.me/+AbCdEfGh", None),
        ("https://t.me/addstickers/Animals", None),
        ("https://t.me/durov/abc", None),
        ("https://t.me/forum_group/12/345", None),  # a topic in a group, not a channel post
        ("https://t.me/1abc/300", None),
        ("https://telegram.org/blog/300", None),
        ("https://example.com/durov/300", None),
        ("ftp://t.me/durov/300", None),
        ("t.me/durov/300", None),
    ],
)
def test_post_ref(url: str, expected: tuple[str, str] | None) -> None:
    assert post_ref(url) == expected
    assert TelegramSource.matches(url) is (expected is not None)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("2", 2),
        ("980", 980),
        ("1,204", 1204),
        ("2.5K", 2500),
        ("37.2K", 37200),
        ("1.2M", 1_200_000),
        ("1.25M", 1_250_000),
        ("3B", 3_000_000_000),
        (" 12k ", 12_000),
        ("", None),
        ("views", None),
        ("...", None),
    ],
)
def test_parse_count(text: str, count: int | None) -> None:
    assert parse_count(text) == count


# --- fetching ---------------------------------------------------------------------------------


def observe(site: FakeSite, reply: Reply, url: str = URL, path: str = EMBED) -> Observation:
    """Fetch `url` with t.me pointed at FakeSite, which answers `path` with `reply`."""
    site.set(path, reply)
    source = live(TelegramSource(PlatformSettings(base_url=site.url + "/")))
    return source.fetch(Target(url, "telegram"))


def page(name: str, status: int = 200) -> Reply:
    return Reply(status, (PAGES / name).read_bytes(), HTML)


def seen(site: FakeSite, name: str, url: str = URL, path: str = EMBED) -> Post:
    result = observe(site, page(name), url, path)
    assert isinstance(result, Seen), result
    return result.post


def test_text_post(site: FakeSite) -> None:
    post = seen(site, "embed_text.html")
    assert post.id == "durov/300"
    assert post.url == "https://t.me/durov/300"
    assert post.text == (
        "Big update today 👍\n\nNew: stories & https://telegram.org/blog\nСпасибо!"
    )
    assert post.author == "Durov's Channel"
    assert post.created_at == datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
    assert (post.title, post.media, post.platform_edited, post.edited_at) == ("", (), False, None)


def test_views_are_metrics_not_content(site: FakeSite) -> None:
    post = seen(site, "embed_text.html")
    assert dict(post.metrics) == {"views": 37200}
    recounted = replace(post, metrics={"views": 40000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_edited_signed_post_with_media(site: FakeSite) -> None:
    post = seen(site, "embed_edited_signed_media.html", "https://t.me/s/durov/301", "/durov/301")
    assert post.platform_edited is True
    assert post.edited_at is None  # the widget says "edited", never when
    assert post.author == "Durov's Channel (Pavel)"
    assert post.text == "Corrected caption: two files"
    # the links to each item, not the CDN URLs, whose tokens change
    assert post.media == ("photo:durov/301", "video:durov/302")
    assert post.metrics["views"] == 1_200_000


SIGNED = ("https://t.me/s/durov/301", "/durov/301")  # the media post: URL, widget path


def test_media_are_seen_at_the_photos_background_and_the_videos_file(site: FakeSite) -> None:
    post = seen(site, "embed_edited_signed_media.html", *SIGNED)
    assert post.media_urls == (
        "https://cdn4.telesco.pe/file/sig1.jpg",
        "https://cdn4.telesco.pe/file/v.mp4?token=sig3",
    )


def test_a_video_without_its_file_is_seen_at_its_thumbnail(site: FakeSite) -> None:
    html = (PAGES / "embed_edited_signed_media.html").read_text(encoding="utf-8")
    html = re.sub(r"<video [^>]*></video>", "", html)
    result = observe(site, Reply(200, html, HTML), *SIGNED)
    assert isinstance(result, Seen), result
    assert result.post.media_urls[1] == "https://cdn4.telesco.pe/file/sig2.jpg"


def test_media_moved_to_another_cdn_with_new_tokens_are_no_edit(site: FakeSite) -> None:
    post = seen(site, "embed_edited_signed_media.html", *SIGNED)
    html = (PAGES / "embed_edited_signed_media.html").read_text(encoding="utf-8")
    html = html.replace("cdn4.telesco.pe", "cdn5.telegram-cdn.org").replace("sig", "new")
    moved = observe(site, Reply(200, html, HTML), *SIGNED)
    assert isinstance(moved, Seen), moved
    assert moved.post.media_urls[0] == "https://cdn5.telegram-cdn.org/file/new1.jpg"
    assert moved.post == post
    assert content_hash(moved.post) == content_hash(post)


def test_poll_counts_and_a_quoted_reply_is_not_the_text(site: FakeSite) -> None:
    post = seen(site, "embed_reply_poll.html", "https://t.me/durov/302", "/durov/302")
    assert post.text == "Which theme?\nDark\nLight"
    assert post.platform_edited is False


def test_request_is_the_embed_widget(site: FakeSite) -> None:
    observe(site, page("embed_text.html"), "https://telegram.me/s/durov/300")
    assert [path for path, _ in site.requests] == [EMBED]


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, page("embed_text.html"))
    assert site.hits(EMBED) == 1


def test_default_base_is_t_me() -> None:
    assert PUBLIC_WEB == "https://t.me"
    assert TelegramSource().base_url(PUBLIC_WEB) == "https://t.me"


def test_non_post_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a public Telegram channel post URL"):
        observe(site, page("embed_text.html"), url="https://t.me/c/1234567890/300")


# --- gone and not gone ------------------------------------------------------------------------


def test_post_not_found_is_gone(site: FakeSite) -> None:
    result = observe(site, page("embed_not_found.html"))
    assert result == Gone("Telegram: Post not found (durov/300)")


def test_other_widget_error_is_hidden(site: FakeSite) -> None:
    result = observe(site, page("embed_other_error.html"))
    assert isinstance(result, Hidden)
    assert "can’t be displayed" in result.reason


def test_page_without_the_widget_is_broken(site: FakeSite) -> None:
    assert isinstance(observe(site, page("channel_page.html")), Broken)


@pytest.mark.parametrize("status", [404, 410])
def test_404_is_not_gone(site: FakeSite, status: int) -> None:
    # The widget reports a missing post with a 200; a 404 comes from something else.
    assert isinstance(observe(site, Reply(status, "<html>no</html>", HTML)), Broken)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>Bad gateway</html>", HTML))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_429_is_rate_limited(site: FakeSite) -> None:
    result = observe(site, Reply(429, "Too Many Requests", {"retry-after": "30"}))
    assert isinstance(result, RateLimited) and result.retry_after == 30.0


def test_403_is_blocked(site: FakeSite) -> None:
    assert isinstance(observe(site, Reply(403, "<html>Forbidden</html>", HTML)), Blocked)


@pytest.mark.parametrize("body", [b"", b"   \n"])
def test_empty_200_is_failed(site: FakeSite, body: bytes) -> None:
    assert isinstance(observe(site, Reply(200, body, HTML)), Failed)


def test_plain_text_200_is_broken(site: FakeSite) -> None:
    assert isinstance(observe(site, Reply(200, "maintenance", {})), Broken)


def test_widget_page_nested_too_deep_is_failed_not_broken(site: FakeSite) -> None:
    # libxml2 would stop at depth 256 and drop the widget below it: never read as "no widget".
    body = "<html><body>" + "<div>" * 300 + (PAGES / "embed_text.html").read_text()
    result = observe(site, Reply(200, body, HTML))
    assert isinstance(result, Failed)
    assert "nests deeper than 256 elements" in result.reason


# --- sans-I/O ---------------------------------------------------------------------------------


def test_flow_asks_the_embed_widget_once() -> None:
    widget = Response(URL, 200, HTML, (PAGES / "embed_text.html").read_bytes())
    result, asked = replayed(
        TelegramSource().observe(Target(URL, "telegram")), {f"{URL}?embed=1": widget}
    )
    assert isinstance(result, Seen) and result.post.id == "durov/300"
    assert [(request.url, dict(request.params)) for request in asked] == [(URL, {"embed": "1"})]


def test_flow_with_a_transport_error_is_failed() -> None:
    flow = TelegramSource().observe(Target(URL, "telegram"))
    result, _ = replayed(flow, {f"{URL}?embed=1": TransportError("connection reset")})
    assert result == Failed("connection reset")
