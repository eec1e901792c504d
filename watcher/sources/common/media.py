"""The one way a platform's media addresses become a post's `media_urls`.

They come from hostile answers and end up in the store, in digests and in pages people open, so
only plain http(s) URLs are kept, each of bounded length, a bounded number of them. They are
never content: a CDN host or a signature changes on its own, so the media ids stand for the media
in the content hash and the URLs only say where it can be seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_MEDIA_URLS = 20  # more than any platform attaches to one post (Weibo allows 18)
MAX_URL_LENGTH = 2000  # what browsers and CDNs reliably accept; signed URLs stay well below
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)  # absolute, a host, no whitespace
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def media_urls(candidates: Iterable[object]) -> tuple[str, ...]:
    """The http(s) URLs among `candidates`, in order, once each: at most `MAX_MEDIA_URLS`, each
    at most `MAX_URL_LENGTH` characters. Anything else (other schemes, relative or overlong
    addresses, non-strings) is left out."""
    kept: dict[str, None] = {}
    for candidate in candidates:
        if len(kept) >= MAX_MEDIA_URLS:
            break
        if isinstance(candidate, str) and _acceptable(url := candidate.strip()):
            kept.setdefault(url, None)
    return tuple(kept)


def _acceptable(url: str) -> bool:
    return (
        len(url) <= MAX_URL_LENGTH and _URL.fullmatch(url) is not None and not _CONTROL.search(url)
    )
