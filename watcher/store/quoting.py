"""The post a revision quotes (`watcher.model.Quoted`) as the JSON object `revision.quoted`
holds, and back. Only `watcher.store` imports this module."""

from __future__ import annotations

from typing import Any

from watcher.model import Quoted, QuotedPresence


def quoted_values(quoted: Quoted | None) -> dict[str, Any] | None:
    if quoted is None:
        return None
    return {
        "id": quoted.id,
        "url": quoted.url,
        "author": quoted.author,
        "presence": quoted.presence.value,
        "text": quoted.text,
        "media": list(quoted.media),
        "notice": quoted.notice,
    }


def quoted_record(value: Any) -> Quoted | None:
    """The stored quote; None for none (or a revision stored before schema 6). A presence
    this version does not know reads as an unknown notice: the words are kept either way."""
    if not isinstance(value, dict):
        return None
    return Quoted(
        id=str(value.get("id") or ""),
        url=str(value.get("url") or ""),
        author=str(value.get("author") or ""),
        presence=quoted_presence(value.get("presence")) or QuotedPresence.UNKNOWN,
        text=str(value.get("text") or ""),
        media=tuple(str(m) for m in value.get("media") or ()),
        notice=str(value.get("notice") or ""),
    )


def quoted_presence(value: object) -> QuotedPresence | None:
    """A stored presence; None for none (NULL) and for one this version does not know."""
    try:
        return QuotedPresence(value) if isinstance(value, str) and value else None
    except ValueError:
        return None
