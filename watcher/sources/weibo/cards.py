"""Reading a `getIndex` answer: the profile's "weibo" tab, the statuses on a card list, the
next page's parameter, and the time of a card that shows a relative one."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_POST_CARD = 9  # card_type of a card that carries one `mblog`
# Since 2014 a mid is a snowflake: its bits above the 22nd count seconds from this epoch.
_MID_EPOCH = 515483463
_CST = timezone(timedelta(hours=8))  # Weibo shows times in Beijing time

NextPage = tuple[str, str]  # the query parameter (name, value) that asks for the next page


def timeline_tab(profile: Mapping[str, Any]) -> str | None:
    """The containerid of the profile's "weibo" tab, as the profile lists it."""
    tabs = (profile.get("tabsInfo") or {}).get("tabs")
    for tab in tabs if isinstance(tabs, list) else ():
        if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
            return str(tab["containerid"])
    return None


def mblogs(cards: list[Any]) -> Iterator[Mapping[str, Any]]:
    """The statuses of a card list in order, also inside card groups (card_type 11). Other
    cards (notices, follow suggestions) are not posts."""
    for card in cards:
        if not isinstance(card, dict):
            continue
        if card.get("card_type") == _POST_CARD and isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        group = card.get("card_group")
        if isinstance(group, list):
            yield from mblogs(group)


def next_page(listing: Mapping[str, Any]) -> NextPage | None:
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


def card_time(status: Mapping[str, Any]) -> datetime | None:
    """A card's time when it shows a relative one ("06-14", "3分钟前"): read from the mid, and
    only when it agrees with what is shown, since older mids are not snowflakes."""
    mid = str(status.get("mid") or status.get("id") or "")
    if not mid.isdigit() or int(mid) >> 22 == 0:
        return None
    derived = datetime.fromtimestamp((int(mid) >> 22) + _MID_EPOCH, UTC)
    return derived if agrees(str(status.get("created_at") or ""), derived) else None


def agrees(shown: str, derived: datetime, now: datetime | None = None) -> bool:
    """Whether the time a card shows (a date, or words such as "3分钟前") fits `derived`."""
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
