"""What a non-success answer means, shared by every platform: status tables, the one reader of
rate-limit headers, and the one short error text taken from an error body.

A platform's refusal table (`Refusals`) maps HTTP statuses to observations; the few platforms
whose bodies say more (Weibo's error codes, Bluesky's error names) read the body first and fall
back to their table.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from watcher.model import Blocked, Failed, Gone, Observation, RateLimited
from watcher.sources.common.wire import Response

GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 407, 418, 432, 451})


@dataclass(frozen=True, slots=True)
class Refusals:
    """One platform's reading of HTTP statuses. `gone`: the post's gone signal (empty where a
    status alone proves nothing, e.g. an API that answers 404 for private posts too);
    `blocked`: a login wall or refusal. 429 is always a rate limit, any other status >= 400 a
    failure."""

    gone: frozenset[int] = GONE_STATUSES
    blocked: frozenset[int] = BLOCKED_STATUSES

    def read(self, resp: Response) -> Observation | None:
        """The observation for a non-success answer; None for a success (2xx/3xx)."""
        status = resp.status
        if status < 400:
            return None
        if status == 429:
            return RateLimited("HTTP 429 Too Many Requests", rate_limit_wait(resp.headers))
        if status in self.gone:
            return Gone(f"HTTP {status} from {resp.url}")
        if status in self.blocked:
            return Blocked(f"HTTP {status} from {resp.url}")
        return Failed(f"HTTP {status} from {resp.url}")


DEFAULT = Refusals()
UNPROVEN = Refusals(gone=frozenset())  # no status alone is a gone signal


def refusal(resp: Response) -> Observation | None:
    """The default table: 404/410 gone, 401/403/… blocked, 429 rate limited, else failed."""
    return DEFAULT.read(resp)


def unobserved(resp: Response) -> Observation | None:
    """A non-success answer that says nothing about the post; 404/410 are left to the caller."""
    if resp.status in GONE_STATUSES:
        return None
    return DEFAULT.read(resp)


def rate_limit_wait(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait before asking again, from whichever header the host sent: Retry-After
    (seconds or an HTTP date), else a reset time — RateLimit-Reset / X-RateLimit-Reset as
    seconds to wait, a unix time, or an ISO 8601 time (Mastodon). None when none says."""
    now = now or datetime.now(UTC)
    waited = retry_after(headers, now)
    if waited is not None:
        return waited
    for name in ("ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"):
        value = headers.get(name, "").strip()
        if value:
            return _reset_wait(value, now)
    return None


# Below this a reset value is a count of seconds to wait; above it, a unix time.
_UNIX_TIME_FLOOR = 1_000_000_000


def _reset_wait(value: str, now: datetime) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return _iso_wait(value, now)
    if number >= _UNIX_TIME_FLOOR:
        return max(0.0, number - now.timestamp())
    return max(0.0, number)


def _iso_wait(value: str, now: datetime) -> float | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_TAGS = re.compile(r"<[^>]*>")


def error_text(resp: Response, limit: int = 200) -> str:
    """A short, one-line reason from an error body: a JSON `error`/`message`/`error_description`
    field, else the body's words without markup (an HTML error page from a proxy)."""
    try:
        body = resp.json()
    except Exception:
        body = None
    if isinstance(body, Mapping):
        for key in ("error_description", "message", "msg", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return _one_line(value, limit)
    return _one_line(_TAGS.sub(" ", resp.text()[:4000]), limit) or "no message"


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]
