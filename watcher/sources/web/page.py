"""Reading a parsed HTML page: a CSS selector's matches, the page's main content, and the
page's own metadata (title, author, publication times)."""

from __future__ import annotations

from datetime import datetime

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from watcher.errors import UsageError
from watcher.model import Post
from watcher.normalize import element_text, fold_text, parse_time

# Tried in order; the first that exists is the page's main content.
MAIN_CONTENT = ("//article", "//main", "//*[@role='main']", "//body")
# Page furniture that is never the post. `header` only when falling back to <body>: inside an
# <article> or <main> the header holds the post's own headline and byline.
FURNITURE = frozenset({"nav", "footer", "form", "aside", "script", "style"})


def validate_selector(selector: str) -> None:
    """Raise UsageError (one line) if `selector` is not CSS that lxml can run."""
    compile_selector(selector)


def compile_selector(selector: str) -> CSSSelector:
    try:
        return CSSSelector(selector)
    except SelectorError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"invalid CSS selector {selector!r}: {first_line}") from exc


def selected_text(root: lxml.html.HtmlElement, selector: str) -> str | None:
    """Text of every element the selector matches, a blank line apart; None if none match."""
    found = compile_selector(selector)(root)
    # An XPath result may be a scalar in general; a CSS selector always yields elements.
    elements = (
        [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []
    )
    if not elements:
        return None
    # `div` can match a div and a div inside it; count the outer one only, or text doubles.
    chosen = set(elements)
    outermost = [el for el in elements if not any(a in chosen for a in el.iterancestors())]
    return "\n\n".join(element_text(el) for el in outermost)


def main_text(root: lxml.html.HtmlElement) -> str:
    """Text of the page's main content with navigation, forms and hidden parts left out."""
    main = _main_element(root)
    for hidden in main.xpath(".//*[@aria-hidden='true']"):
        hidden.drop_tree()  # keeps the tail text, which belongs to the parent
    skip = FURNITURE | {"header"} if main.tag == "body" else FURNITURE
    return element_text(main, skip=skip)


def _main_element(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for query in MAIN_CONTENT:
        found = root.xpath(query)
        if found:
            element: lxml.html.HtmlElement = found[0]
            return element
    return root


def page_post(root: lxml.html.HtmlElement, url: str, final_url: str, text: str) -> Post:
    return Post(
        id=url,
        url=final_url,
        text=text,
        title=_title(root),
        author=_meta(root, "name", "author") or _meta(root, "property", "article:author"),
        created_at=_meta_time(root, "article:published_time"),
        edited_at=_meta_time(root, "article:modified_time"),
    )


def _title(root: lxml.html.HtmlElement) -> str:
    og = _meta(root, "property", "og:title")
    if og:
        return og
    titles = root.xpath("//title")
    return fold_text(titles[0].text_content()) if titles else ""


def _meta(root: lxml.html.HtmlElement, attr: str, value: str) -> str:
    """Content of the first non-empty <meta attr=value> (attribute value matched case-blind)."""
    for meta in root.iter("meta"):
        if (meta.get(attr) or "").strip().lower() == value:
            content = fold_text(meta.get("content") or "")
            if content:
                return content
    return ""


def _meta_time(root: lxml.html.HtmlElement, prop: str) -> datetime | None:
    return parse_time(_meta(root, "property", prop))
