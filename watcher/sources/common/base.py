"""What every source is: a named adapter that says which requests observe a `Target` and what
their answers mean. It performs no I/O (see `wire`): the engine runs its flows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import ClassVar, TypeVar

from watcher.errors import FetchError, HostBackoff, UsageError
from watcher.model import Failed, Observation, Post, RateLimited, Target, TimelineObservation
from watcher.settings import PlatformSettings
from watcher.sources.common.wire import Flow, Politeness, Request

Obs = TypeVar("Obs", Observation, TimelineObservation)


class Source(ABC):
    """One platform adapter. Subclasses set `name` and implement `matches` and `_observe`
    (and `_timeline` for accounts)."""

    name: ClassVar[str]
    # Which target options this source reads: "selector" (web), "field" (json, feed).
    options: ClassVar[frozenset[str]] = frozenset()
    # How many posts one request can observe: more than 1 where the platform has a batch
    # endpoint (see `observe_many`).
    batch: ClassVar[int] = 1
    # URL recognition order when no platform is given: lower asks first; ties by name. A URL
    # two platforms could claim goes to the one with the lower number.
    priority: ClassVar[int] = 50

    def __init__(self, settings: PlatformSettings | None = None) -> None:
        self.settings = settings or PlatformSettings()

    @classmethod
    def matches(cls, url: str) -> bool:
        """Whether this source recognises `url` as a post when no platform is given."""
        return False

    def validate(self, target: Target) -> None:  # noqa: B027 (optional hook; most accept all)
        """Raise `UsageError` (one line) if this source cannot read `target` as given."""

    # -- posts ----------------------------------------------------------------------------

    def observe(self, target: Target) -> Flow[Observation]:
        """Observe the target once. Never raises for network or body trouble: that is `Failed`
        (or `RateLimited` for a host that asked us to wait)."""
        return (yield from guarded_flow(self._observe(target)))

    @abstractmethod
    def _observe(self, target: Target) -> Flow[Observation]: ...

    def observe_many(self, targets: Sequence[Target]) -> Flow[list[Observation]]:
        """Observe up to `batch` targets, in order, each exactly as `observe` would; a platform
        with a batch endpoint overrides this to share requests."""
        observed = []
        for target in targets:
            observed.append((yield from self.observe(target)))
        return observed

    def history(self, target: Target, current: Post) -> Flow[tuple[Post, ...]]:
        """The platform's own record of the post's versions, oldest first (the current one
        may be last), for a post found edited; () where the platform keeps none. Never
        raises: the edit is recorded from the check either way, this only adds detail."""
        return ()
        yield  # pragma: no cover (a generator that needs no request)

    # -- accounts (timelines) -------------------------------------------------------------

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """The account a URL names (an account page, not a post), or None."""
        return None

    def timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        """The account's newest posts, newest first: its first `pages` pages. Never raises for
        network or body trouble (that is `Failed`)."""
        return (yield from guarded_flow(self._timeline(target, max(1, pages))))

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        raise UsageError(f"platform {self.name} cannot watch accounts yet")
        yield  # pragma: no cover

    def post_target(self, account: Target, post: Post) -> Target:
        """What to fetch to follow a post listed on `account`'s timeline: its own URL."""
        return Target(post.url, self.name)

    # -- requests -------------------------------------------------------------------------

    def base_url(self, default: str) -> str:
        """The configured base URL (self-hosted instance, mirror, test server) or `default`."""
        return (self.settings.base_url or default).rstrip("/")

    def request(self, url: str, params: Mapping[str, str] | None = None) -> Request:
        """A GET with this platform's configured headers, cookies and politeness."""
        return Request(
            url,
            params=params or {},
            headers=self.settings.headers,
            cookies=self.settings.cookies,
            polite=Politeness(self.settings.max_concurrent, self.settings.min_spacing),
        )


def guarded_flow(flow: Flow[Obs]) -> Flow[Obs | Failed | RateLimited]:
    """`flow`, with the fetch trouble it did not handle itself turned into its observation: a
    host that asked us to wait is `RateLimited`, any other `FetchError` is `Failed`."""
    try:
        return (yield from flow)
    except HostBackoff as exc:
        return RateLimited(str(exc), exc.retry_after)
    except FetchError as exc:
        return Failed(str(exc))
