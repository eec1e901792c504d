"""The engine's HTTP: charsets, byte cap, transport failures and status mapping."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from tests.live import get
from tests.server import FakeSite, Reply
from watcher.errors import BadBody, TooLarge, TransportError
from watcher.model import Blocked, Failed, RateLimited
from watcher.settings import HttpSettings
from watcher.sources.common import Response, retry_after, unobserved
from watcher.sources.common.charset import decode_body

CHINESE = "小米5月交付超过2.8万台，莫言说：诋毁，本身就是一种仰望。今天天气很好，我们去公园散步吧。"


def fetch(site: FakeSite, reply: Reply, settings: HttpSettings | None = None) -> Response:
    site.set("/page", reply)
    return get(site.url + "/page", settings)


# --- charset decoding -------------------------------------------------------------------------


def test_header_charset_decodes_gbk(site: FakeSite) -> None:
    body = f"<p>{CHINESE}</p>".encode("gbk")
    resp = fetch(site, Reply(body=body, headers={"content-type": "text/html; charset=GBK"}))
    assert CHINESE in resp.text()


@pytest.mark.parametrize("label", ["gbk", "gb2312", "GB2312"])
def test_meta_charset_decodes_chinese(site: FakeSite, label: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body>{CHINESE}</body></html>'
    resp = fetch(site, Reply(body=page.encode("gbk"), headers={"content-type": "text/html"}))
    assert CHINESE in resp.text()


def test_http_equiv_meta_charset(site: FakeSite) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"</head><body>{CHINESE}</body></html>"
    )
    resp = fetch(site, Reply(body=page.encode("gb2312"), headers={"content-type": "text/html"}))
    assert CHINESE in resp.text()


def test_gb18030_without_declaration_is_detected(site: FakeSite) -> None:
    page = f"<html><head><title>新闻</title></head><body><p>{CHINESE}</p></body></html>"
    resp = fetch(site, Reply(body=page.encode("gb18030"), headers={"content-type": "text/html"}))
    assert CHINESE in resp.text()


def test_gb18030_only_characters_survive_a_gbk_label() -> None:
    # "𠀀" (U+20000) exists in GB18030 but not in GBK: browsers decode GBK labels as GB18030.
    text = "汉字𠀀"
    assert decode_body(text.encode("gb18030"), "text/html; charset=gbk") == text


def test_utf8_bom_wins_over_missing_header(site: FakeSite) -> None:
    body = "\ufeff<p>naïve café 中文</p>".encode()
    resp = fetch(site, Reply(body=body, headers={"content-type": "text/html"}))
    assert resp.text() == "<p>naïve café 中文</p>"


def test_emoji_round_trip(site: FakeSite) -> None:
    text = "Launch 🚀 day 👩🏽‍💻 ✅"
    resp = fetch(site, Reply(body=text, headers={"content-type": "text/plain; charset=utf-8"}))
    assert resp.text() == text


def test_unknown_charset_label_falls_through_to_next_clue() -> None:
    body = '<meta charset="utf-8"><p>中文</p>'.encode()
    assert "中文" in decode_body(body, "text/html; charset=x-no-such-codec")


# --- byte cap ---------------------------------------------------------------------------------


def test_declared_length_over_cap_is_refused(site: FakeSite) -> None:
    with pytest.raises(TooLarge, match="1,000 bytes; cap is 100"):
        fetch(site, Reply(body=b"x" * 1000), HttpSettings(max_bytes=100))


def test_streamed_body_over_cap_is_refused(site: FakeSite) -> None:
    # Chunked framing declares no length, so the cap has to catch the body while it streams.
    chunk = b"y" * 400
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    reply = Reply(body=chunked, headers={"transfer-encoding": "chunked"})
    with pytest.raises(TooLarge, match="passed the 1,000-byte cap"):
        fetch(site, reply, HttpSettings(max_bytes=1000))


def test_body_at_cap_is_accepted(site: FakeSite) -> None:
    resp = fetch(site, Reply(body=b"z" * 100), HttpSettings(max_bytes=100))
    assert resp.body == b"z" * 100


# --- transport failures -----------------------------------------------------------------------


def test_redirect_loop_is_a_transport_error(site: FakeSite) -> None:
    site.reply("/a", 302, headers={"location": "/b"})
    site.reply("/b", 302, headers={"location": "/a"})
    with pytest.raises(TransportError, match="redirects"):
        get(site.url + "/a", HttpSettings(max_redirects=5))


def test_redirect_is_followed_and_final_url_kept(site: FakeSite) -> None:
    site.reply("/old", 301, headers={"location": "/new"})
    site.reply("/new", 200, "moved here")
    resp = get(site.url + "/old")
    assert (resp.status, resp.url, resp.body) == (200, site.url + "/new", b"moved here")


def test_timeout_is_a_transport_error(site: FakeSite) -> None:
    with pytest.raises(TransportError, match=r"timed out after 0\.3s"):
        fetch(site, Reply(body="late", delay=1.0), HttpSettings(timeout=0.3))


def test_connection_refused_is_a_transport_error() -> None:
    with socket.socket() as sock:  # bind then close: nothing listens on this port afterwards
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError, match="failed"):
        get(f"http://127.0.0.1:{port}/")


def test_invalid_url_is_a_transport_error() -> None:
    with pytest.raises(TransportError):
        get("http://")


# --- headers, cookies, JSON -------------------------------------------------------------------


def test_headers_and_cookies_are_sent(site: FakeSite) -> None:
    site.reply("/h", 200, "ok")
    get(site.url + "/h", headers={"X-Token": "t1"}, cookies={"sid": "abc", "lang": "zh"})
    _, sent = site.requests[-1]
    lowered = {k.lower(): v for k, v in sent.items()}
    assert lowered["x-token"] == "t1"
    assert lowered["cookie"] == "sid=abc; lang=zh"
    assert lowered["user-agent"].startswith("watcher/")


def test_response_headers_are_lower_case(site: FakeSite) -> None:
    resp = fetch(
        site, Reply(body="{}", headers={"Content-Type": "Application/JSON; charset=utf-8"})
    )
    assert resp.content_type == "application/json"
    assert resp.json() == {}


def test_non_json_body_is_bad_body(site: FakeSite) -> None:
    resp = fetch(site, Reply(body="<html>", headers={"content-type": "text/html"}))
    with pytest.raises(BadBody, match=r"not JSON \(text/html\)"):
        resp.json()


# --- Retry-After and status mapping -----------------------------------------------------------

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Sun, 01 Jun 2025 12:01:30 GMT", 90.0),
        ("Sun, 01 Jun 2025 11:00:00 GMT", 0.0),  # a date in the past means "now"
        ("soon", None),
        ("", None),
        ("-5", None),
    ],
)
def test_retry_after(value: str, expected: float | None) -> None:
    assert retry_after({"retry-after": value}, now=NOW) == expected


def test_retry_after_absent() -> None:
    assert retry_after({}, now=NOW) is None


def _resp(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response("https://example.test/p", status, headers or {}, b"")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, None),
        (204, None),
        (304, None),
        (404, None),  # gone or not is the source's call
        (410, None),
        (401, Blocked),
        (403, Blocked),
        (451, Blocked),
        (429, RateLimited),
        (400, Failed),
        (500, Failed),
        (502, Failed),
        (503, Failed),
    ],
)
def test_unobserved_mapping(status: int, expected: type | None) -> None:
    result = unobserved(_resp(status))
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, expected)
        assert isinstance(result, Blocked | RateLimited | Failed)
        assert str(status) in result.reason


def test_unobserved_429_carries_retry_after() -> None:
    result = unobserved(_resp(429, {"retry-after": "30"}))
    assert result == RateLimited("HTTP 429 Too Many Requests", 30.0)
