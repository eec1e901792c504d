"""Reading for `watcher serve`'s pages: the changes feed across every watch (filtered, searched,
paged in SQL) and the watches in trouble. `Store` inherits these queries; it supplies the
transaction (`_connection`). Read-only: nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Row,
    Select,
    Subquery,
    and_,
    func,
    or_,
    select,
)

import watcher.store.records as records
from watcher.model import EventKind, Status, StoredEvent, Watch
from watcher.store.writes import EVENT as _EVENT
from watcher.store.writes import REVISION as _REVISION
from watcher.store.writes import WATCH as _WATCH

MAX_PAGE = 200  # rows a page may ask for: a page is for reading, not for export
# What "changes" means when no kind is asked for: what happened to posts and accounts. The
# operational states are the health page's; digests are summaries, not changes.
_NOT_CHANGES = {EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN, EventKind.DIGEST}
CHANGE_KINDS = tuple(kind for kind in EventKind if kind not in _NOT_CHANGES)
_NEWEST = (_EVENT.c.at.desc(), _EVENT.c.id.desc())
TROUBLE = (Status.FAILED, Status.BLOCKED, Status.BROKEN, Status.HIDDEN, Status.RATE_LIMITED)


@dataclass(frozen=True, slots=True)
class ChangeQuery:
    """Which changes a page shows: each filter narrows (empty: any); `text` is searched in the
    text of every version its watch stored, the watch's URL and its name."""

    account: int | None = None  # an account watch: its own events and its posts'
    platform: str = ""
    kinds: tuple[EventKind, ...] = CHANGE_KINDS
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    text: str = ""
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """One event with its watch and the text of the version it is about ("" when none)."""

    event: StoredEvent
    watch: Watch
    text: str


@dataclass(frozen=True, slots=True)
class ChangeList:
    changes: Sequence[Change]
    total: int  # every change the query matches, on every page


class PageQueries:
    def _connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # Store's: one transaction, errors mapped to StoreError

    def changes(self, query: ChangeQuery) -> ChangeList:
        """A page of the changes `query` matches, newest first, and how many match in all.

        One scan finds every match's id and time (a CTE used twice, which SQLite 3.35+ and
        PostgreSQL 12+ compute once); the count and the page's ids come from it, so that a
        search reads every stored version once, and sorting carries no text. Only the page's
        events are then read whole, with their watches and versions."""
        with self._connection() as conn:
            where = _where(query, conn.dialect.name)
            matching = _EVENT.join(_WATCH, _WATCH.c.id == _EVENT.c.watch_id)
            matched = select(_EVENT.c.id, _EVENT.c.at).select_from(matching).where(where)
            found = conn.execute(_whole(_page(matched.cte("matched"), query))).all()
            if found:
                total = int(found[0].total)
            elif query.offset:  # past the last page: the count alone
                count = select(func.count()).select_from(matched.subquery())
                total = int(conn.execute(count).scalar_one())
            else:
                total = 0
        return ChangeList([_change(row) for row in found], total)

    def troubled(self, limit: int = MAX_PAGE) -> list[Watch]:
        """Enabled watches whose last checks got no usable answer (failing, blocked, broken,
        hidden, rate-limited), the longest failing first."""
        w = _WATCH.c
        query = (
            select(_WATCH)
            .where(w.enabled.is_(True), or_(w.fail_streak > 0, w.status.in_(list(TROUBLE))))
            .order_by(w.fail_streak.desc(), w.id)
            .limit(limit)
        )
        with self._connection() as conn:
            return [records.watch_record(r._mapping) for r in conn.execute(query)]


def _page(matched: CTE, query: ChangeQuery) -> Subquery:
    """The ids of the page's events among those `matched` (id, at), and how many matched."""
    total = select(func.count()).select_from(matched).scalar_subquery()
    return (
        select(matched.c.id, total.label("total"))
        .order_by(matched.c.at.desc(), matched.c.id.desc())
        .limit(max(1, min(query.limit, MAX_PAGE)))
        .offset(max(0, query.offset))
        .subquery("page")
    )


def _whole(page: Subquery) -> Select[Any]:
    """The events of `page` (their ids, and the total), newest first, each with its watch and
    the text of the version it is about."""
    version = and_(
        _REVISION.c.watch_id == _EVENT.c.watch_id, _REVISION.c.number == _EVENT.c.revision
    )
    joined = (
        page.join(_EVENT, _EVENT.c.id == page.c.id)
        .join(_WATCH, _WATCH.c.id == _EVENT.c.watch_id)
        .outerjoin(_REVISION, version)
    )
    columns = (_EVENT, _WATCH, _REVISION.c.text.label("revision_text"), page.c.total)
    return select(*columns).select_from(joined).order_by(*_NEWEST)


def _where(query: ChangeQuery, dialect: str) -> ColumnElement[bool]:
    e, w = _EVENT.c, _WATCH.c
    parts: list[ColumnElement[bool]] = [e.kind.in_([k.value for k in query.kinds])]
    if query.account is not None:
        parts.append(or_(e.watch_id == query.account, w.parent_id == query.account))
    if query.platform:
        parts.append(w.platform == query.platform)
    if query.since is not None:
        parts.append(e.at >= query.since)
    if query.until is not None:
        parts.append(e.at < query.until)
    if query.text:
        pattern = f"%{like_escaped(query.text)}%"
        stored = select(_REVISION.c.watch_id).where(
            or_(*(_contains(c, pattern, dialect) for c in (_REVISION.c.text, _REVISION.c.title)))
        )
        named = (_contains(c, pattern, dialect) for c in (w.url, w.name))
        parts.append(or_(e.watch_id.in_(stored), *named))
    return and_(*parts)


def _contains(column: ColumnElement[str], pattern: str, dialect: str) -> ColumnElement[bool]:
    """`column` LIKE `pattern`, ignoring case. SQLite's LIKE ignores case already, as far as
    its lower() would (ASCII letters): ILIKE's lower() on both sides would only double the
    cost of scanning every stored version."""
    if dialect == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def like_escaped(text: str) -> str:
    """`text` matched literally by LIKE (with ESCAPE '\\'): a typed % or _ is no wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _change(row: Row[Any]) -> Change:
    mapping = row._mapping
    # The event and the watch share column names (id, ...): each record reads its own table's.
    event = records.event_record({c.name: mapping[c] for c in _EVENT.c})
    watch = records.watch_record({c.name: mapping[c] for c in _WATCH.c})
    return Change(event, watch, mapping["revision_text"] or "")
