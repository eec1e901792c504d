"""The line that says whose post an alert about a quoted post is about: the quoted post's
author, the watched post's author, what happened, and the quoted post's link (the watched
post's is in the header)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher.model import EventKind
from watcher.render.segments import Segment, Style

if TYPE_CHECKING:
    from watcher.render import Alert

_WHAT = {
    EventKind.QUOTED_EDITED: "was edited",
    EventKind.QUOTED_DELETED: "was deleted by its author",
    EventKind.QUOTED_REMOVED: "was removed by the platform",
    EventKind.QUOTED_HIDDEN: "is hidden",
    EventKind.QUOTED_RESTORED: "is visible again",
}


def quoted_line(alert: Alert) -> list[Segment]:
    """ "The post by @leijun that 雷军 reposted was deleted by its author:" and its link."""
    line = [Segment("The post ", own=True)]
    if alert.quoted_author:
        line += [Segment("by ", own=True), Segment("@" + alert.quoted_author), Segment(" ")]
    what = _WHAT.get(alert.kind, "changed")
    if alert.author:
        line += [Segment("that ", own=True), Segment(alert.author)]
        line.append(Segment(f" reposted {what}", own=True))
    else:
        line.append(Segment(f"quoted here {what}", own=True))
    if alert.quoted_link:
        return [
            *line,
            Segment(":\n", own=True),
            Segment(alert.quoted_link, Style.LINK),
            Segment("\n"),
        ]
    return [*line, Segment("\n", own=True)]
