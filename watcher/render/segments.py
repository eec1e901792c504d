"""What a message says, without markup: text in styles. Shared by the render modules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

ZWSP, WJ = "\u200b", "\u2060"


def measure(fmt: str, text: str) -> int:
    """The length a channel counts: UTF-16 code units for Telegram, characters otherwise."""
    return len(text.encode("utf-16-le")) // 2 if fmt == "telegram-html" else len(text)


class Style(Enum):
    PLAIN = "plain"
    STRONG = "strong"
    REMOVED = "removed"
    ADDED = "added"
    QUOTE = "quote"
    LINK = "link"  # text is the URL


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    style: Style = Style.PLAIN
    stop: int | None = None  # keep only the first `stop` units (they depend on the format)
    own: bool = False  # our own words and times, not post text: no Slack fences needed
