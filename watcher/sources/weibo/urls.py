"""Which Weibo URLs name a post (`post_id`) and which an account (`account_uid`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

DEFAULT_BASE = "https://m.weibo.cn"

_MID = r"\d{6,20}"  # numeric id (`id`/`mid`)
_BID = r"[0-9A-Za-z]{9}"  # base62 short id used in weibo.com URLs
_ID = rf"({_MID}|{_BID})"
_PATHS: Mapping[str, tuple[re.Pattern[str], ...]] = {
    "weibo.com": (re.compile(rf"/\d+/{_ID}/?"), re.compile(rf"/detail/({_MID})/?")),
    "m.weibo.cn": (
        re.compile(rf"/(?:detail|status)/{_ID}/?"),
        re.compile(rf"/\d+/{_ID}/?"),  # what the app's "copy link" gives: /<uid>/<mid>
    ),
    # The old mobile site (dataabc/weibo-spider reads posts at weibo.cn/comment/<bid>).
    "weibo.cn": (re.compile(rf"/comment/{_ID}/?"),),
}
_HOSTS = {"www.weibo.com": "weibo.com", "www.weibo.cn": "weibo.cn"}
_UID = r"(\d{5,16})"
_ACCOUNT_PATHS: Mapping[str, tuple[re.Pattern[str], ...]] = {
    "weibo.com": (re.compile(rf"/u/{_UID}/?"), re.compile(rf"/{_UID}/?")),
    "m.weibo.cn": (re.compile(rf"/(?:u|profile)/{_UID}/?"),),
}


def post_id(url: str) -> str | None:
    """The numeric id or base62 bid in a Weibo post URL, or None if `url` is not one."""
    for match in _matches(url, _PATHS):
        if not _is_word(match.group(1)):
            return match.group(1)
    return None


def account_uid(url: str) -> str | None:
    """The numeric uid in a Weibo account URL, or None if `url` is not one."""
    for match in _matches(url, _ACCOUNT_PATHS):
        return match.group(1)
    return None


def _matches(url: str, table: Mapping[str, tuple[re.Pattern[str], ...]]) -> list[re.Match[str]]:
    """The matches of `url`'s path among the patterns `table` lists for its host, in order."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return []
    host = (parts.hostname or "").lower()
    patterns = table.get(_HOSTS.get(host, host), ())
    return [match for pattern in patterns if (match := pattern.fullmatch(parts.path))]


def _is_word(ident: str) -> bool:
    """Page names such as `following` have the shape of a bid; real bids mix cases or digits."""
    return ident.isalpha() and ident.islower()
