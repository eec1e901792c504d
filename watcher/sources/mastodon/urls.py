"""Which URLs are Mastodon statuses (`/@user/<id>` and its spellings) and accounts (`/@user`,
`/users/user`, a typed `@user@instance`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_USER = r"@[\w.-]+(?:@[\w.-]+)?"  # @user or @user@other.host
_STATUS_PATHS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"/{_USER}/(\d+)/?",
        r"/users/[\w.-]+/statuses/(\d+)/?",
        rf"/web/{_USER}/(\d+)/?",
        r"/web/statuses/(\d+)/?",
    )
)
# Account pages: /@user, /@user@other.host, /users/user (ActivityPub actor URL); and a handle
# typed as text, @user@instance.
_ACCOUNT_PATH = re.compile(r"/(?:@|users/)([\w.-]+)(?:@([\w.-]+))?/?")
# Sites that are not Mastodon but have /@user pages (their URLs go to `web` unless --platform).
_NOT_FEDIVERSE = frozenset(
    {"medium.com", "youtube.com", "tiktok.com", "threads.net", "threads.com", "substack.com"}
)
_HANDLE = re.compile(r"@([\w.-]+)@([\w-]+(?:\.[\w-]+)*(?::\d+)?)")


def status_id(url: str) -> str | None:
    """The numeric status id in a Mastodon status URL, or None if `url` is not one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or _elsewhere(parts.hostname):
        return None
    for pattern in _STATUS_PATHS:
        match = pattern.fullmatch(parts.path)
        if match:
            return match.group(1)
    return None


def _elsewhere(host: str | None) -> bool:
    """Whether `host` is a known non-Mastodon site (or a subdomain of one)."""
    host = (host or "").lower()
    return any(host == site or host.endswith("." + site) for site in _NOT_FEDIVERSE)


def account(url: str) -> tuple[str, str, str] | None:
    """(user, origin of the home instance, home host) for an account URL or handle."""
    handle = _HANDLE.fullmatch(url.strip())
    if handle:
        return handle.group(1), f"https://{handle.group(2)}", handle.group(2)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or _elsewhere(parts.hostname):
        return None
    match = _ACCOUNT_PATH.fullmatch(parts.path)
    if match is None or (match.group(2) and not parts.path.startswith("/@")):
        return None
    user, other = match.groups()
    if other:  # a remote account seen through this instance: its home has the full timeline
        return user, f"https://{other}", other
    return user, f"{parts.scheme}://{parts.netloc}", parts.hostname
