"""What a Reddit answer that is not a 200 JSON body means, for a post and an account alike.

Reddit speaks in JSON error bodies (`{"message": ..., "error": <status>, "reason": ...}`); an
HTML page or a body without that shape is someone else speaking (a block page, a proxy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadBody
from watcher.model import Blocked, Broken, Gone, Hidden, Observation, RateLimited
from watcher.normalize import html_to_text
from watcher.sources.common import Response, rate_limit_wait, unobserved

_BLOCK_WORDS = ("whoa there", "blocked", "network policy")


def refusal(resp: Response) -> Observation | None:
    """The observation for any answer but a 200 JSON body, or None."""
    error = _error_body(resp)
    if resp.status == 200 and error is None and _is_html(resp):
        return _html_refusal(resp)
    if resp.status == 429:
        # Reddit sends X-Ratelimit-Reset as seconds to the reset when Retry-After is missing.
        return RateLimited(f"HTTP 429 from {resp.url}", rate_limit_wait(resp.headers))
    if resp.status == 404:
        return _not_found(resp, error)
    if resp.status == 403:
        return _forbidden(resp, error)
    return unobserved(resp)


def _not_found(resp: Response, error: Mapping[str, Any] | None) -> Observation:
    """Reddit keeps deleted posts (as `[deleted]`), so its JSON 404 means the id is unknown to
    it: never existed, purged, or in a banned subreddit (`reason: banned`, a platform removal).
    A 404 without Reddit's JSON error body is not Reddit speaking (a proxy, a wrong base_url)."""
    if error is None:
        return Broken(f"HTTP 404 from {resp.url} without Reddit's JSON error body")
    reason = str(error.get("reason") or "")
    if reason == "banned":
        return Gone(f"HTTP 404 from Reddit: the subreddit is banned ({resp.url})", removed=True)
    return Gone(f"HTTP 404 from Reddit: {error.get('message') or 'Not Found'}")


def _forbidden(resp: Response, error: Mapping[str, Any] | None) -> Observation:
    """A 403 naming a reason (private, quarantined, gold_only) is about the post's subreddit:
    it exists but is not shown to us. A bare 403 or an HTML page is about us (anonymous access
    refused, the "whoa there" block page): Blocked."""
    if error is not None and error.get("reason"):
        return Hidden(f"HTTP 403 from Reddit: subreddit is {error['reason']} ({resp.url})")
    if error is not None:
        return Blocked(f"HTTP 403 from Reddit: {error.get('message') or 'Forbidden'}")
    return _html_refusal(resp)


def _html_refusal(resp: Response) -> Observation:
    words = " ".join(html_to_text(resp.text()[:4000]).split())
    login_wall = "/login" in urlsplit(resp.url).path
    if resp.status == 403 or login_wall or any(w in words.lower() for w in _BLOCK_WORDS):
        return Blocked(f"HTTP {resp.status} from {resp.url}: block page ({words[:120]})")
    return Broken(f"HTTP {resp.status} from {resp.url} is an HTML page, not Reddit JSON")


def _is_html(resp: Response) -> bool:
    # By the body, not the content-type: JSON never starts with "<", and a JSON body may well
    # contain HTML (selftext_html) and words like "blocked".
    return resp.text().lstrip().startswith("<")


def _error_body(resp: Response) -> Mapping[str, Any] | None:
    """Reddit's `{"message": ..., "error": <status>}` body, or None."""
    try:
        body = resp.json()
    except BadBody:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), int):
        return body
    return None
