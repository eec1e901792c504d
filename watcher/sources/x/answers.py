"""What X's and FxTwitter's answers mean, read without I/O (the flow is in `source`).

A syndication answer is a post (`Tweet`), an observation X's own word proves, or `Unproven`: it
looks like a missing post but proves nothing alone (`{}`, a 404, a tombstone without a reason,
a post without its author). An `Unproven` answer is put to FxTwitter v1 (`fx_verdict`): only
its NOT_FOUND is a deletion. A post found gone is put to FxTwitter v2 (`v2_reason`), whose
tombstone tells a suspension or a private post from a deletion.

A tombstone that gives a reason is taken at its word: deleted by the author → `Gone`; a
suspended account or a rules violation → `Gone(removed=True)`; an account that no longer
exists → `Gone` (the author deleted or deactivated it; reactivation would restore the post); a
protected account, age-restricted or withheld content → `Hidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watcher.errors import BadBody
from watcher.model import Failed, Gone, Hidden, Observation
from watcher.sources.common import Response, error_text
from watcher.sources.x.post import Tweet

# Tombstone wordings (X's and the older "Tweet"/"Twitter" ones), lower case, `’` as `'`.
_DELETED = ("deleted by the",)
_REMOVED = ("suspended account", "violated the x rules", "violated the twitter rules")
_ACCOUNT_GONE = ("account that no longer exists",)
_HIDDEN = ("limits who can view", "protected", "age-restricted", "withheld")
_SAID_LIMIT = 120  # characters of FxTwitter's error text kept in a reason


@dataclass(frozen=True, slots=True)
class Unproven:
    """A syndication answer that looks like a missing post but proves nothing by itself."""

    reason: str


def syndication_answer(resp: Response) -> Tweet | Observation | Unproven:
    """The post in a 200 syndication body, or what the body says instead."""
    body = resp.json()
    if not isinstance(body, dict):
        raise BadBody(f"response from {resp.url} is not an X post")
    kind = body.get("__typename")
    if not body:
        return Unproven("{} (a refused token, or no such post)")
    if kind == "TweetTombstone":
        return tombstone(body)
    if kind not in ("Tweet", None) or not {"id_str", "text"} <= body.keys():
        raise BadBody(f"response from {resp.url} is not an X post ({kind or 'no __typename'})")
    if not isinstance(body.get("user"), dict):
        # X sends posts of accounts that no longer exist without their `user`.
        return Unproven("the post without its author")
    return body


def tombstone(body: Tweet) -> Observation | Unproven:
    """A TweetTombstone by its reason: proof where the reason says so, else a doubt."""
    stone = body.get("tombstone")
    text = stone.get("text") if isinstance(stone, dict) else None
    if isinstance(text, dict):
        text = text.get("text")
    reason = str(text or "").removesuffix("Learn more").strip()
    said = reason.lower().replace("’", "'")
    detail = f"tombstone: {reason}" if reason else "a tombstone without a reason"
    if any(words in said for words in _DELETED + _ACCOUNT_GONE):
        return Gone(detail)
    if any(words in said for words in _REMOVED):
        return Gone(detail, removed=True)
    if any(words in said for words in _HIDDEN):
        return Hidden(detail)
    return Unproven(detail)


def fx_verdict(resp: Response, doubt: Unproven) -> Observation:
    """FxTwitter v1's `{code, message, tweet}` answer about a post X would not show."""
    body = _json_or_none(resp)
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    if resp.status == 404 and message == "NOT_FOUND":
        return Gone(f"X answered {doubt.reason}; FxTwitter: NOT_FOUND")
    if resp.status == 401 and message == "PRIVATE_TWEET":
        return Hidden(f"X answered {doubt.reason}; FxTwitter: PRIVATE_TWEET (a protected account)")
    if resp.status == 200 and message == "OK":
        return Failed(f"X answered {doubt.reason}, but FxTwitter still shows the post")
    return unconfirmed(doubt, f"HTTP {resp.status} {_said(resp)}")


def unconfirmed(doubt: Unproven, why: str) -> Failed:
    """A doubt FxTwitter could neither confirm nor dispel: nothing is known."""
    return Failed(f"X answered {doubt.reason}; FxTwitter could not confirm: {why}")


def v2_reason(resp: Response, gone: Gone) -> Observation:
    """What FxTwitter v2 (`/2/status/<id>`) adds to v1's `gone`: a suspended account's post
    was removed by the platform, not deleted by its author, and a private or blocked one is
    not gone at all. When v2 says nothing usable, v1's verdict stands."""
    body = _json_or_none(resp)
    status = body.get("status") if isinstance(body, dict) else None
    if not (isinstance(status, dict) and status.get("type") == "tombstone"):
        return gone
    why = str(status.get("reason") or "")
    said = str(status.get("message") or why)
    if why == "suspended":
        return Gone(f"{gone.reason}; v2: {said}", removed=True)
    if why in ("private", "blocked"):
        return Hidden(f"{gone.reason}, but v2 says {why}: {said}")
    return gone


def _json_or_none(resp: Response) -> Any:
    try:
        return resp.json()
    except BadBody:
        return None


def _said(resp: Response) -> str:
    """What an error answer says, in at most `_SAID_LIMIT` characters of one line."""
    words = error_text(resp, _SAID_LIMIT + 1)
    return words[: _SAID_LIMIT - 3] + "..." if len(words) > _SAID_LIMIT else words
