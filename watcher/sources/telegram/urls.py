"""Which URLs are public Telegram channel posts (`t.me/<channel>/<id>`) and channels
(`t.me/<channel>`, `t.me/s/<channel>`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PUBLIC_WEB = "https://t.me"
_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})
# t.me/<channel>/<id> and t.me/s/<channel>/<id>; usernames are 4-32 word characters starting
# with a letter, so t.me/c/<internal id>/<id> (private channels, login only) never matches.
_PATH = re.compile(r"/(?:s/)?([A-Za-z]\w{3,31})/(\d+)/?")
_CHANNEL_PATH = re.compile(r"/(?:s/)?([A-Za-z]\w{3,31})/?")
# t.me pages of Telegram's own that are shaped like a username (usernames cannot take these).
_RESERVED = frozenset(
    "joinchat addstickers addemoji addtheme addlist share proxy socks setlanguage login "
    "invoice boost contact giftcode confirmphone".split()
)


def post_ref(url: str) -> tuple[str, str] | None:
    """(channel, message id) of a public Telegram post URL, or None if `url` is not one."""
    match = _PATH.fullmatch(_telegram_path(url))
    return (match.group(1), match.group(2)) if match else None


def channel_ref(url: str) -> str | None:
    """The channel username of `t.me/<channel>` or `t.me/s/<channel>` (never a post URL)."""
    match = _CHANNEL_PATH.fullmatch(_telegram_path(url))
    if match is None or match.group(1).lower() in _RESERVED:
        return None
    return match.group(1)


def _telegram_path(url: str) -> str:
    """The path of a Telegram web URL, or "" for any other URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in _HOSTS:
        return ""
    return parts.path
