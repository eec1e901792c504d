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

from watcher.errors import BadBody
from watcher.model import Post

log = logging.getLogger(__name__)

# How a page reads as text: a line break at the edges of block elements, a blank line at the
# edges of paragraph-like ones, a space between table cells. Text-node whitespace is collapsed
# to one space, as a browser does (except inside <pre>).
PARAGRAPH_TAGS = frozenset(
    "address article aside blockquote details dl fieldset figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section table ul".split()
)
BLOCK_TAGS = PARAGRAPH_TAGS | frozenset(
    "dd div dt figcaption li summary tbody tfoot thead tr".split()
)
CELL_TAGS = frozenset({"td", "th"})
# Elements that never carry the text of a post.
SKIP_TAGS = frozenset("script style noscript template head svg canvas iframe object".split())

# Invisible characters that platforms insert or drop at will. ZWJ (U+200D) is kept: it glues emoji.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"), None)
_HSPACE = re.compile(r"[^\S\n]+")  # any whitespace except newline (incl. NBSP, ideographic space)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TEXT_SPACE = re.compile(r"\s+")
# libxml2 stops parsing a document nested deeper than this (without XML_PARSE_HUGE, which lifts
# every other limit too) and hands back the tree it had: the rest of the page is simply missing.
MAX_HTML_DEPTH = 256
# Private sentinels for boundaries while walking; merged afterwards so that adjacent boundaries
# (</li><li>) give one break, not two.
_LINE, _PARAGRAPH, _BR = "\x01", "\x02", "\x03"
_BOUNDARIES = re.compile(r"[ \x01\x02]*[\x01\x02][ \x01\x02]*")
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
    images become their alt text (Weibo emoji are `<img alt=[加油]>`). `BadBody` for markup the
    parser could not read whole (see `html_document`)."""
    if not html.strip():
        return ""
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return fold_text(html)
    _check_whole(parser, "the HTML text")
    return element_text(root)


def html_document(text: str, url: str) -> lxml.html.HtmlElement:
    """`text` (the page at `url`) parsed as an HTML document, all of it.

    libxml2 gives up part-way on hostile markup (nested deeper than `MAX_HTML_DEPTH`, a text
    node past its size limit) and returns the tree it had so far without a word; that cut-off
    page would read as one whose content was removed, so it is `BadBody` instead. Text that is
    no document at all raises lxml's own `ParserError` (each caller words that one).
    """
    parser = lxml.html.HTMLParser()  # a fresh one: its error log is this parse's alone
    root = lxml.html.document_fromstring(text, parser=parser)
    _check_whole(parser, f"the page at {url}")
    return root


def _check_whole(parser: etree.HTMLParser, what: str) -> None:
    """`BadBody` if the parse that just ran stopped early: a fatal error means a cut-off tree."""
    for error in parser.error_log:
        if error.level_name != "FATAL":
            continue  # recoverable markup mistakes, which a browser repairs the same way
        if "depth" in error.message.lower():
            raise BadBody(f"{what} nests deeper than {MAX_HTML_DEPTH} elements; not read")
        raise BadBody(f"{what} could not be read whole: {error.message.strip()}")


def element_text(element: etree._Element, skip: Iterable[str] = ()) -> str:
    """Plain text of an element, dropping SKIP_TAGS and any extra tags in `skip`."""
    skip_tags = SKIP_TAGS | frozenset(skip)
    out: list[str] = []
    in_pre = 0
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            out.append(_flow(el.tail, in_pre))
        elif el.tag in skip_tags:
            if event == "start":
                walker.skip_subtree()
            elif el is not element:
                out.append(_flow(el.tail, in_pre))
        elif event == "start":
            in_pre += el.tag == "pre"
            out.append(_boundary(el.tag) + _opening(el, in_pre))
        else:
            in_pre -= el.tag == "pre"
            out.append(_boundary(el.tag))
            if el is not element:
                out.append(_flow(el.tail, in_pre))
    return fold_text(_resolve("".join(out)))


def _flow(text: str | None, in_pre: int) -> str:
    """Text-node content as a browser lays it out: whitespace runs are one space."""
    if not text:
        return ""
    return text if in_pre else _TEXT_SPACE.sub(" ", text)


def _boundary(tag: str) -> str:
    if tag in PARAGRAPH_TAGS:
        return _PARAGRAPH
    if tag in BLOCK_TAGS:
        return _LINE
    return " " if tag in CELL_TAGS else ""


def _opening(el: etree._Element, in_pre: int) -> str:
    if el.tag == "br":
        return _BR
    if el.tag == "img":
        return el.get("alt") or ""
    return _flow(el.text, in_pre)


def _resolve(text: str) -> str:
    """Merge each run of adjacent boundaries into the strongest one; each <br> is a newline."""
    merged = _BOUNDARIES.sub(lambda m: "\n\n" if _PARAGRAPH in m.group() else "\n", text)
    return merged.replace(_BR, "\n")


def content_hash(post: Post) -> str:
    """Hash of what a reader sees: title, text and media ids. Never counters or times.

    Of a quoted post only its identity counts: its text and whatever notice the platform shows
    in its place are the quoted post's own (`watcher.quotes`), so a notice never reads as an
    edit of the post quoting it. A post that quotes nothing hashes as it always did."""
    parts = [fold_text(post.title), fold_text(post.text), "\n".join(sorted(post.media))]
    if post.quoted is not None:
        parts.append("quoted:" + (post.quoted.id or post.quoted.url))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def canonical(post: Post) -> Post:
    """The post with its text and title folded, so stored text matches what was hashed."""
    quoted = post.quoted
    if quoted is not None:
        quoted = replace(quoted, text=fold_text(quoted.text), notice=fold_text(quoted.notice))
    return replace(post, text=fold_text(post.text), title=fold_text(post.title), quoted=quoted)


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
