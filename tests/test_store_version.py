"""The store knows its schema version: recorded on a fresh database, old databases upgraded and
versioned, a newer one refused untouched, a read-only file still readable, a bad URL one line.

Read-only files: the tests run as root, whom file modes do not stop. The CLI is then run in a
user namespace (`unshare --user`) that maps root to an ordinary user: the files stay the same
files, but their modes bind, as they do for anyone who is not root. Run as an ordinary user,
the tests chmod and run the CLI directly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect, text

from tests.conftest import applied, planned
from watcher.cli import cli
from watcher.errors import StoreError
from watcher.model import EventKind, Filters, Post, Target
from watcher.store import Store, WatchEdit
from watcher.store.schema import SCHEMA_VERSION

NEWER = SCHEMA_VERSION + 1
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TARGET = Target("https://example.com/p/1", "web")


def recorded_version(url: str) -> int:
    """The version as the database itself records it (user_version, or the meta row)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
            row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'"))
            return int(row.scalar() or 0)
    finally:
        engine.dispose()


def record_version(url: str, version: int) -> None:
    """Make the database claim `version` (0: as before versions were recorded)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA user_version = {version}")
                return
            conn.execute(text("DELETE FROM meta WHERE key = 'schema_version'"))
            if version:
                conn.execute(
                    text("INSERT INTO meta (key, value) VALUES ('schema_version', :v)"),
                    {"v": str(version)},
                )
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def post(text: str) -> Post:
    return Post(id="1", url=TARGET.url, text=text, author="@who", created_at=T0)


def stored_watch_with_two_versions(url: str) -> None:
    store = Store(url)
    try:
        watch = store.ensure_watch(TARGET, 60, T0, True)
        watch = applied(store, planned(watch, T0, post("before"), EventKind.NEW))
        applied(store, planned(watch, T0, post("after"), EventKind.EDITED))
    finally:
        store.close()


# -- recording and upgrading ---------------------------------------------------------------


def test_a_fresh_database_records_the_current_version(db_url: str):
    Store(db_url).close()
    assert recorded_version(db_url) == SCHEMA_VERSION
    Store(db_url).close()  # opened again: still recorded once, at the same version
    assert recorded_version(db_url) == SCHEMA_VERSION


def test_an_unversioned_database_is_upgraded_in_one_transaction_and_versioned(db_url: str):
    stored_watch_with_two_versions(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as a release before versions made it ...
        for column in ("pages", "listing", "version"):
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
        conn.exec_driver_sql("DROP INDEX ix_watch_due")
        # ... with a table in the way of the index the upgrade adds, so that it fails part-way
        conn.exec_driver_sql("CREATE TABLE ix_watch_due (x INTEGER)")
    engine.dispose()
    record_version(db_url, 0)

    with pytest.raises(StoreError, match="ix_watch_due") as failed:
        Store(db_url)
    assert len(str(failed.value).splitlines()) == 1
    assert "pages" not in columns(db_url, "watch")  # undone with the index: one transaction
    assert recorded_version(db_url) == 0

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE ix_watch_due")
    engine.dispose()
    store = Store(db_url)
    try:
        (watch,) = store.list_watches()
        assert (watch.target, watch.revisions, watch.pages, watch.version) == (TARGET, 2, 1, 0)
        assert store.revision(watch.id, 1).post.text == "before"
    finally:
        store.close()
    assert {"pages", "listing", "version"} <= columns(db_url, "watch")
    assert recorded_version(db_url) == SCHEMA_VERSION


def test_an_earlier_version_is_upgraded_and_versioned(db_url: str):
    stored_watch_with_two_versions(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE watch DROP COLUMN pages")
    engine.dispose()
    record_version(db_url, 1)
    store = Store(db_url)
    try:
        assert [w.pages for w in store.list_watches()] == [1]
    finally:
        store.close()
    assert recorded_version(db_url) == SCHEMA_VERSION


def test_a_version_2_database_gains_names_tags_and_pausing(db_url: str):
    stored_watch_with_two_versions(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as version 2 left it
        for column in ("name", "tags", "paused", *SINCE_3):
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
    engine.dispose()
    record_version(db_url, 2)
    store = Store(db_url)
    try:
        (watch,) = store.list_watches()
        assert (watch.name, watch.tags, watch.paused) == ("", (), False)
        assert (watch.target, watch.revisions, watch.enabled) == (TARGET, 2, True)
    finally:
        store.close()
    assert {"name", "tags", "paused"} <= columns(db_url, "watch")
    assert recorded_version(db_url) == SCHEMA_VERSION


SINCE_3 = ("ignore_pattern", "min_change")  # the columns version 4 added


def test_a_version_3_database_gains_filters_and_keeps_the_rest(db_url: str):
    stored_watch_with_two_versions(db_url)
    store = Store(db_url)
    try:
        store.edit_watch(1, WatchEdit(name="Kept", tags=("t",)), T0)
    finally:
        store.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as version 3 left it
        for column in SINCE_3:
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
    engine.dispose()
    record_version(db_url, 3)
    store = Store(db_url)
    try:
        (watch,) = store.list_watches()
        assert watch.filters == Filters()  # no ignore pattern, every edit reported
        assert (watch.target, watch.revisions, watch.name, watch.tags) == (
            TARGET,
            2,
            "Kept",
            ("t",),
        )
        assert [r.post.text for r in store.revisions(watch.id)] == ["after", "before"]
    finally:
        store.close()
    assert set(SINCE_3) <= columns(db_url, "watch")
    assert recorded_version(db_url) == SCHEMA_VERSION


SILENCES = ("silence", "silent_since")  # the watch columns version 5 added for silences


def test_a_version_4_database_gains_silences_and_keeps_the_rest(db_url: str):
    stored_watch_with_two_versions(db_url)
    ann = Target("https://social.example/@ann", "mastodon", account=True)
    store = Store(db_url)
    try:
        store.ensure_watch(ann, 300, T0, True)
    finally:
        store.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as version 4 left the watch table
        for column in SILENCES:
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
    engine.dispose()
    record_version(db_url, 4)
    store = Store(db_url)
    try:
        post, account = store.list_watches()
        # Every account judges its silences by its own rhythm; none is announced yet.
        assert (account.target, account.silence, account.silent_since) == (ann, "auto", None)
        assert (post.target, post.revisions) == (TARGET, 2)
        assert [r.post.text for r in store.revisions(post.id)] == ["after", "before"]
        store.edit_watch(account.id, WatchEdit(silence="7200"), T0)
        assert store.get_watch(account.id).silence == "7200"
    finally:
        store.close()
    assert set(SILENCES) <= columns(db_url, "watch")
    assert recorded_version(db_url) == SCHEMA_VERSION


# -- a newer database ------------------------------------------------------------------------


def _as_a_newer_watcher_left_it(url: str) -> None:
    """A database a newer watcher wrote: a renamed column, and its higher version."""
    stored_watch_with_two_versions(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE watch RENAME COLUMN pages TO page_count")
    engine.dispose()
    record_version(url, NEWER)


@pytest.mark.parametrize("command", [["list"], ["history", "1"], ["add", "https://x.example/2"]])
def test_a_newer_database_is_refused_and_left_untouched(db_url: str, command: list[str]):
    _as_a_newer_watcher_left_it(db_url)
    db_file = Path(db_url.removeprefix("sqlite:///")) if db_url.startswith("sqlite") else None
    before = sha256(db_file) if db_file else ""
    listing = sorted(p.name for p in db_file.parent.iterdir()) if db_file else []

    error = one_line_error(invoke(*command, "--db", db_url))

    assert (
        f"this database was written by a newer watcher (schema {NEWER}); upgrade watcher" in error
    )
    watch = columns(db_url, "watch")
    assert "page_count" in watch and "pages" not in watch  # no column added back
    assert recorded_version(db_url) == NEWER
    if db_file:
        assert sha256(db_file) == before
        assert sorted(p.name for p in db_file.parent.iterdir()) == listing


# -- a read-only file -------------------------------------------------------------------------


@pytest.fixture
def as_reader() -> list[str]:
    """The command prefix that runs the CLI as someone file modes stop (see the docstring)."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    prefix = [unshare or "unshare", "--user", "--map-user=1000", "--map-group=1000"]
    if not unshare or subprocess.run([*prefix, "true"], capture_output=True).returncode:
        pytest.skip("running as root, with no user namespace in which file modes bind")
    return prefix


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[Path]:
    """A database with two versions of a watch, in a folder nobody may write, itself 0444."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "watcher.db"
    stored_watch_with_two_versions(f"sqlite:///{db}")
    db.chmod(0o444)
    folder.chmod(0o555)
    yield db
    folder.chmod(0o755)


def read_only_url(db: Path) -> str:
    """A SQLite URL that asks for a read-only open (which binds even for root)."""
    return f"sqlite:///file:{db}?mode=ro&uri=true"


def run_cli(prefix: list[str], home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env.pop("WATCHER_DB", None)
    command = [*prefix, sys.executable, "-m", "watcher.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    ("command", "shows"),
    [
        (["history", "1"], "after"),
        (["list", "--json"], TARGET.url),
        (["diff", "1"], "after"),
        (["status", "--json"], TARGET.url),
        (["deliveries"], ""),
    ],
)
def test_a_read_only_database_can_still_be_read(
    read_only_db: Path, as_reader: list[str], tmp_path: Path, command: list[str], shows: str
):
    before = sha256(read_only_db)
    done = run_cli(as_reader, tmp_path, *command, "--db", str(read_only_db))
    assert done.returncode == 0, done.stderr
    assert shows in done.stdout
    assert sha256(read_only_db) == before


def test_a_write_to_a_read_only_database_is_one_line(
    read_only_db: Path, as_reader: list[str], tmp_path: Path
):
    done = run_cli(as_reader, tmp_path, "add", "https://x.example/2", "--db", str(read_only_db))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "readonly database" in line


def test_a_read_only_database_asked_for_by_url_reads_and_refuses_writes(tmp_path: Path):
    db = tmp_path / "watcher.db"
    stored_watch_with_two_versions(f"sqlite:///{db}")
    store = Store(read_only_url(db))
    try:
        (watch,) = store.list_watches()
        assert store.revision(watch.id, 2).post.text == "after"
        with pytest.raises(StoreError, match="readonly database") as refused:
            store.ensure_watch(Target("https://x.example/2", "web"), 60, T0, True)
        assert len(str(refused.value).splitlines()) == 1
    finally:
        store.close()


def test_a_read_only_database_that_needs_an_upgrade_says_so(tmp_path: Path):
    db = tmp_path / "watcher.db"
    stored_watch_with_two_versions(f"sqlite:///{db}")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE watch DROP COLUMN pages")
    engine.dispose()
    record_version(f"sqlite:///{db}", 0)
    before = sha256(db)
    error = one_line_error(invoke("list", "--db", read_only_url(db)))
    assert "read-only" in error and "open it once with write access" in error
    assert sha256(db) == before


def test_a_read_only_unversioned_database_with_todays_tables_is_read(tmp_path: Path):
    db = tmp_path / "watcher.db"
    stored_watch_with_two_versions(f"sqlite:///{db}")
    record_version(f"sqlite:///{db}", 0)  # as the release before versions left it
    result = invoke("history", "1", "--db", read_only_url(db))
    assert result.exit_code == 0, result.output
    assert "after" in result.stdout
    assert recorded_version(f"sqlite:///{db}") == 0


# -- a bad URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://watcher:s3cretpass@127.0.0.1:notaport/watcher",
        "postgresql+psycopg://watcher@127.0.0.1:54x2/watcher?password=s3cretpass",
        "sqlite://localhost:x/watcher.db",
    ],
)
def test_a_bad_port_is_one_line_naming_the_url_without_its_password(tmp_path: Path, url: str):
    config = tmp_path / "c.toml"
    config.write_text(f'[store]\nurl = "{url}"\n', encoding="utf-8")
    for result in (invoke("list", "--db", url), invoke("list", "-c", str(config))):
        error = one_line_error(result)
        assert "s3cretpass" not in result.output
        assert "port" in error
        assert "127.0.0.1" in error or "localhost:x" in error
