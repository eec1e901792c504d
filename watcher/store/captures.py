"""Evidence rows (`capture`, schema 7): writing a plan's captures, reading a watch's back.
Bodies are zlib-compressed here and nowhere else. `Store` inherits `CaptureQueries`."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, select

from watcher.evidence import Capture
from watcher.store.tables import CAPTURE

__all__ = ["CAPTURE", "CaptureQueries", "write_captures"]


def write_captures(
    conn: Connection, watch_id: int, revision: int, captures: Sequence[Capture]
) -> None:
    """A check's captures, in the caller's transaction."""
    if captures:
        conn.execute(CAPTURE.insert(), [_values(watch_id, revision, c) for c in captures])


def _values(watch_id: int, revision: int, capture: Capture) -> dict[str, Any]:
    return {
        "watch_id": watch_id,
        "revision": revision or None,
        "at": capture.at,
        "url": capture.url,
        "final_url": capture.final_url,
        "method": capture.method,
        "status": capture.status,
        "request_headers": dict(capture.request_headers),
        "headers": dict(capture.headers),
        "body": zlib.compress(capture.body, 6),
        "sha256": capture.sha256,
        "size": capture.size,
        "truncated": capture.truncated,
    }


def _record(row: Mapping[Any, Any]) -> tuple[int | None, Capture]:
    capture = Capture(
        at=row["at"],
        url=row["url"],
        final_url=row["final_url"],
        method=row["method"],
        status=row["status"],
        request_headers=dict(row["request_headers"] or {}),
        headers=dict(row["headers"] or {}),
        body=zlib.decompress(row["body"]),
        sha256=row["sha256"],
        size=row["size"],
        truncated=bool(row["truncated"]),
    )
    return row["revision"], capture


class CaptureQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def captures(self, watch_id: int) -> list[tuple[int | None, Capture]]:
        """Every capture of a watch, oldest first, each with the revision it stands beside."""
        query = (
            select(CAPTURE)
            .where(CAPTURE.c.watch_id == watch_id)
            .order_by(CAPTURE.c.at, CAPTURE.c.id)
        )
        with self._connection() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]
