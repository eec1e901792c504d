"""Reading a parsed HTML page: a CSS selector's matches, the page's main content, and the
page's own metadata (title, author, publication times)."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> CSSSelector:
    """The compiled selector, compiled once per selector (each check of a watch reuses it)."""
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
    """The page as a Post. No `media_urls`: `og:image` is the page's share card (often a logo
    or a generated picture of the title), not clearly an image of what is watched, least of
    all under a selector, and a page has no media ids for it to stand beside."""
    meta = _metas(root)
    return Post(
        id=url,
        url=final_url,
        text=text,
        title=meta.get(("property", "og:title")) or _title(root),
        author=meta.get(("name", "author")) or meta.get(("property", "article:author"), ""),
        created_at=parse_time(meta.get(("property", "article:published_time"), "")),
        edited_at=parse_time(meta.get(("property", "article:modified_time"), "")),
    )


def _title(root: lxml.html.HtmlElement) -> str:
    titles = root.xpath("//title")
    return fold_text(titles[0].text_content()) if titles else ""


# The <meta> a post's fields come from: (attribute, its value).
_WANTED = frozenset(
    {
        ("property", "og:title"),
        ("name", "author"),
        ("property", "article:author"),
        ("property", "article:published_time"),
        ("property", "article:modified_time"),
    }
)


def _metas(root: lxml.html.HtmlElement) -> dict[tuple[str, str], str]:
    """The first non-empty content of each wanted <meta name|property=…> (its value matched
    case-blind), read in one pass over the page's meta elements."""
    found: dict[tuple[str, str], str] = {}
    for meta in root.iter("meta"):
        for attr in ("name", "property"):
            key = (attr, (meta.get(attr) or "").strip().lower())
            if key in _WANTED and key not in found:
                content = fold_text(meta.get("content") or "")
                if content:
                    found[key] = content
    return found
