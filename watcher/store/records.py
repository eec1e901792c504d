"""Mapping between table rows and the frozen records of `watcher.model`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from watcher.errors import StoreError
from watcher.model import (
    QUOTED_KINDS,
    Delivery,
    DeliveryState,
    EventKind,
    Filters,
    Post,
    Presence,
    Revision,
    Status,
    StoredEvent,
    Target,
    Watch,
    WatchState,
)
from watcher.store.quoting import quoted_presence, quoted_record, quoted_values

if TYPE_CHECKING:
    from sqlalchemy import Row

    from watcher.store import SyncEntry, WatchEdit

E = TypeVar("E", bound=StrEnum)
_KINDS = frozenset({"post", "account"})
# The origin of a watch only a one-off `watcher check` made: kept for what it saw, listed as
# unscheduled, until `add` schedules it (origin "cli") or `remove` stops it.
CHECK_ONLY = "check"
# Events that name the revision they replaced: an edit, and the quoted post's news (the earlier
# revision holds the quoted post's last text, the evidence).
_COMPARED = frozenset({EventKind.EDITED}) | QUOTED_KINDS


def _known(enum: type[E], row: Mapping[Any, Any], column: str, what: str) -> E:
    """The column's value as `enum`; a value this version does not know (a newer watcher
    wrote it, or a hand edit) is a StoreError naming the row and column, not a traceback."""
    try:
        return enum(row[column])
    except ValueError:
        raise _unknown(row, column, what) from None


def _unknown(row: Mapping[Any, Any], column: str, what: str) -> StoreError:
    value = repr(row[column])
    value = value if len(value) <= 40 else value[:37] + "..."
    return StoreError(
        f"{what}: column {column} holds {value}, which this watcher does not know "
        "(was the database written by a newer watcher?)"
    )


def watch_record(row: Mapping[Any, Any]) -> Watch:
    """A Watch from a row's mapping (ORM object's __dict__ or a Core row's _mapping)."""
    what = f"watch {row['id']}"
    state = WatchState(
        presence=_known(Presence, row, "presence", what),
        status=_known(Status, row, "status", what) if row["status"] else None,
        content_hash=row["content_hash"],
        gone_streak=row["gone_streak"],
        gone_since=row["gone_since"],
        fail_streak=row["fail_streak"],
        problem=_known(Status, row, "problem", what) if row["problem"] else None,
        quoted=quoted_presence(row["quoted_presence"]),
        quoted_hash=row["quoted_hash"],
    )
    if row["kind"] not in _KINDS:
        raise _unknown(row, "kind", what)
    return Watch(
        id=row["id"],
        target=Target(
            row["url"],
            row["platform"],
            row["selector"],
            row["field_path"],
            account=row["kind"] == "account",
        ),
        interval=row["interval"],
        enabled=row["enabled"],
        state=state,
        created_at=row["created_at"],
        next_check_at=row["next_check_at"],
        last_checked_at=row["last_checked_at"],
        last_error=row["last_error"],
        revisions=row["revisions"],
        metrics=dict(row["metrics"] or {}),
        channels=tuple(row["channels"] or ()),
        origin=row["origin"],
        parent_id=row["parent_id"],
        post_id=row["post_id"],
        posted_at=row["posted_at"],
        listing=tuple(row["listing"] or ()),
        pages=row["pages"],
        version=row["version"],
        name=row["name"],
        tags=tuple(row["tags"] or ()),
        paused=row["paused"],
        filters=Filters(row["ignore_pattern"], row["min_change"]),
        silence=_silence(row, what),
        silent_since=row["silent_since"],
    )


def _silence(row: Mapping[Any, Any], what: str) -> str:
    """The silence setting: "auto", "off" or a positive number of seconds."""
    value = row["silence"]
    if value in ("auto", "off"):
        return str(value)
    try:
        if float(value) > 0:
            return str(value)
    except (TypeError, ValueError):
        pass
    raise _unknown(row, "silence", what)


def state_values(state: WatchState) -> dict[str, object]:
    return {
        "presence": state.presence.value,
        "status": state.status.value if state.status else None,
        "content_hash": state.content_hash,
        "gone_streak": state.gone_streak,
        "gone_since": state.gone_since,
        "fail_streak": state.fail_streak,
        "problem": state.problem.value if state.problem else None,
        "quoted_presence": state.quoted.value if state.quoted else None,
        "quoted_hash": state.quoted_hash,
    }


def revision_values(
    watch_id: int, number: int, post: Post, digest: str, now: datetime
) -> dict[str, object]:
    return {
        "watch_id": watch_id,
        "number": number,
        "content_hash": digest,
        "observed_at": now,
        "post_id": post.id,
        "post_url": post.url,
        "author": post.author,
        "title": post.title,
        "text": post.text,
        "media": list(post.media),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "platform_edited": post.platform_edited,
        "metrics": dict(post.metrics),
        "media_urls": list(post.media_urls),
        "quoted": quoted_values(post.quoted),
    }


def revision_record(row: Mapping[Any, Any]) -> Revision:
    post = Post(
        id=row["post_id"],
        url=row["post_url"],
        text=row["text"],
        author=row["author"],
        created_at=row["created_at"],
        edited_at=row["edited_at"],
        title=row["title"],
        media=tuple(row["media"] or ()),
        metrics=dict(row["metrics"] or {}),
        platform_edited=row["platform_edited"],
        media_urls=tuple(row["media_urls"] or ()),  # () for a revision stored before schema 5
        quoted=quoted_record(row["quoted"]),  # None for a revision stored before schema 6
    )
    return Revision(row["watch_id"], row["number"], post, row["content_hash"], row["observed_at"])


def event_values(
    watch_id: int, kind: EventKind, at: datetime, detail: str, number: int, previous: int
) -> dict[str, object]:
    """An event about revision `number` (none yet: 0); an edit also names the one it
    replaced (`previous`, 0 when there was none)."""
    return {
        "watch_id": watch_id,
        "kind": kind.value,
        "at": at,
        "revision": number or None,
        "previous": (previous or None) if kind in _COMPARED else None,
        "detail": detail,
    }


def event_record(row: Mapping[Any, Any]) -> StoredEvent:
    return StoredEvent(
        id=row["id"],
        watch_id=row["watch_id"],
        kind=_known(EventKind, row, "kind", f"event {row['id']} of watch {row['watch_id']}"),
        at=row["at"],
        revision=row["revision"],
        previous=row["previous"],
        detail=row["detail"],
    )


def delivery_record(row: Mapping[Any, Any], event: StoredEvent, watch: Watch) -> Delivery:
    return Delivery(
        id=row["id"],
        channel=row["channel"],
        state=_known(DeliveryState, row, "state", f"delivery {row['id']}"),
        attempts=row["attempts"],
        parts_sent=row["parts_sent"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        event=event,
        watch=watch,
        last_error=row["last_error"],
        sent_at=row["sent_at"],
    )


def new_watch_values(
    target: Target,
    interval: float,
    now: datetime,
    enable: bool,
    channels: Sequence[str],
    pages: int = 1,
    filters: Filters | None = None,
) -> dict[str, Any]:
    return {
        "url": target.url,
        "platform": target.platform,
        "selector": target.selector,
        "field_path": target.field,
        "interval": interval,
        "enabled": enable,
        "created_at": now,
        "next_check_at": now,
        "last_error": "",
        "revisions": 0,
        "metrics": {},
        "presence": "unknown",
        "content_hash": "",
        "gone_streak": 0,
        "fail_streak": 0,
        "channels": list(channels),
        "origin": "cli" if enable else CHECK_ONLY,
        "kind": "account" if target.account else "post",
        "post_id": "",
        "listing": [],
        "pages": pages,
        "name": "",
        "tags": [],
        "paused": False,
    } | filter_values(filters or Filters())


def filter_values(filters: Filters) -> dict[str, Any]:
    return {"ignore_pattern": filters.ignore, "min_change": filters.min_change}


def config_changes(row: Row[Any], entry: SyncEntry, now: datetime) -> dict[str, Any]:
    """What the config file changes of an existing watch. One it starts scheduling (made by a
    one-off `check`, or disabled) is due now, as `add` makes it; a shorter interval brings the
    next check closer."""
    changes: dict[str, Any] = {}
    if row.interval != entry.interval:
        changes["interval"] = entry.interval
    if list(row.channels or ()) != list(entry.channels):
        changes["channels"] = list(entry.channels)
    if row.pages != entry.pages:
        changes["pages"] = entry.pages
    if (row.ignore_pattern, row.min_change) != (entry.filters.ignore, entry.filters.min_change):
        changes |= filter_values(entry.filters)
    if row.silence != entry.silence:
        changes["silence"] = entry.silence
    if not row.enabled and not row.paused:  # paused by hand: stays paused through syncs
        changes["enabled"] = True
    if row.origin != "config":
        changes["origin"] = "config"
    if "enabled" in changes or "interval" in changes:
        soon = now + timedelta(seconds=entry.interval)
        changes["next_check_at"] = now if "enabled" in changes else min(row.next_check_at, soon)
    return changes


def edit_values(edit: WatchEdit) -> dict[str, Any]:
    """The columns `edit` changes."""
    values: dict[str, Any] = {}
    if edit.target is not None:
        values |= {"selector": edit.target.selector, "field_path": edit.target.field}
    if edit.interval is not None:
        values["interval"] = edit.interval
    if edit.channels is not None:
        values["channels"] = list(edit.channels)
    if edit.name is not None:
        values["name"] = edit.name
    if edit.tags is not None:
        values["tags"] = list(edit.tags)
    if edit.filters is not None:
        values |= filter_values(edit.filters)
    if edit.silence is not None:
        values["silence"] = edit.silence
    return values


def scheduled_changes(row: Row[Any], interval: float, now: datetime) -> dict[str, Any]:
    """The changes that schedule an existing watch every `interval`: one not scheduled before
    is due now (as a new watch is); a scheduled one keeps its next check unless the new
    interval brings it closer. A check-only watch becomes the user's; a paused one resumes."""
    soon = now + timedelta(seconds=interval)
    changes = {
        "enabled": True,
        "paused": False,
        "interval": interval,
        "next_check_at": min(row.next_check_at, soon) if row.enabled else now,
    }
    return changes | ({"origin": "cli"} if row.origin == CHECK_ONLY else {})


def told_apart(row: Row[Any]) -> str:
    """A watch among others of the same URL: its id and what tells it apart, e.g. `3 (web,
    selector 'main')`."""
    parts = [row.platform]
    if row.selector:
        parts.append(f"selector {row.selector!r}")
    if row.field_path:
        parts.append(f"field {row.field_path!r}")
    return f"{row.id} ({', '.join(parts)})"


def delivery_values(event_id: int | None, channel: str, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "channel": channel,
        "state": DeliveryState.PENDING.value,
        "attempts": 0,
        "parts_sent": 0,
        "next_attempt_at": now,
        "created_at": now,
        "last_error": "",
    }
