"""The `mastodon` source: URL recognition and our own Mastodon-shaped payloads on FakeSite."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed
from tests.server import FakeSite, Reply
from tests.test_conformance import recorded_reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.history import missed
from watcher.model import Blocked, Failed, Gone, Observation, Post, RateLimited, Seen, Target
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.common import Request, Response
from watcher.sources.mastodon import MastodonSource, status_id
from watcher.sources.mastodon.status import status_post, versions

PAYLOADS = FIXTURES / "mastodon"
JSON = {"content-type": "application/json; charset=utf-8"}
ID = "110000000000000001"
API = f"/api/v1/statuses/{ID}"


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://mastodon.social/@Gargron/109318821117356215", "109318821117356215"),
        ("https://fosstodon.org/@jane_doe/110000000000000001/", "110000000000000001"),
        ("https://social.example/@ann@other.example/42", "42"),
        ("https://social.example/users/ann/statuses/42", "42"),
        ("https://social.example/web/@ann/42", "42"),
        ("https://social.example/web/@ann@other.example/42", "42"),
        ("https://social.example/web/statuses/42", "42"),
        ("https://social.example/@ann/42?utm_source=x#reply", "42"),
        ("http://localhost:3000/@mastodonpy_test/117020583223442465", "117020583223442465"),
        ("https://example.com/blog/1", None),
        ("https://social.example/@ann", None),
        ("https://social.example/@ann/with_replies", None),
        ("https://social.example/@ann/42/embed", None),
        ("https://social.example/users/ann", None),
        ("https://social.example/web/statuses/abc", None),
        ("https://medium.com/@writer/my-story-1a2b3c", None),
        ("ftp://social.example/@ann/42", None),
        ("/@ann/42", None),
    ],
)
def test_status_id(url: str, expected: str | None) -> None:
    assert status_id(url) == expected
    assert MastodonSource.matches(url) is (expected is not None)


# --- fetching ---------------------------------------------------------------------------------


def observe(
    site: FakeSite,
    reply: Reply,
    url: str = f"https://social.example/@ann/{ID}",
    path: str = API,
) -> Observation:
    """Fetch `url` with the API pointed at FakeSite, which answers `path` with `reply`."""
    site.set(path, reply)
    source = live(MastodonSource(PlatformSettings(base_url=site.url + "/")))
    return source.fetch(Target(url, "mastodon"))


def payload(name: str, status: int = 200) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), JSON)


def seen(site: FakeSite, name: str, ident: str = ID) -> Post:
    result = observe(
        site, payload(name), f"https://social.example/@ann/{ident}", f"/api/v1/statuses/{ident}"
    )
    assert isinstance(result, Seen), result
    return result.post


def test_plain_status(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    assert post.id == ID
    assert post.url == f"https://social.example/@ann/{ID}"
    assert post.text == "Shipping 2.0 today 🎉 #release\n\nThanks everyone & see you"
    assert post.author == "@ann@social.example"
    assert post.created_at == datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
    assert (post.edited_at, post.platform_edited, post.title, post.media) == (None, False, "", ())


def test_metrics_are_not_content(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    assert dict(post.metrics) == {
        "replies_count": 3,
        "reblogs_count": 7,
        "favourites_count": 21,
        "quotes_count": 1,
    }
    recounted = replace(post, metrics={"favourites_count": 5000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_edited_status_with_content_warning_and_media(site: FakeSite) -> None:
    post = seen(site, "status_edited_cw_media.json", "110000000000000002")
    assert post.platform_edited is True
    assert post.edited_at == datetime(2025, 6, 1, 15, 40, 12, 345000, tzinfo=UTC)
    assert post.title == "spoilers: season finale"
    assert post.text == "这是修改后的内容。\n第二行"
    assert post.media == ("111000000000000001", "111000000000000002")
    assert "quotes_count" not in post.metrics  # older servers do not send it


def test_media_are_seen_at_each_attachments_file(site: FakeSite) -> None:
    post = seen(site, "status_edited_cw_media.json", "110000000000000002")
    assert post.media_urls == (
        "https://files.social.example/a.png",
        "https://files.social.example/b.mp4",
    )


def seen_status(site: FakeSite, status: dict[str, object]) -> Post:
    ident = str(status["id"])
    reply = Reply(200, json.dumps(status), JSON)
    result = observe(
        site, reply, f"https://social.example/@ann/{ident}", f"/api/v1/statuses/{ident}"
    )
    assert isinstance(result, Seen), result
    return result.post


def test_an_attachment_not_fetched_yet_is_seen_on_its_origin_server(site: FakeSite) -> None:
    status = json.loads((PAYLOADS / "status_edited_cw_media.json").read_text(encoding="utf-8"))
    first = status["media_attachments"][0]
    first["url"], first["remote_url"] = None, "https://origin.example/cat.png"
    assert seen_status(site, status).media_urls == (
        "https://origin.example/cat.png",
        "https://files.social.example/b.mp4",
    )


def test_media_moved_to_another_host_are_no_edit(site: FakeSite) -> None:
    post = seen(site, "status_edited_cw_media.json", "110000000000000002")
    text = (PAYLOADS / "status_edited_cw_media.json").read_text(encoding="utf-8")
    moved = seen_status(site, json.loads(text.replace("files.social.example", "cdn.example")))
    assert moved.media_urls == ("https://cdn.example/a.png", "https://cdn.example/b.mp4")
    assert moved == post
    assert content_hash(moved) == content_hash(post)


def test_each_version_in_the_edit_history_has_its_own_media_urls() -> None:
    status = json.loads((PAYLOADS / "status_edited_cw_media.json").read_text(encoding="utf-8"))
    current = status_post(status, status["id"], "social.example")
    edits = [
        {"content": "<p>before</p>", "created_at": "2025-06-01T15:00:00Z", "media_attachments": []},
        {**status, "created_at": "2025-06-01T15:40:12Z"},
    ]
    body = json.dumps(edits).encode()
    found = versions(Response("https://social.example/h", 200, JSON, body), current)
    assert [v.media_urls for v in found] == [(), current.media_urls]


def test_poll_options_follow_the_text(site: FakeSite) -> None:
    post = seen(site, "status_poll.json", "110000000000000003")
    assert post.text == "Which editor?\nvim\nemacs"
    assert "votes_count" not in post.metrics


def test_reblog_shows_the_reblogged_status(site: FakeSite) -> None:
    post = seen(site, "status_reblog.json", "110000000000000004")
    assert post.id == "110000000000000004"  # the watched boost
    assert post.url == "https://other.example/@alice/210000000000000009"
    assert post.text == "Original words by alice"
    assert post.author == "@alice@other.example"  # a remote acct already names its host
    assert post.platform_edited is True
    assert post.metrics["favourites_count"] == 99


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, payload("status_plain.json"))
    assert site.hits(API) == 1


def test_origin_of_the_url_is_used_without_base_url(site: FakeSite) -> None:
    site.set(API, payload("status_plain.json"))
    host = site.url.removeprefix("http://")
    result = live(MastodonSource()).fetch(Target(f"{site.url}/web/statuses/{ID}", "mastodon"))
    assert isinstance(result, Seen)
    assert result.post.author == f"@ann@{host.split(':')[0]}"
    assert site.hits(API) == 1


def test_non_status_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Mastodon status URL"):
        observe(site, payload("status_plain.json"), url="https://example.com/blog/1")


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ['{"error":"Not Found"}', '{"error":"Record not found"}'])
def test_404_is_gone(site: FakeSite, body: str) -> None:
    result = observe(site, Reply(404, body, JSON))
    error = body.split('"')[3]
    assert result == Gone(f"HTTP 404: {error}")


def test_404_without_json_body_is_still_gone(site: FakeSite) -> None:
    result = observe(site, Reply(404, "<h1>The page you are looking for isn't here.</h1>"))
    assert result == Gone("HTTP 404: The page you are looking for isn't here.")


def test_401_is_blocked(site: FakeSite) -> None:
    result = observe(site, Reply(401, '{"error":"This API requires an authenticated user"}', JSON))
    assert isinstance(result, Blocked)
    assert "requires login" in result.reason
    assert "This API requires an authenticated user" in result.reason


def test_429_waits_until_rate_limit_reset(site: FakeSite) -> None:
    reset = datetime.now(UTC) + timedelta(seconds=120)
    headers = {
        **JSON,
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    result = observe(site, Reply(429, '{"error":"Too many requests"}', headers))
    assert isinstance(result, RateLimited)
    assert result.reason == "HTTP 429: Too many requests"
    assert result.retry_after is not None
    assert 110 < result.retry_after <= 120


def test_429_prefers_retry_after(site: FakeSite) -> None:
    headers = {**JSON, "Retry-After": "7", "X-RateLimit-Reset": "2099-01-01T00:00:00.000000Z"}
    result = observe(site, Reply(429, '{"error":"Too many requests"}', headers))
    assert isinstance(result, RateLimited)
    assert result.retry_after == 7.0


def test_429_with_past_or_bad_reset(site: FakeSite) -> None:
    past = observe(site, Reply(429, "{}", {"X-RateLimit-Reset": "2001-01-01T00:00:00Z"}))
    bad = observe(site, Reply(429, "{}", {"X-RateLimit-Reset": "<ISO8601>"}))
    assert isinstance(past, RateLimited) and past.retry_after == 0.0
    assert isinstance(bad, RateLimited) and bad.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>oops</html>"))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_403_is_blocked(site: FakeSite) -> None:
    assert isinstance(observe(site, Reply(403, '{"error":"blocked"}', JSON)), Blocked)


@pytest.mark.parametrize(
    "body", [(PAYLOADS / "not_a_status.json").read_bytes(), b"[]", b"<html>maintenance</html>"]
)
def test_200_that_is_not_a_status_is_failed(site: FakeSite, body: bytes) -> None:
    result = observe(site, Reply(200, body, JSON))
    assert isinstance(result, Failed)
    assert "not" in result.reason


# --- recorded edit history and source (../shared/fixtures/platforms/mastodon) -----------------

EDITED = "117020586180926938"  # mastodonpy_test_2's status, edited once
KATE = "the best editor? why, of course it is the KDE Advanced Text Editor, Kate"
VS_CODE = "the best editor? why, of course it is VS Code"


def recorded_history(site: FakeSite, history: str) -> tuple[Post, tuple[Post, ...]]:
    site.set(f"/api/v1/statuses/{EDITED}", recorded_reply("mastodon", "status_edited.json"))
    site.set(f"/api/v1/statuses/{EDITED}/history", recorded_reply("mastodon", history))
    target = Target(f"http://localhost:3000/@mastodonpy_test_2/{EDITED}", "mastodon")
    source = live(MastodonSource(PlatformSettings(base_url=site.url)))
    seen = source.fetch(target)
    assert isinstance(seen, Seen)
    return seen.post, source.history(target, seen.post)


def test_recorded_edit_history_lists_every_version(site: FakeSite):
    current, versions = recorded_history(site, "status_history.json")
    assert [v.text for v in versions] == [VS_CODE, KATE]
    assert [v.edited_at for v in versions] == [
        None,
        datetime(2026, 8, 1, 13, 54, 0, 695000, tzinfo=UTC),
    ]
    assert [v.platform_edited for v in versions] == [False, True]
    assert {(v.id, v.url, v.author) for v in versions} == {
        (current.id, current.url, current.author)
    }
    # The last version is the status as fetched: same content, so the same hash.
    assert content_hash(versions[-1]) == content_hash(current)
    # Seen as VS Code before, Kate now: one edit, nothing lived in between.
    assert missed(versions, content_hash(versions[0]), content_hash(current)) == ()


def test_recorded_history_of_an_unedited_status_is_its_one_version(site: FakeSite):
    _current, versions = recorded_history(site, "status_history_unedited.json")
    assert [(v.text, v.edited_at, v.platform_edited) for v in versions] == [(VS_CODE, None, False)]


def test_status_text_equals_the_authors_own_source(site: FakeSite):
    # status_source.json is what the author typed (GET /api/v1/statuses/:id/source, their
    # own statuses only): the text we make of the rendered HTML must be exactly that.
    current, _ = recorded_history(site, "status_history.json")
    source = json.loads(recorded_reply("mastodon", "status_source.json").encoded())
    assert source["id"] == current.id
    assert (current.text, current.title) == (source["text"], source["spoiler_text"])


# --- sans-I/O: edit history flows, answered with no server --------------------------------------

STATUS_URL = f"https://social.example/@ann/{ID}"
HISTORY = f"https://social.example/api/v1/statuses/{ID}/history"
CURRENT = Post(id=ID, url=STATUS_URL, text="now", author="@ann@social.example")


def edits(*contents: str) -> Response:
    body = [{"content": c, "created_at": "2025-06-01T14:02:00Z"} for c in contents]
    return Response(HISTORY, 200, {"content-type": "application/json"}, json.dumps(body).encode())


def history_of(answer: Response | FetchError) -> tuple[tuple[Post, ...], list[Request]]:
    flow = MastodonSource().history(Target(STATUS_URL, "mastodon"), CURRENT)
    return replayed(flow, {HISTORY: answer})


def test_history_is_one_request_to_the_status_origin() -> None:
    versions, asked = history_of(edits("<p>before</p>", "<p>now</p>"))
    assert [v.text for v in versions] == ["before", "now"]
    assert [request.url for request in asked] == [HISTORY]


@pytest.mark.parametrize(
    "answer",
    [
        TransportError("connection reset"),
        Response(HISTORY, 500, {}, b"oops"),
        Response(HISTORY, 200, {}, b"not json"),
        edits("<p>" + "<b>" * 300 + "too deep</p>"),  # a version the parser cannot read whole
    ],
)
def test_history_that_cannot_be_read_is_empty_never_raised(answer: Response | FetchError) -> None:
    assert history_of(answer)[0] == ()


def test_observe_asks_the_status_once() -> None:
    body = (PAYLOADS / "status_plain.json").read_bytes()
    result, asked = replayed(
        MastodonSource().observe(Target(STATUS_URL, "mastodon")),
        {f"https://social.example{API}": Response(STATUS_URL, 200, JSON, body)},
    )
    assert isinstance(result, Seen) and result.post.id == ID
    assert len(asked) == 1
