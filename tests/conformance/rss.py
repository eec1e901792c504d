"""RSS 2.0 and Atom sample documents (the specifications' own samples, via miniflux/v2) and
what the feed adapter makes of one watched item of each.

A feed watch names its item with `--field` (its link or guid/id), carried by `Case.field`.
Without it the feed is an account: the same recordings are read as timelines too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conformance import Case, Platform
from watcher.model import Page, Seen

LIFTOFF = "http://liftoff.msfc.nasa.gov"
ATOM_ENTRY = "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
_RSS_ITEMS = (("06/03", 573), ("05/30", 572), ("05/27", 571), ("05/20", 570))


CASES = (
    Case(
        "rss2_sample.xml",
        f"{LIFTOFF}/rss.xml",
        "/rss.xml",
        Seen,
        field=f"{LIFTOFF}/news/2003/news-starcity.asp",  # watched by its link
        fields={
            "id": f"{LIFTOFF}/2003/06/03.html#item573",
            "url": f"{LIFTOFF}/news/2003/news-starcity.asp",
            "title": "Star City",
            "text": "How do Americans get ready to work with Russians aboard the International "
            "Space Station? They take a crash course in culture, language and protocol at "
            "Russia's Star City.",
            "author": "",
            "created_at": datetime(2003, 6, 3, 9, 39, 21, tzinfo=UTC),
            "edited_at": None,
            "platform_edited": False,
            "media": (),
            "media_urls": (),  # no image enclosure or media:content
        },
    ),
    Case(
        "atom_rfc4287_sample.xml",
        "http://example.org/feed.xml",
        "/feed.xml",
        Seen,
        field=ATOM_ENTRY,  # watched by its id
        fields={
            "id": ATOM_ENTRY,
            "url": "http://example.org/2003/12/13/atom03",
            "title": "Atom-Powered Robots Run Amok",
            "text": "Some text.",
            "author": "John Doe",  # the feed's author: entries inherit it
            "created_at": datetime(2003, 12, 13, 18, 30, 2, tzinfo=UTC),  # `updated` only
            "edited_at": None,
            "platform_edited": False,
        },
    ),
    Case(
        "rss2_sample.xml",
        f"{LIFTOFF}/rss.xml",
        "/rss.xml",
        Page,
        {
            # Every item has a pubDate: newest first by date (here also document order).
            "ids": tuple(f"{LIFTOFF}/2003/{day}.html#item{n}" for day, n in _RSS_ITEMS),
            "account": "Liftoff News",  # the channel title, not the <image> title "NASA"
        },
        timeline=True,
    ),
    Case(
        "atom_rfc4287_sample.xml",
        "http://example.org/feed.xml",
        "/feed.xml",
        Page,
        {"ids": (ATOM_ENTRY,), "account": "Example Feed"},
        timeline=True,
    ),
)

PLATFORM = Platform(source="feed", folder="rss", cases=CASES, not_yet_used={})
