"""Decide: the pure half of a check. From the watch as read and what was observed, make the
`CheckPlan` the store applies: the new state, revisions and events (each routed to its
channels), the next check, and the post watches an account listing starts.

No I/O, no clock, no globals: the time and a random source (for jitter) are passed in, so
every rule is a plain function of its inputs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from watcher.detect import Outcome, detect
from watcher.history import Step as HistoryStep
from watcher.model import (
    EventKind,
    Observation,
    Post,
    Presence,
    RateLimited,
    Seen,
    Status,
    Target,
    TimelineObservation,
    Watch,
    WatchState,
)
from watcher.plan import CheckPlan, NewWatch, PlannedEvent, Step
from watcher.schedule import CONFIRM_SPACING, follow_interval, next_check
from watcher.settings import Settings
from watcher.silence import Posting
from watcher.silence import decide as decide_silence


@dataclass(frozen=True, slots=True)
class Rules:
    """The settings every decision reads, and the random source its jitter draws from."""

    settings: Settings
    rng: random.Random

    def channels(self, names: Sequence[str], kind: EventKind, discovered: bool) -> tuple[str, ...]:
        """The channels an event goes to: the watch's channels (all when it names none) that
        want this kind. A post's first snapshot is not news: `new` is alerted only for posts
        an account watch discovered."""
        if kind is EventKind.NEW and not discovered:
            return ()
        names = names or tuple(c.name for c in self.settings.channels)
        wanted = (self.settings.channel(name) for name in names)
        return tuple(c.name for c in wanted if c is not None and c.wants(kind.value))

    def route(self, watch: Watch, kind: EventKind) -> tuple[str, ...]:
        return self.channels(watch.channels, kind, watch.discovered)

    def events(self, watch: Watch, outcome: Outcome) -> tuple[PlannedEvent, ...]:
        return tuple(
            PlannedEvent(e.kind, e.at, e.detail, self.route(watch, e.kind)) for e in outcome.events
        )

    # -- when to look again -----------------------------------------------------------------

    def schedule(
        self,
        watch: Watch,
        obs: Observation | TimelineObservation,
        outcome: Outcome,
        now: datetime,
    ) -> tuple[datetime, bool]:
        """The next check, and whether the watch stays scheduled. A post an account
        discovered is followed by age, and dropped once past the follow window (unless a gone
        signal still waits for its confirmation)."""
        retry_after = obs.retry_after if isinstance(obs, RateLimited) else None
        if not watch.discovered:
            daemon = self.settings.daemon
            at = next_check(watch.interval, outcome, now, daemon, retry_after, self.rng)
            return at, watch.enabled
        since = watch.posted_at or watch.created_at
        next_at, following = self.follow(since, outcome, now, retry_after)
        if outcome.status is Status.UNCONFIRMED:
            return next_at, True  # a gone signal is confirmed or refuted, even past the window
        return (next_at, watch.enabled) if following else (now, False)

    def follow(
        self, since: datetime, outcome: Outcome, now: datetime, retry_after: float | None = None
    ) -> tuple[datetime, bool]:
        """When to check a followed post published at `since` next, and whether it is still
        inside the follow window (past it, the next check only confirms a gone signal)."""
        interval = follow_interval((now - since).total_seconds(), self.settings.accounts)
        seconds = interval or CONFIRM_SPACING
        daemon = self.settings.daemon
        return next_check(
            seconds, outcome, now, daemon, retry_after, self.rng
        ), interval is not None


def plan_post(
    rules: Rules,
    watch: Watch,
    obs: Observation,
    outcome: Outcome,
    now: datetime,
    missed: Sequence[HistoryStep] = (),
) -> CheckPlan:
    """The plan of one post check: the versions the platform's edit history adds (`missed`,
    each a revision and edit of its own at the platform's time), then this check's."""
    post = obs.post if isinstance(obs, Seen) else None
    steps = [
        Step(m.at, m.post, m.outcome.state.content_hash, rules.events(watch, m.outcome))
        for m in missed
    ]
    steps += _step(rules, watch, outcome, post, now)
    next_at, enabled = rules.schedule(watch, obs, outcome, now)
    return CheckPlan(
        watch=watch,
        state=outcome.state,
        checked_at=now,
        next_check_at=next_at,
        enabled=enabled,
        last_error=outcome.reason if post is None else "",
        metrics=_sample(watch, post),
        steps=tuple(steps),
        silent_since=watch.silent_since,
    )


def plan_account(
    rules: Rules,
    watch: Watch,
    seen: Observation,
    outcome: Outcome,
    now: datetime,
    listing: tuple[str, ...],
    discovered: Sequence[NewWatch] = (),
    posts: Sequence[Posting] = (),
) -> CheckPlan:
    """The plan of one account check: its own presence (`seen`: its handle as a post, or why
    its timeline could not be listed) decided as a post's, plus the listing to compare the
    next one with, a watch per post it starts following, and whether the account went silent
    or came back (`posts`: when each of its known posts was published; only a listing that
    was seen counts, see `watcher.silence`)."""
    plan = plan_post(rules, watch, seen, outcome, now)
    plan = replace(plan, listing=listing, discovered=tuple(discovered))
    if not isinstance(seen, Seen):
        return plan  # failing, blocked, hidden, gone: not silent, and not back either
    verdict = decide_silence(watch.silence, watch.silent_since, posts, now)
    if not verdict.events:
        return replace(plan, silent_since=verdict.silent_since)
    # A silence already running at the first listing is recorded, not alerted (a baseline).
    baseline = watch.state.presence is Presence.UNKNOWN
    events = tuple(
        PlannedEvent(e.kind, e.at, e.detail, () if baseline else rules.route(watch, e.kind))
        for e in verdict.events
    )
    step = Step(now, None, outcome.state.content_hash, events)
    return replace(plan, steps=(*plan.steps, step), silent_since=verdict.silent_since)


def new_watch(
    rules: Rules, account: Watch, target: Target, post: Post, now: datetime, announce: bool
) -> NewWatch:
    """A listed post's first check, as if it had been fetched directly (timeline posts equal
    direct fetches, which the adapters' tests show). Unannounced posts (the first listing's,
    or posts that only moved up into the page) record their `new` event for nobody."""
    confirm = rules.settings.detect.confirm_deletions
    outcome = detect(WatchState(), Seen(post), now, confirm)
    next_at, following = rules.follow(post.created_at or now, outcome, now)
    events = tuple(
        PlannedEvent(
            e.kind,
            e.at,
            e.detail,
            rules.channels(account.channels, e.kind, True) if announce else (),
        )
        for e in outcome.events
    )
    # A check-only account (`watcher check`) records its posts without following them.
    enabled = account.enabled and following
    return NewWatch(
        target, post, outcome.state.content_hash, outcome.state, next_at, enabled, events
    )


def _step(
    rules: Rules, watch: Watch, outcome: Outcome, post: Post | None, now: datetime
) -> list[Step]:
    stored = post if outcome.store_revision else None
    if stored is None and not outcome.events:
        return []
    return [Step(now, stored, outcome.state.content_hash, rules.events(watch, outcome))]


def _sample(watch: Watch, post: Post | None) -> dict[str, int] | None:
    """The post's counters when they differ from the last sample (a new metric row)."""
    if post is None or not post.metrics or dict(post.metrics) == dict(watch.metrics):
        return None
    return dict(post.metrics)
