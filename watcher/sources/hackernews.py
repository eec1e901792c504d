"""Hacker News: one item (story, comment, job, poll, pollopt) through the Firebase API,
`GET /v0/item/<id>.json`.

Firebase answers 200 for everything, so the state is in the body: `deleted: true` (the author
deleted it), `dead: true` (killed by flags or moderators), or `null` (no such item, yet). HN has
no edit flag or edit time: edits just change `title`/`text`, so `platform_edited` stays False.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watcher.errors import BadBody, UsageError
from watcher.model import Failed, Gone, Observation, Post, Seen, Target
from watcher.normalize import html_to_text
from watcher.sources.base import Source
from watcher.sources.http import Response, unobserved

API = "https://hacker-news.firebaseio.com"
SITE = "https://news.ycombinator.com"
_HOSTS = frozenset({"news.ycombinator.com"})
_ID = re.compile(r"[1-9]\d{0,11}")
# Counters an item carries; stored as metrics, never part of the content.
METRICS = ("score", "descendants")
DEAD = "dead (killed by flags or moderators)"


def item_id(url: str) -> str | None:
    """The item id of a news.ycombinator.com/item?id=N URL, or None if `url` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in _HOSTS:
        return None
    if parts.path != "/item":
        return None
    ids = parse_qs(parts.query).get("id", [])
    return ids[0] if len(ids) == 1 and _ID.fullmatch(ids[0]) else None


class HackerNewsSource(Source):
    name = "hackernews"

    @classmethod
    def matches(cls, url: str) -> bool:
        return item_id(url) is not None

    def validate(self, target: Target) -> None:
        if item_id(target.url) is None:
            raise UsageError(f"not a Hacker News item URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        ident = item_id(target.url) or ""
        resp = self.get(f"{self.base_url(API)}/v0/item/{ident}.json")
        if resp.status != 200:
            # Firebase never answers 404 for an item (a missing one is `null`), so no status
            # here is a gone signal: 429/401/403/5xx as usual, anything else Failed.
            return unobserved(resp) or Failed(f"HTTP {resp.status} from {resp.url}")
        item = _item(resp)
        if item is None:
            return Failed(f"no such item (yet): {ident}")
        if item.get("deleted") is True:
            return Gone("deleted")
        if item.get("dead") is True:
            return Gone(DEAD, removed=True)
        return Seen(item_post(item, ident))


def _item(resp: Response) -> dict[str, Any] | None:
    """The item object, None for Firebase's `null` (no data at that path)."""
    body = resp.json()
    if body is None:
        return None
    if not isinstance(body, dict) or "id" not in body or "type" not in body:
        raise BadBody(f"response from {resp.url} is not a Hacker News item")
    return body


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
        metrics=_metrics(item),
    )


def _time(value: object) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


def _metrics(item: Mapping[str, Any]) -> Mapping[str, int]:
    counts = {
        key: value
        for key in METRICS
        if isinstance(value := item.get(key), int) and not isinstance(value, bool)
    }
    return MappingProxyType(counts)
