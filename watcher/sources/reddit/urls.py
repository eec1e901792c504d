"""Which Reddit URLs name a post or comment (`thing`) and which an account (`profile`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

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
