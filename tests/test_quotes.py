"""The quoted post's own changes (`watcher.quotes`), decided purely from the watch's state;
the first check after the schema 6 upgrade; the alert that says whose post was affected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

from tests.test_store_version import columns, record_version, recorded_version
from watcher.detect import detect
from watcher.model import (
    EventKind,
    Post,
    Presence,
    Quoted,
    QuotedPresence,
    Seen,
    Status,
    Target,
    WatchState,
)
from watcher.normalize import content_hash
from watcher.quotes import legacy_hash
from watcher.render import Alert, render
from watcher.store import Store
from watcher.store.schema import SCHEMA_VERSION

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ORIGINAL = Quoted(
    "9", "https://m.weibo.cn/detail/9", "leijun", text="原文", legacy="//@leijun: 原文"
)


def repost(quoted: Quoted | None = ORIGINAL, text: str = "转发微博") -> Post:
    return Post("1", "https://m.weibo.cn/detail/1", text, author="fan", quoted=quoted)


def gone(presence: QuotedPresence, notice: str = "抱歉") -> Quoted:
    return replace(ORIGINAL, presence=presence, text="", notice=notice)


def seen_after(state: WatchState, post: Post) -> tuple[WatchState, list[EventKind], bool]:
    outcome = detect(state, Seen(post), T0)
    return outcome.state, [e.kind for e in outcome.events], outcome.store_revision


def test_the_hash_covers_the_quoted_posts_identity_not_what_it_shows() -> None:
    assert content_hash(repost()) == content_hash(repost(gone(QuotedPresence.DELETED)))
    assert content_hash(repost()) != content_hash(repost(replace(ORIGINAL, id="10")))
    assert legacy_hash(repost(None)) is None  # a post that quotes nothing: one rule


def test_each_change_of_the_quoted_post_is_one_event_of_its_own() -> None:
    state, kinds, _ = seen_after(WatchState(), repost())
    assert kinds == [EventKind.NEW]
    steps = [
        (repost(replace(ORIGINAL, text="原文，改过")), EventKind.QUOTED_EDITED),
        (repost(gone(QuotedPresence.DELETED)), EventKind.QUOTED_DELETED),
        (repost(gone(QuotedPresence.REMOVED)), EventKind.QUOTED_REMOVED),
        (repost(gone(QuotedPresence.ACCOUNT_REMOVED)), EventKind.QUOTED_REMOVED),
        (repost(gone(QuotedPresence.HIDDEN)), EventKind.QUOTED_HIDDEN),
        (repost(gone(QuotedPresence.DETACHED)), EventKind.QUOTED_HIDDEN),
        (repost(), EventKind.QUOTED_RESTORED),
    ]
    for post, kind in steps:
        state, kinds, stored = seen_after(state, post)
        assert (kinds, stored, state.status) == ([kind], True, Status.UNCHANGED)
    state, kinds, stored = seen_after(state, repost())
    assert (kinds, stored) == ([], False)


def test_a_reworded_notice_or_an_unknown_one_says_nothing() -> None:
    state, _, _ = seen_after(WatchState(), repost(gone(QuotedPresence.HIDDEN, "由于作者设置")))
    state, kinds, stored = seen_after(state, repost(gone(QuotedPresence.HIDDEN, "仅展示半年内")))
    assert (kinds, stored) == ([], False)
    state, kinds, stored = seen_after(state, repost(gone(QuotedPresence.UNKNOWN, "新的说法")))
    assert (kinds, stored) == ([], True)  # kept as said, never guessed


def test_the_reposts_own_edit_is_still_an_edit() -> None:
    state, _, _ = seen_after(WatchState(), repost())
    state, kinds, _ = seen_after(state, repost(gone(QuotedPresence.DELETED), text="改了"))
    assert kinds == [EventKind.EDITED, EventKind.QUOTED_DELETED]


def test_the_first_check_after_the_upgrade_compares_by_the_old_rule_once() -> None:
    """A repost stored before schema 6: its hash covered `//@leijun: 原文`. Unchanged by
    that rule, it is stored again under the new one, with no event."""
    old = content_hash(Post("1", "u", "转发微博\n\n//@leijun: 原文", author="fan"))
    before = WatchState(presence=Presence.VISIBLE, content_hash=old)
    state, kinds, stored = seen_after(before, repost())
    assert (kinds, stored, state.status) == ([], True, Status.UNCHANGED)
    assert state.quoted is QuotedPresence.VISIBLE and state.quoted_hash
    # a real edit made meanwhile is still one
    _, kinds, _ = seen_after(before, repost(text="转发微博，改过"))
    assert kinds == [EventKind.EDITED]


def test_other_platforms_old_hash_is_the_post_without_its_quote() -> None:
    quoting = repost(replace(ORIGINAL, legacy=""))
    old = content_hash(replace(quoting, quoted=None))
    before = WatchState(presence=Presence.VISIBLE, content_hash=old)
    assert seen_after(before, quoting)[1] == []


def test_the_alert_says_whose_post_it_was_and_quotes_the_evidence() -> None:
    alert = Alert(
        kind=EventKind.QUOTED_DELETED,
        platform="weibo",
        author="雷军",
        link="https://m.weibo.cn/detail/1",
        at=T0,
        old_text="诋毁，本身就是一种仰望",
        old_at=T0,
        new_text="抱歉，此微博已被作者删除。",
        detail="抱歉，此微博已被作者删除。",
        quoted_author="莫言",
        quoted_link="https://m.weibo.cn/detail/9",
    )
    (body,) = render(alert, "text")
    assert body.startswith("🗑 Quoted post deleted — 雷军 on Weibo")
    assert "The post by @莫言 that 雷军 reposted was deleted by its author" in body
    assert "https://m.weibo.cn/detail/1" in body and "https://m.weibo.cn/detail/9" in body
    assert "诋毁，本身就是一种仰望" in body
    (edited,) = render(
        replace(alert, kind=EventKind.QUOTED_EDITED, new_text="诋毁，是一种仰望"), "text"
    )
    assert "was edited" in edited and "[-本身就-]" in edited.replace(" ", "")


# --- schema 6 -------------------------------------------------------------------------------


def test_a_version_5_database_gains_quotes_and_keeps_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    target = Target("https://m.weibo.cn/detail/1", "weibo")
    store = Store(url)
    try:
        watch = store.ensure_watch(target, 60, T0, True)
    finally:
        store.close()
    engine = create_engine(url)
    with engine.begin() as conn:  # as version 5 left the tables
        conn.exec_driver_sql("ALTER TABLE revision DROP COLUMN quoted")
        for column in ("quoted_presence", "quoted_hash"):
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
    engine.dispose()
    record_version(url, 5)
    store = Store(url)
    try:
        upgraded = store.get_watch(watch.id)
        assert (upgraded.state.quoted, upgraded.state.quoted_hash) == (None, "")
    finally:
        store.close()
    assert {"quoted_presence", "quoted_hash"} <= columns(url, "watch")
    assert "quoted" in columns(url, "revision")
    assert recorded_version(url) == SCHEMA_VERSION >= 6
