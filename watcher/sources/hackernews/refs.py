"""Which URLs are Hacker News's: item pages (posts) and user pages (accounts)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

API = "https://hacker-news.firebaseio.com"
SITE = "https://news.ycombinator.com"
_HOSTS = frozenset({"news.ycombinator.com"})
_ID = re.compile(r"[1-9]\d{0,11}")
# HN asks for 2-15 letters, digits, "-" or "_"; a little wider, for names from older rules.
_USER = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ACCOUNT_PAGES = frozenset({"/user", "/submitted"})


def item_id(url: str) -> str | None:
    """The item id of a news.ycombinator.com/item?id=N URL, or None if `url` is not one."""
    ids = _query_id(url, frozenset({"/item"}))
    return ids if ids is not None and _ID.fullmatch(ids) else None


def user_name(url: str) -> str | None:
    """The user name of a news.ycombinator.com/user?id= or /submitted?id= URL, or None. Names
    are case-sensitive on HN, so the name is kept as written."""
    name = _query_id(url, _ACCOUNT_PAGES)
    return name if name is not None and _USER.fullmatch(name) else None


def _query_id(url: str, paths: frozenset[str]) -> str | None:
    """The one `id` query value of an HN page URL at one of `paths`, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in _HOSTS:
        return None
    if parts.path not in paths:
        return None
    ids = parse_qs(parts.query).get("id", [])
    return ids[0] if len(ids) == 1 else None
