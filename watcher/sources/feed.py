"""RSS 2.0 / RSS 1.0 and Atom feeds: one item of a feed, named by its link or its guid/id.

    watcher check https://blog.example/feed/ --platform feed --field ITEM_LINK_OR_GUID

When is a missing item deleted? A feed lists only its newest N items, so an item that is no
longer listed has usually just aged out of that window. Once it is gone we no longer know its
date or position from the feed alone, so this source remembers, each time it sees the item, the
item's earliest date and the items listed after it. The item is `Gone` only when it is missing
AND one of those former successors is still listed AND that successor is dated strictly before
the item (all its dates before all of the item's, so a feed ordered by `updated` cannot fool us).
An item that merely aged out takes its successors with it, so it can never look deleted. In
every other case (never seen in this process, the item was the last listed, dates missing,
order changed) the answer is `Hidden`: "not in the feed window", never a deletion claim.
The memory lives in the process: after a restart, or on another daemon, a missing item stays
`Hidden` until it is seen again. That loses deletions, never invents them.

The feed URL answering 404/410 is `Broken`, not `Gone`: the feed moved or was removed, which
says nothing about the item.

A whole feed is also an account: the feed URL watched without `--field` (`account_ref` is the
feed URL itself; the same URL with `--field` names one item, and that choice is the caller's).
Its timeline is every listed item, newest first by date when every item has one, else in
document order (feeds list newest first by convention; an undated item cannot be placed among
dated ones). Each item's Post is the one `_fetch` gives for its guid/id, so an item first seen
in the timeline and later checked alone never reads as edited. Items `_fetch` could not find
as themselves are left out, with a log line: an item with neither guid/id nor link, and an
item whose id an earlier item already answers to (`_fetch` would return the earlier one).
For the timeline too, a feed answering 404/410 is `Broken`, not a gone account: feeds move
(a new blog engine, a new path) far more often than blogs are deleted, and only a person can
tell which it was.
"""

from __future__ import annotations

import email.utils
import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree

from watcher.errors import BadBody, UsageError
from watcher.model import (
    Broken,
    Gone,
    Hidden,
    Observation,
    Page,
    Post,
    Seen,
    Target,
    TimelineObservation,
    Unobserved,
)
from watcher.normalize import element_text, fold_text, html_to_text, looks_like_html, parse_time
from watcher.settings import PlatformSettings
from watcher.sources.base import Source
from watcher.sources.http import GONE_STATUSES, Http, Response, unobserved

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
XHTML = "{http://www.w3.org/1999/xhtml}"

# Path words that say "this is a feed" in a .xml file name or folder (/feeds/videos.xml).
_FEED_WORDS = frozenset({"feed", "feeds", "rss", "rss2", "atom"})
_WORDS = re.compile(r"[a-z0-9]+")
# WordPress-style feed paths: /feed, /feed/atom, /comments/feed/, /rss.
_FEED_PATH = re.compile(r"(?:.*/)?(?:feed(?:/(?:atom|rss|rss2|rdf))?|rss)/?")


def _parser() -> etree.XMLParser:
    """No entity expansion, no network, no huge trees: feeds are untrusted (XXE, billion laughs)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def looks_like_feed(url: str) -> bool:
    """Only URLs that obviously are feeds; anything else needs `--platform feed`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    path = parts.path.lower()
    if path.endswith((".rss", ".atom")) or path.endswith("/index.xml"):
        return True
    if path.endswith(".xml"):
        return bool(_FEED_WORDS & set(_WORDS.findall(path)))
    return bool(_FEED_PATH.fullmatch(path))


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


@dataclass(frozen=True, slots=True)
class _Sighting:
    """What we knew of the watched item the last time the feed listed it."""

    earliest: datetime | None
    successors: frozenset[str]  # post ids of the items listed after it


class FeedSource(Source):
    """One item of an RSS or Atom feed, found by its link or guid/id."""

    name = "feed"
    options = frozenset({"field"})

    def __init__(self, http: Http, settings: PlatformSettings | None = None) -> None:
        super().__init__(http, settings)
        self._seen: dict[tuple[str, str], _Sighting] = {}
        self._lock = threading.Lock()  # checks of different watches may run in parallel

    @classmethod
    def matches(cls, url: str) -> bool:
        return looks_like_feed(url)

    def validate(self, target: Target) -> None:
        if not target.field.strip():
            raise UsageError(
                "a feed item watch needs the item: add --field ITEM (the item's link or guid/id)"
            )

    def _fetch(self, target: Target) -> Observation:
        self.validate(target)
        resp = self.get(self._feed_url(target.url))
        early = _refusal(resp)
        if early is not None:
            return early
        items = parse_feed(resp.body, resp.url)
        wanted = target.field.strip()
        key = (target.url, wanted)
        for index, item in enumerate(items):
            if wanted in item.names:
                self._remember(key, item, items[index + 1 :])
                return Seen(item.post)
        with self._lock:
            sighting = self._seen.get(key)
        return missing(sighting, items)

    @classmethod
    def account_ref(cls, url: str) -> str | None:
        # The feed is the account; without --field the caller watches it whole.
        return url if looks_like_feed(url) else None

    def _timeline(self, target: Target, pages: int = 1) -> TimelineObservation:
        resp = self.get(self._feed_url(target.url))
        early = _refusal(resp)
        if early is not None:
            return early
        feed = read_feed(resp.body, resp.url)
        # Each listed item is sighted as its own watch would sight it (`post_target`), so an
        # item that vanishes from the middle is provably gone when it is checked at once.
        for index, item in enumerate(feed.items):
            if item.post.id:
                self._remember((target.url, item.post.id), item, feed.items[index + 1 :])
        return Page(newest_first(trackable(feed.items, target.url)), feed.title or target.url)

    def post_target(self, account: Target, post: Post) -> Target:
        """A feed's item is read from the feed, chosen by its id (see `_fetch`)."""
        return Target(account.url, self.name, field=post.id)

    def _feed_url(self, url: str) -> str:
        parts = urlsplit(url)
        origin = self.base_url(f"{parts.scheme}://{parts.netloc}")
        return origin + parts.path + (f"?{parts.query}" if parts.query else "")

    def _remember(self, key: tuple[str, str], item: Item, after: tuple[Item, ...]) -> None:
        sighting = _Sighting(item.earliest, frozenset(i.post.id for i in after if i.post.id))
        with self._lock:
            self._seen[key] = sighting


def missing(sighting: _Sighting | None, items: tuple[Item, ...]) -> Observation:
    """The observation for a watched item the feed no longer lists (see the module docstring)."""
    if sighting is None:
        return Hidden(
            f"not in the feed ({len(items)} items): it may have aged out of the feed window "
            "(feeds show only the newest items), or the link/guid given is not one of its items"
        )
    if sighting.earliest is not None:
        for item in items:
            if item.post.id in sighting.successors and _before(item.latest, sighting.earliest):
                return Gone("no longer in the feed, though older items are")
    return Hidden("no longer in the feed window (it shows only the newest items)")


def _before(when: datetime | None, than: datetime) -> bool:
    return when is not None and when < than


def trackable(items: tuple[Item, ...], url: str = "") -> tuple[Post, ...]:
    """The posts of the items `_fetch` finds as themselves by their id (see the docstring)."""
    posts: list[Post] = []
    names: set[str] = set()
    for item in items:
        ident = item.post.id
        if not ident or ident in names:
            log.info(
                "feed %s: left out an item %s",
                url,
                "named like an earlier one" if ident else "without guid/id or link",
            )
        else:
            posts.append(item.post)
        names |= item.names
    return tuple(posts)


def newest_first(posts: tuple[Post, ...]) -> tuple[Post, ...]:
    """By date, newest first, when every post has one (ties keep document order); else as is."""
    dated = [(post.created_at, post) for post in posts if post.created_at is not None]
    if len(dated) < len(posts):
        return posts
    return tuple(post for _, post in sorted(dated, key=lambda pair: pair[0], reverse=True))


def _refusal(resp: Response) -> Unobserved | None:
    if resp.status in GONE_STATUSES:
        # The feed vanishing is no proof that the item (or the blog) was deleted: someone must
        # fix the URL.
        return Broken(f"the feed itself answered HTTP {resp.status} ({resp.url}): moved or removed")
    early = unobserved(resp)
    return early if isinstance(early, Unobserved) else None


# --- parsing ----------------------------------------------------------------------------------


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
    )
    dates = [d for d in (published, updated) if d is not None]
    return Item(post, _names(ident, *links), min(dates, default=None), max(dates, default=None))


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
