"""Applying a `CheckPlan`: the statements one check runs, in the caller's transaction. Only
`watcher.store` imports this module.

Every write starts with one conditional UPDATE of the watch (`APPLY_STATE`): it matches only
while the watch is at the version the decision read, bumps that version and ends the check's
claim. A plan whose UPDATE matched nothing is stale and writes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

import watcher.store.records as records
from watcher.model import DISCOVERED, Target, Watch
from watcher.plan import CheckPlan, NewWatch, PlannedEvent, Step
from watcher.store.captures import keep, write_answers
from watcher.store.tables import DELIVERY, EVENT, METRIC, REVISION, WATCH

__all__ = ["DELIVERY", "EVENT", "METRIC", "REVISION", "WATCH"]

# What every check changes on its watch. Built once, so the hot path (an unchanged check) costs
# one precompiled UPDATE, and a batch of them one executemany; bound names are prefixed because
# SET reserves the column names.
_STATE_COLUMNS = (
    "enabled",
    "presence",
    "status",
    "content_hash",
    "gone_streak",
    "gone_since",
    "fail_streak",
    "problem",
    "quoted_presence",
    "quoted_hash",
    "last_checked_at",
    "next_check_at",
    "last_error",
    "revisions",
    "claimed_until",
    "claimed_by",
)
APPLY_STATE = (
    WATCH.update()
    .where(WATCH.c.id == bindparam("b_id"), WATCH.c.version == bindparam("b_version"))
    .values({name: bindparam(f"b_{name}", type_=WATCH.c[name].type) for name in _STATE_COLUMNS})
    .values(version=WATCH.c.version + 1)
)


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying a plan wrote: the watch as it now is (its `version` bumped), and the post
    watches its listing started (not those it adopted), in the plan's order."""

    watch: Watch
    created: tuple[Watch, ...] = ()


def state_params(plan: CheckPlan) -> dict[str, Any]:
    """The bound values of `APPLY_STATE` for `plan` (the claim ends with the check)."""
    values = records.state_values(plan.state) | {
        "enabled": plan.enabled,
        "last_checked_at": plan.checked_at,
        "next_check_at": plan.next_check_at,
        "last_error": plan.last_error,
        "revisions": plan.revisions,
        "claimed_until": None,
        "claimed_by": "",
    }
    params = {f"b_{name}": value for name, value in values.items()}
    return params | {"b_id": plan.watch.id, "b_version": plan.watch.version}


def apply_plan(conn: Connection, plan: CheckPlan) -> Applied | None:
    """Write `plan` in `conn`'s transaction; None (nothing written) when it is stale."""
    if conn.execute(APPLY_STATE, state_params(plan)).rowcount != 1:
        return None
    watch, now = plan.watch, plan.checked_at
    outbox: list[dict[str, Any]] = []
    number = watch.revisions
    for step in plan.steps:
        number = _write_step(conn, watch.id, step, number, now, outbox)
    kept = keep(conn, plan.captures)
    write_answers(conn, watch.id, number, kept)
    extra: dict[str, Any] = {}
    if plan.metrics is not None:
        extra["metrics"] = dict(plan.metrics)
        conn.execute(METRIC.insert(), {"watch_id": watch.id, "at": now, "values": extra["metrics"]})
    if plan.listing is not None and plan.listing != watch.listing:
        extra["listing"] = list(plan.listing)
    if plan.silent_since != watch.silent_since:  # a silence announced or ended
        extra["silent_since"] = plan.silent_since
    if extra:
        conn.execute(WATCH.update().where(WATCH.c.id == watch.id).values(extra))
    created = [
        child
        for found in plan.discovered
        if (child := _start_watch(conn, watch, found, now, outbox)) is not None
    ]
    for child in created:  # the listing that showed a new post is its first evidence too
        write_answers(conn, child.id, 1, kept)
    if outbox:  # in event order: the drain sends a channel's alerts in delivery id order
        conn.execute(DELIVERY.insert(), outbox)
    return Applied(_applied_watch(plan, number), tuple(created))


def _applied_watch(plan: CheckPlan, revisions: int) -> Watch:
    watch = plan.watch
    return replace(
        watch,
        enabled=plan.enabled,
        state=plan.state,
        last_checked_at=plan.checked_at,
        next_check_at=plan.next_check_at,
        last_error=plan.last_error,
        revisions=revisions,
        metrics=dict(plan.metrics) if plan.metrics is not None else watch.metrics,
        listing=plan.listing if plan.listing is not None else watch.listing,
        silent_since=plan.silent_since,
        version=watch.version + 1,
    )


def _write_step(
    conn: Connection,
    watch_id: int,
    step: Step,
    number: int,
    now: datetime,
    outbox: list[dict[str, Any]],
) -> int:
    """One step: its revision (numbered after `number`) and its events; returns the number
    of the newest revision after it."""
    previous = number
    if step.post is not None:
        number += 1
        values = records.revision_values(watch_id, number, step.post, step.content_hash, step.at)
        conn.execute(REVISION.insert(), values)
    _write_events(conn, watch_id, step.events, number, previous, now, outbox)
    return number


def _write_events(
    conn: Connection,
    watch_id: int,
    events: tuple[PlannedEvent, ...],
    number: int,
    previous: int,
    now: datetime,
    outbox: list[dict[str, Any]],
) -> None:
    for event in events:
        values = records.event_values(
            watch_id, event.kind, event.at, event.detail, number, previous
        )
        event_id = conn.execute(EVENT.insert().returning(EVENT.c.id), values).scalar_one()
        outbox += (records.delivery_values(event_id, name, now) for name in event.channels)


def _start_watch(
    conn: Connection, account: Watch, found: NewWatch, now: datetime, outbox: list[dict[str, Any]]
) -> Watch | None:
    """A listed post's watch with its first check written (revision 1, its events); None when
    the post was already watched (then the account adopts it, if no other account has)."""
    row = conn.execute(target_query(found.target)).first()
    if row is not None:
        if row.parent_id is None:
            adopt = {"parent_id": account.id, "post_id": found.post.id}
            if row.origin == records.CHECK_ONLY:  # kept by a one-off check: the account follows it
                adopt |= {
                    "origin": DISCOVERED,
                    "enabled": found.enabled,
                    "next_check_at": found.next_check_at,
                    "posted_at": found.post.created_at,
                }
            bumped = {"version": WATCH.c.version + 1}  # a check of it read the watch as it was
            conn.execute(WATCH.update().where(WATCH.c.id == row.id).values(adopt | bumped))
        return None
    post = found.post
    values = records.new_watch_values(
        found.target, 0.0, now, found.enabled, account.channels, filters=account.filters
    )
    values |= records.state_values(found.state) | {
        "origin": DISCOVERED,
        "parent_id": account.id,
        "post_id": post.id,
        "posted_at": post.created_at,
        "next_check_at": found.next_check_at,
        "last_checked_at": now,
        "revisions": 1,
        "metrics": dict(post.metrics),
        "version": 1,
    }
    fresh = conn.execute(WATCH.insert().returning(*WATCH.c), values).one()
    child = records.watch_record(fresh._mapping)
    revision = records.revision_values(child.id, 1, post, found.content_hash, now)
    conn.execute(REVISION.insert(), revision)
    if post.metrics:  # the first sample of its counters
        conn.execute(METRIC.insert(), {"watch_id": child.id, "at": now, "values": child.metrics})
    _write_events(conn, child.id, found.events, 1, 0, now, outbox)
    return child


def target_query(target: Target) -> Any:
    return select(WATCH).where(
        WATCH.c.url == target.url,
        WATCH.c.platform == target.platform,
        WATCH.c.selector == target.selector,
        WATCH.c.field_path == target.field,
    )
