"""What Mastodon's answers mean: its refusals (status → observation, with the instance's own
error text) and the bodies of an account lookup and of an account's statuses page."""

from __future__ import annotations

import re
from typing import Any

from watcher.errors import BadBody
from watcher.model import Blocked, Gone, Observation, Page, RateLimited, Seen, TimelineObservation
from watcher.sources.common import (
    GONE_STATUSES,
    Response,
    Sheet,
    error_text,
    rate_limit_wait,
    unobserved,
)
from watcher.sources.mastodon.status import is_status, status_post

_NEXT_LINK = re.compile(r"""rel=["']?next\b""")


def refusal(resp: Response) -> Observation | None:
    """The observation for any answer but a 200, or None. Reasons carry the instance's own
    `{"error": ...}` text (or the words of a proxy's HTML error page)."""
    if resp.status == 401:
        return Blocked(
            f"HTTP 401 from {resp.url}: the instance requires login ({error_text(resp)})"
        )
    if resp.status == 429:
        # Mastodon says when its window resets in X-RateLimit-Reset, as an ISO 8601 time.
        return RateLimited(f"HTTP 429: {error_text(resp)}", rate_limit_wait(resp.headers))
    if resp.status in GONE_STATUSES:
        # Mastodon hard-deletes statuses: deleted and never-existed both answer 404.
        return Gone(f"HTTP {resp.status}: {error_text(resp)}")
    return unobserved(resp)


def unseen(obs: Observation | None) -> TimelineObservation | None:
    """A refusal as a timeline observation (a refusal is never `Seen`)."""
    return None if obs is None or isinstance(obs, Seen) else obs


def account_body(resp: Response) -> dict[str, Any] | TimelineObservation:
    """The looked-up account, or why not: 404 means no such account (deleted or never was)."""
    early = unseen(refusal(resp))
    if early is not None:
        return early
    body = resp.json()
    if not (isinstance(body, dict) and body.get("id")):
        raise BadBody(f"response from {resp.url} is not a Mastodon account")
    if body.get("suspended") is True:  # kept as a stub so instances can say why
        return Gone(f"account {body.get('acct') or body['id']} is suspended", removed=True)
    return body


def statuses_body(resp: Response) -> list[dict[str, Any]]:
    """The statuses of an account page, newest first as Mastodon lists them."""
    body = resp.json()
    if not (isinstance(body, list) and all(is_status(item) for item in body)):
        raise BadBody(f"response from {resp.url} is not a list of Mastodon statuses")
    return body


def statuses_sheet(resp: Response, author: str, host: str) -> Sheet[str]:
    """An account's statuses page as listed: its own posts (boosts left out, in case the
    instance ignored `exclude_reblogs`) and where the next, older page starts."""
    statuses = statuses_body(resp)
    own = [status for status in statuses if not status.get("reblog")]
    posts = tuple(status_post(status, str(status["id"]), host) for status in own)
    return Sheet(Page(posts, author), next_max_id(resp, statuses))


def next_max_id(resp: Response, statuses: list[dict[str, Any]]) -> str | None:
    """Where the next (older) page starts: the last status listed, boosts included, since a page
    of boosts alone is not the end. None at the end: an empty page, or a Link header without
    `rel="next"` (Mastodon leaves it out when the page came back short)."""
    link = resp.headers.get("link")
    if not statuses or (link is not None and not _NEXT_LINK.search(link)):
        return None
    return str(statuses[-1]["id"])


def unusual(first: Sheet[str] | TimelineObservation) -> bool:
    """A first page that may mean the account changed: an error, or nothing listed."""
    return not isinstance(first, Sheet) or not first.page.posts
