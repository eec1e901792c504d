"""Reading RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 documents into items, safely: feeds are
untrusted XML (external entities, billion laughs, huge trees are all refused)."""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from watcher.errors import BadBody
from watcher.model import Post
from watcher.normalize import element_text, fold_text, html_to_text, looks_like_html, parse_time
from watcher.sources.common import media_urls

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
MEDIA = "{http://search.yahoo.com/mrss/}"  # Media RSS


def _parser() -> etree.XMLParser:
    """No entity expansion, no network, no huge trees: feeds are untrusted (XXE, billion laughs)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Item:
    """One feed item: its Post, every name a user may watch it by, and its known dates."""

    post: Post
    names: frozenset[str]  # guid/id and link(s)
    earliest: datetime | None  # earliest of its dates (published, updated)
    latest: datetime | None  # latest of its dates


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its title and its items in document order."""

    title: str
    items: tuple[Item, ...]


def parse_feed(body: bytes, url: str = "") -> tuple[Item, ...]:
    """The items of an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document, in document order."""
    return read_feed(body, url).items


def read_feed(body: bytes, url: str = "") -> Feed:
    """The title and items of an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise BadBody(f"response from {url} is not XML: {exc}") from exc
    if root.tag == "rss":
        items = tuple(rss_item(el) for el in root.iterfind("channel/item"))
        return Feed(fold_text(_text(root.find("channel/title"))), items)
    if root.tag == f"{RDF}RDF":
        items = tuple(rss_item(el, RSS1) for el in root.iterfind(f"{RSS1}item"))
        return Feed(fold_text(_text(root.find(f"{RSS1}channel/{RSS1}title"))), items)
    if root.tag == f"{ATOM}feed":
        feed_author = _text(root.find(f"{ATOM}author/{ATOM}name"))
        items = tuple(atom_item(el, feed_author) for el in root.iterfind(f"{ATOM}entry"))
        return Feed(atom_text(root.find(f"{ATOM}title")), items)
    raise BadBody(f"response from {url} is not an RSS or Atom feed (root <{root.tag}>)")


def rss_item(el: etree._Element, ns: str = "") -> Item:
    """An RSS 2.0 `<item>` (or RSS 1.0 with `ns`): guid, link, content over description."""
    link = _text(el.find(f"{ns}link"))
    guid_el = el.find("guid")
    guid = _text(guid_el) or el.get(f"{RDF}about", "")
    # A guid is a permalink unless it says otherwise; then it is the URL when there is no link.
    permalink = guid_el is not None and guid_el.get("isPermaLink", "true") != "false"
    url = link or (guid if permalink and guid.startswith(("http://", "https://")) else "")
    published = _rfc822(_text(el.find("pubDate"))) or parse_time(_text(el.find(f"{DC}date")))
    body = _text(el.find(f"{CONTENT}encoded")) or _text(el.find(f"{ns}description"))
    post = Post(
        id=guid or link,
        url=url,
        text=_html(body),
        author=_rss_author(_text(el.find("author"))) or _text(el.find(f"{DC}creator")),
        created_at=published,
        title=fold_text(_text(el.find(f"{ns}title"))),
        media_urls=_images(el, (e.get("url") for e in el.iterfind("enclosure") if _image(e))),
    )
    return Item(post, _names(guid, link), published, published)


def atom_item(el: etree._Element, feed_author: str = "") -> Item:
    """An Atom `<entry>`: id, alternate link, content over summary, published and updated."""
    ident = _text(el.find(f"{ATOM}id"))
    links = [
        str(link.get("href", "")).strip()
        for link in el.iterfind(f"{ATOM}link")
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    published = parse_time(_text(el.find(f"{ATOM}published")))
    updated = parse_time(_text(el.find(f"{ATOM}updated")))
    edited = updated if published and updated and updated != published else None
    content = el.find(f"{ATOM}content")
    if content is None or content.get("src"):  # out-of-line content is not in the feed
        content = el.find(f"{ATOM}summary")
    post = Post(
        id=ident or (links[0] if links else ""),
        url=links[0] if links else "",
        text=atom_text(content),
        author=_text(el.find(f"{ATOM}author/{ATOM}name")) or feed_author,
        # Atom requires only `updated`; without `published` it is the best date there is.
        created_at=published or updated,
        edited_at=edited,
        title=atom_text(el.find(f"{ATOM}title")),
        platform_edited=edited is not None,
        media_urls=_images(el, (link.get("href") for link in _atom_enclosures(el))),
    )
    dates = [d for d in (published, updated) if d is not None]
    return Item(post, _names(ident, *links), min(dates, default=None), max(dates, default=None))


def _atom_enclosures(el: etree._Element) -> list[etree._Element]:
    return [
        link
        for link in el.iterfind(f"{ATOM}link")
        if link.get("rel") == "enclosure" and _image(link)
    ]


def _images(el: etree._Element, enclosures: Iterable[str | None]) -> tuple[str, ...]:
    """Where the item's images can be seen: its image enclosures, then its Media RSS images
    (`media:content`, also inside `media:group`). Feed items have no media ids: these are not
    content, and other enclosures (audio, video, documents) are no images."""
    found = [
        content.get("url")
        for content in el.iter(f"{MEDIA}content")
        if content.get("medium") == "image" or _image(content)
    ]
    return media_urls([*enclosures, *found])


def _image(el: etree._Element) -> bool:
    return str(el.get("type") or "").strip().lower().startswith("image/")


def atom_text(el: etree._Element | None) -> str:
    """Plain text of an Atom text construct: type text, html (escaped) or xhtml (inline)."""
    if el is None:
        return ""
    kind = el.get("type", "text")
    if kind == "xhtml":
        div = el.find(f"{XHTML}div")
        return _xhtml_text(div if div is not None else el)
    if kind in ("html", "text/html"):
        return html_to_text(_text(el))
    return fold_text(_text(el))


def _xhtml_text(el: etree._Element) -> str:
    """Inline XHTML read as HTML: drop the namespace so block elements break lines."""
    for node in el.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    return element_text(el)


def _html(text: str) -> str:
    return html_to_text(text) if looks_like_html(text) else fold_text(text)


def _text(el: etree._Element | None) -> str:
    """The element's own text (CDATA included), stripped; '' when absent."""
    if el is None:
        return ""
    return "".join(str(part) for part in el.itertext()).strip()


def _rss_author(value: str) -> str:
    """RSS `<author>` is "email (Name)": the name when there is one, else the address."""
    name, address = email.utils.parseaddr(value)
    return name or address or value


def _names(*names: str) -> frozenset[str]:
    return frozenset(name for name in names if name)


def _rfc822(value: str) -> datetime | None:
    """An RFC 822 date (RSS pubDate) as aware UTC; a date without a zone is taken as UTC."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
