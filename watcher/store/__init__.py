"""The store: the only module that talks SQL. It takes and returns `watcher.model` records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from watcher.detect import Outcome
from watcher.errors import StoreError, UsageError
from watcher.model import (
    EventKind,
    Post,
    Presence,
    Revision,
    Status,
    StoredEvent,
    Target,
    Watch,
    WatchState,
)
from watcher.store.engine import make_engine, resolve_db_url
from watcher.store.tables import EventRow, RevisionRow, WatchRow

__all__ = ["Store", "resolve_db_url"]

log = logging.getLogger(__name__)

_WATCH = SQLModel.metadata.tables["watch"]
_REVISION = SQLModel.metadata.tables["revision"]
_EVENT = SQLModel.metadata.tables["event"]
# What one check changes on its watch. Built once, so the hot path (an unchanged check) costs one
# precompiled UPDATE; bound names are prefixed because SET reserves the column names.
_CHECK_COLUMNS = (
    "presence",
    "status",
    "content_hash",
    "gone_streak",
    "gone_since",
    "fail_streak",
    "problem",
    "last_checked_at",
    "next_check_at",
    "last_error",
    "revisions",
    "metrics",
)
_UPDATE_AFTER_CHECK = (
    _WATCH.update()
    .where(_WATCH.c.id == bindparam("b_id"))
    .values({name: bindparam(f"b_{name}", type_=_WATCH.c[name].type) for name in _CHECK_COLUMNS})
)


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        try:
            SQLModel.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot open database {_safe(url)}: {_reason(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back (and mapped) on failure."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"database {_safe(self.url)}: {_reason(exc)}") from exc

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """One Core transaction, for the hot path: no ORM unit of work to build."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"database {_safe(self.url)}: {_reason(exc)}") from exc

    # -- watches -------------------------------------------------------------------------

    def find_watch(self, target: Target) -> Watch | None:
        with self._session() as s:
            row = s.exec(_target_query(target)).first()
            return _watch(row) if row else None

    def ensure_watch(self, target: Target, interval: float, now: datetime, enable: bool) -> Watch:
        """The watch for `target`, created if new; `enable` schedules it (never unschedules)."""
        with self._session() as s:
            row = s.exec(_target_query(target)).first()
            if row is None:
                row = WatchRow(
                    url=target.url,
                    platform=target.platform,
                    selector=target.selector,
                    field_path=target.field,
                    interval=interval,
                    enabled=enable,
                    created_at=now,
                    next_check_at=now,
                )
                s.add(row)
            elif enable:
                row.enabled, row.interval = True, interval
            s.flush()
            return _watch(row)

    def get_watch(self, watch_id: int) -> Watch:
        with self._session() as s:
            row = s.get(WatchRow, watch_id)
            if row is None:
                raise UsageError(f"no watch with id {watch_id}")
            return _watch(row)

    def resolve(self, ref: str) -> Watch:
        """A watch by id or by URL, for commands that take `<url-or-id>`."""
        if ref.isdigit():
            return self.get_watch(int(ref))
        with self._session() as s:
            rows = s.exec(select(WatchRow).where(WatchRow.url == ref)).all()
        if not rows:
            raise UsageError(f"no watch for {ref!r}; `watcher list --all` shows every watch")
        if len(rows) > 1:
            ids = ", ".join(str(r.id) for r in rows)
            raise UsageError(f"several watches for {ref!r} (ids {ids}); give the id")
        return _watch(rows[0])

    def list_watches(self, include_disabled: bool = False) -> list[Watch]:
        query = select(WatchRow).order_by(col(WatchRow.id))
        if not include_disabled:
            query = query.where(col(WatchRow.enabled).is_(True))
        with self._session() as s:
            return [_watch(row) for row in s.exec(query).all()]

    def disable_watch(self, watch_id: int) -> Watch:
        with self._session() as s:
            s.execute(update(WatchRow).where(col(WatchRow.id) == watch_id).values(enabled=False))
        return self.get_watch(watch_id)

    def purge_watch(self, watch_id: int) -> int:
        """Delete a watch with its revisions and events; returns how many revisions went."""
        watch = self.get_watch(watch_id)
        with self._session() as s:
            s.execute(delete(EventRow).where(col(EventRow.watch_id) == watch_id))
            s.execute(delete(RevisionRow).where(col(RevisionRow.watch_id) == watch_id))
            s.execute(delete(WatchRow).where(col(WatchRow.id) == watch_id))
        return watch.revisions

    # -- one check -----------------------------------------------------------------------

    def record(
        self,
        watch: Watch,
        outcome: Outcome,
        post: Post | None,
        now: datetime,
        next_check_at: datetime,
    ) -> Watch:
        """Write one check in ONE transaction: the revision (only if the content changed),
        the events, and the watch's new state. Returns the updated watch."""
        number = watch.revisions
        metrics = dict(post.metrics) if post else dict(watch.metrics)
        error = outcome.reason if post is None else ""
        with self._connection() as conn:
            if outcome.store_revision and post is not None:
                number += 1
                digest = outcome.state.content_hash
                conn.execute(
                    _REVISION.insert(), _revision_values(watch.id, number, post, digest, now)
                )
            if outcome.events:
                events = [
                    _event_values(watch, e.kind, e.at, e.detail, number) for e in outcome.events
                ]
                conn.execute(_EVENT.insert(), events)
            values = _state_values(outcome.state) | {
                "last_checked_at": now,
                "next_check_at": next_check_at,
                "last_error": error,
                "revisions": number,
                "metrics": metrics,
            }
            conn.execute(
                _UPDATE_AFTER_CHECK, {f"b_{k}": v for k, v in values.items()} | {"b_id": watch.id}
            )
        return replace(
            watch,
            state=outcome.state,
            last_checked_at=now,
            next_check_at=next_check_at,
            last_error=error,
            revisions=number,
            metrics=metrics,
        )

    # -- history -------------------------------------------------------------------------

    def revisions(self, watch_id: int) -> list[Revision]:
        """Every stored version, newest first."""
        query = (
            select(RevisionRow)
            .where(RevisionRow.watch_id == watch_id)
            .order_by(col(RevisionRow.number).desc())
        )
        with self._session() as s:
            return [_revision(row) for row in s.exec(query).all()]

    def revision(self, watch_id: int, number: int) -> Revision:
        query = select(RevisionRow).where(
            RevisionRow.watch_id == watch_id, RevisionRow.number == number
        )
        with self._session() as s:
            row = s.exec(query).first()
        if row is None:
            raise UsageError(f"watch {watch_id} has no revision {number}")
        return _revision(row)

    def events(self, watch_id: int) -> list[StoredEvent]:
        """Every event, newest first."""
        query = (
            select(EventRow)
            .where(EventRow.watch_id == watch_id)
            .order_by(col(EventRow.at).desc(), col(EventRow.id).desc())
        )
        with self._session() as s:
            return [_event(row) for row in s.exec(query).all()]

    def count_revisions(self) -> int:
        with self._session() as s:
            return int(s.exec(select(func.count()).select_from(RevisionRow)).one())


# -- row ↔ record mapping -------------------------------------------------------------------


def _target_query(target: Target) -> SelectOfScalar[WatchRow]:
    return select(WatchRow).where(
        WatchRow.url == target.url,
        WatchRow.platform == target.platform,
        WatchRow.selector == target.selector,
        WatchRow.field_path == target.field,
    )


def _watch(row: WatchRow) -> Watch:
    assert row.id is not None
    state = WatchState(
        presence=Presence(row.presence),
        status=Status(row.status) if row.status else None,
        content_hash=row.content_hash,
        gone_streak=row.gone_streak,
        gone_since=row.gone_since,
        fail_streak=row.fail_streak,
        problem=Status(row.problem) if row.problem else None,
    )
    return Watch(
        id=row.id,
        target=Target(row.url, row.platform, row.selector, row.field_path),
        interval=row.interval,
        enabled=row.enabled,
        state=state,
        created_at=row.created_at,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_error=row.last_error,
        revisions=row.revisions,
        metrics=dict(row.metrics or {}),
    )


def _state_values(state: WatchState) -> dict[str, object]:
    return {
        "presence": state.presence.value,
        "status": state.status.value if state.status else None,
        "content_hash": state.content_hash,
        "gone_streak": state.gone_streak,
        "gone_since": state.gone_since,
        "fail_streak": state.fail_streak,
        "problem": state.problem.value if state.problem else None,
    }


def _revision_values(
    watch_id: int, number: int, post: Post, digest: str, now: datetime
) -> dict[str, object]:
    return {
        "watch_id": watch_id,
        "number": number,
        "content_hash": digest,
        "observed_at": now,
        "post_id": post.id,
        "post_url": post.url,
        "author": post.author,
        "title": post.title,
        "text": post.text,
        "media": list(post.media),
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "platform_edited": post.platform_edited,
        "metrics": dict(post.metrics),
    }


def _revision(row: RevisionRow) -> Revision:
    post = Post(
        id=row.post_id,
        url=row.post_url,
        text=row.text,
        author=row.author,
        created_at=row.created_at,
        edited_at=row.edited_at,
        title=row.title,
        media=tuple(row.media or ()),
        metrics=dict(row.metrics or {}),
        platform_edited=row.platform_edited,
    )
    return Revision(row.watch_id, row.number, post, row.content_hash, row.observed_at)


def _event_values(
    watch: Watch, kind: EventKind, at: datetime, detail: str, number: int
) -> dict[str, object]:
    previous = watch.revisions if kind is EventKind.EDITED and watch.revisions else None
    return {
        "watch_id": watch.id,
        "kind": kind.value,
        "at": at,
        "revision": number or None,
        "previous": previous,
        "detail": detail,
    }


def _event(row: EventRow) -> StoredEvent:
    return StoredEvent(
        row.watch_id, EventKind(row.kind), row.at, row.revision, row.previous, row.detail
    )


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<database>"
