"""The words of an account going silent and coming back (`silent`, `back`):

    💤 Silent — 雷军 has not posted on Weibo for 5 days
    Usually about 6 posts a day · last post 2025-04-01 10:00 CST
    https://m.weibo.cn/detail/…
    (the last post's text)

    ↩️ Back — 雷军 is back on Weibo after 5 days 2 h
    Posted 2025-04-06 12:00 · previous post 2025-04-01 10:00 CST
    https://m.weibo.cn/detail/…
    (the first post's text)

The event's detail says the gap, the usual rate and which post (`watcher.silence`); the post's
text and link are its newest stored version, looked up when the alert is made (`quiet_alert`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from watcher.model import EventKind, Revision
from watcher.silence import read

if TYPE_CHECKING:
    from watcher.render import Alert

DAY, HOUR = 86400, 3600


def quiet_alert(alert: Alert, post_of: Callable[[str], Revision | None]) -> Alert:
    """`alert` (a `silent` or `back` about an account) with what its detail says, and the post
    it names shown as the alert's post (`post_of`: its newest stored version by its id). A
    detail in other words is shown as it is."""
    said = read(alert.kind, alert.detail)
    if said is None:
        return alert
    found = post_of(said.post) if said.post else None
    post = found.post if found else None
    return replace(
        alert,
        detail="",
        gap=said.gap,
        usual=said.per_day,
        link=post.url if post else alert.link,
        new_text=post.document if post else "",
        new_at=found.observed_at if found else None,
        posted_at=post.created_at if post else None,
    )


def headline(alert: Alert) -> str:
    """What follows the name on the first line: "has not posted on" … "for 5 days" (the
    platform goes between the two halves), or "" when the gap is not known."""
    if alert.gap is None:
        return ""
    if alert.kind is EventKind.SILENT:
        return f" for {spoken(alert.gap)}"
    return f" after {spoken(alert.gap)}"


def verb(alert: Alert) -> str:
    """ " has not posted on " or " is back on ": between the name and the platform."""
    return " has not posted on " if alert.kind is EventKind.SILENT else " is back on "


def said_when(alert: Alert, clock: Callable[[datetime], str]) -> list[str]:
    """The second line's parts (`clock` formats a time in the channel's zone): the usual rate
    and the last post's time; or the first post's time and the one before it."""
    gap = timedelta(seconds=alert.gap) if alert.gap is not None else None
    if alert.kind is EventKind.SILENT:
        said = [f"usually {usual(alert.usual)}"] if alert.usual else []
        last = alert.posted_at or (alert.at - gap if gap is not None else None)
        return [*said, f"last post {clock(last)}" if last else f"found {clock(alert.at)}"]
    posted = alert.posted_at or alert.at
    said = [f"posted {clock(posted)}"]
    return [*said, f"previous post {clock(posted - gap)}"] if gap is not None else said


def spoken(seconds: float) -> str:
    """A silence's length as people say it: "5 days", "5 days 2 h", "1 day", "20 h", "45 min"."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, DAY // 60)
    hours, minutes = divmod(rest, HOUR // 60)
    if days:
        said = f"{days} day{'' if days == 1 else 's'}"
        return f"{said} {hours} h" if hours else said
    if hours:
        return f"{hours} h {minutes} min" if minutes and hours < 3 else f"{hours} h"
    return f"{minutes} min"


def usual(per_day: float) -> str:
    """How often an account posts, roughly: "about 6 posts a day", "about one post a week"."""
    for rate, unit in ((per_day, "day"), (per_day * 7, "week"), (per_day * 30, "month")):
        if rate >= 1.5:
            return f"about {round(rate)} posts a {unit}"
        if rate >= 0.75:
            return f"about one post a {unit}"
    return "less than one post a month"
