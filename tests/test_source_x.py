"""The `x` source: URL recognition, the syndication token, and our own X-shaped payloads on
FakeSite (syndication at /tweet-result, the FxTwitter fallback at /status/<id>)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES
from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from tests.shared import SHARED_FIXTURES, require
from watcher.cli import cli
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
from watcher.settings import HttpSettings, PlatformSettings
from watcher.sources import platform_for
from watcher.sources.common import Request, Response
from watcher.sources.x import XSource, js_radix, post_ref, snowflake_time, syndication_token

PAYLOADS = FIXTURES / "x"
JSON = {"content-type": "application/json"}
PLAIN = "1929176606962614272"
MEDIA = "1929455445865398272"
FIRST, SECOND, LATEST = "1929825382429622272", "1929830416642998272", "1929835450856374272"
NOTE = "1930202868741046272"
NO_USER = "1930580356101046272"
POST = "1629307668568633344"  # an id for answers that carry none


def result_path(post_id: str) -> str:
    """The exact syndication request: id, lang, then the token computed from the id."""
    return f"/tweet-result?id={post_id}&lang=en&token={syndication_token(post_id)}"


def fx_path(post_id: str) -> str:
    return f"/status/{post_id}"


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/jack/status/20", "20"),
        ("https://twitter.com/jack/status/20", "20"),
        ("http://www.twitter.com/jack/status/20", "20"),
        ("https://www.x.com/jack/status/20", "20"),
        ("https://mobile.twitter.com/jack/status/20", "20"),
        ("https://mobile.x.com/jack/status/20", "20"),
        ("https://X.com/Jack_B/status/1629307668568633344", "1629307668568633344"),
        ("https://x.com/jack/status/20/", "20"),
        ("https://x.com/jack/status/20?s=20", "20"),
        ("https://x.com/jack/status/20?s=46&t=AbCdEf-GhIj", "20"),
        ("https://twitter.com/jack/status/20#m", "20"),
        ("https://x.com/jack/status/20/photo/1", "20"),
        ("https://x.com/jack/status/20/video/1", "20"),
        ("https://x.com/jack/status/20/history", "20"),
        ("https://twitter.com/jack/statuses/20", "20"),
        ("https://x.com/i/web/status/20", "20"),
        ("https://twitter.com/i/status/20", "20"),
        ("https://fxtwitter.com/jack/status/20", "20"),
        ("https://fixupx.com/jack/status/20", "20"),
        ("https://vxtwitter.com/jack/status/20/photo/2", "20"),
        ("https://x.com/jack", None),
        ("https://x.com/jack/status/", None),
        ("https://x.com/jack/status/abc", None),
        ("https://x.com/jack/status/20/likes", None),
        ("https://x.com/jack/status/20/retweets", None),
        ("https://x.com/jack/status/20/analytics", None),
        ("https://x.com/home", None),
        ("https://x.com/search?q=status", None),
        ("https://x.com/i/lists/20", None),
        ("https://x.com/a-b/status/20", None),  # no dashes in screen names
        ("https://x.com.example.org/jack/status/20", None),
        ("https://notx.com/jack/status/20", None),
        ("https://example.com/jack/status/20", None),
        ("https://api.fxtwitter.com/status/20", None),
        ("ftp://x.com/jack/status/20", None),
        ("x.com/jack/status/20", None),
        ("not a url", None),
    ],
)
def test_post_ref(url: str, expected: str | None) -> None:
    assert post_ref(url) == expected
    assert XSource.matches(url) is (expected is not None)


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://x.com/jack/status/20", "x"),
        ("https://fixupx.com/jack/status/20", "x"),
        ("https://x.com/jack", "web"),  # no accounts on X: a profile is a web page
        ("https://mastodon.social/@Gargron/109318821117356215", "mastodon"),
        ("https://bsky.app/profile/alice.bsky.social/post/3lbqta5lnck2c", "bluesky"),
        ("https://news.ycombinator.com/item?id=20", "hackernews"),
        ("https://www.reddit.com/r/python/comments/abc123/title/", "reddit"),
        ("https://weibo.com/1749127163/PvXr2dQ8L", "weibo"),
        ("https://t.me/durov/20", "telegram"),
        ("https://example.com/jack/status/20", "web"),
    ],
)
def test_platform_for_picks_x_only_for_x(url: str, platform: str) -> None:
    assert platform_for(url) == platform


def test_non_post_url_is_one_line_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        live(XSource()).fetch(Target("https://x.com/jack", "x"))
    assert str(info.value) == "not an X post URL: https://x.com/jack"


def test_no_accounts() -> None:
    assert XSource.account_ref("https://x.com/jack") is None


# --- the token --------------------------------------------------------------------------------


def test_token_vectors() -> None:
    recording = require(SHARED_FIXTURES / "platforms" / "x" / "token_vectors.json")
    vectors = json.loads(recording.read_text())["vectors"]
    assert len(vectors) >= 14
    for vector in vectors:
        assert syndication_token(vector["id"]) == vector["token"], vector["id"]


@pytest.mark.parametrize(
    ("value", "radix", "expected"),
    [
        (0.0, 36, "0"),
        (255.5, 16, "ff.8"),
        (0.5, 2, "0.1"),
        (35.0, 36, "z"),
        (1e21, 36, "5v1j4f4ds7c000"),  # past 2**53: V8 pads with zeros
        (2.0**60, 10, "1152921504606847000"),
    ],
)
def test_js_radix_matches_javascript(value: float, radix: int, expected: str) -> None:
    assert js_radix(value, radix) == expected


def test_token_strips_every_zero() -> None:
    # (2089067915303649684 / 1e15 * π) in base 36 is 52b.00jdzta2: all zeros go, not only
    # leading ones.
    assert syndication_token("2089067915303649684") == "52bjdzta2"
    assert syndication_token("0") == ""


# --- fetching ---------------------------------------------------------------------------------


def observe(
    site: FakeSite,
    reply: Reply | None,
    post_id: str = POST,
    fallback: Reply | None = None,
    settings: PlatformSettings | None = None,
    http: HttpSettings | None = None,
) -> Observation:
    """Fetch the post with both hosts pointed at FakeSite: syndication answers `reply`, the
    FxTwitter fallback `fallback` (unset: FakeSite's plain-text 404 "no route")."""
    if reply is not None:
        site.set(result_path(post_id), reply)
    if fallback is not None:
        site.set(fx_path(post_id), fallback)
    settings = settings or PlatformSettings(base_url=site.url + "/")
    source = live(XSource(settings), http)
    return source.fetch(Target(f"https://x.com/someone/status/{post_id}", "x"))


def body(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return loaded


def answer(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False), JSON)


def seen(site: FakeSite, data: dict[str, Any]) -> Post:
    result = observe(site, answer(data), str(data["id_str"]))
    assert isinstance(result, Seen), result
    return result.post


def test_plain_reply(site: FakeSite) -> None:
    post = seen(site, body("tweet_plain.json"))
    assert post.id == PLAIN
    assert post.url == f"https://x.com/ExampleCo/status/{PLAIN}"
    # The reply mentions lie before display_text_range; &amp; and &lt; are X's escaping; the
    # t.co link becomes where it leads.
    assert post.text == (
        "Q&A at 5 <3 😀 小米5月交付 — slides: https://example.org/slides?ref=x&notify=1 #launch"
    )
    assert post.author == "@ExampleCo"
    assert post.created_at == datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
    assert (post.edited_at, post.platform_edited, post.title, post.media) == (None, False, "", ())
    assert dict(post.metrics) == {"likes": 21, "replies": 3}


def test_metrics_are_not_content(site: FakeSite) -> None:
    post = seen(site, body("tweet_plain.json"))
    recounted = replace(post, metrics={"likes": 5000})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def _without_links(data: dict[str, Any], entities: object) -> dict[str, Any]:
    """The plain post with no link in its text and `entities` as given (or left out)."""
    data = {**data, "text": "@alice @bob Q&amp;A at 5 #launch"}
    if entities is None:
        del data["entities"]
    else:
        data["entities"] = entities
    return data


@pytest.mark.parametrize(
    "entities",
    [
        {"hashtags": [{"indices": [25, 32], "text": "launch"}], "urls": [], "symbols": []},
        {"hashtags": {}, "urls": {}, "user_mentions": {}, "symbols": {}},  # early 2026
        {},
        None,  # mid-2026: X leaves empty lists out, and with them `entities`
        [],
    ],
)
def test_entities_in_any_shape(site: FakeSite, entities: object) -> None:
    post = seen(site, _without_links(body("tweet_plain.json"), entities))
    assert post.text == "Q&A at 5 #launch"


def test_missing_link_target_keeps_the_short_link(site: FakeSite) -> None:
    data = body("tweet_plain.json")
    data["entities"] = {"urls": {}}
    assert "https://t.co/AbCdEf1234" in seen(site, data).text


def test_media_link_is_dropped_and_media_ids_kept(site: FakeSite) -> None:
    post = seen(site, body("tweet_media.json"))
    assert post.text == "Two photos & more 📷"
    assert post.media == (
        "https://pbs.twimg.com/media/GAbCdEfGhIjKlMn.jpg",
        "https://pbs.twimg.com/media/GOpQrStUvWxYz01.png",
    )
    assert post.created_at == datetime(2025, 6, 2, 8, 30, tzinfo=UTC)


def test_media_link_is_dropped_even_inside_the_range(site: FakeSite) -> None:
    # X's 2026 bodies stretch display_text_range over the media link (tweet_result.json).
    data = body("tweet_media.json")
    data["display_text_range"] = [0, 200]
    data["entities"] = {}
    assert seen(site, data).text == "Two photos & more 📷"


def test_trailing_link_past_the_range_is_hidden(site: FakeSite) -> None:
    data = body("tweet_plain.json")
    quote = "https://t.co/QuOtE00001"
    data["text"] = f"@alice @bob Agreed {quote}"
    data["display_text_range"] = [12, 18]
    data["entities"] = {"urls": [{"url": quote, "expanded_url": "https://x.com/a/status/1"}]}
    assert seen(site, data).text == "Agreed"


def test_range_end_never_cuts_words(site: FakeSite) -> None:
    # The range's end has been seen in UTF-16 units and in code points: it only ever hides
    # whole trailing links, so a miscounted end cannot cut the text short.
    data = _without_links(body("tweet_plain.json"), {})
    data["text"] = "@alice @bob 😀😀😀 three emoji"
    data["display_text_range"] = [12, 20]
    assert seen(site, data).text == "😀😀😀 three emoji"


def test_media_ids_without_an_address(site: FakeSite) -> None:
    data = body("tweet_media.json")
    data["mediaDetails"] = [{"media_key": "3_1929455445000000001"}, {"id_str": "19294554450"}, {}]
    assert seen(site, data).media == ("3_1929455445000000001", "19294554450")
    assert seen(site, data).media_urls == ()


def test_photos_are_seen_at_their_media_url(site: FakeSite) -> None:
    post = seen(site, body("tweet_media.json"))
    assert post.media_urls == (
        "https://pbs.twimg.com/media/GAbCdEfGhIjKlMn.jpg",
        "https://pbs.twimg.com/media/GOpQrStUvWxYz01.png",
    )


def _video(poster: str, variants: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "video", "media_url_https": poster, "video_info": {"variants": variants}}


def test_a_video_is_seen_at_its_mp4_of_the_highest_bitrate(site: FakeSite) -> None:
    data = body("tweet_media.json")
    data["mediaDetails"] = [
        _video(
            "https://pbs.twimg.com/amplify_video_thumb/1/img/poster.jpg",
            [
                {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/pl.m3u8"},
                {
                    "bitrate": 832000,
                    "content_type": "video/mp4",
                    "url": "https://video.twimg.com/m.mp4",
                },
                {
                    "bitrate": 2176000,
                    "content_type": "video/mp4",
                    "url": "https://video.twimg.com/l.mp4",
                },
                {
                    "bitrate": 288000,
                    "content_type": "video/mp4",
                    "url": "https://video.twimg.com/s.mp4",
                },
            ],
        ),
        _video("https://pbs.twimg.com/amplify_video_thumb/2/img/poster.jpg", []),  # its poster
    ]
    post = seen(site, data)
    assert post.media_urls == (
        "https://video.twimg.com/l.mp4",
        "https://pbs.twimg.com/amplify_video_thumb/2/img/poster.jpg",  # no playable file
    )


def test_media_urls_changing_alone_are_no_edit(site: FakeSite) -> None:
    post = seen(site, body("tweet_media.json"))
    data = body("tweet_media.json")
    for item in data["mediaDetails"]:  # another size asked for: the same photo
        item["media_url_https"] += "?format=jpg&name=orig"
    moved = seen(site, data)
    assert (
        moved.media_urls[0]
        == "https://pbs.twimg.com/media/GAbCdEfGhIjKlMn.jpg?format=jpg&name=orig"
    )
    assert moved == post
    assert content_hash(moved) == content_hash(post)


def test_long_post_text_is_what_x_sent(site: FakeSite) -> None:
    data = body("tweet_note.json")
    post = seen(site, data)
    assert post.text == data["text"]  # truncated by X; the rest is not available here
    assert post.text.endswith("…")


# --- edits ------------------------------------------------------------------------------------


def test_latest_version_of_an_edited_post(site: FakeSite) -> None:
    post = seen(site, body("tweet_edit_latest.json"))
    assert (post.id, post.text) == (LATEST, "Doors open at 9 & talks start at 11.")
    assert post.platform_edited is True
    assert post.created_at == datetime(2025, 6, 3, 9, 0, tzinfo=UTC)  # the first version's
    assert post.edited_at == datetime(2025, 6, 3, 9, 40, tzinfo=UTC)


def test_stale_version_is_followed_to_the_newest_then_remembered(site: FakeSite) -> None:
    site.set(result_path(FIRST), answer(body("tweet_edit_first.json")))
    site.set(result_path(LATEST), answer(body("tweet_edit_latest.json")))
    target = Target(f"https://twitter.com/ExampleCo/status/{FIRST}", "x")
    source = live(XSource(PlatformSettings(base_url=site.url)))
    first = source.fetch(target)
    second = source.fetch(target)
    assert isinstance(first, Seen) and first == second
    assert first.post.text == "Doors open at 9 & talks start at 11."
    assert first.post.url == f"https://x.com/ExampleCo/status/{LATEST}"
    assert site.hits(result_path(FIRST)) == 1  # the second check went straight to the newest
    assert site.hits(result_path(LATEST)) == 2
    assert site.hits(result_path(SECOND)) == 0


def test_stale_version_never_shows_its_old_text_when_the_newest_fails(site: FakeSite) -> None:
    site.set(result_path(LATEST), Reply(503, "<html>busy</html>", {"content-type": "text/html"}))
    result = observe(site, answer(body("tweet_edit_first.json")), FIRST)
    assert isinstance(result, Failed)
    assert "HTTP 503" in result.reason


def edit_history(site: FakeSite, second: Reply) -> tuple[Post, tuple[Post, ...]]:
    """Check the first version's URL (followed to the newest), then read the history."""
    site.set(result_path(FIRST), answer(body("tweet_edit_first.json")))
    site.set(result_path(SECOND), second)
    site.set(result_path(LATEST), answer(body("tweet_edit_latest.json")))
    target = Target(f"https://x.com/ExampleCo/status/{FIRST}", "x")
    source = live(XSource(PlatformSettings(base_url=site.url)))
    result = source.fetch(target)
    assert isinstance(result, Seen), result
    return result.post, source.history(target, result.post)


def test_history_reads_every_version_of_the_chain(site: FakeSite) -> None:
    current, versions = edit_history(site, answer(body("tweet_edit_second.json")))
    assert [v.text for v in versions] == [
        "Doors open at 9 & talks start at 10.",
        "Doors open at 9 & talks start at 10:30.",
        "Doors open at 9 & talks start at 11.",
    ]
    assert [v.id for v in versions] == [FIRST, SECOND, LATEST]
    assert versions[-1] is current
    assert [v.edited_at for v in versions] == [
        None,
        datetime(2025, 6, 3, 9, 20, tzinfo=UTC),
        datetime(2025, 6, 3, 9, 40, tzinfo=UTC),
    ]
    assert {v.created_at for v in versions} == {datetime(2025, 6, 3, 9, 0, tzinfo=UTC)}


@pytest.mark.parametrize(
    "second",
    [Reply(500, "oops"), answer({"__typename": "TweetTombstone"}), Reply(200, "<html></html>")],
)
def test_history_with_an_unreadable_version_is_empty(site: FakeSite, second: Reply) -> None:
    _current, versions = edit_history(site, second)
    assert versions == ()
    assert site.hits(fx_path(SECOND)) == 0  # no deletion is being claimed: nothing to confirm


def test_history_of_an_unedited_post_is_empty(site: FakeSite) -> None:
    site.set(result_path(PLAIN), answer(body("tweet_plain.json")))
    target = Target(f"https://x.com/ExampleCo/status/{PLAIN}", "x")
    source = live(XSource(PlatformSettings(base_url=site.url)))
    result = source.fetch(target)
    assert isinstance(result, Seen)
    assert source.history(target, result.post) == ()
    assert len(site.requests) == 1


def test_edit_chain_in_graphql_shape(site: FakeSite) -> None:
    data = body("tweet_edit_latest.json")
    chain = data["edit_control"]["edit_tweet_ids"]
    data["edit_control"] = {
        "initial_tweet_id": FIRST,
        "edit_control_initial": {"edit_tweet_ids": chain},
    }
    data["isEdited"] = False
    post = seen(site, data)
    assert post.platform_edited is True
    assert post.created_at == datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


def test_snowflake_time() -> None:
    assert snowflake_time(FIRST) == datetime(2025, 6, 3, 9, 0, tzinfo=UTC)
    assert snowflake_time("not an id") is None


# --- tombstones: X's reason is its word -------------------------------------------------------


def tombstone(reason: str) -> Reply:
    """A TweetTombstone in X's shape, with its "Learn more" link."""
    text = f"{reason} Learn more"
    link = {
        "from_index": len(reason) + 1,
        "to_index": len(text),
        "ref": {"__typename": "TimelineUrl", "url": "https://help.twitter.com/", "url_type": "x"},
    }
    data = {"text": {"text": text, "entities": [link], "rtl": False}}
    return answer({"__typename": "TweetTombstone", "tombstone": data})


@pytest.mark.parametrize(
    ("reason", "kind", "removed"),
    [
        ("This Post was deleted by the Post author.", Gone, False),
        ("This Tweet was deleted by the Tweet author.", Gone, False),  # the older wording
        ("This Post is from a suspended account.", Gone, True),
        ("This Post violated the X Rules.", Gone, True),
        ("This Tweet violated the Twitter Rules.", Gone, True),
        # Deleted or deactivated by its owner; a reactivation would restore the post.
        ("This Post is from an account that no longer exists.", Gone, False),
        (
            "You’re unable to view this Post because this account owner limits who can view "
            "their Posts.",
            Hidden,
            False,
        ),
        (
            "Age-restricted adult content. This content might not be appropriate for people.",
            Hidden,
            False,
        ),
        (
            "This Post from @someone has been withheld in Germany in response to a legal demand.",
            Hidden,
            False,
        ),
    ],
)
def test_tombstone_with_a_reason(
    site: FakeSite, reason: str, kind: type[Gone] | type[Hidden], removed: bool
) -> None:
    expected = (
        Gone(f"tombstone: {reason}", removed) if kind is Gone else Hidden(f"tombstone: {reason}")
    )
    assert observe(site, tombstone(reason)) == expected
    assert site.hits(fx_path(POST)) == 0  # X's own word needs no confirmation


# --- doubtful answers are confirmed with FxTwitter --------------------------------------------

NOT_FOUND = answer({"code": 404, "message": "NOT_FOUND", "tweet": None}, 404)
DOUBTS = [
    pytest.param(
        answer({"__typename": "TweetTombstone"}), "a tombstone without a reason", id="bare"
    ),
    pytest.param(
        answer({"__typename": "TweetTombstone", "tombstone": {}}),
        "a tombstone without a reason",
        id="empty-tombstone",
    ),
    pytest.param(
        tombstone("This Post is unavailable."),
        "tombstone: This Post is unavailable.",
        id="unavailable",
    ),
    pytest.param(answer({}), "{} (a refused token, or no such post)", id="empty-object"),
    pytest.param(
        Reply(404, "<!doctype html><h1>Nothing</h1>", {"content-type": "text/html"}),
        "HTTP 404",
        id="404",
    ),
    pytest.param(Reply(410, "gone"), "HTTP 410", id="410"),
    pytest.param(None, "the post without its author", id="no-user"),
]


@pytest.mark.parametrize(("reply", "doubt"), DOUBTS)
def test_doubt_confirmed_by_fxtwitter_not_found_is_gone(
    site: FakeSite, reply: Reply | None, doubt: str
) -> None:
    post_id = NO_USER if reply is None else POST
    reply = reply or answer(body("tweet_no_user.json"))
    result = observe(site, reply, post_id, NOT_FOUND)
    assert result == Gone(f"X answered {doubt}; FxTwitter: NOT_FOUND")
    assert site.hits(fx_path(post_id)) == 1


@pytest.mark.parametrize(("reply", "doubt"), DOUBTS)
def test_doubt_alone_is_never_gone(site: FakeSite, reply: Reply | None, doubt: str) -> None:
    post_id = NO_USER if reply is None else POST
    reply = reply or answer(body("tweet_no_user.json"))
    # No fallback route: FakeSite answers a plain-text 404, as a wrong base URL would.
    result = observe(site, reply, post_id)
    assert result == Failed(f"X answered {doubt}; FxTwitter could not confirm: HTTP 404 no route")


V1_GONE = Gone("X answered HTTP 404; FxTwitter: NOT_FOUND")  # v1's verdict, v2 unheard


def v2_tombstone(reason: str, message: str = "") -> Reply:
    status = {"type": "tombstone", "provider": "twitter", "reason": reason, "message": message}
    return answer({"status": status, "thread": None, "author": None, "code": 404}, 404)


@pytest.mark.parametrize(
    ("v2", "expected"),
    [
        (
            v2_tombstone("suspended", "This post is from a suspended account"),
            Gone(
                "X answered HTTP 404; FxTwitter: NOT_FOUND; v2: This post is from a suspended "
                "account",
                removed=True,
            ),
        ),
        (
            v2_tombstone("private"),
            Hidden("X answered HTTP 404; FxTwitter: NOT_FOUND, but v2 says private: private"),
        ),
        (
            v2_tombstone("deleted", "This post was deleted"),
            V1_GONE,
        ),
        (v2_tombstone("unavailable"), V1_GONE),
        (Reply(500, "down"), V1_GONE),
        (
            answer({"code": 200, "status": {"type": "status"}}),
            V1_GONE,
        ),
    ],
)
def test_a_post_found_gone_asks_fxtwitter_v2_why(
    site: FakeSite, v2: Reply, expected: Observation
) -> None:
    site.set(f"/2/status/{POST}", v2)
    assert (
        observe(
            site, Reply(404, "<h1>Nothing</h1>", {"content-type": "text/html"}), POST, NOT_FOUND
        )
        == expected
    )
    assert site.hits(f"/2/status/{POST}") == 1


def test_fxtwitter_v2_is_asked_only_for_a_post_found_gone(site: FakeSite) -> None:
    private = answer({"code": 401, "message": "PRIVATE_TWEET", "tweet": None}, 401)
    observe(site, answer({}), POST, private)
    assert site.hits(f"/2/status/{POST}") == 0


BARE = answer({"__typename": "TweetTombstone"})
COULD_NOT = "X answered a tombstone without a reason; FxTwitter could not confirm: "


@pytest.mark.parametrize(
    ("fallback", "expected"),
    [
        (
            answer({"code": 401, "message": "PRIVATE_TWEET", "tweet": None}, 401),
            Hidden(
                "X answered a tombstone without a reason; FxTwitter: PRIVATE_TWEET (a "
                "protected account)"
            ),
        ),
        (
            answer({"code": 200, "message": "OK", "tweet": {"id": POST, "text": "still here"}}),
            Failed("X answered a tombstone without a reason, but FxTwitter still shows the post"),
        ),
        (
            answer({"code": 503, "message": "UPSTREAM_UNAVAILABLE", "tweet": None}, 503),
            Failed(COULD_NOT + "HTTP 503 UPSTREAM_UNAVAILABLE"),
        ),
        (
            Reply(429, "Rate limit exceeded", {"content-type": "text/plain", "retry-after": "60"}),
            Failed(COULD_NOT + "HTTP 429 Rate limit exceeded"),
        ),
        (
            # FxTwitter in 2023: errors as 200 HTML pages.
            Reply(200, "<html><p>Tweet not found</p></html>", {"content-type": "text/html"}),
            Failed(COULD_NOT + "HTTP 200 Tweet not found"),
        ),
        (
            answer({"code": 404, "message": "", "tweet": None}, 404),
            Failed(COULD_NOT + 'HTTP 404 {"code": 404, "message": "", "tweet": null}'),
        ),
    ],
)
def test_fxtwitter_answers(site: FakeSite, fallback: Reply, expected: Observation) -> None:
    assert observe(site, BARE, fallback=fallback) == expected


def test_fxtwitter_timeout_is_failed(site: FakeSite) -> None:
    slow = Reply(404, '{"code":404,"message":"NOT_FOUND","tweet":null}', JSON, delay=1.0)
    result = observe(site, BARE, fallback=slow, http=HttpSettings(timeout=0.2))
    assert isinstance(result, Failed)
    assert result.reason.startswith(COULD_NOT + "timed out after 0.2s")


def test_fxtwitter_gets_no_cookies_or_headers(site: FakeSite) -> None:
    settings = PlatformSettings(
        base_url=site.url, headers={"x-secret": "1"}, cookies={"auth_token": "s3cret"}
    )
    observe(site, BARE, fallback=NOT_FOUND, settings=settings)
    sent = {path.split("?")[0]: {k.lower(): v for k, v in h.items()} for path, h in site.requests}
    assert sent["/tweet-result"]["cookie"] == "auth_token=s3cret"
    assert "cookie" not in sent[fx_path(POST)]
    assert "x-secret" not in sent[fx_path(POST)]
    assert sent[fx_path(POST)]["user-agent"]  # FxTwitter refuses requests without one


# --- answers that say nothing about the post --------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(429, "Rate limit exceeded", {"content-type": "text/plain"}), RateLimited),
        (Reply(500, "<html>oops</html>", {"content-type": "text/html"}), Failed),
        (Reply(503, "", {}), Failed),
        (Reply(403, "<html>denied</html>", {"content-type": "text/html"}), Blocked),
        (
            Reply(
                200, "<html><body>Something went wrong</body></html>", {"content-type": "text/html"}
            ),
            Failed,
        ),
        (answer([]), Failed),
        (answer({"__typename": "TweetUnavailable", "reason": "Protected"}), Failed),
        (answer({"__typename": "Tweet", "lang": "en"}), Failed),
    ],
)
def test_unobserved_answers_skip_the_fallback(
    site: FakeSite, reply: Reply, expected: type[Observation]
) -> None:
    result = observe(site, reply, fallback=NOT_FOUND)
    assert isinstance(result, expected), result
    assert site.hits(fx_path(POST)) == 0


def test_429_keeps_retry_after(site: FakeSite) -> None:
    result = observe(site, Reply(429, "slow down", {"retry-after": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


def test_post_without_screen_name_is_failed(site: FakeSite) -> None:
    data = body("tweet_plain.json")
    data["user"] = {"id_str": "900000001"}
    result = observe(site, answer(data), PLAIN)
    assert isinstance(result, Failed)
    assert "screen_name" in result.reason


# --- flows without a server: the requests a check makes, in order ----------------------------

X_API = "https://cdn.syndication.twimg.com/tweet-result"
FX_V1 = f"https://api.fxtwitter.com/status/{POST}"
FX_V2 = f"https://api.fxtwitter.com/2/status/{POST}"


def syndication(post_id: str) -> str:
    """The syndication request as `replayed` names it (its query sorted)."""
    return f"{X_API}?id={post_id}&lang=en&token={syndication_token(post_id)}"


def response(url: str, data: object, status: int = 200) -> Response:
    return Response(url, status, JSON, json.dumps(data).encode())


def asked(requests: list[Request]) -> list[str]:
    return [request_key(r) for r in requests]


Answers = dict[str, Response | FetchError]
TARGET = Target(f"https://x.com/someone/status/{POST}", "x")
V1_NOT_FOUND = {"code": 404, "message": "NOT_FOUND", "tweet": None}
SUSPENDED = {
    "status": {"type": "tombstone", "reason": "suspended", "message": "From a suspended account"},
    "code": 404,
}
EMPTY_GONE = "X answered {} (a refused token, or no such post); FxTwitter: NOT_FOUND"


def test_empty_answer_is_confirmed_then_explained_in_one_flow() -> None:
    answers = {
        syndication(POST): response(syndication(POST), {}),
        FX_V1: response(FX_V1, V1_NOT_FOUND, 404),
        FX_V2: response(FX_V2, SUSPENDED, 404),
    }
    result, requests = replayed(XSource().observe(TARGET), answers)
    assert result == Gone(f"{EMPTY_GONE}; v2: From a suspended account", removed=True)
    assert asked(requests) == [syndication(POST), FX_V1, FX_V2]


def test_fxtwitter_transport_error_is_never_a_deletion() -> None:
    answers: Answers = {
        syndication(POST): response(syndication(POST), {}),
        FX_V1: TransportError("connection reset"),
    }
    result, requests = replayed(XSource().observe(TARGET), answers)
    assert result == Failed(
        "X answered {} (a refused token, or no such post); FxTwitter could not confirm: "
        "connection reset"
    )
    assert asked(requests) == [syndication(POST), FX_V1]  # no v2 for a post not found gone


def test_v2_transport_error_leaves_v1_proof_standing() -> None:
    answers: Answers = {
        syndication(POST): response(syndication(POST), {}),
        FX_V1: response(FX_V1, V1_NOT_FOUND, 404),
        FX_V2: TransportError("timed out"),
    }
    result, requests = replayed(XSource().observe(TARGET), answers)
    assert result == Gone(EMPTY_GONE)
    assert asked(requests) == [syndication(POST), FX_V1, FX_V2]


def test_syndication_transport_error_is_failed_without_fxtwitter() -> None:
    answers = {syndication(POST): TransportError("connection refused")}
    result, requests = replayed(XSource().observe(TARGET), answers)
    assert result == Failed("connection refused")
    assert asked(requests) == [syndication(POST)]


def test_fxtwitter_requests_carry_no_platform_headers_or_cookies() -> None:
    settings = PlatformSettings(headers={"x-secret": "1"}, cookies={"auth_token": "s3cret"})
    answers = {
        syndication(POST): response(syndication(POST), {}),
        FX_V1: response(FX_V1, V1_NOT_FOUND, 404),
        FX_V2: response(FX_V2, {"code": 404}, 404),
    }
    _result, requests = replayed(XSource(settings).observe(TARGET), answers)
    to_x, *to_fxtwitter = requests
    assert (dict(to_x.headers), dict(to_x.cookies)) == ({"x-secret": "1"}, {"auth_token": "s3cret"})
    assert all(not r.headers and not r.cookies for r in to_fxtwitter)


def edited(name: str) -> Response:
    data = body(f"tweet_edit_{name}.json")
    return response(syndication(str(data["id_str"])), data)


EDITS = {
    syndication(FIRST): edited("first"),
    syndication(SECOND): edited("second"),
    syndication(LATEST): edited("latest"),
}


def test_edit_chain_is_followed_then_history_read_in_order() -> None:
    source = XSource()
    target = Target(f"https://x.com/ExampleCo/status/{FIRST}", "x")
    result, first_check = replayed(source.observe(target), EDITS)
    assert isinstance(result, Seen) and result.post.id == LATEST
    assert asked(first_check) == [syndication(FIRST), syndication(LATEST)]
    versions, reads = replayed(source.history(target, result.post), EDITS)
    assert [v.id for v in versions] == [FIRST, SECOND, LATEST]
    assert asked(reads) == [syndication(FIRST), syndication(SECOND)]  # the current one is known
    _again, second_check = replayed(source.observe(target), EDITS)
    assert asked(second_check) == [syndication(LATEST)]  # the newest id was remembered


def test_history_with_a_transport_error_mid_chain_is_empty() -> None:
    source = XSource()
    target = Target(f"https://x.com/ExampleCo/status/{LATEST}", "x")
    result, _ = replayed(source.observe(target), EDITS)
    assert isinstance(result, Seen)
    broken: Answers = {**EDITS, syndication(SECOND): TransportError("connection reset")}
    versions, reads = replayed(source.history(target, result.post), broken)
    assert versions == ()
    assert asked(reads) == [syndication(FIRST), syndication(SECOND)]


# --- end to end -------------------------------------------------------------------------------


def test_edit_and_deletion_end_to_end_through_the_cli(site: FakeSite, tmp_path: Path) -> None:
    """The first version's URL, checked with `watcher check`: new; then edited twice between
    two checks (the version in between comes from the chain, the diff is against it); then
    deleted by its author, confirmed by a second fetch."""
    config = tmp_path / "c.toml"
    config.write_text(f'[detect]\nconfirm_pause = 0.01\n[platforms.x]\nbase_url = "{site.url}"\n')
    url = f"https://x.com/ExampleCo/status/{FIRST}"
    args = ["check", url, "--db", str(tmp_path / "w.db"), "-c", str(config), "--json"]

    def check() -> tuple[int, dict[str, Any]]:
        result = CliRunner().invoke(cli, args)
        return result.exit_code, json.loads(result.stdout)

    unedited = body("tweet_edit_first.json")
    unedited.update(isEdited=False, isStaleEdit=False, edit_control={"edit_tweet_ids": [FIRST]})
    site.set(result_path(FIRST), answer(unedited))
    code, first = check()
    assert (code, first["status"], first["post"]["text"]) == (
        0,
        "new",
        "Doors open at 9 & talks start at 10.",
    )

    for post_id, name in [(FIRST, "first"), (SECOND, "second"), (LATEST, "latest")]:
        site.set(result_path(post_id), answer(body(f"tweet_edit_{name}.json")))
    code, edited = check()
    assert (code, edited["status"], edited["revision"]) == (1, "edited", 3)
    assert edited["post"]["url"] == f"https://x.com/ExampleCo/status/{LATEST}"
    assert edited["diff"] == [
        [0, "Doors open at 9 & talks start at "],
        [-1, "10:30"],
        [1, "11"],
        [0, "."],
    ]

    site.set(result_path(LATEST), tombstone("This Post was deleted by the Post author."))
    code, gone = check()
    assert (code, gone["status"]) == (1, "deleted")
    assert gone["reason"] == "tombstone: This Post was deleted by the Post author."
