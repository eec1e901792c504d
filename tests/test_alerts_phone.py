"""Alerts made for a phone (issue 13, item 3): apprise's title and type, who and when in the
channel's time zone, reasons in plain words, long messages split at sentences with the header
on every part, long added blocks capped, no Slack fence inside a time or a URL, and the events
a channel gets by default. Renderer-level for each format, then end to end through the outbox,
the real store and apprise's json:// (which carries title and type) to a local receiver."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import applied, planned
from tests.fakeapis import (
    fake_chat_apis,
    json_messages,
    slack_messages,
    slack_url,
    telegram_messages,
    telegram_url,
)
from tests.server import FakeSite
from tests.test_render import ZWSP, plain, unrender
from watcher.config import parse_settings
from watcher.errors import ConfigError
from watcher.model import EventKind, Post, Presence, Status, Target
from watcher.notify import Notifier
from watcher.outbox import Outbox, send_test
from watcher.plan import PlannedEvent, Step
from watcher.render import FORMATS, LIMITS, MAX_PARTS, Alert, message, render
from watcher.settings import DEFAULT_EVENTS, ChannelSettings, Settings
from watcher.store import Store

POSTED = datetime(2025, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
SEEN = datetime(2025, 6, 1, 3, 25, tzinfo=UTC)  # 11:25
GONE = datetime(2025, 6, 1, 3, 26, tzinfo=UTC)  # 11:26
CONFIRMED = datetime(2025, 6, 1, 3, 27, tzinfo=UTC)
LINK = "https://weibo.com/1669879400/Pabc123"
WEIBO_GONE = "Weibo ok:0 errno:20101 微博不存在"


def weibo(kind: EventKind, **fields: object) -> Alert:
    base: dict[str, object] = {
        "platform": "weibo",
        "author": "雷军",
        "link": LINK,
        "at": CONFIRMED,
        "posted_at": POSTED,
    }
    return Alert(kind, **(base | fields))  # type: ignore[arg-type]


def deletion(**fields: object) -> Alert:
    values: dict[str, object] = {
        "old_text": "今天很好。",
        "old_at": POSTED,
        "seen_at": SEEN,
        "gone_at": GONE,
        "detail": WEIBO_GONE,
    }
    return weibo(EventKind.DELETED, **(values | fields))


def lines(fmt: str, body: str) -> list[str]:
    return plain(unrender(fmt, body)).split("\n")


# --- title and type ---------------------------------------------------------------------------

TYPES = [
    (EventKind.NEW, "🆕 New", "info"),
    (EventKind.EDITED, "✏️ Edited", "info"),
    (EventKind.DELETED, "🗑 Deleted", "warning"),
    (EventKind.REMOVED, "🚫 Removed by the platform", "warning"),
    (EventKind.RESTORED, "♻️ Restored", "success"),
    (EventKind.HIDDEN, "🙈 Hidden", "warning"),
    (EventKind.BLOCKED, "⛔ Blocked", "warning"),
    (EventKind.BROKEN, "🔧 Broken", "warning"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("kind", "label", "kind_type"), TYPES)
def test_title_says_what_and_who_and_the_type_how_bad(
    fmt: str, kind: EventKind, label: str, kind_type: str
) -> None:
    note = message(weibo(kind, old_text="a", new_text="b", detail="why"), fmt)
    assert note.title == f"{label} — 雷军 on Weibo"
    assert note.type == kind_type
    assert lines(fmt, note.bodies[0])[0] == note.title  # the body's first line, the same


def test_a_web_page_is_named_by_its_title_and_site() -> None:
    page = Alert(
        EventKind.EDITED, "web", "", "https://www.example.com/pricing", CONFIRMED, title="Pricing"
    )
    assert message(page, "text").title == "✏️ Edited — Pricing on example.com"
    nameless = replace(page, title="")
    assert message(nameless, "text").title == "✏️ Edited on example.com"


def test_the_title_is_one_short_line_of_inert_text() -> None:
    hostile = weibo(EventKind.NEW, author="Lei\nJun\x1b[2J " + "x" * 300, new_text="hi")
    title = message(hostile, "text").title
    assert "\n" not in title and "\x1b" not in title and "\\x1b" in title
    assert len(title) < 130 and "…" in title
    page = Alert(EventKind.NEW, "web", "", "https://x.example/", CONFIRMED, title="a\u202eb")
    assert message(page, "text").title == "🆕 New — a<U+202E>b on x.example"
    for fmt in FORMATS:
        assert "\u202e" not in "".join(render(page, fmt))


# --- when, in the channel's time zone -----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_deletion_says_when_it_was_posted_and_between_which_checks_it_went(fmt: str) -> None:
    (body,) = render(deletion(), fmt, tz="Asia/Shanghai")
    shown = lines(fmt, body)
    assert shown[1] == "Posted 2025-06-01 09:00 · gone between 11:25 and 11:26 CST"
    assert "Last version, stored 2025-06-01 09:00 CST:" in shown


def test_times_default_to_utc_and_show_the_date_when_it_changes() -> None:
    (body,) = render(deletion(), "text")
    assert body.split("\n")[1] == "Posted 2025-06-01 01:00 · gone between 03:25 and 03:26 UTC"
    late = deletion(seen_at=SEEN + timedelta(hours=20), gone_at=GONE + timedelta(hours=21))
    (body,) = render(late, "text")
    assert body.split("\n")[1] == (
        "Posted 2025-06-01 01:00 · gone between 23:25 and 2025-06-02 00:26 UTC"
    )


def test_an_edit_and_a_zone_that_changes_to_summer_time() -> None:
    before = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)  # 01:30 CET, then summer time
    event = weibo(
        EventKind.EDITED, posted_at=None, old_at=before, new_at=before + timedelta(hours=1)
    )
    (body, *_) = render(replace(event, old_text="a b", new_text="a c"), "text", tz="Europe/Berlin")
    assert body.split("\n")[1] == "Edited between 2025-03-30 01:30 CET and 03:30 CEST"


def test_without_a_last_seen_time_a_deletion_says_by_when() -> None:
    (body,) = render(deletion(seen_at=None, gone_at=None), "text", tz="Asia/Shanghai")
    assert body.split("\n")[1] == "Posted 2025-06-01 09:00 · gone by 11:27 CST"


# --- reasons in plain words ---------------------------------------------------------------------

REASONS = [
    ("web", "HTTP 404 from https://example.com/p", "The page answered 404 Not Found"),
    ("mastodon", "HTTP 404: Record not found", "Mastodon answered 404 Not Found"),
    ("feed", "HTTP 410 from https://x.example/feed", "The feed answered 410 Gone"),
    ("reddit", "HTTP 403 from Reddit: Forbidden", "Reddit answered 403 Forbidden"),
    (
        "reddit",
        "HTTP 404 from Reddit: the subreddit is banned (https://reddit.com/r/x)",
        "Reddit answered 404 Not Found: the subreddit is banned (https://reddit.com/r/x)",
    ),
    ("mastodon", "HTTP 432 from https://m.example/api", "Mastodon answered 432"),
    ("weibo", WEIBO_GONE, "Weibo said “微博不存在” (error 20101)"),
    (
        "reddit",
        "Reddit: t3_abc is [deleted] by its author",
        "Reddit: t3_abc is [deleted] by its author",
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("platform", "detail", "said"), REASONS)
def test_a_reason_is_said_in_plain_words(fmt: str, platform: str, detail: str, said: str) -> None:
    (body,) = render(deletion(platform=platform, detail=detail), fmt)
    assert said in lines(fmt, body)


def test_a_blocked_reason_is_plain_too() -> None:
    event = weibo(EventKind.BLOCKED, platform="web", detail="HTTP 403 from https://x.example/")
    (body,) = render(event, "text")
    assert "The page answered 403 Forbidden" in body.split("\n") and "HTTP 403" not in body


# --- long messages ------------------------------------------------------------------------------

SENTENCES = " ".join(f"Sentence number {i} says something rather ordinary." for i in range(400))
CJK = "今天天气很好，我们一起去公园散步吧。" * 400
WORDS = " ".join(f"word{i % 97}" for i in range(5000))


def parts_of(fmt: str, text: str, limit: int) -> list[str]:
    """What a reader sees of each part of a deletion of `text`: number and header checked."""
    parts = render(deletion(old_text=text, detail=""), fmt, limit)
    assert len(parts) > 2
    shown = [plain(unrender(fmt, body)) for body in parts]
    headline = shown[0].removeprefix(f"(1/{len(parts)}) ").split("\n")[0]
    assert headline == "🗑 Deleted — 雷军 on Weibo"
    for number, part in enumerate(shown[1:], 2):
        assert part.startswith(f"({number}/{len(parts)}) {headline}\n")  # a part read alone
    return shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_messages_split_at_sentences_with_the_header_on_each_part(fmt: str) -> None:
    limit = 1500 if fmt != "html" else 3000
    for part in parts_of(fmt, SENTENCES, limit)[:-1]:
        assert re.search(r"ordinary\.\s*$", part), part[-60:]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cjk_text_splits_after_a_sentence_mark(fmt: str) -> None:
    for part in parts_of(fmt, CJK, 1000 if fmt != "html" else 3000)[:-1]:
        assert part.endswith("。"), part[-20:]


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_without_sentences_splits_between_words(fmt: str) -> None:
    for part in parts_of(fmt, WORDS, 1000 if fmt != "html" else 3000):
        tail = part.split("\n")[-1]
        assert all(re.fullmatch(r"word\d+", word) for word in tail.split()), tail[-40:]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_very_long_added_block_is_capped_with_its_size_and_the_link(fmt: str) -> None:
    before = " ".join(f"line{i}" for i in range(300))
    block = "Added text that goes on. " * 400  # 10,000 characters
    after = before[:900] + " " + block + before[900:]
    event = weibo(EventKind.EDITED, old_text=before, new_text=after, old_at=POSTED, new_at=SEEN)
    parts = render(event, fmt)
    assert len(parts) <= MAX_PARTS
    shown = "".join(plain(unrender(fmt, body)) for body in parts)
    found = re.search(r"… \(\+([\d,]+) characters: (\S+)\)", shown)
    assert found and found[2] == LINK
    assert 8000 < int(found[1].replace(",", "")) < len(block)
    hidden = int(found[1].replace(",", ""))
    assert abs(shown.count("Added text that goes on.") * 25 - (len(block) - hidden)) < 30


# --- Slack's fences -----------------------------------------------------------------------------

URLS = ["https://example.org/a_b*c~d_e", "https://x.example/p?q=1&r=_s_t"]


def test_slack_fences_never_land_inside_times_or_urls() -> None:
    text = f"see {URLS[0]}) and {URLS[1]}_ now: *bold* at 11:25."
    new = weibo(EventKind.NEW, new_text=text)
    edit = weibo(EventKind.EDITED, old_text="see", new_text=text, old_at=POSTED, new_at=SEEN)
    for event in (new, edit, deletion(old_text=text)):
        (body,) = render(event, "slack-mrkdwn", tz="Asia/Shanghai")
        when = body.split("\n")[1]
        assert ZWSP not in when and re.search(r"\d\d:\d\d", when)
        for url in URLS:
            shown = url.replace("&", "&amp;")
            assert f"<{shown}>" in body  # an explicit link, nothing inside it escaped
        assert f"{ZWSP}*{ZWSP}bold{ZWSP}*{ZWSP}" in body  # the post's marks stay fenced
        assert "at 11:25." in body and f"now{ZWSP}:{ZWSP}" in body  # a time's colon is not


# --- which events a channel gets --------------------------------------------------------------


def test_a_channel_gets_changes_by_default_and_operational_states_only_when_asked() -> None:
    channel = ChannelSettings("phone", "json://localhost/x")
    wanted = {"edited", "deleted", "removed", "restored", "new", "silent", "back"}
    wanted |= {"quoted_edited", "quoted_deleted", "quoted_removed", "quoted_hidden"}
    wanted |= {"quoted_restored"}
    assert wanted == DEFAULT_EVENTS
    assert all(channel.wants(kind) for kind in wanted)
    assert not any(channel.wants(kind) for kind in ("failed", "blocked", "broken", "hidden"))
    ops = parse_settings(
        {"channels": [{"name": "ops", "url": "json://h/x", "events": ["blocked"]}]}
    )
    assert ops.channels[0].wants("blocked") and not ops.channels[0].wants("edited")


# --- time zone settings -----------------------------------------------------------------------


def test_time_zones_are_read_from_defaults_and_channels() -> None:
    settings = parse_settings(
        {
            "defaults": {"timezone": "Asia/Shanghai"},
            "channels": [
                {"name": "a", "url": "json://h/a"},
                {"name": "b", "url": "json://h/b", "timezone": "Europe/Berlin"},
            ],
        }
    )
    assert settings.timezone == "Asia/Shanghai"
    assert [c.timezone for c in settings.channels] == ["", "Europe/Berlin"]
    assert Settings().timezone == "UTC"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"defaults": {"timezone": "Mars/Olympus"}}, "defaults.timezone"),
        ({"defaults": {"timezone": "../../etc/passwd"}}, "defaults.timezone"),
        ({"channels": [{"name": "a", "url": "json://h", "timezone": "CET+1"}]}, "channels[0]"),
        ({"channels": [{"name": "a", "url": "json://h", "timezone": 8}]}, "channels[0]"),
    ],
)
def test_an_unknown_time_zone_is_a_one_line_error_naming_file_and_key(
    data: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(data, "watcher.toml")
    text = str(caught.value)
    assert text.startswith(f"watcher.toml: {key}") and "\n" not in text
    assert "timezone" in text


# --- end to end: outbox, store, apprise's json:// ---------------------------------------------


def test_a_deletion_reaches_json_with_title_type_and_local_times(
    tmp_path: Path, site: FakeSite
) -> None:
    host = site.url.split("//")[1]
    channels = (
        ChannelSettings("phone", f"json://{host}/phone", timezone="Asia/Shanghai"),
        ChannelSettings("ops", f"json://{host}/ops", frozenset({"deleted", "blocked"})),
    )
    settings = Settings(channels=channels, timezone="UTC")
    site.reply("/phone", 200, "ok")
    site.reply("/ops", 200, "ok")
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        watch = store.ensure_watch(Target(LINK, "weibo"), 60, POSTED, True)
        post = Post("Pabc123", LINK, "今天很好。", author="雷军", created_at=POSTED)
        watch = applied(store, planned(watch, POSTED, post, EventKind.NEW))
        # a later check saw it (a sample of its counters): the last time it was known visible
        watch = applied(store, planned(watch, SEEN, metrics={"likes": 7}))
        gone = PlannedEvent(EventKind.DELETED, CONFIRMED, WEIBO_GONE, ("phone", "ops"))
        state = replace(watch.state, presence=Presence.GONE, status=Status.DELETED, gone_since=GONE)
        watch = applied(
            store, planned(watch, CONFIRMED, state=state, steps=(Step(CONFIRMED, events=(gone,)),))
        )
        problem = PlannedEvent(EventKind.BLOCKED, CONFIRMED, "HTTP 403 from x", ("ops",))
        applied(store, planned(watch, CONFIRMED, steps=(Step(CONFIRMED, events=(problem,)),)))
        report = Outbox(store, Notifier(), settings, lambda: CONFIRMED).drain()
    finally:
        store.close()
    assert report.sent == 3
    [phone] = json_messages(site, "/phone")
    assert (phone["title"], phone["type"]) == ("🗑 Deleted — 雷军 on Weibo", "warning")
    assert phone["message"].split("\n")[:4] == [
        "🗑 Deleted — 雷军 on Weibo",
        "Posted 2025-06-01 09:00 · gone between 11:25 and 11:26 CST",
        LINK,
        "Weibo said “微博不存在” (error 20101)",
    ]
    deleted, blocked = json_messages(site, "/ops")
    assert "gone between 03:25 and 03:26 UTC" in deleted["message"]  # the config's zone
    assert (blocked["title"], blocked["type"]) == ("⛔ Blocked — 雷军 on Weibo", "warning")


def test_an_edit_and_a_restore_are_info_and_success(tmp_path: Path, site: FakeSite) -> None:
    host = site.url.split("//")[1]
    settings = Settings(channels=(ChannelSettings("phone", f"json://{host}/phone"),))
    site.reply("/phone", 200, "ok")
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        watch = store.ensure_watch(Target(LINK, "weibo"), 60, POSTED, True)
        first = Post("P", LINK, "one two", author="雷军", created_at=POSTED)
        watch = applied(store, planned(watch, POSTED, first, EventKind.NEW))
        second = replace(first, text="one three")
        watch = applied(store, planned(watch, SEEN, second, EventKind.EDITED, ("phone",)))
        applied(store, planned(watch, GONE, kind=EventKind.RESTORED, channels=("phone",)))
        Outbox(store, Notifier(), settings, lambda: CONFIRMED).drain()
    finally:
        store.close()
    edited, restored = json_messages(site, "/phone")
    assert (edited["title"], edited["type"]) == ("✏️ Edited — 雷军 on Weibo", "info")
    assert "Posted 2025-06-01 01:00 · edited between 01:00 and 03:25 UTC" in edited["message"]
    assert (restored["title"], restored["type"]) == ("♻️ Restored — 雷军 on Weibo", "success")


def test_chat_services_get_the_title_only_where_it_stands_apart(site: FakeSite) -> None:
    """Slack shows the title as its attachment's title; Telegram would fold it into the body,
    which already starts with the same line, so it gets none."""
    note = message(deletion(), "telegram-html")
    with fake_chat_apis(site):
        Notifier().send(
            ChannelSettings("tg", telegram_url()),
            note.bodies,
            "telegram-html",
            note.title,
            "warning",
        )
        slack = message(deletion(), "slack-mrkdwn")
        Notifier().send(
            ChannelSettings("sl", slack_url()), slack.bodies, "slack-mrkdwn", slack.title, "warning"
        )
    [telegram] = telegram_messages(site)
    assert telegram["text"].count("🗑 Deleted") == 1
    assert measure_ok(telegram["text"], LIMITS["telegram-html"])
    [posted] = slack_messages(site)
    attachment = posted["payload"]["attachments"][0]
    assert attachment["title"] == "🗑 Deleted — 雷军 on Weibo"
    assert posted["text"] == slack.bodies[0]


def measure_ok(text: str, limit: int) -> bool:
    return len(text.encode("utf-16-le")) // 2 <= limit


def test_the_test_message_has_a_title_and_is_a_success(site: FakeSite) -> None:
    site.reply("/hook", 200, "ok")
    send_test(Notifier(), ChannelSettings("ops", f"json://{site.url.split('//')[1]}/hook"))
    [sent] = json_messages(site, "/hook")
    assert (sent["title"], sent["type"]) == ("✅ watcher test", "success")
