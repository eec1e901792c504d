"""Weibo accounts: an account's latest posts through `api/container/getIndex`.

An account is read through `api/container/getIndex`: the profile (`type=uid&value=<uid>`) for the
account's name and the containerid of its "weibo" tab, then that tab. Deeper pages repeat the tab's
query with the next-page parameter its `cardlistInfo` gives: `since_id` in current answers, the
next `page` number in older ones (a 2019 capture of page 1 says `page: 2`).

Every card's status becomes the Post `statuses/show` would give for it: long texts are completed
through `statuses/extend` and relative times ("06-14") are read from the mid, since a Post that
differed from the direct fetch would read as an edit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Observation,
    Page,
    Post,
    RateLimited,
    Seen,
    TimelineObservation,
)
from watcher.sources.common import Flow, Sheet, Source, more_pages
from watcher.sources.weibo.answers import read_answer
from watcher.sources.weibo.cards import NextPage, card_time, mblogs, next_page, timeline_tab
from watcher.sources.weibo.longtext import full_text
from watcher.sources.weibo.status import status_post
from watcher.sources.weibo.urls import DEFAULT_BASE

log = logging.getLogger(__name__)

_TIMELINE_TAB = "107603"  # containerid prefix of a user's "weibo" tab when the profile omits it
_NO_CONTENT = "这里还没有内容"  # closed account or wrong uid (dataabc/weibo-crawler)
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def read_timeline(source: Source, uid: str, pages: int) -> Flow[TimelineObservation]:
    """The account's "weibo" tab, its first `pages` pages, after the profile that names it."""
    base = source.base_url(DEFAULT_BASE)
    profile = yield from _index(source, base, {"type": "uid", "value": uid})
    if not isinstance(profile, dict):
        return _account_gone(profile)
    user = profile.get("userInfo")
    if not isinstance(user, dict):
        return Failed(f"Weibo profile of {uid} has no `userInfo`")
    query = {"type": "uid", "value": uid}
    query["containerid"] = timeline_tab(profile) or f"{_TIMELINE_TAB}{uid}"
    tab = _Tab(source, base, query, str(user.get("screen_name") or uid))
    first = yield from tab.first()
    return (yield from more_pages(first, pages, tab.later, log))


def _index(
    source: Source, base: str, params: Mapping[str, str]
) -> Flow[dict[str, Any] | Observation]:
    """`data` of a getIndex answer, or the observation for a refusal."""
    resp = yield source.request(f"{base}/api/container/getIndex", params)
    answer = read_answer(resp)
    if not isinstance(answer, dict):
        return answer
    data = answer.get("data")
    return data if isinstance(data, dict) else Failed(f"no `data` in {resp.url}")


@dataclass(frozen=True, slots=True)
class _Tab:
    """An account's "weibo" tab: where its pages are asked for, and whose they are."""

    source: Source
    base: str
    query: Mapping[str, str]
    name: str

    def first(self) -> Flow[Sheet[NextPage] | TimelineObservation]:
        listing = yield from _index(self.source, self.base, self.query)
        if not isinstance(listing, dict):
            return _empty_or_failed(listing, self.name)
        return (yield from self._sheet(listing))

    def later(self, after: NextPage) -> Flow[Sheet[NextPage] | Observation | TimelineObservation]:
        key, value = after
        listing = yield from _index(self.source, self.base, {**self.query, key: value})
        if not isinstance(listing, dict):
            return listing
        return (yield from self._sheet(listing))

    def _sheet(self, listing: Mapping[str, Any]) -> Flow[Sheet[NextPage] | TimelineObservation]:
        cards = listing.get("cards")
        if not isinstance(cards, list):
            return Failed(f"Weibo timeline of {self.name} has no `cards`")
        posts = []
        for status in mblogs(cards):
            post = yield from self._post(status)
            if not isinstance(post, Post):
                return _post_trouble(post)
            posts.append(post)
        return Sheet(Page(tuple(posts), self.name), next_page(listing) if posts else None)

    def _post(self, status: Mapping[str, Any]) -> Flow[Post | Observation]:
        """The Post `statuses/show` would give for a card's status. Cards cut long texts (also
        the reposted one's, which `show` embeds in full) and may show relative times: both are
        completed here, since a Post that differed from the direct fetch would read as an edit.
        One failed long text fails the whole page: a truncated text is never stored."""
        text = yield from full_text(self.source, self.base, status)
        if not isinstance(text, str):
            return text
        original = status.get("retweeted_status")
        if isinstance(original, dict) and original.get("isLongText"):
            full = yield from full_text(self.source, self.base, original)
            if not isinstance(full, str):
                return full
            status = {
                **status,
                "retweeted_status": {**original, "longText": {"longTextContent": full}},
            }
        post = status_post(status, text)
        shown = str(status.get("created_at") or "")
        if post.created_at and not _DATE_ONLY.fullmatch(shown.strip()):
            return post
        return replace(post, created_at=card_time(status))  # "2024-12-31" is not midnight


def _unseen(obs: Observation) -> TimelineObservation:
    """A refusal of a getIndex call as a timeline observation (a refusal is never `Seen`)."""
    return Failed(f"unexpected answer: {obs}") if isinstance(obs, Seen) else obs


def _post_trouble(obs: Observation) -> TimelineObservation:
    """A long text that could not be read fails the page: it says nothing about the account
    (not gone, not hidden), but walls and rate limits are the account's too."""
    if isinstance(obs, Blocked | RateLimited):
        return obs
    return Failed(f"a long text on the page could not be read: {obs}")


def _account_gone(obs: Observation) -> TimelineObservation:
    """The profile's refusal: "nothing here yet" on the profile means no such account."""
    if isinstance(obs, Failed) and _NO_CONTENT in obs.reason:
        return Gone(obs.reason)
    return _unseen(obs)  # a gone signal (用户不存在) or a wall stands as it is


def _empty_or_failed(obs: Observation, name: str) -> TimelineObservation:
    """The timeline's refusal once the profile answered: "nothing here yet" is an empty page,
    and a gone signal contradicts the profile, so it proves nothing."""
    if isinstance(obs, Failed) and _NO_CONTENT in obs.reason:
        return Page((), name)
    if isinstance(obs, Gone):
        return Failed(f"timeline refused although the profile answered: {obs.reason}")
    return _unseen(obs)
