"""Writing one check: the statements every check (of a post or an account) runs, in the
caller's transaction. Only `watcher.store` imports this module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlmodel import SQLModel

from watcher.detect import Outcome
from watcher.model import DISCOVERED, EventKind, Post, Target, Watch
from watcher.store import records
from watcher.store.tables import DeliveryRow, EventRow, MetricSampleRow, RevisionRow, WatchRow

WATCH = SQLModel.metadata.tables[WatchRow.__tablename__]
REVISION = SQLModel.metadata.tables[RevisionRow.__tablename__]
EVENT = SQLModel.metadata.tables[EventRow.__tablename__]
DELIVERY = SQLModel.metadata.tables[DeliveryRow.__tablename__]
METRIC = SQLModel.metadata.tables[MetricSampleRow.__tablename__]

# What one check changes on its watch. Built once, so the hot path (an unchanged check) costs one
# precompiled UPDATE; bound names are prefixed because SET reserves the column names.
_CHECK_COLUMNS = (
    "enabled",
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
    "claimed_until",
)
UPDATE_AFTER_CHECK = (
    WATCH.update()
    .where(WATCH.c.id == bindparam("b_id"))
    .values({name: bindparam(f"b_{name}", type_=WATCH.c[name].type) for name in _CHECK_COLUMNS})
)

# Which channels an event goes to (names); decided by the app from the config.
Route = Callable[[Watch, EventKind], Sequence[str]]


def no_route(_watch: Watch, _kind: EventKind) -> Sequence[str]:
    return ()


def quiet_new(route: Route) -> Route:
    """`route`, except that `new` events go nowhere."""

    def quiet(watch: Watch, kind: EventKind) -> Sequence[str]:
        return () if kind is EventKind.NEW else route(watch, kind)

    return quiet


@dataclass(frozen=True, slots=True)
class Discovery:
    """A post found on an account's timeline, with its first check already decided."""

    target: Target
    post: Post
    outcome: Outcome
    next_check_at: datetime
    enabled: bool  # False: too old to follow, but recorded so that it is known
    announce: bool = True  # False: its `new` event is recorded but alerts nobody


def write_check(
    conn: Connection,
    watch: Watch,
    outcome: Outcome,
    post: Post | None,
    now: datetime,
    next_check_at: datetime,
    route: Route,
    enabled: bool | None = None,
) -> Watch:
    number = watch.revisions
    metrics = dict(post.metrics) if post else dict(watch.metrics)
    error = outcome.reason if post is None else ""
    enabled = watch.enabled if enabled is None else enabled
    if post is not None and post.metrics and metrics != dict(watch.metrics):
        conn.execute(METRIC.insert(), {"watch_id": watch.id, "at": now, "values": metrics})
    if outcome.store_revision and post is not None:
        number += 1
        digest = outcome.state.content_hash
        conn.execute(
            REVISION.insert(), records.revision_values(watch.id, number, post, digest, now)
        )
    for event in outcome.events:
        values = records.event_values(watch, event.kind, event.at, event.detail, number)
        event_id = conn.execute(EVENT.insert().returning(EVENT.c.id), values).scalar()
        outbox = [records.delivery_values(event_id, name, now) for name in route(watch, event.kind)]
        if outbox:
            conn.execute(DELIVERY.insert(), outbox)
    state = records.state_values(outcome.state) | {
        "enabled": enabled,
        "last_checked_at": now,
        "next_check_at": next_check_at,
        "last_error": error,
        "revisions": number,
        "metrics": metrics,
        "claimed_until": None,
    }
    conn.execute(UPDATE_AFTER_CHECK, {f"b_{k}": v for k, v in state.items()} | {"b_id": watch.id})
    return replace(
        watch,
        enabled=enabled,
        state=outcome.state,
        last_checked_at=now,
        next_check_at=next_check_at,
        last_error=error,
        revisions=number,
        metrics=metrics,
    )


def add_post(
    conn: Connection, account: Watch, found: Discovery, now: datetime, route: Route
) -> Watch | None:
    """A discovered post's watch with its first check written; None when the post was
    already watched (then the account adopts it, if no other account has)."""
    row = conn.execute(target_query(found.target)).first()
    if row is not None:
        if row.parent_id is None:
            adopt = {"parent_id": account.id, "post_id": found.post.id}
            conn.execute(WATCH.update().where(WATCH.c.id == row.id).values(adopt))
        return None
    values = records.new_watch_values(found.target, 0.0, now, found.enabled, account.channels)
    values |= {
        "origin": DISCOVERED,
        "parent_id": account.id,
        "post_id": found.post.id,
        "posted_at": found.post.created_at,
    }
    new_id = conn.execute(WATCH.insert().returning(WATCH.c.id), values).scalar_one()
    fresh = conn.execute(select(WATCH).where(WATCH.c.id == new_id)).one()
    child = records.watch_record(fresh._mapping)
    route = route if found.announce else quiet_new(route)
    return write_check(
        conn, child, found.outcome, found.post, now, found.next_check_at, route, found.enabled
    )


def target_query(target: Target) -> Any:
    return select(WATCH).where(
        WATCH.c.url == target.url,
        WATCH.c.platform == target.platform,
        WATCH.c.selector == target.selector,
        WATCH.c.field_path == target.field,
    )
