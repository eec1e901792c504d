"""The tables, as SQLAlchemy Core. Only `watcher.store` imports this module.

Plain Core rather than SQLModel classes: the store only ever runs Core statements, and SQLModel
brought pydantic along — about 90 ms and 10 MB on every command that opens the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


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


METADATA = MetaData()


def _id() -> Column[Any]:
    return Column("id", Integer, primary_key=True)


def _text(name: str, default: str | None = None) -> Column[Any]:
    """A NOT NULL string; `default` is what inserts leave out get (and what upgrades give
    earlier rows)."""
    return Column(name, String, nullable=False, default=default)


def _number(name: str, default: int | None = None) -> Column[Any]:
    return Column(name, Integer, nullable=False, default=default)


def _when(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, UTCDateTime(), nullable=nullable)


def _json(name: str) -> Column[Any]:
    return Column(name, JSON, nullable=False)


def _watch_id(index: bool = False) -> Column[Any]:
    return Column(
        "watch_id", Integer, ForeignKey("watch.id", ondelete="CASCADE"), nullable=False, index=index
    )


WATCH = Table(
    "watch",
    METADATA,
    _id(),
    _text("url"),
    _text("platform"),
    _text("selector", ""),
    _text("field_path", ""),
    Column("interval", Float, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    _when("created_at"),
    _when("next_check_at"),
    _when("last_checked_at", nullable=True),
    _when("claimed_until", nullable=True),  # a check is under way until then
    _text("claimed_by", ""),  # who checks it: "host:pid:token" (watcher.store.process)
    _number("version", 0),  # bumped by every applied check: a plan applies to the version read
    _text("last_error", ""),
    _number("revisions", 0),
    _json("metrics"),
    # detection state (watcher.model.WatchState)
    _text("presence", "unknown"),
    Column("status", String, nullable=True),
    _text("content_hash", ""),
    _number("gone_streak", 0),
    _when("gone_since", nullable=True),
    _number("fail_streak", 0),
    Column("problem", String, nullable=True),
    # delivery
    _json("channels"),
    _text("origin", "cli"),  # "cli", "config" (synced with the file) or "account" (discovered)
    # accounts and their posts (watcher.model.Watch)
    _text("kind", "post"),  # "post" or "account"
    Column("parent_id", Integer, nullable=True),
    _text("post_id", ""),
    _when("posted_at", nullable=True),
    _json("listing"),
    _number("pages", 1),
    # the user's organisation (schema 3)
    _text("name", ""),
    _json("tags"),
    Column("paused", Boolean, nullable=False, default=False),  # enabled is then False too
    # filters (schema 4; watcher.model.Filters): `ignore` is an SQL keyword, hence the name
    _text("ignore_pattern", ""),
    _number("min_change", 0),
    # accounts going quiet (schema 5; watcher.silence): the setting, and the last post before
    # the silence announced (NULL: none is)
    _text("silence", "auto"),
    _when("silent_since", nullable=True),
    # the quoted post of the last stored revision (schema 6; watcher.quotes): its presence
    # (NULL: quotes nothing, or stored before) and the hash of what it showed
    Column("quoted_presence", String, nullable=True),
    _text("quoted_hash", ""),
    UniqueConstraint("url", "platform", "selector", "field_path"),
    Index("ix_watch_due", "enabled", "next_check_at"),
    Index("ix_watch_parent", "parent_id"),
)

REVISION = Table(
    "revision",
    METADATA,
    _id(),
    _watch_id(),
    _number("number"),
    _text("content_hash"),
    _when("observed_at"),
    _text("post_id"),
    _text("post_url"),
    _text("author", ""),
    _text("title", ""),
    _text("text"),
    _json("media"),
    _when("created_at", nullable=True),
    _when("edited_at", nullable=True),
    Column("platform_edited", Boolean, nullable=False, default=False),
    _json("metrics"),
    _json("media_urls"),  # schema 5: where the media can be seen; never content ([] before)
    # schema 6: the post it quotes (watcher.model.Quoted as an object); NULL: none, or before
    Column("quoted", JSON, nullable=True),
    UniqueConstraint("watch_id", "number"),
)

EVENT = Table(
    "event",
    METADATA,
    _id(),
    _watch_id(index=True),
    _text("kind"),
    _when("at"),
    Column("revision", Integer, nullable=True),
    Column("previous", Integer, nullable=True),
    _text("detail", ""),
)

# The outbox: one row per event and channel, written with the event, sent by the drain.
DELIVERY = Table(
    "delivery",
    METADATA,
    _id(),
    Column("event_id", Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False),
    _text("channel"),
    _text("state", "pending"),  # pending | sent | dead
    _number("attempts", 0),
    _number("parts_sent", 0),  # a multi-part message resumes after the parts already sent
    _when("next_attempt_at"),
    _when("created_at"),
    _when("sent_at", nullable=True),
    _text("last_error", ""),
    UniqueConstraint("event_id", "channel"),
    Index("ix_delivery_due", "state", "next_attempt_at"),
)

# Which drainer sends a channel's alerts now: one at a time, so that several daemons on one
# database send each alert once and in order. A drainer that dies leaves its lease until
# `until`, then another takes over (at worst one message is sent twice).
CHANNEL_LEASE = Table(
    "channel_lease",
    METADATA,
    Column("channel", String, primary_key=True),
    _text("holder"),
    _when("until"),
)

# Counters over time: a row whenever a check sees them differ from the last sample (an
# unchanged run of checks is one sample, so the hot path writes nothing here).
METRIC = Table(
    "metric_sample",
    METADATA,
    _id(),
    _watch_id(index=True),
    _when("at"),
    _json("values"),
    # A digest reads an account's samples of one period: a range per post, not its history.
    Index("ix_metric_sample_watch_at", "watch_id", "at"),
)

# Scheduled digests recorded: one row per digest and period, written in the transaction of its
# event and outbox rows. The unique key is what makes a period's digest go out exactly once,
# whatever restarts or how many daemons share the database.
DIGEST_RUN = Table(
    "digest_run",
    METADATA,
    _id(),
    _text("digest"),  # the [[digests]] entry's key
    _when("period_start"),
    _when("period_end"),
    _watch_id(),  # the account
    Column("event_id", Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False),
    _when("created_at"),
    UniqueConstraint("digest", "period_start"),
)

# Evidence (schema 8; watcher.evidence): the platform's raw answers behind a revision or a gone
# signal. An answer row per request, per watch it is evidence for; `revision` is the watch's
# newest revision once the check was written. Bodies live apart, so that one answer kept for
# several watches (a timeline page that lists many new posts) is stored once.
#
# Answers from one host repeat most of their bytes (the keys, the author's whole profile in
# every post), so bodies and headers are compressed with a preset zlib dictionary: the first
# body (or headers) kept from that host, stored here once and never changed.
RAW_DICT = Table(
    "raw_dict",
    METADATA,
    _id(),
    Column("key", String, nullable=False, unique=True),  # "body:HOST" or "headers:HOST"
    Column("data", LargeBinary, nullable=False),  # zlib-compressed, without a dictionary
)
RAW_BODY = Table(
    "raw_body",
    METADATA,
    _id(),
    Column("data", LargeBinary, nullable=False),  # zlib with `dict_id`'s data, at most the cap
    Column("dict_id", Integer, ForeignKey("raw_dict.id"), nullable=True),  # None: plain zlib
    _text("sha256"),  # of the whole body as received
    _number("size"),  # of the whole body
    Column("truncated", Boolean, nullable=False, default=False),
)
RAW_ANSWER = Table(
    "raw_answer",
    METADATA,
    _id(),
    _watch_id(),
    Column("revision", Integer, nullable=True),
    _when("at"),
    Column("body_id", Integer, ForeignKey("raw_body.id"), nullable=False),
    _text("url"),
    _text("final_url", ""),  # "" when the answer came from `url` itself
    _text("method", "GET"),
    _number("status"),
    # JSON {"request": {...}, "response": {...}}, secrets masked, compressed like bodies
    Column("headers", LargeBinary, nullable=False),
    Column("dict_id", Integer, ForeignKey("raw_dict.id"), nullable=True),
    Index("ix_raw_answer_watch", "watch_id"),  # a watch's few answers are sorted as read
)

# The daemons that ran on this database and when each was last seen: a row per process,
# written as it starts, every `HEARTBEAT` seconds while it runs, and as it stops.
DAEMON = Table(
    "daemon",
    METADATA,
    Column("holder", String, primary_key=True),  # "host:pid:token" (watcher.store.process)
    _text("host"),
    _number("pid"),
    _text("version", ""),
    _when("started_at"),
    _when("seen_at"),
    _when("stopped_at", nullable=True),  # None while it runs, or if it died
)

# Small facts about the database as a whole, by key (e.g. the digest of the config file last
# synced, so that an unchanged config is not synced again).
META = Table(
    "meta",
    METADATA,
    Column("key", String, primary_key=True),
    _text("value", ""),
)
