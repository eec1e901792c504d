"""The X adapter's flows: which requests observe a post, in which order.

One check is one syndication request (`GET <syndication>/tweet-result?id=&lang=en&token=`),
plus, only when the answer is a stale version of an edited post, one for its newest version,
and, only when an answer proves nothing alone, FxTwitter v1 (`/status/<id>`) and, for a post
v1 finds gone, FxTwitter v2 (`/2/status/<id>`). `answers` says what each answer means.

FxTwitter requests carry neither the platform's headers nor its cookies (they are meant for X,
not a third party). A configured `base_url` replaces both hosts at once: the paths differ, so
one test server or proxy can answer both.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, urlsplit

from watcher.errors import FetchError, UsageError
from watcher.model import Failed, Gone, Observation, Post, Seen, Target
from watcher.settings import PlatformSettings
from watcher.sources.common import (
    GONE_STATUSES,
    BoundedCache,
    Flow,
    Politeness,
    Request,
    Source,
    unobserved,
)
from watcher.sources.x.answers import (
    Unproven,
    fx_verdict,
    syndication_answer,
    unconfirmed,
    v2_reason,
)
from watcher.sources.x.post import Tweet, edit_chain, newer_version, tweet_post
from watcher.sources.x.token import syndication_token

log = logging.getLogger(__name__)

SYNDICATION = "https://cdn.syndication.twimg.com"
FXTWITTER = "https://api.fxtwitter.com"
# Hosts users paste post URLs from: X itself and the embed-fixing mirrors that keep its paths.
_HOSTS = frozenset({"x.com", "twitter.com", "fxtwitter.com", "fixupx.com", "vxtwitter.com"})
_PREFIXES = ("www.", "mobile.")
_POST_PATH = re.compile(
    r"/(?:i/web|i|[A-Za-z0-9_]{1,20})/status(?:es)?/(\d{1,20})"
    r"(?:/(?:photo|video)/\d{1,2}|/history)?/?",
    re.IGNORECASE,
)
# Memos kept between checks, least recently used forgotten first. Forgetting costs a request,
# never a wrong answer: a watched id whose newest version is forgotten is followed again (one
# hop more); a chain is read only by the `history` that follows the check that stored it.
_REMEMBERED = 10_000


def post_ref(url: str) -> str | None:
    """The post id in an X / Twitter post URL (or a mirror's), or None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    for prefix in _PREFIXES:
        host = host.removeprefix(prefix)
    if parts.scheme not in ("http", "https") or host not in _HOSTS:
        return None
    match = _POST_PATH.fullmatch(unquote(parts.path))
    return match.group(1) if match else None


class XSource(Source):
    """X posts through the key-less syndication endpoint, deletions proven with FxTwitter,
    edits followed to the newest version (see the package docstring)."""

    name = "x"

    def __init__(self, settings: PlatformSettings | None = None) -> None:
        super().__init__(settings)
        # watched id → the newest version id seen (edits)
        self._newest: BoundedCache[str, str] = BoundedCache(_REMEMBERED)
        # shown id → its edit chain, oldest first, when it has been edited
        self._chains: BoundedCache[str, tuple[str, ...]] = BoundedCache(_REMEMBERED)

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not an X post URL: {target.url}")

    def _observe(self, target: Target) -> Flow[Observation]:
        self.validate(target)
        watched = post_ref(target.url) or ""
        answer = yield from self._version(self._newest.get(watched) or watched)
        if isinstance(answer, dict) and (newer := newer_version(answer)):
            # One hop is enough: every version lists the whole chain. If yet another edit
            # lands in between, the next check follows that one.
            answer = yield from self._version(newer)
        if not isinstance(answer, dict):
            return answer
        post = tweet_post(answer)
        if post.id != watched:
            self._newest.put(watched, post.id)
        if len(chain := edit_chain(answer)) > 1:
            self._chains.put(post.id, chain)
        return Seen(post)

    # -- one version: syndication, then FxTwitter v1 and v2 where X's answer proves nothing --

    def _version(self, post_id: str) -> Flow[Tweet | Observation]:
        """One version's syndication body, or what the answer, confirmed if need be, says:
        an answer that proves nothing alone goes to FxTwitter v1, whose NOT_FOUND alone is a
        deletion; a post v1 finds gone goes to v2, which may say why. A failed FxTwitter
        request never becomes a deletion."""
        answer = yield from self._syndication(post_id)
        if not isinstance(answer, Unproven):
            return answer
        try:
            v1 = yield self._fxtwitter(f"/status/{post_id}")
        except FetchError as exc:
            return unconfirmed(answer, str(exc))
        verdict = fx_verdict(v1, answer)
        if not isinstance(verdict, Gone):
            return verdict
        try:
            v2 = yield self._fxtwitter(f"/2/status/{post_id}")
        except FetchError:
            return verdict  # v2 only adds detail; v1's proof stands
        return v2_reason(v2, verdict)

    def _syndication(self, post_id: str) -> Flow[Tweet | Observation | Unproven]:
        params = {"id": post_id, "lang": "en", "token": syndication_token(post_id)}
        resp = yield self.request(f"{self.base_url(SYNDICATION)}/tweet-result", params)
        if resp.status in GONE_STATUSES:
            return Unproven(f"HTTP {resp.status}")
        refused = unobserved(resp)
        if refused is not None:
            return refused
        return syndication_answer(resp)

    def _fxtwitter(self, path: str) -> Request:
        """A GET from FxTwitter, as polite as one to X, without X's headers or cookies."""
        polite = Politeness(self.settings.max_concurrent, self.settings.min_spacing)
        return Request(f"{self.base_url(FXTWITTER)}{path}", polite=polite)

    # -- edit histories -----------------------------------------------------------------

    def history(self, target: Target, current: Post) -> Flow[tuple[Post, ...]]:
        """Every version of an edited post, oldest first: the ids of its edit chain (as the
        last check saw it), each older one read by its own id, which keeps answering with its
        own text. Made only when a check found the post edited, so the versions an author
        replaced between two checks (X allows five edits in the first hour) are not lost.
        A version that cannot be read leaves the history empty: a partial one could skip an
        edit."""
        versions: list[Post] = []
        for version_id in self._chains.get(current.id) or ():
            if version_id == current.id:
                versions.append(current)
                continue
            version = yield from self._old_version(version_id)
            if version is None:
                return ()
            versions.append(version)
        return tuple(versions)

    def _old_version(self, version_id: str) -> Flow[Post | None]:
        """One older version by its own id; None (logged) when it cannot be read. Never
        confirmed with FxTwitter: no deletion is being claimed."""
        try:
            answer = yield from self._syndication(version_id)
            if isinstance(answer, dict):
                return tweet_post(answer)
        except FetchError as exc:
            answer = Failed(str(exc))
        log.info("x: version %s of an edited post not read: %s", version_id, answer)
        return None
