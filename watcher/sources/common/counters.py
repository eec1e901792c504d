"""The one way a platform's counters (likes, reposts, replies, views) become a post's metrics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any


def metrics(body: Mapping[str, Any], keys: Iterable[str]) -> Mapping[str, int]:
    """The integer counters among `keys` in `body` (booleans and missing keys left out),
    frozen. Counters are never content: they change without the post changing."""
    counts = {
        key: value
        for key in keys
        if isinstance(value := body.get(key), int) and not isinstance(value, bool)
    }
    return MappingProxyType(counts)
