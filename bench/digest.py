"""A digest of a big account: 10,000 posts and 100,000 counter samples.

    .venv/bin/python bench/digest.py [--posts 10000] [--samples 10] [--runs 5]

Fills a fresh SQLite file (one bulk insert per table, with the store's own row values) with a
Weibo account that posted `--posts` times over two years (about 100 posts a week), each post
with its first version, `new` event and `--samples` counter samples over its first days; one
post in ten edited, one in a hundred deleted. Then times, for the last full week:

- `watcher digest ACCOUNT --week W` and `--json`, each in a fresh process (start-up included),
  and the same for a week before the first post (2020-W01): the start-up alone, which every
  command that opens the store pays;
- in this process, `App.digest` (the store's reads and the build) and `build_digest` alone;
- and `watcher --version`, to compare the machine with the figures of `startup.py`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from watcher.app import App
from watcher.digest import build_digest, iso_week_of, last_full_week
from watcher.digest_runs import digest_data
from watcher.model import Post, Target
from watcher.settings import Settings
from watcher.store import Store
from watcher.store.records import new_watch_values, revision_values
from watcher.store.writes import EVENT, METRIC, REVISION, WATCH

WATCHER = [sys.executable, "-m", "watcher.cli"]
ACCOUNT = "https://weibo.com/u/1749127163"
END = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday: the last full week is whole
AGES = (300, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600)  # seconds
EMPTY = "2020-W01"  # a week before the account's first post: what every start costs
TEXT = "今天和团队聊了很多关于新产品的想法，大家都很兴奋。" * 4  # ~100 characters


def fill(db: Path, posts: int, samples: int) -> None:
    store = Store(f"sqlite:///{db}")
    start = END - timedelta(days=730)
    account = new_watch_values(Target(ACCOUNT, "weibo", account=True), 600, start, True, ())
    with store.engine.begin() as conn:
        account_id = conn.execute(WATCH.insert().returning(WATCH.c.id), account).scalar_one()
        step = (END - start) / posts
        rows = [_post(account_id, i, start + step * i) for i in range(posts)]
        conn.execute(WATCH.insert(), [watch for watch, _ in rows])
        mine = select(WATCH.c.post_id, WATCH.c.id).where(WATCH.c.parent_id == account_id)
        children = dict(conn.execute(mine).all())
        _history(conn, [(children[w["post_id"]], post) for w, post in rows], samples)
    store.close()


def _post(account_id: int, i: int, at: datetime) -> tuple[dict[str, Any], Post]:
    ident = str(5_000_000 + i)
    url = f"https://m.weibo.cn/detail/{ident}"
    post = Post(ident, url, f"{i} {TEXT}", "雷军", at, media=(f"pic{i}",) if i % 3 == 0 else ())
    values = new_watch_values(Target(url, "weibo"), 0.0, at, True, ())
    seen = at + timedelta(minutes=5)
    return values | {
        "origin": "account",
        "parent_id": account_id,
        "post_id": ident,
        "posted_at": at,
        "created_at": seen,
        "last_checked_at": seen,
        "revisions": 2 if i % 10 == 0 else 1,
        "presence": "visible",
        "status": "unchanged",
    }, post


def _history(conn: Any, posts: list[tuple[int, Post]], samples: int) -> None:
    """Each post's versions, events and counter samples, one executemany per table."""
    revisions, events, metrics = [], [], []
    for watch_id, post in posts:
        assert post.created_at is not None
        seen = post.created_at + timedelta(minutes=5)
        revisions.append(revision_values(watch_id, 1, post, f"h{watch_id}", seen))
        events.append(_event(watch_id, "new", seen, 1))
        for n, age in enumerate(AGES[:samples]):
            counts = {"attitudes_count": 10 * (n + 1) * (watch_id % 97 + 1), "comments_count": n}
            metrics.append({"watch_id": watch_id, "at": post.created_at + timedelta(seconds=age),
                            "values": counts | {"reposts_count": n * 2}})  # fmt: skip
        if watch_id % 10 == 0:  # edited a day later: a sentence taken out
            edited = Post(post.id, post.url, post.text[: len(post.text) // 2], post.author)
            later = seen + timedelta(days=1)
            revisions.append(revision_values(watch_id, 2, edited, f"e{watch_id}", later))
            events.append(_event(watch_id, "edited", later, 2, previous=1))
        if watch_id % 100 == 1:
            events.append(_event(watch_id, "deleted", seen + timedelta(days=2), 1))
    conn.execute(REVISION.insert(), revisions)
    conn.execute(EVENT.insert(), events)
    conn.execute(METRIC.insert(), metrics)


def _event(watch_id: int, kind: str, at: datetime, revision: int, previous: int = 0) -> Any:
    return {"watch_id": watch_id, "kind": kind, "at": at, "revision": revision,
            "previous": previous or None, "detail": ""}  # fmt: skip


def wall(command: list[str], runs: int) -> tuple[float, float, float]:
    """Median and best wall seconds, and median CPU seconds (user + system), of `runs` runs of
    a command in a fresh process, after one unmeasured run. CPU time says what the command
    costs when other work shares the machine. Python may write bytecode, as an installed
    watcher's does: where PYTHONDONTWRITEBYTECODE is set, every start would compile again."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls, cpus = [], []
    for _ in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command[2:])} failed: {done.stderr.strip()}")
    return statistics.median(walls[1:]), min(walls[1:]), statistics.median(cpus[1:])


def best(func: Callable[[], object], runs: int) -> float:
    """The best of `runs` timings of `func`, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def in_process(db: Path, runs: int) -> tuple[float, float, int]:
    with App(Settings(), db=str(db), clock=lambda: END) as app:
        account = app.watch(ACCOUNT)
        week = last_full_week(END, "Asia/Shanghai")
        whole = best(lambda: app.digest(ACCOUNT, week, 5, None), runs)
        data = digest_data(app.store, account, week, END)
        build = best(lambda: build_digest(data, week, 5), runs)
        return whole, build, len(data.samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=10, help="counter samples per post")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="watcher-digest-"))
    db, config = tmp / "w.db", tmp / "config.toml"
    config.write_text("", encoding="utf-8")
    started = time.perf_counter()
    fill(db, args.posts, args.samples)
    built = time.perf_counter() - started
    print(f"digest: {args.posts:,} posts, {args.posts * args.samples:,} samples in {built:.1f} s")
    week = iso_week_of(last_full_week(END, "Asia/Shanghai"))
    base = [*WATCHER, "digest", ACCOUNT, "--db", str(db), "-c", str(config)]
    median, low, cpu = wall([*WATCHER, "--version"], args.runs)  # how fast this machine is now
    print(f"  watcher --version{'':<21} {median:.2f} s (best {low:.2f} s), CPU {cpu:.2f} s")
    for extra in (["--week", week], ["--week", week, "--json"], ["--week", EMPTY]):
        median, low, cpu = wall([*base, *extra], args.runs)
        shown = " ".join(extra)
        print(f"  watcher digest {shown:<22} {median:.2f} s (best {low:.2f} s), CPU {cpu:.2f} s")
    whole, build, samples = in_process(db, args.runs)
    print(f"  App.digest (reads + build) {whole:.0f} ms; build_digest alone {build:.1f} ms")
    print(f"  ({samples:,} samples in the week; database {db.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
