"""The `hackernews` source: one item (story, comment, job, poll, pollopt) through the Firebase
API, `GET /v0/item/<id>.json` (read in `item`); a user's submissions in `user`."""

from __future__ import annotations

from watcher.errors import FetchError, UsageError
from watcher.model import Observation, Target, TimelineObservation
from watcher.settings import PlatformSettings
from watcher.sources.common import Flow, Source
from watcher.sources.hackernews.item import item_answer, missing, newest_id, refused
from watcher.sources.hackernews.memo import Memo
from watcher.sources.hackernews.refs import API, item_id, user_name
from watcher.sources.hackernews.user import read_timeline


class HackerNewsSource(Source):
    """Hacker News items (news.ycombinator.com/item?id=) and users (/user?id=, /submitted?id=)."""

    name = "hackernews"

    def __init__(self, settings: PlatformSettings | None = None) -> None:
        super().__init__(settings)
        self.memo = Memo()

    @classmethod
    def matches(cls, url: str) -> bool:
        return item_id(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return user_name(url)

    def validate(self, target: Target) -> None:
        if item_id(target.url) is None:
            raise UsageError(f"not a Hacker News item URL: {target.url}")

    @property
    def api(self) -> str:
        return self.base_url(API)

    def _observe(self, target: Target) -> Flow[Observation]:
        self.validate(target)
        ident = item_id(target.url) or ""
        observed = yield from self.item(ident)
        if observed is None:
            return missing(ident, (yield from self._newest()))
        return observed

    def item(self, ident: str) -> Flow[Observation | None]:
        """Item `ident` as it is now, None for Firebase's `null`. Every item answer updates the
        memo, so a followed post's own checks keep it fresh for account reads; a refusal says
        nothing about the item and leaves it as it was."""
        resp = yield self.request(f"{self.api}/v0/item/{ident}.json")
        if resp.status != 200:
            return refused(resp)
        observed = item_answer(resp, ident)
        self.memo.note(ident, observed)
        return observed

    def _newest(self) -> Flow[int | None]:
        """The newest item id (`/v0/maxitem.json`), or None when it cannot be read."""
        try:
            resp = yield self.request(f"{self.api}/v0/maxitem.json")
            return newest_id(resp)
        except FetchError:
            return None

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        return (yield from read_timeline(self, target, pages))
