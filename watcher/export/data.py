"""Evidence as JSON, for scripts: the sheet's data, bodies in base64 (pure)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from itertools import pairwise
from typing import Any

from watcher.differ import diff_texts
from watcher.export import Evidence, Kept
from watcher.model import Revision, StoredEvent


def as_json(evidence: Evidence) -> bytes:
    return json.dumps(evidence_dict(evidence), ensure_ascii=False, indent=2).encode() + b"\n"


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    watch = evidence.watch
    revisions = evidence.revisions
    return {
        "watch": {"id": watch.id, "url": watch.target.url, "platform": watch.target.platform},
        "exported_at": _time(evidence.made_at),
        "revisions": [_revision(r) for r in revisions],
        "diffs": [
            {"from": a.number, "to": b.number, "ops": diff_texts(a.post.document, b.post.document)}
            for a, b in pairwise(revisions)
        ],
        "events": [_event(e) for e in evidence.events],
        "captures": [_capture(k) for k in evidence.captures],
    }


def _revision(revision: Revision) -> dict[str, Any]:
    post = revision.post
    return {
        "number": revision.number,
        "observed_at": _time(revision.observed_at),
        "content_hash": revision.content_hash,
        "url": post.url,
        "author": post.author,
        "title": post.title,
        "text": post.text,
        "created_at": _time(post.created_at),
        "edited_at": _time(post.edited_at),
    }


def _event(event: StoredEvent) -> dict[str, Any]:
    return {
        "kind": str(event.kind),
        "at": _time(event.at),
        "revision": event.revision,
        "previous": event.previous,
        "detail": event.detail,
    }


def _capture(kept: Kept) -> dict[str, Any]:
    c = kept.capture
    return {
        "revision": kept.revision,
        "at": _time(c.at),
        "method": c.method,
        "url": c.url,
        "final_url": c.final_url,
        "status": c.status,
        "request_headers": dict(c.request_headers),
        "headers": dict(c.headers),
        "sha256": c.sha256,
        "size": c.size,
        "truncated": c.truncated,
        "body_base64": base64.b64encode(c.body).decode("ascii"),
    }


def _time(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
