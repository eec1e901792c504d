"""The `hackernews` source: URL recognition and our own HN-shaped payloads on FakeSite."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed
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
from watcher.sources.common import Response
from watcher.sources.hackernews import DEAD, HackerNewsSource, item_id

PAYLOADS = FIXTURES / "hackernews"
JSON = {"content-type": "application/json; charset=utf-8"}


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.ycombinator.com/item?id=8863", "8863"),
        ("http://news.ycombinator.com/item?id=8863", "8863"),
        ("https://news.ycombinator.com/item?id=40464529#40475078", "40464529"),
        ("https://news.ycombinator.com/item?id=40464529&p=2", "40464529"),
        ("https://news.ycombinator.com/item?p=2&id=1", "1"),
        ("https://news.ycombinator.com/item?id=", None),
        ("https://news.ycombinator.com/item?id=abc", None),
        ("https://news.ycombinator.com/item?id=0", None),
        ("https://news.ycombinator.com/item?id=1&id=2", None),
        ("https://news.ycombinator.com/item", None),
        ("https://news.ycombinator.com/user?id=pg", None),
        ("https://news.ycombinator.com/reply?id=8863&goto=item%3Fid%3D8863", None),
        ("https://news.ycombinator.com/news", None),
        ("https://news.ycombinator.com/", None),
        ("https://hacker-news.firebaseio.com/v0/item/8863.json", None),
        ("https://example.com/item?id=8863", None),
        ("ftp://news.ycombinator.com/item?id=8863", None),
        ("news.ycombinator.com/item?id=8863", None),
    ],
)
def test_item_id(url: str, expected: str | None) -> None:
    assert item_id(url) == expected
    assert HackerNewsSource.matches(url) is (expected is not None)


# --- fetching ---------------------------------------------------------------------------------


def observe(site: FakeSite, reply: Reply, ident: str = "1") -> Observation:
    """Fetch item `ident` with the API pointed at FakeSite, which answers with `reply`."""
    site.set(f"/v0/item/{ident}.json", reply)
    source = live(HackerNewsSource(PlatformSettings(base_url=site.url + "/")))
    url = f"https://news.ycombinator.com/item?id={ident}"
    return source.fetch(Target(url, "hackernews"))


def payload(name: str) -> Reply:
    return Reply(200, (PAYLOADS / name).read_bytes(), JSON)


def seen(site: FakeSite, name: str, ident: str) -> Post:
    result = observe(site, payload(name), ident)
    assert isinstance(result, Seen), result
    return result.post


def test_link_story(site: FakeSite) -> None:
    post = seen(site, "story_link.json", "1")
    assert post.id == "1"
    assert post.url == "https://news.ycombinator.com/item?id=1"
    assert post.title == "Y Combinator & friends"
    assert post.text == "http://ycombinator.com"
    assert post.author == "pg"
    assert post.created_at == datetime(2006, 10, 9, 18, 21, 51, tzinfo=UTC)
    assert (post.edited_at, post.platform_edited, post.media) == (None, False, ())


def test_metrics_are_not_content(site: FakeSite) -> None:
    post = seen(site, "story_link.json", "1")
    assert dict(post.metrics) == {"score": 57, "descendants": 15}
    recounted = replace(post, metrics={"score": 5000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_text_story_html_becomes_text(site: FakeSite) -> None:
    post = seen(site, "story_ask.json", "121003")
    assert post.title == "Ask HN: The Arc Effect"
    assert post.text == (
        "or HN: the Next Iteration\n\n"
        "I get the impression that with Arc being released / a lot of people are're here.\n\n"
        "Thoughts? link"
    )


def test_comment(site: FakeSite) -> None:
    post = seen(site, "comment.json", "2921983")
    assert post.title == ""
    assert post.text == "Aw shucks & thanks.\n\n我会继续写 x < y"
    assert post.author == "bob"
    assert dict(post.metrics) == {}  # comments carry no score


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, payload("story_link.json"))
    assert site.hits("/v0/item/1.json") == 1


def test_non_item_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Hacker News item URL"):
        live(HackerNewsSource()).fetch(Target("https://news.ycombinator.com/user?id=pg", "hn"))


# --- gone and not-gone signals ----------------------------------------------------------------


def test_deleted_is_gone(site: FakeSite) -> None:
    assert observe(site, payload("deleted.json"), "40475078") == Gone("deleted")


def test_dead_is_removed(site: FakeSite) -> None:
    result = observe(site, payload("dead_story.json"), "49280269")
    assert result == Gone("dead (killed by flags or moderators)", removed=True)
    assert DEAD == "dead (killed by flags or moderators)"


def test_deleted_wins_over_dead(site: FakeSite) -> None:
    assert observe(site, payload("dead_and_deleted.json"), "40475079") == Gone("deleted")


MAXITEM = "/v0/maxitem.json"


def test_null_past_the_newest_item_is_failed_not_gone(site: FakeSite) -> None:
    site.set(MAXITEM, Reply(200, "40480002", JSON))
    result = observe(site, Reply(200, "null", JSON), "99999999999")
    assert result == Failed("no such item yet: 99999999999 is newer than the newest item, 40480002")
    assert site.hits(MAXITEM) == 1


@pytest.mark.parametrize("ident", ["40480002", "1"])
def test_null_below_the_newest_item_is_hidden_not_gone(site: FakeSite, ident: str) -> None:
    site.set(MAXITEM, Reply(200, "40480002", JSON))
    result = observe(site, Reply(200, "null", JSON), ident)
    assert result == Hidden(f"Hacker News has no data for item {ident} (purged or withheld)")


@pytest.mark.parametrize(
    "maxitem",
    [
        Reply(500, "<h1>down</h1>"),
        Reply(404, "no route"),
        Reply(200, "null", JSON),
        Reply(200, '"40480002"', JSON),
        Reply(200, "true", JSON),
        Reply(200, "<html>down</html>", JSON),
    ],
)
def test_null_with_maxitem_unreadable_is_failed_not_gone(site: FakeSite, maxitem: Reply) -> None:
    site.set(MAXITEM, maxitem)
    result = observe(site, Reply(200, "null", JSON), "1")
    assert result == Failed("no such item (yet): 1")


def test_live_item_does_not_ask_for_maxitem(site: FakeSite) -> None:
    observe(site, payload("story_link.json"))
    assert site.hits(MAXITEM) == 0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>oops</html>"))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_404_is_failed_not_gone(site: FakeSite) -> None:
    # Firebase answers `null`, never 404, for a missing item: a 404 is a wrong base_url.
    result = observe(site, Reply(404, "not found"))
    assert isinstance(result, Failed)
    assert "404" in result.reason


def test_401_is_blocked(site: FakeSite) -> None:
    result = observe(site, Reply(401, '{"error":"Permission denied"}', JSON))
    assert isinstance(result, Blocked)


def test_429_is_rate_limited(site: FakeSite) -> None:
    result = observe(site, Reply(429, "{}", {**JSON, "Retry-After": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


@pytest.mark.parametrize(
    "body",
    [(PAYLOADS / "not_an_item.json").read_bytes(), b"[1, 2]", b"9130260", b"<html>down</html>"],
)
def test_200_that_is_not_an_item_is_failed(site: FakeSite, body: bytes) -> None:
    result = observe(site, Reply(200, body, JSON))
    assert isinstance(result, Failed)
    assert "not" in result.reason


# --- sans-I/O: the flow's requests, answered with no server ----------------------------------

BASE = "http://firebase.test"
NULL = Response(BASE, 200, dict(JSON), b"null")


def test_a_null_item_asks_for_the_newest_id_next() -> None:
    hn = HackerNewsSource(PlatformSettings(base_url=BASE))
    answers = {f"{BASE}/v0/item/7.json": NULL, BASE + MAXITEM: Response(BASE, 200, {}, b"40480002")}
    target = Target("https://news.ycombinator.com/item?id=7", "hackernews")
    result, asked = replayed(hn.observe(target), answers)
    assert result == Hidden("Hacker News has no data for item 7 (purged or withheld)")
    assert [r.url for r in asked] == [f"{BASE}/v0/item/7.json", BASE + MAXITEM]


def test_a_transport_error_on_the_newest_id_is_failed_not_gone() -> None:
    hn = HackerNewsSource(PlatformSettings(base_url=BASE))
    answers: dict[str, Response | FetchError] = {
        f"{BASE}/v0/item/7.json": NULL,
        BASE + MAXITEM: TransportError("timed out"),
    }
    target = Target("https://news.ycombinator.com/item?id=7", "hackernews")
    assert replayed(hn.observe(target), answers)[0] == Failed("no such item (yet): 7")
