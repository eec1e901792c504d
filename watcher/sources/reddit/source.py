"""The `reddit` source: recognises post, comment and account URLs and hands each to its flow."""

from __future__ import annotations

from watcher.errors import UsageError
from watcher.model import Observation, Target, TimelineObservation
from watcher.sources.common import Flow, Source
from watcher.sources.reddit.post import read_post
from watcher.sources.reddit.urls import Thing, profile, thing
from watcher.sources.reddit.user import read_timeline


class RedditSource(Source):
    """Reddit posts and comments through the public JSON endpoints, and accounts' listings."""

    name = "reddit"

    @classmethod
    def matches(cls, url: str) -> bool:
        return thing(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        found = profile(url)
        return found.name if found else None

    def validate(self, target: Target) -> None:
        _wanted(target)

    def _observe(self, target: Target) -> Flow[Observation]:
        return (yield from read_post(self, _wanted(target)))

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        account = profile(target.url)
        if account is None:
            raise UsageError(f"not a Reddit user URL: {target.url}")
        return (yield from read_timeline(self, account, pages))


def _wanted(target: Target) -> Thing:
    wanted = thing(target.url)
    if wanted is None:
        raise UsageError(f"not a Reddit post or comment URL: {target.url}")
    return wanted
