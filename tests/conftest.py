from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import FakeSite

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
    from sqlmodel import SQLModel

    import watcher.store.tables  # noqa: F401  (registers the tables)

    engine = create_engine(url)
    SQLModel.metadata.drop_all(engine)
    engine.dispose()
