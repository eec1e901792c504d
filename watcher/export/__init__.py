"""`watcher export`: one watch's evidence — every version, every event, every raw answer kept —
as a WARC file, a printable HTML sheet or JSON. `gather` reads the store once; the writers
(`warc`, `sheet`, `data`) are pure functions of the `Evidence` it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from watcher.evidence import Capture
from watcher.model import Revision, StoredEvent, Watch
from watcher.store import Store

FORMATS = ("html", "json", "warc")
SUFFIX = {"html": "html", "json": "json", "warc": "warc.gz"}


@dataclass(frozen=True, slots=True)
class Kept:
    """A capture as stored: the revision that was newest once its check was written."""

    revision: int | None
    capture: Capture


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an export shows of one watch, oldest first."""

    watch: Watch
    revisions: tuple[Revision, ...]
    events: tuple[StoredEvent, ...]
    captures: tuple[Kept, ...]
    made_at: datetime


def gather(store: Store, watch: Watch, now: datetime) -> Evidence:
    return Evidence(
        watch=watch,
        revisions=tuple(reversed(store.revisions(watch.id))),
        events=tuple(reversed(store.events(watch.id))),
        captures=tuple(Kept(number, capture) for number, capture in store.captures(watch.id)),
        made_at=now,
    )


def render(evidence: Evidence, fmt: str) -> bytes:
    """`evidence` in `fmt` (one of `FORMATS`), as the bytes of a file."""
    return _writer(fmt)(evidence)


def _writer(fmt: str) -> Callable[[Evidence], bytes]:
    # Imported when asked for: warcio is only needed by a WARC export.
    if fmt == "warc":
        from watcher.export.warc import warc

        return warc
    if fmt == "html":
        from watcher.export.sheet import sheet

        return sheet
    from watcher.export.data import as_json

    return as_json
