"""How an account going silent and coming back reads in every format: the first line says who,
where and for how long, the next the usual rate or when, then the post's link and text; the
title and type apprise gets; the wording of lengths and rates; and the alert the outbox makes
from a stored event (`quiet_alert`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_render import check_parts, plain, seen, unrender
from watcher.model import EventKind, Post, Revision
from watcher.render import FORMATS, Alert, message, render
from watcher.render.silence import quiet_alert, spoken, usual
from watcher.silence import Quiet, describe

AT = datetime(2025, 4, 3, 7, 0, tzinfo=UTC)  # 15:00 in Beijing
LAST = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)  # 10:00
BACK = datetime(2025, 4, 6, 2, 0, tzinfo=UTC)
LINK = "https://m.weibo.cn/detail/5150000000000023"
TEXT = "今天发布会 <b>*见*</b>"


def silent(**fields: object) -> Alert:
    base: dict[str, object] = {
        "platform": "weibo",
        "author": "雷军",
        "link": LINK,
        "at": AT,
        "account": True,
        "gap": (AT - LAST).total_seconds(),
        "usual": 6.2,
        "posted_at": LAST,
        "new_text": TEXT,
    }
    return Alert(EventKind.SILENT, **(base | fields))  # type: ignore[arg-type]


def back(**fields: object) -> Alert:
    """The first post after the silence, two hours after April 6 10:00."""
    posted = BACK + timedelta(hours=2)
    values: dict[str, object] = {"gap": (posted - LAST).total_seconds(), "usual": None}
    values |= {"posted_at": posted, "at": posted + timedelta(hours=1)}
    return replace(silent(**values | fields), kind=EventKind.BACK)


@pytest.mark.parametrize("fmt", FORMATS)
def test_silent_in_every_format(fmt: str) -> None:
    (body,) = render(silent(), fmt, tz="Asia/Shanghai")
    lines = plain(unrender(fmt, body)).split("\n")
    assert lines[:5] == [
        "💤 Silent — 雷军 has not posted on Weibo for 2 days 5 h",
        "Usually about 6 posts a day · last post 2025-04-01 10:00 CST",
        LINK,
        "",
        TEXT,  # the post's text exactly as written, escaped for the format
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_back_in_every_format(fmt: str) -> None:
    (body,) = render(back(), fmt, tz="Asia/Shanghai")
    lines = plain(unrender(fmt, body)).split("\n")
    assert lines[:5] == [
        "↩️ Back — 雷军 is back on Weibo after 5 days 2 h",
        "Posted 2025-04-06 12:00 · previous post 2025-04-01 10:00 CST",
        LINK,
        "",
        TEXT,
    ]


def test_title_and_type() -> None:
    note = message(silent(), "text")
    assert (note.title, note.type) == (
        "💤 Silent — 雷军 has not posted on Weibo for 2 days 5 h",
        "warning",
    )
    note = message(back(), "text")
    assert (note.title, note.type) == ("↩️ Back — 雷军 is back on Weibo after 5 days 2 h", "success")


def test_the_name_is_escaped_and_the_label_bold() -> None:
    (body,) = render(silent(author="<i>@everyone*"), "telegram-html")
    assert body.startswith("<b>💤 Silent</b> — &lt;i&gt;@everyone* has not posted on Weibo")
    (body,) = render(silent(author="<i>@everyone*"), "discord-md")
    assert body.startswith(r"**💤 Silent** — \<i\>\@everyone\* has not posted on Weibo")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_long_last_post_is_cut_within_the_limit(fmt: str) -> None:
    parts = render(silent(new_text="字" * 9000), fmt, 500)
    shown = plain(check_parts(fmt, parts, 500))
    assert shown.startswith("💤 Silent — 雷军 has not posted on Weibo for 2 days 5 h\n")
    assert "more characters" in plain(seen(fmt, parts))


def test_without_a_known_post_or_rate() -> None:
    (body,) = render(silent(usual=None, posted_at=None, new_text=""), "text")
    assert body.split("\n")[1] == "Last post 2025-04-01 02:00 UTC"  # found from the gap


def test_a_detail_in_other_words_is_shown_as_it_is() -> None:
    odd = silent(gap=None, usual=None, detail="quiet since the move")
    lines = plain(unrender("text", render(odd, "text")[0])).split("\n")
    assert lines[0] == "💤 Silent — 雷军 on Weibo"
    assert "quiet since the move" in lines


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (45 * 60, "45 min"),
        (2 * 3600 + 5 * 60, "2 h 5 min"),
        (20 * 3600 + 5 * 60, "20 h"),
        (86400, "1 day"),
        (86400 + 3 * 3600, "1 day 3 h"),
        (5 * 86400 + 2 * 3600 + 20 * 60, "5 days 2 h"),
        (5 * 86400, "5 days"),
    ],
)
def test_spoken_lengths(seconds: float, said: str) -> None:
    assert spoken(seconds) == said


@pytest.mark.parametrize(
    ("per_day", "said"),
    [
        (6.2, "about 6 posts a day"),
        (1.0, "about one post a day"),
        (0.5, "about 4 posts a week"),
        (0.12, "about one post a week"),
        (0.06, "about 2 posts a month"),
        (0.03, "about one post a month"),
        (0.01, "less than one post a month"),
    ],
)
def test_usual_rates(per_day: float, said: str) -> None:
    assert usual(per_day) == said


def test_the_outbox_shows_the_post_the_detail_names() -> None:
    """`quiet_alert`: the detail's gap and rate, and the newest stored version of its post."""
    detail = describe(EventKind.SILENT, Quiet((AT - LAST).total_seconds(), "23", 6.2, 86400))
    stored = Alert(
        EventKind.SILENT, "weibo", "雷军", "https://weibo.com/u/1", AT, detail=detail, account=True
    )
    post = Post("23", LINK, TEXT, author="雷军", created_at=LAST)
    asked: list[str] = []

    def post_of(ident: str) -> Revision | None:
        asked.append(ident)
        return Revision(9, 2, post, "h", LAST + timedelta(minutes=5))

    made = quiet_alert(stored, post_of)
    assert asked == ["23"]
    assert (made.gap, made.usual, made.link, made.new_text) == (
        (AT - LAST).total_seconds(),
        6.2,
        LINK,
        TEXT,
    )
    assert (made.posted_at, made.detail) == (LAST, "")
    gone = quiet_alert(stored, lambda _: None)  # the post was purged: the account's link
    assert (gone.link, gone.new_text, gone.posted_at) == ("https://weibo.com/u/1", "", None)
    odd = quiet_alert(replace(stored, kind=EventKind.BACK, detail="x"), post_of)
    assert odd.detail == "x" and odd.gap is None
