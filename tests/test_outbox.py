"""The outbox with the real store, renderer and apprise (json:// to a local receiver)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fakeapis import json_messages
from tests.server import FakeSite, Reply
from watcher.app import App
from watcher.detect import detect
from watcher.model import Gone, Post, Seen, Target
from watcher.notify import Notifier
from watcher.outbox import Outbox
from watcher.settings import ChannelSettings, DaemonSettings, Settings

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_failed_multi_part_message_resumes_after_the_parts_already_sent(
    tmp_path: Path, site: FakeSite
):
    host = site.url.split("//")[1]
    channel = ChannelSettings("ops", f"json://{host}/notify")
    settings = Settings(channels=(channel,), daemon=DaemonSettings(retry_base=0.001))
    now = [T0]
    app = App(settings, db=str(tmp_path / "w.db"), clock=lambda: now[0])
    outbox = Outbox(app.store, Notifier(), settings, app.clock)
    watch = app.store.ensure_watch(Target("https://x.example/p", "web"), 60, T0, True)
    long_text = " ".join(f"word{i}" for i in range(3000))  # ~26,000 characters: several parts
    for obs in (Seen(Post("p", "https://x.example/p", long_text)), Gone("HTTP 404"), Gone("404")):
        outcome = detect(watch.state, obs, now[0])
        post = obs.post if isinstance(obs, Seen) else None
        watch = app.store.record(watch, outcome, post, now[0], now[0], app.route)

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
    app.close()
