"""The `web` source against generated pages served by the local FakeSite."""

from __future__ import annotations

import resource
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
    Observation,
    Post,
    RateLimited,
    Seen,
    Target,
)
from watcher.normalize import MAX_HTML_DEPTH, parse_time
from watcher.settings import HttpSettings, PlatformSettings
from watcher.sources import SOURCES, platform_for
from watcher.sources.common import Response
from watcher.sources.web import WebSource, validate_selector

HTML = {"content-type": "text/html; charset=utf-8"}
PAGES = FIXTURES / "web"


def observe(
    site: FakeSite, reply: Reply, selector: str = "", settings: PlatformSettings | None = None
) -> Observation:
    site.set("/page", reply)
    return live(WebSource(settings)).fetch(Target(site.url + "/page", "web", selector=selector))


def seen(site: FakeSite, reply: Reply, selector: str = "") -> Post:
    result = observe(site, reply, selector)
    assert isinstance(result, Seen), result
    return result.post


def page(name: str) -> Reply:
    return Reply(body=(PAGES / name).read_bytes(), headers=HTML)


# --- main content -----------------------------------------------------------------------------


def test_article_text_without_page_furniture(site: FakeSite) -> None:
    post = seen(site, page("article.html"))
    assert post.text == (
        "Release notes\n\nby Ann\n\n"  # the article's own header stays
        "Version 2.0 is out.\n\n"
        "It has faster checks and fewer bugs."
    )


@pytest.mark.parametrize(
    "junk",
    ["SITE HEADER", "NAV LINK", "HIDDEN ICON", "FORM LABEL", "ASIDE", "SCRIPT", "FOOTER", "color"],
)
def test_article_drops(site: FakeSite, junk: str) -> None:
    assert junk not in seen(site, page("article.html")).text


def test_page_metadata(site: FakeSite) -> None:
    post = seen(site, page("article.html"))
    assert post.id == site.url + "/page"
    assert post.url == site.url + "/page"
    assert post.title == "Release notes for 2.0"  # og:title beats <title>
    assert post.author == "Ann Example"
    assert post.created_at == datetime(2025, 6, 1, 6, 2, tzinfo=UTC)
    assert post.edited_at == datetime(2025, 6, 1, 15, 40, tzinfo=UTC)
    assert post.platform_edited is False


def test_og_image_is_not_taken_for_the_posts_media(site: FakeSite) -> None:
    article = (PAGES / "article.html").read_text(encoding="utf-8")
    card = '<meta property="og:image" content="https://cdn.example/share-card.png">'
    html = article.replace("</head>", f"{card}</head>")
    assert card in html
    post = seen(site, Reply(body=html.encode(), headers=HTML))
    # The page's share card, not clearly a picture of what is watched: no media at all.
    assert (post.media, post.media_urls) == ((), ())


def test_body_fallback_drops_header_nav_form_footer(site: FakeSite) -> None:
    post = seen(site, page("body_only.html"))
    assert post.title == "Plain page"
    assert post.text == (
        "Opening hours\n\nMon–Fri 9:00–17:00\n\nSat 10:00–14:00\n\nClosed on holidays.\nInner note."
    )
    assert (post.author, post.created_at, post.edited_at) == ("", None, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<main><p>in main</p></main><p>outside</p>", "in main"),
        ('<div role="main"><p>role main</p></div><p>outside</p>', "role main"),
        ("<main><p>main</p></main><article><p>article wins</p></article>", "article wins"),
        ("<p>just body</p>", "just body"),
    ],
)
def test_main_content_order(site: FakeSite, body: str, expected: str) -> None:
    reply = Reply(body=f"<html><body>{body}</body></html>", headers=HTML)
    assert seen(site, reply).text == expected


def test_redirect_final_url_is_the_post_url(site: FakeSite) -> None:
    site.reply("/moved", 200, "<html><body><p>here now</p></body></html>", HTML)
    post = seen(site, Reply(301, headers={"location": "/moved"}))
    assert (post.id, post.url, post.text) == (site.url + "/page", site.url + "/moved", "here now")


def test_meta_time_without_offset_is_utc_and_junk_is_ignored(site: FakeSite) -> None:
    head = (
        '<meta property="article:published_time" content="2025-06-01T08:00:00">'
        '<meta property="article:modified_time" content="yesterday">'
        '<meta property="article:author" content="https://example.test/ann">'
    )
    reply = Reply(body=f"<html><head>{head}</head><body>x</body></html>", headers=HTML)
    post = seen(site, reply)
    assert post.created_at == datetime(2025, 6, 1, 8, tzinfo=UTC)
    assert post.edited_at is None
    assert post.author == "https://example.test/ann"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-01T14:02:00Z", datetime(2025, 6, 1, 14, 2, tzinfo=UTC)),
        ("2025-06-01T14:02:00.123+02:00", datetime(2025, 6, 1, 12, 2, 0, 123000, tzinfo=UTC)),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=UTC)),
        ("June 1st", None),
        ("", None),
    ],
)
def test_parse_time(value: str, expected: datetime | None) -> None:
    assert parse_time(value) == expected


# --- selectors --------------------------------------------------------------------------------


def test_selector_joins_matches_with_blank_line(site: FakeSite) -> None:
    post = seen(site, page("body_only.html"), selector="p.hours")
    assert post.text == "Mon–Fri 9:00–17:00\n\nSat 10:00–14:00"


def test_nested_matches_count_once(site: FakeSite) -> None:
    post = seen(site, page("body_only.html"), selector="div.note")
    assert post.text == "Closed on holidays.\nInner note."


def test_selector_may_pick_page_furniture(site: FakeSite) -> None:
    assert seen(site, page("article.html"), selector="nav").text == "Home NAV LINK"


def test_selector_matching_nothing_is_broken(site: FakeSite) -> None:
    result = observe(site, page("article.html"), selector="#gone")
    assert result == Broken("selector '#gone' matched nothing")


@pytest.mark.parametrize("selector", ["div[", "p::nope", "", ">>>", "a:has("])
def test_invalid_selector_is_usage_error(selector: str) -> None:
    with pytest.raises(UsageError, match="invalid CSS selector") as info:
        validate_selector(selector)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("selector", ["article p", "#main > .post:first-child", "a[href^=http]"])
def test_valid_selector(selector: str) -> None:
    validate_selector(selector)


# --- encodings --------------------------------------------------------------------------------

CHINESE = "雷军：小米5月交付超过2.8万台。莫言说：诋毁，本身就是一种仰望。"


def test_gbk_page_with_meta_charset(site: FakeSite) -> None:
    head = '<meta charset="gbk"><title>微博</title>'
    html = f"<html><head>{head}</head><body><p>{CHINESE}</p></body></html>"
    post = seen(site, Reply(body=html.encode("gbk"), headers={"content-type": "text/html"}))
    assert (post.title, post.text) == ("微博", CHINESE)


def test_gbk_page_with_header_charset_only(site: FakeSite) -> None:
    html = f"<html><head><title>新闻</title></head><body><article>{CHINESE}</article></body></html>"
    reply = Reply(body=html.encode("gbk"), headers={"content-type": "text/html; charset=gbk"})
    post = seen(site, reply)
    assert (post.title, post.text) == ("新闻", CHINESE)


def test_emoji_page(site: FakeSite) -> None:
    html = "<html><body><p>Ship it 🚢 👩🏽‍💻 🇨🇳 ❤️</p></body></html>"
    assert seen(site, Reply(body=html, headers=HTML)).text == "Ship it 🚢 👩🏽‍💻 🇨🇳 ❤️"


def test_xhtml_with_xml_declaration(site: FakeSite) -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>XHTML ü</p></body></html>'
    )
    reply = Reply(body=html, headers={"content-type": "application/xhtml+xml"})
    assert seen(site, reply).text == "XHTML ü"


# --- content type -----------------------------------------------------------------------------


def test_non_html_is_failed(site: FakeSite) -> None:
    reply = Reply(body=b"\x89PNG\r\n\x1a\n", headers={"content-type": "image/png"})
    result = observe(site, reply)
    assert isinstance(result, Failed)
    assert "is not HTML (image/png)" in result.reason


def test_missing_content_type_with_html_body_is_read(site: FakeSite) -> None:
    # FakeSite sends no content-type unless told to.
    reply = Reply(body="<!DOCTYPE html><html><body><p>untyped</p></body></html>")
    assert seen(site, reply).text == "untyped"


def test_missing_content_type_with_other_body_is_failed(site: FakeSite) -> None:
    result = observe(site, Reply(body='{"not": "html"}'))
    assert isinstance(result, Failed)
    assert "not HTML (no content-type)" in result.reason


def test_empty_html_body_is_failed(site: FakeSite) -> None:
    assert isinstance(observe(site, Reply(body="", headers=HTML)), Failed)


# --- status codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_gone(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html><body>Not here</body></html>", HTML))
    assert isinstance(result, Gone)
    assert result.reason.startswith(f"HTTP {status}")
    assert result.removed is False


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, Failed), (502, Failed), (503, Failed), (401, Blocked), (403, Blocked)],
)
def test_unobserved_statuses(site: FakeSite, status: int, kind: type) -> None:
    result = observe(site, Reply(status, "<html><body>nope</body></html>", HTML))
    assert isinstance(result, kind)
    assert isinstance(result, Blocked | Failed)
    assert str(status) in result.reason


def test_rate_limited_with_retry_after(site: FakeSite) -> None:
    result = observe(site, Reply(429, "slow down", {"retry-after": "90"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 90.0)


def test_timeout_is_failed_not_gone(site: FakeSite) -> None:
    site.set("/slow", Reply(body="<html></html>", headers=HTML, delay=1.0))
    result = live(WebSource(), HttpSettings(timeout=0.2)).fetch(Target(site.url + "/slow", "web"))
    assert isinstance(result, Failed)
    assert "timed out" in result.reason


def test_configured_headers_and_cookies_are_sent(site: FakeSite) -> None:
    settings = PlatformSettings(headers={"X-Api-Key": "k"}, cookies={"session": "s"})
    observe(site, page("body_only.html"), settings=settings)
    _, sent = site.requests[-1]
    lowered = {k.lower(): v for k, v in sent.items()}
    assert (lowered["x-api-key"], lowered["cookie"]) == ("k", "session=s")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/blog/1", True),
        ("http://example.com", True),
        ("ftp://example.com/file", False),
        ("example.com/page", False),
        ("https://", False),
    ],
)
def test_matches(url: str, expected: bool) -> None:
    assert WebSource.matches(url) is expected


# --- hostile pages: never a cut-off snapshot ----------------------------------------------------

# A million unclosed <div>s: 5 MB, under the byte cap. libxml2 stops at depth 256 and hands back
# what it had, so today's page would read as empty; it must be Failed instead.
DEEP = b"<html><head><title>deep</title></head><body>" + b"<div>" * 1_000_000 + b"<p>end</p>"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@pytest.mark.parametrize("selector", ["", "p"])
def test_page_nested_a_million_deep_is_failed_in_bounded_memory(
    site: FakeSite, selector: str
) -> None:
    before = peak_rss_mib()
    result = observe(site, Reply(body=DEEP, headers=HTML), selector)
    reason = f"the page at {site.url}/page nests deeper than {MAX_HTML_DEPTH} elements; not read"
    assert result == Failed(reason)
    assert peak_rss_mib() - before < 200  # the body and a 256-deep tree, never a million nodes


def test_page_nested_just_under_the_limit_is_read_whole(site: FakeSite) -> None:
    depth = MAX_HTML_DEPTH - 3  # <html>, <body> and the <p> count too
    body = "<html><body>" + "<div>" * depth + "<p>the end</p></body></html>"
    assert seen(site, Reply(body=body, headers=HTML)).text == "the end"


def answered(body: bytes, selector: str = "") -> Observation:
    """The web source's observation of a page answered with `body`, with no server."""
    url = "https://example.test/page"
    resp = Response(url, 200, {"content-type": "text/html; charset=utf-8"}, body)
    result, asked = replayed(
        WebSource().observe(Target(url, "web", selector=selector)), {url: resp}
    )
    assert len(asked) == 1
    return result


def test_text_node_past_the_parsers_limit_is_failed_not_empty() -> None:
    result = answered(b"<html><body><p>" + b"x" * 10_100_000 + b"</p></body></html>")
    assert isinstance(result, Failed)
    assert "could not be read whole" in result.reason


def test_flow_with_a_transport_error_is_failed() -> None:
    url = "https://example.test/page"
    result, _ = replayed(WebSource().observe(Target(url, "web")), {url: TransportError("reset")})
    assert result == Failed("reset")


def test_web_is_asked_last() -> None:
    assert max(SOURCES.values(), key=lambda source: source.priority) is WebSource
    assert list(SOURCES)[-1] == "web"
    assert platform_for("https://example.com/@ann/42") == "mastodon"
