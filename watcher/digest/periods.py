"""Pure: the periods a digest covers — a local week, a day, or what `--since`/`--until` say —
and the period just before one, counted in the account's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 366  # the longest period a digest covers: a row per day must stay readable
_TIME_ZONES = {"weibo": "Asia/Shanghai"}  # where an account's days begin, by platform
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    """What a digest covers: [start, end), aware datetimes, its days counted in zone `tz`."""

    start: datetime
    end: datetime
    tz: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def days(self) -> list[date]:
        """The local dates the period touches, in order."""
        first = self.start.astimezone(self.zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def default_tz(platform: str) -> str:
    """The zone an account's digest counts days in: Weibo's is Beijing time, others UTC."""
    return _TIME_ZONES.get(platform, "UTC")


def last_full_week(now: datetime, tz: str) -> Period:
    """The last whole week, Monday 00:00 to Monday 00:00 local, that ended by `now`."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return Period(_midnight(monday - timedelta(days=7), zone), _midnight(monday, zone), tz)


def last_full_day(now: datetime, tz: str) -> Period:
    """Yesterday, local midnight to midnight."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    return Period(_midnight(today - timedelta(days=1), zone), _midnight(today, zone), tz)


def iso_week(spec: str, tz: str) -> Period:
    """ISO week `spec` ("2025-W22"), Monday to Monday local; ValueError for another shape or a
    week the year does not have."""
    found = _WEEK.fullmatch(spec.strip())
    if found is None:
        raise ValueError(f"{spec!r} is not an ISO week such as 2025-W22")
    year, week = int(found[1]), int(found[2])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}") from None
    zone = ZoneInfo(tz)
    return Period(_midnight(monday, zone), _midnight(monday + timedelta(days=7), zone), tz)


def previous(period: Period) -> Period:
    """The period of the same length just before. Whole local days shift by days, so the week
    before a clock change is still Monday to Monday; anything else shifts by its duration."""
    zone = period.zone
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    if start.time() == end.time() == time(0):
        days = (end.date() - start.date()).days
        return Period(_midnight(start.date() - timedelta(days=days), zone), period.start, period.tz)
    return Period(period.start - (period.end - period.start), period.start, period.tz)


def span(since: str, until: str | None, tz: str, now: datetime) -> Period:
    """The period from `since` to `until` (None: now), each an ISO date or date and time; one
    without an offset is local to `tz`, and a date alone as `until` includes that day.
    ValueError for an unreadable time, an empty or reversed period, or one past MAX_DAYS."""
    zone = ZoneInfo(tz)
    start = _moment(since, zone, "--since", next_day=False)
    end = now if until is None else _moment(until, zone, "--until", next_day=True)
    if end <= start:
        raise ValueError("--until must come after --since")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValueError(f"a digest covers at most {MAX_DAYS} days")
    return Period(start, end, tz)


def iso_week_of(period: Period) -> str:
    """ "2025-W22" when the period is exactly that local ISO week, else ""."""
    start = period.start.astimezone(period.zone)
    year, week, weekday = start.isocalendar()
    if weekday != 1 or start.time() != time(0):
        return ""
    return f"{year}-W{week:02d}" if iso_week(f"{year}-W{week}", period.tz) == period else ""


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _moment(value: str, zone: ZoneInfo, option: str, next_day: bool) -> datetime:
    text = value.strip()
    try:
        if len(text) == len("2025-06-01"):  # a date alone: its local midnight
            day = date.fromisoformat(text)
            return _midnight(day + timedelta(days=1) if next_day else day, zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{option} {value!r}: give an ISO date or time such as 2025-06-01 or 2025-06-01T08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
