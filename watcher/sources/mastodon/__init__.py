"""The `mastodon` source: statuses (with their edit history) and accounts on any instance."""

from watcher.sources.mastodon.answers import refusal
from watcher.sources.mastodon.source import ACCOUNT_TTL, PAGE_SIZE, MastodonSource
from watcher.sources.mastodon.status import METRICS, status_post
from watcher.sources.mastodon.urls import status_id

__all__ = [
    "ACCOUNT_TTL",
    "METRICS",
    "PAGE_SIZE",
    "MastodonSource",
    "refusal",
    "status_id",
    "status_post",
]
