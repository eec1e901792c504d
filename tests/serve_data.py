"""A dashboard's worth of data for `watcher serve`'s tests: the Weibo week of the digest tests
(an account, 65 posts, an edited quote, a deletion, a silence), a hostile post edited twice, a
failing watch and an undelivered alert, written through the store's own write API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from tests.conftest import NOW, Week, applied, planned, write_week
from watcher.model import EventKind, Post, Status, Target
from watcher.store import Store

HOSTILE_URL = "https://mastodon.social/@mallory/1"
# What an attacker would post: every way to run a script from text that reaches a page.
HOSTILE = (
    "<script>document.title='pwned';window.__pwned=1</script>"
    "<img src=x onerror=\"document.title='pwned'\"> \"'><svg onload=alert(1)>"
)
SECRET_URL = "tgram://123456789:AAHsecretBotTokenValue/987654"


@dataclass(frozen=True)
class Site:
    week: Week
    account: int  # the Weibo account's watch id
    edited: int  # the Weibo post whose quote was edited out
    hostile: int
    failing: int


def write_site(store: Store) -> Site:
    week = write_week(store)
    at = NOW - timedelta(days=1)
    hostile = store.ensure_watch(Target(HOSTILE_URL, "mastodon"), 600.0, at, enable=True)
    first = Post("1", HOSTILE_URL, f"hello {HOSTILE}", author="<b>mallory</b>")
    hostile = applied(store, planned(hostile, at, first, EventKind.NEW, channels=("chat",)))
    second = replace(first, text=f"goodbye {HOSTILE} and more")
    later = at + timedelta(hours=1)
    hostile = applied(store, planned(hostile, later, second, EventKind.EDITED))
    failing = store.ensure_watch(Target("https://example.com/gone", "web"), 600.0, at, True)
    state = replace(failing.state, status=Status.FAILED, fail_streak=3)
    error = f"timed out; the alert to {SECRET_URL} failed"
    applied(store, planned(failing, at, state=state, last_error=error))
    return Site(week, week.account.id, week.watch("E").id, hostile.id, failing.id)
