"""The `web` source: any HTML page, read whole or through a CSS selector (the fallback for
every URL no platform claims)."""

from watcher.sources.web.page import main_text, page_post, selected_text, validate_selector
from watcher.sources.web.source import WebSource, parse_html

__all__ = [
    "WebSource",
    "main_text",
    "page_post",
    "parse_html",
    "selected_text",
    "validate_selector",
]
