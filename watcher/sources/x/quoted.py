"""What X shows in place of a quoted post it no longer shows: the syndication body's
`quoted_tweet` is then a `TweetTombstone` whose `tombstone.text.text` is X's notice, never the
quoted post's text. Each known wording is one presence; a wording we do not know, or none, is
kept as said (`unknown`), never guessed.

| X says (`tombstone.text.text`, older forms say "Tweet"/"Twitter") | the quoted post is |
| --- | --- |
| This Post was deleted by the Post author. | deleted by its author |
| This Post is from an account that no longer exists. | deleted (its author closed the account) |
| This Post is from a suspended account. | gone with its author's account, which X suspended |
| This Post violated the X Rules. / This Post is unavailable. | removed by X |
| …this account owner limits who can view their Posts. / Age-restricted adult content… | hidden |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.model import QuotedPresence

TOMBSTONE = "TweetTombstone"
# Lower case, `’` as `'`; checked in order.
_WORDINGS = (
    (("deleted by the", "account that no longer exists"), QuotedPresence.DELETED),
    (("suspended account",), QuotedPresence.ACCOUNT_REMOVED),
    (
        ("violated the x rules", "violated the twitter rules", "is unavailable"),
        QuotedPresence.REMOVED,
    ),
    (("limits who can view", "protected", "age-restricted", "withheld"), QuotedPresence.HIDDEN),
)


def is_tombstone(quoted: Mapping[str, Any]) -> bool:
    return quoted.get("__typename") == TOMBSTONE or isinstance(quoted.get("tombstone"), dict)


def tombstone_notice(quoted: Mapping[str, Any]) -> str:
    """X's words in place of the quoted post, as said; `TweetTombstone` when it says none."""
    stone = quoted.get("tombstone")
    text = stone.get("text") if isinstance(stone, dict) else None
    if isinstance(text, dict):
        text = text.get("text")
    return str(text or "").strip() or TOMBSTONE


def tombstone_presence(notice: str) -> QuotedPresence:
    """The quoted post's presence by X's notice; `unknown` for words we do not know."""
    said = notice.lower().replace("’", "'")
    for wordings, presence in _WORDINGS:
        if any(words in said for words in wordings):
            return presence
    return QuotedPresence.UNKNOWN
