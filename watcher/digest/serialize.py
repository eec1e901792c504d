"""A `Digest` as JSON (`watcher digest --json`): plain values, times in the period's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from watcher.digest.values import Deletion, Digest, Edit, TopPost
from watcher.render.digest import sparkline
from watcher.stats import Silence


def digest_json(d: Digest) -> dict[str, Any]:
    """The digest as one JSON-safe object (see the README's `watcher digest --json`)."""
    zone, account = d.period.zone, d.account
    posts = [day.posts for day in d.per_day]
    gained = [day.interactions for day in d.per_day]
    return {
        "account": {
            "watch_id": account.watch_id,
            "url": account.url,
            "platform": account.platform,
            "author": account.author,
        },
        "period": {
            "start": _at(d.period.start, zone),
            "end": _at(d.period.end, zone),
            "tz": d.period.tz,
        },
        "posts": d.posts,
        "previous_posts": d.previous_posts,
        "interactions": d.interactions,
        "per_day": [
            {"date": day.date.isoformat(), "posts": day.posts, "interactions": day.interactions}
            for day in d.per_day
        ],
        "sparklines": {"posts": sparkline(posts), "interactions": sparkline(gained)},
        "top": [_top(post, zone) for post in d.top],
        "photo": {"url": d.photo.url, "post_url": d.photo.post_url} if d.photo else None,
        "edits": [_edit(edit, zone) for edit in d.edits],
        "deletions": [_deletion(gone, zone) for gone in d.deletions],
        "restorations": [
            {"url": r.url, "at": _at(r.at, zone), "text": r.text} for r in d.restorations
        ],
        "silences": [_spell(s, zone) for s in d.silences],
        "longest_gap": _spell(d.longest_gap, zone) if d.longest_gap else None,
    }


def _top(post: TopPost, zone: tzinfo) -> dict[str, Any]:
    c = post.counters
    return {
        "url": post.url,
        "created_at": _at(post.created_at, zone),
        "text": post.text,
        "metrics": {"likes": c.likes, "reposts": c.reposts, "replies": c.replies},
        "engagement": c.engagement,
    }


def _edit(edit: Edit, zone: tzinfo) -> dict[str, Any]:
    """An edit: the passages removed and added, in order."""
    at = _at(edit.at, zone)
    return {"url": edit.url, "at": at, "removed": list(edit.removed), "added": list(edit.added)}


def _deletion(gone: Deletion, zone: tzinfo) -> dict[str, Any]:
    by = "platform" if gone.by_platform else "author"
    return {"url": gone.url, "at": _at(gone.at, zone), "text": gone.text, "by": by}


def _spell(s: Silence, zone: tzinfo) -> dict[str, Any]:
    """A silence or gap; `end` None: still running at the period's end."""
    end = _at(s.end, zone) if s.end else None
    return {"start": _at(s.start, zone), "end": end, "seconds": round(s.seconds)}


def _at(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat()
