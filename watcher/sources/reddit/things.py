"""A Reddit thing (a t3 post or t1 comment data object) as a Post, or as the Gone it says it is.

A post's direct check and an account's listing both read things here, so the same data gives
the same Post either way: any difference would read as an edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from watcher.model import Gone, Post, Quoted, QuotedPresence
from watcher.sources.common import media_urls, metrics
from watcher.sources.reddit.quoted import parent_notice
from watcher.sources.reddit.urls import WEB

METRICS = ("score", "ups", "num_comments")
# A comment's `num_comments` (user listings send one) counts its thread's comments, not its own.
_COMMENT_METRICS = ("score", "ups")
# `removed_by_category` values that mean the author deleted the post, not a moderator.
_BY_AUTHOR = frozenset({"deleted", "author"})


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
        metrics=metrics(data, _COMMENT_METRICS if "body" in data else METRICS),
        platform_edited=bool(edited),
        media_urls=media_urls(_media_urls(data)),
        quoted=crossposted(data),
    )


def crossposted(data: Mapping[str, Any]) -> Quoted | None:
    """The post a crosspost carries (`crosspost_parent_list[0]`), with its own presence: in
    place of one Reddit no longer shows, its marker (`quoted`), never content."""
    parents = data.get("crosspost_parent_list")
    parent = _object(parents[0]) if isinstance(parents, list) and parents else {}
    fullname = str(data.get("crosspost_parent") or parent.get("name") or "")
    if not parent and not fullname:
        return None
    ident = str(parent.get("id") or fullname.removeprefix("t3_"))
    permalink = str(parent.get("permalink") or "")
    url = f"{WEB}{permalink}" if permalink.startswith("/") else f"{WEB}/comments/{ident}/"
    author = str(parent.get("author") or "")
    gone = parent_notice(parent) if parent else (QuotedPresence.UNKNOWN, "")
    if gone is not None:
        return Quoted(ident, url, presence=gone[0], notice=gone[1])
    title = str(parent.get("title") or "")
    return Quoted(
        ident,
        url,
        author,
        text="\n\n".join(part for part in (title, _text(parent)) if part),
        media=_media(parent),
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


def _media_urls(data: Mapping[str, Any]) -> list[object]:
    """Where the media can be seen: each of `_media` by its metadata; else an image post's own
    image (on i.redd.it, or elsewhere by its preview's source) or its hosted video."""
    metadata = _object(data.get("media_metadata"))
    if metadata:
        return [_metadata_url(_object(metadata.get(ident))) for ident in _media(data)]
    link = str(data.get("url_overridden_by_dest") or data.get("url") or "")
    if _host(link) == "i.redd.it":
        return [link]
    if data.get("post_hint") == "image":
        images = _object(data.get("preview")).get("images")
        return [
            _object(_object(image).get("source")).get("url")
            for image in (images if isinstance(images, list) else ())
        ]
    video = _object(_object(data.get("secure_media") or data.get("media")).get("reddit_video"))
    return [video.get("hls_url") or video.get("fallback_url")]


def _metadata_url(item: Mapping[str, Any]) -> object:
    """An image's source (`s.u`), an animated one's GIF, a video's HLS playlist."""
    source = _object(item.get("s"))
    return source.get("u") or source.get("gif") or source.get("mp4") or item.get("hlsUrl")


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # a malformed address (an unclosed IPv6 bracket) names no host
        return ""


def _object(value: object) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: hostile answers nest anything."""
    return value if isinstance(value, dict) else {}


def _media(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Reddit's media ids (gallery order when there is one); their URLs carry signatures."""
    gallery = data.get("gallery_data")
    if isinstance(gallery, dict):
        return tuple(str(i["media_id"]) for i in gallery.get("items") or () if "media_id" in i)
    metadata = data.get("media_metadata")
    return tuple(str(key) for key in metadata) if isinstance(metadata, dict) else ()
