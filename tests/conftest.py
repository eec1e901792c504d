from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.server import FakeSite
from watcher.model import EventKind, Post, Presence, Status, Watch
from watcher.plan import CheckPlan, PlannedEvent, Step

if TYPE_CHECKING:
    from watcher.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite().running() as running:
        yield running


PG_URL = os.environ.get("WATCHER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str:
    """'' when the local PostgreSQL answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            return ""
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} is not reachable: {str(exc).strip().splitlines()[0]}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, as a SQLAlchemy URL whose search_path uses it."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
        pytest.skip(problem)
    import psycopg

    schema = f"watcher_test_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test runs on a SQLite file and on the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'watcher.db'}"
        return
    url = request.getfixturevalue("pg_url")
    _truncate(url)
    yield url


def _truncate(url: str) -> None:
    """Start each PostgreSQL test from empty tables (every table the store defines)."""
    from sqlalchemy import create_engine

    from watcher.store.tables import METADATA

    engine = create_engine(url)
    METADATA.drop_all(engine)
    engine.dispose()


# -- plans, as the app's decision makes them (for store and outbox tests) ------------------------


def digest(post: Post) -> str:
    """A content hash of `post` (any stable one will do for the store)."""
    return hashlib.sha256(post.document.encode()).hexdigest()[:16]


def planned(
    watch: Watch,
    at: datetime,
    post: Post | None = None,
    kind: EventKind | None = None,
    channels: tuple[str, ...] = (),
    **fields: Any,
) -> CheckPlan:
    """One check of `watch` at `at` as a decision would plan it: `post` (when given) stored
    as the next revision, an event of `kind` (when given) alerting `channels`, the next check
    ten minutes on; `fields` replace any other field of the plan (metrics, listing, ...).
    Neither a post nor a kind: an unchanged check, a quiet plan."""
    events = (PlannedEvent(kind, at, "", channels),) if kind else ()
    state = replace(watch.state, status=Status(kind.value) if kind else Status.UNCHANGED)
    if post is not None:
        state = replace(state, presence=Presence.VISIBLE, content_hash=digest(post))
    elif kind in (EventKind.DELETED, EventKind.REMOVED):
        state = replace(state, presence=Presence.GONE, gone_since=at)
    steps = (Step(at, post, digest(post) if post else "", events),) if post or kind else ()
    values: dict[str, Any] = {
        "watch": watch,
        "state": state,
        "checked_at": at,
        "next_check_at": at + timedelta(minutes=10),
        "enabled": watch.enabled,
        "steps": steps,
    }
    return CheckPlan(**(values | fields))


def applied(store: Store, plan: CheckPlan) -> Watch:
    """The watch once `plan` is applied (which it must be: it is not stale)."""
    done = store.apply(plan)
    assert done is not None, "the plan was refused as stale"
    return done.watch


class CliWatch:
    """One post watched through the CLI (`check`, `history`) with `platform`'s API on FakeSite:
    each `check` first sets what the site answers at `path`."""

    def __init__(self, site: FakeSite, tmp_path: Path, platform: str, url: str) -> None:
        from click.testing import CliRunner

        config = tmp_path / "c.toml"
        config.write_text(
            f'[detect]\nconfirm_pause = 0.01\n[platforms.{platform}]\nbase_url = "{site.url}/"\n',
            encoding="utf-8",
        )
        self.site, self.url, self.runner = site, url, CliRunner()
        self.common = ["--db", str(tmp_path / "w.db"), "-c", str(config)]

    def check(self, path: str, body: object) -> tuple[int, dict[str, Any]]:
        import json

        from watcher.cli import cli

        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.site.reply(path, 200, data, {"content-type": "application/json"})
        result = self.runner.invoke(cli, ["check", self.url, *self.common, "--json"])
        assert result.stdout, (result.output, result.exception)
        loaded: dict[str, Any] = json.loads(result.stdout)
        return result.exit_code, loaded

    def kinds(self) -> list[str]:
        """The watch's event kinds, oldest first."""
        import json

        from watcher.cli import cli

        result = self.runner.invoke(cli, ["history", self.url, *self.common, "--json"])
        return [e["kind"] for e in json.loads(result.stdout)["events"]][::-1]
