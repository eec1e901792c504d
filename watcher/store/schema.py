"""Setting up the tables when a store opens: check the database's schema version, create what
is missing, upgrade what is old, record the version.

The version is `PRAGMA user_version` on SQLite and a `meta` row on other databases; 0 (nothing
recorded) is a database made before versions were recorded, or an empty one. Versions:

    1  every database written before the version was recorded (any earlier release's tables;
       `upgrade` adds the columns and indexes they lack)
    2  the version recorded
    3  watches have a name, tags and a paused flag (`upgrade` adds them: "", [], false)
    4  watches have filters: an ignore pattern and a min_change (`upgrade` adds them: "", 0)
    5  accounts have a silence setting and state; revisions keep media URLs; digests sent are
       recorded by period (`upgrade` adds the columns and tables)
    6  revisions keep the post a post quotes (`revision.quoted`), watches its presence and hash
       (`watch.quoted_presence`, `watch.quoted_hash`); `upgrade` adds them as NULL, NULL and
       "", which `watcher.quotes` reads as "stored before quotes were kept"
    7  the platform's raw answers are kept as evidence (`capture`, see `watcher.evidence`);
       `upgrade` creates the table, empty: nothing was kept before
    8  raw answers keep their bodies apart, once however many watches they are evidence for
       (`raw_answer`, `raw_body`; `upgrade` moves version 7's `capture` rows there); daemons
       say when they were last seen (`daemon`; `upgrade` creates it, empty)

A change to the tables raises `SCHEMA_VERSION` and teaches `upgrade` the step. A database at a
higher version than this code knows was written by a newer watcher: it is refused untouched,
since these queries could misread it (a renamed column would read as an empty new one).

A database at the current version with every table, column and index in place is opened
without a write; so is a read-only one that lacks only the recorded version (an unversioned
database of the release before has today's tables). Anything else is set up under a lock. Several
processes may open one fresh database at once (daemons starting together, a CLI command beside a
daemon), and creating tables is "look, then create", so the set-up runs under a lock each backend
offers: an advisory lock on PostgreSQL, the database's write lock on SQLite (taken up front by
`BEGIN IMMEDIATE`, since SQLite's driver would otherwise run each CREATE outside any
transaction). Creating, upgrading and recording the version are one transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect, select, text

from watcher.errors import StoreError
from watcher.store.tables import META, METADATA
from watcher.store.upgrade import up_to_date, upgrade

SCHEMA_VERSION = 8  # the version these tables are; see the module docstring
SCHEMA_LOCK = 0x77617463  # "watc": the advisory lock that serialises schema set-up
VERSION_KEY = "schema_version"  # its `meta` row, where there is no user_version


def set_up(engine: Engine, read_only: bool = False) -> None:
    """Refuse a newer database; create missing tables and upgrade old ones, one process at a
    time; write nothing when the database is already current."""
    with engine.connect() as conn:
        found = _checked_version(conn)
        if not read_only:
            _use_wal(conn)
        if (found == SCHEMA_VERSION or read_only) and up_to_date(conn):
            return  # a read-only older one with every column today's has reads as it is
        if read_only:
            raise StoreError(
                "this database is read-only and was written by an older watcher;"
                " open it once with write access to upgrade it"
            )
        _lock(conn)
        _checked_version(conn)  # again: another process may have set it up meanwhile
        METADATA.create_all(conn)
        upgrade(conn)
        _record_version(conn)
        conn.commit()


def stored_version(conn: Connection) -> int:
    """The schema version recorded in the database; 0 when none is."""
    if conn.dialect.name == "sqlite":
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    if not inspect(conn).has_table(META.name):
        return 0
    query = select(META.c.value).where(META.c.key == VERSION_KEY)
    value = conn.execute(query).scalar() or "0"
    try:
        return int(value)
    except ValueError:
        raise StoreError(f"this database's schema version {value!r} is not a number") from None


def _checked_version(conn: Connection) -> int:
    found = stored_version(conn)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"this database was written by a newer watcher (schema {found}); upgrade watcher"
        )
    return found


def _use_wal(conn: Connection) -> None:
    """SQLite in WAL mode: readers never block the daemon's writer. The mode is kept in the
    file (setting it again writes nothing), and SQLite changes it only outside a transaction,
    so it is set before the set-up's."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")


def _lock(conn: Connection) -> None:
    """Hold the set-up lock until the transaction ends (a waiting process waits its turn)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    elif dialect == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits up to the busy timeout


def _record_version(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")  # no bound parameters
        return
    conn.execute(META.delete().where(META.c.key == VERSION_KEY))
    conn.execute(META.insert().values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
