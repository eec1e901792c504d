"""watcher.notify against real apprise and local receivers only: json:// on a FakeSite, and the
Telegram, Slack and Discord plugins pointed at the same site (tests/fakeapis.py)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import apprise
import pytest

from tests.fakeapis import (
    DISCORD_ID,
    DISCORD_TOKEN,
    SLACK_TOKENS,
    TELEGRAM_TOKEN,
    discord_messages,
    discord_url,
    fake_api_env,
    fake_chat_apis,
    json_messages,
    slack_bot_url,
    slack_messages,
    slack_url,
    telegram_messages,
    telegram_url,
)
from tests.server import FakeSite, Reply
from watcher.errors import ConfigError, DeliveryError
from watcher.masking import mask, mask_in
from watcher.notify import Notifier, _with_params, check_url
from watcher.settings import ChannelSettings


@pytest.fixture
def chat(site: FakeSite) -> Iterator[FakeSite]:
    with fake_chat_apis(site):
        yield site


def json_url(site: FakeSite, path: str, userinfo: str = "") -> str:
    return site.url.replace("http://", f"json://{userinfo}") + path


def channel(url: str, name: str = "ops") -> ChannelSettings:
    return ChannelSettings(name=name, url=url)


def send(url: str, bodies: list[str], body_format: str) -> None:
    Notifier().send(channel(url), bodies, body_format)


# --- json:// -----------------------------------------------------------------------------------


def test_json_bodies_arrive_in_order_one_notification_each(site: FakeSite) -> None:
    site.reply("/hook", 200, "ok")
    bodies = ["✏️ Edited — first", "second\n\nwith a blank line", "third: 莫言说"]
    send(json_url(site, "/hook"), bodies, "text")
    arrived = json_messages(site, "/hook")
    assert [m["message"] for m in arrived] == bodies
    assert {(m["title"], m["type"], m["version"]) for m in arrived} == {("", "info", "1.0")}


def test_html_body_to_an_html_capable_receiver_is_not_converted(site: FakeSite) -> None:
    site.reply("/hook", 200, "ok")
    body = "<b>Edited</b> &lt;b&gt; <s>old</s>"
    send(json_url(site, "/hook"), [body], "html")
    assert [m["message"] for m in json_messages(site, "/hook")] == [body]


SECRET_PATH = "/hooks/TOKENabcdef0123456789"
SECRET_PASSWORD = "Passw0rdSecret"


def test_refused_delivery_raises_masked_error_and_logs_no_secret(
    site: FakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root: urllib3's request lines too
    caplog.set_level(logging.DEBUG, logger="apprise")
    caplog.set_level(logging.DEBUG, logger="watcher")
    site.reply(SECRET_PATH, 500, "boom")
    url = json_url(site, SECRET_PATH, userinfo=f"bot:{SECRET_PASSWORD}@")
    with pytest.raises(DeliveryError) as caught:
        send(url, ["hello"], "text")
    message = str(caught.value)
    assert "\n" not in message
    assert mask(url) in message and "500" in message
    assert caught.value.delivered == 0
    assert "JSON POST URL" in caplog.text  # apprise did log the URL at DEBUG: masked
    for secret in ("TOKENabcdef0123456789", SECRET_PASSWORD):
        assert secret not in message
        assert secret not in caplog.text


def test_failure_after_some_bodies_reports_how_many_were_delivered(site: FakeSite) -> None:
    answers = iter([Reply(200, "ok"), Reply(503, "busy")])
    site.set("/hook", lambda path: next(answers))
    with pytest.raises(DeliveryError, match=r"message 2/3") as caught:
        send(json_url(site, "/hook"), ["one", "two", "three"], "text")
    assert caught.value.delivered == 1
    assert [m["message"] for m in json_messages(site, "/hook")] == ["one"]


def test_unreachable_receiver_is_a_delivery_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DeliveryError, match="not delivered"):
        send(f"json://127.0.0.1:{port}/x", ["hello"], "text")


def test_bad_url_and_unknown_format_are_delivery_errors() -> None:
    with pytest.raises(DeliveryError, match="not a usable apprise URL") as caught:
        send("tgram://not-a-token-ABCDEFGH/123", ["x"], "telegram-html")
    assert "not-a-token-ABCDEFGH" not in str(caught.value)
    with pytest.raises(DeliveryError, match="unknown body format"):
        send("json://127.0.0.1:9/x", ["x"], "rtf")


def test_apprise_object_is_built_once_per_channel(site: FakeSite) -> None:
    site.reply("/hook", 200, "ok")
    notifier = Notifier()
    ops = channel(json_url(site, "/hook"))
    notifier.send(ops, ["one"], "text")
    notifier.send(ops, ["two"], "text")
    notifier.send(channel(ops.url, name="other"), ["three"], "text")
    assert len(notifier._targets) == 2
    assert [m["message"] for m in json_messages(site, "/hook")] == ["one", "two", "three"]


# --- Telegram ----------------------------------------------------------------------------------

TELEGRAM_BODY = (
    "✏️ <b>Edited</b> — @leijun on Weibo\n\n<s>莫言说：&lt;b&gt;诋毁&lt;/b&gt;</s> <u>new</u>"
    ' &amp; "q" &quot;\n  indented line  \n<a href="https://e.com/?a=1&amp;b=2">link</a>\n'
    "<blockquote>quoted</blockquote>\n<pre>  code\n  kept</pre>"
)


def test_telegram_html_arrives_byte_identical_with_parse_mode_html(chat: FakeSite) -> None:
    send(telegram_url("12345"), [TELEGRAM_BODY, "<i>second</i>"], "telegram-html")
    arrived = telegram_messages(chat)
    assert [m["text"] for m in arrived] == [TELEGRAM_BODY, "<i>second</i>"]
    assert {(m["parse_mode"], str(m["chat_id"])) for m in arrived} == {("HTML", "12345")}


@pytest.mark.parametrize("size", [4096, 5000])
def test_long_telegram_body_is_never_split_by_apprise(chat: FakeSite, size: int) -> None:
    body = "<b>x</b>" + "汉" * (size - len("<b>x</b>"))
    send(telegram_url(), [body], "telegram-html")
    assert [m["text"] for m in telegram_messages(chat)] == [body]


def test_an_overflow_the_user_wrote_in_the_url_wins(chat: FakeSite) -> None:
    body = "a" * 5000
    send(telegram_url(params="overflow=split"), [body], "telegram-html")
    assert "".join(m["text"] for m in telegram_messages(chat)) == body
    assert len(telegram_messages(chat)) == 2


def test_telegram_error_names_no_token(chat: FakeSite) -> None:
    chat.reply(f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage", 400, '{"ok":false}')
    with pytest.raises(DeliveryError) as caught:
        send(telegram_url(), ["hi"], "telegram-html")
    assert TELEGRAM_TOKEN not in str(caught.value)
    assert TELEGRAM_TOKEN.split(":")[1] not in str(caught.value)
    assert "tgram://****/****" in str(caught.value)


# --- Slack -------------------------------------------------------------------------------------

SLACK_BODY = (
    "*Edited* — ~x~ *y* _i_ **z** &lt;b&gt; &amp; &gt; <https://e.com/a?b=1&amp;c=2|the post>\n\n"
    "> quoted\n```code *not bold*```"
)


@pytest.mark.parametrize("params", ["", "blocks=yes"])
def test_slack_mrkdwn_arrives_verbatim_in_the_rendered_field(chat: FakeSite, params: str) -> None:
    send(slack_url("#alerts", params), [SLACK_BODY], "slack-mrkdwn")
    [message] = slack_messages(chat)
    assert message["text"] == SLACK_BODY
    assert message["mrkdwn"] is True
    assert message["channel"] == "#alerts"


def test_slack_bot_token_url_posts_to_chat_post_message(chat: FakeSite) -> None:
    send(slack_bot_url("#alerts"), [SLACK_BODY], "slack-mrkdwn")
    [message] = slack_messages(chat)
    assert message["text"] == SLACK_BODY
    assert chat.posts[0].path == "/slack/api/chat.postMessage"
    assert chat.posts[0].headers["Authorization"] == "Bearer xoxb-1234-5678-FakeSlackBotToken"


def test_why_apprise_slack_dialect_is_switched_off(chat: FakeSite) -> None:
    """Canary: apprise's own Slack handling of declared markdown reads it as CommonMark and
    breaks mrkdwn (*bold* -> _italic_, <url|text> -> <url%7Ctext>); without a declared format it
    escapes & again. If this starts failing, re-check watcher.notify's `_FORMATS`."""
    plain = apprise.Apprise()
    plain.add(slack_url())
    assert plain.notify("*b* <https://e.com|t>", body_format="markdown")
    assert plain.notify("&lt;", body_format=None)
    assert [m["text"] for m in slack_messages(chat)] == ["_b_ <https://e.com%7Ct>", "&amp;lt;"]


def test_slack_error_names_no_token(chat: FakeSite) -> None:
    chat.reply("/slack/hooks/" + "/".join(SLACK_TOKENS), 403, "invalid_token")
    with pytest.raises(DeliveryError) as caught:
        send(slack_url(), ["hi"], "slack-mrkdwn")
    for token in SLACK_TOKENS:
        assert token not in str(caught.value)


# --- Discord -----------------------------------------------------------------------------------

DISCORD_BODY = "**Edited** ~~old~~ \\*not italic\\* :fire: __u__ `code`\n\n> quoted\n||spoiler||"


def test_discord_markdown_arrives_verbatim_as_content(chat: FakeSite) -> None:
    send(discord_url(), [DISCORD_BODY, "second"], "discord-md")
    arrived = discord_messages(chat)
    assert [m["content"] for m in arrived] == [DISCORD_BODY, "second"]
    assert all("embeds" not in m for m in arrived)


def test_discord_error_names_no_token(chat: FakeSite) -> None:
    chat.reply(f"/discord/webhooks/{DISCORD_ID}/{DISCORD_TOKEN}", 401, "{}")
    with pytest.raises(DeliveryError) as caught:
        send(discord_url(), ["hi"], "discord-md")
    assert DISCORD_TOKEN not in str(caught.value)
    assert DISCORD_ID not in str(caught.value)


NO_PINGS = {"parse": [], "users": [], "roles": []}
MENTIONING = "@everyone @here <@123> <@!123> <@&456> mail bob@example.com"


@pytest.mark.parametrize("params", ["", "format=markdown", "format=text", "thread=9"])
@pytest.mark.parametrize("body_format", ["discord-md", "text", "html"])
def test_discord_message_allows_no_mention(chat: FakeSite, params: str, body_format: str) -> None:
    """Whatever the URL's format and the channel's body format: Discord is told to ping nobody,
    and apprise adds no "👉 @everyone" line of its own from what it finds in the body."""
    send(discord_url(params), [MENTIONING], body_format)
    [payload] = discord_messages(chat)
    assert payload["allowed_mentions"] == NO_PINGS
    assert "👉" not in payload.get("content", "")


@pytest.mark.parametrize("params", ["", "format=markdown"])
def test_discord_pings_only_whom_the_url_names(chat: FakeSite, params: str) -> None:
    url = discord_url("&".join(p for p in (params, "ping=@here,@123,@%26456") if p))
    send(url, [r"\@everyone \<\@999\> <@777>"], "discord-md")
    [payload] = discord_messages(chat)
    assert payload["allowed_mentions"] == {
        "parse": ["everyone"],
        "users": ["123"],
        "roles": ["456"],
    }
    pinged = payload["content"].rsplit("👉", 1)[1]
    assert sorted(pinged.split()) == ["<@&456>", "<@123>", "@here"]


def test_a_discord_plugin_that_cannot_be_guarded_is_not_used(
    chat: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apprise.plugins.discord import NotifyDiscord

    monkeypatch.delattr(NotifyDiscord, "_send")
    with pytest.raises(DeliveryError, match="cannot be kept from pinging"):
        send(discord_url(), ["hi"], "discord-md")
    assert not discord_messages(chat)


# --- masking -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("tgram://123456:ABC-DEF/12345", "tgram://****/****"),
        ("tgram://123456:ABC-DEF/@mychannel", "tgram://****/@mychannel"),
        ("slack://T000/B000/XXXX/#chan", "slack://****/****/#chan"),
        ("slack://xoxb-1-2-abc/#general/@bob", "slack://****/#general/@bob"),
        ("json://127.0.0.1:8080/notify", "json://127.0.0.1:8080/****"),
        ("mailtos://user:pass@gmail.com", "mailtos://user:****@gmail.com"),
        ("discord://1234/abcdef", "discord://****/****"),
        ("https://discord.com/api/webhooks/1/tok", "https://discord.com/****"),
        (
            "ntfys://ntfy.sh/topic?token=tk_abc&priority=high",
            "ntfys://ntfy.sh/****?token=****&priority=****",
        ),
        (
            "json://localhost/x?format=html&overflow=split",
            "json://localhost/****?format=html&overflow=split",
        ),
        ("json://h.example/?+Authorization=Bearer%20x", "json://h.example/?+Authorization=****"),
        ("not a url", "****"),
        ("", "****"),
    ],
)
def test_mask(url: str, shown: str) -> None:
    assert mask(url) == shown


def test_mask_extra_secrets() -> None:
    assert mask("json://hook.example.com/x", secrets=["hook.example.com"]) == "json://****/****"


def test_mask_in_replaces_urls_and_their_parts() -> None:
    url = "tgram://123456:ABC-DEF/12345"
    text = (
        f"failed {url}: POST https://api.telegram.org/bot123456:ABC-DEF/sendMessage "
        "chat 12345 (notification 412345)"
    )
    assert mask_in(text, [url]) == (
        "failed tgram://****/****: POST https://api.telegram.org/bot****/sendMessage "
        "chat **** (notification 412345)"
    )


def test_with_params_keeps_the_users_text() -> None:
    assert _with_params("slack://a/b/c/#chan", {"overflow": "upstream"}) == (
        "slack://a/b/c/#chan?overflow=upstream"
    )
    assert _with_params("json://h/x?-q=1&+H=a%20b", {"overflow": "upstream", "format": "html"}) == (
        "json://h/x?-q=1&+H=a%20b&overflow=upstream&format=html"
    )


def test_check_url() -> None:
    check_url(telegram_url())
    check_url("json://127.0.0.1:8080/notify")
    with pytest.raises(ConfigError, match=r"^\*\*\*\* is not a usable apprise URL"):
        check_url("garbage-with-SECRET123")
    with pytest.raises(ConfigError) as caught:
        check_url("slack://T0SECRETA/B0SECRETB")
    assert "SECRET" not in str(caught.value)
    assert str(caught.value).startswith("slack://****")


# --- a subprocess ------------------------------------------------------------------------------

CHILD = """
import sys
import apprise
from watcher.notify import Notifier
from watcher.settings import ChannelSettings

direct = apprise.Apprise()
direct.add(sys.argv[1])
if not direct.notify("plain apprise in a child"):
    sys.exit("apprise failed")
Notifier().send(ChannelSettings("d", sys.argv[2]), ["**from the child**"], "discord-md")
"""


def test_subprocess_talks_to_the_fake_apis_through_sitecustomize(
    chat: FakeSite, tmp_path: Path
) -> None:
    env = fake_api_env(chat, tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, telegram_url("777"), discord_url()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    [telegram] = telegram_messages(chat)
    assert (telegram["text"], str(telegram["chat_id"])) == ("plain apprise in a child", "777")
    assert [m["content"] for m in discord_messages(chat)] == ["**from the child**"]
    assert env["WATCHER_TEST_FAKE_APIS"] == chat.url
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path / "fake-apis-site")
