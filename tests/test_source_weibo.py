"""The `weibo` source: URL recognition and our own statuses/show-shaped payloads on FakeSite."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

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
    Observation,
    Post,
    Quoted,
    QuotedPresence,
    RateLimited,
    Seen,
    Target,
)
from watcher.normalize import content_hash
from watcher.settings import PlatformSettings
from watcher.sources.common import Request, Response
from watcher.sources.weibo import WeiboSource, post_id, weibo_time

PAYLOADS = FIXTURES / "weibo"
JSON = {"content-type": "application/json; charset=utf-8"}
HTML = {"content-type": "text/html; charset=utf-8"}
MID = "5140000000000001"
URL = f"https://m.weibo.cn/detail/{MID}"
SHOW = "/statuses/show"
DELETED = QuotedPresence.DELETED


# --- URL recognition --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://weibo.com/1749127163/PvXr2dQ8L", "PvXr2dQ8L"),
        ("https://www.weibo.com/1749127163/PvXr2dQ8L", "PvXr2dQ8L"),
        ("http://weibo.com/1749127163/PvXr2dQ8L/", "PvXr2dQ8L"),
        ("https://weibo.com/1749127163/PvXr2dQ8L?refer_flag=1001030103_#comment", "PvXr2dQ8L"),
        ("https://weibo.com/1749127163/5172004418290751", "5172004418290751"),
        ("https://weibo.com/detail/5172004418290751", "5172004418290751"),
        ("https://m.weibo.cn/detail/5172004418290751", "5172004418290751"),
        ("https://m.weibo.cn/status/5172004418290751", "5172004418290751"),
        ("https://m.weibo.cn/status/PvXr2dQ8L", "PvXr2dQ8L"),
        ("https://m.weibo.cn/detail/PvXr2dQ8L?sourceType=weixin", "PvXr2dQ8L"),
        ("https://m.weibo.cn/1749127163/5172004418290751", "5172004418290751"),
        ("https://M.WEIBO.CN/status/HyZVegYAP", "HyZVegYAP"),
        ("https://weibo.cn/comment/PvXr2dQ8L", "PvXr2dQ8L"),
        ("https://weibo.com/u/1749127163", None),  # an account: watched later, not as a post
        ("https://m.weibo.cn/u/1749127163", None),
        ("https://m.weibo.cn/profile/1749127163", None),
        ("https://weibo.com/1749127163", None),
        ("https://weibo.com/1749127163/following", None),  # a page name, not a bid
        ("https://weibo.com/1749127163/PvXr2dQ8L/extra", None),
        ("https://weibo.com/1749127163/Pv-r2dQ8L", None),
        ("https://m.weibo.cn/detail/", None),
        ("https://m.weibo.cn/search?containerid=231522", None),
        ("https://s.weibo.com/weibo?q=%23SU7%23", None),
        ("https://notweibo.com/1749127163/PvXr2dQ8L", None),
        ("https://weibo.com.evil.example/1749127163/PvXr2dQ8L", None),
        ("ftp://weibo.com/1749127163/PvXr2dQ8L", None),
        ("weibo.com/1749127163/PvXr2dQ8L", None),  # no scheme: the CLI's job, not ours
    ],
)
def test_post_id(url: str, expected: str | None) -> None:
    assert post_id(url) == expected
    assert WeiboSource.matches(url) is (expected is not None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun Jun 01 10:12:31 +0800 2025", datetime(2025, 6, 1, 2, 12, 31, tzinfo=UTC)),
        ("Fri May 30 23:59:59 -0500 2025", datetime(2025, 5, 31, 4, 59, 59, tzinfo=UTC)),
        ("2025-06-01T10:12:31+08:00", datetime(2025, 6, 1, 2, 12, 31, tzinfo=UTC)),
        ("06-14", None),  # timeline cards: no year, no zone
        ("刚刚", None),
        ("3分钟前", None),
        ("Sun Foo 01 10:12:31 +0800 2025", None),
        ("Sun Feb 30 10:12:31 +0800 2025", None),
        ("", None),
    ],
)
def test_weibo_time(value: str, expected: datetime | None) -> None:
    assert weibo_time(value) == expected


# --- fetching ---------------------------------------------------------------------------------


def observe(site: FakeSite, reply: Reply, url: str = URL, path: str = SHOW) -> Observation:
    """Fetch `url` with the API pointed at FakeSite, which answers `path` with `reply`."""
    site.set(path, reply)
    source = live(WeiboSource(PlatformSettings(base_url=site.url + "/")))
    return source.fetch(Target(url, "weibo"))


def payload(name: str, status: int = 200) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), JSON)


def seen(site: FakeSite, name: str, url: str = URL) -> Post:
    result = observe(site, payload(name), url)
    assert isinstance(result, Seen), result
    return result.post


def test_plain_post(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    assert post.id == MID
    assert post.url == URL
    assert post.text == "今天去了@小明 的店\n味道不错[赞] #周末# & more"
    assert post.author == "吃货小王"
    assert post.created_at == datetime(2025, 3, 4, 13, 5, 9, tzinfo=UTC)
    assert post.media == ("006abcdegy1hz0000000001j30u00u0", "006abcdegy1hz0000000002j30u00u0")
    assert (post.title, post.edited_at, post.platform_edited) == ("", None, False)


def test_pictures_are_seen_at_their_large_size_in_pic_id_order(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    assert post.media_urls == (
        "https://wx1.sinaimg.cn/large/006abcdegy1hz0000000001j30u00u0.jpg",
        "https://wx2.sinaimg.cn/large/006abcdegy1hz0000000002j30u00u0.jpg",
    )


def test_a_reposts_pictures_come_from_pic_infos_at_their_largest(site: FakeSite) -> None:
    post = seen(site, "status_repost_deleted_original.json")
    assert post.media_urls == ("https://wx3.sinaimg.cn/large/deadbeefgy1hz0000000009j30u00u0.jpg",)


def test_pictures_moved_to_another_host_are_no_edit(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    text = (PAYLOADS / "status_plain.json").read_text(encoding="utf-8")
    moved = seen_body(site, json.loads(re.sub(r"wx\d\.sinaimg\.cn", "tvax4.sinaimg.cn", text)))
    assert (
        moved.media_urls[0] == "https://tvax4.sinaimg.cn/large/006abcdegy1hz0000000001j30u00u0.jpg"
    )
    assert moved == post
    assert content_hash(moved) == content_hash(post)


def test_metrics_are_ints_and_not_content(site: FakeSite) -> None:
    post = seen(site, "status_plain.json")
    assert dict(post.metrics) == {"reposts_count": 3, "comments_count": 12, "attitudes_count": 45}
    recounted = replace(post, metrics={"attitudes_count": 999})
    assert recounted == post
    assert content_hash(recounted) == content_hash(post)


def test_the_url_id_is_what_is_asked_for(site: FakeSite) -> None:
    seen(site, "status_plain.json", "https://weibo.com/6000000001/Pb3kQx7Za")
    assert site.requests[-1][0] == "/statuses/show?id=Pb3kQx7Za"
    seen(site, "status_plain.json")
    assert site.requests[-1][0] == f"/statuses/show?id={MID}"


def test_post_id_is_numeric_even_when_watched_by_bid(site: FakeSite) -> None:
    post = seen(site, "status_plain.json", "https://weibo.com/6000000001/Pb3kQx7Za")
    assert (post.id, post.url) == (MID, URL)


def test_long_text_comes_from_statuses_extend(site: FakeSite) -> None:
    site.set("/statuses/extend?id=5120000000000002", payload("extend.json"))
    post = seen(site, "status_long.json", "https://m.weibo.cn/detail/5120000000000002")
    assert post.text == "第一段，很长很长的一段话\n第二段开始，这里是全文才有的结尾\n\n第三段[加油]"
    assert "全文" not in post.text.replace("全文才有", "")
    assert site.hits("/statuses/extend") == 1


def test_long_text_embedded_in_show_needs_no_second_request(site: FakeSite) -> None:
    body = json.loads((PAYLOADS / "status_long.json").read_text(encoding="utf-8"))
    body["data"]["longText"] = {"longTextContent": "完整的<br />长文"}
    post = seen_body(site, body)
    assert post.text == "完整的\n长文"
    assert site.hits("/statuses/extend") == 0


def seen_body(site: FakeSite, body: object) -> Post:
    result = observe(site, Reply(200, json.dumps(body, ensure_ascii=False), JSON))
    assert isinstance(result, Seen), result
    return result.post


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(200, '{"ok":0,"errno":"20101","msg":"该微博不存在"}', JSON), Failed),
        (Reply(200, '{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome"}', JSON), Blocked),
        (Reply(200, '{"ok":1,"data":{"ok":1}}', JSON), Failed),
        (Reply(432, "", {}), Blocked),
        (Reply(503, "busy", {}), Failed),
        (Reply(429, "", {"Retry-After": "5"}), RateLimited),
    ],
)
def test_long_text_refused_is_never_stored_truncated(
    site: FakeSite, reply: Reply, expected: type[Observation]
) -> None:
    site.set("/statuses/extend", reply)
    result = observe(site, payload("status_long.json"))
    assert isinstance(result, expected), result


def test_edit_flags_and_display_strings(site: FakeSite) -> None:
    site.set("/statuses/extend", payload("extend.json"))
    post = seen(site, "status_long.json")
    assert post.platform_edited is True
    # "100万+" is a display string and `true` is not a count: neither is stored.
    assert dict(post.metrics) == {"comments_count": 2}


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"edit_config": {"edited": True}}, True),
        ({"edit_count": 1}, True),
        ({"edit_count": "3"}, True),
        ({"edit_count": 0, "edit_config": {"edited": False}}, False),
        ({"edit_config": {"edited": "yes"}}, False),
        ({}, False),
    ],
)
def test_platform_edited(site: FakeSite, edit: dict[str, object], expected: bool) -> None:
    body = json.loads((PAYLOADS / "status_plain.json").read_text(encoding="utf-8"))
    for key in ("edit_count", "edit_config"):
        body["data"].pop(key)
    body["data"].update(edit)
    assert seen_body(site, body).platform_edited is expected


def test_repost_quotes_the_original_even_when_it_was_deleted(site: FakeSite) -> None:
    """Weibo's notice in place of the deleted original is its presence, never the repost's
    text (issue 14)."""
    post = seen(site, "status_repost_deleted_original.json")
    assert post.id == "5170000000000003"
    assert post.author == "转发的人"
    assert post.text == "说得对@原作者"
    assert post.media == ()
    assert post.created_at == datetime(2025, 5, 31, 4, 59, 59, tzinfo=UTC)
    assert post.quoted == Quoted(
        "5169000000000009", "https://m.weibo.cn/detail/5169000000000009", "", DELETED
    )
    assert post.quoted.notice == "抱歉，此微博已被作者删除。查看帮助：网页链接"
    assert post.quoted.text == ""


def test_base_url_override_is_used(site: FakeSite) -> None:
    observe(site, payload("status_plain.json"))
    assert site.hits(SHOW) == 1


def test_default_base_is_the_mobile_api() -> None:
    def answer(request: Request) -> Response:
        return Response(request.url, 200, JSON, (PAYLOADS / "status_plain.json").read_bytes())

    result, asked = replayed(WeiboSource().observe(Target(URL, "weibo")), answer)
    assert isinstance(result, Seen)
    assert [request.url for request in asked] == ["https://m.weibo.cn/statuses/show"]


def test_configured_cookies_and_headers_are_sent(site: FakeSite) -> None:
    site.set(SHOW, payload("status_plain.json"))
    settings = PlatformSettings(
        base_url=site.url, headers={"MWeibo-Pwa": "1"}, cookies={"SUB": "visitor"}
    )
    live(WeiboSource(settings)).fetch(Target(URL, "weibo"))
    headers = {k.lower(): v for k, v in site.requests[-1][1].items()}
    assert (headers["mweibo-pwa"], headers["cookie"]) == ("1", "SUB=visitor")


def test_non_post_url_is_usage_error(site: FakeSite) -> None:
    with pytest.raises(UsageError, match="not a Weibo post URL"):
        observe(site, payload("status_plain.json"), url="https://weibo.com/u/1749127163")


# --- refusals ---------------------------------------------------------------------------------


def ok0(msg: str, errno: str = "") -> Reply:
    body = {"ok": 0, "msg": msg, **({"errno": errno} if errno else {})}
    return Reply(200, json.dumps(body, ensure_ascii=False), JSON)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # Gone by the author
        (ok0("该微博不存在", "20101"), Gone("Weibo ok:0 errno:20101 该微博不存在")),
        (ok0("", "20101"), Gone("Weibo ok:0 errno:20101")),
        (ok0("抱歉，此微博已被作者删除"), Gone("Weibo ok:0 errno:- 抱歉，此微博已被作者删除")),
        # Removed by Weibo
        (
            ok0("该微博因违反《微博社区公约》已被删除", "20112"),
            Gone("Weibo ok:0 errno:20112 该微博因违反《微博社区公约》已被删除", removed=True),
        ),
        (
            ok0("此微博因违反相关法律法规已被删除"),
            Gone("Weibo ok:0 errno:- 此微博因违反相关法律法规已被删除", removed=True),
        ),
        (
            ok0("此微博已被管理员删除"),
            Gone("Weibo ok:0 errno:- 此微博已被管理员删除", removed=True),
        ),
        # Exists (or may exist) but not shown to us
        (ok0("微博不存在或暂无查看权限!"), Hidden("Weibo ok:0 errno:- 微博不存在或暂无查看权限!")),
        (ok0("暂无查看权限", "20101"), Hidden("Weibo ok:0 errno:20101 暂无查看权限")),
        (
            ok0("博主已设置仅展示半年内的微博"),
            Hidden("Weibo ok:0 errno:- 博主已设置仅展示半年内的微博"),
        ),
        (ok0("该微博仅粉丝可见"), Hidden("Weibo ok:0 errno:- 该微博仅粉丝可见")),
        (
            ok0("抱歉，由于作者设置，你暂时没有这条微博的查看权限哦"),
            Hidden("Weibo ok:0 errno:- 抱歉，由于作者设置，你暂时没有这条微博的查看权限哦"),
        ),
        # Login walls
        (
            Reply(200, '{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome"}', JSON),
            Blocked("login required (https://passport.weibo.cn/signin/welcome)"),
        ),
        (ok0("请先登录"), Blocked("Weibo ok:0 errno:- 请先登录")),
        # Anything else: an answer that proves nothing
        (
            ok0("系统繁忙，请稍后再试", "10001"),
            Failed("Weibo ok:0 errno:10001 系统繁忙，请稍后再试"),
        ),
        (ok0(""), Failed("Weibo ok:0 errno:-")),
        (Reply(200, '{"ok":2,"msg":"?"}', JSON), Failed("Weibo ok:2 errno:- ?")),
    ],
)
def test_ok_codes_and_messages(site: FakeSite, reply: Reply, expected: Observation) -> None:
    assert observe(site, reply) == expected


@pytest.mark.parametrize("status", [403, 418, 432, 401])
def test_anti_crawling_statuses_are_blocked(site: FakeSite, status: int) -> None:
    assert isinstance(observe(site, Reply(status, "<html>被风控拦截</html>", HTML)), Blocked)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_failed(site: FakeSite, status: int) -> None:
    result = observe(site, Reply(status, "<html>oops</html>", HTML))
    assert isinstance(result, Failed)
    assert str(status) in result.reason


def test_429_is_rate_limited(site: FakeSite) -> None:
    result = observe(site, Reply(429, "", {"Retry-After": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)


@pytest.mark.parametrize("status", [404, 410])
def test_404_is_not_a_deletion(site: FakeSite, status: int) -> None:
    """Weibo says "gone" in the body; a bare 404 is a wrong base URL or a proxy."""
    result = observe(site, Reply(status, '{"ok":0,"errno":"20101","msg":"该微博不存在"}', JSON))
    assert isinstance(result, Failed)


def test_redirect_to_the_visitor_page_is_blocked(site: FakeSite) -> None:
    site.reply("/visitor/visitor", 200, "<html><title>Sina Visitor System</title></html>", HTML)
    location = f"{site.url}/visitor/visitor?entry=miniblog&a=enter"
    result = observe(site, Reply(302, "", {"Location": location}))
    assert isinstance(result, Blocked)
    assert "login page" in result.reason


def test_login_page_instead_of_json_is_blocked(site: FakeSite) -> None:
    body = '<html><script>location.replace("https://passport.weibo.com/visitor/visitor")</script>'
    assert isinstance(observe(site, Reply(200, body, HTML)), Blocked)


@pytest.mark.parametrize(
    "body", [b"<html>maintenance</html>", b"[]", b'{"data":{}}', b'{"ok":1,"data":[]}']
)
def test_200_that_is_not_a_status_is_failed(site: FakeSite, body: bytes) -> None:
    assert isinstance(observe(site, Reply(200, body, JSON)), Failed)


# --- without a server: show, then extend, as one flow -----------------------------------------

LONG = "5120000000000002"
BASE = "https://weibo.test"
SHOW_LONG = f"{BASE}/statuses/show?id={LONG}"
EXTEND_LONG = f"{BASE}/statuses/extend?id={LONG}"


def recorded(name: str, url: str) -> Response:
    return Response(url, 200, JSON, (PAYLOADS / name).read_bytes())


def replay_long(extend: Response | FetchError) -> tuple[Observation, list[str]]:
    answers: dict[str, Response | FetchError] = {
        SHOW_LONG: recorded("status_long.json", SHOW_LONG),
        EXTEND_LONG: extend,
    }
    source = WeiboSource(PlatformSettings(base_url=BASE))
    result, asked = replayed(
        source.observe(Target(f"https://m.weibo.cn/detail/{LONG}", "weibo")), answers
    )
    return result, [request_key(request) for request in asked]


def test_show_then_extend_is_one_flow_without_a_server() -> None:
    result, asked = replay_long(recorded("extend.json", EXTEND_LONG))
    assert asked == [SHOW_LONG, EXTEND_LONG]
    assert isinstance(result, Seen)
    assert result.post.text.endswith("这里是全文才有的结尾\n\n第三段[加油]")


def test_a_transport_error_on_extend_fails_the_post_without_a_server() -> None:
    """The show answered, the long text did not arrive: never a truncated post, never gone."""
    result, asked = replay_long(TransportError("connection reset during extend"))
    assert asked == [SHOW_LONG, EXTEND_LONG]
    assert result == Failed("connection reset during extend")


def test_a_short_text_asks_only_show_without_a_server() -> None:
    show = f"{BASE}/statuses/show?id={MID}"
    source = WeiboSource(PlatformSettings(base_url=BASE))
    result, asked = replayed(
        source.observe(Target(URL, "weibo")), {show: recorded("status_plain.json", show)}
    )
    assert isinstance(result, Seen) and result.post.id == MID
    assert [request_key(request) for request in asked] == [show]
