"""The app-level names the CLI reaches the database through (`watcher/views.py`), on a real
SQLite file; no request is made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from watcher.app import App
from watcher.errors import UsageError
from watcher.settings import Settings


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    with App(Settings(), db=str(tmp_path / "w.db")) as running:
        yield running


def add(app: App, *names: str) -> list[int]:
    targets = [app.target(f"https://example.com/{name}") for name in names]
    return [app.add_watch(t, 60.0, None, 1).watch.id for t in targets]


def test_watch_for_a_check_is_stored_but_not_scheduled(app: App):
    target = app.target("https://example.com/once")
    watch = app.watch_for(target)
    assert not watch.enabled and app.watches() == []
    assert app.watch_for(target).id == watch.id  # found again, not made twice
    added = app.add_watch(target, 120.0, ("ops",), 1).watch
    assert (added.id, added.enabled, added.interval) == (watch.id, True, 120.0)
    assert app.watch(target.url).id == app.watch(str(watch.id)).id == watch.id


def test_remove_stops_or_purges(app: App):
    kept, purged = add(app, "a", "b")
    assert app.remove(kept, purge=False) == 0  # versions kept
    assert [w.id for w in app.watches(include_disabled=True)] == [kept, purged]
    assert app.remove(purged, purge=True) == 0
    assert [w.id for w in app.watches(include_disabled=True)] == [kept]
    with pytest.raises(UsageError):
        app.remove(purged, purge=True)


def test_versions_and_activity_refuse_what_they_cannot_show(app: App):
    (post,) = add(app, "p")
    with pytest.raises(UsageError, match="0 stored version"):
        app.versions(str(post))
    with pytest.raises(UsageError, match="is a post, not an account"):
        app.activity(str(post))
    history = app.history(str(post))
    assert (history.watch.id, history.revisions, history.events) == (post, [], [])


def test_status_page_counts_everything_and_lists_one_page(app: App):
    ids = add(app, "a", "b", "c", "d", "e")
    app.remove(ids[0], purge=False)
    page = app.status_page(limit=2, offset=1)
    assert (page.summary.watches, page.summary.enabled) == (5, 4)
    assert [w.id for w in page.watches] == ids[2:4]  # the disabled one is not paged
    assert (page.remaining, page.undelivered, page.undelivered_total) == (1, [], 0)
    assert app.status_page(limit=50, offset=4).remaining == 0
    assert app.undelivered(limit=1) == []
