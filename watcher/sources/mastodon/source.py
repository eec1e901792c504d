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
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import FetchError, UsageError
from watcher.model import Observation, Post, Seen, Target, TimelineObservation
from watcher.settings import PlatformSettings
from watcher.sources.common import BoundedCache, Flow, Sheet, Source, more_pages
from watcher.sources.mastodon.answers import (
    account_body,
    refusal,
    statuses_sheet,
    unseen,
    unusual,
)
from watcher.sources.mastodon.status import author_of, status_body, status_post, versions
from watcher.sources.mastodon.urls import account, status_id

log = logging.getLogger(__name__)

PAGE_SIZE = "20"
ACCOUNT_TTL = 3600.0  # seconds a looked-up account is trusted
ACCOUNTS_KEPT = 10_000  # looked-up accounts remembered at once (one per watched account)

Account = dict[str, Any]
Reader = Callable[[str | None], Flow[Sheet[str] | TimelineObservation]]


class MastodonSource(Source):
    """Statuses and accounts of any Mastodon instance, through its public API."""

    name = "mastodon"

    def __init__(
        self, settings: PlatformSettings | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(settings)
        # (origin, user) → the looked-up account: an account's id never changes, its handle
        # and suspension do, so the lookup is repeated hourly or when a page looks odd.
        self._accounts: BoundedCache[tuple[str, str], Account] = BoundedCache(
            ACCOUNTS_KEPT, ACCOUNT_TTL, clock
        )

    @classmethod
    def matches(cls, url: str) -> bool:
        return status_id(url) is not None

    def validate(self, target: Target) -> None:
        if status_id(target.url) is None:
            raise UsageError(f"not a Mastodon status URL: {target.url}")

    def _observe(self, target: Target) -> Flow[Observation]:
        self.validate(target)
        ident = status_id(target.url) or ""
        resp = yield self.request(f"{self._origin(target)}/api/v1/statuses/{ident}")
        early = refusal(resp)
        if early is not None:
            return early
        return Seen(status_post(status_body(resp), ident, urlsplit(target.url).hostname or ""))

    def _origin(self, target: Target) -> str:
        parts = urlsplit(target.url)
        return self.base_url(f"{parts.scheme}://{parts.netloc}")

    def history(self, target: Target, current: Post) -> Flow[tuple[Post, ...]]:
        """Every version of the status, oldest first, from its public edit history (one
        request, made only when a check found the status edited)."""
        ident = status_id(target.url) or ""
        try:
            resp = yield self.request(f"{self._origin(target)}/api/v1/statuses/{ident}/history")
            return versions(resp, current)
        except FetchError as exc:
            log.info("edit history of %s not read: %s", target.url, exc)
            return ()

    # -- accounts ---------------------------------------------------------------------------

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """`@user@host` for an account page URL or a typed `@user@instance` handle."""
        found = account(url)
        return f"@{found[0]}@{found[2].split(':')[0]}" if found else None

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        found = account(target.url)
        if found is None:
            raise UsageError(f"not a Mastodon account URL or handle: {target.url}")
        user, home, host = found
        origin, host = self.base_url(home), host.split(":")[0]
        known = self._accounts.get((origin, user))
        looked_up = known or (yield from self._lookup(origin, user))
        if not isinstance(looked_up, dict):
            return looked_up
        read = self._reader(origin, looked_up, host)
        first = yield from read(None)
        if known is not None and unusual(first):
            # An error or an empty page may mean the account changed (suspended, moved,
            # renamed): look it up again now rather than when the lookup expires.
            looked_up = yield from self._lookup(origin, user)
            if not isinstance(looked_up, dict):
                return looked_up
            read = self._reader(origin, looked_up, host)
            first = yield from read(None)
        return (yield from more_pages(first, pages, read, log))

    def _lookup(self, origin: str, user: str) -> Flow[Account | TimelineObservation]:
        """The account `user` names on `origin`, remembered for `ACCOUNT_TTL` so that an
        unchanged account check is one request."""
        resp = yield self.request(f"{origin}/api/v1/accounts/lookup", {"acct": user})
        looked_up = account_body(resp)
        if isinstance(looked_up, dict):
            self._accounts.put((origin, user), looked_up)
        else:
            self._accounts.pop((origin, user))
        return looked_up

    def _reader(self, origin: str, looked_up: Mapping[str, Any], host: str) -> Reader:
        """Reads a page of the account's statuses: the newest (None), or the one before a max_id."""
        url = f"{origin}/api/v1/accounts/{looked_up['id']}/statuses"
        return partial(self._statuses_page, url, author_of(looked_up, host), host)

    def _statuses_page(
        self, url: str, author: str, host: str, max_id: str | None
    ) -> Flow[Sheet[str] | TimelineObservation]:
        """One page of the account's statuses, the page before `max_id` (None: the newest)."""
        params = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        if max_id is not None:
            params["max_id"] = max_id
        resp = yield self.request(url, params)
        early = unseen(refusal(resp))
        if early is not None:
            return early
        return statuses_sheet(resp, author, host)
