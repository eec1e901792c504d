"""What every digest format says, in words: the sections and their items (our own words and
the untrusted text they quote), the labels of a period and its times, and the sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from watcher.controls import visible
from watcher.detect import format_duration
from watcher.render.header import PLATFORMS, clip

if TYPE_CHECKING:  # types only: `watcher.digest` imports this package for `sparkline`
    from watcher.digest import Deletion, Digest, Edit, Period, Restoration, Silence, TopPost

BARS = "▁▂▃▅▇"  # nothing, then four heights: a day with any activity never looks empty
PREVIEW = 200  # characters of a post quoted
TABLE_DAYS = 31  # a row per day up to this many; longer periods show the sparklines only


def sparkline(values: Sequence[float]) -> str:
    """One bar per value, scaled to the largest (rounded to the nearest bar); zero (or less)
    is the lowest bar and anything above zero at least the second."""
    top = max(values, default=0)
    if top <= 0:
        return BARS[0] * len(values)
    steps = len(BARS) - 1
    return "".join(BARS[0] if v <= 0 else BARS[max(1, round(v / top * steps))] for v in values)


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a section: our own words (`head`), then quoted text and links (untrusted)."""

    head: str
    detail: str = ""  # our own words too, on a line of their own
    quotes: tuple[tuple[str, str], ...] = ()  # (label, text): label "" quotes a post's text
    links: tuple[str, ...] = ()
    image: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list of items; `numbered`: a ranking."""

    title: str
    items: tuple[Item, ...]
    numbered: bool = False


def who(d: Digest) -> str:
    """Who and where, e.g. `雷军 on Weibo` (the account's URL when no post named its author)."""
    platform = PLATFORMS.get(d.account.platform, d.account.platform)
    return f"{d.account.author or d.account.url} on {platform}"


def period_unit(period: Period) -> str:
    """What the period is called: "week", "day" or "period"."""
    zone = period.zone
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    if start.time() != time(0) or end.time() != time(0):
        return "period"
    days = (end.date() - start.date()).days
    if days == 7 and start.weekday() == 0:
        return "week"
    return "day" if days == 1 else "period"


def period_line(period: Period) -> str:
    """The period in words, e.g. `Week 2025-W22 · Mon 2025-05-26 – Sun 2025-06-01 · UTC`."""
    zone, unit = period.zone, period_unit(period)
    start = period.start.astimezone(zone)
    last = (period.end - timedelta(microseconds=1)).astimezone(zone)
    if unit == "week":
        year, week, _ = start.isocalendar()
        return f"Week {year}-W{week:02d} · {start:%a %Y-%m-%d} – {last:%a %Y-%m-%d} · {period.tz}"
    if unit == "day":
        return f"{start:%a %Y-%m-%d} · {period.tz}"
    return f"{when(period.start, period)} – {when(period.end, period)} · {period.tz}"


def when(moment: datetime, period: Period) -> str:
    """A moment in the period's zone, to the minute, with its weekday."""
    return f"{moment.astimezone(period.zone):%a %Y-%m-%d %H:%M}"


def posts_figure(d: Digest) -> str:
    """The posts against the period before, e.g. `40 (previous week: 25, +15)`."""
    change = d.posts - d.previous_posts
    return f"{d.posts:,} (previous {period_unit(d.period)}: {d.previous_posts:,}, {change:+,})"


def spell(s: Silence, period: Period) -> str:
    """A silence or gap: how long, from when to when."""
    end = when(s.end, period) if s.end else "still at the end"
    return f"{format_duration(s.seconds)}: {when(s.start, period)} → {end}"


def sections(d: Digest) -> list[Section]:
    """The sections after the figures, in order; one with no items reads "none"."""
    period = d.period
    photo = () if d.photo is None else (Item("", links=(d.photo.post_url,), image=d.photo.url),)
    gap = () if d.longest_gap is None else (Item(spell(d.longest_gap, period)),)
    top = f"Top posts (likes + reposts + replies at the {period_unit(period)}'s end)"
    return [
        Section(top, tuple(_top(post, period) for post in d.top), numbered=True),
        Section("Most engaging post with an image", photo),
        Section("Edits", tuple(_edit(edit, period) for edit in d.edits)),
        Section("Deletions", tuple(_deletion(gone, period) for gone in d.deletions)),
        Section("Restorations", tuple(_restoration(back, period) for back in d.restorations)),
        Section("Silences", tuple(Item(spell(s, period)) for s in d.silences)),
        Section("Longest gap between posts", gap),
    ]


def _top(post: TopPost, period: Period) -> Item:
    c = post.counters
    head = f"{when(post.created_at, period)} · {c.engagement:,} interactions"
    detail = f"likes {c.likes:,} · reposts {c.reposts:,} · replies {c.replies:,}"
    return Item(head, detail, (("", post.text),), (post.url,))


def _edit(edit: Edit, period: Period) -> Item:
    quotes = (("removed", " … ".join(edit.removed)), ("added", " … ".join(edit.added)))
    return Item(when(edit.at, period), quotes=quotes, links=(edit.url,))


def _deletion(gone: Deletion, period: Period) -> Item:
    head = when(gone.at, period) + (" · removed by the platform" if gone.by_platform else "")
    return Item(head, quotes=(("last text", gone.text),), links=(gone.url,))


def _restoration(back: Restoration, period: Period) -> Item:
    return Item(when(back.at, period), quotes=(("text", back.text),), links=(back.url,))


def flat(text: str, limit: int = PREVIEW) -> str:
    """Untrusted text on one line, its controls spelled out, clipped at `limit` characters."""
    return clip(" ".join(visible(text).split()), limit)


def web(url: str) -> bool:
    """Whether `url` may be a link or an image: http(s) only (never `javascript:`)."""
    return url.lower().startswith(("https://", "http://"))
