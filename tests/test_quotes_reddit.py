"""Issue 14 on Reddit: a crosspost whose crossposted post (`crosspost_parent_list[0]`) is
deleted, removed and shown again. Reddit keeps the parent's place and marks its text: each
marker is the parent's presence and one event, never the crosspost's text, and the crosspost
is never deleted by it. Our own payloads, shaped as tests/fixtures/reddit/post_self.json."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliWatch
from tests.server import FakeSite
from watcher.model import QuotedPresence
from watcher.sources.reddit.quoted import parent_notice

URL = "https://www.reddit.com/r/python/comments/xp2abc/worth_a_read/"
PATH = "/comments/xp2abc/.json"
PARENT: dict[str, Any] = {
    "id": "orig01",
    "name": "t3_orig01",
    "title": "How we cut our build time",
    "selftext": "Three changes, in order.",
    "author": "alice",
    "permalink": "/r/programming/comments/orig01/how_we_cut_our_build_time/",
    "is_self": True,
    "removed_by_category": None,
}
CROSSPOST: dict[str, Any] = {
    "id": "xp2abc",
    "name": "t3_xp2abc",
    "title": "Worth a read",
    "selftext": "",
    "author": "bob",
    "created_utc": 1748772000.0,
    "edited": False,
    "score": 5,
    "num_comments": 0,
    "is_self": False,
    "url": "/r/programming/comments/orig01/how_we_cut_our_build_time/",
    "permalink": "/r/python/comments/xp2abc/worth_a_read/",
    "removed_by_category": None,
    "crosspost_parent": "t3_orig01",
    "crosspost_parent_list": [PARENT],
}
DELETED = {"selftext": "[deleted]", "author": "[deleted]", "removed_by_category": "deleted"}
REMOVED = {"selftext": "[removed]", "removed_by_category": "moderator"}


def answer(**parent: object) -> list[dict[str, Any]]:
    """The crosspost's thread; `parent` changes its crossposted post as Reddit marks it."""
    post = copy.deepcopy(CROSSPOST)
    post["crosspost_parent_list"][0].update(parent)
    listing = {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}}
    return [listing, {"kind": "Listing", "data": {"children": []}}]


@pytest.mark.parametrize(
    ("marks", "presence"),
    [
        (DELETED, QuotedPresence.DELETED),
        ({"selftext": "[deleted]"}, QuotedPresence.DELETED),
        ({"removed_by_category": "author"}, QuotedPresence.DELETED),
        (REMOVED, QuotedPresence.REMOVED),
        ({"selftext": "[removed]"}, QuotedPresence.REMOVED),
        ({"removed_by_category": "reddit"}, QuotedPresence.REMOVED),
    ],
)
def test_each_marker_is_a_presence(marks: dict[str, object], presence: QuotedPresence) -> None:
    found = parent_notice(PARENT | marks)
    assert found is not None and found[0] is presence


def test_a_deleted_account_alone_is_no_deletion() -> None:
    assert parent_notice(PARENT | {"author": "[deleted]"}) is None


@pytest.fixture
def crosspost(site: FakeSite, tmp_path: Path) -> CliWatch:
    return CliWatch(site, tmp_path, "reddit", URL)


def test_each_marker_is_one_event_of_the_parent_never_an_edit(crosspost: CliWatch) -> None:
    code, first = crosspost.check(PATH, answer())
    assert (code, first["status"]) == (0, "new")
    assert first["post"]["quoted"] == {
        "id": "orig01",
        "url": "https://www.reddit.com/r/programming/comments/orig01/how_we_cut_our_build_time/",
        "author": "alice",
        "presence": "visible",
        "text": "How we cut our build time\n\nThree changes, in order.",
        "notice": None,
    }
    steps = [
        (DELETED, "quoted_deleted", "deleted"),
        (REMOVED, "quoted_removed", "removed"),
        ({}, "quoted_restored", "visible"),
    ]
    for marks, kind, presence in steps:
        before = len(crosspost.kinds())
        code, result = crosspost.check(PATH, answer(**marks))
        assert (code, result["status"]) == (1, "unchanged"), kind
        assert result["post"]["title"] == "Worth a read"
        assert "[deleted]" not in (result["post"]["text"] or "")
        assert result["post"]["quoted"]["presence"] == presence
        assert crosspost.kinds()[before:] == [kind]
    kinds = crosspost.kinds()
    assert "edited" not in kinds and "deleted" not in kinds
