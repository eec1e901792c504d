"""Scale-out: two daemon processes share one PostgreSQL database. Each due watch is claimed by
one of them (FOR UPDATE SKIP LOCKED), and each channel's outbox is drained by one at a time
(a lease), so every edit is one alert however many daemons run."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _truncate
from tests.daemon import DaemonProcess, config_text, daemon_env, running, wait_until
from tests.fakeapis import json_messages
from tests.server import FakeSite, Reply
from watcher.model import EventKind
from watcher.store import Store

HTML = {"content-type": "text/html; charset=utf-8"}
POSTS = 20


def page(text: str) -> Reply:
    return Reply(200, f"<html><body><article><p>{text}</p></article></body></html>", HTML)


@pytest.fixture
def chat() -> Iterator[FakeSite]:
    with FakeSite().running() as receiver:
        receiver.reply("/notify", 200, "ok", delay=0.05)  # slow: the two drains overlap
        yield receiver


def edits(url: str) -> int:
    store = Store(url)
    try:
        return sum(
            e.kind is EventKind.EDITED for w in store.list_watches() for e in store.events(w.id)
        )
    finally:
        store.close()


def test_two_daemons_on_one_database_send_each_alert_once(
    pg_url: str, tmp_path: Path, site: FakeSite, chat: FakeSite
):
    _truncate(pg_url)
    for i in range(POSTS):
        site.set(f"/post/{i}", page(f"post {i} as first published"))
    channel = {"name": "receiver", "url": f"json://{chat.url.split('//')[1]}/notify"}
    watches = [{"url": f"{site.url}/post/{i}", "interval": "1s"} for i in range(POSTS)]
    config = tmp_path / "config.toml"
    config.write_text(config_text(pg_url, [channel], watches), encoding="utf-8")
    # -v: each unchanged check logs a line too
    first = DaemonProcess(config, daemon_env(), tmp_path / "first.log", ("-v",))
    second = DaemonProcess(config, daemon_env(), tmp_path / "second.log", ("-v",))
    with running(first), running(second):  # started together: both sync the config
        wait_until(lambda: len(site.requests) >= 2 * POSTS, what="the first checks")
        for i in range(POSTS):
            site.set(f"/post/{i}", page(f"post {i} as edited later"))
        wait_until(lambda: edits(pg_url) == POSTS, timeout=30, what="every edit")
        wait_until(lambda: len(json_messages(chat, "/notify")) >= POSTS, timeout=30)
        time.sleep(1.5)  # time enough for a second copy to arrive, were there one
        assert (second.stop(), first.stop()) == (0, 0)
    per_post = Counter(
        next(i for i in range(POSTS) if f"/post/{i}\n" in m["message"])
        for m in json_messages(chat, "/notify")
    )
    assert per_post == Counter(range(POSTS))  # each edit alerted exactly once
    # Both took part: each logged checks of its own.
    for daemon in (first, second):
        assert daemon.output().count(": unchanged") > 0, daemon.output()[-2000:]
