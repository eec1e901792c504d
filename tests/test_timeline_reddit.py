"""Reddit account watches: user URLs and their submitted, comments and overview listings, on our
own Listing-shaped payloads served by FakeSite."""

from __future__ import annotations

import json
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
    Page,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.settings import PlatformSettings
from watcher.sources.common import Response
from watcher.sources.reddit import RedditSource, Thing, thing

PAYLOADS = FIXTURES / "reddit"
JSON = {"content-type": "application/json; charset=UTF-8"}
HTML = {"content-type": "text/html; charset=utf-8"}
USER = "https://www.reddit.com/user/ann_dev"
SUBMITTED = "/user/ann_dev/submitted.json"
REQUEST = f"{SUBMITTED}?raw_json=1&sort=new"


def payload(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), headers or JSON)


def read(
    site: FakeSite, reply: Reply, url: str = USER, path: str = SUBMITTED
) -> TimelineObservation:
    site.set(path, reply)
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    return source.timeline(Target(url, "reddit"))


def page(site: FakeSite, name: str = "user_submitted.json") -> Page:
    result = read(site, payload(name), path=REQUEST)
    assert isinstance(result, Page), result
    return result


# --- account URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (USER, "ann_dev"),
        ("https://www.reddit.com/user/Ann_Dev/", "ann_dev"),
        ("https://www.reddit.com/u/ann_dev", "ann_dev"),
        ("https://old.reddit.com/user/ann-dev/", "ann-dev"),
        ("https://new.reddit.com/u/ann_dev/?sort=top", "ann_dev"),
        ("https://reddit.com/user/ann_dev#posts", "ann_dev"),
        ("http://np.reddit.com/user/ann_dev", "ann_dev"),
        ("https://www.reddit.com/user/ann_dev/submitted/", "ann_dev"),
        ("https://www.reddit.com/user/ann_dev/comments/1abc2de/x/", None),  # a post
        ("https://www.reddit.com/u/ann_dev/comments/1abc2de", None),
        ("https://www.reddit.com/user/ann_dev/comments", "ann_dev"),
        ("https://www.reddit.com/u/ann_dev/comments/", "ann_dev"),
        ("https://old.reddit.com/user/Ann_Dev/Comments/", "ann_dev"),
        ("http://np.reddit.com/u/ann_dev/comments?sort=top", "ann_dev"),
        ("https://www.reddit.com/user/ann_dev/overview", "ann_dev"),
        ("https://new.reddit.com/u/ann_dev/overview/", "ann_dev"),
        ("https://www.reddit.com/user/ann_dev/gilded", None),
        ("https://www.reddit.com/user/ann_dev/overview/comments", None),
        ("https://www.reddit.com/r/python", None),
        ("https://www.reddit.com/user/", None),
        ("https://www.reddit.com/user/name.with.dots", None),
        ("https://notreddit.com/user/ann_dev", None),
        ("https://redd.it/ann_dev", None),
        ("ftp://www.reddit.com/user/ann_dev", None),
    ],
)
def test_account_ref(url: str, expected: str | None) -> None:
    assert RedditSource.account_ref(url) == expected
    if expected is not None:  # an account URL is never taken for a post
        assert thing(url) is None and not RedditSource.matches(url)


def test_post_url_is_no_account() -> None:
    url = "https://www.reddit.com/user/ann_dev/comments/1abc2de/release_20_more/"
    assert RedditSource.matches(url) and RedditSource.account_ref(url) is None


def test_post_url_cannot_be_read_as_a_timeline(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Reddit user URL"):
        read(site, payload("user_submitted.json"), "https://redd.it/1abc2de")
    assert site.requests == []


# --- pages ------------------------------------------------------------------------------------


def test_page_lists_posts_newest_first(site: FakeSite) -> None:
    result = page(site)
    assert result.ids == ("1new000", "1lnk000", "1abc2de", "1rem000")
    assert result.account == "u/ann_dev"
    newest = result.posts[0]
    assert (newest.title, newest.text) == ("Follow-up: 2.0.1", "Fixes the installer.")
    assert newest.url == "https://www.reddit.com/r/python/comments/1new000/followup_201/"
    assert newest.created_at == datetime(2025, 6, 2, 21, 33, 20, tzinfo=UTC)
    assert site.hits(REQUEST) == 1


def test_removed_post_is_listed_not_gone(site: FakeSite) -> None:
    """A timeline only lists: whether a post is gone is its direct check's to say."""
    removed = page(site).posts[3]
    assert (removed.id, removed.text, removed.author) == ("1rem000", "[removed]", "u/ann_dev")


@pytest.mark.parametrize(("index", "fixture"), [(2, "post_self.json"), (3, "post_removed.json")])
def test_post_from_timeline_equals_post_from_fetch(
    site: FakeSite, index: int, fixture: str
) -> None:
    """The account watch stores a listed post as revision 1, then checks it directly: any
    difference would read as an edit. Served the same data, both paths give the same Post."""
    listed = page(site).posts[index]
    body = json.loads((PAYLOADS / "user_submitted.json").read_text())
    data = body["data"]["children"][index]["data"]
    thread = json.loads((PAYLOADS / fixture).read_text())
    thread[0]["data"]["children"][0]["data"] = data
    site.set(f"/comments/{listed.id}/.json", Reply(200, json.dumps(thread), JSON))
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    direct = source.fetch(Target(listed.url, "reddit"))
    if isinstance(direct, Seen):
        assert direct.post == listed and direct.post.metrics == listed.metrics
    else:  # the removed post: its direct check says Gone; the timeline listed its text as is
        assert isinstance(direct, Gone) and direct.removed


def test_listed_post_equals_fetched_post_from_its_own_payload(site: FakeSite) -> None:
    """The listing's copy of post_self.json's post is the very Post a fetch of it gives."""
    listed = page(site).posts[2]
    site.set("/comments/1abc2de/.json", payload("post_self.json"))
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    direct = source.fetch(Target(listed.url, "reddit"))
    assert isinstance(direct, Seen) and direct.post == listed
    assert (direct.post.id, direct.post.text, direct.post.title) == (
        listed.id,
        listed.text,
        listed.title,
    )


def test_empty_page_is_a_page(site: FakeSite) -> None:
    assert page(site, "user_submitted_empty.json") == Page((), "u/ann_dev")


def test_u_url_reads_the_same_endpoint(site: FakeSite) -> None:
    result = read(site, payload("user_submitted.json"), "https://old.reddit.com/u/Ann_Dev/")
    assert isinstance(result, Page)
    assert [path for path, _ in site.requests] == [REQUEST]


def test_base_url_is_used(site: FakeSite) -> None:
    site.set(f"/mirror{SUBMITTED}", payload("user_submitted.json"))
    source = live(RedditSource(PlatformSettings(base_url=f"{site.url}/mirror/")))
    assert isinstance(source.timeline(Target(USER, "reddit")), Page)
    assert site.hits(f"/mirror{SUBMITTED}") == 1


# --- not-ok answers ---------------------------------------------------------------------------


def test_404_json_is_the_account_gone(site: FakeSite) -> None:
    result = read(site, payload("error_not_found_404.json", 404))
    assert isinstance(result, Gone) and not result.removed
    assert result.reason.startswith("u/ann_dev: no such account")


def test_404_without_reddit_json_is_not_gone(site: FakeSite) -> None:
    assert isinstance(read(site, Reply(404, "no route", {"content-type": "text/plain"})), Broken)


def test_403_with_a_reason_is_hidden(site: FakeSite) -> None:
    result = read(site, payload("error_private_403.json", 403))
    assert isinstance(result, Hidden) and result.reason.startswith("u/ann_dev is not shown")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(403, '{"message": "Forbidden", "error": 403}', JSON),
        Reply(403, (PAYLOADS / "block_network_policy.html").read_bytes(), HTML),
        Reply(200, (PAYLOADS / "block_network_policy.html").read_bytes(), HTML),
    ],
)
def test_block_is_blocked(site: FakeSite, reply: Reply) -> None:
    assert isinstance(read(site, reply), Blocked)


def test_429_is_rate_limited(site: FakeSite) -> None:
    reply = Reply(
        429, '{"message": "Too Many Requests", "error": 429}', {**JSON, "retry-after": "7"}
    )
    result = read(site, reply)
    assert isinstance(result, RateLimited) and result.retry_after == 7


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    assert isinstance(read(site, Reply(status, "<h1>down</h1>", HTML)), Failed)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[]",
        b"not json",
        b'{"kind": "Listing", "data": {"children": {}}}',
        b'{"kind": "Listing", "data": {"children": [{"kind": "t3"}]}}',
        b'{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "x"}}]}}',
    ],
)
def test_unexpected_shape_is_failed(site: FakeSite, body: bytes) -> None:
    assert isinstance(read(site, Reply(200, body, JSON)), Failed)


# --- deeper pages: after ----------------------------------------------------------------------

NEWEST = ("1new000", "1lnk000", "1abc2de", "1rem000")
OLDER = ("1old002", "1old001")


def after(fullname: str) -> str:
    return f"{REQUEST}&after={fullname}"


def read_pages(site: FakeSite, pages: int) -> TimelineObservation:
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    return source.timeline(Target(USER, "reddit"), pages)


def listed(site: FakeSite, pages: int) -> Page:
    result = read_pages(site, pages)
    assert isinstance(result, Page), result
    return result


def listing(name: str, after: str | None = None, children: list[object] | None = None) -> Reply:
    body = json.loads((PAYLOADS / name).read_text())
    body["data"]["after"] = after
    if children is not None:
        body["data"]["children"] = children
    return Reply(200, json.dumps(body), JSON)


def test_one_page_is_the_single_request_as_before(site: FakeSite) -> None:
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), payload("user_submitted_older.json"))
    assert listed(site, 1).ids == NEWEST
    assert [path for path, _ in site.requests] == [REQUEST]


@pytest.mark.parametrize("pages", [2, 3])
def test_next_page_is_after_the_listings_after(site: FakeSite, pages: int) -> None:
    site.set(REQUEST, payload("user_submitted.json"))  # after: t3_1rem000
    site.set(after("t3_1rem000"), payload("user_submitted_older.json"))  # after: null
    result = listed(site, pages)
    assert result.ids == NEWEST + OLDER
    assert result.account == "u/ann_dev"
    assert [path for path, _ in site.requests] == [REQUEST, after("t3_1rem000")]


def test_three_pages_follow_each_after(site: FakeSite) -> None:
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), listing("user_submitted_older.json", "t3_1old001"))
    site.set(after("t3_1old001"), payload("user_submitted_empty.json"))
    assert listed(site, 3).ids == NEWEST + OLDER
    assert site.hits(SUBMITTED) == 3


def test_an_empty_page_ends_the_reading(site: FakeSite) -> None:
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), listing("user_submitted_empty.json", "t3_zzz"))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(SUBMITTED) == 2


def test_after_null_is_the_last_page(site: FakeSite) -> None:
    site.set(REQUEST, listing("user_submitted.json", None))
    assert listed(site, 3).ids == NEWEST
    assert site.hits(SUBMITTED) == 1


def test_a_post_listed_again_keeps_its_first_listing(site: FakeSite) -> None:
    first = json.loads((PAYLOADS / "user_submitted.json").read_text())["data"]["children"]
    older = json.loads((PAYLOADS / "user_submitted_older.json").read_text())["data"]["children"]
    again = {**first[-1], "data": {**first[-1]["data"], "score": 1}}  # the listing shifted
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), listing("user_submitted_older.json", None, [again, *older]))
    result = listed(site, 2)
    assert result.ids == NEWEST + OLDER
    assert result.posts[3] == listed(site, 1).posts[3]


def test_a_page_that_only_repeats_ends_the_reading(site: FakeSite) -> None:
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), listing("user_submitted.json", "t3_zzz"))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(SUBMITTED) == 2


@pytest.mark.parametrize(
    "later",
    [
        Reply(500, "<h1>down</h1>", HTML),
        Reply(429, '{"message": "Too Many Requests", "error": 429}', {**JSON, "retry-after": "7"}),
        payload("error_not_found_404.json", 404),
        Reply(200, "<html><title>Blocked</title>whoa there, pardner!</html>", HTML),
        Reply(200, b'{"kind": "Listing", "data": {"children": {}}}', JSON),
    ],
)
def test_trouble_on_a_later_page_keeps_the_pages_before(site: FakeSite, later: Reply) -> None:
    site.set(REQUEST, payload("user_submitted.json"))
    site.set(after("t3_1rem000"), later)
    assert read_pages(site, 3) == read_pages(site, 1)


# --- comments and overview listings -----------------------------------------------------------

COMMENTS_URL = "https://www.reddit.com/user/ann_dev/comments"
COMMENTS = "/user/ann_dev/comments.json?raw_json=1&sort=new"
OVERVIEW = "/user/ann_dev/overview.json?raw_json=1&sort=new"
THREAD = "https://www.reddit.com/r/python/comments/1abc2de/release_20_more"
LIVE_COMMENTS = ("mc00005", "mc00003")  # user_comments.json without its [removed] and [deleted]


def timeline(site: FakeSite, url: str, pages: int = 1) -> Page:
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    result = source.timeline(Target(url, "reddit"), pages)
    assert isinstance(result, Page), result
    return result


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (USER, SUBMITTED),
        ("https://www.reddit.com/user/ann_dev/submitted/", SUBMITTED),
        (COMMENTS_URL, "/user/ann_dev/comments.json"),
        ("https://old.reddit.com/u/Ann_Dev/comments/", "/user/ann_dev/comments.json"),
        ("https://www.reddit.com/user/ann_dev/overview", "/user/ann_dev/overview.json"),
        ("https://np.reddit.com/u/ann_dev/Overview/", "/user/ann_dev/overview.json"),
    ],
)
def test_the_url_names_the_listing_read(site: FakeSite, url: str, path: str) -> None:
    site.set(path, payload("user_submitted_empty.json"))
    timeline(site, url)
    assert [request.split("?")[0] for request, _ in site.requests] == [path]


def test_comments_listing(site: FakeSite) -> None:
    site.set(COMMENTS, payload("user_comments.json"))
    result = timeline(site, COMMENTS_URL)
    assert (result.ids, result.account) == (LIVE_COMMENTS, "u/ann_dev")
    edited = result.posts[1]
    assert edited.url == f"{THREAD}/mc00003/"
    assert thing(edited.url) == Thing("1abc2de", "mc00003")
    assert (edited.title, edited.text) == (
        "",
        "Docs: https://example.com/docs?a=1&b=2 — 已更新 ✅\n\n> quoted",
    )
    assert (edited.author, edited.platform_edited) == ("u/ann_dev", True)
    assert edited.created_at == datetime(2025, 6, 2, 16, 0, tzinfo=UTC)
    assert edited.edited_at == datetime(2025, 6, 2, 17, 0, 0, 500000, tzinfo=UTC)
    # num_comments in a user listing counts the thread's comments: not the comment's metric
    assert dict(edited.metrics) == {"score": 12, "ups": 12}


def test_overview_mixes_posts_and_comments(site: FakeSite) -> None:
    site.set(OVERVIEW, payload("user_overview_mixed.json"))
    result = timeline(site, "https://www.reddit.com/user/ann_dev/overview")
    # the [removed] comment mc00004 is left out; the removed post 1rem000 stays listed
    assert result.ids == ("mc00005", "1new000", "1lnk000", "mc00003", "1rem000")
    assert result.account == "u/ann_dev"
    post, comment = result.posts[1], result.posts[0]
    assert (post.title, post.text) == ("Follow-up: 2.0.1", "Fixes the installer.")
    assert post.url == "https://www.reddit.com/r/python/comments/1new000/followup_201/"
    assert (comment.title, comment.text) == ("", "Thanks, fixed in 2.0.1.")
    assert thing(comment.url) == Thing("1abc2de", "mc00005")


@pytest.mark.parametrize(
    "gone",
    [
        {"body": "[deleted]", "author": "[deleted]"},
        {"body": "[removed]"},
        {"removed_by_category": "moderator"},
    ],
)
def test_gone_comments_are_left_out(site: FakeSite, gone: dict[str, str]) -> None:
    """Listed, a gone comment would be followed as a new one saying "[deleted]"; left out, a
    known one vanishes from between its neighbours and its own direct check decides."""
    children = json.loads((PAYLOADS / "user_comments.json").read_text())["data"]["children"]
    children[0]["data"].update(gone)
    site.set(COMMENTS, listing("user_comments.json", "t1_mc00002", children))
    assert timeline(site, COMMENTS_URL).ids == ("mc00003",)


def test_a_deleted_accounts_comment_is_listed(site: FakeSite) -> None:
    """A deleted account leaves author "[deleted]" and the text intact: the comment is there."""
    children = json.loads((PAYLOADS / "user_comments.json").read_text())["data"]["children"]
    children[0]["data"]["author"] = "[deleted]"
    site.set(COMMENTS, listing("user_comments.json", "t1_mc00002", children))
    result = timeline(site, COMMENTS_URL)
    assert result.ids == LIVE_COMMENTS and result.posts[0].author == "[deleted]"
    assert result.account == "u/ann_dev"


@pytest.mark.parametrize(
    "other",
    [
        {"kind": "more", "data": {"count": 3, "id": "_", "children": ["mc0000x"]}},
        {"kind": "t2", "data": {"id": "abc", "name": "ann_dev"}},
        {"kind": "t5"},
        "t1_mc00009",
    ],
)
def test_other_kinds_are_skipped(site: FakeSite, other: object) -> None:
    children = json.loads((PAYLOADS / "user_comments.json").read_text())["data"]["children"]
    site.set(COMMENTS, listing("user_comments.json", "t1_mc00002", [other, *children]))
    assert timeline(site, COMMENTS_URL).ids == LIVE_COMMENTS


def test_a_page_of_only_gone_comments_still_pages_on(site: FakeSite) -> None:
    children = json.loads((PAYLOADS / "user_comments.json").read_text())["data"]["children"]
    gone = [child for child in children if child["data"]["id"] not in LIVE_COMMENTS]
    site.set(COMMENTS, listing("user_comments.json", "t1_mc00002", gone))
    site.set(f"{COMMENTS}&after=t1_mc00002", payload("user_comments_older.json"))
    assert timeline(site, COMMENTS_URL, 2).ids == ("mc00001", "mc00000")


@pytest.mark.parametrize("pages", [2, 3])
def test_comments_page_on_after(site: FakeSite, pages: int) -> None:
    site.set(COMMENTS, payload("user_comments.json"))  # after: t1_mc00002, a [deleted] one
    site.set(f"{COMMENTS}&after=t1_mc00002", payload("user_comments_older.json"))  # after: null
    assert timeline(site, COMMENTS_URL, pages).ids == (*LIVE_COMMENTS, "mc00001", "mc00000")
    assert [path for path, _ in site.requests] == [COMMENTS, f"{COMMENTS}&after=t1_mc00002"]


def test_listed_comment_equals_fetched_comment_from_its_own_payload(site: FakeSite) -> None:
    """The account watch stores a listed comment as revision 1, then follows its URL with a
    direct check: any difference would read as an edit. comment_ann.json is the comment as
    api/info answers it, without the thread fields a user listing adds."""
    site.set(COMMENTS, payload("user_comments.json"))
    site.set("/api/info.json", payload("comment_ann.json"))
    listed = timeline(site, COMMENTS_URL).posts[1]
    source = RedditSource(PlatformSettings(base_url=site.url))
    followed = source.post_target(Target(COMMENTS_URL, "reddit", account=True), listed)
    direct = live(source).fetch(followed)
    assert followed == Target(f"{THREAD}/mc00003/", "reddit")
    assert site.requests[-1][0] == "/api/info.json?id=t1_mc00003&raw_json=1"
    assert isinstance(direct, Seen) and direct.post == listed
    assert direct.post.metrics == listed.metrics


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_comment_from_timeline_agrees_with_its_direct_check(site: FakeSite, index: int) -> None:
    """Served the same data, a listed comment is the Post its direct check sees, and one left
    out is one its direct check calls gone."""
    body = json.loads((PAYLOADS / "user_comments.json").read_text())
    data = body["data"]["children"][index]["data"]
    site.set(COMMENTS, payload("user_comments.json"))
    site.set("/api/info.json", listing("comment_ann.json", None, [{"kind": "t1", "data": data}]))
    by_id = {post.id: post for post in timeline(site, COMMENTS_URL).posts}
    source = live(RedditSource(PlatformSettings(base_url=site.url)))
    direct = source.fetch(Target(f"{THREAD}/{data['id']}/", "reddit"))
    if data["id"] in by_id:
        assert isinstance(direct, Seen) and direct.post == by_id[data["id"]]
    else:
        assert isinstance(direct, Gone)


@pytest.mark.parametrize("url", [COMMENTS_URL, "https://www.reddit.com/u/ann_dev/overview/"])
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (payload("error_not_found_404.json", 404), Gone),
        (payload("error_private_403.json", 403), Hidden),
        (Reply(403, (PAYLOADS / "block_network_policy.html").read_bytes(), HTML), Blocked),
        (Reply(200, "<html><title>Blocked</title>whoa there, pardner!</html>", HTML), Blocked),
        (Reply(429, '{"message": "Too Many Requests", "error": 429}', JSON), RateLimited),
        (Reply(503, "<h1>down</h1>", HTML), Failed),
    ],
)
def test_the_other_listings_are_refused_alike(
    site: FakeSite, url: str, reply: Reply, expected: type[object]
) -> None:
    tab = url.rstrip("/").rsplit("/", 1)[1]
    result = read(site, reply, url, f"/user/ann_dev/{tab}.json")
    assert isinstance(result, expected), result
    if isinstance(result, Gone | Hidden):  # said about the account, not a post's subreddit
        assert result.reason.startswith("u/ann_dev")


# --- without a server: the flow's requests, answered from a table -----------------------------

BASE = "https://reddit.test"
FIRST_PAGE = f"{BASE}{SUBMITTED}?raw_json=1&sort=new"
SECOND_PAGE = f"{BASE}{SUBMITTED}?after=t3_1rem000&raw_json=1&sort=new"  # request_key sorts
THIRD_PAGE = f"{BASE}{SUBMITTED}?after=t3_1old001&raw_json=1&sort=new"


def answered(name: str, url: str) -> Response:
    return Response(url, 200, {"content-type": "application/json"}, (PAYLOADS / name).read_bytes())


def replay_timeline(
    answers: dict[str, Response | FetchError], pages: int
) -> tuple[TimelineObservation, list[str]]:
    source = RedditSource(PlatformSettings(base_url=BASE))
    result, asked = replayed(source.timeline(Target(USER, "reddit"), pages), answers)
    return result, [request_key(request) for request in asked]


def test_a_second_page_that_fails_keeps_the_first_without_a_server() -> None:
    answers: dict[str, Response | FetchError] = {
        FIRST_PAGE: answered("user_submitted.json", FIRST_PAGE),
        SECOND_PAGE: TransportError("connection reset"),
    }
    result, asked = replay_timeline(answers, 3)
    assert isinstance(result, Page) and result.ids == NEWEST
    assert result == replay_timeline(answers, 1)[0]
    assert result.account == "u/ann_dev"
    assert asked == [FIRST_PAGE, SECOND_PAGE]  # no third page after the failed second


def test_pages_read_before_a_failing_third_are_kept_without_a_server() -> None:
    second = listing("user_submitted_older.json", "t3_1old001")
    answers: dict[str, Response | FetchError] = {
        FIRST_PAGE: answered("user_submitted.json", FIRST_PAGE),
        SECOND_PAGE: Response(SECOND_PAGE, 200, {}, second.encoded()),
        THIRD_PAGE: TransportError("timed out"),
    }
    result, asked = replay_timeline(answers, 5)
    assert isinstance(result, Page) and result.ids == NEWEST + OLDER
    assert asked == [FIRST_PAGE, SECOND_PAGE, THIRD_PAGE]


def test_a_first_page_that_fails_is_failed_without_a_server() -> None:
    result, asked = replay_timeline({FIRST_PAGE: TransportError("connection refused")}, 3)
    assert result == Failed("connection refused")
    assert asked == [FIRST_PAGE]
