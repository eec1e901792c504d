"""Bring a database made by an earlier version up to the current tables, in place.

`create_all` makes missing tables but never touches existing ones, so columns and indexes added
since are added here, each column with a default that reads as "what the earlier version
meant" (a watch made before accounts existed is a post watch). Nothing stored is rewritten or
dropped, but for one move: schema 7's `capture` rows go to schema 8's `raw_answer` and
`raw_body` tables, every byte kept (`watcher.store.captures.move_v7_captures`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import JSON, Column, Connection, Index, Inspector, Table, inspect, text

from watcher.store.captures import move_v7_captures
from watcher.store.tables import METADATA

log = logging.getLogger(__name__)


def up_to_date(conn: Connection) -> bool:
    """Whether every table, column and index of `tables.py` is in the database (reads only)."""
    inspector = inspect(conn)
    have = set(inspector.get_table_names())
    return all(
        table.name in have
        and not _missing_columns(inspector, table)
        and not _missing_indexes(inspector, table)
        for table in METADATA.sorted_tables
    )


def upgrade(conn: Connection) -> None:
    """Add the columns and indexes the tables lack (run after `create_all`, in its transaction)."""
    inspector = inspect(conn)
    for table in METADATA.sorted_tables:
        for column in _missing_columns(inspector, table):
            log.info("adding column %s.%s", table.name, column.name)
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {_ddl(column, conn)}"))
        for index in _missing_indexes(inspector, table):  # e.g. the due index claims search by
            log.info("adding index %s", index.name)
            index.create(conn)
    move_v7_captures(conn)


def _missing_columns(inspector: Inspector, table: Table) -> list[Column[Any]]:
    have = {column["name"] for column in inspector.get_columns(table.name)}
    return [column for column in table.columns if column.name not in have]


def _missing_indexes(inspector: Inspector, table: Table) -> list[Index]:
    have = {index["name"] for index in inspector.get_indexes(table.name)}
    return [index for index in table.indexes if index.name not in have]


def _ddl(column: Column[Any], conn: Connection) -> str:
    kind = column.type.compile(dialect=conn.dialect)
    default = _default(column)
    if default is None:
        return f"{column.name} {kind}"
    return f"{column.name} {kind} NOT NULL DEFAULT {default}"


def _default(column: Column[Any]) -> str | None:
    """The SQL literal earlier rows get, or None for a nullable column (they get NULL)."""
    if column.nullable:
        return None
    if isinstance(column.type, JSON):
        return "'[]'"
    value = getattr(column.default, "arg", None)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value or "").replace("'", "''") + "'"
