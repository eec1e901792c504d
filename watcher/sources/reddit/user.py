"""Reddit accounts: the listing an account URL names, page after page.

An account is read from the listing its URL names: `GET /user/<name>/submitted.json` for the
profile itself and its `/submitted` tab (its posts), `comments.json` for `/comments` and
`overview.json` (posts and comments mixed) for `/overview`. Posts are the default because a busy
commenter would push every post off a mixed page; who watches comments asks for them.

Each listed thing becomes its Post through the same `thing_post` as a direct fetch of its
permalink, so the two are equal. A removed post stays listed with its `[removed]` text (its title
still says what it was); a deleted or removed comment is left out, since its body is all it has:
a known one then vanishes from between its neighbours, and its own direct check decides whether
it is gone. Reddit answers 404 for an account that never existed, was deleted, suspended or
shadowbanned alike: `Gone` for the account. Deeper pages follow the Listing's `after` (the
fullname of its last thing) until Reddit answers it as null.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watcher.errors import BadBody
from watcher.model import Gone, Hidden, Observation, Page, Post, Seen, TimelineObservation
from watcher.sources.common import Flow, Response, Sheet, Source, more_pages
from watcher.sources.reddit.answers import refusal
from watcher.sources.reddit.things import gone_signal, thing_post
from watcher.sources.reddit.urls import PUBLIC_API, Profile

log = logging.getLogger(__name__)

_POST, _COMMENT = "t3", "t1"


def read_timeline(source: Source, account: Profile, pages: int) -> Flow[TimelineObservation]:
    """The listing the account URL names, its first `pages` pages."""
    listing = _Listing(source, source.base_url(PUBLIC_API), account)
    first = yield from listing.sheet(None)
    return (yield from more_pages(first, pages, listing.sheet, log))


@dataclass(frozen=True, slots=True)
class _Listing:
    """One account's listing: where its pages are asked for."""

    source: Source
    base: str
    account: Profile

    def sheet(self, after: str | None) -> Flow[Sheet[str] | TimelineObservation]:
        """One page of the listing: the newest, or the one after the fullname `after`."""
        # sort=new is the default today; asked for because the Page must be newest first.
        params = {"raw_json": "1", "sort": "new"}
        if after is not None:
            params["after"] = after
        name, tab = self.account.name, self.account.listing
        resp = yield self.source.request(f"{self.base}/user/{name}/{tab}.json", params)
        early = refusal(resp)
        if early is not None:
            return _account_refusal(early, name)
        posts, following = _listed(resp)
        author = next((p.author for p in posts if p.author.startswith("u/")), f"u/{name}")
        return Sheet(Page(posts, author), following)


def _account_refusal(early: Observation, name: str) -> TimelineObservation:
    """A refusal said about the account rather than a post."""
    if isinstance(early, Gone):
        reason = f"u/{name}: no such account (deleted, suspended or shadowbanned): {early.reason}"
        return Gone(reason, removed=early.removed)
    if isinstance(early, Hidden):
        # answers._forbidden words it for a post's subreddit; here the account is not shown.
        return Hidden(f"u/{name} is not shown to us: {early.reason}")
    if isinstance(early, Seen):  # refusal never returns one; this keeps the types honest
        raise BadBody(f"unexpected answer for u/{name}")
    return early


def _listed(resp: Response) -> tuple[tuple[Post, ...], str | None]:
    """The posts and comments a user Listing lists, in its order (newest first); and `after`,
    the fullname the next page starts after (None on the last page or an empty one)."""
    body = resp.json()
    data = body.get("data") if isinstance(body, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(children, list):
        raise BadBody(f"response from {resp.url} is not a Reddit Listing")
    posts = tuple(post for child in children if (post := _child(child, resp.url)) is not None)
    after = data.get("after")
    return posts, (after if children and isinstance(after, str) and after else None)


def _child(child: object, url: str) -> Post | None:
    """The Post of one Listing child; None for what an account watch does not follow: other
    kinds (a `more` stub), and comments whose direct check would say they are gone."""
    if not isinstance(child, dict) or child.get("kind") not in (_POST, _COMMENT):
        return None
    item: Mapping[str, Any] | None = child.get("data")
    if not (isinstance(item, dict) and item.get("id")):
        raise BadBody(f"Listing child without data or id in {url}")
    if child["kind"] == _COMMENT and gone_signal(item) is not None:
        return None
    return thing_post(item)
