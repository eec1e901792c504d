"""End to end for accounts: the real daemon (`watcher run`) follows a Mastodon-shaped account
on a local fake platform and alerts a local json:// receiver and the fake Telegram API.

The scenario the issue names, in one run: a new post → one `new`; a post deleted between two
live neighbours → one `deleted`, after confirmation; the page shifting by one post → nothing;
the account going private → one account-level alert and no post deletions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.daemon import DaemonProcess, config_text, running, wait_until
from tests.fakeapis import (
    fake_api_env,
    fake_chat_apis,
    json_messages,
    telegram_messages,
    telegram_url,
)
from tests.fakeplatform import PROFILE, FakeAccount
from tests.server import FakeSite
from watcher.store import Store

EXTRA = """
[accounts]
young_interval = "1s"

[platforms.mastodon]
base_url = "{base}"
"""


@pytest.fixture
def chat() -> Iterator[FakeSite]:
    with FakeSite().running() as receiver, fake_chat_apis(receiver):
        receiver.reply("/notify", 200, "ok")
        yield receiver


class Followed:
    def __init__(self, tmp: Path, site: FakeSite, chat: FakeSite) -> None:
        self.chat, self.db = chat, tmp / "watcher.db"
        events = ["new", "deleted", "hidden"]  # hidden only when asked for (issue 13)
        channels = [
            {
                "name": "receiver",
                "url": f"json://{chat.url.split('//')[1]}/notify",
                "events": events,
            },
            {"name": "telegram", "url": telegram_url(), "events": events},
        ]
        watches = [{"url": PROFILE, "interval": "1s"}]
        config = tmp / "config.toml"
        extra = EXTRA.format(base=site.url)
        config.write_text(config_text(self.db, channels, watches, extra), encoding="utf-8")
        self.daemon = DaemonProcess(config, fake_api_env(chat, tmp), tmp / "daemon.log")

    def messages(self) -> list[str]:
        return [m["message"] for m in json_messages(self.chat, "/notify")]

    def telegram(self) -> list[str]:
        return [m["text"] for m in telegram_messages(self.chat)]

    def following(self) -> int:
        store = Store(f"sqlite:///{self.db}")
        try:
            return sum(w.parent_id is not None for w in store.list_watches())
        except Exception:  # the daemon may not have made the tables yet
            return 0
        finally:
            store.close()

    def listings(self, account: FakeAccount) -> int:
        return account.site.hits("/api/v1/accounts/109000000000000001/statuses")


def test_an_account_followed_by_the_daemon(tmp_path: Path, site: FakeSite, chat: FakeSite):
    account = FakeAccount(site)
    for n in range(1, 6):
        account.post(f"post number {n}", age=timedelta(minutes=30 - n))
    world = Followed(tmp_path, site, chat)
    with running(world.daemon):
        wait_until(lambda: world.following() == 5, what="the baseline listing")
        # a new post: one `new` on each channel
        account.post("fresh off the press")
        wait_until(lambda: len(world.messages()) == 1, what="the new-post alert")
        assert "🆕 New" in world.messages()[0] and "fresh off the press" in world.messages()[0]
        # a post deleted between live neighbours: one `deleted`, only once confirmed
        account.delete(account.listed()[2])
        wait_until(lambda: len(world.messages()) == 2, what="the deletion alert")
        assert "🗑 Deleted" in world.messages()[1] and "post number 4" in world.messages()[1]
        # the page shifting by one post: nothing, over several listings
        account.page_size = 3
        seen = world.listings(account)
        wait_until(lambda: world.listings(account) >= seen + 3, what="three more listings")
        assert len(world.messages()) == 2
        # the account going private: one account alert, no post deletions
        account.private = True
        wait_until(lambda: len(world.messages()) == 3, what="the account alert")
        seen = world.listings(account)
        wait_until(lambda: world.listings(account) >= seen + 3, what="three more listings")
        assert "🙈 Account hidden" in world.messages()[2]
        wait_until(lambda: len(world.telegram()) == 3, what="the same alerts on Telegram")
    assert len(world.messages()) == 3
    labels = [m.split(" —")[0] for m in world.telegram()]
    assert labels == ["<b>🆕 New</b>", "<b>🗑 Deleted</b>", "<b>🙈 Account hidden</b>"]
