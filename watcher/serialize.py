"""Records → JSON-ready dicts, for `--json` output. The shapes are a contract: see README."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watcher.model import Delivery, Post, Quoted, Revision, Status, StoredEvent, Watch

if TYPE_CHECKING:
    from watcher.app import CheckResult


def result_json(result: CheckResult, kept: bool = True) -> dict[str, Any]:
    """A check's result; `kept` False: the check saw nothing and left no watch (null id)."""
    gone = result.status in (Status.DELETED, Status.REMOVED)
    post = result.post or (result.previous if gone else None)
    return {
        "watch_id": result.watch.id if kept else None,
        "url": result.watch.target.url,
        "platform": result.watch.target.platform,
        "status": result.status.value,
        "revision": result.revision or None,
        "post": post_json(post) if post else None,
        "diff": [[op, text] for op, text in result.diff] if result.diff is not None else None,
        "reason": result.reason or None,
        "events": [{"kind": e.kind.value, "detail": e.detail or None} for e in result.events],
    } | (_account_json(result) if result.watch.target.account else {})


def _account_json(result: CheckResult) -> dict[str, Any]:
    return {
        "listed": result.listed,
        "new": [watch_json(w) for w in result.discovered],
        "suspects": [result_json(r) for r in result.suspects],
    }


def post_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "url": post.url,
        "author": post.author or None,
        "created_at": post.created_at.isoformat() if post.created_at else None,
        "edited_at": post.edited_at.isoformat() if post.edited_at else None,
        "title": post.title or None,
        "text": post.text,
        "media": list(post.media),
        "media_urls": list(post.media_urls),  # where the media can be seen; not content
        "metrics": dict(post.metrics),
        "quoted": quoted_json(post.quoted) if post.quoted else None,
    }


def quoted_json(quoted: Quoted) -> dict[str, Any]:
    """The post a post quotes: its text while visible, else the platform's notice."""
    return {
        "id": quoted.id or None,
        "url": quoted.url or None,
        "author": quoted.author or None,
        "presence": quoted.presence.value,
        "text": quoted.text if quoted.visible else None,
        "notice": quoted.notice or None,
    }


def watch_json(w: Watch) -> dict[str, Any]:
    return {
        "id": w.id,
        "url": w.target.url,
        "platform": w.target.platform,
        "selector": w.target.selector or None,
        "field": w.target.field or None,
        "interval": w.interval,
        "enabled": w.enabled,
        "status": w.state.status.value if w.state.status else None,
        "presence": w.state.presence.value,
        "last_checked_at": w.last_checked_at.isoformat() if w.last_checked_at else None,
        "next_check_at": w.next_check_at.isoformat(),
        "last_error": w.last_error or None,
        "revisions": w.revisions,
        "metrics": dict(w.metrics),
        "kind": "account" if w.target.account else "post",
        "account_id": w.parent_id,
        "posted_at": w.posted_at.isoformat() if w.posted_at else None,
        "name": w.name or None,
        "tags": list(w.tags),
        "paused": w.paused,
        "channels": list(w.channels),  # empty: every channel
        "ignore": w.filters.ignore or None,
        "min_change": w.filters.min_change,
    } | (_silence_json(w) if w.target.account else {"silence": None, "silent_since": None})


def _silence_json(w: Watch) -> dict[str, Any]:
    """An account's silence setting ("auto", "off" or the threshold in seconds) and, while a
    silence is announced, the time of the last post before it."""
    silence: str | float = w.silence if w.silence in ("auto", "off") else float(w.silence)
    since = w.silent_since.isoformat() if w.silent_since else None
    return {"silence": silence, "silent_since": since}


def revision_json(r: Revision) -> dict[str, Any]:
    return {
        "number": r.number,
        "observed_at": r.observed_at.isoformat(),
        "hash": r.content_hash,
        "post": post_json(r.post),
    }


def event_json(e: StoredEvent) -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "at": e.at.isoformat(),
        "revision": e.revision,
        "previous": e.previous,
        "detail": e.detail or None,
    }


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "channel": d.channel,
        "state": d.state.value,
        "event": event_json(d.event),
        "watch_id": d.watch.id,
        "url": d.watch.target.url,
        "attempts": d.attempts,
        "parts_sent": d.parts_sent,
        "next_attempt_at": d.next_attempt_at.isoformat(),
        "last_error": d.last_error or None,
    }
