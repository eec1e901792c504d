"""What a page's query string asks for, checked (pure): a bad value is one clear 400, never a
stack trace or a silently different page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from watcher.model import EventKind
from watcher.store.pages import CHANGE_KINDS, MAX_PAGE, ChangeQuery

PAGE = 50  # changes per page unless asked
MAX_SEARCH = 200  # characters of a search: a phrase, not a document
MAX_OFFSET = 1_000_000


class BadRequest(ValueError):
    """A query parameter this page cannot use; its message says which and why."""


def change_query(params: Mapping[str, str], zone: ZoneInfo) -> ChangeQuery:
    """The changes `params` ask for: account (a watch id), platform, kind, since and until
    (dates in `zone`, both inclusive), q (a search), per (page size) and offset."""
    since, until = _day(params, "since", zone), _day(params, "until", zone)
    return ChangeQuery(
        account=_number(params, "account", None, MAX_OFFSET),
        platform=params.get("platform", "").strip()[:50],
        kinds=_kinds(params.get("kind", "")),
        since=since,
        until=until + timedelta(days=1) if until else None,
        text=_search(params.get("q", "")),
        limit=_number(params, "per", PAGE, MAX_PAGE) or PAGE,
        offset=_number(params, "offset", 0, MAX_OFFSET) or 0,
    )


def version(params: Mapping[str, str], name: str) -> int | None:
    """A version number (`old`, `new`) of a watch; None when not given."""
    return _number(params, name, None, MAX_OFFSET)


def _number(params: Mapping[str, str], name: str, default: int | None, most: int) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) > most:
        raise BadRequest(f"{name}: a whole number from 0 to {most} please, not {value[:20]!r}")
    return int(value)


def _kinds(value: str) -> tuple[EventKind, ...]:
    if not value.strip():
        return CHANGE_KINDS
    try:
        return (EventKind(value.strip()),)
    except ValueError:
        known = ", ".join(k.value for k in EventKind)
        raise BadRequest(f"kind: one of {known}, not {value[:20]!r}") from None


def _day(params: Mapping[str, str], name: str, zone: ZoneInfo) -> datetime | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: a date as YYYY-MM-DD please, not {value[:20]!r}") from None
    return datetime.combine(day, time(), zone)


def _search(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_SEARCH:
        raise BadRequest(f"q: at most {MAX_SEARCH} characters")
    return value
