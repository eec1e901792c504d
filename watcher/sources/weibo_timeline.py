"""Weibo accounts: the account half of the `weibo` source (`WeiboSource._timeline` calls
`read_timeline`). No `Source` subclass lives here, so the registry adds nothing for it.

An account is read through `api/container/getIndex`: the profile (`type=uid&value=<uid>`) for the
account's name and the containerid of its "weibo" tab, then that tab. Deeper pages repeat the tab's
query with the next-page parameter its `cardlistInfo` gives: `since_id` in current answers, the
next `page` number in older ones (a 2019 capture of page 1 says `page: 2`).

Every card's status becomes the Post `statuses/show` would give for it: long texts are completed
and relative times ("06-14") are read from the mid, since a Post that differed from the direct
fetch would read as an edit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from watcher.errors import UsageError
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Observation,
    Page,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.sources.paging import Sheet, more_pages
from watcher.sources.weibo import DEFAULT_BASE, WeiboSource, account_uid, read_answer, status_post

log = logging.getLogger(__name__)

_TIMELINE_TAB = "107603"  # containerid prefix of a user's "weibo" tab when the profile omits it
_POST_CARD = 9  # card_type of a card that carries one `mblog`
_NO_CONTENT = "这里还没有内容"  # closed account or wrong uid (dataabc/weibo-crawler)
# Since 2014 a mid is a snowflake: its bits above the 22nd count seconds from this epoch.
_MID_EPOCH = 515483463
_DATE_ONLY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_CST = timezone(timedelta(hours=8))  # Weibo shows times in Beijing time

NextPage = tuple[str, str]  # the query parameter (name, value) that asks for the next page


def read_timeline(source: WeiboSource, target: Target, pages: int) -> TimelineObservation:
    """The account's "weibo" tab, its first `pages` pages, after the profile that names it."""
    uid = account_uid(target.url)
    if uid is None:
        raise UsageError(f"not a Weibo account URL: {target.url}")
    base = source.base_url(DEFAULT_BASE)
    profile = _index(source, base, {"type": "uid", "value": uid})
    if not isinstance(profile, dict):
        return _account_gone(profile)
    user = profile.get("userInfo")
    if not isinstance(user, dict):
        return Failed(f"Weibo profile of {uid} has no `userInfo`")
    query = {"type": "uid", "value": uid}
    query["containerid"] = _timeline_tab(profile) or f"{_TIMELINE_TAB}{uid}"
    tab = _Tab(source, base, query, str(user.get("screen_name") or uid))
    first = tab.first()
    return more_pages(first, pages, tab.later, log)


def _index(
    source: WeiboSource, base: str, params: Mapping[str, str]
) -> dict[str, Any] | Observation:
    """`data` of a getIndex answer, or the observation for a refusal."""
    resp = source.get(f"{base}/api/container/getIndex", params)
    answer = read_answer(resp)
    if not isinstance(answer, dict):
        return answer
    data = answer.get("data")
    return data if isinstance(data, dict) else Failed(f"no `data` in {resp.url}")


@dataclass(frozen=True, slots=True)
class _Tab:
    """An account's "weibo" tab: where its pages are asked for, and whose they are."""

    source: WeiboSource
    base: str
    query: Mapping[str, str]
    name: str

    def first(self) -> Sheet[NextPage] | TimelineObservation:
        listing = _index(self.source, self.base, self.query)
        if not isinstance(listing, dict):
            return _empty_or_failed(listing, self.name)
        return self._sheet(listing)

    def later(self, next_page: NextPage) -> Sheet[NextPage] | Observation | TimelineObservation:
        key, value = next_page
        listing = _index(self.source, self.base, {**self.query, key: value})
        return self._sheet(listing) if isinstance(listing, dict) else listing

    def _sheet(self, listing: Mapping[str, Any]) -> Sheet[NextPage] | TimelineObservation:
        cards = listing.get("cards")
        if not isinstance(cards, list):
            return Failed(f"Weibo timeline of {self.name} has no `cards`")
        posts = []
        for status in _mblogs(cards):
            post = self._post(status)
            if not isinstance(post, Post):
                return _post_trouble(post)
            posts.append(post)
        return Sheet(Page(tuple(posts), self.name), _next_page(listing) if posts else None)

    def _post(self, status: Mapping[str, Any]) -> Post | Observation:
        """The Post `statuses/show` would give for a card's status. Cards cut long texts (also
        the reposted one's, which `show` embeds in full) and may show relative times: both are
        completed here, since a Post that differed from the direct fetch would read as an edit.
        One failed long text fails the whole page: a truncated text is never stored."""
        text = self.source.full_text(self.base, status)
        if not isinstance(text, str):
            return text
        original = status.get("retweeted_status")
        if isinstance(original, dict) and original.get("isLongText"):
            full = self.source.full_text(self.base, original)
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
        return replace(post, created_at=_card_time(status))  # "2024-12-31" is not midnight


def _next_page(listing: Mapping[str, Any]) -> NextPage | None:
    """The parameter that asks for the next page, as `cardlistInfo` gives it; None on the last
    page. `since_id` (the current API) wins over `page` (older answers: the next page's number)."""
    info = listing.get("cardlistInfo")
    info = info if isinstance(info, dict) else {}
    since = info.get("since_id")
    if isinstance(since, int | str) and not isinstance(since, bool) and str(since) not in ("", "0"):
        return "since_id", str(since)
    page = info.get("page")
    if isinstance(page, int) and not isinstance(page, bool) and page > 1:
        return "page", str(page)
    return None


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


def _timeline_tab(profile: Mapping[str, Any]) -> str | None:
    """The containerid of the profile's "weibo" tab, as the profile lists it."""
    tabs = (profile.get("tabsInfo") or {}).get("tabs")
    for tab in tabs if isinstance(tabs, list) else ():
        if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
            return str(tab["containerid"])
    return None


def _mblogs(cards: list[Any]) -> Iterator[Mapping[str, Any]]:
    """The statuses of a card list in order, also inside card groups (card_type 11). Other
    cards (notices, follow suggestions) are not posts."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == _POST_CARD and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        group = card.get("card_group")
        if isinstance(group, list):
            yield from _mblogs(group)


def _card_time(status: Mapping[str, Any]) -> datetime | None:
    """A card's time when it shows a relative one ("06-14", "3分钟前"): read from the mid, and
    only when it agrees with what is shown, since older mids are not snowflakes."""
    mid = str(status.get("mid") or status.get("id") or "")
    if not mid.isdigit() or int(mid) >> 22 == 0:
        return None
    derived = datetime.fromtimestamp((int(mid) >> 22) + _MID_EPOCH, UTC)
    return derived if _agrees(str(status.get("created_at") or ""), derived) else None


def _agrees(shown: str, derived: datetime, now: datetime | None = None) -> bool:
    local = derived.astimezone(_CST)
    date = re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})", shown.strip())
    if date:
        year, month, day = date.groups()
        return (int(month), int(day)) == (local.month, local.day) and (
            year is None or int(year) == local.year
        )
    if re.search(r"刚刚|分钟|小时|今天|昨天", shown):
        return timedelta(0) <= (now or datetime.now(UTC)) - derived <= timedelta(days=2)
    return False
