"""What the store keeps for silences: `silent_since` written with the check that announces a
silence and cleared by the one that ends it (never by a stale plan), the post a `silent` or
`back` names found by its id, and the counters' history interactions are counted from. On
SQLite and on the local PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import applied, digest, planned
from watcher.model import EventKind, Post, Presence, Status, Target, WatchState
from watcher.plan import NewWatch, PlannedEvent, Step
from watcher.store import Store

T0 = datetime(2025, 4, 1, 12, tzinfo=UTC)
ACCOUNT = Target("https://social.example/@ann", "mastodon", account=True)
HANDLE = Post(ACCOUNT.url, ACCOUNT.url, "@ann@social.example")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def found(post_id: str, likes: int) -> NewWatch:
    """A post the account's listing starts following, with its counters."""
    url = f"{ACCOUNT.url}/{post_id}"
    post = Post(post_id, url, f"toot {post_id}", created_at=T0, metrics={"favourites_count": likes})
    state = WatchState(Presence.VISIBLE, Status.NEW, digest(post))
    return NewWatch(Target(url, "mastodon"), post, digest(post), state, T0, True)


def test_silent_since_is_written_with_the_silence_and_cleared_with_its_end(store: Store) -> None:
    account = applied(store, planned(store.ensure_watch(ACCOUNT, 60, T0, True), T0, HANDLE))
    said = PlannedEvent(EventKind.SILENT, hours(30), "no post for 1d 6h; last post 1", ("c",))
    steps = (Step(hours(30), events=(said,)),)
    silent = planned(account, hours(30), steps=steps, silent_since=T0)
    assert not silent.quiet
    account = applied(store, silent)
    assert account.silent_since == T0 == store.get_watch(account.id).silent_since
    # A check that read the watch before it is stale: it cannot clear (or say) it again.
    assert store.apply(planned(replace(account, version=account.version - 1), hours(31))) is None
    assert store.get_watch(account.id).silent_since == T0
    back = PlannedEvent(EventKind.BACK, hours(40), "back after 1d 15h; first post 2", ("c",))
    account = applied(store, planned(account, hours(40), steps=(Step(hours(40), events=(back,)),)))
    assert account.silent_since is None is store.get_watch(account.id).silent_since
    assert [e.kind for e in store.events(account.id)][:2] == [EventKind.BACK, EventKind.SILENT]


def test_the_post_a_silence_names_is_found_by_its_id(store: Store) -> None:
    account = store.ensure_watch(ACCOUNT, 60, T0, True)
    account = applied(store, planned(account, T0, HANDLE, discovered=(found("1", 0),)))
    revision = store.post_revision(account.id, "1")
    assert revision is not None and revision.post.text == "toot 1"
    assert store.post_revision(account.id, "2") is None
    assert store.post_revision(account.id + 99, "1") is None  # another account's is not


def test_samples_of_posts_sampled_lately_with_their_earlier_ones(store: Store) -> None:
    account = store.ensure_watch(ACCOUNT, 60, T0, True)
    first = (found("1", 5), found("2", 1))
    account = applied(store, planned(account, T0, HANDLE, discovered=first))
    one, two = store.children(account.id)
    applied(store, planned(one, hours(48), metrics={"favourites_count": 9}))
    applied(store, planned(two, hours(1), metrics={"favourites_count": 2}))
    samples = store.account_samples(account.id, hours(24))
    assert samples == {
        one.id: [(T0, {"favourites_count": 5}), (hours(48), {"favourites_count": 9})]
    }  # the second post was not sampled after `since`
    assert set(store.account_samples(account.id, hours(-1))) == {one.id, two.id}
