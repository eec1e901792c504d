from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from tests.server import FakeSite
from watcher.model import EventKind, Post, Presence, Status, Target, Watch, WatchState
from watcher.plan import CheckPlan, NewWatch, PlannedEvent, Step
from watcher.silence import Quiet, describe

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


def require_pg() -> None:
    """Skip (locally) or fail (on CI, which must run them) when PostgreSQL does not answer."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
        pytest.skip(problem)


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL (dropped after), as a SQLAlchemy URL whose
    search_path uses it. Call `require_pg` first."""
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


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL, as a SQLAlchemy URL whose search_path uses it."""
    require_pg()
    with pg_schema() as url:
        yield url


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


# -- a Weibo account's week (the digest's, the dashboard's and the schedule's data) -------------

CST = ZoneInfo("Asia/Shanghai")
ACCOUNT = "https://weibo.com/u/1749127163"
NOW = datetime(2025, 6, 3, 9, tzinfo=CST)  # a Tuesday: the last full week is 2025-W22
QUOTE = "“The best way to predict the future is to invent it.” —— Alan Kay"


def cst(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=CST)


def counters(likes: int, reposts: int = 0, replies: int = 0) -> dict[str, int]:
    """Weibo's names for them, which the digest maps to likes, reposts and replies."""
    return {"attitudes_count": likes, "reposts_count": reposts, "comments_count": replies}


@dataclass
class Week:
    """The account's week as written: what the tests expect the digest to say."""

    store: Store
    account: Watch
    urls: dict[str, str] = field(default_factory=dict)  # name → post URL

    def post(self, name: str, at: datetime, text: str = "", **metrics: int) -> str:
        """A post the account's timeline listed 5 minutes after it was published."""
        ident = str(5_000 + len(self.urls))
        url = f"https://m.weibo.cn/detail/{ident}"
        media_urls = tuple(metrics.pop("images", 0) * [f"https://wx1.sinaimg.cn/large/{ident}.jpg"])
        post = Post(
            ident,
            url,
            text or f"第{ident}条微博",
            author="雷军",
            created_at=at,
            media=tuple(f"pic{ident}" for _ in media_urls),
            metrics=counters(**metrics),
            media_urls=media_urls,
        )
        seen = at + timedelta(minutes=5)
        state = WatchState(Presence.VISIBLE, Status.NEW, digest(post))
        found = NewWatch(Target(url, "weibo"), post, digest(post), state, seen, True)
        plan = CheckPlan(self.account, self.account.state, seen, seen, True, discovered=(found,))
        self.account = applied(self.store, plan)
        self.urls[name] = url
        return url

    def watch(self, name: str) -> Watch:
        found = self.store.find_watch(Target(self.urls[name], "weibo"))
        assert found is not None
        return found

    def sample(self, name: str, at: datetime, **values: int) -> None:
        self.check(name, at, metrics=counters(**values))

    def check(
        self,
        name: str,
        at: datetime,
        post: Post | None = None,
        kind: EventKind | None = None,
        **fields: Any,
    ) -> None:
        """One check of the post, as `conftest.planned` plans it."""
        applied(self.store, planned(self.watch(name), at, post, kind, **fields))

    def quiet(self, kind: EventKind, at: datetime, quiet: Quiet) -> None:
        """The account's own `silent` or `back` event, as `watcher.silence` words it."""
        event = PlannedEvent(kind, at, describe(kind, quiet))
        step = Step(at, events=(event,))
        plan = CheckPlan(self.account, self.account.state, at, at, True, steps=(step,))
        self.account = applied(self.store, plan)


def write_week(store: Store) -> Week:
    """40 posts in 2025-W22 (Beijing days: Mon 8, Tue 6, Wed 0, Thu 0, Fri 10, Sat 9, Sun 7),
    25 in the week before; three stand out by engagement, the second has an image; a quote is
    edited out; a post is deleted and restored; an older one removed; a silence Tue → Fri."""
    target = Target(ACCOUNT, "weibo", account=True)
    account = store.ensure_watch(target, 600.0, cst(10, 0), enable=True)
    week = Week(store, account)
    for day in range(19, 24):  # the week before: 5 posts a day, Mon–Fri
        for hour in range(12, 17):
            week.post(f"w21-{day}-{hour}", cst(day, hour), likes=1)
    # Monday: the first at 00:30 Beijing time, still Sunday in UTC
    week.post("mon-0030", cst(26, 0, 30), likes=2, replies=1)
    week.post(
        "B",
        cst(26, 10),
        "新车的第一张实拍图，大家觉得怎么样？",
        likes=4000,
        reposts=900,
        replies=100,
        images=1,
    )
    week.post("F", cst(26, 11), "发错了，稍后重发。", likes=3)
    for hour in (9, 12, 13, 14, 15):
        week.post(f"mon-{hour}", cst(26, hour), likes=1)
    text = f"今天和团队聊了很多。{QUOTE} 说得好。"
    week.post("E", cst(27, 10), text, likes=5)
    for hour in (9, 11, 12, 13, 20):  # Tuesday: then nothing until Friday 08:00
        week.post(f"tue-{hour}", cst(27, hour), likes=1)
    week.post(
        "A",
        cst(30, 12),
        "发布会定在周四晚上七点，欢迎大家来看直播！",
        likes=2000,
        reposts=100,
        replies=100,
    )
    for hour in (8, 9, 10, 11, 13, 14, 15, 16, 17):
        week.post(f"fri-{hour}", cst(30, hour), likes=1)
    week.post("D", cst(31, 10), likes=50, images=1)
    for hour in (9, 11, 12, 13, 14, 15, 16, 17):
        week.post(f"sat-{hour}", cst(31, hour), likes=1)
    for hour in range(9, 15):
        week.post(f"sun-{hour}", cst(1, hour, month=6), likes=1)
    week.post(
        "C",
        cst(1, 20, month=6),
        "感谢大家这一周的支持，下周见。",
        likes=1000,
        reposts=2000,
        replies=1500,
    )
    _happen(week, text)
    return week


def _happen(week: Week, text: str) -> None:
    """What the posts did during the week (and just after it)."""
    week.sample("A", cst(30, 18), likes=5000, reposts=300, replies=200)  # 5,500 at the end
    week.sample("C", cst(2, 3, month=6), likes=9000, reposts=2000, replies=1500)  # after it
    week.sample("w21-19-12", cst(28, 15), likes=101)  # an older post: +100 on Wednesday
    edited = replace(
        week.store.revision(week.watch("E").id, 1).post, text="今天和团队聊了很多。说得好。"
    )
    assert QUOTE in text
    week.check("E", cst(29, 14), edited, kind=EventKind.EDITED)
    week.check("F", cst(27, 9), kind=EventKind.DELETED)
    week.check("F", cst(31, 19), kind=EventKind.RESTORED)
    week.check("w21-23-16", cst(28, 9), kind=EventKind.REMOVED)
    week.quiet(EventKind.SILENT, cst(29, 21), Quiet(49 * 3600.0, "tue-20", 5.0, 86400.0))
    week.quiet(EventKind.BACK, cst(30, 8, 5), Quiet(60 * 3600.0, "fri-8"))
