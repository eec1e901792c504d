"""Each page's JSON twin (`/api/...`): the same values the HTML shows, as plain JSON (pure)."""

from __future__ import annotations

from typing import Any

from watcher.digest import digest_json
from watcher.serialize import delivery_json, event_json, revision_json, watch_json
from watcher.serve.data import AccountPage, ChangesPage, HealthPage, WatchPage
from watcher.serve.diffview import DiffView
from watcher.store.daemons import SeenDaemon


def changes_json(page: ChangesPage) -> dict[str, Any]:
    q = page.query
    return {
        "filters": {
            "account": q.account,
            "platform": q.platform or None,
            "kinds": [k.value for k in q.kinds],
            "since": q.since.isoformat() if q.since else None,
            "until": q.until.isoformat() if q.until else None,  # exclusive
            "q": q.text or None,
        },
        "total": page.total,
        "offset": q.offset,
        "limit": q.limit,
        "next_offset": page.next_offset,
        "changes": [
            event_json(c.event) | {"watch": watch_json(c.watch), "text": c.text or None}
            for c in page.changes
        ],
    }


def watch_page_json(page: WatchPage) -> dict[str, Any]:
    return {
        "watch": watch_json(page.watch),
        "account_id": page.account.id if page.account else None,
        "revisions": [revision_json(r) for r in page.revisions],
        "events": [event_json(e) for e in page.events],
        "samples": [{"at": at.isoformat(), "values": values} for at, values in page.samples],
        "diff": _diff_json(page) if page.diff else None,
    }


def _diff_json(page: WatchPage) -> dict[str, Any]:
    assert page.old and page.new and page.diff
    return {"old": page.old.number, "new": page.new.number, "pieces": _pieces(page.diff)}


def _pieces(diff: DiffView) -> list[dict[str, str]]:
    return [{"mark": p.mark, "text": p.text} for p in diff.inline]


def account_json(page: AccountPage) -> dict[str, Any]:
    return {
        "account": watch_json(page.account),
        "post_count": page.post_count,
        "posts": [watch_json(p) for p in page.posts],
        "activity": digest_json(page.activity)["per_day"],
        "silences": [event_json(e) for e in page.silences],
        "week": digest_json(page.week),
    }


def health_json(page: HealthPage) -> dict[str, Any]:
    s, d = page.summary, page.daemons
    return {
        "summary": {
            "watches": s.watches,
            "enabled": s.enabled,
            "failing": s.failing,
            "statuses": {(k.value if k else "unchecked"): n for k, n in s.statuses.items()},
            "pending": s.pending,
            "dead": s.dead,
        },
        "troubled": [watch_json(w) for w in page.troubled],
        "undelivered": [delivery_json(u) for u in page.undelivered],
        "daemons": {
            "here": list(d.here),
            "died": list(d.died),
            "elsewhere": list(d.elsewhere),
            "seen": [_seen_json(daemon) for daemon in page.seen],
        },
    }


def _seen_json(daemon: SeenDaemon) -> dict[str, Any]:
    stopped = daemon.stopped_at
    return {
        "host": daemon.host,
        "pid": daemon.pid,
        "version": daemon.version,
        "state": daemon.state.value,
        "started_at": daemon.started_at.isoformat(),
        "seen_at": daemon.seen_at.isoformat(),
        "stopped_at": stopped.isoformat() if stopped else None,
    }
