"""Mastodon (any instance), through the public REST API: one status with
`GET /api/v1/statuses/:id`; an account's latest statuses with `GET /api/v1/accounts/lookup?acct=`
then `GET /api/v1/accounts/:id/statuses`.

Boosts (reblogs) are left out of an account's timeline, on purpose (`exclude_reblogs=true`, and
again here in case an instance ignores it): a boost is someone else's post, and the account watch
follows what it lists by the Post's URL, which for a boost is the original's, under another id.
Replies are the account's own posts and are kept; pinned posts are not listed by this endpoint.
Deeper pages follow `max_id` (the last status of the page before, as the Link header's
`rel="next"` does).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadBody, FetchError, UsageError
from watcher.model import (
    Blocked,
    Gone,
    Observation,
    Page,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import html_to_text, looks_like_html, parse_time
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import GONE_STATUSES, Http, Response, retry_after, unobserved
from watcher.sources.paging import Sheet, more_pages

log = logging.getLogger(__name__)

_USER = r"@[\w.-]+(?:@[\w.-]+)?"  # @user or @user@other.host
_STATUS_PATHS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"/{_USER}/(\d+)/?",
        r"/users/[\w.-]+/statuses/(\d+)/?",
        rf"/web/{_USER}/(\d+)/?",
        r"/web/statuses/(\d+)/?",
    )
)
# Account pages: /@user, /@user@other.host, /users/user (ActivityPub actor URL); and a handle
# typed as text, @user@instance.
_ACCOUNT_PATH = re.compile(r"/(?:@|users/)([\w.-]+)(?:@([\w.-]+))?/?")
# Sites that are not Mastodon but have /@user pages (their URLs go to `web` unless --platform).
_NOT_FEDIVERSE = frozenset(
    {"medium.com", "youtube.com", "tiktok.com", "threads.net", "threads.com", "substack.com"}
)
_HANDLE = re.compile(r"@([\w.-]+)@([\w-]+(?:\.[\w-]+)*(?::\d+)?)")
PAGE_SIZE = "20"
ACCOUNT_TTL = 3600.0  # seconds a looked-up account is trusted
_NEXT_LINK = re.compile(r"""rel=["']?next\b""")
# Counters a status carries; stored as metrics, never part of the content.
METRICS = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")


def status_id(url: str) -> str | None:
    """The numeric status id in a Mastodon status URL, or None if `url` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or _elsewhere(parts.hostname):
        return None
    for pattern in _STATUS_PATHS:
        match = pattern.fullmatch(parts.path)
        if match:
            return match.group(1)
    return None


def _elsewhere(host: str | None) -> bool:
    """Whether `host` is a known non-Mastodon site (or a subdomain of one)."""
    host = (host or "").lower()
    return any(host == site or host.endswith("." + site) for site in _NOT_FEDIVERSE)


def _account(url: str) -> tuple[str, str, str] | None:
    """(user, origin of the home instance, home host) for an account URL or handle."""
    handle = _HANDLE.fullmatch(url.strip())
    if handle:
        return handle.group(1), f"https://{handle.group(2)}", handle.group(2)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or _elsewhere(parts.hostname):
        return None
    match = _ACCOUNT_PATH.fullmatch(parts.path)
    if match is None or (match.group(2) and not parts.path.startswith("/@")):
        return None
    user, other = match.groups()
    if other:  # a remote account seen through this instance: its home has the full timeline
        return user, f"https://{other}", other
    return user, f"{parts.scheme}://{parts.netloc}", parts.hostname


class MastodonSource(Source):
    name = "mastodon"

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        super().__init__(http, settings)
        # (origin, user) → (looked-up account, when): an account's id never changes, its
        # handle and suspension do, so the lookup is repeated hourly or when a page looks odd.
        self._accounts: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}

    @classmethod
    def matches(cls, url: str) -> bool:
        return status_id(url) is not None

    def validate(self, target: Target) -> None:
        if status_id(target.url) is None:
            raise UsageError(f"not a Mastodon status URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        ident = status_id(target.url) or ""
        parts = urlsplit(target.url)
        resp = self.get(f"{self._origin(target)}/api/v1/statuses/{ident}")
        early = _refusal(resp)
        if early is not None:
            return early
        return Seen(status_post(_status(resp), ident, parts.hostname or ""))

    def _origin(self, target: Target) -> str:
        parts = urlsplit(target.url)
        return self.base_url(f"{parts.scheme}://{parts.netloc}")

    def history(self, target: Target, current: Post) -> tuple[Post, ...]:
        """Every version of the status, oldest first, from its public edit history (one
        request, made only when a check found the status edited)."""
        ident = status_id(target.url) or ""
        try:
            resp = self.get(f"{self._origin(target)}/api/v1/statuses/{ident}/history")
            edits = resp.json() if resp.status == 200 else None
        except FetchError as exc:
            edits = None
            log.info("edit history of %s not read: %s", target.url, exc)
        if not isinstance(edits, list):
            return ()
        return tuple(
            _version(edit, current, index > 0)
            for index, edit in enumerate(edits)
            if isinstance(edit, dict)
        )

    # -- accounts ---------------------------------------------------------------------------

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """`@user@host` for an account page URL or a typed `@user@instance` handle."""
        found = _account(url)
        return f"@{found[0]}@{found[2].split(':')[0]}" if found else None

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        found = _account(target.url)
        if found is None:
            raise UsageError(f"not a Mastodon account URL or handle: {target.url}")
        user, home, host = found
        origin = self.base_url(home)
        host = host.split(":")[0]
        known = self._known(origin, user)
        account = known or self._lookup(origin, user)
        if not isinstance(account, dict):
            return account
        read = self._reader(origin, account, host)
        first = read(None)
        if known is not None and _unusual(first):
            # An error or an empty page may mean the account changed (suspended, moved,
            # renamed): look it up again now rather than when the lookup expires.
            account = self._lookup(origin, user)
            if not isinstance(account, dict):
                return account
            read = self._reader(origin, account, host)
            first = read(None)
        return more_pages(first, pages, read, log)

    def _known(self, origin: str, user: str) -> dict[str, Any] | None:
        remembered = self._accounts.get((origin, user))
        if remembered is None or time.monotonic() - remembered[1] > ACCOUNT_TTL:
            return None
        return remembered[0]

    def _lookup(self, origin: str, user: str) -> dict[str, Any] | TimelineObservation:
        """The account `user` names on `origin`, remembered for `ACCOUNT_TTL` so that an
        unchanged account check is one request."""
        account = _account_body(self.get(f"{origin}/api/v1/accounts/lookup", {"acct": user}))
        if isinstance(account, dict):
            self._accounts[(origin, user)] = (account, time.monotonic())
        else:
            self._accounts.pop((origin, user), None)
        return account

    def _reader(
        self, origin: str, account: Mapping[str, Any], host: str
    ) -> Callable[[str | None], Sheet[str] | TimelineObservation]:
        """Reads a page of `account`'s statuses: the newest (None), or the one before a max_id."""
        url = f"{origin}/api/v1/accounts/{account['id']}/statuses"
        return partial(self._statuses_page, url, _author(account, host), host)

    def _statuses_page(
        self, url: str, author: str, host: str, max_id: str | None
    ) -> Sheet[str] | TimelineObservation:
        """One page of the account's statuses, the page before `max_id` (None: the newest)."""
        params = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        if max_id is not None:
            params["max_id"] = max_id
        resp = self.get(url, params)
        early = _unseen(_refusal(resp))
        if early is not None:
            return early
        statuses = _statuses(resp)
        own = [status for status in statuses if not status.get("reblog")]
        posts = tuple(status_post(status, str(status["id"]), host) for status in own)
        return Sheet(Page(posts, author), _next_max_id(resp, statuses))


def _unusual(first: Sheet[str] | TimelineObservation) -> bool:
    return not isinstance(first, Sheet) or not first.page.posts


def _next_max_id(resp: Response, statuses: list[dict[str, Any]]) -> str | None:
    """Where the next (older) page starts: the last status listed, boosts included, since a page
    of boosts alone is not the end. None at the end: an empty page, or a Link header without
    `rel="next"` (Mastodon leaves it out when the page came back short)."""
    link = resp.headers.get("link")
    if not statuses or (link is not None and not _NEXT_LINK.search(link)):
        return None
    return str(statuses[-1]["id"])


def _unseen(obs: Observation | None) -> TimelineObservation | None:
    """A refusal as a timeline observation (a refusal is never `Seen`)."""
    return None if obs is None or isinstance(obs, Seen) else obs


def _account_body(resp: Response) -> dict[str, Any] | TimelineObservation:
    """The looked-up account, or why not: 404 means no such account (deleted or never was)."""
    early = _unseen(_refusal(resp))
    if early is not None:
        return early
    body = resp.json()
    if not (isinstance(body, dict) and body.get("id")):
        raise BadBody(f"response from {resp.url} is not a Mastodon account")
    if body.get("suspended") is True:  # kept as a stub so instances can say why
        return Gone(f"account {body.get('acct') or body['id']} is suspended", removed=True)
    return body


def _statuses(resp: Response) -> list[dict[str, Any]]:
    """The statuses of an account page, newest first as Mastodon lists them."""
    body = resp.json()
    if not (isinstance(body, list) and all(_is_status(item) for item in body)):
        raise BadBody(f"response from {resp.url} is not a list of Mastodon statuses")
    return body


def _is_status(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("account"), dict) and "id" in item


def _refusal(resp: Response) -> Observation | None:
    """The observation for any answer but a 200 with a status, or None."""
    if resp.status == 401:
        return Blocked(f"HTTP 401 from {resp.url}: the instance requires login ({_error(resp)})")
    if resp.status == 429:
        return RateLimited(f"HTTP 429: {_error(resp)}", _retry_after(resp.headers))
    if resp.status in GONE_STATUSES:
        # Mastodon hard-deletes statuses: deleted and never-existed both answer 404.
        return Gone(f"HTTP {resp.status}: {_error(resp)}")
    return unobserved(resp)


def _error(resp: Response) -> str:
    """Mastodon's `{"error": "..."}` message, or the start of whatever the body was."""
    try:
        body = resp.json()
    except BadBody:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    text = resp.text()[:2000]  # an HTML error page from a proxy: its words, not its markup
    words = html_to_text(text) if looks_like_html(text) else text
    return " ".join(words.split())[:200] or "no message"


def _retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait: Retry-After if sent, else until X-RateLimit-Reset (ISO 8601)."""
    seconds = retry_after(headers, now)
    if seconds is not None:
        return seconds
    reset = parse_time(headers.get("x-ratelimit-reset", ""))
    if reset is None:
        return None
    return max(0.0, (reset - (now or datetime.now(UTC))).total_seconds())


def _status(resp: Response) -> dict[str, Any]:
    body = resp.json()
    if not (isinstance(body, dict) and _is_status(body)):
        raise BadBody(f"response from {resp.url} is not a Mastodon status")
    return body


def status_post(status: Mapping[str, Any], ident: str, host: str) -> Post:
    """The Post of a status. A reblog shows the reblogged status, under the reblog's own id."""
    shown = status["reblog"] if isinstance(status.get("reblog"), dict) else status
    edited_at = parse_time(shown.get("edited_at") or "")
    return Post(
        id=str(status.get("id") or ident),
        url=str(shown.get("url") or shown.get("uri") or ""),
        text=_text(shown),
        author=_author(shown.get("account") or {}, host),
        created_at=parse_time(shown.get("created_at") or ""),
        edited_at=edited_at,
        title=str(shown.get("spoiler_text") or ""),
        media=tuple(str(m["id"]) for m in shown.get("media_attachments") or () if "id" in m),
        metrics=_metrics(shown),
        platform_edited=edited_at is not None,
    )


def _version(edit: Mapping[str, Any], current: Post, edited: bool) -> Post:
    """One entry of a status's edit history as a Post: its content, spoiler and media, under
    the status's own id, URL and author; `edited_at` is when this version was made (None for
    the original)."""
    made = parse_time(str(edit.get("created_at") or ""))
    return replace(
        current,
        text=_text(edit),
        title=str(edit.get("spoiler_text") or ""),
        media=tuple(str(m["id"]) for m in edit.get("media_attachments") or () if "id" in m),
        edited_at=made if edited else None,
        metrics=MappingProxyType({}),
        platform_edited=edited,
    )


def _text(status: Mapping[str, Any]) -> str:
    """The content as text, then each poll option on its own line (options are content too)."""
    lines = [html_to_text(str(status.get("content") or ""))]
    poll = status.get("poll")
    if isinstance(poll, dict):
        lines += [str(o.get("title", "")) for o in poll.get("options") or ()]
    return "\n".join(line for line in lines if line)


def _author(account: Mapping[str, Any], host: str) -> str:
    """`@user@host`: local accounts' acct has no domain, so add the instance's."""
    acct = str(account.get("acct") or account.get("username") or "")
    if not acct:
        return ""
    return f"@{acct}" if "@" in acct or not host else f"@{acct}@{host}"


def _metrics(status: Mapping[str, Any]) -> Mapping[str, int]:
    counts = {
        key: value
        for key in METRICS
        if isinstance(value := status.get(key), int) and not isinstance(value, bool)
    }
    return MappingProxyType(counts)
