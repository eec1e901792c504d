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
from functools import partial

from watcher.errors import UsageError
from watcher.model import Broken, Observation, Page, Target, TimelineObservation, Unobserved
from watcher.sources.common import GONE_STATUSES, Flow, Sheet, Source, more_pages, unobserved
from watcher.sources.telegram.urls import PUBLIC_WEB, channel_ref, post_ref
from watcher.sources.telegram.widget import parse_page, read_channel, read_widget

log = logging.getLogger(__name__)


class TelegramSource(Source):
    """Public channel posts (the embed widget) and channels (the preview page)."""

    name = "telegram"

    @classmethod
    def matches(cls, url: str) -> bool:
        return post_ref(url) is not None

    def validate(self, target: Target) -> None:
        if post_ref(target.url) is None:
            raise UsageError(f"not a public Telegram channel post URL: {target.url}")

    def _observe(self, target: Target) -> Flow[Observation]:
        self.validate(target)
        channel, ident = post_ref(target.url) or ("", "")
        resp = yield self.request(f"{self.base_url(PUBLIC_WEB)}/{channel}/{ident}", {"embed": "1"})
        if resp.status in GONE_STATUSES:
            # The widget says "Post not found" with a 200; a 404 is not the widget speaking.
            return Broken(f"HTTP {resp.status} from {resp.url}: not the embed widget")
        early = unobserved(resp)
        if early is not None:
            return early
        return read_widget(parse_page(resp), channel, ident)

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        return channel_ref(url)

    def _timeline(self, target: Target, pages: int = 1) -> Flow[TimelineObservation]:
        channel = channel_ref(target.url)
        if channel is None:
            raise UsageError(f"not a public Telegram channel URL: {target.url}")
        first = yield from self._preview(channel, None)
        return (yield from more_pages(first, pages, partial(self._preview, channel), log))

    def _preview(self, channel: str, before: int | None) -> Flow[Sheet[int] | TimelineObservation]:
        """One preview page: the latest messages, or those before message `before`."""
        params = {"before": str(before)} if before is not None else None
        resp = yield self.request(f"{self.base_url(PUBLIC_WEB)}/s/{channel}", params)
        if resp.status in GONE_STATUSES:
            # t.me redirects unknown channels instead: a 404 is not the preview page speaking.
            return Broken(f"HTTP {resp.status} from {resp.url}: not the channel preview")
        early = unobserved(resp)
        if isinstance(early, Unobserved):
            return early
        page = read_channel(parse_page(resp), channel)
        return Sheet(page, _older_than(page, before)) if isinstance(page, Page) else page


def _older_than(page: Page, before: int | None) -> int | None:
    """The smallest message id listed: the next, older page is the one before it. None when
    the page lists nothing older than `before`: there is no more, or the answer did not move."""
    numbers = [int(n) for post in page.posts if (n := post.id.rpartition("/")[2]).isdigit()]
    oldest = min(numbers, default=None)
    if oldest is None or (before is not None and oldest >= before):
        return None
    return oldest
