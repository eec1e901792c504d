"""The `telegram` source: public channel posts and channels, read from t.me's own pages."""

from watcher.sources.telegram.source import TelegramSource
from watcher.sources.telegram.urls import PUBLIC_WEB, channel_ref, post_ref
from watcher.sources.telegram.widget import message_post, parse_count, read_channel, read_widget

__all__ = [
    "PUBLIC_WEB",
    "TelegramSource",
    "channel_ref",
    "message_post",
    "parse_count",
    "post_ref",
    "read_channel",
    "read_widget",
]
