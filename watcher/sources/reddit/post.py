"""One Reddit post or comment through the public JSON endpoints.

A post is read from `GET /comments/<id>/.json` (the canonical path behind every permalink form,
so the subreddit and slug in the watched URL never matter); a comment from
`GET /api/info.json?id=t1_<id>`, which answers with that one comment instead of a thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watcher.errors import BadBody
from watcher.model import Hidden, Observation, Seen
from watcher.sources.common import Flow, Request, Response, Source
from watcher.sources.reddit.answers import refusal
from watcher.sources.reddit.things import gone_signal, thing_post
from watcher.sources.reddit.urls import PUBLIC_API, Thing


def read_post(source: Source, wanted: Thing) -> Flow[Observation]:
    """The wanted post or comment: Seen, Gone as Reddit marks it, or the answer's refusal."""
    resp = yield _ask(source, wanted)
    early = refusal(resp)
    if early is not None:
        return early
    return _observation(_find(resp, wanted), wanted)


def _ask(source: Source, wanted: Thing) -> Request:
    base = source.base_url(PUBLIC_API)
    # raw_json=1: text without HTML entity escaping (`&amp;`), as the author typed it.
    if wanted.comment:
        return source.request(f"{base}/api/info.json", {"id": wanted.fullname, "raw_json": "1"})
    return source.request(f"{base}/comments/{wanted.post}/.json", {"raw_json": "1", "limit": "1"})


def _find(resp: Response, wanted: Thing) -> Mapping[str, Any] | None:
    """The data of the wanted thing in a Listing (api/info) or [Listing, Listing] (comments)."""
    body = resp.json()
    listing = body[0] if isinstance(body, list) and body else body
    if not (isinstance(listing, dict) and isinstance(listing.get("data"), dict)):
        raise BadBody(f"response from {resp.url} is not a Reddit Listing")
    for child in listing["data"].get("children") or ():
        data = child.get("data") if isinstance(child, dict) else None
        if isinstance(data, dict) and data.get("name") == wanted.fullname:
            return data
    return None


def _observation(data: Mapping[str, Any] | None, wanted: Thing) -> Observation:
    """Gone if Reddit marks the thing deleted or removed, else Seen."""
    if data is None:
        # api/info leaves out what we may not see (a private subreddit) as well as unknown ids;
        # neither proves a deletion.
        return Hidden(f"Reddit did not return {wanted.fullname} (unknown id or not visible)")
    gone = gone_signal(data)
    return gone if gone is not None else Seen(thing_post(data))
