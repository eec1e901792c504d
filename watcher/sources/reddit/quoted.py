"""What Reddit shows in place of a crossposted post it no longer shows: the crosspost's
`crosspost_parent_list[0]` keeps its place, its text replaced by a marker, never content.

| Reddit says, on the parent | the crossposted post is |
| --- | --- |
| `removed_by_category: "deleted"` or `"author"` | deleted by its author |
| `removed_by_category`, any other value (`moderator`, `reddit`, `anti_evil_ops`, …) | removed |
| `selftext: "[removed]"` | removed by moderators |
| `selftext: "[deleted]"` | deleted by its author |

`author: "[deleted]"` alone is an account its author deleted, with the post still shown: as for
a watched post (`things.gone_signal`), that is no deletion, so the parent stays visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.model import QuotedPresence

_BY_AUTHOR = frozenset({"deleted", "author"})
_MARKERS = {"[removed]": QuotedPresence.REMOVED, "[deleted]": QuotedPresence.DELETED}


def parent_notice(parent: Mapping[str, Any]) -> tuple[QuotedPresence, str] | None:
    """(presence, what Reddit said) when Reddit marks the crossposted post gone; None when it
    shows it. What it said is the marker, or `removed_by_category=<value>`."""
    category = parent.get("removed_by_category")
    if isinstance(category, str) and category:
        gone = QuotedPresence.DELETED if category in _BY_AUTHOR else QuotedPresence.REMOVED
        return gone, f"removed_by_category={category}"
    text = str(parent.get("selftext") or "")
    if text in _MARKERS:
        return _MARKERS[text], text
    return None
