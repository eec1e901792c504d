"""The dashboard over a big database: `watcher serve` with 100,000 events.

    .venv/bin/python bench/serve.py [--events 100000] [--accounts 200] [--requests 20]
                                    [--clients 16]

Fills a fresh SQLite file (one bulk insert per table, with the store's own row values): accounts
on five platforms with 100 posts each and 500 web pages, every watch's first version and `new`
event; then, to `--events` in all, the rest spread unevenly over the posts (a few edited many
times), each of its kind with its version where it has one: edits (a new version each),
deletions and restorations, removals, quoted posts' news, hidden, blocked and broken posts; the
accounts' silences and weekly digests; an outbox row per event and channel (mostly sent, a few
dead, the last hour's pending) and counter samples.

Then starts `watcher serve` on a free local port, in its own process as people run it, and
times over HTTP (one kept-alive connection, the whole body read) the first request and the
median and max of `--requests` more, for the Changes page and its JSON twin: the first page, a
filtered page (by kind and platform; by account), and searches (a phrase in a few versions, a
word in none). Then `--clients` clients at once, each with its own connection, asking for
those pages in turn (`--requests` each). And the process's RSS once started, after the
requests one at a time and after the clients at once, and its peak (VmRSS, VmHWM in
/proc/PID/status).

Targets (issue 11): the Changes page over 100,000 events in 200 ms or less; the process within
80 MB.
"""

from __future__ import annotations

import argparse
import http.client
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, bindparam, select

from watcher.model import EventKind, Post, Status, Target
from watcher.store import Store
from watcher.store.records import delivery_values, event_values, new_watch_values, revision_values
from watcher.store.writes import DELIVERY, EVENT, METRIC, REVISION, WATCH

WATCHER = [sys.executable, "-m", "watcher.cli"]
END = datetime(2026, 11, 25, 12, tzinfo=UTC)
SPAN = timedelta(days=365)  # how far back the history goes
PLATFORMS = ("weibo", "mastodon", "x", "bluesky", "reddit")
POSTS_PER_ACCOUNT, PAGES = 100, 500
NEEDLE = "Alan Kay"  # in about one version in a thousand: what the search finds
WORDS = (
    "release launch team update phone car price live stream thanks everyone tomorrow event "
    "新品 发布会 直播 感谢 大家 今天 明天 团队 价格 手机 汽车 更新 支持 活动 图片"
).split()
# What follows what in a post's life: the kinds an event may be, by the post's presence.
VISIBLE_NEXT = (
    [EventKind.EDITED] * 30
    + [EventKind.DELETED] * 3
    + [EventKind.REMOVED]
    + [EventKind.QUOTED_EDITED, EventKind.QUOTED_DELETED, EventKind.QUOTED_RESTORED]
    + [EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN]
)
STATUSES = frozenset(s.value for s in Status)
ALERTED = frozenset(EventKind) - {EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN}


@dataclass
class Life:
    """One watched post as the fill writes it."""

    watch_id: int
    url: str
    posted: datetime
    channels: tuple[str, ...]
    extra: int = 0  # events after its `new` one
    revisions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def text(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=24)
    if rng.random() < 0.001:
        words.insert(5, NEEDLE)
    return " ".join(words)


def fill(db: Path, wanted: int, accounts: int, seed: int = 11) -> dict[str, int]:
    """The database; returns how many rows each table got."""
    rng = random.Random(seed)
    store = Store(f"sqlite:///{db}")
    with store.engine.begin() as conn:
        account_ids, account_events = _accounts(conn, accounts, rng)
        lives = _posts(conn, account_ids, rng)
        budget = wanted - len(account_events) - len(lives)
        for life in rng.choices(lives, [rng.paretovariate(1.2) for _ in lives], k=budget):
            life.extra += 1
        for life in lives:
            _history(life, rng)
        revisions = [r for life in lives for r in life.revisions]
        events = account_events + [e for life in lives for e in life.events]
        conn.execute(REVISION.insert(), revisions)
        conn.execute(EVENT.insert(), events)
        _finish_watches(conn, lives)
        deliveries = _deliveries(conn, rng)
        samples = _samples(conn, lives, rng)
    store.close()
    watches = accounts + len(lives)
    return {"watches": watches, "revisions": len(revisions), "events": len(events)} | {
        "deliveries": deliveries,
        "samples": samples,
    }


def _accounts(
    conn: Connection, count: int, rng: random.Random
) -> tuple[dict[int, tuple[str, tuple[str, ...]]], list[dict[str, Any]]]:
    """The accounts (id → platform, channels), and their silences and weekly digests."""
    found: dict[int, tuple[str, tuple[str, ...]]] = {}
    events: list[dict[str, Any]] = []
    for k in range(count):
        platform = PLATFORMS[k % len(PLATFORMS)]
        channels = ("chat",) if k % 2 else ("chat", "mail")
        target = Target(f"https://{platform}.example/u/{k}", platform, account=True)
        values = new_watch_values(target, 600.0, END - SPAN, True, channels)
        values |= {"origin": "config", "last_checked_at": END, "status": "unchanged"}
        account_id = int(conn.execute(WATCH.insert().returning(WATCH.c.id), values).scalar_one())
        found[account_id] = (platform, channels)
        for _ in range(rng.randint(0, 6)):
            start = END - SPAN + timedelta(days=rng.uniform(0, 360))
            back = start + timedelta(hours=rng.uniform(30, 120))
            events.append(event_values(account_id, EventKind.SILENT, start, "silent", 0, 0))
            events.append(event_values(account_id, EventKind.BACK, back, "back", 0, 0))
        if k % 4 == 0:  # a weekly digest for one account in four
            for week in range(52):
                at = END - timedelta(weeks=week, hours=3)
                events.append(event_values(account_id, EventKind.DIGEST, at, "digest", 0, 0))
    return found, events


def _posts(
    conn: Connection, accounts: dict[int, tuple[str, tuple[str, ...]]], rng: random.Random
) -> list[Life]:
    """Each account's posts and the web pages, as watches (one executemany)."""
    rows, lives = [], []
    for account_id, (platform, channels) in accounts.items():
        for n in range(POSTS_PER_ACCOUNT):
            url = f"https://{platform}.example/p/{account_id}-{n}"
            posted = END - SPAN + timedelta(seconds=rng.uniform(0, SPAN.total_seconds()))
            values = new_watch_values(Target(url, platform), 0.0, posted, True, channels)
            values |= {"origin": "account", "parent_id": account_id, "post_id": f"{n}"}
            rows.append(values | {"posted_at": posted})
            lives.append(Life(0, url, posted, channels))
    for n in range(PAGES):
        url = f"https://news.example/{n}"
        created = END - SPAN + timedelta(days=rng.uniform(0, 30))
        values = new_watch_values(Target(url, "web"), 3600.0, created, True, ("chat",))
        rows.append(values | {"parent_id": None, "posted_at": None})  # one executemany: same keys
        lives.append(Life(0, url, created, ("chat",)))
    conn.execute(WATCH.insert(), rows)
    ids = dict(conn.execute(select(WATCH.c.url, WATCH.c.id)).all())
    for life in lives:
        life.watch_id = ids[life.url]
    return lives


def _history(life: Life, rng: random.Random) -> None:
    """Its first version and `new` event, then `extra` events at random later times."""
    first = life.posted + timedelta(minutes=5)
    times = sorted(first + (END - first) * rng.random() for _ in range(life.extra))
    words = text(rng)
    _version(life, words, first)
    life.events.append(event_values(life.watch_id, EventKind.NEW, first, "", 1, 0))
    gone = False
    for at in times:
        number = len(life.revisions)
        kind = EventKind.RESTORED if gone else rng.choice(VISIBLE_NEXT)
        if kind is EventKind.EDITED:
            words = text(rng)
            _version(life, words, at)
        gone = kind in (EventKind.DELETED, EventKind.REMOVED)
        now = len(life.revisions)
        life.events.append(event_values(life.watch_id, kind, at, "", now, number))


def _version(life: Life, words: str, at: datetime) -> None:
    number = len(life.revisions) + 1
    post = Post(life.url.rsplit("/", 1)[1], life.url, words, "bench", life.posted)
    life.revisions.append(revision_values(life.watch_id, number, post, f"h{number}", at))


def _finish_watches(conn: Connection, lives: list[Life]) -> None:
    """Each watch's state as its last event left it."""
    update = (
        WATCH.update()
        .where(WATCH.c.id == bindparam("b_id"))
        .values(
            revisions=bindparam("b_revisions"),
            status=bindparam("b_status"),
            presence=bindparam("b_presence"),
            last_checked_at=bindparam("b_checked", type_=WATCH.c.last_checked_at.type),
        )
    )
    rows = []
    for life in lives:
        last = life.events[-1]["kind"]
        status = last if last in STATUSES else "unchanged"  # a quoted post's news: not its own
        presence = "gone" if last in ("deleted", "removed") else "visible"
        rows.append({"b_id": life.watch_id, "b_revisions": len(life.revisions),
                     "b_status": status, "b_presence": presence, "b_checked": END})  # fmt: skip
    conn.execute(update, rows)


def _deliveries(conn: Connection, rng: random.Random) -> int:
    """An outbox row per alerted event and channel of its watch."""
    rows = []
    query = select(EVENT.c.id, EVENT.c.kind, EVENT.c.at, WATCH.c.channels).join(
        WATCH, WATCH.c.id == EVENT.c.watch_id
    )
    for event_id, kind, at, channels in conn.execute(query):
        if EventKind(kind) not in ALERTED:
            continue
        for channel in channels:
            row = delivery_values(event_id, channel, at) | {"sent_at": None}
            if at > END - timedelta(hours=1):
                pass  # the last hour's: still pending
            elif rng.random() < 0.005:
                row |= {"state": "dead", "attempts": 8, "last_error": "HTTP 500"}
            else:
                row |= {"state": "sent", "attempts": 1, "sent_at": at}
            rows.append(row)
    conn.execute(DELIVERY.insert(), rows)
    return len(rows)


def _samples(conn: Connection, lives: list[Life], rng: random.Random) -> int:
    """Two counter samples per post."""
    rows = []
    for life in lives[: -PAGES or None]:
        for hours in (1, 24):
            likes = int(rng.paretovariate(1.1) * 10)
            at = life.posted + timedelta(hours=hours)
            rows.append({"watch_id": life.watch_id, "at": at, "values": {"likes": likes}})
    conn.execute(METRIC.insert(), rows)
    return len(rows)


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def started(db: Path, config: Path, port: int) -> subprocess.Popen[bytes]:
    """`watcher serve` on `port`, once it accepts connections."""
    command = [*WATCHER, "serve", "--db", str(db), "-c", str(config), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit(f"watcher serve exited with {server.returncode}")
            time.sleep(0.05)
    server.kill()
    sys.exit("watcher serve did not start within 60 s")


def timed(conn: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    """Milliseconds for one GET, the whole body read; and the body's size."""
    begun = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - begun) * 1000
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status} {body[:200]!r}")
    return elapsed, len(body)


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of process `pid`, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) / 1024
    return found


def paths(db: Path) -> Iterator[tuple[str, str]]:
    """What is timed: a label and a path."""
    store = Store(f"sqlite:///{db}")
    with store.engine.connect() as conn:
        account = conn.execute(select(WATCH.c.id).where(WATCH.c.kind == "account")).scalar()
    store.close()
    yield "first page", "/"
    yield "first page (JSON)", "/api/changes"
    yield "kind + platform", "/?kind=edited&platform=mastodon"
    yield "kind + platform (JSON)", "/api/changes?kind=edited&platform=mastodon"
    yield "one account", f"/?account={account}"
    yield "one account (JSON)", f"/api/changes?account={account}"
    yield f"search {NEEDLE!r}", f"/?q={quote(NEEDLE)}"
    yield f"search {NEEDLE!r} (JSON)", f"/api/changes?q={quote(NEEDLE)}"
    yield "search, no match", "/?q=nowhere-to-be-found"


def sequential(port: int, labelled: list[tuple[str, str]], requests: int) -> None:
    """Each path in turn on one connection: the first request, then `requests` more."""
    print(f"  {'GET':<30} {'first':>8} {'median':>8} {'max':>8}  (ms; body KB)")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for label, path in labelled:
        first, size = timed(conn, path)
        times = [timed(conn, path)[0] for _ in range(requests)]
        line = f"  {label:<30} {first:8.1f} {statistics.median(times):8.1f} {max(times):8.1f}"
        print(f"{line}  ({size / 1024:.0f} KB)")
    conn.close()


def together(port: int, paths: list[str], clients: int, requests: int) -> None:
    """`clients` connections at once, each asking for `requests` of the paths in turn."""
    times: list[float] = []

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        times.extend(timed(conn, paths[(k + i) % len(paths)])[0] for i in range(requests))
        conn.close()

    begun = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - begun
    median, most = statistics.median(times), max(times)
    print(f"  {clients} clients at once: {len(times)} requests in {wall:.1f} s", end="")
    print(f" ({len(times) / wall:.0f}/s), each {median:.0f} ms median, {most:.0f} ms max")


def measure(db: Path, config: Path, args: argparse.Namespace) -> None:
    """`watcher serve` over `db`: the requests one at a time, then together, then its RSS."""
    port = free_port()
    server = started(db, config, port)
    try:
        idle = memory(server.pid)["VmRSS"]
        labelled = list(paths(db))
        sequential(port, labelled, args.requests)
        alone = memory(server.pid)["VmRSS"]
        together(port, [path for _, path in labelled], args.clients, args.requests)
        seen = memory(server.pid)
        rss, peak = seen["VmRSS"], seen["VmHWM"]
        print(f"  watcher serve RSS: {idle:.1f} MB started, {alone:.1f} MB after one at a time,")
        print(f"    {rss:.1f} MB after {args.clients} at once; peak {peak:.1f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per path")
    parser.add_argument("--clients", type=int, default=16, help="clients at once, at the end")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="watcher-serve-") as tmp:
        db, config = Path(tmp) / "w.db", Path(tmp) / "config.toml"
        config.write_text("", encoding="utf-8")
        begun = time.perf_counter()
        rows = fill(db, args.events, args.accounts)
        size = db.stat().st_size / 1e6
        print(f"serve: filled in {time.perf_counter() - begun:.1f} s, {size:.0f} MB: ", end="")
        print(", ".join(f"{n:,} {table}" for table, n in rows.items()))
        measure(db, config, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
