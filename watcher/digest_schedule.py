"""When a scheduled digest is due, and which period it covers (pure).

Each `[[digests]]` entry is a cron trigger (APScheduler's `CronTrigger`, which knows daylight
saving) at its weekday and time in its zone. At a fire time the digest of the period that has
just ended is due: a weekly one the last full week, Monday to Sunday, before the fire time; a
daily one the day before. A digest is due from its latest fire time until the next one, so a
daemon that was down at 09:00 sends it when it is back; fire times before the digest was first
seen are not due (a digest added today does not send last week's at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from watcher.digest import Period, last_full_day, last_full_week
from watcher.settings import DigestSettings

# How far back the latest fire time can be: a week's trigger fires every 7 days (8 covers a
# daylight saving change), a day's every day.
_LOOK_BACK = {"week": timedelta(days=8), "day": timedelta(days=2)}


@dataclass(frozen=True, slots=True)
class Due:
    """A digest's due period, the fire time that made it due, and the next fire time (until
    which nothing more is due)."""

    fired: datetime
    period: Period
    next_fire: datetime


def due(spec: DigestSettings, tz: str, now: datetime, since: datetime) -> Due | None:
    """The period of `spec` due at `now` in zone `tz`; None when its latest fire time is
    before `since` (then nothing is due until `next_fire(spec, tz, now)`)."""
    trigger = _trigger(spec, tz)
    fired = _latest_fire(trigger, now - _LOOK_BACK[spec.every], now)
    if fired is None or fired < since:
        return None
    covers = last_full_week if spec.every == "week" else last_full_day
    return Due(fired, covers(fired, tz), next_fire(spec, tz, now))


def next_fire(spec: DigestSettings, tz: str, now: datetime) -> datetime:
    """The first fire time after `now`."""
    fire: datetime | None
    fire = _trigger(spec, tz).get_next_fire_time(None, now + timedelta(microseconds=1))
    assert fire is not None  # a weekly or daily cron trigger always fires again
    return fire


def _trigger(spec: DigestSettings, tz: str) -> CronTrigger:
    weekday = spec.weekday if spec.every == "week" else "*"
    return CronTrigger(
        day_of_week=weekday, hour=spec.hour, minute=spec.minute, timezone=ZoneInfo(tz)
    )


def _latest_fire(trigger: CronTrigger, start: datetime, now: datetime) -> datetime | None:
    """The last fire time in [start, now]."""
    latest = None
    fire: datetime | None = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest
