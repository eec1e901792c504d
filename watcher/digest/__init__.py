"""Pure: an account's digest of one period — how much it posted (per local day, against the
period before), its most engaging posts and image, what it edited, deleted or restored, and
when it went quiet — from what the store read about it (`App.digest` reads, this builds).

Days are the account's local days (`Period.tz`: Asia/Shanghai for Weibo, else UTC, unless
chosen), so a post at 01:00 in Beijing counts on the Beijing date. Engagement is likes +
reposts + replies (each platform's counters mapped in `COUNTERS`) as the last counter sample
before the period's end saw them; a day's interactions are the growth of that day's samples.

    periods.py    Period, last_full_week, iso_week, last_full_day, previous, span, default_tz
    values.py     DigestData (the input), Digest and its parts
    build.py      build_digest
    serialize.py  digest_json
"""

from __future__ import annotations

from watcher.digest.build import build_digest
from watcher.digest.periods import (
    MAX_DAYS,
    Period,
    default_tz,
    iso_week,
    iso_week_of,
    last_full_day,
    last_full_week,
    previous,
    span,
)
from watcher.digest.serialize import digest_json
from watcher.digest.values import (
    COUNTERS,
    Account,
    Counters,
    Day,
    Deletion,
    Digest,
    DigestData,
    Edit,
    Photo,
    Restoration,
    Sample,
    TopPost,
)
from watcher.stats import Silence

__all__ = [
    "COUNTERS",
    "MAX_DAYS",
    "Account",
    "Counters",
    "Day",
    "Deletion",
    "Digest",
    "DigestData",
    "Edit",
    "Period",
    "Photo",
    "Restoration",
    "Sample",
    "Silence",
    "TopPost",
    "build_digest",
    "default_tz",
    "digest_json",
    "iso_week",
    "iso_week_of",
    "last_full_day",
    "last_full_week",
    "previous",
    "span",
]
