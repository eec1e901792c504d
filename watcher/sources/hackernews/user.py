"""Hacker News accounts: the flow behind `HackerNewsSource.timeline`.

An account (`news.ycombinator.com/user?id=<name>` or `/submitted?id=<name>`) is read from
`GET /v0/user/<name>.json`, whose `submitted` lists the user's item ids newest first: stories,
comments and polls alike. A page is 30 ids, HN's own page size. Each id becomes its Post through
the same `item_post` as a direct fetch, so the two are equal. Deleted, dead and `null` items are
left out: a followed post that vanishes between live neighbours is then checked on its own, and
its own gone signal decides. Any other item failure fails the whole read, never a partial page:
a post missing from the account's first listing would be announced as new on the next one.

Fetching 30 items on every check would cost 31 requests. The source remembers what it last
fetched of each item (`Memo`) and asks `GET /v0/updates.json` once per read which items changed
lately; only those, and ids it never fetched, are fetched again. When updates.json cannot be
read, every listed item is. A missed update (updates.json covers minutes, not our interval) is
harmless: a listing's post content matters only for posts the account watch has not seen before,
as their first revision, and every followed post is checked on its own schedule anyway, by a
direct fetch that skips the memo and refreshes it. At worst a post first listed for a second
watch of the same account starts from an older revision, which its own first check shows as the
edit it was.

The source is reached through `Items`, what this half needs of it, so this module does not
import the source's (which imports this one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

from watcher.errors import BadBody, FetchError, HostBackoff, UsageError
from watcher.model import (
    Failed,
    Gone,
    Observation,
    Page,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
    Unobserved,
)
from watcher.sources.common import Flow, Request
from watcher.sources.hackernews.item import refused
from watcher.sources.hackernews.memo import Memo
from watcher.sources.hackernews.refs import API, user_name

log = logging.getLogger(__name__)

PAGE_SIZE = 30  # items on one page of news.ycombinator.com/submitted


class Items(Protocol):
    """What an account read asks of the source: its items (each read refreshes the memo), the
    memo, and requests with the platform's settings."""

    memo: Memo

    def item(self, ident: str) -> Flow[Observation | None]: ...

    def base_url(self, default: str) -> str: ...

    def request(self, url: str, params: Mapping[str, str] | None = None) -> Request: ...


def read_timeline(source: Items, target: Target, pages: int) -> Flow[TimelineObservation]:
    """The first `pages` × 30 items the user submitted, newest first, without the deleted, dead
    and missing ones."""
    name = user_name(target.url)
    if name is None:
        raise UsageError(f"not a Hacker News user URL: {target.url}")
    base = source.base_url(API)
    user = yield from _user(source, f"{base}/v0/user/{name}.json", name)
    if not isinstance(user, tuple):
        return user
    account, submitted = user
    ids = submitted[: pages * PAGE_SIZE]
    changed = None
    if any(i in source.memo for i in ids):
        changed = yield from _changed(source, base)
    posts = yield from _posts(source, ids, changed)
    return Page(posts, account) if isinstance(posts, tuple) else posts


def _user(
    source: Items, url: str, name: str
) -> Flow[tuple[str, tuple[str, ...]] | TimelineObservation]:
    """The user's name as HN spells it and the ids of its submissions, newest first."""
    resp = yield source.request(url)
    if resp.status != 200:
        return refused(resp)
    body = resp.json()
    if body is None:  # Firebase's `null`: no data at that path
        return Gone(f"no such Hacker News user: {name}")
    if not isinstance(body, dict) or not body.get("id"):
        raise BadBody(f"response from {resp.url} is not a Hacker News user")
    submitted = body.get("submitted", [])  # Firebase leaves empty lists out
    if not isinstance(submitted, list) or not all(_is_id(i) for i in submitted):
        raise BadBody(f"`submitted` of {resp.url} is not a list of item ids")
    return str(body["id"]), tuple(str(i) for i in submitted)


def _changed(source: Items, base: str) -> Flow[frozenset[str] | None]:
    """The ids of recently changed items (`/v0/updates.json`), or None when it cannot be read:
    then every listed item is fetched. A host that asked us to wait stays a rate limit."""
    try:
        resp = yield source.request(f"{base}/v0/updates.json")
        body = resp.json() if resp.status == 200 else None
    except HostBackoff:
        raise
    except FetchError as exc:
        log.debug("updates.json not read; fetching every listed item: %s", exc)
        return None
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        log.debug("updates.json not usable (HTTP %s); fetching every listed item", resp.status)
        return None
    return frozenset(str(i) for i in items)


def _posts(
    source: Items, ids: Sequence[str], changed: frozenset[str] | None
) -> Flow[tuple[Post, ...] | TimelineObservation]:
    """The Posts of the live items among `ids`, or why the listing cannot be read."""
    posts: list[Post] = []
    fetched = 0
    for ident in ids:
        observed: Observation | None
        observed = None if changed is None or ident in changed else source.memo.recall(ident)
        if observed is None:
            fetched += 1
            observed = yield from source.item(ident)
        if isinstance(observed, Seen):
            posts.append(observed.post)
        elif not (observed is None or isinstance(observed, Gone)):
            return _item_trouble(ident, observed)
    log.debug("listed %s items, %s fetched", len(ids), fetched)
    return tuple(posts)


def _item_trouble(ident: str, observed: Unobserved) -> TimelineObservation:
    """One unreadable item fails the whole listing; a rate limit stays one."""
    if isinstance(observed, RateLimited):
        return observed
    return Failed(f"item {ident} not read: {observed.reason}")


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
