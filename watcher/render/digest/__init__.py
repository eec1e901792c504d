"""Pure rendering of a digest (`watcher.digest`) as text, Markdown or HTML (`render_digest`),
and as a channel's message (`digest_message`: any alert format, split within its limit).

Every format says the same things, in this order: who and which period; posts and interactions
with a sparkline each (▁▂▃▅▇, one bar per local day); a row per day (up to a month); the top
posts; the most engaging image; edits, deletions, restorations; silences and the longest gap.

What the digest quotes (authors, post text, URLs) is untrusted. Its controls are spelled out
first (`watcher.controls`), then each format escapes it: HTML entities; a backslash before every
Markdown punctuation mark (text is one line, so no block can start); links and images only for
http(s) URLs. Text output keeps to 80 columns (CJK counted two wide): a post is a clipped,
word-wrapped preview; only a URL, printed whole on its own line, may run longer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from watcher.render.digest.markup import as_html, as_markdown
from watcher.render.digest.message import digest_message
from watcher.render.digest.text import as_text
from watcher.render.digest.words import BARS, sparkline

if TYPE_CHECKING:
    from watcher.digest import Digest

__all__ = ["BARS", "FORMATS", "digest_message", "render_digest", "sparkline"]

FORMATS = ("text", "markdown", "md", "html")
_RENDERERS: dict[str, Callable[[Digest], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "md": as_markdown,
    "html": as_html,
}


def render_digest(d: Digest, fmt: str) -> str:
    """The digest in `fmt`: "text", "markdown" (or "md") or "html"."""
    if fmt not in _RENDERERS:
        raise ValueError(f"unknown digest format {fmt!r}; one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](d)
