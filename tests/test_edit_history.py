"""Versions that lived between two checks, recovered from the platform's edit history
(Mastodon): one edit alert per version, in order, each with its own before and after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakeplatform import PROFILE, FakeAccount, mastodon_settings
from tests.server import FakeSite, Reply
from watcher.app import App
from watcher.detect import detect
from watcher.history import MISSED, missed, replay
from watcher.model import EventKind, Post, Presence, Seen, Status, Watch, WatchState
from watcher.normalize import content_hash

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def version(text: str, minute: int = 0) -> Post:
    edited = T0 + timedelta(minutes=minute) if minute else None
    return Post(id="1", url="https://social.example/@ann/1", text=text, edited_at=edited)


def digest(text: str) -> str:
    return content_hash(version(text))


# --- pure: which versions were missed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "stored", "current", "expected"),
    [
        (["A", "B", "C"], "A", "C", ["B"]),  # one version in between
        (["A", "B", "C", "D"], "A", "D", ["B", "C"]),
        (["A", "B"], "A", "B", []),  # one edit: nothing in between
        (["A", "B", "C"], "X", "C", []),  # the history does not hold what we stored: no claim
        (["A", "B", "A", "C"], "A", "C", []),  # reverted to A: only after its last occurrence
        (["A", "B", "B", "C"], "A", "C", ["B"]),  # a re-save that changed nothing we compare
        (["A", "B", "C", "B"], "A", "B", ["C"]),  # the current text seen earlier is skipped
        ([], "A", "C", []),
    ],
)
def test_missed_versions(history: list[str], stored: str, current: str, expected: list[str]):
    versions = [version(text, minute) for minute, text in enumerate(history)]
    found = missed(versions, digest(stored), digest(current))
    assert [post.text for post in found] == expected


def test_replay_detects_each_version_as_an_edit_at_its_own_time():
    state = detect(WatchState(), Seen(version("A")), T0).state
    since, now = T0 + timedelta(minutes=1), T0 + timedelta(minutes=10)
    early = version("B", minute=0)  # a platform clock behind ours: kept after our last check
    early = Post(id="1", url=early.url, text="B", edited_at=T0 - timedelta(minutes=5))
    steps, final = replay(state, [early, version("C", minute=5)], since, now, confirm=2)
    assert [s.outcome.status for s in steps] == [Status.EDITED, Status.EDITED]
    assert [s.at for s in steps] == [since, T0 + timedelta(minutes=5)]
    assert all(e.detail == MISSED for s in steps for e in s.outcome.events)
    assert final.presence is Presence.VISIBLE and final.content_hash == digest("C")


# --- the app, on a Mastodon-shaped fake ---------------------------------------------------------


@pytest.fixture
def account(site: FakeSite) -> FakeAccount:
    return FakeAccount(site)


@pytest.fixture
def app(tmp_path: Path, site: FakeSite) -> Iterator[App]:
    with App(mastodon_settings(site), db=str(tmp_path / "watcher.db")) as running:
        yield running


def watched(app: App, account: FakeAccount, text: str) -> Watch:
    ident = account.post(text, age=timedelta(minutes=30))
    watch = app.store.ensure_watch(app.target(f"{PROFILE}/{ident}"), 60.0, app.clock(), True)
    assert app.check_once(watch).status is Status.NEW
    return app.store.get_watch(watch.id)


def history_hits(site: FakeSite) -> int:
    return sum(1 for path, _ in site.requests if path.endswith("/history"))


def test_two_edits_between_checks_are_two_edit_alerts_in_order(
    app: App, account: FakeAccount, site: FakeSite
):
    watch = watched(app, account, "Our results are final.")
    ident, now = account.posts[0]["id"], datetime.now(UTC)
    account.edit(ident, "Our results are preliminary.", now + timedelta(minutes=1))
    account.edit(ident, "Our results will be published later.", now + timedelta(minutes=2))
    app.clock = lambda: now + timedelta(minutes=5)  # type: ignore[method-assign]
    result = app.check_once(watch)

    assert result.status is Status.EDITED
    assert [p.text for p in result.missed] == ["Our results are preliminary."]
    assert result.previous is not None and result.previous.text == "Our results are preliminary."
    assert [e.kind for e in result.events] == [EventKind.EDITED, EventKind.EDITED]
    revisions = app.store.revisions(watch.id)[::-1]  # oldest first
    assert [r.post.text for r in revisions] == [
        "Our results are final.",
        "Our results are preliminary.",
        "Our results will be published later.",
    ]
    # The missed version is stored at the time Mastodon gives it, between our two checks.
    assert [r.observed_at - now for r in revisions[1:]] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
    ]
    pending = app.store.pending_deliveries()
    assert [(d.event.previous, d.event.revision) for d in pending] == [(1, 2), (2, 3)]
    assert pending[0].event.detail == MISSED and pending[1].event.detail == ""
    assert history_hits(site) == 1


def test_one_edit_between_checks_is_one_alert(app: App, account: FakeAccount, site: FakeSite):
    watch = watched(app, account, "first")
    account.edit(account.posts[0]["id"], "second")
    result = app.check_once(watch)
    assert result.missed == () and len(result.events) == 1
    assert [r.post.text for r in reversed(app.store.revisions(watch.id))] == ["first", "second"]
    assert history_hits(site) == 1


def test_an_unchanged_check_never_reads_the_history(app: App, account: FakeAccount, site: FakeSite):
    watch = watched(app, account, "first")
    account.edit(account.posts[0]["id"], "second")
    watch = app.check_once(watch).watch
    assert app.check_once(watch).status is Status.UNCHANGED
    assert history_hits(site) == 1  # the edit's, not the unchanged check's


@pytest.mark.parametrize("answer", [Reply(500, "oops"), Reply(200, "not json"), Reply(200, "{}")])
def test_an_unreadable_history_still_records_the_edit(
    app: App, account: FakeAccount, site: FakeSite, answer: Reply
):
    watch = watched(app, account, "first")
    ident = account.posts[0]["id"]
    account.edit(ident, "second")
    account.edit(ident, "third")
    site.set(f"/api/v1/statuses/{ident}/history", answer)
    result = app.check_once(watch)
    assert result.status is Status.EDITED and result.missed == ()
    assert [r.post.text for r in reversed(app.store.revisions(watch.id))] == ["first", "third"]


def test_a_history_without_our_version_adds_nothing(app: App, account: FakeAccount):
    watch = watched(app, account, "first")
    ident = account.posts[0]["id"]
    account.edit(ident, "second")
    account.edit(ident, "third")
    del account.history[ident][0]  # an instance that pruned the original
    result = app.check_once(watch)
    assert result.missed == () and len(result.events) == 1
