"""Hacker News accounts: the account half of the `hackernews` source
(`HackerNewsSource._timeline` calls `read_timeline`). No `Source` subclass lives here, so the
registry adds nothing for it.

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
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from watcher.errors import BadBody, FetchError, HostBackoff, UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Page,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
    Unobserved,
)
from watcher.sources.hackernews import API, HackerNewsSource, user_name
from watcher.sources.http import Response, unobserved

log = logging.getLogger(__name__)

PAGE_SIZE = 30  # items on one page of news.ycombinator.com/submitted


def read_timeline(source: HackerNewsSource, target: Target, pages: int) -> TimelineObservation:
    """The first `pages` × 30 items the user submitted, newest first, without the deleted, dead
    and missing ones."""
    name = user_name(target.url)
    if name is None:
        raise UsageError(f"not a Hacker News user URL: {target.url}")
    base = source.base_url(API)
    user = _user(source, f"{base}/v0/user/{name}.json", name)
    if not isinstance(user, tuple):
        return user
    account, submitted = user
    ids = submitted[: pages * PAGE_SIZE]
    changed = _changed(source, base) if any(i in source.memo for i in ids) else None
    posts = _posts(source, ids, changed)
    return Page(posts, account) if isinstance(posts, tuple) else posts


def _user(
    source: HackerNewsSource, url: str, name: str
) -> tuple[str, tuple[str, ...]] | TimelineObservation:
    """The user's name as HN spells it and the ids of its submissions, newest first."""
    resp = source.get(url)
    if resp.status != 200:
        return _refused(resp)
    body = resp.json()
    if body is None:  # Firebase's `null`: no data at that path
        return Gone(f"no such Hacker News user: {name}")
    if not isinstance(body, dict) or not body.get("id"):
        raise BadBody(f"response from {resp.url} is not a Hacker News user")
    submitted = body.get("submitted", [])  # Firebase leaves empty lists out
    if not isinstance(submitted, list) or not all(_is_id(i) for i in submitted):
        raise BadBody(f"`submitted` of {resp.url} is not a list of item ids")
    return str(body["id"]), tuple(str(i) for i in submitted)


def _refused(resp: Response) -> TimelineObservation:
    """Any answer but 200: Firebase says "no such user" with `null`, so no status is gone."""
    refused = unobserved(resp)
    if isinstance(refused, RateLimited | Blocked | Failed):
        return refused
    return Failed(f"HTTP {resp.status} from {resp.url}")


def _changed(source: HackerNewsSource, base: str) -> frozenset[str] | None:
    """The ids of recently changed items (`/v0/updates.json`), or None when it cannot be read:
    then every listed item is fetched. A host that asked us to wait stays a rate limit."""
    try:
        resp = source.get(f"{base}/v0/updates.json")
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
    source: HackerNewsSource, ids: Sequence[str], changed: frozenset[str] | None
) -> tuple[Post, ...] | TimelineObservation:
    """The Posts of the live items among `ids`, or why the listing cannot be read."""
    posts: list[Post] = []
    fetched = 0
    for ident in ids:
        remembered = None if changed is None or ident in changed else source.memo.recall(ident)
        if remembered is None:
            fetched += 1
        observed = remembered or source.item(ident)
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
