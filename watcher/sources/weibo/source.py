"""The `weibo` source: recognises post and account URLs and hands each to its flow."""

from __future__ import annotations

from watcher.errors import UsageError
from watcher.model import Observation, Target, TimelineObservation
from watcher.sources.common import Flow, Source
from watcher.sources.weibo.post import read_post
from watcher.sources.weibo.timeline import read_timeline
from watcher.sources.weibo.urls import account_uid, post_id


class WeiboSource(Source):
    """Weibo posts through the mobile API (`statuses/show`, `statuses/extend` for long texts),
    and accounts' latest posts through `api/container/getIndex`."""

    name = "weibo"

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_id(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        """The uid of a profile URL (weibo.com/u/<uid>, m.weibo.cn/u/ or /profile/<uid>)."""
        return account_uid(url)

    def validate(self, target: Target) -> None:
        _post_id(target)

    def _observe(self, target: Target) -> Flow[Observation]:
        return (yield from read_post(self, _post_id(target)))

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        uid = account_uid(target.url)
        if uid is None:
            raise UsageError(f"not a Weibo account URL: {target.url}")
        return (yield from read_timeline(self, uid, pages))


def _post_id(target: Target) -> str:
    ident = post_id(target.url)
    if ident is None:
        raise UsageError(f"not a Weibo post URL: {target.url}")
    return ident
