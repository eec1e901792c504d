"""Any HTML page: the text of a CSS selector's matches, or of the page's main content."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from watcher.errors import BadBody
from watcher.model import Broken, Observation, Seen, Target
from watcher.normalize import html_document
from watcher.sources.common import Flow, Response, Source, refusal
from watcher.sources.web.page import main_text, page_post, selected_text, validate_selector

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# lxml refuses str input that still carries an encoding declaration; we have already decoded.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class WebSource(Source):
    """The fallback for any http(s) URL no platform adapter claims."""

    name = "web"
    options = frozenset({"selector"})
    # It matches every http(s) URL, so it is asked last, after every platform.
    priority = 1000

    @classmethod
    def matches(cls, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    def validate(self, target: Target) -> None:
        if target.selector:
            validate_selector(target.selector)

    def _observe(self, target: Target) -> Flow[Observation]:
        resp = yield self.request(target.url)
        early = refusal(resp)
        if early is not None:
            return early
        root = parse_html(resp)
        if target.selector:
            text = selected_text(root, target.selector)
            if text is None:
                return Broken(f"selector {target.selector!r} matched nothing")
        else:
            text = main_text(root)
        return Seen(page_post(root, target.url, resp.url, text))


def parse_html(resp: Response) -> lxml.html.HtmlElement:
    """The whole parsed document; BadBody if the response is not an HTML page, or is one the
    parser could not read whole (never a cut-off page: see `html_document`)."""
    if not _is_html(resp):
        kind = resp.content_type or "no content-type"
        raise BadBody(f"response from {resp.url} is not HTML ({kind})")
    text = _XML_DECLARATION.sub("", resp.text(), count=1)
    try:
        return html_document(text, resp.url)
    except (etree.ParserError, ValueError) as exc:
        raise BadBody(f"could not parse the HTML of {resp.url}: {exc}") from exc


def _is_html(resp: Response) -> bool:
    if resp.content_type:
        return resp.content_type in HTML_TYPES
    # Some servers send no content-type at all; trust the body only if it opens like a page.
    return bool(_HTML_START.match(resp.body[:1024]))
