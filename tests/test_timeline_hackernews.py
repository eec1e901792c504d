"""Hacker News account watches: user URLs, `/v0/user/<name>.json` and its items, and the memo
that spares refetching unchanged items; on our own HN-shaped payloads (and the recorded user and
updates answers) served by FakeSite."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.live import Live, live, replayed
from tests.server import FakeSite, Reply
from tests.test_conformance import recorded_reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import Failed, Gone, Page, Post, RateLimited, Seen, Target, TimelineObservation
from watcher.settings import PlatformSettings
from watcher.sources import platform_for
from watcher.sources.common import Response
from watcher.sources.hackernews import HackerNewsSource, Memo, user_name

PAYLOADS = FIXTURES / "hackernews"
JSON = {"content-type": "application/json; charset=utf-8"}
USER = "https://news.ycombinator.com/user?id=ann"
USER_PATH = "/v0/user/ann.json"
UPDATES = "/v0/updates.json"
# user.json lists these, newest first: story, comment, deleted, dead, null, Ask HN story.
ITEMS = {
    "40480002": "user_story.json",
    "40480001": "user_comment.json",
    "40475078": "deleted.json",
    "40470000": "user_dead.json",
    "121003": "story_ask.json",
}
NULL_ITEM = "40460000"
LIVE = ("40480002", "40480001", "121003")


def payload(name: str) -> Reply:
    return Reply(200, (PAYLOADS / name).read_bytes(), JSON)


def item_path(ident: object) -> str:
    return f"/v0/item/{ident}.json"


def serve_ann(site: FakeSite) -> None:
    """user.json and each of its items."""
    site.set(USER_PATH, payload("user.json"))
    for ident, name in ITEMS.items():
        site.set(item_path(ident), payload(name))
    site.set(item_path(NULL_ITEM), Reply(200, "null", JSON))


def source(site: FakeSite) -> Live:
    return live(HackerNewsSource(PlatformSettings(base_url=site.url + "/")))


def read(site: FakeSite, url: str = USER, pages: int = 1) -> TimelineObservation:
    return source(site).timeline(Target(url, "hackernews"), pages)


def page(site: FakeSite, url: str = USER, pages: int = 1) -> Page:
    result = read(site, url, pages)
    assert isinstance(result, Page), result
    return result


def comment(ident: int, by: str = "ann", text: str = "") -> dict[str, Any]:
    """An HN comment item, as Firebase answers it."""
    body = text or f"Comment {ident}"
    return {"by": by, "id": ident, "parent": 1, "text": body, "time": 1716000000, "type": "comment"}


def serve_user(site: FakeSite, name: str, ids: list[int]) -> None:
    """A user answer listing `ids`, and a comment for each."""
    user = {"created": 1173923446, "id": name, "karma": 1, "submitted": ids}
    site.set(f"/v0/user/{name}.json", Reply(200, json.dumps(user), JSON))
    for ident in ids:
        site.set(item_path(ident), Reply(200, json.dumps(comment(ident, name)), JSON))


def item_hits(site: FakeSite) -> int:
    return sum(1 for path, _ in site.requests if path.startswith("/v0/item/"))


# --- account URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (USER, "ann"),
        ("https://news.ycombinator.com/submitted?id=ann", "ann"),
        ("http://news.ycombinator.com/user?id=dang", "dang"),
        ("https://news.ycombinator.com/user?id=Ann_Dev-2", "Ann_Dev-2"),  # case is kept
        ("https://news.ycombinator.com/submitted?id=jl&next=8090946", "jl"),
        ("https://news.ycombinator.com/user?id=pg#about", "pg"),
        ("https://news.ycombinator.com/user?id=", None),
        ("https://news.ycombinator.com/user?id=a.b", None),
        ("https://news.ycombinator.com/user?id=ann%20dev", None),
        ("https://news.ycombinator.com/user?id=../item", None),
        (f"https://news.ycombinator.com/user?id={'x' * 33}", None),
        ("https://news.ycombinator.com/user?id=ann&id=bob", None),
        ("https://news.ycombinator.com/user", None),
        ("https://news.ycombinator.com/threads?id=ann", None),  # comments page: not followed
        ("https://news.ycombinator.com/user/ann", None),
        ("https://example.com/user?id=ann", None),
        ("https://hacker-news.firebaseio.com/v0/user/ann.json", None),
        ("ftp://news.ycombinator.com/user?id=ann", None),
        ("https://news.ycombinator.com/item?id=8863", None),  # an item is a post
    ],
)
def test_account_ref(url: str, expected: str | None) -> None:
    assert user_name(url) == expected
    assert HackerNewsSource.account_ref(url) == expected
    if expected is not None:  # an account URL is never taken for a post
        assert not HackerNewsSource.matches(url)
        assert platform_for(url) == "hackernews"


def test_item_url_is_a_post_not_an_account() -> None:
    url = "https://news.ycombinator.com/item?id=8863"
    assert HackerNewsSource.matches(url) and HackerNewsSource.account_ref(url) is None


def test_item_url_cannot_be_read_as_a_timeline(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Hacker News user URL"):
        read(site, "https://news.ycombinator.com/item?id=8863")
    assert site.requests == []


# --- a page -----------------------------------------------------------------------------------


def test_page_lists_live_items_newest_first(site: FakeSite) -> None:
    serve_ann(site)
    result = page(site)
    assert result.ids == LIVE
    assert result.account == "ann"
    story = result.posts[0]
    assert story.url == "https://news.ycombinator.com/item?id=40480002"
    assert story.title == "Show HN: A diff that keeps CJK & emoji intact"
    assert (story.text, story.author) == ("https://example.com/diff", "ann")
    assert result.posts[1].text == "It was renamed in 2.0.\n\nThe old flag still works."
    assert site.hits(USER_PATH) == 1
    assert item_hits(site) == 6  # every listed id once; nothing remembered yet, so no updates
    assert site.hits(UPDATES) == 0


def test_submitted_url_reads_the_same_user(site: FakeSite) -> None:
    serve_ann(site)
    assert page(site, "https://news.ycombinator.com/submitted?id=ann").ids == LIVE


def test_deleted_dead_and_null_items_are_left_out(site: FakeSite) -> None:
    """A timeline only lists: whether a followed post is gone is its own check's to say."""
    serve_ann(site)
    listed = page(site).ids
    assert not {"40475078", "40470000", NULL_ITEM} & set(listed)
    assert site.hits("/v0/maxitem.json") == 0  # a null item is left out, not explained


@pytest.mark.parametrize("ident", LIVE)
def test_listed_post_equals_fetched_post(site: FakeSite, ident: str) -> None:
    """The account watch stores a listed post as revision 1, then checks it directly: any
    difference would read as an edit."""
    serve_ann(site)
    listed = {post.id: post for post in page(site).posts}[ident]
    direct = source(site).fetch(Target(listed.url, "hackernews"))
    assert isinstance(direct, Seen) and direct.post == listed
    assert direct.post.metrics == listed.metrics


def test_user_without_submissions_is_an_empty_page(site: FakeSite) -> None:
    # Firebase leaves empty lists out of an object.
    site.set(USER_PATH, Reply(200, '{"created":1173923446,"id":"ann","karma":1}', JSON))
    assert page(site) == Page((), "ann")


def test_account_is_named_as_hn_spells_it(site: FakeSite) -> None:
    serve_user(site, "Ann", [3, 2])
    result = page(site, "https://news.ycombinator.com/user?id=Ann")
    assert (result.account, result.ids) == ("Ann", ("3", "2"))


# --- pages: 30 ids each -----------------------------------------------------------------------

MANY = list(range(1070, 1000, -1))  # 70 ids, newest first


@pytest.mark.parametrize(("pages", "count"), [(1, 30), (2, 60), (3, 70), (5, 70)])
def test_a_page_is_30_ids(site: FakeSite, pages: int, count: int) -> None:
    serve_user(site, "ann", MANY)
    result = page(site, pages=pages)
    assert result.ids == tuple(str(i) for i in MANY[:count])
    assert item_hits(site) == count
    assert site.hits(USER_PATH) == 1  # one user answer lists every page


# --- trouble ----------------------------------------------------------------------------------


def test_user_null_is_the_account_gone(site: FakeSite) -> None:
    site.set(USER_PATH, Reply(200, "null", JSON))
    assert read(site) == Gone("no such Hacker News user: ann")


@pytest.mark.parametrize("status", [404, 500, 503])
def test_user_http_error_is_failed_not_gone(site: FakeSite, status: int) -> None:
    site.set(USER_PATH, Reply(status, "<h1>down</h1>"))
    result = read(site)
    assert isinstance(result, Failed) and str(status) in result.reason


def test_user_429_is_rate_limited(site: FakeSite) -> None:
    site.set(USER_PATH, Reply(429, "{}", {**JSON, "Retry-After": "30"}))
    assert read(site) == RateLimited("HTTP 429 Too Many Requests", 30.0)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[1, 2]",
        b"not json",
        b'{"id": "ann", "submitted": "40480002"}',
        b'{"id": "ann", "submitted": [40480002, "x"]}',
        b'{"id": "ann", "submitted": [true]}',
    ],
)
def test_user_body_of_another_shape_is_failed(site: FakeSite, body: bytes) -> None:
    site.set(USER_PATH, Reply(200, body, JSON))
    assert isinstance(read(site), Failed)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, "<h1>down</h1>"),
        Reply(404, "no route"),
        Reply(200, b"<html>down</html>", JSON),
        Reply(200, (PAYLOADS / "not_an_item.json").read_bytes(), JSON),
    ],
)
def test_any_other_item_failure_fails_the_whole_read(site: FakeSite, reply: Reply) -> None:
    """Never a partial page: a post left out of the first listing would be "new" next time."""
    serve_ann(site)
    site.set(item_path("121003"), reply)
    result = read(site)
    assert isinstance(result, Failed) and "121003" in result.reason


def test_item_429_is_rate_limited(site: FakeSite) -> None:
    serve_ann(site)
    site.set(item_path("40480001"), Reply(429, "{}", {**JSON, "Retry-After": "30"}))
    assert read(site) == RateLimited("HTTP 429 Too Many Requests", 30.0)


# --- the memo: few requests per check ---------------------------------------------------------


def test_second_read_fetches_only_new_and_updated_ids(site: FakeSite) -> None:
    serve_ann(site)
    site.set(UPDATES, payload("updates.json"))  # lists 40480001 (and an item of someone else)
    user = json.loads((PAYLOADS / "user.json").read_text())
    hn = source(site)
    first = hn.timeline(Target(USER, "hackernews"))
    user["submitted"].insert(0, 40490000)  # ann posts again
    site.set(USER_PATH, Reply(200, json.dumps(user), JSON))
    site.set(item_path(40490000), Reply(200, json.dumps(comment(40490000)), JSON))
    second = hn.timeline(Target(USER, "hackernews"))
    assert isinstance(first, Page) and isinstance(second, Page)
    assert second.ids == ("40490000", *first.ids)
    assert second.posts[1:] == first.posts
    assert site.hits(UPDATES) == 1
    assert site.hits(item_path(40490000)) == 1  # new: fetched
    assert site.hits(item_path(40480001)) == 2  # in updates.json: fetched again
    assert site.hits(item_path(40480002)) == 1  # remembered
    assert site.hits(item_path(121003)) == 1
    assert site.hits(item_path(40475078)) == 1  # a deletion is final: remembered too
    assert site.hits(item_path(40470000)) == 2  # dead can be vouched for: never remembered
    assert site.hits(item_path(NULL_ITEM)) == 2  # null may be written yet: never remembered


def test_updated_item_is_listed_as_it_is_now(site: FakeSite) -> None:
    serve_ann(site)
    site.set(UPDATES, payload("updates.json"))
    edited = json.loads((PAYLOADS / "user_comment.json").read_text())
    edited["text"] = "It was renamed in 2.1."
    hn = source(site)
    hn.timeline(Target(USER, "hackernews"))
    site.set(item_path(40480001), Reply(200, json.dumps(edited), JSON))
    second = hn.timeline(Target(USER, "hackernews"))
    assert isinstance(second, Page)
    assert second.posts[1].text == "It was renamed in 2.1."


def test_item_deleted_since_is_left_out_once_updates_list_it(site: FakeSite) -> None:
    serve_ann(site)
    site.set(UPDATES, payload("updates.json"))
    deleted = {"deleted": True, "id": 40480001, "parent": 40479000, "time": 1716729000}
    hn = source(site)
    hn.timeline(Target(USER, "hackernews"))
    site.set(item_path(40480001), Reply(200, json.dumps({**deleted, "type": "comment"}), JSON))
    second = hn.timeline(Target(USER, "hackernews"))
    assert isinstance(second, Page) and second.ids == ("40480002", "121003")


@pytest.mark.parametrize(
    "updates",
    [
        Reply(500, "<h1>down</h1>"),
        Reply(200, b"null", JSON),
        Reply(200, b'{"profiles": ["ann"]}', JSON),
        Reply(200, b"not json", JSON),
    ],
)
def test_unreadable_updates_refetches_every_item(site: FakeSite, updates: Reply) -> None:
    serve_ann(site)
    site.set(UPDATES, updates)
    hn = source(site)
    first = hn.timeline(Target(USER, "hackernews"))
    second = hn.timeline(Target(USER, "hackernews"))
    assert first == second and isinstance(second, Page)
    assert site.hits(UPDATES) == 1
    assert item_hits(site) == 2 * (len(ITEMS) + 1)


def test_direct_fetch_refreshes_the_memo(site: FakeSite) -> None:
    """A followed post's own check keeps the listing's copy fresh, updates.json or not."""
    serve_ann(site)
    site.set(UPDATES, Reply(200, b'{"items": [], "profiles": []}', JSON))
    edited = json.loads((PAYLOADS / "user_story.json").read_text())
    edited["title"] = "Show HN: A diff for CJK text"
    hn = source(site)
    hn.timeline(Target(USER, "hackernews"))
    site.set(item_path(40480002), Reply(200, json.dumps(edited), JSON))
    direct = hn.fetch(Target("https://news.ycombinator.com/item?id=40480002", "hackernews"))
    second = hn.timeline(Target(USER, "hackernews"))
    assert isinstance(direct, Seen) and isinstance(second, Page)
    assert second.posts[0] == direct.post
    assert site.hits(item_path(40480002)) == 2  # the first read and the direct fetch


def test_memo_forgets_the_least_recently_used() -> None:
    memo = Memo(size=2)
    posts = {i: Seen(Post(i, f"https://news.ycombinator.com/item?id={i}", i)) for i in "123"}
    memo.note("1", posts["1"])
    memo.note("2", posts["2"])
    assert memo.recall("1") == posts["1"]  # now the most recently used
    memo.note("3", posts["3"])
    assert ("1" in memo, "2" in memo, "3" in memo) == (True, False, True)
    assert len(memo) == 2


@pytest.mark.parametrize(
    "observed",
    [None, Gone("dead (killed by flags or moderators)", removed=True), Failed("HTTP 500")],
)
def test_memo_forgets_what_may_change_back(observed: Failed | Gone | None) -> None:
    memo = Memo()
    memo.note("1", Seen(Post("1", "https://news.ycombinator.com/item?id=1", "x")))
    memo.note("1", observed)
    assert memo.recall("1") is None and len(memo) == 0


# --- sans-I/O: the listing's requests, answered with no server --------------------------------

BASE = "http://firebase.test"


def recorded(name: str) -> Response:
    return Response(BASE, 200, dict(JSON), (PAYLOADS / name).read_bytes())


def firebase(**changes: Response | FetchError) -> dict[str, Response | FetchError]:
    """ann's user answer and items (as `serve_ann`), with `changes` by item id."""
    answers: dict[str, Response | FetchError] = {BASE + USER_PATH: recorded("user.json")}
    answers |= {BASE + item_path(ident): recorded(name) for ident, name in ITEMS.items()}
    answers[BASE + item_path(NULL_ITEM)] = Response(BASE, 200, dict(JSON), b"null")
    answers |= {BASE + item_path(ident): reply for ident, reply in changes.items()}
    return answers


def test_an_item_failing_mid_listing_fails_the_read_and_asks_no_further() -> None:
    hn = HackerNewsSource(PlatformSettings(base_url=BASE))
    answers = firebase(**{"40480001": TransportError("connection reset")})
    result, asked = replayed(hn.timeline(Target(USER, "hackernews")), answers)
    assert result == Failed("connection reset")  # never a partial page
    assert [r.url for r in asked] == [
        BASE + USER_PATH,
        BASE + item_path("40480002"),
        BASE + item_path("40480001"),
    ]


def test_the_read_after_a_failed_one_spares_what_it_read_before_the_failure() -> None:
    hn = HackerNewsSource(PlatformSettings(base_url=BASE))
    failing = firebase(**{"40480001": Response(BASE, 500, {}, b"down")})
    result, _ = replayed(hn.timeline(Target(USER, "hackernews")), failing)
    assert isinstance(result, Failed) and result.reason.startswith("item 40480001 not read: ")
    answers = firebase() | {BASE + UPDATES: Response(BASE, 200, dict(JSON), b'{"items": []}')}
    again, asked = replayed(hn.timeline(Target(USER, "hackernews")), answers)
    assert isinstance(again, Page) and again.ids == LIVE
    fetched = [r.url.removeprefix(BASE) for r in asked]
    assert fetched[:2] == [USER_PATH, UPDATES]
    assert item_path("40480002") not in fetched  # remembered from the failed read
    assert item_path("40480001") in fetched


# --- the recorded user and updates answers (../shared/fixtures/platforms/hn) ------------------


def test_recorded_user_lists_its_first_30_items(site: FakeSite) -> None:
    reply = recorded_reply("hn", "user.json")
    submitted = json.loads(reply.encoded())["submitted"]
    assert len(submitted) > 60  # jl has more than two pages
    site.set("/v0/user/jl.json", reply)
    for ident in submitted:  # the recording has no items: ours, in Firebase's shape
        site.set(item_path(ident), Reply(200, json.dumps(comment(ident, "jl")), JSON))
    result = page(site, "https://news.ycombinator.com/submitted?id=jl")
    assert result.account == "jl"
    assert result.ids == tuple(str(i) for i in submitted[:30])
    assert result.ids[:3] == ("8265435", "8168423", "8090946")
    assert result.posts[0].author == "jl"
    assert item_hits(site) == 30


def test_recorded_updates_refetches_only_the_changed_items(site: FakeSite) -> None:
    reply = recorded_reply("hn", "updates.json")
    changed = json.loads(reply.encoded())["items"]
    # "thefox" is among the recording's changed profiles; we give it two changed items and
    # two that did not change.
    listed = [changed[0], changed[1], 8100000, 8000000]
    serve_user(site, "thefox", listed)
    site.set(UPDATES, reply)
    url = "https://news.ycombinator.com/user?id=thefox"
    hn = source(site)
    hn.timeline(Target(url, "hackernews"))
    second = hn.timeline(Target(url, "hackernews"))
    assert isinstance(second, Page) and second.ids == tuple(str(i) for i in listed)
    assert [site.hits(item_path(i)) for i in listed] == [2, 2, 1, 1]
    assert site.hits(UPDATES) == 1
