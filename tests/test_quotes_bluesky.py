"""Issue 14 on Bluesky: a post quoting another whose quoted post is deleted (viewNotFound),
hidden by a block (viewBlocked), detached by its author (viewDetached) and shown again. The
payload is the real `getPostThread.json` recording (a quote with media), read in place, with
its quoted record view replaced as the app view answers."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.shared import SHARED_FIXTURES, require
from watcher.detect import detect
from watcher.model import EventKind, Post, QuotedPresence, Seen, Status, WatchState
from watcher.normalize import canonical
from watcher.sources.bluesky.views import post_view

RECORDING = SHARED_FIXTURES / "platforms" / "bluesky" / "getPostThread.json"
VIEW = "app.bsky.embed.record#"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def thread_post() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(require(RECORDING).read_text(encoding="utf-8"))
    post: dict[str, Any] = body["thread"]["post"]
    return post


def as_shown(view: dict[str, Any], shown: str | None = None) -> Post:
    """The post, its quoted record view replaced by `shown` (None: as recorded)."""
    view = copy.deepcopy(view)
    if shown is not None:
        quoted = view["embed"]["record"]
        uri = quoted["record"]["uri"]
        quoted["record"] = {"$type": VIEW + shown, "uri": uri, shown[4:].lower(): True}
    return canonical(post_view(view, view["uri"].rsplit("/", 1)[1]))


def test_the_recorded_quote_is_the_quoted_post_with_its_text(thread_post: dict[str, Any]) -> None:
    post = as_shown(thread_post)
    assert post.quoted is not None and post.quoted.visible
    assert (
        post.quoted.id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
    )
    assert post.quoted.author == "test.marshal.dev"  # the renderer adds the "@"
    assert post.quoted.url == "https://bsky.app/profile/test.marshal.dev/post/3kahesw26il2z"


def test_each_view_in_place_of_the_quote_is_one_event(thread_post: dict[str, Any]) -> None:
    state = detect(WatchState(), Seen(as_shown(thread_post)), NOW).state
    steps = [
        ("viewNotFound", EventKind.QUOTED_DELETED, QuotedPresence.DELETED),
        ("viewBlocked", EventKind.QUOTED_HIDDEN, QuotedPresence.HIDDEN),
        ("viewDetached", EventKind.QUOTED_HIDDEN, QuotedPresence.DETACHED),
        (None, EventKind.QUOTED_RESTORED, QuotedPresence.VISIBLE),
    ]
    for shown, kind, presence in steps:
        post = as_shown(thread_post, shown)
        assert post.quoted is not None and post.quoted.presence is presence
        assert "not found" not in post.text.lower()
        outcome = detect(state, Seen(post), NOW)
        assert [e.kind for e in outcome.events] == [kind]
        assert outcome.status is Status.UNCHANGED  # never the quoting post's deletion
        state = outcome.state


def test_an_unknown_view_is_kept_as_named(thread_post: dict[str, Any]) -> None:
    post = as_shown(thread_post, "viewSomethingNew")
    assert post.quoted is not None
    assert (post.quoted.presence, post.quoted.notice) == (
        QuotedPresence.UNKNOWN,
        VIEW + "viewSomethingNew",
    )
