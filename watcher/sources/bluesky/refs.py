"""Which URLs are Bluesky's: post URLs (bsky.app or at://) and profile URLs, and the actor
(handle or DID) and record key they name."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

API = "https://public.api.bsky.app"
COLLECTION = "app.bsky.feed.post"
_HANDLE = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
)
_DID = r"did:(?:plc|web):[a-zA-Z0-9._:%-]+"
_RKEY = r"[a-zA-Z0-9._~:-]{1,512}"
_WEB_POST = re.compile(rf"/profile/({_HANDLE}|{_DID})/post/({_RKEY})/?")
AT_URI = re.compile(rf"at://({_HANDLE}|{_DID})/{re.escape(COLLECTION)}/({_RKEY})")
_PROFILE = re.compile(rf"/profile/({_HANDLE}|{_DID})/?")
_WEB_HOSTS = frozenset({"bsky.app", "www.bsky.app"})


def post_ref(url: str) -> tuple[str, str] | None:
    """(handle or DID, rkey) of a bsky.app post URL or an at:// post URI, or None."""
    if url.startswith("at://"):
        match = AT_URI.fullmatch(url.split("?")[0].split("#")[0])
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in _WEB_HOSTS:
            return None
        match = _WEB_POST.fullmatch(unquote(parts.path))
    if match is None:
        return None
    return _actor(match.group(1)), match.group(2)


def profile_ref(url: str) -> str | None:
    """The handle or DID of a bsky.app profile URL (not one of its posts, feeds or lists)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in _WEB_HOSTS:
        return None
    match = _PROFILE.fullmatch(unquote(parts.path))
    return _actor(match.group(1)) if match else None


def at_uri(did: str, rkey: str) -> str:
    """The at:// URI of the post `rkey` in the repository of `did`."""
    return f"at://{did}/{COLLECTION}/{rkey}"


def rkey_of(uri: str) -> str:
    """The record key: the last part of an at:// post URI."""
    return uri.rsplit("/", 1)[1]


def _actor(actor: str) -> str:
    # Handles are case-insensitive; DIDs are not.
    return actor if actor.startswith("did:") else actor.lower()
