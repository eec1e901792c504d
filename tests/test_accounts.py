"""Account watches through `App.check_once`, on a Mastodon-shaped fake platform served over
real HTTP, with a real SQLite store: new posts, deletions between live neighbours, page
shifts, and account-level conditions that must never become mass deletions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.fakeplatform import PROFILE, FakeAccount, mastodon_settings
from tests.server import FakeSite
from watcher.app import App, CheckResult
from watcher.model import EventKind, Status, Watch
from watcher.settings import PlatformSettings
from watcher.store.tables import RAW_BODY


@pytest.fixture
def account(site: FakeSite) -> FakeAccount:
    fake = FakeAccount(site)
    for n in range(1, 6):
        fake.post(f"post number {n}", age=timedelta(minutes=60 - n))
    return fake


@pytest.fixture
def app(tmp_path: Path, site: FakeSite) -> Iterator[App]:
    with App(mastodon_settings(site), db=str(tmp_path / "watcher.db")) as running:
        yield running


def watch_account(app: App, url: str = PROFILE, enable: bool = True) -> Watch:
    target = app.target(url)
    assert target.account
    return app.store.ensure_watch(target, 300.0, app.clock(), enable)


def check(app: App, watch: Watch) -> CheckResult:
    return app.check_once(app.store.get_watch(watch.id))


def alerts(app: App) -> Counter[str]:
    """Pending alerts by event kind (the outbox is not drained in these tests)."""
    return Counter(d.event.kind.value for d in app.store.pending_deliveries())


def test_first_listing_is_a_baseline_followed_quietly(app: App, account: FakeAccount):
    watch = watch_account(app)
    result = check(app, watch)
    assert result.status is Status.NEW
    assert result.listed == 5
    posts = app.store.children(watch.id)
    assert [p.post_id for p in posts] == list(reversed(account.listed()))
    assert all(p.enabled and p.revisions == 1 and p.origin == "account" for p in posts)
    assert all(p.posted_at is not None for p in posts)
    assert alerts(app) == Counter()  # 5 posts existed before we looked: not news
    assert account.status_hits() == 0  # the listing is the first version: no extra requests


def test_a_new_post_is_one_new_alert(app: App, account: FakeAccount):
    watch = watch_account(app)
    check(app, watch)
    ident = account.post("brand new")
    result = check(app, watch)
    assert [w.post_id for w in result.discovered] == [ident]
    assert alerts(app) == Counter({"new": 1})
    (post,) = result.discovered
    assert app.store.revision(post.id, 1).post.text == "brand new"
    assert check(app, watch).discovered == ()  # seen once, new once
    assert alerts(app) == Counter({"new": 1})


def test_a_deletion_between_live_neighbours_is_checked_at_once_and_confirmed(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    victim = account.listed()[2]
    account.delete(victim)
    result = check(app, watch)
    (suspect,) = result.suspects
    assert suspect.watch.post_id == victim
    assert suspect.status is Status.UNCONFIRMED  # one gone signal is not proof
    assert alerts(app) == Counter()
    # the post watch's own next check (due within a minute) confirms it
    confirmed = app.check_once(app.store.get_watch(suspect.watch.id))
    assert confirmed.status is Status.DELETED
    assert alerts(app) == Counter({"deleted": 1})
    # later listings without it change nothing: it is no longer a suspect
    hits = account.status_hits()
    assert check(app, watch).suspects == ()
    assert account.status_hits() == hits
    assert alerts(app) == Counter({"deleted": 1})


def test_an_older_post_moving_up_after_a_deletion_is_followed_not_announced(
    app: App, account: FakeAccount
):
    account.page_size = 4  # five posts: the oldest is not listed at first
    watch = watch_account(app)
    check(app, watch)
    account.delete(account.listed()[1])
    result = check(app, watch)
    assert [w.post_id for w in result.discovered] == [account.posts[-1]["id"]]  # moved up
    assert len(result.suspects) == 1
    assert alerts(app) == Counter()  # not news: it was published before we looked
    account.post("really new")
    check(app, watch)
    assert alerts(app) == Counter({"new": 1})


def test_a_post_missing_from_the_listing_but_still_there_is_not_deleted(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    account.unlisted.add(account.listed()[1])  # left out of the listing only...
    (suspect,) = check(app, watch).suspects
    assert suspect.status is Status.UNCHANGED  # ...while the post itself answers: never deleted
    assert alerts(app) == Counter()


def test_the_page_shifting_by_one_post_is_nothing(app: App, account: FakeAccount):
    watch = watch_account(app)
    check(app, watch)
    account.page_size = 4  # the oldest post falls off the end of the page
    result = check(app, watch)
    assert (result.discovered, result.suspects) == ((), ())
    assert account.status_hits() == 0
    account.page_size = 20  # and when it is listed again it is not new
    assert check(app, watch).discovered == ()
    assert alerts(app) == Counter()
    assert sum(len(app.store.events(p.id)) for p in app.store.children(watch.id)) == 5  # the news


def test_a_new_post_pushing_the_oldest_off_is_one_new_alert(app: App, account: FakeAccount):
    account.page_size = 5
    watch = watch_account(app)
    check(app, watch)
    account.post("pushes the oldest off")
    result = check(app, watch)
    assert len(result.discovered) == 1 and result.suspects == ()
    assert alerts(app) == Counter({"new": 1})


def test_an_account_gone_private_is_one_account_alert_and_no_deletions(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    account.private = True
    first = check(app, watch)
    assert first.status is Status.HIDDEN
    assert first.suspects == () and account.status_hits() == 0
    assert check(app, watch).status is Status.HIDDEN
    # Once, on the account; not alerted: `hidden` goes only to channels that ask (issue 13).
    assert alerts(app) == Counter()
    assert [e.kind for e in app.store.events(watch.id)] == [EventKind.HIDDEN, EventKind.NEW]
    assert all(
        e.kind is EventKind.NEW
        for p in app.store.children(watch.id)
        for e in app.store.events(p.id)
    )
    account.private = False  # back: nothing was lost, nothing is new
    back = check(app, watch)
    assert back.status is Status.UNCHANGED
    assert (back.discovered, back.suspects) == ((), ())


def test_an_account_that_vanishes_is_confirmed_on_the_account_not_its_posts(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    account.gone = True
    assert check(app, watch).status is Status.UNCONFIRMED
    assert check(app, watch).status is Status.DELETED
    assert alerts(app) == Counter({"deleted": 1})
    deletions = [e for e in app.store.events(watch.id) if e.kind is EventKind.DELETED]
    assert len(deletions) == 1
    assert all(p.state.status is Status.NEW for p in app.store.children(watch.id))


def test_a_check_only_account_records_posts_without_following_them(app: App, account: FakeAccount):
    watch = watch_account(app, enable=False)
    check(app, watch)
    assert [p.enabled for p in app.store.children(watch.id)] == [False] * 5


def test_old_posts_are_known_but_not_followed(app: App, account: FakeAccount):
    account.post("ancient", age=timedelta(days=30))  # e.g. a pinned post
    account.posts.sort(key=lambda p: p["id"], reverse=True)
    watch = watch_account(app)
    check(app, watch)
    old = [p for p in app.store.children(watch.id) if not p.enabled]
    assert [app.store.revision(p.id, 1).post.text for p in old] == ["ancient"]


def test_followed_posts_are_checked_often_while_young_and_dropped_after_the_window(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    post = app.store.children(watch.id)[0]
    first = check(app, post)
    gap = (first.watch.next_check_at - app.clock()).total_seconds()
    assert 100 <= gap <= 135  # every 2 minutes (±10% jitter) during the first hour
    app.clock = lambda: post.posted_at + timedelta(days=8)  # type: ignore[operator,method-assign]
    assert check(app, post).watch.enabled is False


def test_an_edit_of_a_followed_post_alerts(app: App, account: FakeAccount):
    watch = watch_account(app)
    check(app, watch)
    newest = account.posts[0]
    newest["content"] = "<p>post number 5, corrected</p>"
    post = next(p for p in app.store.children(watch.id) if p.post_id == newest["id"])
    assert check(app, post).status is Status.EDITED
    assert alerts(app) == Counter({"edited": 1})


def test_a_post_already_watched_alone_is_adopted_not_duplicated(app: App, account: FakeAccount):
    alone = app.store.ensure_watch(app.target(account.posts[0]["url"]), 60.0, app.clock(), True)
    watch = watch_account(app)
    check(app, watch)
    posts = app.store.children(watch.id)
    assert len(posts) == 5 and sum(p.id == alone.id for p in posts) == 1
    assert app.store.get_watch(alone.id).origin == "cli"  # keeps its own schedule


def test_removing_an_account_stops_its_posts_and_purge_deletes_them(app: App, account: FakeAccount):
    watch = watch_account(app)
    check(app, watch)
    app.store.disable_watch(watch.id)
    assert not any(p.enabled for p in app.store.children(watch.id))
    assert app.store.purge_watch(watch.id) == 6  # the account's handle + 5 posts
    assert app.store.list_watches(include_disabled=True) == []


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example blog</title><link>https://blog.example/</link>
{items}</channel></rss>"""
ITEM = """<item><title>Item {n}</title><link>https://blog.example/p/{n}</link>
<guid>https://blog.example/p/{n}</guid><pubDate>{date}</pubDate>
<description>Text of item {n}.</description></item>"""


def serve_feed(site: FakeSite, numbers: list[int]) -> None:
    now = datetime.now(UTC)
    items = "".join(
        ITEM.format(n=n, date=format_datetime(now - timedelta(hours=10 - n))) for n in numbers
    )
    site.reply("/feed.xml", 200, RSS.format(items=items), {"content-type": "application/rss+xml"})


def test_a_whole_feed_is_an_account_whose_items_are_followed(app: App, site: FakeSite):
    serve_feed(site, [5, 4, 3, 2, 1])
    url = "https://blog.example/feed.xml"
    app.settings = replace(app.settings, platforms={"feed": PlatformSettings(base_url=site.url)})
    watch = watch_account(app, url)
    check(app, watch)
    posts = app.store.children(watch.id)
    assert [p.target.field for p in posts] == [f"https://blog.example/p/{n}" for n in range(1, 6)]
    assert {p.target.url for p in posts} == {url}
    assert check(app, posts[0]).status is Status.UNCHANGED  # the item, read from the feed
    serve_feed(site, [5, 4, 2, 1])  # item 3 vanishes while older items remain
    (suspect,) = check(app, watch).suspects
    assert suspect.watch.target.field == "https://blog.example/p/3"
    assert suspect.status is Status.UNCONFIRMED  # provably gone, once: confirmation follows
    assert check(app, suspect.watch).status is Status.DELETED
    serve_feed(site, [6, 5, 4])  # the page shifts: 2 and 1 age out, 6 is new
    result = check(app, watch)
    assert [w.target.field for w in result.discovered] == ["https://blog.example/p/6"]
    assert result.suspects == ()
    assert alerts(app) == Counter({"deleted": 1, "new": 1})


def test_the_listing_that_showed_a_post_is_kept_once_as_its_evidence(
    app: App, account: FakeAccount
):
    watch = watch_account(app)
    check(app, watch)
    account.post("brand new")
    (post,) = check(app, watch).discovered
    kept = app.store.captures(post.id)
    (answer,) = [c for _, c in kept if "/statuses" in c.url]
    assert b"brand new" in answer.body
    assert {r for r, _ in kept} == {1}  # beside its first revision
    assert answer in [c for _, c in app.store.captures(watch.id)]
    # every answer the account's checks kept is stored once, however many posts it showed
    assert stored_bodies(app) == len(app.store.captures(watch.id))


def stored_bodies(app: App) -> int:
    with app.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(RAW_BODY)).scalar_one())
