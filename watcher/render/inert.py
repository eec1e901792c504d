"""Hostile characters out of an alert before any format escapes it.

Post text, authors, links and reasons come from strangers; the characters in them that act
instead of showing (`watcher.controls`) are spelled out in text and percent-encoded in links, in
every format, before the format's own escaping.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from watcher.controls import visible, visible_url

if TYPE_CHECKING:
    from watcher.render import Alert

__all__ = ["inert", "visible", "visible_url"]


def inert(alert: Alert) -> Alert:
    """`alert` with every piece of untrusted text made inert: what a channel shows is text."""
    diff = alert.diff
    if diff is not None:
        diff = tuple((op, visible(text)) for op, text in diff)
    return replace(
        alert,
        platform=visible(alert.platform),
        author=visible(alert.author),
        title=visible(alert.title),
        link=visible_url(alert.link),
        old_text=visible(alert.old_text),
        new_text=visible(alert.new_text),
        detail=visible(alert.detail),
        diff=diff,
    )
