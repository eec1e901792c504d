"""Database URLs and engines: SQLite (WAL) by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from watcher.errors import StoreError


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("watcher")) / "watcher.db"


def resolve_db_url(value: str = "") -> str:
    """A SQLAlchemy URL from `--db`/`WATCHER_DB`/config: a URL as is, a path as SQLite."""
    value = value or os.environ.get("WATCHER_DB", "")
    if "://" in value:
        return value
    path = Path(value).expanduser() if value else default_db_path()
    return f"sqlite:///{path.resolve()}"


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"database URL {url!r} is not valid: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "")
    try:
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"no driver for database URL {parsed!r}: {exc}") from exc


def _sqlite_engine(url: str, database: str) -> Engine:
    if database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for database {database}: {exc}") from exc
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the daemon's writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives kill -9; one fsync less
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
