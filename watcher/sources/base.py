"""What every source is: a named adapter that turns a `Target` into an `Observation`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import ClassVar

from watcher.errors import FetchError, HostBackoff, UsageError
from watcher.model import (
    Failed,
    Observation,
    Post,
    RateLimited,
    Target,
    TimelineObservation,
)
from watcher.settings import PlatformSettings
from watcher.sources.http import Http, Politeness, Response


class Source(ABC):
    """One platform adapter. Subclasses set `name` and implement `matches` and `_fetch`."""

    name: ClassVar[str]
    # Which target options this source reads: "selector" (web), "field" (json, feed).
    options: ClassVar[frozenset[str]] = frozenset()
    # How many posts one request can observe: more than 1 where the platform has a batch
    # endpoint (see `fetch_many`).
    batch: ClassVar[int] = 1

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        self.http = http
        self.settings = settings or PlatformSettings()

    @classmethod
    def matches(cls, url: str) -> bool:
        """Whether this source recognises `url` when no platform is given."""
        return False

    def validate(self, target: Target) -> None:  # noqa: B027 (optional hook; most accept all)
        """Raise `UsageError` (one line) if this source cannot read `target` as given."""

    def fetch(self, target: Target) -> Observation:
        """Observe the target once. Never raises for network or body trouble: that is `Failed`."""
        try:
            return self._fetch(target)
        except HostBackoff as exc:
            return RateLimited(str(exc), exc.retry_after)
        except FetchError as exc:
            return Failed(str(exc))

    @abstractmethod
    def _fetch(self, target: Target) -> Observation: ...

    def fetch_many(self, targets: Sequence[Target]) -> list[Observation]:
        """Observe up to `batch` targets, in order, each exactly as `fetch` would; a platform
        with a batch endpoint overrides this to share requests."""
        return [self.fetch(target) for target in targets]

    def history(self, target: Target, current: Post) -> tuple[Post, ...]:
        """The platform's own record of the post's versions, oldest first (the current one
        may be last), for a post found edited; () where the platform keeps none. Never
        raises: the edit is recorded from the check either way, this only adds detail."""
        return ()

    # -- accounts (timelines) -------------------------------------------------------------

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """The account a URL names (an account page, not a post), or None."""
        return None

    def timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        """The account's newest posts, newest first: its first `pages` pages. Never raises for
        network or body trouble (that is `Failed`)."""
        try:
            return self._timeline(target, max(1, pages))
        except HostBackoff as exc:
            return RateLimited(str(exc), exc.retry_after)
        except FetchError as exc:
            return Failed(str(exc))

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        raise UsageError(f"platform {self.name} cannot watch accounts yet")

    def post_target(self, account: Target, post: Post) -> Target:
        """What to fetch to follow a post listed on `account`'s timeline: its own URL."""
        return Target(post.url, self.name)

    def base_url(self, default: str) -> str:
        """The configured base URL (self-hosted instance, mirror, test server) or `default`."""
        return (self.settings.base_url or default).rstrip("/")

    def get(self, url: str, params: Mapping[str, str] | None = None) -> Response:
        """GET with this platform's configured headers and cookies."""
        return self.http.get(
            url,
            params=params,
            headers=self.settings.headers,
            cookies=self.settings.cookies,
            polite=Politeness(self.settings.max_concurrent, self.settings.min_spacing),
        )
