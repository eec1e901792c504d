"""Telegram public channels: one post through its embed widget, `GET /<channel>/<id>?embed=1`,
and a channel (an account) through its public preview page, `GET /s/<channel>`.

No API key is needed: the widget is the HTML that websites embed. It shows the text, the
channel, the time, the view count and an "edited" label (no edit time, no history). A deleted
or unknown post answers 200 with `<div class="tgme_widget_message_error">Post not found</div>`.

The preview page lists the channel's latest messages (about 20, oldest first) with the same
`tgme_widget_message` markup as the widget, so both go through `message_post`: a post read from
the channel page equals the post read alone. Forwarded messages are the channel's own posts
(their own id in this channel) and are listed like any other; nothing on the page is skipped.
Older pages are `/s/<channel>?before=<the smallest message id listed>`, where the page's own
`rel="prev"` link points.

A channel without a public preview (no such username, a deleted channel, a private group, a
user, or a channel that turned its preview off) is redirected to the `t.me/<channel>` contact
page. Those cases look alike from outside, so that is `Hidden`, never `Gone`: a redirect is not
Telegram saying "deleted", and a freed username may be taken again.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from functools import partial
from types import MappingProxyType
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from watcher.errors import BadBody, UsageError
from watcher.model import (
    Broken,
    Gone,
    Hidden,
    Observation,
    Page,
    Post,
    Seen,
    Target,
    TimelineObservation,
    Unobserved,
)
from watcher.normalize import element_text, parse_time
from watcher.sources.base import Source
from watcher.sources.http import GONE_STATUSES, Response, unobserved
from watcher.sources.paging import Sheet, more_pages

log = logging.getLogger(__name__)

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
_NOT_FOUND = re.compile(r"not\s+found", re.IGNORECASE)
_EDITED = re.compile(r"\bedited\b", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_VIEWS = re.compile(r"([\d.,]+)\s*([KMB]?)", re.IGNORECASE)
# Media elements that link to their own message: the link is a stable id, the CDN URL is not.
_MEDIA = {
    "tgme_widget_message_photo_wrap": "photo",
    "tgme_widget_message_video_player": "video",
    "tgme_widget_message_roundvideo_player": "video",
}


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


class TelegramSource(Source):
    name = "telegram"

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not a public Telegram channel post URL: {target.url}")

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        channel, ident = post_ref(target.url) or ("", "")
        resp = self.get(f"{self.base_url(PUBLIC_WEB)}/{channel}/{ident}", {"embed": "1"})
        if resp.status in GONE_STATUSES:
            # The widget says "Post not found" with a 200; a 404 is not the widget speaking.
            return Broken(f"HTTP {resp.status} from {resp.url}: not the embed widget")
        early = unobserved(resp)
        if early is not None:
            return early
        return read_widget(_page(resp), channel, ident)

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return channel_ref(url)

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        channel = channel_ref(target.url)
        if channel is None:
            raise UsageError(f"not a public Telegram channel URL: {target.url}")
        first = self._preview(channel, None)
        return more_pages(first, pages, partial(self._preview, channel), log)

    def _preview(self, channel: str, before: int | None) -> Sheet[int] | TimelineObservation:
        """One preview page: the latest messages, or those before message `before`."""
        params = {"before": str(before)} if before is not None else None
        resp = self.get(f"{self.base_url(PUBLIC_WEB)}/s/{channel}", params)
        if resp.status in GONE_STATUSES:
            # t.me redirects unknown channels instead: a 404 is not the preview page speaking.
            return Broken(f"HTTP {resp.status} from {resp.url}: not the channel preview")
        early = unobserved(resp)
        if isinstance(early, Unobserved):
            return early
        page = read_channel(_page(resp), channel)
        return Sheet(page, _older_than(page, before)) if isinstance(page, Page) else page


def _older_than(page: Page, before: int | None) -> int | None:
    """The smallest message id listed: the next, older page is the one before it. None when
    the page lists nothing older than `before`: there is no more, or the answer did not move."""
    numbers = [int(n) for post in page.posts if (n := post.id.rpartition("/")[2]).isdigit()]
    oldest = min(numbers, default=None)
    if oldest is None or (before is not None and oldest >= before):
        return None
    return oldest


def _page(resp: Response) -> etree._Element:
    text = resp.text()
    if not text.strip():
        raise BadBody(f"empty body from {resp.url}")
    try:
        return lxml.html.document_fromstring(text)
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
    return Post(
        id=post_id,
        url=(date.get("href") if date is not None else None) or f"{PUBLIC_WEB}/{post_id}",
        text=_text(message),
        author=_author(message, channel),
        created_at=parse_time(times[0]) if times else None,
        media=_media(message),
        metrics=MappingProxyType({"views": count} if count is not None else {}),
        platform_edited=_edited(message),
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


def _media(message: etree._Element) -> tuple[str, ...]:
    found: list[str] = []
    for css, kind in _MEDIA.items():
        for el in _all(message, f".//a[{_has_class(css)}]"):
            path = urlsplit(el.get("href") or "").path.strip("/")
            if path:
                found.append(f"{kind}:{path}")
    return tuple(found)


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
