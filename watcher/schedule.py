"""Pure scheduling policy: when to check a watch next, and when to retry a delivery.

Kept apart from the daemon so every rule is a plain function of its inputs (and a random
source for jitter), tested without clocks or threads.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from watcher.detect import Outcome
from watcher.model import Status
from watcher.settings import AccountSettings, DaemonSettings

JITTER = 0.1  # ±10% of the interval, so watches added together drift apart
CONFIRM_SPACING = 60.0  # seconds: a first gone signal is re-checked this soon (or sooner)


def next_check(
    interval: float,
    outcome: Outcome,
    now: datetime,
    daemon: DaemonSettings,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to check again after `outcome`.

    - a first gone signal: soon, to confirm or refute it (never later than the interval);
    - rate limited: not before the platform's Retry-After;
    - no answer (failed, blocked, broken, hidden): back off exponentially with the failure
      streak, up to `max_backoff`, but keep checking;
    - otherwise the interval, with jitter.
    """
    rng = rng or random.Random()
    if outcome.status is Status.UNCONFIRMED:
        return now + timedelta(seconds=min(interval, CONFIRM_SPACING))
    seconds = interval * rng.uniform(1 - JITTER, 1 + JITTER)
    streak = outcome.state.fail_streak
    if streak and outcome.status not in (Status.DELETED, Status.REMOVED):
        seconds = min(interval * 2.0 ** min(streak - 1, 16), max(interval, daemon.max_backoff))
    if outcome.status is Status.RATE_LIMITED and retry_after:
        seconds = max(seconds, retry_after)
    return now + timedelta(seconds=seconds)


def first_check(interval: float, now: datetime, rng: random.Random | None = None) -> datetime:
    """A new watch's first check, spread over the first minute (or interval) so that a config
    with a thousand new watches does not fire a thousand requests at once."""
    rng = rng or random.Random()
    return now + timedelta(seconds=rng.uniform(0, min(interval, 60.0)))


def retry_delay(attempts: int, daemon: DaemonSettings, rng: random.Random | None = None) -> float:
    """Seconds before retrying a delivery that has failed `attempts` times (1, 2, ...)."""
    rng = rng or random.Random()
    base = min(daemon.retry_base * 2.0 ** max(0, attempts - 1), daemon.retry_max)
    return base * rng.uniform(0.8, 1.0)


def follow_interval(age: float, follow: AccountSettings | None = None) -> float | None:
    """How often to re-check a post discovered by an account watch, by its age in seconds:
    every `young_interval` while young (edits and deletions cluster in the first hour), then
    backing off with age (5% of its age: ~3 min at one hour, ~72 min at a day, hours after),
    and None once it is older than `follow_for` (stop following)."""
    follow = follow or AccountSettings()
    if age >= follow.follow_for:
        return None
    if age < follow.young_for:
        return follow.young_interval
    return min(max(age * 0.05, follow.young_interval), follow.max_interval)
