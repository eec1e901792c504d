"""SQLModel tables. Only `watcher.store` imports this module."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _when(**kw: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kw))


class WatchRow(SQLModel, table=True):
    __tablename__ = "watch"
    __table_args__ = (
        UniqueConstraint("url", "platform", "selector", "field_path"),
        Index("ix_watch_due", "enabled", "next_check_at"),
        Index("ix_watch_parent", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str
    platform: str
    selector: str = ""
    field_path: str = ""
    interval: float
    enabled: bool = True
    created_at: datetime = _when(nullable=False)
    next_check_at: datetime = _when(nullable=False)
    last_checked_at: datetime | None = _when(nullable=True)
    claimed_until: datetime | None = _when(nullable=True)  # a check is under way until then
    claimed_by: str = ""  # who checks it: "host:pid:token" (watcher.store.process)
    version: int = 0  # bumped by every applied check: a plan applies only to the version it read
    last_error: str = ""
    revisions: int = 0
    metrics: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # detection state (watcher.model.WatchState)
    presence: str = "unknown"
    status: str | None = None
    content_hash: str = ""
    gone_streak: int = 0
    gone_since: datetime | None = _when(nullable=True)
    fail_streak: int = 0
    problem: str | None = None
    # delivery
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    origin: str = "cli"  # "cli", "config" (synced with the file) or "account" (discovered)
    # accounts and their posts (watcher.model.Watch)
    kind: str = "post"  # "post" or "account"
    parent_id: int | None = None
    post_id: str = ""
    posted_at: datetime | None = _when(nullable=True)
    listing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pages: int = 1


class RevisionRow(SQLModel, table=True):
    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("watch_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    watch_id: int = Field(foreign_key="watch.id", ondelete="CASCADE")
    number: int
    content_hash: str
    observed_at: datetime = _when(nullable=False)
    post_id: str
    post_url: str
    author: str = ""
    title: str = ""
    text: str
    media: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime | None = _when(nullable=True)
    edited_at: datetime | None = _when(nullable=True)
    platform_edited: bool = False
    metrics: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventRow(SQLModel, table=True):
    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    watch_id: int = Field(foreign_key="watch.id", index=True, ondelete="CASCADE")
    kind: str
    at: datetime = _when(nullable=False)
    revision: int | None = None
    previous: int | None = None
    detail: str = ""


class DeliveryRow(SQLModel, table=True):
    """The outbox: one row per event and channel, written with the event, sent by the drain."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "channel"),
        Index("ix_delivery_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE")
    channel: str
    state: str = "pending"  # pending | sent | dead
    attempts: int = 0
    parts_sent: int = 0  # a multi-part message resumes after the parts already sent
    next_attempt_at: datetime = _when(nullable=False)
    created_at: datetime = _when(nullable=False)
    sent_at: datetime | None = _when(nullable=True)
    last_error: str = ""


class ChannelLeaseRow(SQLModel, table=True):
    """Which drainer sends a channel's alerts now: one at a time, so that several daemons on
    one database send each alert once and in order. A drainer that dies leaves its lease
    until `until`, then another takes over (at worst one message is sent twice)."""

    __tablename__ = "channel_lease"

    channel: str = Field(primary_key=True)
    holder: str
    until: datetime = _when(nullable=False)


class MetricSampleRow(SQLModel, table=True):
    """Counters over time: a row whenever a check sees them differ from the last sample (an
    unchanged run of checks is one sample, so the hot path writes nothing here)."""

    __tablename__ = "metric_sample"

    id: int | None = Field(default=None, primary_key=True)
    watch_id: int = Field(foreign_key="watch.id", index=True, ondelete="CASCADE")
    at: datetime = _when(nullable=False)
    values: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class MetaRow(SQLModel, table=True):
    """Small facts about the database as a whole, by key (e.g. the digest of the config file
    last synced, so that an unchanged config is not synced again)."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str = ""
