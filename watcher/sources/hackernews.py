"""Hacker News: one item (story, comment, job, poll, pollopt) through the Firebase API,
`GET /v0/item/<id>.json`; a user's submissions in `hackernews_user`.

Firebase answers 200 for everything, so the state is in the body: `deleted: true` (the author
deleted it), `dead: true` (killed by flags or moderators), or `null` (no data at that path). A
`null` item is told apart by `GET /v0/maxitem.json`: an id past the newest item is not written
yet; one below it was purged or is withheld. Neither is a deletion. HN has no edit flag or edit
time: edits just change `title`/`text`, so `platform_edited` stays False.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from watcher.errors import BadBody, FetchError, UsageError
from watcher.model import (
    Failed,
    Gone,
    Hidden,
    Observation,
    Post,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import html_to_text
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import Http, Response, unobserved

API = "https://hacker-news.firebaseio.com"
SITE = "https://news.ycombinator.com"
_HOSTS = frozenset({"news.ycombinator.com"})
_ID = re.compile(r"[1-9]\d{0,11}")
# HN asks for 2-15 letters, digits, "-" or "_"; a little wider, for names from older rules.
_USER = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ACCOUNT_PAGES = frozenset({"/user", "/submitted"})
# Counters an item carries; stored as metrics, never part of the content.
METRICS = ("score", "descendants")
DEAD = "dead (killed by flags or moderators)"
DELETED = Gone("deleted")
MEMO_SIZE = 5000  # items remembered for account reads (hackernews_user)


def item_id(url: str) -> str | None:
    """The item id of a news.ycombinator.com/item?id=N URL, or None if `url` is not one."""
    ids = _query_id(url, frozenset({"/item"}))
    return ids if ids is not None and _ID.fullmatch(ids) else None


def user_name(url: str) -> str | None:
    """The user name of a news.ycombinator.com/user?id= or /submitted?id= URL, or None. Names
    are case-sensitive on HN, so the name is kept as written."""
    name = _query_id(url, _ACCOUNT_PAGES)
    return name if name is not None and _USER.fullmatch(name) else None


def _query_id(url: str, paths: frozenset[str]) -> str | None:
    """The one `id` query value of an HN page URL at one of `paths`, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in _HOSTS:
        return None
    if parts.path not in paths:
        return None
    ids = parse_qs(parts.query).get("id", [])
    return ids[0] if len(ids) == 1 else None


class Memo:
    """The last observation of each item that can stand in for a refetch on an account read (a
    Post, or a deletion, which is final on HN); the least recently used goes first. The
    daemon's worker threads share one source, hence the lock."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, Seen | Gone] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, ident: object) -> bool:
        with self._lock:
            return ident in self._entries

    def recall(self, ident: str) -> Seen | Gone | None:
        """What item `ident` was when last fetched, or None if it is not remembered."""
        with self._lock:
            found = self._entries.get(ident)
            if found is not None:
                self._entries.move_to_end(ident)
            return found

    def note(self, ident: str, observed: Observation | None) -> None:
        """Remember a Post or a deletion; forget the item on anything else. A dead item can be
        vouched for and a `null` one may still be being written: remembered, a missed update
        would keep a live post off every listing."""
        with self._lock:
            if not (isinstance(observed, Seen) or observed == DELETED):
                self._entries.pop(ident, None)
                return
            self._entries[ident] = observed
            self._entries.move_to_end(ident)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class HackerNewsSource(Source):
    name = "hackernews"

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        super().__init__(http, settings)
        self.memo = Memo()

    @classmethod
    def matches(cls, url: str) -> bool:
        return item_id(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return user_name(url)

    def validate(self, target: Target) -> None:
        if item_id(target.url) is None:
            raise UsageError(f"not a Hacker News item URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        ident = item_id(target.url) or ""
        observed = self.item(ident)
        return self._missing(ident) if observed is None else observed

    def item(self, ident: str) -> Observation | None:
        """Item `ident` as it is now, None for Firebase's `null`. Every answer updates the memo,
        so a followed post's own checks keep it fresh for account reads."""
        resp = self.get(f"{self.base_url(API)}/v0/item/{ident}.json")
        if resp.status != 200:
            # Firebase never answers 404 for an item (a missing one is `null`), so no status
            # here is a gone signal: 429/401/403/5xx as usual, anything else Failed.
            return unobserved(resp) or Failed(f"HTTP {resp.status} from {resp.url}")
        item = _item(resp)
        observed = None if item is None else observe(item, ident)
        self.memo.note(ident, observed)
        return observed

    def _missing(self, ident: str) -> Observation:
        """What a `null` item is: not written yet, or purged or withheld. Never a deletion."""
        newest = self._newest()
        if newest is None:
            return Failed(f"no such item (yet): {ident}")
        if int(ident) > newest:
            return Failed(f"no such item yet: {ident} is newer than the newest item, {newest}")
        return Hidden(f"Hacker News has no data for item {ident} (purged or withheld)")

    def _newest(self) -> int | None:
        """The newest item id (`/v0/maxitem.json`), or None when it cannot be read."""
        try:
            resp = self.get(f"{self.base_url(API)}/v0/maxitem.json")
            newest = resp.json() if resp.status == 200 else None
        except FetchError:
            return None
        if isinstance(newest, int) and not isinstance(newest, bool) and newest > 0:
            return newest
        return None

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        # Imported here, not at the top: the account half imports this module.
        from watcher.sources.hackernews_user import read_timeline

        return read_timeline(self, target, pages)


def _item(resp: Response) -> dict[str, Any] | None:
    """The item object, None for Firebase's `null` (no data at that path)."""
    body = resp.json()
    if body is None:
        return None
    if not isinstance(body, dict) or "id" not in body or "type" not in body:
        raise BadBody(f"response from {resp.url} is not a Hacker News item")
    return body


def observe(item: Mapping[str, Any], ident: str) -> Seen | Gone:
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
