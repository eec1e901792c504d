"""Hacker News recordings (official API README examples and raw Firebase item records) and what
the adapter makes of them. The user and updates answers are read by account tests (`used_by`)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Failed, Gone, Seen
from watcher.sources.hackernews import DEAD

ITEM = "https://news.ycombinator.com/item?id="
TIMELINE = "tests/test_timeline_hackernews.py"

PLATFORM = Platform(
    source="hackernews",
    folder="hn",
    cases=(
        Case(
            "item.json",
            f"{ITEM}8863",
            "/v0/item/8863.json",
            Seen,
            {
                "id": "8863",
                "url": f"{ITEM}8863",
                "title": "My YC app: Dropbox - Throw away your USB drive",
                "text": "http://www.getdropbox.com/u/2/screencast.html",
                "author": "dhouston",
                "created_at": datetime(2007, 4, 4, 19, 16, 40, tzinfo=UTC),
                "edited_at": None,
                "platform_edited": False,
                "media": (),
                "media_urls": (),
                "metrics": {"score": 111, "descendants": 71},
            },
        ),
        Case(
            "item_comment.json",
            f"{ITEM}2921983",
            "/v0/item/2921983.json",
            Seen,
            {
                "title": "",
                "text": "Aw shucks, guys ... you make me blush with your compliments.\n\n"
                "Tell you what, Ill make a deal: I'll keep writing if you keep reading. K?",
                "author": "norvig",
                "created_at": datetime(2011, 8, 24, 18, 38, 47, tzinfo=UTC),
                "metrics": {},
            },
        ),
        Case(
            "item_story_with_deleted_kids.json",
            f"{ITEM}40464529",
            "/v0/item/40464529.json",
            Seen,
            {
                "title": "Willow Sideloading Protocol",
                "text": "https://willowprotocol.org/specs/sideloading",
                "author": "signa11",
                "created_at": datetime(2024, 5, 24, 9, 46, 23, tzinfo=UTC),
                "metrics": {"score": 18, "descendants": 2},
            },
        ),
        Case(
            "item_deleted.json",
            f"{ITEM}40475078",
            "/v0/item/40475078.json",
            Gone,
            {"reason": "deleted", "removed": False},
        ),
        Case(
            "item_dead_comment.json",
            f"{ITEM}40476894",
            "/v0/item/40476894.json",
            Gone,
            {"reason": DEAD, "removed": True},
        ),
        Case(
            "item_dead.json",
            f"{ITEM}49280269",
            "/v0/item/49280269.json",
            Gone,
            {"reason": DEAD, "removed": True},
        ),
        Case(
            # Firebase's `null`: not yet created, or purged. Never proof of deletion. The
            # newest item id tells which: this one is past it.
            "item_missing_reconstructed.json",
            f"{ITEM}99999999",
            "/v0/item/99999999.json",
            Failed,
            {"reason": "no such item yet: 99999999 is newer than the newest item, 9130260"},
            extra={"/v0/maxitem.json": "maxitem.json"},
        ),
    ),
    not_yet_used={},
    # The user's `submitted` ids and the updated ids have no recorded items: these tests serve
    # the recordings beside items of our own for those ids.
    used_by={
        "user.json": f"{TIMELINE}::test_recorded_user_lists_its_first_30_items",
        "updates.json": f"{TIMELINE}::test_recorded_updates_refetches_only_the_changed_items",
    },
)
