"""The `reddit` source: URL recognition and our own Reddit-shaped payloads on FakeSite."""

from __future__ import annotations

import json
from dataclasses import replace
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
from watcher.sources.common import Request, Response
from watcher.sources.reddit import RedditSource, Thing, thing

PAYLOADS = FIXTURES / "reddit"
JSON = {"content-type": "application/json; charset=UTF-8"}
HTML = {"content-type": "text/html; charset=utf-8"}
POST_URL = "https://www.reddit.com/r/python/comments/1abc2de/release_20_more/"
COMMENT_URL = "https://www.reddit.com/r/python/comments/1abc2de/release_20_more/kx9y8z7/"
POST_API = "/comments/1abc2de/.json"
GALLERY = ("https://www.reddit.com/gallery/1gal000", "/comments/1gal000/.json")  # URL, API path
INFO_API = "/api/info.json"


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (POST_URL, Thing("1abc2de")),
        ("https://www.reddit.com/r/python/comments/1abc2de/release_20_more", Thing("1abc2de")),
        ("https://old.reddit.com/r/python/comments/1abc2de/release_20_more/", Thing("1abc2de")),
        ("https://reddit.com/r/python/comments/1abc2de/", Thing("1abc2de")),
        ("https://new.reddit.com/r/python/comments/1abc2de", Thing("1abc2de")),
        ("https://np.reddit.com/r/python/comments/1abc2de/x/?utm_source=share", Thing("1abc2de")),
        ("https://m.reddit.com/r/python/comments/1abc2de/x/", Thing("1abc2de")),
        ("http://www.reddit.com/r/Python/comments/1ABC2DE/x/", Thing("1abc2de")),
        ("https://www.reddit.com/comments/1abc2de", Thing("1abc2de")),
        ("https://www.reddit.com/comments/1abc2de/", Thing("1abc2de")),
        ("https://www.reddit.com/user/spez/comments/1abc2de/my_post/", Thing("1abc2de")),
        ("https://www.reddit.com/u/spez/comments/1abc2de/my_post/", Thing("1abc2de")),
        ("https://www.reddit.com/gallery/1gal000", Thing("1gal000")),
        ("https://redd.it/1abc2de", Thing("1abc2de")),
        ("https://redd.it/1abc2de/", Thing("1abc2de")),
        (COMMENT_URL, Thing("1abc2de", "kx9y8z7")),
        (COMMENT_URL + "?context=3", Thing("1abc2de", "kx9y8z7")),
        ("https://old.reddit.com/r/python/comments/1abc2de/_/kx9y8z7", Thing("1abc2de", "kx9y8z7")),
        # the newer web UI's comment links
        (
            "https://www.reddit.com/r/python/comments/1abc2de/comment/kx9y8z7/",
            Thing("1abc2de", "kx9y8z7"),
        ),
        ("https://www.reddit.com/comments/1abc2de/_/kx9y8z7/", Thing("1abc2de", "kx9y8z7")),
        ("https://www.reddit.com/r/python/", None),
        ("https://www.reddit.com/r/python/about/rules", None),
        ("https://www.reddit.com/user/spez", None),
        ("https://www.reddit.com/r/python/s/AbCdEf123", None),  # share link: needs a redirect
        ("https://www.reddit.com/r/python/comments/1abc2de/x/kx9y8z7/extra", None),
        ("https://i.redd.it/g86xbcq1p52a1.gif", None),
        ("https://redd.it/", None),
        ("https://notreddit.com/r/python/comments/1abc2de/x/", None),
        ("https://reddit.com.evil.example/r/python/comments/1abc2de/x/", None),
        ("ftp://www.reddit.com/r/python/comments/1abc2de/", None),
        ("/r/python/comments/1abc2de/", None),
    ],
)
def test_thing(url: str, expected: Thing | None) -> None:
    assert thing(url) == expected
    assert RedditSource.matches(url) is (expected is not None)


def test_fullname() -> None:
    assert Thing("1abc2de").fullname == "t3_1abc2de"
    assert Thing("1abc2de", "kx9y8z7").fullname == "t1_kx9y8z7"


# --- fetching ---------------------------------------------------------------------------------


def observe(site: FakeSite, reply: Reply, url: str = POST_URL, path: str = POST_API) -> Observation:
    """Fetch `url` with the API pointed at FakeSite, which answers `path` with `reply`."""
    site.set(path, reply)
    source = live(RedditSource(PlatformSettings(base_url=site.url + "/")))
    return source.fetch(Target(url, "reddit"))


def payload(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), headers or JSON)


def seen(site: FakeSite, name: str, url: str = POST_URL, path: str = POST_API) -> Post:
    result = observe(site, payload(name), url, path)
    assert isinstance(result, Seen), result
    return result.post


def test_self_post(site: FakeSite) -> None:
    post = seen(site, "post_self.json")
    assert post.id == "1abc2de"
    assert post.url == POST_URL
    assert post.title == "Release 2.0 & more 🎉"
    # the markdown as typed: raw_json=1 means no &amp; to undo
    assert post.text == (
        "Shipping **today**.\n\nSee [the notes](https://example.com/notes?a=1&b=2) & enjoy"
    )
    assert post.author == "u/ann_dev"
    assert post.created_at == datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
    assert (post.edited_at, post.platform_edited, post.media) == (None, False, ())


def test_request_asks_for_raw_json(site: FakeSite) -> None:
    observe(site, payload("post_self.json"))
    paths = [path for path, _ in site.requests]
    assert paths == [f"{POST_API}?raw_json=1&limit=1"]


def test_metrics_are_not_content(site: FakeSite) -> None:
    post = seen(site, "post_self.json")
    assert dict(post.metrics) == {"score": 42, "ups": 42, "num_comments": 7}
    recounted = replace(post, metrics={"score": 9000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_edited_link_post(site: FakeSite) -> None:
    url = "https://redd.it/1lnk000"
    post = seen(site, "post_link_edited.json", url, "/comments/1lnk000/.json")
    assert post.url == "https://www.reddit.com/r/python/comments/1lnk000/interesting_article/"
    assert post.title == "Interesting article"
    assert post.text == "https://example.com/article?id=5"  # where the link points is content
    assert post.platform_edited is True
    assert post.edited_at == datetime(2025, 6, 1, 17, 46, 40, tzinfo=UTC)
    assert post.metrics["num_comments"] == 310


def test_gallery_media_ids_in_gallery_order(site: FakeSite) -> None:
    post = seen(site, "post_gallery.json", *GALLERY)
    assert post.media == ("b2", "a1")
    assert post.text == ""  # the gallery's own URL is not content


def test_gallery_images_are_seen_at_their_source_in_gallery_order(site: FakeSite) -> None:
    post = seen(site, "post_gallery.json", *GALLERY)
    assert post.media_urls == (
        "https://preview.redd.it/b2.jpg?s=sig2",
        "https://preview.redd.it/a1.jpg?s=sig1",
    )


def test_gallery_images_moved_to_another_host_are_no_edit(site: FakeSite) -> None:
    post = seen(site, "post_gallery.json", *GALLERY)
    text = (PAYLOADS / "post_gallery.json").read_text(encoding="utf-8")
    moved_body = text.replace("preview.redd.it", "external-preview.redd.it").replace("sig", "re")
    moved = observe(site, Reply(200, moved_body, JSON), *GALLERY)
    assert isinstance(moved, Seen), moved
    assert moved.post.media_urls[0] == "https://external-preview.redd.it/b2.jpg?s=re2"
    assert moved.post == post
    assert content_hash(moved.post) == content_hash(post)


def self_post_with(site: FakeSite, **fields: object) -> Post:
    """post_self.json as a link post with `fields` changed."""
    listing = json.loads((PAYLOADS / "post_self.json").read_text(encoding="utf-8"))
    listing[0]["data"]["children"][0]["data"] |= {"is_self": False, "selftext": ""} | fields
    result = observe(site, Reply(200, json.dumps(listing), JSON))
    assert isinstance(result, Seen), result
    return result.post


def test_an_image_post_is_seen_at_its_image(site: FakeSite) -> None:
    image = "https://i.redd.it/abc123.jpeg"
    post = self_post_with(site, url=image, url_overridden_by_dest=image, post_hint="image")
    assert (post.media, post.media_urls) == ((), (image,))
    assert post.text == image  # where the link points is content, as for any link post


def test_an_image_elsewhere_is_seen_at_its_previews_source(site: FakeSite) -> None:
    source = {"url": "https://external-preview.redd.it/xyz.png?auto=webp&s=1", "width": 900}
    preview = {"images": [{"source": source, "resolutions": [{"url": "https://x.example/s.png"}]}]}
    post = self_post_with(
        site, url="https://imgur.example/xyz.png", post_hint="image", preview=preview
    )
    assert post.media_urls == ("https://external-preview.redd.it/xyz.png?auto=webp&s=1",)


def test_a_link_posts_preview_is_not_its_media(site: FakeSite) -> None:
    preview = {"images": [{"source": {"url": "https://external-preview.redd.it/card.png"}}]}
    post = self_post_with(
        site, url="https://example.com/article", post_hint="link", preview=preview
    )
    assert post.media_urls == ()  # a picture of the linked page, not of the post


def test_a_hosted_video_is_seen_at_its_playlist(site: FakeSite) -> None:
    video = {
        "hls_url": "https://v.redd.it/vid123/HLSPlaylist.m3u8?a=1",
        "fallback_url": "https://v.redd.it/vid123/DASH_720.mp4",
    }
    post = self_post_with(
        site,
        url="https://v.redd.it/vid123",
        post_hint="hosted:video",
        secure_media={"reddit_video": video},
    )
    assert post.media_urls == ("https://v.redd.it/vid123/HLSPlaylist.m3u8?a=1",)


def test_deleted_account_is_not_a_deleted_post(site: FakeSite) -> None:
    post = seen(site, "post_account_deleted.json")
    assert post.author == "[deleted]"
    assert post.text.startswith("Shipping **today**.")


def test_comment_through_api_info(site: FakeSite) -> None:
    post = seen(site, "comment.json", COMMENT_URL, INFO_API)
    assert [path for path, _ in site.requests] == [f"{INFO_API}?id=t1_kx9y8z7&raw_json=1"]
    assert post.id == "kx9y8z7"
    assert post.url == COMMENT_URL
    assert (post.title, post.text) == ("", "Great release! 已经升级了 👍\n\n> quoted line")
    assert post.author == "u/bob"
    assert post.platform_edited is True
    assert post.edited_at == datetime(2025, 6, 1, 16, 0, 0, 500000, tzinfo=UTC)
    assert dict(post.metrics) == {"score": 5, "ups": 5}


def test_a_comments_metrics_leave_out_its_threads_count(site: FakeSite) -> None:
    """User listings send a comment's thread's `num_comments` along; it is not the comment's."""
    body = (
        (PAYLOADS / "comment.json")
        .read_text()
        .replace('"score": 5,', '"num_comments": 310, "score": 5,')
    )
    result = observe(site, Reply(200, body, JSON), COMMENT_URL, INFO_API)
    assert isinstance(result, Seen) and dict(result.post.metrics) == {"score": 5, "ups": 5}


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, payload("post_self.json"))
    assert site.hits(POST_API) == 1


def test_default_base_is_the_public_api() -> None:
    assert RedditSource().base_url("https://www.reddit.com") == "https://www.reddit.com"


def test_non_reddit_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Reddit post or comment URL"):
        observe(site, payload("post_self.json"), url="https://www.reddit.com/r/python/")


# --- gone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "path", "removed"),
    [
        ("post_deleted.json", POST_URL, POST_API, False),
        ("post_link_deleted.json", "https://redd.it/1lnk000", "/comments/1lnk000/.json", False),
        ("post_removed.json", POST_URL, POST_API, True),
        ("post_removed_text_only.json", POST_URL, POST_API, True),
        ("comment_deleted.json", COMMENT_URL, INFO_API, False),
        ("comment_removed.json", COMMENT_URL, INFO_API, True),
    ],
)
def test_deleted_and_removed(site: FakeSite, name: str, url: str, path: str, removed: bool) -> None:
    result = observe(site, payload(name), url, path)
    assert isinstance(result, Gone), result
    assert result.removed is removed


def test_removal_category_is_in_the_reason(site: FakeSite) -> None:
    result = observe(site, payload("post_removed.json"))
    assert result == Gone("Reddit: t3_1abc2de removed_by_category=moderator", removed=True)


def test_404_json_is_gone(site: FakeSite) -> None:
    result = observe(site, payload("error_not_found_404.json", 404))
    assert result == Gone("HTTP 404 from Reddit: Not Found")


def test_404_banned_subreddit_is_removed(site: FakeSite) -> None:
    result = observe(site, payload("error_banned_404.json", 404))
    assert isinstance(result, Gone) and result.removed is True
    assert "banned" in result.reason


def test_404_without_reddit_json_is_not_gone(site: FakeSite) -> None:
    result = observe(site, Reply(404, "<html><h1>404 page not found</h1></html>", HTML))
    assert isinstance(result, Broken)


# --- not gone ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["error_private_403.json", "error_quarantined_403.json"])
def test_403_with_a_reason_is_hidden(site: FakeSite, name: str) -> None:
    result = observe(site, payload(name, 403))
    assert isinstance(result, Hidden)
    assert name.split("_")[1] in result.reason


def test_bare_403_json_is_blocked(site: FakeSite) -> None:
    result = observe(site, Reply(403, '{"message": "Forbidden", "error": 403}', JSON))
    assert result == Blocked("HTTP 403 from Reddit: Forbidden")


def test_403_block_page_is_blocked(site: FakeSite) -> None:
    result = observe(site, payload("block_network_policy.html", 403, HTML))
    assert isinstance(result, Blocked)
    assert "network policy" in result.reason


def test_200_block_page_is_blocked(site: FakeSite) -> None:
    result = observe(site, payload("block_network_policy.html", 200, HTML))
    assert isinstance(result, Blocked)


def test_redirect_to_login_is_blocked(site: FakeSite) -> None:
    site.reply("/login/", 200, "<html><body><h1>Log In</h1></body></html>", HTML)
    result = observe(site, Reply(302, "", {"location": "/login/?dest=x"}))
    assert isinstance(result, Blocked)


def test_other_html_is_broken(site: FakeSite) -> None:
    result = observe(site, Reply(200, "<html><body>Hello</body></html>", HTML))
    assert isinstance(result, Broken)


def test_429_uses_x_ratelimit_reset(site: FakeSite) -> None:
    headers = {**JSON, "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "167"}
    result = observe(site, Reply(429, '{"message": "Too Many Requests", "error": 429}', headers))
    assert result == RateLimited(f"HTTP 429 from {site.url}{POST_API}?raw_json=1&limit=1", 167.0)


def test_429_prefers_retry_after(site: FakeSite) -> None:
    headers = {**JSON, "retry-after": "7", "x-ratelimit-reset": "167"}
    result = observe(site, Reply(429, "{}", headers))
    assert isinstance(result, RateLimited) and result.retry_after == 7.0


def test_429_without_headers(site: FakeSite) -> None:
    result = observe(site, Reply(429, "{}", {"x-ratelimit-reset": "soon"}))
    assert isinstance(result, RateLimited) and result.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>all our servers are busy</html>", HTML))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_empty_info_listing_is_hidden_not_gone(site: FakeSite) -> None:
    result = observe(site, payload("info_empty.json"), COMMENT_URL, INFO_API)
    assert isinstance(result, Hidden)
    assert "t1_kx9y8z7" in result.reason


def test_post_missing_from_its_thread_is_hidden(site: FakeSite) -> None:
    result = observe(site, payload("post_self.json"), "https://redd.it/zzz", "/comments/zzz/.json")
    assert isinstance(result, Hidden)


@pytest.mark.parametrize("body", [b"{}", b"[]", b'"text"', b"not json"])
def test_200_that_is_not_a_listing_is_failed(site: FakeSite, body: bytes) -> None:
    result = observe(site, Reply(200, body, JSON))
    assert isinstance(result, Failed), result


def test_json_labelled_html_is_still_json(site: FakeSite) -> None:
    result = observe(site, payload("post_self.json", 200, HTML))
    assert isinstance(result, Seen)


# --- without a server: the flow's requests, answered by a function ----------------------------


def test_a_comment_is_one_api_info_request_with_the_settings_without_a_server() -> None:
    settings = PlatformSettings(
        base_url="https://reddit.test/", headers={"User-Agent": "watcher"}, cookies={"a": "b"}
    )

    def answer(request: Request) -> Response:
        body = (PAYLOADS / "comment.json").read_bytes()
        return Response(request.url, 200, {"content-type": "application/json"}, body)

    source = RedditSource(settings)
    result, asked = replayed(source.observe(Target(COMMENT_URL, "reddit")), answer)
    assert isinstance(result, Seen) and result.post.id == "kx9y8z7"
    assert [request_key(request) for request in asked] == [
        "https://reddit.test/api/info.json?id=t1_kx9y8z7&raw_json=1"
    ]
    assert (asked[0].headers, asked[0].cookies) == ({"User-Agent": "watcher"}, {"a": "b"})


def test_a_transport_error_is_failed_without_a_server() -> None:
    thread = "https://reddit.test/comments/1abc2de/.json?limit=1&raw_json=1"
    answers: dict[str, Response | FetchError] = {thread: TransportError("connection reset")}
    source = RedditSource(PlatformSettings(base_url="https://reddit.test"))
    result, asked = replayed(source.observe(Target(POST_URL, "reddit")), answers)
    assert result == Failed("connection reset")
    assert [request_key(request) for request in asked] == [thread]
