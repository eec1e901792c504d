"""Database URLs and engines: SQLite (WAL) by default, any SQLAlchemy URL otherwise.

A SQLite file this process cannot write (its mode, or a folder where no journal can be made)
is opened read-only, so that `history`, `list` and `diff` still read it: SQLite's usual open
would need to write the WAL index beside it. A write to such a store fails with SQLite's
"attempt to write a readonly database".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import platformdirs
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from watcher.errors import StoreError
from watcher.masking import mask_db_url


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
        raise StoreError(f"database URL {mask_db_url(url)} is not valid: {exc}") from exc
    except ValueError as exc:  # SQLAlchemy's int() of a port that is not a number
        raise StoreError(
            f"database URL {mask_db_url(url)} is not valid: its port is not a number"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"no driver for database URL {mask_db_url(url)}: {exc}") from exc


def is_read_only(engine: Engine) -> bool:
    """Whether this engine opens its SQLite file read-only (asked for, or found unwritable)."""
    query = engine.url.query
    return engine.url.get_backend_name() == "sqlite" and (
        query.get("mode") == "ro" or query.get("immutable") == "1"
    )


def _sqlite_engine(parsed: URL) -> Engine:
    database = parsed.database or ""
    if parsed.query.get("uri") != "true" and database not in ("", ":memory:"):
        if Path(database).exists():
            parsed = _read_only(parsed, Path(database))
        else:
            _make_folder(Path(database))
    engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _make_folder(database: Path) -> None:
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for database {database}: {exc}") from exc


def _read_only(parsed: URL, database: Path) -> URL:
    """`parsed` as a read-only SQLite URI when this process cannot write the file or its
    folder; otherwise `parsed` unchanged."""
    folder_writable = os.access(database.parent, os.W_OK | os.X_OK)
    if os.access(database, os.W_OK) and folder_writable:
        return parsed
    query = dict(parsed.query) | {"mode": "ro", "uri": "true"}
    if not folder_writable and not Path(f"{database}-wal").exists():
        # No WAL index can be made, and with no -wal file no writer is using WAL: read the
        # file as it stands (SQLite's "immutable" skips the locking that needs the index).
        query["immutable"] = "1"
    return parsed.set(database=f"file:{quote(str(database))}", query=query)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection settings; none of them writes the file (WAL, which does, is set once by
    the schema set-up, only on a database it may change)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives kill -9; one fsync less
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
