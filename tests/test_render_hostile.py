"""Hostile text in alerts. Control characters (ESC and its sequences, the rest of C0 and C1) and
bidi controls are shown, never obeyed, in every format and every field; a post can ping nobody
on Discord (whatever the channel URL's `format=`) or Slack. End to end through apprise's real
Discord and Slack plugins, pointed at the local fake APIs (tests/fakeapis.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakeapis import (
    discord_messages,
    discord_url,
    fake_chat_apis,
    slack_messages,
    slack_url,
)
from tests.server import FakeSite
from watcher.differ import diff_texts
from watcher.model import EventKind
from watcher.notify import Notifier
from watcher.render import FORMATS, LIMITS, MAX_PARTS, Alert, measure, render
from watcher.settings import ChannelSettings

AT = datetime(2025, 6, 1, 15, 40, tzinfo=UTC)

# What a terminal or a chat client would obey rather than show (newline and tab are text).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Each sequence, and what a reader sees of it (letters only: each format escapes the rest).
HOSTILE = {
    "clear screen": ("\x1b[2J", ["x1b", "2J"]),
    "colour": ("\x1b[31mred\x1b[0m", ["x1b", "31mred", "0m"]),
    "OSC 8 link": ("\x1b]8;;https://evil.example\x1b\\CLICK\x1b]8;;\x1b\\", ["x1b", "CLICK"]),
    "OSC 0 title": ("\x1b]0;pwned\x07", ["x1b", "pwned", "x07"]),
    "C1 CSI": ("\x9b2J", ["x9b2J"]),
    "NUL and DEL": ("a\x00b\x7f", ["x00b", "x7f"]),
    "RLO": ("invoice\u202efdp.exe", ["invoice", "U+202E", "fdp.exe"]),
    "embeddings": ("\u202a\u202b\u202c\u202d", ["U+202A", "U+202B", "U+202C", "U+202D"]),
    "isolates": ("\u2066\u2067\u2068\u2069", ["U+2066", "U+2067", "U+2068", "U+2069"]),
    "marks": ("\u200e\u200f\u061c", ["U+200E", "U+200F", "U+061C"]),
}


def alert(kind: EventKind, **fields: Any) -> Alert:
    base: dict[str, Any] = {
        "platform": "mastodon",
        "author": "alice",
        "link": "https://mastodon.social/@alice/110",
        "at": AT,
    }
    return Alert(kind, **(base | fields))


def in_field(field: str, text: str) -> Alert:
    """An alert carrying `text` in one field, of a kind that shows that field."""
    if field == "text":
        return alert(EventKind.NEW, new_text=f"before {text} after")
    if field == "evidence":
        return alert(EventKind.DELETED, old_text=f"before {text} after")
    if field == "edit":
        old, new = "one two", f"one {text} two"  # shown as added
        return alert(EventKind.EDITED, old_text=old, new_text=new, diff=diff_texts(old, new))
    if field == "unedit":  # shown as removed; the diff made by `render`
        return alert(EventKind.EDITED, old_text=f"one {text} two", new_text="one two")
    if field == "author":
        return alert(EventKind.NEW, author=f"al{text}ice", new_text="hi")
    if field == "reason":
        return alert(EventKind.BLOCKED, detail=f"HTTP 403: {text}")
    raise AssertionError(field)


FIELDS = ["text", "evidence", "edit", "unedit", "author", "reason"]


def raw_in(parts: tuple[str, ...]) -> list[str]:
    return [repr(found) for part in parts for found in RAW.findall(part)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_controls_and_bidi_controls_are_shown_not_obeyed(fmt: str, field: str, name: str) -> None:
    text, shown = HOSTILE[name]
    parts = render(in_field(field, text), fmt)
    assert not raw_in(parts)
    body = "".join(parts)
    for piece in shown:  # spelled out, so a reader sees what the post hides
        assert piece in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_controls_in_a_link_are_percent_encoded(fmt: str) -> None:
    link = "https://evil.example/a\x1b]8;;b\u202ec"
    parts = render(alert(EventKind.NEW, link=link, new_text="hi"), fmt)
    assert not raw_in(parts)
    assert "https://evil.example/a%1B]8;;b%E2%80%AEc" in "".join(parts)


def test_the_text_format_spells_controls_like_the_terminal() -> None:
    (body,) = render(alert(EventKind.NEW, new_text="\x1b[2J\u202eok\x7f"), "text")
    assert body.endswith("\n\\x1b[2J<U+202E>ok\\x7f")


@pytest.mark.parametrize("fmt", FORMATS)
def test_newline_and_tab_stay_text_and_a_carriage_return_is_a_line_break(fmt: str) -> None:
    (body,) = render(alert(EventKind.NEW, new_text="a\tb\r\nc\rd\ne"), fmt)
    assert "\r" not in body and "x0d" not in body
    if fmt == "text":
        assert body.endswith("\na\tb\nc\nd\ne")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", [EventKind.NEW, EventKind.DELETED])
def test_spelled_out_controls_keep_every_limit(fmt: str, kind: EventKind) -> None:
    text = "\x1b[2J\u202e" * 1500
    parts = render(alert(kind, new_text=text, old_text=text), fmt)
    assert not raw_in(parts)
    assert all(measure(fmt, part) <= LIMITS[fmt] for part in parts)
    if kind is EventKind.NEW:
        assert len(parts) <= MAX_PARTS


# --- mentions -------------------------------------------------------------------------------

MENTIONS = "@everyone @here <@123> <@!123> <@&456> @Everyone"
# A mention Discord would act on: `\@` and `\<` are escaped, `%40` is not an `@`.
DISCORD_PING = re.compile(r"(?<!\\)@(?:everyone|here)|(?<!\\)<@[!&]?\d+>", re.IGNORECASE)
# A Slack mention or channel link: `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<!subteam^…>`.
SLACK_PING = re.compile(r"<[!@#]")
SLACK_MENTIONS = "<!channel> <!here> <!everyone> <@U0ABC123> <#C0ABC123> <!subteam^S0ABC|team>"


def mention_alerts(text: str) -> list[Alert]:
    url = f"https://evil.example/{text.split()[0]}/x"  # a URL in the text and as the link
    return [
        *(in_field(field, text) for field in FIELDS),
        alert(EventKind.NEW, new_text=f"see {url} now and {url}"),
        alert(EventKind.NEW, link="https://evil.example/@everyone/@here", new_text="hi"),
    ]


def test_discord_text_can_mention_nobody() -> None:
    for event in mention_alerts(MENTIONS):
        for part in render(event, "discord-md"):
            assert not DISCORD_PING.findall(part), part


def test_a_discord_url_keeps_its_other_at_signs() -> None:
    (body,) = render(alert(EventKind.NEW, new_text="hi"), "discord-md")
    assert "<https://mastodon.social/@alice/110>" in body


def test_slack_text_can_mention_nobody() -> None:
    for event in mention_alerts(SLACK_MENTIONS):
        for part in render(event, "slack-mrkdwn"):
            assert not SLACK_PING.findall(part), part


# --- end to end through apprise ---------------------------------------------------------------

HOSTILE_POST = f"{MENTIONS} \x1b]0;pwned\x07 \x1b[2J invoice\u202efdp.exe bob@example.com"


def hostile_alert() -> Alert:
    return alert(
        EventKind.NEW,
        author="<@123> @everyone\x1b[31m",
        link="https://evil.example/@everyone/\x1b[2J",
        new_text=HOSTILE_POST,
    )


def deliver(url: str, fmt: str) -> None:
    Notifier().send(ChannelSettings("hostile", url), render(hostile_alert(), fmt), fmt)


@pytest.mark.parametrize("params", ["format=markdown", "", "format=text", "format=html"])
def test_discord_delivery_pings_nobody_and_carries_no_control(site: FakeSite, params: str) -> None:
    with fake_chat_apis(site):
        deliver(discord_url(params), "discord-md")
    [payload] = discord_messages(site)
    shown = [payload.get("content", ""), *(e["description"] for e in payload.get("embeds", []))]
    assert not DISCORD_PING.findall(" ".join(shown))
    assert "invoice" in " ".join(shown)
    assert not RAW.findall(json.dumps(payload, ensure_ascii=False))
    assert payload["allowed_mentions"] == {"parse": [], "users": [], "roles": []}


@pytest.mark.parametrize("params", ["", "blocks=yes", "format=text"])
def test_slack_delivery_pings_nobody_and_carries_no_control(site: FakeSite, params: str) -> None:
    with fake_chat_apis(site):
        Notifier().send(
            ChannelSettings("hostile", slack_url("#alerts", params)),
            render(
                alert(EventKind.NEW, author=SLACK_MENTIONS, new_text=HOSTILE_POST), "slack-mrkdwn"
            ),
            "slack-mrkdwn",
        )
    [message] = slack_messages(site)
    assert not SLACK_PING.findall(message["text"])
    assert not RAW.findall(json.dumps(message["payload"], ensure_ascii=False))
