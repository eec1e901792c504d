"""Issue 14 on X: a quote post whose quoted post is deleted, its account suspended, removed by X,
hidden and shown again. X answers with the quote post unchanged and, in place of the quoted
post, a `TweetTombstone` whose text is X's notice: each notice is the quoted post's presence
and one event, never the quote post's text, and the quote post is never deleted by it.

The payloads are our own, shaped as the shared syndication fixtures and README describe
(`quoted_tweet` beside the quote post's own fields; the quoted permalink among its links)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliWatch
from tests.server import FakeSite
from watcher.model import QuotedPresence
from watcher.sources.x import syndication_token
from watcher.sources.x.quoted import tombstone_presence

QUOTE, QUOTED = "1930000000000000000", "1929000000000000000"
URL = f"https://x.com/bob/status/{QUOTE}"
PATH = f"/tweet-result?id={QUOTE}&lang=en&token={syndication_token(QUOTE)}"

DELETED = "This Post was deleted by the Post author. Learn more"
SUSPENDED = "This Post is from a suspended account. Learn more"
VIOLATED = "This Post violated the X Rules. Learn more"
UNAVAILABLE = "This Post is unavailable. Learn more"
LIMITED = (
    "You’re unable to view this Post because this account owner limits who can view their "
    "Posts. Learn more"
)
AGE = "Age-restricted adult content. This content might not be appropriate for people under 18."

QUOTE_BODY: dict[str, Any] = {
    "__typename": "Tweet",
    "id_str": QUOTE,
    "created_at": "2025-06-02T10:00:00.000Z",
    "text": "Worth reading https://t.co/Qq1",
    "display_text_range": [0, 13],
    "entities": {
        "urls": [
            {
                "url": "https://t.co/Qq1",
                "expanded_url": f"https://twitter.com/alice/status/{QUOTED}",
                "indices": [14, 30],
            }
        ]
    },
    "user": {"id_str": "12", "screen_name": "bob", "name": "Bob"},
    "favorite_count": 3,
    "conversation_count": 0,
    "quoted_tweet": {
        "__typename": "Tweet",
        "id_str": QUOTED,
        "created_at": "2025-06-01T10:00:00.000Z",
        "text": "The original &amp; its words",
        "user": {"id_str": "11", "screen_name": "alice", "name": "Alice"},
        "favorite_count": 40,
    },
}


def answer(notice: str | None = None) -> dict[str, Any]:
    """The quote post; with `notice`, its quoted post replaced by X's tombstone."""
    body = copy.deepcopy(QUOTE_BODY)
    if notice is not None:
        stone = {"text": {"text": notice, "entities": [], "rtl": False}}
        body["quoted_tweet"] = {"__typename": "TweetTombstone", "tombstone": stone}
    return body


@pytest.mark.parametrize(
    ("notice", "presence"),
    [
        (DELETED, QuotedPresence.DELETED),
        ("This Tweet was deleted by the Tweet author. Learn more", QuotedPresence.DELETED),
        (SUSPENDED, QuotedPresence.ACCOUNT_REMOVED),
        (VIOLATED, QuotedPresence.REMOVED),
        (UNAVAILABLE, QuotedPresence.REMOVED),
        (LIMITED, QuotedPresence.HIDDEN),
        (AGE, QuotedPresence.HIDDEN),
        ("This Post is something new. Learn more", QuotedPresence.UNKNOWN),  # not guessed
    ],
)
def test_every_known_tombstone_is_a_presence(notice: str, presence: QuotedPresence) -> None:
    assert tombstone_presence(notice) is presence


@pytest.fixture
def quote(site: FakeSite, tmp_path: Path) -> CliWatch:
    return CliWatch(site, tmp_path, "x", URL)


def test_the_visible_quoted_post_is_its_own(quote: CliWatch) -> None:
    code, first = quote.check(PATH, answer())
    assert (code, first["status"]) == (0, "new")
    assert first["post"]["text"] == "Worth reading"
    assert first["post"]["quoted"] == {
        "id": QUOTED,
        "url": f"https://x.com/alice/status/{QUOTED}",
        "author": "alice",
        "presence": "visible",
        "text": "The original & its words",
        "notice": None,
    }


def test_each_tombstone_is_one_event_of_the_quoted_post_never_an_edit(quote: CliWatch) -> None:
    quote.check(PATH, answer())
    steps = [
        (DELETED, "quoted_deleted", "deleted"),
        (VIOLATED, "quoted_removed", "removed"),
        (SUSPENDED, "quoted_removed", "account_removed"),
        (LIMITED, "quoted_hidden", "hidden"),
        (None, "quoted_restored", "visible"),
    ]
    for notice, kind, presence in steps:
        before = len(quote.kinds())
        code, result = quote.check(PATH, answer(notice))
        assert (code, result["status"]) == (1, "unchanged"), kind
        assert result["post"]["text"] == "Worth reading"  # never X's words
        assert result["post"]["quoted"]["id"] == QUOTED  # known by the permalink
        assert result["post"]["quoted"]["presence"] == presence
        assert quote.kinds()[before:] == [kind]
    kinds = quote.kinds()
    assert "edited" not in kinds and "deleted" not in kinds


def test_an_unknown_tombstone_is_stored_as_said_without_an_event(quote: CliWatch) -> None:
    quote.check(PATH, answer())
    code, result = quote.check(PATH, answer("This Post is something new. Learn more"))
    assert code == 0
    assert result["post"]["quoted"]["presence"] == "unknown"
    assert result["post"]["quoted"]["notice"] == "This Post is something new. Learn more"
    assert quote.kinds() == ["new"]
    assert result["revision"] == 2


def test_a_tombstone_without_a_permalink_keeps_the_quoted_id() -> None:
    from watcher.sources.x.post import tweet_post

    body = answer(DELETED)
    body["entities"] = {}
    body["quoted_status_id_str"] = QUOTED
    quoted = tweet_post(body).quoted
    assert quoted is not None
    assert (quoted.id, quoted.presence) == (QUOTED, QuotedPresence.DELETED)
