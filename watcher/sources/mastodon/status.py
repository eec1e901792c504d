"""What a Mastodon status (and one entry of its edit history) is as a Post."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from watcher.errors import BadBody
from watcher.model import Post, Quoted
from watcher.normalize import html_to_text, parse_time
from watcher.sources.common import Response, media_urls, metrics
from watcher.sources.mastodon.quoted import ACCEPTED, inline_link, state_presence

# Counters a status carries; stored as metrics, never part of the content.
METRICS = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")


def is_status(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("account"), dict) and "id" in item


def status_body(resp: Response) -> dict[str, Any]:
    """The status a 200 answered with; BadBody for anything else."""
    body = resp.json()
    if not (isinstance(body, dict) and is_status(body)):
        raise BadBody(f"response from {resp.url} is not a Mastodon status")
    return body


def status_post(status: Mapping[str, Any], ident: str, host: str) -> Post:
    """The Post of a status. A reblog shows the reblogged status, under the reblog's own id."""
    shown = status["reblog"] if isinstance(status.get("reblog"), dict) else status
    edited_at = parse_time(shown.get("edited_at") or "")
    return Post(
        id=str(status.get("id") or ident),
        url=str(shown.get("url") or shown.get("uri") or ""),
        text=status_text(shown),
        author=author_of(shown.get("account") or {}, host),
        created_at=parse_time(shown.get("created_at") or ""),
        edited_at=edited_at,
        title=str(shown.get("spoiler_text") or ""),
        media=_media(shown),
        metrics=metrics(shown, METRICS),
        platform_edited=edited_at is not None,
        media_urls=_media_urls(shown),
        quoted=quoted_status(shown, host),
    )


def quoted_status(status: Mapping[str, Any], host: str) -> Quoted | None:
    """The status a quote post quotes (`quote`), with its own presence: in place of one
    Mastodon no longer shows, the quote's state (`quoted`), never content. The quoted status
    is known by its address (`url`, else `uri`), the same whatever its state."""
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    state = str(quote.get("state") or "")
    shown = quote.get("quoted_status")
    link = inline_link(str(status.get("content") or ""))
    if state == ACCEPTED and isinstance(shown, dict):
        address = str(shown.get("url") or shown.get("uri") or link)
        author = author_of(shown.get("account") or {}, host).removeprefix("@")
        return Quoted(address, address, author, text=status_text(shown), media=_media(shown))
    ident = link or str(quote.get("quoted_status_id") or "")
    # `accepted` without its status (a ShallowQuote) shows nothing to compare: not guessed.
    presence = state_presence("" if state == ACCEPTED else state)
    return Quoted(ident, link, presence=presence, notice=state)


def version(edit: Mapping[str, Any], current: Post, edited: bool) -> Post:
    """One entry of a status's edit history as a Post: its content, spoiler and media, under
    the status's own id, URL and author; `edited_at` is when this version was made (None for
    the original)."""
    made = parse_time(str(edit.get("created_at") or ""))
    return replace(
        current,
        text=status_text(edit),
        title=str(edit.get("spoiler_text") or ""),
        media=_media(edit),
        media_urls=_media_urls(edit),
        edited_at=made if edited else None,
        metrics=MappingProxyType({}),
        platform_edited=edited,
    )


def status_text(status: Mapping[str, Any]) -> str:
    """The content as text, then each poll option on its own line (options are content too)."""
    lines = [html_to_text(str(status.get("content") or ""))]
    poll = status.get("poll")
    if isinstance(poll, dict):
        lines += [str(o.get("title", "")) for o in poll.get("options") or ()]
    return "\n".join(line for line in lines if line)


def _media(status: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(m["id"]) for m in _attachments(status) if "id" in m)


def _media_urls(status: Mapping[str, Any]) -> tuple[str, ...]:
    """Each attachment's original file (`url`); the origin server's (`remote_url`) when this
    instance has not fetched it yet and `url` is null."""
    return media_urls(m.get("url") or m.get("remote_url") for m in _attachments(status))


def _attachments(status: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = status.get("media_attachments")
    return [m for m in found if isinstance(m, dict)] if isinstance(found, list) else []


def author_of(account: Mapping[str, Any], host: str) -> str:
    """`@user@host`: local accounts' acct has no domain, so add the instance's."""
    acct = str(account.get("acct") or account.get("username") or "")
    if not acct:
        return ""
    return f"@{acct}" if "@" in acct or not host else f"@{acct}@{host}"


def versions(resp: Response, current: Post) -> tuple[Post, ...]:
    """Every version in an edit-history answer, oldest first; () for any other answer."""
    edits = resp.json() if resp.status == 200 else None
    if not isinstance(edits, list):
        return ()
    return tuple(
        version(edit, current, index > 0)
        for index, edit in enumerate(edits)
        if isinstance(edit, dict)
    )
