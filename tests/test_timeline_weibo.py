"""The `weibo` source's account timeline: profile URLs, the page (long texts, reposts, relative
times, card groups) and every refusal, on our own getIndex-shaped payloads served by FakeSite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import (
    Blocked,
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
from watcher.sources.common import Request, Response
from watcher.sources.weibo import WeiboSource, account_uid, post_id
from watcher.sources.weibo.cards import agrees, card_time

PAYLOADS = FIXTURES / "weibo"
JSON = {"content-type": "application/json; charset=utf-8"}
UID = "6000000001"
URL = f"https://m.weibo.cn/u/{UID}"
INDEX = "/api/container/getIndex"
PROFILE = f"{INDEX}?type=uid&value={UID}"
TIMELINE = f"{PROFILE}&containerid=107603{UID}"
PINNED, REPOST, ORIGINAL, IN_GROUP = (
    "5172727149244473",
    "5172296373240585",
    "5172092467155090",
    "5117794676899841",
)
EXTEND = {PINNED: "extend_pinned.json", ORIGINAL: "extend_original.json"}
SHOW = {PINNED: "show_pinned.json", REPOST: "show_repost.json", IN_GROUP: "show_in_group.json"}


def payload(name: str) -> Reply:
    return Reply(200, (PAYLOADS / name).read_bytes(), JSON)


def body(value: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(value, ensure_ascii=False), JSON)


def cards(*mblogs: dict[str, Any]) -> Reply:
    return body({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": m} for m in mblogs]}})


# --- account URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://weibo.com/u/1749127163", "1749127163"),
        ("https://www.weibo.com/u/1749127163/", "1749127163"),
        ("https://weibo.com/1749127163", "1749127163"),
        ("https://m.weibo.cn/u/1749127163?uid=1749127163&luicode=10000011", "1749127163"),
        ("https://m.weibo.cn/profile/1749127163", "1749127163"),
        ("http://M.WEIBO.CN/u/1749127163", "1749127163"),
        # Not accounts: posts, named pages, other hosts.
        ("https://weibo.com/1749127163/PvXr2dQ8L", None),
        ("https://m.weibo.cn/detail/5172004418290751", None),
        ("https://m.weibo.cn/status/PvXr2dQ8L", None),
        ("https://m.weibo.cn/1749127163/5172004418290751", None),
        ("https://weibo.com/u/leijun", None),
        ("https://weibo.com/leijun", None),
        ("https://m.weibo.cn/u/", None),
        ("https://example.com/u/1749127163", None),
        ("weibo.com/u/1749127163", None),
    ],
)
def test_account_ref(url: str, expected: str | None) -> None:
    assert WeiboSource.account_ref(url) == expected
    assert account_uid(url) == expected
    if expected is not None:
        assert post_id(url) is None  # an account URL is never a post


@pytest.mark.parametrize(
    "url",
    [
        "https://weibo.com/1749127163/PvXr2dQ8L",
        "https://m.weibo.cn/detail/5172004418290751",
        "https://m.weibo.cn/1749127163/5172004418290751",
        "https://weibo.cn/comment/PvXr2dQ8L",
    ],
)
def test_post_urls_are_not_accounts(url: str) -> None:
    assert post_id(url) is not None
    assert WeiboSource.account_ref(url) is None


# --- the page ---------------------------------------------------------------------------------


def read(site: FakeSite, url: str = URL) -> TimelineObservation:
    source = live(WeiboSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(url, "weibo"))


def serve(site: FakeSite, timeline: Reply | None = None, profile: Reply | None = None) -> None:
    site.set(PROFILE, profile or payload("profile.json"))
    site.set(TIMELINE, timeline or payload("timeline.json"))
    for ident, name in EXTEND.items():
        site.set(f"/statuses/extend?id={ident}", payload(name))


def page(site: FakeSite) -> Page:
    result = read(site)
    assert isinstance(result, Page), result
    return result


def test_page_lists_every_post_card_in_order(site: FakeSite) -> None:
    serve(site)
    listed = page(site)
    # The pinned post first, as Weibo lists it; the notice card is not a post; the card
    # group's post is.
    assert listed.ids == (PINNED, REPOST, IN_GROUP)
    assert listed.account == "吃货小王"
    assert {post.author for post in listed.posts} == {"吃货小王"}


def test_long_texts_are_completed_never_truncated(site: FakeSite) -> None:
    serve(site)
    pinned, repost, _ = page(site).posts
    assert pinned.text == "端午节快乐[粽子]\n今天包了很多粽子，有甜有咸，分给邻居们一起吃"
    assert repost.text == "说得好@长文作者"
    assert repost.quoted is not None and repost.quoted.author == "长文作者"
    assert repost.quoted.text == "长文第一段\n第二段写完了，这是只有全文才有的结尾"
    assert "全文" not in pinned.text + repost.quoted.text.replace("全文才有", "")
    assert site.hits("/statuses/extend") == 2


def test_relative_times_come_from_the_mid(site: FakeSite) -> None:
    serve(site)
    assert [post.created_at for post in page(site).posts] == [
        datetime(2025, 6, 1, 6, 2, tzinfo=UTC),  # absolute on the card
        datetime(2025, 5, 31, 1, 30, 15, tzinfo=UTC),  # "05-31"
        datetime(2024, 12, 31, 15, 59, 58, tzinfo=UTC),  # "2024-12-31"
    ]


def test_pictures_are_read_from_pics_on_cards(site: FakeSite) -> None:
    serve(site)
    pinned, _, in_group = page(site).posts
    assert pinned.media == ("006aaaagy1hz0000000011j30u00u0", "006aaaagy1hz0000000012j30u00u0")
    assert in_group.media == ("006cccccgy1hz0000000031j30u00u0",)


def test_pictures_on_cards_are_seen_at_their_large_size(site: FakeSite) -> None:
    serve(site)
    pinned, repost, in_group = page(site).posts
    assert pinned.media_urls == (
        "https://wx1.sinaimg.cn/large/006aaaagy1hz0000000011j30u00u0.jpg",
        "https://wx1.sinaimg.cn/large/006aaaagy1hz0000000012j30u00u0.jpg",
    )
    assert repost.media_urls == ()
    assert in_group.media_urls == (
        "https://wx1.sinaimg.cn/large/006cccccgy1hz0000000031j30u00u0.jpg",
    )


def test_requests_profile_then_its_weibo_tab(site: FakeSite) -> None:
    profile = json.loads((PAYLOADS / "profile.json").read_text(encoding="utf-8"))
    profile["data"]["tabsInfo"]["tabs"][1]["containerid"] = f"230413{UID}"
    serve(site, profile=body(profile))
    site.set(f"{PROFILE}&containerid=230413{UID}", payload("timeline.json"))
    assert page(site).ids == (PINNED, REPOST, IN_GROUP)
    assert site.hits(TIMELINE) == 0


def test_without_tabs_the_usual_container_is_asked(site: FakeSite) -> None:
    serve(site, profile=body({"ok": 1, "data": {"userInfo": {"screen_name": "x"}}}))
    assert page(site).account == "x"
    assert site.hits(TIMELINE) == 1


def test_base_url_is_used(site: FakeSite) -> None:
    serve(site)
    assert isinstance(read(site, f"https://weibo.com/u/{UID}"), Page)
    assert site.hits(PROFILE) == 1


def test_default_base_is_the_mobile_api() -> None:
    def answer(request: Request) -> Response:
        return Response(request.url, 503, {}, b"")

    _, asked = replayed(WeiboSource().timeline(Target(URL, "weibo")), answer)
    assert [request.url for request in asked] == ["https://m.weibo.cn/api/container/getIndex"]


def test_not_an_account_is_a_usage_error(site: FakeSite) -> None:
    source = live(WeiboSource(PlatformSettings(base_url=site.url)))
    with pytest.raises(UsageError, match="not a Weibo account"):
        source.timeline(Target("https://m.weibo.cn/detail/5172004418290751", "weibo"))


def test_empty_timeline_is_a_page(site: FakeSite) -> None:
    serve(site, body({"ok": 1, "data": {"cards": []}}))
    assert read(site) == Page((), "吃货小王")


def test_nothing_here_yet_on_the_timeline_is_an_empty_page(site: FakeSite) -> None:
    serve(site, body({"ok": 0, "msg": "这里还没有内容"}))
    assert read(site) == Page((), "吃货小王")


# --- what a timeline post is: the same Post a direct fetch makes -------------------------------


def test_timeline_posts_equal_their_direct_fetch(site: FakeSite) -> None:
    serve(site)
    listed = page(site)
    for ident, name in SHOW.items():
        site.set(f"/statuses/show?id={ident}", payload(name))
    source = live(WeiboSource(PlatformSettings(base_url=site.url)))
    for post in listed.posts:
        fetched = source.fetch(Target(post.url, "weibo"))
        assert fetched == Seen(post)
        assert isinstance(fetched, Seen) and fetched.post.media_urls == post.media_urls


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (body({"ok": 0, "msg": "这里还没有内容"}), Gone("Weibo ok:0 errno:- 这里还没有内容")),
        (body({"ok": 0, "msg": "用户不存在"}), Gone("Weibo ok:0 errno:- 用户不存在")),
        (
            body({"ok": 0, "msg": "博主设置了仅粉丝可见"}),
            Hidden("Weibo ok:0 errno:- 博主设置了仅粉丝可见"),
        ),
        (
            body({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}),
            Blocked("login required (https://passport.weibo.cn/signin/welcome)"),
        ),
        (Reply(429, "", {"Retry-After": "60"}), RateLimited("HTTP 429 Too Many Requests", 60.0)),
    ],
)
def test_profile_refusals(site: FakeSite, profile: Reply, expected: TimelineObservation) -> None:
    serve(site, profile=profile)
    assert read(site) == expected
    assert site.hits(TIMELINE) == 0


@pytest.mark.parametrize(
    "profile",
    [
        Reply(503, "busy", {}),
        Reply(500, "", {}),
        Reply(404, "", {}),  # Weibo says "gone" in the body, never with a 404
        body({"ok": 1, "data": {}}),
        body({"ok": 1}),
        body({"ok": 0, "msg": "系统繁忙"}),
        Reply(200, "<html>oops</html>", {"content-type": "text/html"}),
    ],
)
def test_profile_failures(site: FakeSite, profile: Reply) -> None:
    serve(site, profile=profile)
    assert isinstance(read(site), Failed)


@pytest.mark.parametrize("status", [403, 418, 432])
def test_anti_crawling_statuses_are_blocked(site: FakeSite, status: int) -> None:
    serve(site, profile=Reply(status, "", {}))
    assert isinstance(read(site), Blocked)


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        # The profile answered, so a gone signal here proves nothing about the account.
        (body({"ok": 0, "errno": "20101", "msg": "不存在"}), Failed),
        (body({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}), Blocked),
        (Reply(429, "", {}), RateLimited),
        (Reply(502, "", {}), Failed),
        (body({"ok": 1, "data": {"cardlistInfo": {}}}), Failed),
        (body({"ok": 1, "data": {"cards": {"0": {}}}}), Failed),
    ],
)
def test_timeline_refusals(site: FakeSite, timeline: Reply, expected: type) -> None:
    serve(site, timeline)
    assert isinstance(read(site), expected)


@pytest.mark.parametrize(
    ("extend", "expected"),
    [
        # A long text that cannot be read fails the page: it never says the account is gone
        # or hidden, and a truncated text is never listed.
        (body({"ok": 0, "errno": "20101", "msg": "该微博不存在"}), Failed),
        (body({"ok": 0, "msg": "暂无查看权限"}), Failed),
        (body({"ok": 1, "data": {"ok": 1}}), Failed),
        (body({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}), Blocked),
        (Reply(429, "", {}), RateLimited),
        (Reply(503, "", {}), Failed),
    ],
)
def test_long_text_refusals_fail_the_page(site: FakeSite, extend: Reply, expected: type) -> None:
    serve(site)
    site.set(f"/statuses/extend?id={PINNED}", extend)
    assert isinstance(read(site), expected)


# --- times shown relative ---------------------------------------------------------------------


def test_card_time_is_none_when_the_mid_disagrees() -> None:
    # Pre-2014 mids are not snowflakes: the date they would give does not match the card's.
    assert card_time({"mid": "3500000000000000", "created_at": "2012-10-25"}) is None
    assert card_time({"mid": "abc", "created_at": "06-14"}) is None
    assert card_time({"mid": PINNED, "created_at": "06-02"}) is None
    assert card_time({"mid": PINNED, "created_at": "06-01"}) == datetime(
        2025, 6, 1, 6, 2, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("刚刚", True),
        ("5分钟前", True),
        ("3小时前", True),
        ("昨天 14:02", True),
        ("06-01", True),
        ("2025-06-01", True),
        ("2024-06-01", False),
        ("06-02", False),
        ("", False),
    ],
)
def test_agrees(shown: str, expected: bool) -> None:
    derived = datetime(2025, 6, 1, 6, 2, tzinfo=UTC)  # 14:02 in Beijing
    assert agrees(shown, derived, now=datetime(2025, 6, 1, 9, 0, tzinfo=UTC)) is expected


def test_relative_time_far_from_now_does_not_agree() -> None:
    derived = datetime(2025, 6, 1, 6, 2, tzinfo=UTC)
    assert not agrees("3分钟前", derived, now=datetime(2025, 7, 1, tzinfo=UTC))


def test_single_card_with_absolute_time_needs_no_mid(site: FakeSite) -> None:
    mblog = {
        "id": "42",
        "created_at": "Sun Jun 01 14:02:00 +0800 2025",
        "text": "hi",
        "user": {"screen_name": "吃货小王"},
    }
    serve(site, cards(mblog))
    (post,) = page(site).posts
    assert (post.id, post.text, post.created_at) == (
        "42",
        "hi",
        datetime(2025, 6, 1, 6, 2, tzinfo=UTC),
    )


# --- deeper pages: since_id (or page) from cardlistInfo ---------------------------------------

NEWEST = (PINNED, REPOST, IN_GROUP)
OLDER = ("5117500000000002", "5117500000000001")
SINCE = f"{TIMELINE}&since_id=5117794676899841"  # timeline.json's cardlistInfo.since_id


def read_pages(site: FakeSite, pages: int) -> TimelineObservation:
    source = live(WeiboSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(URL, "weibo"), pages)


def listed(site: FakeSite, pages: int) -> Page:
    result = read_pages(site, pages)
    assert isinstance(result, Page), result
    return result


def index_requests(site: FakeSite) -> list[str]:
    return [path for path, _ in site.requests if path.startswith(INDEX)]


def listing(name: str, info: dict[str, Any], cards: list[Any] | None = None) -> Reply:
    """A payload with its `cardlistInfo` (and cards) replaced."""
    value = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    value["data"]["cardlistInfo"] = info
    if cards is not None:
        value["data"]["cards"] = cards
    return body(value)


def test_one_page_is_the_single_listing_request_as_before(site: FakeSite) -> None:
    serve(site)
    site.set(SINCE, payload("timeline_older.json"))
    assert listed(site, 1).ids == NEWEST
    assert index_requests(site) == [PROFILE, TIMELINE]


@pytest.mark.parametrize("pages", [2, 3])
def test_next_page_is_asked_with_since_id(site: FakeSite, pages: int) -> None:
    serve(site)
    site.set(SINCE, payload("timeline_older.json"))  # no since_id: the last page
    result = listed(site, pages)
    assert result.ids == NEWEST + OLDER
    assert result.account == "吃货小王"
    assert result.posts[3].text == "年终总结\n吃了很多好吃的"
    assert index_requests(site) == [PROFILE, TIMELINE, SINCE]


def test_older_answers_give_the_next_page_number(site: FakeSite) -> None:
    # As in the 2019 capture: page 1 answers `cardlistInfo.page: 2`, the page to ask next.
    serve(site, listing("timeline.json", {"containerid": f"107603{UID}", "page": 2}))
    site.set(f"{TIMELINE}&page=2", listing("timeline_older.json", {"page": 3}))
    site.set(f"{TIMELINE}&page=3", listing("timeline_older.json", {"page": 4}, []))
    assert listed(site, 5).ids == NEWEST + OLDER
    assert index_requests(site)[2:] == [f"{TIMELINE}&page=2", f"{TIMELINE}&page=3"]


def test_a_page_without_cards_ends_the_reading(site: FakeSite) -> None:
    serve(site)
    site.set(SINCE, listing("timeline_older.json", {"since_id": 5117000000000001}, []))
    assert listed(site, 5).ids == NEWEST
    assert len(index_requests(site)) == 3


def test_a_post_listed_again_keeps_its_first_listing(site: FakeSite) -> None:
    first = json.loads((PAYLOADS / "timeline.json").read_text(encoding="utf-8"))
    older = json.loads((PAYLOADS / "timeline_older.json").read_text(encoding="utf-8"))
    again = first["data"]["cards"][3]["card_group"][0]  # IN_GROUP, listed again
    again = {**again, "mblog": {**again["mblog"], "attitudes_count": 99}}
    serve(site)
    site.set(SINCE, listing("timeline_older.json", {}, [again, *older["data"]["cards"]]))
    result = listed(site, 2)
    assert result.ids == NEWEST + OLDER
    assert result.posts[2] == listed(site, 1).posts[2]


def test_a_page_that_only_repeats_ends_the_reading(site: FakeSite) -> None:
    serve(site)
    site.set(SINCE, listing("timeline.json", {"since_id": 5117000000000001}))
    assert listed(site, 5).ids == NEWEST
    assert len(index_requests(site)) == 3


@pytest.mark.parametrize(
    "later",
    [
        Reply(500, "", {}),
        Reply(429, "", {"Retry-After": "60"}),
        body({"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}),
        body({"ok": 0, "errno": "20101", "msg": "不存在"}),
        body({"ok": 0, "msg": "这里还没有内容"}),
        # A long text on the later page that cannot be read (no extend route: HTTP 404).
        cards({"id": "5117500000000003", "isLongText": True, "text": "cut ...全文"}),
    ],
)
def test_trouble_on_a_later_page_keeps_the_pages_before(site: FakeSite, later: Reply) -> None:
    serve(site)
    site.set(SINCE, later)
    assert read_pages(site, 3) == read_pages(site, 1)


# --- without a server: profile, tab, long texts and later pages as one flow -------------------

BASE = "https://weibo.test"
PROFILE_KEY = f"{BASE}{INDEX}?type=uid&value={UID}"
TAB_KEY = f"{BASE}{INDEX}?containerid=107603{UID}&type=uid&value={UID}"  # request_key sorts
SINCE_KEY = f"{BASE}{INDEX}?containerid=107603{UID}&since_id=5117794676899841&type=uid&value={UID}"


def extend_key(ident: str) -> str:
    return f"{BASE}/statuses/extend?id={ident}"


def recorded(name: str, url: str) -> Response:
    return Response(url, 200, JSON, (PAYLOADS / name).read_bytes())


def first_page_answers() -> dict[str, Response | FetchError]:
    answers: dict[str, Response | FetchError] = {
        PROFILE_KEY: recorded("profile.json", PROFILE_KEY),
        TAB_KEY: recorded("timeline.json", TAB_KEY),
    }
    for ident, name in EXTEND.items():
        answers[extend_key(ident)] = recorded(name, extend_key(ident))
    return answers


def replay_timeline(
    answers: dict[str, Response | FetchError], pages: int = 1
) -> tuple[TimelineObservation, list[str]]:
    source = WeiboSource(PlatformSettings(base_url=BASE))
    result, asked = replayed(source.timeline(Target(URL, "weibo"), pages), answers)
    return result, [request_key(request) for request in asked]


def test_profile_tab_and_long_texts_in_order_without_a_server() -> None:
    result, asked = replay_timeline(first_page_answers())
    assert isinstance(result, Page) and result.ids == NEWEST
    # each long text is completed as its card is read: the pinned post's, then the reposted one's
    assert asked == [PROFILE_KEY, TAB_KEY, extend_key(PINNED), extend_key(ORIGINAL)]


def test_a_transport_error_on_a_long_text_fails_the_page_without_a_server() -> None:
    answers = first_page_answers()
    answers[extend_key(PINNED)] = TransportError("connection reset")
    result, asked = replay_timeline(answers)
    assert result == Failed("connection reset")
    assert asked == [PROFILE_KEY, TAB_KEY, extend_key(PINNED)]  # nothing read after it


def test_a_later_page_whose_long_text_fails_keeps_the_first_without_a_server() -> None:
    answers = first_page_answers()
    later = cards({"id": "5117500000000003", "isLongText": True, "text": "cut ...全文"})
    answers[SINCE_KEY] = Response(SINCE_KEY, 200, JSON, later.encoded())
    answers[extend_key("5117500000000003")] = TransportError("timed out")
    result, asked = replay_timeline(answers, 3)
    assert result == replay_timeline(first_page_answers())[0]
    assert asked[-2:] == [SINCE_KEY, extend_key("5117500000000003")]
