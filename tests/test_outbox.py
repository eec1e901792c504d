"""The outbox with the real store, renderer and apprise (json:// to a local receiver)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import applied, planned
from tests.fakeapis import json_messages
from tests.server import FakeSite, Reply
from watcher.model import EventKind, Post, Target
from watcher.notify import Notifier
from watcher.outbox import PROCESS, Outbox, died_here
from watcher.settings import ChannelSettings, DaemonSettings, Settings
from watcher.store import Store

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_failed_multi_part_message_resumes_after_the_parts_already_sent(
    tmp_path: Path, site: FakeSite
):
    host = site.url.split("//")[1]
    channel = ChannelSettings("ops", f"json://{host}/notify")
    settings = Settings(channels=(channel,), daemon=DaemonSettings(retry_base=0.001))
    now = [T0]
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    outbox = Outbox(store, Notifier(), settings, lambda: now[0])
    watch = store.ensure_watch(Target("https://x.example/p", "web"), 60, T0, True)
    long_text = " ".join(f"word{i}" for i in range(3000))  # ~26,000 characters: several parts
    watch = applied(
        store, planned(watch, T0, Post("p", watch.target.url, long_text), EventKind.NEW)
    )
    watch = applied(store, planned(watch, T0, kind=EventKind.DELETED, channels=("ops",)))

    replies = iter([Reply(200, "ok"), Reply(500, "down")])
    site.set("/notify", lambda _path: next(replies, Reply(200, "ok")))
    first = outbox.drain()
    assert (first.sent, first.retrying) == (0, 1)
    assert len(json_messages(site, "/notify")) == 1  # part 1 went out, part 2 failed
    now[0] += timedelta(seconds=1)
    second = outbox.drain()
    assert second.sent == 1
    parts = [m["message"] for m in json_messages(site, "/notify")]
    assert len(parts) >= 3
    assert [p.split(" ", 1)[0] for p in parts] == [
        f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)
    ]  # each part once
    assert all(f"word{i} " in "".join(parts) for i in range(0, 2999, 97))  # the whole evidence
    store.close()


def test_drainers_of_several_daemons_send_each_alert_once_in_order(db_url: str, site: FakeSite):
    """Three daemons on one database drain at the same time: the channel lease lets one
    send, so each of the 16 alerts (8 posts, new and edited) goes out once, in order."""
    host = site.url.split("//")[1]
    settings = Settings(channels=(ChannelSettings("chat", f"json://{host}/notify"),))
    setup = Store(db_url)
    for i in range(8):
        watch = setup.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True)
        for text, kind in (("first", EventKind.NEW), (f"second {i}", EventKind.EDITED)):
            seen = Post("p", watch.target.url, text)
            watch = applied(setup, planned(watch, T0, seen, kind, ("chat",)))
    setup.close()
    site.reply("/notify", 200, "ok", delay=0.05)  # slow enough for the drains to overlap
    stores = [Store(db_url) for _ in range(3)]
    outboxes = [Outbox(s, Notifier(), settings, lambda: T0) for s in stores]
    try:
        with ThreadPoolExecutor(3) as pool:
            reports = list(pool.map(lambda o: o.drain(), outboxes))
        while sum(r.sent for r in reports) < 16:  # a drainer that found the channel held
            reports.append(outboxes[0].drain())  # leaves the rest to the next drain
    finally:
        for s in stores:
            s.close()
    sent = [m["message"] for m in json_messages(site, "/notify")]
    expected = [(f"https://x.example/{i}", kind) for i in range(8) for kind in ("🆕", "✏️")]
    # Once each, in the order the events happened (the link is on the third line: issue 13).
    assert [(m.split("\n")[2], m.split(" ")[0]) for m in sent] == expected


def test_a_holder_that_died_on_this_machine_is_recognised():
    host, pid, _token = PROCESS.split(":")
    assert not died_here(f"{PROCESS}:drain1")  # this process: alive
    assert died_here(f"{host}:{pid}:0ther0ne:drain1")  # an earlier process with our pid
    assert not died_here(f"{host}:{os.getppid()}:abcd1234:drain1")  # a live process
    assert died_here(f"{host}:{2**22 + 12345}:abcd1234:drain1")  # beyond any pid in use
    assert not died_here(f"elsewhere.example:{pid}:abcd1234:drain1")  # another machine
    assert not died_here("")
