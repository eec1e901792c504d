"""Pure: the rhythm of an account from when its posts were published — the gaps between them,
the median gap, how many posts a day — and the silence threshold in force.

An account watch's `silence` setting is "auto" (the default), a duration, or "off":

- a duration ("30h", "3d") is the threshold as given; "off" never announces a silence;
- "auto" derives it from the account's own gaps between consecutive posts published in the
  last 30 days: **twice the 90th percentile of those gaps, never below 24 hours**. An account
  posting every few hours is silent after a day; one posting about daily, after two or three
  days; one posting weekly, after about two weeks. A slow account with fewer than 3 gaps in
  those 30 days is judged by its last 10 gaps instead, however old; with fewer than 3 gaps
  known at all, the threshold is 3 days.

The posts listed when the account was first read (with `--pages`, more of them) are known posts
like any other, so an account has a rhythm and a threshold from its first check. The running
gap (since the last post) never counts towards its own threshold; a silence that ended is a gap
like any other, so an account that often pauses earns a longer threshold.

Settings are stored as text: "auto", "off", or the threshold in seconds ("108000").
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

AUTO, OFF = "auto", "off"
DAY = 86400.0
WINDOW = 30 * DAY  # the recent past the rhythm is read from
PERCENTILE = 90  # of the gaps in it ...
MARGIN = 2.0  # ... times this is the threshold ...
FLOOR = DAY  # ... never below this
MIN_GAPS = 3  # fewer gaps than this in the window: the last RECENT gaps count instead
RECENT = 10
FALLBACK = 3 * DAY  # fewer than MIN_GAPS gaps known at all


@dataclass(frozen=True, slots=True)
class Rhythm:
    """How an account posts, from the gaps a threshold is derived from (see `basis`)."""

    gaps: tuple[float, ...]  # seconds between consecutive posts, oldest first
    recent: bool  # True: the gaps of the last 30 days; False: the last 10 known (slow account)

    @property
    def median_gap(self) -> float | None:
        return statistics.median(self.gaps) if self.gaps else None

    @property
    def per_day(self) -> float | None:
        """Posts per day while it posts (the running gap is not part of it)."""
        total = sum(self.gaps)
        return len(self.gaps) * DAY / total if self.gaps and total > 0 else None


@dataclass(frozen=True, slots=True)
class Threshold:
    """The silence threshold in force and how it was found."""

    seconds: float | None  # None: off
    setting: str  # "auto", "off", or the seconds given
    rhythm: Rhythm | None = None  # auto: the gaps it was derived from
    percentile: float | None = None  # auto: their 90th percentile

    @property
    def rule(self) -> str:
        """How the threshold was found, in words (`watcher stats`)."""
        if self.setting == OFF:
            return "off: no silence is announced"
        if self.setting != AUTO:
            return "set for this account"
        if self.rhythm is None or self.percentile is None:
            return f"auto: fewer than {MIN_GAPS} gaps between posts known, so {span(FALLBACK)}"
        gaps = len(self.rhythm.gaps)
        if self.rhythm.recent:
            over = f"{gaps} gaps in the last 30 days"
        else:
            over = f"the last {gaps} gaps known (fewer than {MIN_GAPS} in the last 30 days)"
        twice = MARGIN * self.percentile
        if twice < FLOOR:
            percentile = f"twice the {PERCENTILE}th percentile of {over} is {span(twice)}"
            return f"auto: the {span(FLOOR)} floor; {percentile}"
        return f"auto: twice the {PERCENTILE}th percentile ({span(self.percentile)}) of {over}"


def gaps(times: Sequence[datetime]) -> list[float]:
    """Seconds between consecutive times, in time order."""
    ordered = sorted(times)
    return [(b - a).total_seconds() for a, b in pairwise(ordered)]


def basis(times: Sequence[datetime], now: datetime) -> Rhythm:
    """The gaps the rhythm is read from: those between posts of the last 30 days, or for a slow
    account (fewer than 3 of them) its last 10 gaps."""
    since = now - timedelta(seconds=WINDOW)
    recent = gaps([t for t in times if since <= t <= now])
    if len(recent) >= MIN_GAPS:
        return Rhythm(tuple(recent), recent=True)
    known = gaps([t for t in times if t <= now])
    return Rhythm(tuple(known[-RECENT:]), recent=False)


def threshold(times: Sequence[datetime], now: datetime, setting: str = AUTO) -> Threshold:
    """The threshold in force for an account whose posts were published at `times`."""
    if setting == OFF:
        return Threshold(None, setting)
    if setting != AUTO:
        return Threshold(float(setting), setting)
    rhythm = basis(times, now)
    if len(rhythm.gaps) < MIN_GAPS:
        return Threshold(FALLBACK, setting, rhythm)
    # "inclusive": the percentile interpolated between the gaps themselves (numpy's default)
    cut = statistics.quantiles(rhythm.gaps, n=100, method="inclusive")[PERCENTILE - 1]
    return Threshold(max(FLOOR, MARGIN * cut), setting, rhythm, cut)


def silence_threshold(
    times: Sequence[datetime], now: datetime, setting: str = AUTO
) -> float | None:
    """Seconds without a post after which the account is silent; None when off."""
    return threshold(times, now, setting).seconds


def setting_text(setting: str) -> str:
    """A setting as people write it: "auto", "off", "30h"."""
    return setting if setting in (AUTO, OFF) else span(float(setting))


def span(seconds: float) -> str:
    """A duration to the minute, compactly: "2d 5h 3m", "1d 2h", "45m", "0m"."""
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"
