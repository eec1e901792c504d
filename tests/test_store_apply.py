"""Applying decided plans: one conditional transaction per check, refused when stale; quiet
plans batched. On SQLite and on the local PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from tests.conftest import applied, digest, planned
from watcher.errors import StoreError
from watcher.model import DISCOVERED, EventKind, Post, Presence, Status, Target, Watch, WatchState
from watcher.plan import CheckPlan, NewWatch, PlannedEvent, Step
from watcher.store import Store, SyncEntry

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TARGET = Target("https://example.com/p/1", "web")
ACCOUNT = Target("https://social.example/@ceo", "mastodon", account=True)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


def post(text: str, post_id: str = "1") -> Post:
    return Post(id=post_id, url=f"https://example.com/p/{post_id}", text=text, created_at=T0)


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def test_a_change_writes_its_revision_events_and_alerts_with_the_watch(store: Store):
    watch = applied(
        store, planned(store.ensure_watch(TARGET, 60, T0, True), T0, post("A"), EventKind.NEW)
    )
    plan = planned(watch, minutes(1), post("B"), EventKind.EDITED, ("chat", "ops"))
    done = store.apply(plan)
    assert done is not None and done.created == ()
    assert done.watch == store.get_watch(watch.id)
    assert (done.watch.version, done.watch.revisions) == (watch.version + 1, 2)
    assert done.watch.state == plan.state and done.watch.last_checked_at == minutes(1)
    assert done.watch.next_check_at == plan.next_check_at
    assert store.revision(watch.id, 2).post.text == "B"
    assert store.revision(watch.id, 2).content_hash == digest(post("B"))
    edit = store.events(watch.id)[0]
    assert (edit.kind, edit.revision, edit.previous) == (EventKind.EDITED, 2, 1)
    alerts = store.pending_deliveries()
    assert [(d.channel, d.event.id) for d in alerts] == [("chat", edit.id), ("ops", edit.id)]


def test_a_plan_that_fails_half_way_leaves_no_trace(store: Store):
    watch = store.ensure_watch(TARGET, 60, T0, True)
    twice = planned(watch, T0, post("A"), EventKind.NEW, ("chat", "chat"))  # one alert per channel
    with pytest.raises(StoreError):
        store.apply(twice)
    assert store.get_watch(watch.id) == watch  # neither its state nor its version moved
    assert (store.count_revisions(), store.events(watch.id), store.undelivered()) == (0, [], [])
    assert applied(store, planned(watch, T0, post("A"), EventKind.NEW, ("chat",))).revisions == 1


def test_a_stale_plan_is_refused_and_writes_nothing(store: Store):
    watch = store.ensure_watch(TARGET, 60, T0, True)
    first = planned(watch, T0, post("A"), EventKind.NEW, ("chat",))
    second = planned(watch, minutes(1), post("B"), EventKind.NEW, ("chat",))  # same version read
    assert store.apply(first) is not None
    assert store.apply(second) is None
    now = store.get_watch(watch.id)
    assert now.state == first.state and now.revisions == 1
    assert [r.post.text for r in store.revisions(watch.id)] == ["A"]
    assert len(store.events(watch.id)) == 1 and len(store.undelivered()) == 1
    assert store.apply(first) is None  # nor is a plan ever applied twice


def test_revision_numbers_never_go_backwards_or_collide(db_url: str):
    """Four "daemons" check one watch over and over, each deciding from the watch it read and
    deciding again when refused: every edit gets the next number, none is lost."""
    setup = Store(db_url)
    watch_id = setup.ensure_watch(TARGET, 60, T0, True).id
    setup.close()
    stores = [Store(db_url) for _ in range(4)]

    def edit(n: int) -> int:
        store, refused = stores[n % 4], 0
        while True:
            watch = store.get_watch(watch_id)
            text = f"version {n}"
            if store.apply(planned(watch, minutes(n), post(text), EventKind.EDITED)) is not None:
                return refused
            refused += 1

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(edit, range(40)))
        store = stores[0]
        numbers = [r.number for r in reversed(store.revisions(watch_id))]
        assert numbers == list(range(1, 41))
        assert sorted(r.post.text for r in store.revisions(watch_id)) == sorted(
            f"version {n}" for n in range(40)
        )
        events = store.events(watch_id)
        assert sorted(e.revision or 0 for e in events) == numbers
        assert all(e.previous == (e.revision or 0) - 1 or e.previous is None for e in events)
        assert store.get_watch(watch_id).revisions == 40
    finally:
        for s in stores:
            s.close()


def test_steps_are_written_in_order_and_events_name_the_newest_revision(store: Store):
    watch = applied(
        store, planned(store.ensure_watch(TARGET, 60, T0, True), T0, post("A"), EventKind.NEW)
    )
    missed = Step(
        minutes(1), post("B"), digest(post("B")), (PlannedEvent(EventKind.EDITED, minutes(1)),)
    )
    seen = Step(
        minutes(5), post("C"), digest(post("C")), (PlannedEvent(EventKind.EDITED, minutes(5)),)
    )
    gone = Step(minutes(5), None, "", (PlannedEvent(EventKind.DELETED, minutes(5), "HTTP 404"),))
    plan = planned(watch, minutes(5), steps=(missed, seen, gone))
    assert plan.revisions == 3
    done = applied(store, plan)
    assert done.revisions == 3
    assert [(r.number, r.post.text, r.observed_at) for r in store.revisions(watch.id)] == [
        (3, "C", minutes(5)),
        (2, "B", minutes(1)),
        (1, "A", T0),
    ]
    events = [(e.kind, e.revision, e.previous, e.detail) for e in reversed(store.events(watch.id))]
    assert events == [
        (EventKind.NEW, 1, None, ""),
        (EventKind.EDITED, 2, 1, ""),
        (EventKind.EDITED, 3, 2, ""),
        (EventKind.DELETED, 3, None, "HTTP 404"),  # the evidence: the last text stored
    ]


def test_counters_are_sampled_only_when_the_plan_says_so(store: Store):
    watch = store.ensure_watch(TARGET, 60, T0, True)
    watch = applied(store, planned(watch, T0, post("A"), EventKind.NEW, metrics={"likes": 1}))
    watch = applied(store, planned(watch, minutes(1)))
    watch = applied(store, planned(watch, minutes(2), metrics={"likes": 7}))
    assert [(at, values) for at, values in store.metric_samples(watch.id)] == [
        (T0, {"likes": 1}),
        (minutes(2), {"likes": 7}),
    ]
    assert store.get_watch(watch.id).metrics == {"likes": 7} == watch.metrics


def _new_post(post_id: str, channels: tuple[str, ...]) -> NewWatch:
    found = Post(
        post_id,
        f"https://social.example/@ceo/{post_id}",
        f"post {post_id}",
        created_at=T0,
        metrics={"likes": 3},
    )
    state = WatchState(Presence.VISIBLE, Status.NEW, digest(found))
    return NewWatch(
        target=Target(found.url, "mastodon"),
        post=found,
        content_hash=digest(found),
        state=state,
        next_check_at=minutes(10),
        enabled=True,
        events=(PlannedEvent(EventKind.NEW, T0, "", channels),),
    )


def test_an_account_check_starts_watches_for_new_posts_and_adopts_watched_ones(store: Store):
    account = store.ensure_watch(ACCOUNT, 60, T0, True, channels=("chat",))
    own = store.ensure_watch(Target("https://social.example/@ceo/2", "mastodon"), 60, T0, True)
    listing = ("2", "1")
    plan = planned(
        account,
        T0,
        listing=listing,
        discovered=(_new_post("1", ("chat",)), _new_post("2", ("chat",))),
    )
    done = store.apply(plan)
    assert done is not None
    assert done.watch.listing == listing == store.get_watch(account.id).listing
    (child,) = done.created
    assert child == store.get_watch(child.id)
    assert (child.origin, child.parent_id, child.post_id, child.posted_at) == (
        DISCOVERED,
        account.id,
        "1",
        T0,
    )
    assert (child.revisions, child.channels, child.next_check_at, child.enabled) == (
        1,
        ("chat",),
        minutes(10),
        True,
    )
    assert child.state.status is Status.NEW and child.metrics == {"likes": 3}
    assert store.revision(child.id, 1).post.text == "post 1"
    (new,) = store.events(child.id)
    assert (new.kind, new.revision) == (EventKind.NEW, 1)
    assert [(d.channel, d.event.id) for d in store.pending_deliveries()] == [("chat", new.id)]
    assert store.metric_samples(child.id) == [(T0, {"likes": 3})]
    adopted = store.get_watch(own.id)  # watched on its own: adopted, nothing written for it
    assert (adopted.parent_id, adopted.post_id, adopted.revisions) == (account.id, "2", 0)
    assert adopted.version == own.version + 1  # a check of it decided before is stale
    assert store.events(own.id) == []
    assert [w.id for w in store.children(account.id)] == [own.id, child.id]


def test_the_same_new_post_from_two_accounts_is_watched_once(store: Store):
    first = store.ensure_watch(ACCOUNT, 60, T0, True)
    other = store.ensure_watch(
        Target("https://social.example/@cfo", "mastodon", account=True), 60, T0, True
    )
    shared = _new_post("1", ())
    assert len(_created(store, planned(first, T0, listing=("1",), discovered=(shared,)))) == 1
    assert _created(store, planned(other, T0, listing=("1",), discovered=(shared,))) == ()
    assert len(store.children(first.id)) == 1 and store.children(other.id) == []


def test_accounts_listing_one_new_post_at_the_same_moment_both_apply(db_url: str):
    """Two daemons check two accounts that both list a new post: one starts its watch, the
    other (even when its insert collides) adopts or leaves it; neither check is lost."""
    stores = [Store(db_url) for _ in range(2)]

    def check(store: Store, account: Watch, found: NewWatch, start: threading.Barrier) -> int:
        start.wait()
        plan = planned(account, T0, listing=(found.post.id,), discovered=(found,))
        return len(_created(store, plan))

    try:
        for n in range(10):
            accounts = [
                stores[0].ensure_watch(
                    Target(f"https://s.example/@{n}{k}", "mastodon", account=True), 60, T0, True
                )
                for k in range(2)
            ]
            found, start = _new_post(f"{n}", ()), threading.Barrier(2)
            with ThreadPoolExecutor(2) as pool:
                created = list(pool.map(check, stores, accounts, [found] * 2, [start] * 2))
            assert sum(created) == 1
            assert all(stores[0].get_watch(a.id).version == 1 for a in accounts)
    finally:
        for s in stores:
            s.close()


def _created(store: Store, plan: CheckPlan) -> tuple[Watch, ...]:
    done = store.apply(plan)
    assert done is not None
    return done.created


# -- quiet plans, batched ------------------------------------------------------------------------


def _many(store: Store, n: int) -> list[Watch]:
    entries = [SyncEntry(Target(f"https://x.example/{i}", "web"), 60, ()) for i in range(n)]
    store.sync_config(entries, T0, lambda _interval: T0)
    return store.claim_due(T0, n, minutes(5))


def _transactions(store: Store) -> list[str]:
    """What the store's engine does from now on: "commit" per transaction, "many" per
    executemany, "one" per single statement."""
    seen: list[str] = []
    event.listen(store.engine, "commit", lambda _conn: seen.append("commit"))
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _c, _cur, _stmt, _params, _ctx, many: seen.append("many" if many else "one"),
    )
    return seen


def test_a_thousand_quiet_plans_are_written_in_one_transaction(store: Store):
    watches = _many(store, 1000)
    for watch in watches:
        store.defer(planned(watch, minutes(1), next_check_at=minutes(11)))
    seen = _transactions(store)
    assert store.flush() == 1000
    assert seen == ["many", "commit"]  # one executemany, one commit
    assert store.flush() == 0
    after = store.list_watches()
    assert all(w.version == 1 and w.last_checked_at == minutes(1) for w in after)
    assert all(w.next_check_at == minutes(11) and w.state.status is Status.UNCHANGED for w in after)
    # The claims ended: each watch can be claimed for a check now.
    assert len(store.claim([w.id for w in watches[:10]], minutes(1), minutes(6))) == 10
    # Nothing else was written for the unchanged checks.
    assert store.count_revisions() == 0 and store.undelivered() == []
    assert store.events(watches[0].id) == [] and store.metric_samples(watches[0].id) == []


def test_a_stale_quiet_plan_is_dropped(store: Store):
    watch = store.ensure_watch(TARGET, 60, T0, True)
    store.defer(planned(watch, T0))
    meanwhile = applied(store, planned(watch, minutes(1), post("A"), EventKind.NEW))
    assert store.flush() == 0
    assert store.get_watch(watch.id) == meanwhile


def test_a_failed_check_is_quiet_and_keeps_what_it_read(store: Store):
    watch = applied(
        store, planned(store.ensure_watch(TARGET, 60, T0, True), T0, post("A"), EventKind.NEW)
    )
    failed = replace(watch.state, status=Status.FAILED, fail_streak=1)
    plan = planned(watch, minutes(1), state=failed, last_error="timed out")
    assert plan.quiet
    store.defer(plan)
    assert store.flush() == 1
    now = store.get_watch(watch.id)
    assert (now.state, now.last_error, now.revisions) == (failed, "timed out", 1)


def test_only_quiet_plans_may_be_deferred(store: Store):
    watch = store.ensure_watch(TARGET, 60, T0, True)
    with pytest.raises(ValueError, match="quiet"):
        store.defer(planned(watch, T0, post("A"), EventKind.NEW))
    with pytest.raises(ValueError, match="quiet"):
        store.defer(planned(watch, T0, metrics={"likes": 1}))
    assert store.flush() == 0


def test_deferred_plans_are_written_when_the_store_closes(db_url: str):
    store = Store(db_url)
    watch = store.ensure_watch(TARGET, 60, T0, True)
    store.defer(planned(watch, minutes(1)))
    store.close()
    reopened = Store(db_url)
    assert reopened.get_watch(watch.id).last_checked_at == minutes(1)
    reopened.close()


def test_defer_and_flush_from_several_threads_lose_nothing(store: Store):
    watches = _many(store, 400)
    written: list[int] = []
    done = threading.Event()

    def flusher() -> None:
        while not done.is_set():
            written.append(store.flush())

    def defer(part: list[Watch]) -> None:
        for watch in part:
            store.defer(planned(watch, minutes(1)))

    thread = threading.Thread(target=flusher)
    thread.start()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(defer, [watches[i::4] for i in range(4)]))
    done.set()
    thread.join()
    written.append(store.flush())
    assert sum(written) == 400
    assert all(w.version == 1 for w in store.list_watches())
