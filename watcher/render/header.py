"""The top of every alert: what happened and who (one line, repeated on each part), when, the
link and why; and the same first line as apprise's title, with apprise's notification type.

What a phone shows first is the title and the first lines, so they carry the news:

    ✏️ Edited — 雷军 on Weibo
    Posted 2025-06-01 09:12 · edited between 14:02 and 15:40 CST
    https://weibo.com/…
    Weibo said “微博不存在” (error 20101)

Times are shown in the channel's time zone; the date is written once per line unless it
changes, the zone once at the end. They are our own text (`Segment.own`): no Slack fence lands
inside "11:25".
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watcher.model import QUOTED_KINDS, EventKind
from watcher.render import silence
from watcher.render.reasons import plain_reason
from watcher.render.segments import Segment, Style
from watcher.render.syntax import GRAPHEME

if TYPE_CHECKING:
    from watcher.render import Alert

WHO_CHARS = 80  # an author or page title is cut here in the header and the title
DETAIL_CHARS = 500  # a blocked/broken/hidden reason is cut here

LABELS = {
    EventKind.NEW: "🆕 New",
    EventKind.EDITED: "✏️ Edited",
    EventKind.DELETED: "🗑 Deleted",
    EventKind.REMOVED: "🚫 Removed by the platform",
    EventKind.RESTORED: "♻️ Restored",
    EventKind.HIDDEN: "🙈 Hidden",
    EventKind.BLOCKED: "⛔ Blocked",
    EventKind.BROKEN: "🔧 Broken",
    EventKind.SILENT: "💤 Silent",
    EventKind.BACK: "↩️ Back",
    EventKind.QUOTED_EDITED: "✏️ Quoted post edited",
    EventKind.QUOTED_DELETED: "🗑 Quoted post deleted",
    EventKind.QUOTED_REMOVED: "🚫 Quoted post removed",
    EventKind.QUOTED_HIDDEN: "🙈 Quoted post hidden",
    EventKind.QUOTED_RESTORED: "♻️ Quoted post restored",
}
# An account's own events: its text is its handle, so an edit is a rename.
ACCOUNT_LABELS = {
    EventKind.EDITED: "✏️ Account renamed",
    EventKind.DELETED: "🗑 Account gone",
    EventKind.REMOVED: "🚫 Account suspended",
    EventKind.RESTORED: "♻️ Account back",
    EventKind.HIDDEN: "🙈 Account hidden",
    EventKind.BLOCKED: "⛔ Account blocked",
    EventKind.BROKEN: "🔧 Account unreadable",
}
PLATFORMS = {
    "mastodon": "Mastodon",
    "weibo": "Weibo",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "hn": "Hacker News",
    "hackernews": "Hacker News",
    "telegram": "Telegram",
    "x": "X",
    "web": "the web",
    "json": "JSON",
    "feed": "a feed",
}
# apprise's NotifyType values, by event kind (by name, so that kinds still to come — an
# account going silent, coming back — already have theirs). Losing something is a warning.
NOTIFY_TYPES = {
    "new": "info",
    "edited": "info",
    "deleted": "warning",
    "removed": "warning",
    "restored": "success",
    "back": "success",
    "silent": "warning",
    "hidden": "warning",
    "blocked": "warning",
    "broken": "warning",
    "failed": "warning",
    "quoted_edited": "info",
    "quoted_deleted": "warning",
    "quoted_removed": "warning",
    "quoted_hidden": "warning",
    "quoted_restored": "success",
}
_PROBLEMS = (EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN)
_QUIET = (EventKind.SILENT, EventKind.BACK)  # an account going silent, coming back
_SITES = ("web", "json", "feed")  # a page's title says who, its host where


def zone(name: str) -> tzinfo:
    """The time zone named `name` (an IANA name, validated when the config is loaded; one
    that went missing since reads as UTC: an alert is never lost to its clock)."""
    if name in ("", "UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def notify_type(kind: str) -> str:
    return NOTIFY_TYPES.get(kind, "info")


def clip(text: str, size: int) -> str:
    """`text` cut to at most `size` characters at a grapheme cluster, with "…" if cut."""
    if len(text) <= size:
        return text
    end = 0
    for match in GRAPHEME.finditer(text):
        if match.end() > size:
            break
        end = match.end()
    return text[:end] + "…"


def label(alert: Alert) -> str:
    return (ACCOUNT_LABELS if alert.account else LABELS).get(alert.kind, LABELS[alert.kind])


def who(alert: Alert) -> str:
    """The post's author (its display name as the platform gives it), or a page's title."""
    first, second = alert.author, alert.title
    if alert.platform.lower() in _SITES:
        first, second = second, first
    return clip(" ".join((first or second).split()), WHO_CHARS)


def where(alert: Alert) -> str:
    platform = alert.platform.lower()
    if platform in _SITES:
        host = urlsplit(alert.link).hostname if alert.link else None
        if host:
            return host.removeprefix("www.")
    return PLATFORMS.get(platform, alert.platform or "the web")


def title(alert: Alert) -> str:
    """apprise's title: the header's first line as plain text."""
    if alert.kind in _QUIET:
        return "".join(segment.text for segment in first_line(alert)).strip()
    name = who(alert)
    return (
        f"{label(alert)} — {name} on {where(alert)}"
        if name
        else f"{label(alert)} on {where(alert)}"
    )


def first_line(alert: Alert) -> list[Segment]:
    """What happened and who, as segments: the line each part of a long message repeats."""
    name = who(alert)
    head = [Segment(label(alert), Style.STRONG, own=True)]
    if alert.kind in _QUIET and name and alert.gap is not None:
        head += [Segment(" — ", own=True), Segment(name), Segment(silence.verb(alert), own=True)]
        tail = [Segment(where(alert)), Segment(silence.headline(alert), own=True)]
        return [*head, *tail, Segment("\n", own=True)]
    if name:
        head += [Segment(" — ", own=True), Segment(name)]
    return [*head, Segment(" on ", own=True), Segment(where(alert)), Segment("\n", own=True)]


def header(alert: Alert, tz: tzinfo) -> list[Segment]:
    """The whole header: the first line, when, the link and the reason, a line each."""
    head = [*first_line(alert), Segment(when_line(alert, tz) + "\n", own=True)]
    if alert.link:
        head += [Segment(alert.link, Style.LINK), Segment("\n")]
    detail = "" if alert.kind in _QUIET and alert.gap is not None else alert.detail
    if detail and alert.kind in (EventKind.DELETED, EventKind.REMOVED, *_PROBLEMS):
        name = PLATFORMS.get(alert.platform.lower(), alert.platform)
        plain = plain_reason(detail, alert.platform, name)
        detail = detail if plain == detail else plain[:1].upper() + plain[1:]
    if detail and alert.kind in _PROBLEMS:
        detail = clip(detail, DETAIL_CHARS)
    if detail:
        head.append(Segment(detail + "\n"))
    return head


def when_line(alert: Alert, tz: tzinfo) -> str:
    """ "Posted 09:12 · gone between 11:25 and 11:26 CST": the post's own time, and when what
    happened happened, as closely as the checks can tell."""
    clock = _Clock(tz)
    said = [f"posted {clock(alert.posted_at)}"] if alert.posted_at and not alert.account else []
    kind = alert.kind
    if kind is EventKind.EDITED:
        verb = "renamed" if alert.account else "edited"
        if alert.old_at and alert.new_at and alert.old_at < alert.new_at:
            said.append(f"{verb} between {clock(alert.old_at)} and {clock(alert.new_at)}")
        else:
            said.append(f"{verb} by {clock(alert.new_at or alert.at)}")
    elif kind in (EventKind.DELETED, EventKind.REMOVED):
        gone = alert.gone_at or alert.at
        if alert.seen_at and alert.seen_at < gone:
            said.append(f"gone between {clock(alert.seen_at)} and {clock(gone)}")
        else:
            said.append(f"gone by {clock(gone)}")
    elif kind is EventKind.RESTORED:
        said.append(f"back {clock(alert.at)}")
    elif kind is EventKind.NEW:
        said = said or [f"found {clock(alert.at)}"]
    elif kind in _QUIET:
        said = silence.said_when(alert, clock)
    elif kind in QUOTED_KINDS:
        said.append(f"noticed {clock(alert.at)}")
    else:
        said.append(f"since {clock(alert.at)}")
    line = " · ".join(said)
    return clock.finish(line[:1].upper() + line[1:])


def stamp(moment: datetime, tz: tzinfo) -> str:
    """A time in full, with its zone: "2025-06-01 14:02 UTC"."""
    local = _aware(moment).astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M ") + _zone_name(local)


class _Clock:
    """Formats the times of one line: the date only when it changes, the zone once at the end
    (after each time instead, if they differ, as across a change to summer time)."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.times: list[datetime] = []

    def __call__(self, moment: datetime) -> str:
        """A placeholder for `moment`, filled in by `finish` once every time is known."""
        self.times.append(_aware(moment).astimezone(self.tz))
        return f"\0{len(self.times) - 1}\0"

    def finish(self, line: str) -> str:
        zones = {_zone_name(local) for local in self.times}
        shown, date = [], ""
        for local in self.times:
            day = local.strftime("%Y-%m-%d")
            text = local.strftime("%H:%M") if day == date else f"{day} {local:%H:%M}"
            shown.append(text if len(zones) == 1 else f"{text} {_zone_name(local)}")
            date = day
        for index, text in enumerate(shown):
            line = line.replace(f"\0{index}\0", text)
        return line + (f" {zones.pop()}" if len(zones) == 1 else "")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _zone_name(local: datetime) -> str:
    return local.tzname() or local.strftime("%z")
