"""What one check decided, as values: the pure half of "decide, then apply".

The app decides (detect, route, schedule: pure functions of the watch as read and the
observation) and hands the store a `CheckPlan`; the store writes it in one conditional
transaction, only while the watch is still at `plan.watch.version`. A plan the store refuses
is stale: the app decides again from the fresh watch, or drops it. The store never imports the
pipeline: everything it writes is here, decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from watcher.evidence import Capture
from watcher.model import EventKind, Post, Target, Watch, WatchState


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """An event with the channels it alerts (one outbox row each; none: recorded only)."""

    kind: EventKind
    at: datetime
    detail: str = ""
    channels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a watch's history: a version to store as the next revision (or None: the
    step stores no text, e.g. a deletion) and the events about it. Events refer to the newest
    revision once this step's is written."""

    at: datetime
    post: Post | None = None  # stored as a revision when given
    content_hash: str = ""
    events: tuple[PlannedEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class NewWatch:
    """A post an account's timeline listed for the first time: its watch, created with its
    first check already decided (revision 1 and its `new` event). A post already watched on
    its own is adopted by the account instead (no second watch, nothing announced)."""

    target: Target
    post: Post
    content_hash: str
    state: WatchState
    next_check_at: datetime
    enabled: bool  # False: too old to follow, recorded so that it is known
    events: tuple[PlannedEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """Everything one check writes. `watch` is the watch as the decision read it: its
    `version` is the apply condition."""

    watch: Watch
    state: WatchState
    checked_at: datetime
    next_check_at: datetime
    enabled: bool
    last_error: str = ""
    metrics: Mapping[str, int] | None = None  # the post's counters when they changed (a sample)
    steps: tuple[Step, ...] = ()
    listing: tuple[str, ...] | None = None  # accounts: the post ids listed, newest first
    discovered: tuple[NewWatch, ...] = ()
    # accounts: the last post before an announced silence, after this check (watcher.silence)
    silent_since: datetime | None = None
    # the platform's raw answers kept as evidence of this check (watcher.evidence)
    captures: tuple[Capture, ...] = ()

    @property
    def quiet(self) -> bool:
        """Nothing but the watch's own state changes: no revision, event, sample, listing or
        new watch. Such plans are the hot path and may be written in batches."""
        return not (
            self.steps
            or self.metrics is not None
            or self.discovered
            or self.captures
            or (self.listing is not None and self.listing != self.watch.listing)
            or self.silent_since != self.watch.silent_since
        )

    @property
    def revisions(self) -> int:
        """The watch's revision count once applied."""
        return self.watch.revisions + sum(step.post is not None for step in self.steps)
