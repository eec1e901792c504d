"""Pure detection: (watch state, observation) → (new state, status, events, store a revision?).

The rules (DESIGN.md "A deletion is a claim, so it needs proof"):
- the first visible observation is `new`; a different content hash is `edited` (A → B → A is
  two edits, because each step is compared with the last stored version);
- only an explicit gone signal counts towards deletion, and only `confirm` consecutive ones
  confirm it; observations without an answer (failed, blocked, ...) neither add to the streak
  nor reset it; seeing the post resets it;
- a confirmed-gone post that is visible again is `restored` (and `edited` too if it changed);
- blocked, broken and hidden raise one event when they start, not on every check;
- the post a post quotes changes on its own (`watcher.quotes`): its events come with the
  quoting post's check, which stores a revision for them but is not edited by them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from watcher.model import (
    QUOTED_KINDS,
    Blocked,
    Broken,
    Event,
    EventKind,
    Failed,
    Gone,
    Hidden,
    Observation,
    Post,
    Presence,
    RateLimited,
    Seen,
    Status,
    WatchState,
)
from watcher.normalize import content_hash
from watcher.quotes import known_hash, quoted_detail, quoted_event, quoted_hash

_UNOBSERVED_STATUS: dict[type, Status] = {
    Failed: Status.FAILED,
    Blocked: Status.BLOCKED,
    RateLimited: Status.RATE_LIMITED,
    Broken: Status.BROKEN,
    Hidden: Status.HIDDEN,
}
# Lasting conditions worth one alert when they begin; failures and rate limits are transient.
_PROBLEM_EVENTS = {
    Status.BLOCKED: EventKind.BLOCKED,
    Status.BROKEN: EventKind.BROKEN,
    Status.HIDDEN: EventKind.HIDDEN,
}
_CHANGES = frozenset(
    {EventKind.EDITED, EventKind.DELETED, EventKind.REMOVED, EventKind.RESTORED} | QUOTED_KINDS
)


@dataclass(frozen=True, slots=True)
class Outcome:
    state: WatchState
    status: Status
    events: tuple[Event, ...] = ()
    store_revision: bool = False  # the observed post is a new version to store
    reason: str = ""  # why the post could not be observed, or what the gone signal said

    @property
    def changed(self) -> bool:
        """Whether this check recorded a change (the CLI's exit code 1)."""
        return any(e.kind in _CHANGES for e in self.events)


def detect(state: WatchState, obs: Observation, now: datetime, confirm: int = 2) -> Outcome:
    """Apply one observation to a watch's state."""
    if isinstance(obs, Seen):
        return _seen(state, obs.post, now)
    if isinstance(obs, Gone):
        return _gone(state, obs, now, max(1, confirm))
    return _unobserved(state, _UNOBSERVED_STATUS[type(obs)], obs.reason, now)


def _seen(state: WatchState, post: Post, now: datetime) -> Outcome:
    digest = content_hash(post)
    known = known_hash(state, post, digest)
    events: list[Event] = []
    if state.presence is Presence.UNKNOWN or not state.content_hash:
        status, events = Status.NEW, [Event(EventKind.NEW, now)]
    elif state.presence is Presence.GONE:
        status = Status.RESTORED
        events.append(Event(EventKind.RESTORED, now, _gone_for(state.gone_since, now)))
        if digest != known:
            events.append(Event(EventKind.EDITED, now))
    elif digest != known:
        status, events = Status.EDITED, [Event(EventKind.EDITED, now)]
    else:
        status = Status.UNCHANGED
    quoted = quoted_event(state, post.quoted) if status is not Status.NEW else None
    if quoted is not None and post.quoted is not None:
        events.append(Event(quoted, now, quoted_detail(post.quoted)))
    new_state = WatchState(
        presence=Presence.VISIBLE,
        status=status,
        content_hash=digest,
        quoted=post.quoted.presence if post.quoted else None,
        quoted_hash=quoted_hash(post.quoted),
    )
    store = digest != state.content_hash or new_state.quoted_hash != state.quoted_hash
    return Outcome(new_state, status, tuple(events), store_revision=store)


def _gone(state: WatchState, obs: Gone, now: datetime, confirm: int) -> Outcome:
    final = Status.REMOVED if obs.removed else Status.DELETED
    if state.presence is Presence.GONE:  # still gone: nothing new to say
        return Outcome(replace(state, status=final, fail_streak=0, problem=None), final)
    if not state.content_hash:
        # Never seen: there is no stored version to call deleted. Say so, claim nothing.
        reason = f"{obs.reason}; the post was never seen, so nothing is stored to compare"
        return _unobserved(state, Status.FAILED, reason, now)
    streak = state.gone_streak + 1
    since = state.gone_since or now
    if streak < confirm:
        new_state = replace(
            state, status=Status.UNCONFIRMED, gone_streak=streak, gone_since=since, problem=None
        )
        return Outcome(new_state, Status.UNCONFIRMED, reason=obs.reason)
    kind = EventKind.REMOVED if obs.removed else EventKind.DELETED
    new_state = replace(
        state,
        presence=Presence.GONE,
        status=final,
        gone_streak=streak,
        gone_since=since,
        fail_streak=0,
        problem=None,
    )
    return Outcome(new_state, final, (Event(kind, now, obs.reason),), reason=obs.reason)


def _unobserved(state: WatchState, status: Status, reason: str, now: datetime) -> Outcome:
    events: tuple[Event, ...] = ()
    problem = state.problem
    kind = _PROBLEM_EVENTS.get(status)
    if kind is not None and state.problem is not status:
        events, problem = (Event(kind, now, reason),), status
    new_state = replace(state, status=status, fail_streak=state.fail_streak + 1, problem=problem)
    return Outcome(new_state, status, events, reason=reason)


def _gone_for(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    return f"gone for {format_duration((now - since).total_seconds())}"


def format_duration(seconds: float) -> str:
    """A short human duration: 45s, 12m, 3h 5m, 2d 4h."""
    seconds = int(max(0, seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{secs}s"
