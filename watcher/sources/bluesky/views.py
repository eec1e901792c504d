"""A Bluesky postView as a `Post`: the one reading getPostThread, getPosts and getAuthorFeed
share, so a post is equal however it was read.

Bluesky has no edit feature: a record only changes by being replaced (new `cid`), so
`platform_edited` is always False and `edited_at` None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from watcher.errors import BadBody
from watcher.model import Post
from watcher.normalize import parse_time
from watcher.sources.bluesky.quoted import quoted_view
from watcher.sources.bluesky.refs import AT_URI
from watcher.sources.common import media_urls, metrics

# Counters a postView carries; stored as metrics, never part of the content.
METRICS = ("likeCount", "repostCount", "replyCount", "quoteCount")


def post_view(view: Mapping[str, Any], rkey: str) -> Post:
    """The Post of a postView. Content comes from the author's record, not the hydrated view:
    the view's embed carries the quoted post's current text and counters, which change without
    this post changing; that text is the quoted post's own (`quoted`), with its presence."""
    record: Mapping[str, Any] = view["record"]
    author = view.get("author") or {}
    actor = str(author.get("handle") or author.get("did") or "")
    raw_embed = record.get("embed")
    embed: Mapping[str, Any] = raw_embed if isinstance(raw_embed, dict) else {}
    return Post(
        id=str(view.get("uri") or rkey),
        url=f"https://bsky.app/profile/{actor}/post/{rkey}",
        text=_text(record, embed),
        author=f"@{author['handle']}" if author.get("handle") else str(author.get("did") or ""),
        created_at=parse_time(str(record.get("createdAt") or "")),
        media=tuple(_blob_cids(embed)),
        metrics=metrics(view, METRICS),
        media_urls=media_urls(_view_urls(view.get("embed"))),
        quoted=quoted_view(view.get("embed")),
    )


def feed_post(view: Mapping[str, Any]) -> Post:
    """The Post of a feed item's postView: the same as getPostThread gives for that post."""
    match = AT_URI.fullmatch(str(view.get("uri") or ""))
    if match is None:
        raise BadBody(f"feed item with a post URI that is not a post: {view.get('uri')!r}")
    return post_view(view, match.group(2))


def _text(record: Mapping[str, Any], embed: Mapping[str, Any]) -> str:
    lines = (str(record.get("text") or ""), *_embed_lines(embed))
    return "\n".join(line for line in lines if line)


def _embed_lines(embed: Mapping[str, Any]) -> Iterator[str]:
    """What the author attached, as text: image alt texts, the link card, the quoted post.

    Alt text and the link card are written (or accepted) by the author and change only with the
    record; the quoted post is named by URI, not copied, since its text is someone else's."""
    kind = str(embed.get("$type") or "")
    if kind == "app.bsky.embed.recordWithMedia":
        yield from _embed_lines(embed.get("record") or {})
        yield from _embed_lines(embed.get("media") or {})
    elif kind == "app.bsky.embed.record":
        quoted = (embed.get("record") or {}).get("uri")
        if quoted:
            yield f"[quote] {quoted}"
    elif kind == "app.bsky.embed.external":
        card = embed.get("external") or {}
        yield " ".join(str(card.get(k) or "") for k in ("title", "uri")).strip()
    for image in embed.get("images") or ():
        if image.get("alt"):
            yield f"[image] {image['alt']}"
    if embed.get("alt"):  # a video's alt text
        yield f"[video] {embed['alt']}"


def _blob_cids(embed: Mapping[str, Any]) -> Iterator[str]:
    """The content ids of attached images and video: stable, unlike the CDN URLs of the view."""
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        yield from _blob_cids(embed.get("media") or {})
        return
    blobs = [image.get("image") for image in embed.get("images") or ()] + [embed.get("video")]
    for blob in blobs:
        if isinstance(blob, dict):
            # Current blobs have ref.$link; legacy ones a plain cid.
            cid = (blob.get("ref") or {}).get("$link") or blob.get("cid")
            if cid:
                yield str(cid)


def _view_urls(embed: object) -> Iterator[object]:
    """Where the attached images and video can be seen, as the view hydrates them: each image's
    `fullsize` (`thumb` if that is all there is), a video's HLS `playlist`. A record holds only
    blob cids, and the CDN's URL layout is the app view's business, so none is built here."""
    if not isinstance(embed, dict):
        return
    kind = str(embed.get("$type") or "")
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        yield from _view_urls(embed.get("media"))
        return
    images = embed.get("images")
    for image in images if isinstance(images, list) else ():
        if isinstance(image, dict):
            yield image.get("fullsize") or image.get("thumb")
    if kind.startswith("app.bsky.embed.video"):
        yield embed.get("playlist")
