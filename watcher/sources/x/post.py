"""An X syndication post body (`tweet-result`, `__typename: "Tweet"`) as a `Post`.

The body's `text` is stored the way X stores it: HTML entities escaped (`&amp;`), links as
t.co short links with their targets in `entities.urls`, the link to attached media at the end,
and reply mentions at the start outside `display_text_range`. The Post's text is what a reader
sees instead: mentions before the range cut, t.co links replaced by their `expanded_url`, the
media link dropped (the media ids stand for it), entities unescaped.

`entities` and each of its lists may be a list, `{}` (X sent empty lists that way in early 2026)
or missing (since mid-2026 X leaves out empty ones).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from watcher.errors import BadBody
from watcher.model import Post, Quoted, QuotedPresence
from watcher.normalize import parse_time
from watcher.sources.common import media_urls, metrics
from watcher.sources.x.quoted import is_tombstone, tombstone_notice, tombstone_presence

log = logging.getLogger(__name__)

Tweet = dict[str, Any]

# Counters → metric names; never content. The root post carries favorite_count and
# conversation_count; the others appear on some shapes (quoted posts, older bodies).
METRICS = {
    "favorite_count": "likes",
    "conversation_count": "replies",
    "reply_count": "replies",
    "retweet_count": "reposts",
    "quote_count": "quotes",
}
_TRAILING_TCO = re.compile(r"\s*(https?://t\.co/[A-Za-z0-9]+)\s*$")
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")
# A post's permalink on X (or Twitter): the quoted post's, among a quote post's links.
_PERMALINK = re.compile(r"(?:x|twitter)\.com/([A-Za-z0-9_]{1,20})/status/(\d{1,20})")
_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here (2010-11-04)


def tweet_post(body: Tweet) -> Post:
    """The Post of a syndication body that has its `user` (the caller checked)."""
    post_id = str(body.get("id_str") or "")
    screen_name = str(body["user"].get("screen_name") or "")
    if not post_id.isdigit() or not screen_name:
        raise BadBody("X post without a numeric id_str or an author screen_name")
    if isinstance(body.get("note_tweet"), dict):
        # A long post: `text` holds only its first ~280 characters and this endpoint has no
        # more, so edits past the cut are invisible here. Nothing is added to mark the cut:
        # the text is what X sent, not words we made up.
        log.debug("x: %s is a long post; its text is truncated", post_id)
    chain = edit_chain(body)
    created, edited = _times(body, post_id, chain)
    return Post(
        id=post_id,
        url=f"https://x.com/{screen_name}/status/{post_id}",
        text=visible_text(body),
        author=f"@{screen_name}",
        created_at=created,
        edited_at=edited,
        media=tuple(_media_ids(body)),
        metrics=_metrics(body),
        platform_edited=body.get("isEdited") is True or len(chain) > 1,
        media_urls=media_urls(_media_addresses(body)),
        quoted=quoted_tweet(body),
    )


def quoted_tweet(body: Tweet) -> Quoted | None:
    """The post a quote post quotes (`quoted_tweet`), with its own presence: in place of one X
    no longer shows, a tombstone's notice (`quoted`), never content. None when it quotes none.

    A tombstone carries no id: the quoted post is then known by the quoting post's
    `quoted_status_id_str`, else by its permalink among the quoting post's links, so that its
    identity (part of the quoting post's hash) does not change with its presence."""
    quoted = body.get("quoted_tweet")
    if not isinstance(quoted, dict) or not quoted:
        return None
    post_id, url = _quoted_ref(body, quoted)
    if is_tombstone(quoted):
        notice = tombstone_notice(quoted)
        return Quoted(post_id, url, presence=tombstone_presence(notice), notice=notice)
    user = quoted.get("user")
    name = str(user.get("screen_name") or "") if isinstance(user, dict) else ""
    if not name:
        # X sends a post of an account that no longer exists without its `user`: that proves
        # nothing alone (`answers`), so it is not guessed, and X said no words to keep.
        return Quoted(post_id, url, presence=QuotedPresence.UNKNOWN)
    return Quoted(
        post_id,
        f"https://x.com/{name}/status/{post_id}",
        name,
        text=visible_text(quoted),
        media=tuple(_media_ids(quoted)),
    )


def _quoted_ref(body: Tweet, quoted: Mapping[str, Any]) -> tuple[str, str]:
    """(id, url) of the quoted post, from itself or, for a tombstone, from the quoting post."""
    post_id = str(quoted.get("id_str") or body.get("quoted_status_id_str") or "")
    for item in _entity_list(body, "urls"):
        match = _PERMALINK.search(str(item.get("expanded_url") or ""))
        if match and post_id in ("", match.group(2)):
            return match.group(2), f"https://x.com/{match.group(1)}/status/{match.group(2)}"
    return post_id, f"https://x.com/i/status/{post_id}" if post_id.isdigit() else ""


def edit_chain(body: Tweet) -> tuple[str, ...]:
    """The ids of every version of the post, oldest first (one id when never edited).

    Syndication sends `edit_control.edit_tweet_ids`; X's GraphQL shape nests the list in
    `edit_control.edit_control_initial` on later versions, so both are read."""
    control = body.get("edit_control")
    if not isinstance(control, dict):
        return ()
    ids = control.get("edit_tweet_ids")
    initial = control.get("edit_control_initial")
    if not isinstance(ids, list) and isinstance(initial, dict):
        ids = initial.get("edit_tweet_ids")
    return tuple(str(i) for i in ids if str(i).isdigit()) if isinstance(ids, list) else ()


def newer_version(body: Tweet) -> str | None:
    """The id of the newest version when `body` is an older one (an edit replaced it)."""
    chain = edit_chain(body)
    post_id = str(body.get("id_str") or "")
    if chain and chain[-1] != post_id:
        return chain[-1]
    if body.get("isStaleEdit") is True:
        log.debug("x: %s is a stale edit but names no newer version", post_id)
    return None


def visible_text(body: Tweet) -> str:
    """The text a reader sees (see the module docstring)."""
    raw = str(body.get("text") or "")
    start, end = _display_range(body, len(raw))
    text = _drop_hidden_links(raw[start:], _media_links(body), end - start)
    targets = _link_targets(body)
    # Unescaped before the links go in: a target's `&notify=1` is no `&not;` entity.
    return _TCO.sub(lambda m: targets.get(m.group(), m.group()), html.unescape(text))


def _display_range(body: Tweet, length: int) -> tuple[int, int]:
    """`display_text_range` as code point offsets into `text`, clamped to it.

    Entity indices count code points; the range's end has been seen counting UTF-16 units (one
    more per emoji outside the BMP), so the end is never used to cut words, only to recognise
    a trailing link as hidden (see `_drop_hidden_links`)."""
    span = body.get("display_text_range")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(i, int) for i in span)):
        return 0, length
    start = min(max(span[0], 0), length)
    return start, max(start, span[1])


def _drop_hidden_links(text: str, media: frozenset[str], visible_end: int) -> str:
    """`text` without its trailing media links and trailing links past the visible range (a
    quoted post's permalink). Only whole t.co links are dropped, never words."""
    while (match := _TRAILING_TCO.search(text)) is not None:
        link = match.group(1)
        if link not in media and match.start(1) < visible_end:
            break
        text = text[: match.start()]
    return text


def _entity_list(body: Tweet, key: str) -> list[Mapping[str, Any]]:
    """`entities[key]` as a list of objects, whatever empty shape X sent."""
    entities = body.get("entities")
    items = entities.get(key) if isinstance(entities, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _media_links(body: Tweet) -> frozenset[str]:
    attached = _media_details(body)
    return frozenset(
        str(item["url"]) for item in [*_entity_list(body, "media"), *attached] if item.get("url")
    )


def _link_targets(body: Tweet) -> dict[str, str]:
    return {
        str(item["url"]): str(item["expanded_url"])
        for item in _entity_list(body, "urls")
        if item.get("url") and item.get("expanded_url")
    }


def _media_details(body: Tweet) -> list[Mapping[str, Any]]:
    details = body.get("mediaDetails")
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _media_addresses(body: Tweet) -> Iterator[object]:
    """Where each attached photo or video can be seen, in the post's order: a photo's
    `media_url_https`, a video's (or GIF's) mp4 of the highest bitrate, else its poster."""
    for item in _media_details(body):
        yield _best_mp4(item) or item.get("media_url_https")


def _best_mp4(item: Mapping[str, Any]) -> object:
    info = item.get("video_info")
    variants = info.get("variants") if isinstance(info, dict) else None
    mp4s = [
        v
        for v in (variants if isinstance(variants, list) else ())
        if isinstance(v, dict) and v.get("content_type") == "video/mp4" and v.get("url")
    ]
    best = max(mp4s, key=lambda v: _count(v.get("bitrate")), default=None)
    return best["url"] if best else None


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _media_ids(body: Tweet) -> Iterator[str]:
    """A stable id per attached photo or video, in the post's order.

    The syndication bodies recorded so far carry no media id, only `media_url_https`, the
    image's (or video poster's) address on pbs.twimg.com, which does not change for the life
    of the media; X's other shapes have `media_key` / `id_str`, used when there is no address.
    """
    for item in _media_details(body):
        address = str(item.get("media_url_https") or "").split("?")[0]
        media_id = address or str(item.get("media_key") or item.get("id_str") or "")
        if media_id:
            yield media_id


def _times(
    body: Tweet, post_id: str, chain: tuple[str, ...]
) -> tuple[datetime | None, datetime | None]:
    """(created_at, edited_at): a later version's own `created_at` is when it was edited; the
    post itself was created with the first version, whose time its snowflake id holds."""
    own = parse_time(str(body.get("created_at") or ""))
    if len(chain) < 2 or post_id == chain[0]:
        return own, None
    return snowflake_time(chain[0]) or own, own


def snowflake_time(post_id: str) -> datetime | None:
    """When a post with this id was created, to the second (what `created_at` says)."""
    if not post_id.isdigit():
        return None
    millis = (int(post_id) >> 22) + _TWITTER_EPOCH_MS
    return datetime.fromtimestamp(millis // 1000, UTC)


def _metrics(body: Tweet) -> Mapping[str, int]:
    """The counters under X's names, renamed to the metric names (see `METRICS`)."""
    return MappingProxyType({METRICS[key]: n for key, n in metrics(body, METRICS).items()})
