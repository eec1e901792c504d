"""Config sync at start: an unchanged file is not synced again (a start's cost does not grow
with the number of watches), and a change made by hand brings the sync back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from watcher.app import App
from watcher.settings import Settings, WatchSettings
from watcher.store import SyncReport


def settings(*urls: str) -> Settings:
    return Settings(watches=tuple(WatchSettings(url=url, interval=60) for url in urls))


def test_an_unchanged_config_is_not_synced_again(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    with App(settings("https://example.com/a", "https://example.com/b"), db=db) as app:
        assert app.sync_config().added == 2
        assert app.sync_config() == SyncReport()
    with App(settings("https://example.com/a", "https://example.com/b"), db=db) as app:
        assert app.sync_config() == SyncReport()  # a restart with the same file


def test_a_changed_config_is_synced(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    with App(settings("https://example.com/a"), db=db) as app:
        app.sync_config()
    with App(settings("https://example.com/a", "https://example.com/b"), db=db) as app:
        assert app.sync_config().added == 1
    with App(settings("https://example.com/b"), db=db) as app:
        assert app.sync_config().disabled == 1


def test_a_watch_changed_by_hand_brings_the_sync_back(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    with App(settings("https://example.com/a"), db=db) as app:
        app.sync_config()
        watch = app.store.list_watches()[0]
        app.store.disable_watch(watch.id)
        app.sync_config()
        assert app.store.get_watch(watch.id).enabled  # the file still says it is watched


def test_a_watch_a_one_off_check_made_is_due_at_once_when_the_config_lists_it(
    tmp_path: Path,
) -> None:
    url = "https://example.com/a"
    with App(settings(url), db=str(tmp_path / "w.db")) as app:
        later = app.clock() + timedelta(minutes=10)
        made = app.store.ensure_watch(app.target(url), 600.0, later, enable=False)
        assert app.sync_config().changed == 1
        watch = app.store.get_watch(made.id)
        assert watch.enabled and watch.interval == 60
        assert watch.next_check_at <= app.clock()  # not 10 minutes on, as the check left it
