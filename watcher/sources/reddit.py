"""Reddit: one post or comment through the public JSON endpoints.

A post is read from `GET /comments/<id>/.json` (the canonical path behind every permalink form,
so the subreddit and slug in the watched URL never matter); a comment from
`GET /api/info.json?id=t1_<id>`, which answers with that one comment instead of a thread.

Accounts (`/user/<name>`, its `/submitted`, `/comments` and `/overview` tabs) are read in
`reddit_user`. This module keeps what both halves share: URLs, refusals and the Post of a thing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from watcher.errors import BadBody, UsageError
from watcher.model import (
    Blocked,
    Broken,
    Gone,
    Hidden,
    Observation,
    Post,
    RateLimited,
    Seen,
    Target,
    TimelineObservation,
)
from watcher.normalize import html_to_text
from watcher.sources.base import Source
from watcher.sources.http import Response, retry_after, unobserved

log = logging.getLogger(__name__)

PUBLIC_API = "https://www.reddit.com"
WEB = "https://www.reddit.com"  # where permalinks point, whatever base the API is read from
_HOSTS = re.compile(r"(?:[\w-]+\.)?reddit\.com", re.IGNORECASE)
_ID = r"([0-9a-z]{1,13})"
_PATHS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # /r/<sub>/comments/<id>[/<slug>[/<comment id>]] and the same under /u/ or /user/
        rf"/(?:r|u|user)/[\w-]+/comments/{_ID}(?:/[^/]*(?:/{_ID})?)?/?",
        rf"/comments/{_ID}(?:/[^/]*(?:/{_ID})?)?/?",
        rf"/gallery/{_ID}/?",
    )
)
# /user/<name> and /u/<name>, and the tab an account watch reads: the profile itself and
# /submitted list its posts, /comments its comments, /overview both mixed.
_USER = re.compile(
    r"/(?:u|user)/([a-z0-9_-]{1,20})(?:/(submitted|comments|overview))?/?", re.IGNORECASE
)
_SHORT = re.compile(rf"/{_ID}/?", re.IGNORECASE)  # redd.it/<id>
METRICS = ("score", "ups", "num_comments")
# A comment's `num_comments` (user listings send one) counts its thread's comments, not its own.
_COMMENT_METRICS = ("score", "ups")
# `removed_by_category` values that mean the author deleted the post, not a moderator.
_BY_AUTHOR = frozenset({"deleted", "author"})
_BLOCK_WORDS = ("whoa there", "blocked", "network policy")


@dataclass(frozen=True, slots=True)
class Thing:
    """What a Reddit URL points at: a post, or a comment under a post."""

    post: str
    comment: str = ""

    @property
    def fullname(self) -> str:
        return f"t1_{self.comment}" if self.comment else f"t3_{self.post}"


def thing(url: str) -> Thing | None:
    """The post (and comment) a Reddit URL names, or None if `url` is not one."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https"):
        return None
    if host.lower() == "redd.it":
        match = _SHORT.fullmatch(parts.path)
        return Thing(match.group(1).lower()) if match else None
    if not _HOSTS.fullmatch(host):
        return None
    for pattern in _PATHS:
        match = pattern.fullmatch(parts.path)
        if match:
            post, comment = (*match.groups(), None)[:2]
            return Thing(str(post).lower(), (comment or "").lower())
    return None


@dataclass(frozen=True, slots=True)
class Profile:
    """An account a Reddit URL names, and the listing of it to read: `submitted` (posts),
    `comments`, or `overview` (both)."""

    name: str
    listing: str = "submitted"


def profile(url: str) -> Profile | None:
    """The (lower-cased) account and listing of a Reddit profile URL, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not _HOSTS.fullmatch(parts.hostname or ""):
        return None
    match = _USER.fullmatch(parts.path)
    if match is None:
        return None
    return Profile(match.group(1).lower(), (match.group(2) or "submitted").lower())


class RedditSource(Source):
    name = "reddit"

    @classmethod
    def matches(cls, url: str) -> bool:
        return thing(url) is not None

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        found = profile(url)
        return found.name if found else None

    def validate(self, target: Target) -> None:
        if thing(target.url) is None:
            raise UsageError(f"not a Reddit post or comment URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        wanted = thing(target.url) or Thing("")
        base = self.base_url(PUBLIC_API)
        # raw_json=1: text without HTML entity escaping (`&amp;`), as the author typed it.
        if wanted.comment:
            params = {"id": wanted.fullname, "raw_json": "1"}
            resp = self.get(f"{base}/api/info.json", params)
        else:
            resp = self.get(f"{base}/comments/{wanted.post}/.json", {"raw_json": "1", "limit": "1"})
        early = refusal(resp)
        if early is not None:
            return early
        return observe(_find(resp, wanted), wanted)

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        # Imported here, not at the top: the account half imports this module.
        from watcher.sources.reddit_user import read_timeline

        return read_timeline(self, target, pages)


def refusal(resp: Response) -> Observation | None:
    """The observation for any answer but a 200 JSON body, or None."""
    error = _error_body(resp)
    if resp.status == 200 and error is None and _is_html(resp):
        return _html_refusal(resp)
    if resp.status == 429:
        return RateLimited(f"HTTP 429 from {resp.url}", _retry_after(resp.headers))
    if resp.status == 404:
        return _not_found(resp, error)
    if resp.status == 403:
        return _forbidden(resp, error)
    return unobserved(resp)


def _not_found(resp: Response, error: Mapping[str, Any] | None) -> Observation:
    """Reddit keeps deleted posts (as `[deleted]`), so its JSON 404 means the id is unknown to
    it: never existed, purged, or in a banned subreddit (`reason: banned`, a platform removal).
    A 404 without Reddit's JSON error body is not Reddit speaking (a proxy, a wrong base_url)."""
    if error is None:
        return Broken(f"HTTP 404 from {resp.url} without Reddit's JSON error body")
    reason = str(error.get("reason") or "")
    if reason == "banned":
        return Gone(f"HTTP 404 from Reddit: the subreddit is banned ({resp.url})", removed=True)
    return Gone(f"HTTP 404 from Reddit: {error.get('message') or 'Not Found'}")


def _forbidden(resp: Response, error: Mapping[str, Any] | None) -> Observation:
    """A 403 naming a reason (private, quarantined, gold_only) is about the post's subreddit:
    it exists but is not shown to us. A bare 403 or an HTML page is about us (anonymous access
    refused, the "whoa there" block page): Blocked."""
    if error is not None and error.get("reason"):
        return Hidden(f"HTTP 403 from Reddit: subreddit is {error['reason']} ({resp.url})")
    if error is not None:
        return Blocked(f"HTTP 403 from Reddit: {error.get('message') or 'Forbidden'}")
    return _html_refusal(resp)


def _html_refusal(resp: Response) -> Observation:
    words = " ".join(html_to_text(resp.text()[:4000]).split())
    login_wall = "/login" in urlsplit(resp.url).path
    if resp.status == 403 or login_wall or any(w in words.lower() for w in _BLOCK_WORDS):
        return Blocked(f"HTTP {resp.status} from {resp.url}: block page ({words[:120]})")
    return Broken(f"HTTP {resp.status} from {resp.url} is an HTML page, not Reddit JSON")


def _is_html(resp: Response) -> bool:
    # By the body, not the content-type: JSON never starts with "<", and a JSON body may well
    # contain HTML (selftext_html) and words like "blocked".
    return resp.text().lstrip().startswith("<")


def _error_body(resp: Response) -> Mapping[str, Any] | None:
    """Reddit's `{"message": ..., "error": <status>}` body, or None."""
    try:
        body = resp.json()
    except BadBody:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), int):
        return body
    return None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: Retry-After if sent, else X-Ratelimit-Reset (seconds to the reset)."""
    seconds = retry_after(headers)
    if seconds is not None:
        return seconds
    try:
        return max(0.0, float(headers.get("x-ratelimit-reset", "")))
    except ValueError:
        return None


def _find(resp: Response, wanted: Thing) -> Mapping[str, Any] | None:
    """The data of the wanted thing in a Listing (api/info) or [Listing, Listing] (comments)."""
    body = resp.json()
    listing = body[0] if isinstance(body, list) and body else body
    if not (isinstance(listing, dict) and isinstance(listing.get("data"), dict)):
        raise BadBody(f"response from {resp.url} is not a Reddit Listing")
    for child in listing["data"].get("children") or ():
        data = child.get("data") if isinstance(child, dict) else None
        if isinstance(data, dict) and data.get("name") == wanted.fullname:
            return data
    return None


def observe(data: Mapping[str, Any] | None, wanted: Thing) -> Observation:
    """Gone if Reddit marks the thing deleted or removed, else Seen."""
    if data is None:
        # api/info leaves out what we may not see (a private subreddit) as well as unknown ids;
        # neither proves a deletion.
        return Hidden(f"Reddit did not return {wanted.fullname} (unknown id or not visible)")
    gone = gone_signal(data)
    return gone if gone is not None else Seen(thing_post(data))


def gone_signal(data: Mapping[str, Any]) -> Gone | None:
    """Gone if Reddit marks the thing (a t3 or t1 data object) deleted or removed, else None."""
    name = data.get("name", "")
    category = data.get("removed_by_category")
    if isinstance(category, str) and category:
        removed = category not in _BY_AUTHOR
        return Gone(f"Reddit: {name} removed_by_category={category}", removed=removed)
    text = data.get("body", data.get("selftext"))
    if text == "[removed]":
        return Gone(f"Reddit: {name} is [removed] by moderators", removed=True)
    # A deleted *account* leaves author "[deleted]" with the text intact: not a deletion.
    if text == "[deleted]":
        return Gone(f"Reddit: {name} is [deleted] by its author")
    return None


def thing_post(data: Mapping[str, Any]) -> Post:
    """The Post of a t3 (post) or t1 (comment) data object."""
    edited = data.get("edited")
    edited_at = _time(edited) if not isinstance(edited, bool) else None
    permalink = str(data.get("permalink") or "")
    return Post(
        id=str(data.get("id") or ""),
        url=f"{WEB}{permalink}" if permalink.startswith("/") else permalink,
        text=_text(data),
        author=_author(str(data.get("author") or "")),
        created_at=_time(data.get("created_utc")),
        edited_at=edited_at,
        title=str(data.get("title") or "") if "body" not in data else "",
        media=_media(data),
        metrics=_metrics(data),
        platform_edited=bool(edited),
    )


def _metrics(data: Mapping[str, Any]) -> Mapping[str, int]:
    names = _COMMENT_METRICS if "body" in data else METRICS
    return MappingProxyType(
        {k: v for k in names if isinstance(v := data.get(k), int) and not isinstance(v, bool)}
    )


def _text(data: Mapping[str, Any]) -> str:
    """The markdown as typed; a link post's target URL is part of what it says."""
    if "body" in data:
        return str(data.get("body") or "")
    parts = [str(data.get("selftext") or "")]
    # A gallery's url is its own /gallery/ page: the media ids say more.
    if data.get("is_self") is False and data.get("url") and not data.get("is_gallery"):
        parts.append(str(data["url"]))
    return "\n\n".join(part for part in parts if part)


def _author(name: str) -> str:
    return f"u/{name}" if name and name != "[deleted]" else name


def _time(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None


def _media(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Reddit's media ids (gallery order when there is one); their URLs carry signatures."""
    gallery = data.get("gallery_data")
    if isinstance(gallery, dict):
        return tuple(str(i["media_id"]) for i in gallery.get("items") or () if "media_id" in i)
    metadata = data.get("media_metadata")
    return tuple(str(key) for key in metadata) if isinstance(metadata, dict) else ()
