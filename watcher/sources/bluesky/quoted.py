"""The post a Bluesky post quotes, as the view hydrates it (`app.bsky.embed.record#view`, also
inside `recordWithMedia#view`): its current text while it can be shown, else the view that
stands in its place. Each such view is a presence, never content:

| the view | the quoted post is |
| --- | --- |
| `app.bsky.embed.record#viewRecord` | visible |
| `app.bsky.embed.record#viewNotFound` | deleted (Bluesky does not say by whom) |
| `app.bsky.embed.record#viewBlocked` | hidden: a block between the two authors |
| `app.bsky.embed.record#viewDetached` | detached: its author removed it from this quote |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.model import Quoted, QuotedPresence
from watcher.sources.bluesky.refs import AT_URI

_VIEW = "app.bsky.embed.record#"
_GONE = {
    _VIEW + "viewNotFound": QuotedPresence.DELETED,
    _VIEW + "viewBlocked": QuotedPresence.HIDDEN,
    _VIEW + "viewDetached": QuotedPresence.DETACHED,
}


def quoted_view(embed: object) -> Quoted | None:
    """The quoted post of a postView's `embed`; None when it quotes no post (a feed, a list)."""
    if not isinstance(embed, dict):
        return None
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        embed = embed.get("record")
        kind = _VIEW + "view" if isinstance(embed, dict) else ""
    view = embed.get("record") if kind == _VIEW + "view" and isinstance(embed, dict) else None
    if not isinstance(view, dict):
        return None
    uri, shown = str(view.get("uri") or ""), str(view.get("$type") or "")
    if "app.bsky.feed.post" not in uri:
        return None
    if shown == _VIEW + "viewRecord":
        return _visible(view, uri)
    presence = _GONE.get(shown, QuotedPresence.UNKNOWN)  # an unknown view: kept as named
    return Quoted(uri, _web_url(uri, ""), presence=presence, notice=shown)


def _visible(view: Mapping[str, Any], uri: str) -> Quoted:
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    handle = str((author or {}).get("handle") or "")
    value = view.get("value") if isinstance(view.get("value"), dict) else {}
    text = str((value or {}).get("text") or "")
    return Quoted(uri, _web_url(uri, handle), handle, text=text)  # the renderer adds the "@"


def _web_url(uri: str, handle: str) -> str:
    match = AT_URI.fullmatch(uri)
    if match is None:
        return ""
    return f"https://bsky.app/profile/{handle or match.group(1)}/post/{match.group(2)}"
