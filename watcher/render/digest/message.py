"""A digest as a channel is sent it (`Message`: title, type, bodies), for the outbox.

E-mail (`html`) gets the whole HTML digest. Chat formats get the same sections as segments
(`watcher.render.segments`) packed by `watcher.render.pack`, which escapes, marks and splits
them per format exactly as it does alerts: numbered parts within the channel's limit, each
after the first repeating the digest's first line. A chat digest has no row per day: the
sparklines say it in a line, and the chart goes with the message as an image.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher.controls import visible, visible_url
from watcher.render import LIMITS, Message
from watcher.render.digest.markup import as_html
from watcher.render.digest.words import (
    Item,
    flat,
    period_line,
    period_unit,
    posts_figure,
    sections,
    sparkline,
    web,
    who,
)
from watcher.render.header import WHO_CHARS, clip
from watcher.render.pack import pack_all
from watcher.render.segments import Segment, Style
from watcher.render.syntax import SYNTAX

if TYPE_CHECKING:
    from watcher.digest import Digest

_NAMES = {"week": "Weekly digest", "day": "Daily digest", "period": "Digest"}


def digest_message(d: Digest, fmt: str, limit: int | None = None) -> Message:
    """The digest for a channel of format `fmt` (a `watcher.render.FORMATS` name), its bodies
    each within `limit` (default: the format's)."""
    if fmt not in SYNTAX:
        raise ValueError(f"unknown format {fmt!r}")
    size = LIMITS[fmt] if limit is None else limit
    if fmt == "html" and len(page := as_html(d)) <= size:
        return Message(title(d), "info", (page,))
    first = [
        Segment(f"📊 {_NAMES[period_unit(d.period)]}", Style.STRONG, own=True),
        Segment(" — ", own=True),
        Segment(_who(d)),
        Segment("\n", own=True),
    ]
    bodies = pack_all([*first, *_segments(d)], SYNTAX[fmt], size, first)
    return Message(title(d), "info", bodies)


def title(d: Digest) -> str:
    """apprise's title: one line of plain text, what and who."""
    return f"📊 {_NAMES[period_unit(d.period)]} — {_who(d)}"


def _who(d: Digest) -> str:
    """Who, on one line and cut as alerts cut it: an author's name is the stranger's to choose."""
    return clip(" ".join(visible(who(d)).split()), WHO_CHARS)


def _segments(d: Digest) -> list[Segment]:
    posts = sparkline([day.posts for day in d.per_day])
    gained = sparkline([day.interactions for day in d.per_day])
    out = [
        Segment(f"{period_line(d.period)}\n", own=True),
        Segment(f"Posts: {posts_figure(d)}  {posts}\n", own=True),
        Segment(f"Interactions: {d.interactions:,}  {gained}\n", own=True),
    ]
    for section in sections(d):
        out += [Segment("\n"), Segment(section.title, Style.STRONG, own=True)]
        out.append(Segment("\n" if section.items else ": none\n", own=True))
        for number, item in enumerate(section.items, 1):
            out += _item(item, number if section.numbered else 0)
    return out


def _item(item: Item, number: int) -> list[Segment]:
    out = []
    if item.head:
        out.append(Segment(f"{number}. {item.head}\n" if number else f"{item.head}\n", own=True))
    if item.detail:
        out.append(Segment(f"{item.detail}\n", own=True))
    for label, text in item.quotes:
        if text.strip():
            shown = [Segment(flat(text), Style.QUOTE), Segment("\n")]
            out += [Segment(f"{label}: ", own=True), *shown] if label else shown
    for url in (item.image, *item.links):
        if url:  # only a web address is a link; anything else is text
            link = Segment(visible_url(url), Style.LINK) if web(url) else Segment(visible(url))
            out += [link, Segment("\n")]
    return out
