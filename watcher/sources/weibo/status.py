"""A Weibo status (as `statuses/show` or a timeline card gives it) as a Post."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

from watcher.model import Post, Quoted, QuotedPresence
from watcher.normalize import html_to_text, parse_time
from watcher.sources.common import media_urls
from watcher.sources.weibo.notices import notice_presence

# Counters a status carries; stored as metrics, never part of the content.
METRICS = ("reposts_count", "comments_count", "attitudes_count")

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
# "Sun Jun 01 10:12:31 +0800 2025"
_WEIBO_TIME = re.compile(
    r"\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})"
)


def status_post(status: Mapping[str, Any], html: str) -> Post:
    """The Post of a status whose full HTML text is `html`. A repost carries the reposted
    status as its quoted post, which has a presence of its own."""
    ident = str(status.get("id") or status.get("mid"))
    text = html_to_text(html)
    media, urls = _pic_ids(status), _pic_urls(status)
    original = status.get("retweeted_status")
    quoted = _quoted(original) if isinstance(original, dict) else None
    if isinstance(original, dict):
        urls += _pic_urls(original)  # where readers see the pictures: below the repost
    return Post(
        id=ident,
        url=f"https://m.weibo.cn/detail/{ident}",
        text=text,
        author=_author(status),
        created_at=weibo_time(str(status.get("created_at") or "")),
        media=media,
        metrics=_metrics(status),
        platform_edited=_edited(status),
        media_urls=media_urls(urls),
        quoted=quoted,
    )


def _quoted(original: Mapping[str, Any]) -> Quoted:
    """The reposted status, with its own presence: in place of one Weibo no longer shows, its
    text is a notice (`notices`), never content."""
    embedded = (original.get("longText") or {}).get("longTextContent")
    text = html_to_text(str(embedded or original.get("text") or ""))
    ident = str(original.get("id") or original.get("mid") or original.get("idstr") or "")
    author = _author(original)
    presence = notice_presence(original, text)
    visible = presence is None
    return Quoted(
        id=ident,
        url=f"https://m.weibo.cn/detail/{ident}" if ident else "",
        author=author,
        presence=presence or QuotedPresence.VISIBLE,
        text=text if visible else "",
        media=_pic_ids(original),
        notice="" if visible else text,
        # `//@name: text`, Weibo's own notation, as reposts were stored before schema 6
        legacy=f"//@{author}: {text}" if author else f"//{text}",
    )


def _author(status: Mapping[str, Any]) -> str:
    user = status.get("user")
    return str(user.get("screen_name") or "") if isinstance(user, dict) else ""


def _pic_ids(status: Mapping[str, Any]) -> tuple[str, ...]:
    """Picture ids: `pic_ids` (statuses/show), else the `pid`s of `pics` (timeline cards)."""
    ids = status.get("pic_ids")
    if isinstance(ids, list):
        return tuple(str(p) for p in ids if p)
    pics = status.get("pics")
    if isinstance(pics, list):
        return tuple(str(p["pid"]) for p in pics if isinstance(p, dict) and p.get("pid"))
    return ()


# A picture's variants in `pic_infos`, largest first.
_SIZES = ("largest", "original", "mw2000", "large", "bmiddle", "thumbnail")


def _pic_urls(status: Mapping[str, Any]) -> list[object]:
    """Where each picture can be seen, at its largest, in `_pic_ids` order: `pic_infos` by pid
    (the weibo.com shape), else `pics[].large.url` (m.weibo.cn's show and timeline cards)."""
    infos = status.get("pic_infos")
    if isinstance(infos, dict) and infos:
        return [_url(infos.get(pid), *_SIZES) for pid in _pic_ids(status) or tuple(infos)]
    pics = status.get("pics")
    if not isinstance(pics, list):
        return []
    return [_url(pic, "large") or pic.get("url") for pic in pics if isinstance(pic, dict)]


def _url(variants: object, *sizes: str) -> object:
    """The `url` of the first of `sizes` that `variants` ({size: {"url": ...}}) has, or None."""
    if not isinstance(variants, dict):
        return None
    for size in sizes:
        variant = variants.get(size)
        if isinstance(variant, dict) and variant.get("url"):
            return variant["url"]
    return None


def _edited(status: Mapping[str, Any]) -> bool:
    config = status.get("edit_config")
    flagged = isinstance(config, dict) and config.get("edited") is True
    count = _count(status.get("edit_count"))
    return flagged or (count is not None and count > 0)


def _count(value: object) -> int | None:
    """An int counter; display strings such as "100万+" are not counts."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _metrics(status: Mapping[str, Any]) -> Mapping[str, int]:
    # Not `common.metrics`: Weibo sends some counters as digit strings ("12"), which count.
    counts = {key: n for key in METRICS if (n := _count(status.get(key))) is not None}
    return MappingProxyType(counts)


def weibo_time(value: str) -> datetime | None:
    """Weibo's "Sun Jun 01 10:12:31 +0800 2025" as aware UTC, parsed without the locale.
    Relative times ("3分钟前") are not absolute and give None."""
    match = _WEIBO_TIME.fullmatch(value.strip())
    if match is None:
        return parse_time(value) if _looks_iso(value) else None
    month, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
    if month not in _MONTHS:
        return None
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    try:
        when = datetime(
            int(year),
            _MONTHS[month],
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None
    return when.astimezone(UTC)


def _looks_iso(value: str) -> bool:
    return bool(re.match(r"\d{4}-\d{2}-\d{2}", value.strip()))
