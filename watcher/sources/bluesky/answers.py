"""What Bluesky's answers other than 200 mean. XRPC errors are `{"error": Name, "message": ...}`
bodies whose name (and, for getAuthorFeed, message) says more than the status, so the body is
read first and the status decides the rest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from watcher.errors import BadBody
from watcher.model import (
    Blocked,
    Failed,
    Gone,
    Hidden,
    Observation,
    RateLimited,
    TimelineObservation,
)
from watcher.sources.common import BLOCKED_STATUSES, Response, error_text, retry_after

# XRPC error names that mean the post exists but a block stands between it and us.
BLOCK_ERRORS = frozenset({"BlockedActor", "BlockedByActor"})


def thread_refusal(resp: Response) -> Observation:
    """The observation for a getPostThread answer other than 200."""
    if resp.status == 429:
        return rate_limited(resp)
    name = error_name(resp)
    if resp.status == 400 and name == "NotFound":
        # Deleted by the author, or taken down: the AppView answers both the same way.
        return Gone(f"NotFound: {error_text(resp)}")
    if resp.status == 400 and name in BLOCK_ERRORS:
        return Hidden(f"{name}: {error_text(resp)}")
    # 404 from an XRPC server means "no such method" (a wrong base_url), never a missing post.
    return _unobserved(resp, name, error_text(resp))


def feed_refusal(resp: Response, actor: str) -> TimelineObservation:
    """The observation for a getAuthorFeed answer other than 200."""
    if resp.status == 429:
        return rate_limited(resp)
    name, message = error_name(resp), error_text(resp)
    # The name is the generic InvalidRequest (a bad cursor gets it too): the message decides.
    if resp.status == 400 and message.lower().startswith("profile not found"):
        if actor.startswith("did:"):
            return Gone(f"account {actor}: {message}")
        # A handle can move to another account or away: not finding it proves no deletion.
        return Hidden(
            f"account {actor}: {message} (deleted, or its handle changed: watch the did: URL)"
        )
    if resp.status == 400 and name in BLOCK_ERRORS:
        return Hidden(f"account {actor}: {name}: {message}")
    return _unobserved(resp, name, message)


def _unobserved(resp: Response, name: str, message: str) -> Blocked | Failed:
    detail = f"HTTP {resp.status} {name}: {message}".replace("  ", " ")
    return Blocked(detail) if resp.status in BLOCKED_STATUSES else Failed(detail)


def rate_limited(resp: Response) -> RateLimited:
    return RateLimited(f"HTTP 429: {error_text(resp)}", wait(resp.headers))


def wait(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait: Retry-After if sent, else until RateLimit-Reset. Bluesky's reset is
    always a unix time, so unlike the shared `rate_limit_wait` (which takes a small number for
    seconds to wait) a small value here is a time long past: no wait."""
    seconds = retry_after(headers, now)
    if seconds is not None:
        return seconds
    reset = headers.get("ratelimit-reset", "").strip()
    if not reset.isdigit():
        return None
    return max(0.0, int(reset) - (now or datetime.now(UTC)).timestamp())


def json_or_none(resp: Response) -> Any:
    """The body as JSON, or None when it is not JSON (an error page from a proxy)."""
    try:
        return resp.json()
    except BadBody:
        return None


def error_name(resp: Response) -> str:
    """The XRPC error name of an error body ("NotFound", "BlockedActor"), or ""."""
    body = json_or_none(resp)
    return str(body.get("error") or "") if isinstance(body, dict) else ""
