"""Config sync at start: an unchanged file is not synced again (a start's cost does not grow
with the number of watches), and a change made by hand brings the sync back."""

from __future__ import annotations

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
