"""X (Twitter): one post through the key-less syndication endpoint embedded posts use,
`GET cdn.syndication.twimg.com/tweet-result?id=<id>&lang=en&token=<token>` (`x_token`).

**Deletion needs proof.** The endpoint answers a post it will not show in several ways that
prove nothing on their own: `{}` (a token it disliked), a 404 (X also sends bursts of those to
clients it throttles), a `TweetTombstone` without a reason or with the generic "This Post is
unavailable", a post without its author. Those are checked with the FxTwitter API
(`GET api.fxtwitter.com/status/<id>`): only its `NOT_FOUND` makes the post `Gone`, its
`PRIVATE_TWEET` makes it `Hidden`, anything else leaves the check `Failed`. A post found gone
is asked about once more through FxTwitter v2 (`/2/status/<id>`), whose tombstone has a reason:
a suspended account's post is `Gone(removed=True)`, a private or blocked one `Hidden`.

A tombstone that gives a reason is taken at its word: deleted by the author → `Gone`; a
suspended account or a rules violation → `Gone(removed=True)`; an account that no longer
exists → `Gone` (the author deleted or deactivated it; reactivation would restore the post); a
protected account, age-restricted or withheld content → `Hidden`.

The FxTwitter request carries neither the platform's headers nor its cookies (they are meant
for X, not a third party). A configured `base_url` replaces both hosts at once: the paths
differ (`/tweet-result` and `/status/<id>`), so one test server or proxy can answer both.

**Edits.** X gives every edit a new id and `edit_control.edit_tweet_ids` lists the chain,
oldest first. The id a user watched keeps answering with its own, old text (`isStaleEdit`), so
reading it as it is would never show an edit: X's web client greys that text and points to the
new version. The adapter does the same thing a reader would: when the answer is a stale version
it fetches the newest id in the chain and observes that, so the edit arrives as an ordinary text
change with a diff. The newest id is remembered for the life of the source, so following an
edited post stays one request per check. `id` and `url` name the version shown; `created_at` is
when the first version was posted (from the first id, a snowflake), `edited_at` when the shown
version was made, and `platform_edited` is X's own edited flag. When a check finds the post
edited, `history` reads the older versions of the chain by their ids, so versions that lived
only between two checks are reported too.

X has no key-less public timeline, so there are no account watches.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from watcher.errors import BadBody, FetchError, UsageError
from watcher.model import Failed, Gone, Hidden, Observation, Post, Seen, Target
from watcher.normalize import html_to_text, looks_like_html
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import GONE_STATUSES, Http, Politeness, Response, unobserved
from watcher.sources.x_post import Tweet, edit_chain, newer_version, tweet_post
from watcher.sources.x_token import syndication_token

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

# Tombstone wordings (X's and the older "Tweet"/"Twitter" ones), lower case, `’` as `'`.
_DELETED = ("deleted by the",)
_REMOVED = ("suspended account", "violated the x rules", "violated the twitter rules")
_ACCOUNT_GONE = ("account that no longer exists",)
_HIDDEN = ("limits who can view", "protected", "age-restricted", "withheld")


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


@dataclass(frozen=True, slots=True)
class _Unproven:
    """A syndication answer that looks like a missing post but proves nothing by itself."""

    reason: str


class XSource(Source):
    name = "x"

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        super().__init__(http, settings)
        self._newest: dict[str, str] = {}  # watched id → newest version id seen (edits)
        self._chains: dict[str, tuple[str, ...]] = {}  # shown id → its edit chain, if edited

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not an X post URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        watched = post_ref(target.url) or ""
        answer = self._version(self._newest.get(watched, watched))
        if isinstance(answer, dict) and (newer := newer_version(answer)):
            # One hop is enough: every version lists the whole chain. If yet another edit
            # lands in between, the next check follows that one.
            answer = self._version(newer)
        if not isinstance(answer, dict):
            return answer
        post = tweet_post(answer)
        if post.id != watched:
            self._newest[watched] = post.id
        if len(chain := edit_chain(answer)) > 1:
            self._chains[post.id] = chain
        return Seen(post)

    def history(self, target: Target, current: Post) -> tuple[Post, ...]:
        """Every version of an edited post, oldest first: the ids of its edit chain (as the
        last check saw it), each older one read by its own id, which keeps answering with its
        own text. Made only when a check found the post edited, so the versions an author
        replaced between two checks (X allows five edits in the first hour) are not lost.
        A version that cannot be read leaves the history empty: a partial one could skip an
        edit."""
        versions: list[Post] = []
        for version_id in self._chains.get(current.id, ()):
            version = current if version_id == current.id else self._old_version(version_id)
            if version is None:
                return ()
            versions.append(version)
        return tuple(versions)

    def _old_version(self, version_id: str) -> Post | None:
        try:
            answer = self._syndication(version_id)
            if isinstance(answer, dict):
                return tweet_post(answer)
        except FetchError as exc:
            answer = Failed(str(exc))
        log.info("x: version %s of an edited post not read: %s", version_id, answer)
        return None

    def _version(self, post_id: str) -> Tweet | Observation:
        """One version's syndication body, or what the answer (confirmed if need be) says."""
        answer = self._syndication(post_id)
        if isinstance(answer, _Unproven):
            return self._confirm(post_id, answer)
        return answer

    def _syndication(self, post_id: str) -> Tweet | Observation | _Unproven:
        params = {"id": post_id, "lang": "en", "token": syndication_token(post_id)}
        resp = self.get(f"{self.base_url(SYNDICATION)}/tweet-result", params)
        if resp.status in GONE_STATUSES:
            return _Unproven(f"HTTP {resp.status}")
        refused = unobserved(resp)
        if refused is not None:
            return refused
        return _read(resp)

    def _confirm(self, post_id: str, doubt: _Unproven) -> Observation:
        """Ask FxTwitter whether the post is really gone; only its NOT_FOUND says so."""
        try:
            resp = self._fxtwitter(f"/status/{post_id}")
        except FetchError as exc:
            return Failed(f"X answered {doubt.reason}; FxTwitter could not confirm: {exc}")
        verdict = _verdict(resp, doubt)
        return self._why_gone(post_id, verdict) if isinstance(verdict, Gone) else verdict

    def _why_gone(self, post_id: str, gone: Gone) -> Observation:
        """FxTwitter v2 (`/2/status/<id>`) says why a post is gone: a suspended account's post
        was removed by the platform, not deleted by its author, and a private or blocked one
        is not gone at all. One more request, made only for a post found gone; when v2 says
        nothing usable, v1's verdict stands."""
        try:
            body = _json_or_none(self._fxtwitter(f"/2/status/{post_id}"))
        except FetchError:
            return gone
        status = body.get("status") if isinstance(body, dict) else None
        if not (isinstance(status, dict) and status.get("type") == "tombstone"):
            return gone
        why = str(status.get("reason") or "")
        said = str(status.get("message") or why)
        if why == "suspended":
            return Gone(f"{gone.reason}; v2: {said}", removed=True)
        if why in ("private", "blocked"):
            return Hidden(f"{gone.reason}, but v2 says {why}: {said}")
        return gone

    def _fxtwitter(self, path: str) -> Response:
        """GET from FxTwitter, politely, without X's headers or cookies."""
        polite = Politeness(self.settings.max_concurrent, self.settings.min_spacing)
        return self.http.get(f"{self.base_url(FXTWITTER)}{path}", polite=polite)


def _read(resp: Response) -> Tweet | Observation | _Unproven:
    """The post in a 200 syndication body, or what the body says instead."""
    body = resp.json()
    if not isinstance(body, dict):
        raise BadBody(f"response from {resp.url} is not an X post")
    kind = body.get("__typename")
    if not body:
        return _Unproven("{} (a refused token, or no such post)")
    if kind == "TweetTombstone":
        return _tombstone(body)
    if kind not in ("Tweet", None) or not {"id_str", "text"} <= body.keys():
        raise BadBody(f"response from {resp.url} is not an X post ({kind or 'no __typename'})")
    if not isinstance(body.get("user"), dict):
        # X sends posts of accounts that no longer exist without their `user`.
        return _Unproven("the post without its author")
    return body


def _tombstone(body: Tweet) -> Observation | _Unproven:
    """A TweetTombstone by its reason: proof where the reason says so, else a doubt."""
    tombstone = body.get("tombstone")
    text = tombstone.get("text") if isinstance(tombstone, dict) else None
    if isinstance(text, dict):
        text = text.get("text")
    reason = str(text or "").removesuffix("Learn more").strip()
    said = reason.lower().replace("’", "'")
    detail = f"tombstone: {reason}" if reason else "a tombstone without a reason"
    if any(words in said for words in _DELETED + _ACCOUNT_GONE):
        return Gone(detail)
    if any(words in said for words in _REMOVED):
        return Gone(detail, removed=True)
    if any(words in said for words in _HIDDEN):
        return Hidden(detail)
    return _Unproven(detail)


def _verdict(resp: Response, doubt: _Unproven) -> Observation:
    """FxTwitter v1's `{code, message, tweet}` answer about a post X would not show."""
    body = _json_or_none(resp)
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    if resp.status == 404 and message == "NOT_FOUND":
        return Gone(f"X answered {doubt.reason}; FxTwitter: NOT_FOUND")
    if resp.status == 401 and message == "PRIVATE_TWEET":
        return Hidden(f"X answered {doubt.reason}; FxTwitter: PRIVATE_TWEET (a protected account)")
    if resp.status == 200 and message == "OK":
        return Failed(f"X answered {doubt.reason}, but FxTwitter still shows the post")
    return Failed(
        f"X answered {doubt.reason}; FxTwitter could not confirm: HTTP {resp.status} "
        f"{_said(resp, body)}"
    )


def _json_or_none(resp: Response) -> Any:
    try:
        return resp.json()
    except BadBody:
        return None


def _said(resp: Response, body: Any) -> str:
    """What an error answer says, in at most 120 characters of one line."""
    if isinstance(body, dict) and (body.get("message") or body.get("error")):
        words = str(body.get("message") or body["error"])
    else:
        text = resp.text()[:2000]
        words = html_to_text(text) if looks_like_html(text) else text
    words = " ".join(words.split())
    return (words[:117] + "...") if len(words) > 120 else words or "(no message)"
