"""What every platform package builds on: the sans-I/O wire types, the `Source` base, refusal
tables and rate-limit headers, paging, counters, media URLs and a bounded memo."""

from watcher.sources.common.base import Source, guarded_flow
from watcher.sources.common.cache import BoundedCache
from watcher.sources.common.counters import metrics
from watcher.sources.common.media import MAX_MEDIA_URLS, MAX_URL_LENGTH, media_urls
from watcher.sources.common.paging import Sheet, merge, more_pages
from watcher.sources.common.refusals import (
    BLOCKED_STATUSES,
    GONE_STATUSES,
    UNPROVEN,
    Refusals,
    error_text,
    rate_limit_wait,
    refusal,
    retry_after,
    unobserved,
)
from watcher.sources.common.wire import Flow, Politeness, Request, Response, replay

__all__ = [
    "BLOCKED_STATUSES",
    "GONE_STATUSES",
    "MAX_MEDIA_URLS",
    "MAX_URL_LENGTH",
    "UNPROVEN",
    "BoundedCache",
    "Flow",
    "Politeness",
    "Refusals",
    "Request",
    "Response",
    "Sheet",
    "Source",
    "error_text",
    "guarded_flow",
    "media_urls",
    "merge",
    "metrics",
    "more_pages",
    "rate_limit_wait",
    "refusal",
    "replay",
    "retry_after",
    "unobserved",
]
