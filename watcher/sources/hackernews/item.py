"""Reading Hacker News answers: an item (`/v0/item/<id>.json`), the newest item id
(`/v0/maxitem.json`) and any answer other than 200.

Firebase answers 200 for everything, so the state is in the body: `deleted: true` (the author
deleted it), `dead: true` (killed by flags or moderators), or `null` (no data at that path). A
`null` item is told apart by the newest item id: an id past it is not written yet; one below it
was purged or is withheld. Neither is a deletion. HN has no edit flag or edit time: edits just
change `title`/`text`, so `platform_edited` stays False.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from watcher.errors import BadBody
from watcher.model import Blocked, Failed, Gone, Hidden, Post, RateLimited, Seen
from watcher.normalize import html_to_text
from watcher.sources.common import UNPROVEN, Response, metrics
from watcher.sources.hackernews.refs import SITE

# Counters an item carries; stored as metrics, never part of the content.
METRICS = ("score", "descendants")
DEAD = "dead (killed by flags or moderators)"
DELETED = Gone("deleted")


def refused(resp: Response) -> RateLimited | Blocked | Failed:
    """Any answer but 200. Firebase says "no such item (or user)" with `null`, never with a
    status, so no status is a gone signal: a 404 is a wrong base_url."""
    found = UNPROVEN.read(resp)
    if isinstance(found, RateLimited | Blocked | Failed):
        return found
    return Failed(f"HTTP {resp.status} from {resp.url}")


def item_answer(resp: Response, ident: str) -> Seen | Gone | None:
    """What a 200 item answer says of item `ident`; None for Firebase's `null`."""
    body = resp.json()
    if body is None:
        return None
    if not isinstance(body, dict) or "id" not in body or "type" not in body:
        raise BadBody(f"response from {resp.url} is not a Hacker News item")
    return item_observation(body, ident)


def item_observation(item: Mapping[str, Any], ident: str) -> Seen | Gone:
    """Gone if the item is deleted (by its author) or dead (killed), else its Post."""
    if item.get("deleted") is True:
        return DELETED
    if item.get("dead") is True:
        return Gone(DEAD, removed=True)
    return Seen(item_post(item, ident))


def item_post(item: Mapping[str, Any], ident: str) -> Post:
    """The Post of an item: the title, then the text, then the link (all three are content)."""
    ident = str(item.get("id") or ident)
    text = html_to_text(str(item.get("text") or ""))
    return Post(
        id=ident,
        url=f"{SITE}/item?id={ident}",
        # Titles come HTML-escaped ("&amp;"); they are plain text once unescaped.
        title=html.unescape(str(item.get("title") or "")),
        text="\n\n".join(part for part in (text, str(item.get("url") or "")) if part),
        author=str(item.get("by") or ""),
        created_at=_time(item.get("time")),
        metrics=metrics(item, METRICS),
    )


def newest_id(resp: Response) -> int | None:
    """The newest item id a maxitem answer gives, or None when it gives none."""
    newest = resp.json() if resp.status == 200 else None
    if isinstance(newest, int) and not isinstance(newest, bool) and newest > 0:
        return newest
    return None


def missing(ident: str, newest: int | None) -> Failed | Hidden:
    """What a `null` item is: not written yet, or purged or withheld. Never a deletion."""
    if newest is None:
        return Failed(f"no such item (yet): {ident}")
    if int(ident) > newest:
        return Failed(f"no such item yet: {ident} is newer than the newest item, {newest}")
    return Hidden(f"Hacker News has no data for item {ident} (purged or withheld)")


def _time(value: object) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None
