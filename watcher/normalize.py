"""Pure text normalization: HTML → text, folding, and the content hash.

The content hash covers what a reader sees as the post (title, text, media ids) and nothing a
platform changes on its own (counters, relative times), so an unchanged post hashes the same
on every check.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

import lxml.html
from lxml import etree

from watcher.model import Post

log = logging.getLogger(__name__)

# Elements whose boundaries are line breaks when a page is read as text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead "
    "tfoot tr ul".split()
)
# Elements that never carry the text of a post.
SKIP_TAGS = frozenset("script style noscript template head svg canvas iframe object".split())

# Invisible characters that platforms insert or drop at will. ZWJ (U+200D) is kept: it glues emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"), None)
_HSPACE = re.compile(r"[^\S\n]+")  # any whitespace except newline (incl. NBSP, ideographic space)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_LOOKS_HTML = re.compile(r"<[a-zA-Z/!][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def fold_text(text: str) -> str:
    """Canonical plain text: NFC, no invisible characters, single spaces, at most one blank line."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_HSPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_HTML.search(text))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or document: block boundaries and <br> become newlines,
    images become their alt text (Weibo emoji are `<img alt=[加油]>`)."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return fold_text(html)
    return element_text(root)


def element_text(element: etree._Element, skip: Iterable[str] = ()) -> str:
    """Plain text of an element, dropping SKIP_TAGS and any extra tags in `skip`."""
    skip_tags = SKIP_TAGS | frozenset(skip)
    out: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            out.append(el.tail or "")
        elif el.tag in skip_tags:
            if event == "start":
                walker.skip_subtree()
            elif el is not element:
                out.append(el.tail or "")
        elif event == "start":
            out.append(_opening(el, el.tag))
        else:
            if el.tag in BLOCK_TAGS:
                out.append("\n")
            if el is not element:
                out.append(el.tail or "")
    return fold_text("".join(out))


def _opening(el: etree._Element, tag: str) -> str:
    prefix = "\n" if tag in BLOCK_TAGS or tag == "br" else ""
    if tag == "img":
        return prefix + (el.get("alt") or "")
    return prefix + (el.text or "")


def content_hash(post: Post) -> str:
    """Hash of what a reader sees: title, text and media ids. Never counters or times."""
    parts = (fold_text(post.title), fold_text(post.text), "\n".join(sorted(post.media)))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def canonical(post: Post) -> Post:
    """The post with its text and title folded, so stored text matches what was hashed."""
    return replace(post, text=fold_text(post.text), title=fold_text(post.title))


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime; None if missing or unparsable.

    A timestamp without an offset is taken as UTC: the alternative, the server's local time,
    is unknowable from here.
    """
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        log.debug("ignoring unparsable timestamp %r", value)
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
