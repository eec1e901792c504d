"""Reading Telegram's `tgme_widget_message` markup: the embed widget of one post and the
channel preview page, which shares the widget's message markup (so a post read from either is
the same Post)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from watcher.errors import BadBody
from watcher.model import Broken, Gone, Hidden, Observation, Page, Post, Seen, TimelineObservation
from watcher.normalize import element_text, html_document, parse_time
from watcher.sources.common import Response, media_urls
from watcher.sources.telegram.urls import PUBLIC_WEB

_NOT_FOUND = re.compile(r"not\s+found", re.IGNORECASE)
_EDITED = re.compile(r"\bedited\b", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_VIEWS = re.compile(r"([\d.,]+)\s*([KMB]?)", re.IGNORECASE)
_BACKGROUND = re.compile(r"background-image\s*:\s*url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
# Media elements that link to their own message: the link is a stable id, the CDN URL is not.
_MEDIA = {
    "tgme_widget_message_photo_wrap": "photo",
    "tgme_widget_message_video_player": "video",
    "tgme_widget_message_roundvideo_player": "video",
}


def parse_page(resp: Response) -> lxml.html.HtmlElement:
    """The whole parsed page: BadBody for an empty body, one that is no HTML, or one the
    parser could not read whole (a cut-off page would hide messages)."""
    text = resp.text()
    if not text.strip():
        raise BadBody(f"empty body from {resp.url}")
    try:
        return html_document(text, resp.url)
    except (etree.ParserError, ValueError) as exc:
        raise BadBody(f"response from {resp.url} is not HTML: {exc}") from exc


def _all(root: etree._Element, xpath: str) -> list[etree._Element]:
    found = root.xpath(xpath)
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []


def _first(root: etree._Element, css_class: str) -> etree._Element | None:
    found = _all(root, f"descendant-or-self::*[{_has_class(css_class)}]")
    return found[0] if found else None


def _has_class(css_class: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')"


def read_widget(root: etree._Element, channel: str, ident: str) -> Observation:
    """Gone for the widget's "not found" error, Seen for a message, Broken for anything else."""
    error = _first(root, "tgme_widget_message_error")
    if error is not None:
        words = element_text(error)
        if _NOT_FOUND.search(words):
            return Gone(f"Telegram: {words} ({channel}/{ident})")
        # Another refusal (a restricted channel, say): the post may well exist.
        return Hidden(f"Telegram: {words or 'widget error'} ({channel}/{ident})")
    message = _first(root, "tgme_widget_message")
    if message is None:
        return Broken(f"Telegram answered without the post widget for {channel}/{ident}")
    return Seen(message_post(message, channel, ident))


def read_channel(root: etree._Element, channel: str) -> TimelineObservation:
    """The preview page's messages as a Page, newest first; Hidden for the contact page that
    stands in for a channel without a public preview; Broken for anything else."""
    history = _first(root, "tgme_channel_history")
    if history is None:
        if _first(root, "tgme_page") is not None:
            return Hidden(
                f"Telegram shows no public preview of @{channel}: private, restricted, "
                "not a channel, or no such channel"
            )
        return Broken(f"Telegram answered without the channel preview for @{channel}")
    # The "No posts found" placeholder sits in a message wrap but is no message: an empty Page.
    messages = _all(history, f".//*[{_has_class('tgme_widget_message')}]")
    if any(not message.get("data-post") for message in messages):
        # Without its id a message could not be followed; skipping it would hide a post.
        return Broken(f"a message on @{channel}'s preview page has no data-post id")
    posts = [message_post(message, channel, "") for message in messages]
    return Page(tuple(reversed(posts)), f"@{channel}")  # the page lists oldest first


def message_post(message: etree._Element, channel: str, ident: str) -> Post:
    """The Post of one `.tgme_widget_message` element."""
    date = _first(message, "tgme_widget_message_date")
    times = [t.get("datetime") or "" for t in _all(date, ".//time")] if date is not None else []
    post_id = message.get("data-post") or f"{channel}/{ident}"
    views = _first(message, "tgme_widget_message_views")
    count = parse_count(element_text(views)) if views is not None else None
    media = _media(message)
    return Post(
        id=post_id,
        url=(date.get("href") if date is not None else None) or f"{PUBLIC_WEB}/{post_id}",
        text=_text(message),
        author=_author(message, channel),
        created_at=parse_time(times[0]) if times else None,
        media=tuple(ident for ident, _ in media),
        metrics=MappingProxyType({"views": count} if count is not None else {}),
        platform_edited=_edited(message),
        media_urls=media_urls(url for _, url in media),
    )


def _text(message: etree._Element) -> str:
    """The message text, then a poll's question and options. A quoted reply is not ours."""
    outside_reply = f"not(ancestor::*[{_has_class('tgme_widget_message_reply')}])"
    parts = [
        element_text(el)
        for css in (
            "tgme_widget_message_text",
            "tgme_widget_message_poll_question",
            "tgme_widget_message_poll_option_text",
        )
        for el in _all(message, f".//*[{_has_class(css)} and {outside_reply}]")
    ]
    return "\n".join(part for part in parts if part)


def _author(message: etree._Element, channel: str) -> str:
    """The channel's name, and the admin's signature on signed posts."""
    owner = _first(message, "tgme_widget_message_owner_name")
    name = element_text(owner) if owner is not None else ""
    signed = _first(message, "tgme_widget_message_from_author")
    signature = element_text(signed) if signed is not None else ""
    name = name or f"@{channel}"
    return f"{name} ({signature})" if signature else name


def _edited(message: etree._Element) -> bool:
    """The word "edited" in the meta span's own text; a signature named "edited" is not it."""
    meta = _first(message, "tgme_widget_message_meta")
    if meta is None:
        return False
    own = [meta.text or ""] + [child.tail or "" for child in meta]
    return bool(_EDITED.search(" ".join(own)))


def _media(message: etree._Element) -> list[tuple[str, str | None]]:
    """Each medium's id (`kind:` and its own message's path) and where it can be seen."""
    found: list[tuple[str, str | None]] = []
    for css, kind in _MEDIA.items():
        for el in _all(message, f".//a[{_has_class(css)}]"):
            path = urlsplit(el.get("href") or "").path.strip("/")
            if path:
                found.append((f"{kind}:{path}", _shown_at(el)))
    return found


def _shown_at(el: etree._Element) -> str | None:
    """A photo's background image; a video's file, else its thumbnail's background image.
    (CDN addresses, signed and short-lived: never the medium's id.)"""
    videos = _all(el, ".//video[@src]")
    if videos:
        return videos[0].get("src")
    for styled in (el, *_all(el, ".//*[@style]")):
        match = _BACKGROUND.search(styled.get("style") or "")
        if match:
            return match.group(1).strip()
    return None


def parse_count(text: str) -> int | None:
    """A view counter as an int: "2", "1,234", "37.2K" → 37200, "1.2M" → 1200000."""
    match = _VIEWS.search(text)
    if match is None:
        return None
    number, suffix = match.group(1).replace(",", ""), match.group(2).upper()
    try:
        return int(Decimal(number) * _SCALE[suffix])
    except InvalidOperation:
        return None
