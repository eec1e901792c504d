"""Setting up the tables when a store opens: create what is missing, upgrade what is old.

Several processes may open one fresh database at once (daemons starting together, a CLI
command beside a daemon). Creating tables is "look, then create", so the set-up runs under a
lock each backend offers: an advisory lock on PostgreSQL, the database's write lock on SQLite
(taken up front by `BEGIN IMMEDIATE`, since SQLite's driver would otherwise run each CREATE
outside any transaction).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from watcher.store.tables import METADATA
from watcher.store.upgrade import upgrade

SCHEMA_LOCK = 0x77617463  # "watc": the advisory lock that serialises schema set-up


def set_up(engine: Engine) -> None:
    """Create missing tables and upgrade old ones, one process at a time."""
    with engine.connect() as conn:
        _lock(conn)
        METADATA.create_all(conn)
        upgrade(conn)
        conn.commit()


def _lock(conn: Connection) -> None:
    """Hold the set-up lock until the transaction ends (a waiting process waits its turn)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout
