"""The store on SQLite and on the local PostgreSQL: the same tests, both backends."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.conftest import applied, planned
from watcher.errors import StoreError, UsageError
from watcher.model import EventKind, Post, Presence, Status, Target
from watcher.store import Store, resolve_db_url

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TARGET = Target("https://example.com/p/1", "web")


@pytest.fixture
def store(db_url: str):
    s = Store(db_url)
    yield s
    s.close()


def post(text: str, likes: int = 0) -> Post:
    return Post(
        id="1",
        url=TARGET.url,
        text=text,
        author="@who",
        created_at=T0,
        media=("m1",),
        metrics={"likes": likes},
    )


def test_watch_is_created_once_and_found_again(store: Store):
    first = store.ensure_watch(TARGET, 600, T0, enable=False)
    again = store.ensure_watch(TARGET, 600, T0, enable=False)
    assert first.id == again.id
    assert not first.enabled
    assert store.find_watch(TARGET) == first
    assert store.find_watch(Target(TARGET.url, "web", selector="main")) is None
    enabled = store.ensure_watch(TARGET, 60, T0, enable=True)
    assert enabled.enabled and enabled.interval == 60


def test_revisions_are_numbered_and_an_edit_names_the_one_it_replaced(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    watch = applied(store, planned(watch, T0, post("A", 1), EventKind.NEW))
    watch = applied(store, planned(watch, T0 + timedelta(minutes=1), metrics={"likes": 99}))
    assert store.count_revisions() == 1
    assert watch.metrics == {"likes": 99}
    watch = applied(store, planned(watch, T0 + timedelta(minutes=2), post("B"), EventKind.EDITED))
    watch = applied(store, planned(watch, T0 + timedelta(minutes=3), post("A"), EventKind.EDITED))
    assert [r.number for r in store.revisions(watch.id)] == [3, 2, 1]
    assert [e.kind for e in store.events(watch.id)] == [
        EventKind.EDITED,
        EventKind.EDITED,
        EventKind.NEW,
    ]
    assert store.events(watch.id)[0].previous == 2


def test_revision_round_trips_every_field(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    original = Post(
        id="9",
        url="https://example.com/p/9",
        text="中文 emoji 👨‍👩‍👧 and RTL שלום",
        author="@a",
        created_at=T0,
        edited_at=T0 + timedelta(seconds=5),
        title="CW",
        media=("x", "y"),
        metrics={"likes": 3},
        platform_edited=True,
    )
    watch = applied(store, planned(watch, T0, original, EventKind.NEW))
    stored = store.revision(watch.id, 1)
    assert stored.post == original
    assert stored.post.metrics == {"likes": 3}
    assert stored.observed_at == T0
    assert stored.observed_at.tzinfo is not None


def test_state_survives_reopening(db_url: str):
    store = Store(db_url)
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    watch = applied(store, planned(watch, T0, post("A"), EventKind.NEW))
    gone_once = replace(watch.state, status=Status.UNCONFIRMED, gone_streak=1, gone_since=T0)
    watch = applied(store, planned(watch, T0 + timedelta(minutes=1), state=gone_once))
    store.close()
    reopened = Store(db_url)
    again = reopened.get_watch(watch.id)
    assert again.state == watch.state
    assert again.state.gone_streak == 1
    assert again.state.status is Status.UNCONFIRMED
    again = applied(reopened, planned(again, T0 + timedelta(minutes=2), kind=EventKind.DELETED))
    assert again.state.presence is Presence.GONE
    assert reopened.events(watch.id)[0].kind is EventKind.DELETED
    assert reopened.events(watch.id)[0].revision == 1  # the evidence: the last stored text
    reopened.close()


def test_resolve_by_id_and_url(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    assert store.resolve(str(watch.id)).id == watch.id
    assert store.resolve(TARGET.url).id == watch.id
    with pytest.raises(UsageError, match="no watch"):
        store.resolve("https://nowhere.example/")
    store.ensure_watch(Target(TARGET.url, "web", selector="main"), 600, T0, enable=True)
    with pytest.raises(UsageError, match="several watches"):
        store.resolve(TARGET.url)
    with pytest.raises(UsageError, match="no watch with id 999"):
        store.resolve("999")


def test_list_disable_and_purge(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    applied(store, planned(watch, T0, post("A"), EventKind.NEW))
    hidden = store.ensure_watch(Target("https://example.com/other", "web"), 600, T0, False)
    assert [w.id for w in store.list_watches()] == [watch.id]
    assert {w.id for w in store.list_watches(include_disabled=True)} == {watch.id, hidden.id}
    assert not store.disable_watch(watch.id).enabled
    assert store.revisions(watch.id)  # history kept
    assert store.purge_watch(watch.id) == 1
    assert store.revisions(watch.id) == []
    with pytest.raises(UsageError):
        store.get_watch(watch.id)


def test_missing_revision_is_a_usage_error(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    with pytest.raises(UsageError, match="no revision 3"):
        store.revision(watch.id, 3)


@pytest.mark.parametrize("setup", ["parent_is_file", "not_a_database", "directory"])
def test_unusable_sqlite_path_is_a_store_error(tmp_path: Path, setup: str):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    paths = {
        "parent_is_file": blocker / "watcher.db",
        "not_a_database": tmp_path / "garbage.db",
        "directory": tmp_path,
    }
    (tmp_path / "garbage.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(resolve_db_url(str(paths[setup])))


def test_resolve_db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert resolve_db_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_db_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("WATCHER_DB", str(tmp_path / "env.db"))
    assert resolve_db_url("") == f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.delenv("WATCHER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_db_url("").endswith("/watcher/watcher.db")


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError):
        Store("nosuchdialect://x/y")


def test_claims_never_overlap_and_respect_the_lease(store: Store):
    ids = [
        store.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True).id
        for i in range(5)
    ]
    store.ensure_watch(Target("https://x.example/off", "web"), 60, T0, enable=False)
    lease = T0 + timedelta(minutes=5)
    first = store.claim_due(T0, 3, lease)
    second = store.claim_due(T0, 10, lease)
    assert len(first) == 3 and len(second) == 2
    assert {w.id for w in first} | {w.id for w in second} == set(ids)  # disabled one never
    assert store.claim_due(T0, 10, lease) == []
    assert all(w.next_check_at == lease for w in first + second)
    assert {w.id for w in store.claim_due(lease, 10, lease + timedelta(minutes=5))} == set(ids)


def test_claims_from_concurrent_daemons_do_not_overlap(db_url: str):
    from concurrent.futures import ThreadPoolExecutor

    setup = Store(db_url)
    for i in range(40):
        setup.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True)
    setup.close()
    stores = [Store(db_url) for _ in range(4)]  # four "daemons", each with its own pool
    try:
        with ThreadPoolExecutor(4) as pool:
            batches = list(
                pool.map(lambda s: s.claim_due(T0, 15, T0 + timedelta(hours=1)), stores * 3)
            )
    finally:
        for s in stores:
            s.close()
    claimed = [w.id for batch in batches for w in batch]
    assert len(claimed) == len(set(claimed)) == 40


def test_a_channel_is_held_by_one_drainer_at_a_time(store: Store):
    until = T0 + timedelta(minutes=5)
    assert store.channel_holder("chat") == ""
    assert store.take_channel("chat", "a", T0, until)
    assert not store.take_channel("chat", "b", T0, until)  # a holds it
    assert store.take_channel("chat", "a", T0 + timedelta(minutes=1), until)  # a renews
    assert store.take_channel("ops", "b", T0, until)  # channels are held apart
    assert not store.take_channel("chat", "b", T0 + timedelta(minutes=4), until)
    assert store.take_channel("chat", "b", until, until + timedelta(minutes=5))  # a's ran out
    assert store.channel_holder("chat") == "b"
    store.release_channel("chat", "a", until)  # not a's to release any more
    assert not store.take_channel("chat", "c", until, until + timedelta(minutes=5))
    store.release_channel("chat", "b", until)
    assert store.take_channel("chat", "c", until, until + timedelta(minutes=5))
    assert store.take_channel("chat", "d", until, until, dead="c")  # c is known to be dead


def test_concurrent_drainers_never_both_take_a_channel(db_url: str):
    from concurrent.futures import ThreadPoolExecutor

    stores = [Store(db_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            taken = list(
                pool.map(
                    lambda n: stores[n % 4].take_channel(
                        "chat", f"holder-{n}", T0, T0 + timedelta(minutes=5)
                    ),
                    range(12),
                )
            )
    finally:
        for s in stores:
            s.close()
    assert taken.count(True) == 1


def test_metrics_are_a_time_series_of_changes(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    watch = applied(store, planned(watch, T0, post("A", 1), EventKind.NEW, metrics={"likes": 1}))
    for minute, likes in enumerate([1, 5, 5, 5, 9], start=1):
        changed = {"likes": likes} if likes != watch.metrics["likes"] else None
        watch = applied(store, planned(watch, T0 + timedelta(minutes=minute), metrics=changed))
    watch = applied(store, planned(watch, T0 + timedelta(minutes=9), kind=EventKind.DELETED))
    samples = store.metric_samples(watch.id)
    assert [(at.minute, values["likes"]) for at, values in samples] == [(0, 1), (2, 5), (5, 9)]
    assert watch.metrics == {"likes": 9}  # a failed or gone check keeps the last counters
    store.purge_watch(watch.id)
    assert store.metric_samples(watch.id) == []


def test_claim_by_id_skips_a_watch_whose_check_is_under_way(store: Store):
    a, b = (store.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True) for i in "ab")
    lease = T0 + timedelta(minutes=5)
    (taken,) = store.claim_due(T0, 1, lease)  # a daemon is checking one of them
    other = b if taken.id == a.id else a
    claimed = store.claim([a.id, b.id], T0, lease)
    assert [w.id for w in claimed] == [other.id]
    applied(
        store, planned(other, T0, post("x"), EventKind.NEW)
    )  # its check ends: claimable again at once
    assert [w.id for w in store.claim([other.id], T0, lease)] == [other.id]
    assert store.claim([taken.id], lease + timedelta(seconds=1), lease) != []  # lease ran out


def test_an_earlier_database_is_upgraded_in_place_and_keeps_its_data(db_url: str):
    store = Store(db_url)
    first = store.ensure_watch(TARGET, 60, T0, True)
    kept = applied(store, planned(first, T0, post("kept"), EventKind.NEW))
    with store.engine.begin() as conn:  # the tables as the first release made them
        conn.exec_driver_sql("DROP INDEX ix_watch_parent")
        conn.exec_driver_sql("DROP INDEX ix_watch_due")
        for column in ("kind", "parent_id", "post_id", "posted_at", "listing", "pages"):
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
        for column in ("claimed_until", "claimed_by", "version"):
            conn.exec_driver_sql(f"ALTER TABLE watch DROP COLUMN {column}")
        conn.exec_driver_sql("DROP TABLE meta")
    store.close()
    store = Store(db_url)
    try:
        (watch,) = store.list_watches()
        assert (watch.id, watch.revisions, watch.target) == (kept.id, 1, TARGET)
        assert (watch.parent_id, watch.post_id, watch.listing, watch.pages) == (None, "", (), 1)
        assert store.revision(watch.id, 1).post.text == "kept"
        assert watch.version == 0
        indexes = {index["name"] for index in inspect(store.engine).get_indexes("watch")}
        assert {"ix_watch_due", "ix_watch_parent"} <= indexes  # claims search by ix_watch_due
        edited = applied(store, planned(watch, T0, post("edited"), EventKind.EDITED))
        assert (edited.version, edited.revisions) == (1, 2)
        assert store.get_watch(watch.id) == edited
        store.set_config_digest("abc")
        assert store.config_digest() == "abc"
        account = store.ensure_watch(
            Target("https://b.example/@a", "mastodon", account=True), 60, T0, True
        )
        assert store.get_watch(account.id).target.account
    finally:
        store.close()


def _open_and_close(url: str, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()  # all five open the fresh file at the same moment
    Store(url).close()


def test_processes_opening_a_fresh_sqlite_file_at_once_all_succeed(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(5)
    openers = [spawn.Process(target=_open_and_close, args=(url, start)) for _ in range(5)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=120)
    assert [opener.exitcode for opener in openers] == [0] * 5
    store = Store(url)
    assert store.list_watches() == []
    store.close()


def test_summary_counts_watches_and_undelivered_alerts(store: Store):
    watches = [
        store.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, True) for i in range(4)
    ]
    store.ensure_watch(Target("https://x.example/off", "web"), 60, T0, enable=False)
    applied(store, planned(watches[0], T0, post("A"), EventKind.NEW))
    applied(store, planned(watches[1], T0, post("B"), EventKind.NEW, ("chat", "ops")))
    failed = replace(watches[2].state, status=Status.FAILED, fail_streak=2)
    applied(store, planned(watches[2], T0, state=failed, last_error="timed out"))
    (alert, _) = store.pending_deliveries()
    store.delivery_failed(alert, 0, "refused", T0, dead=True)

    summary = store.summary()
    assert (summary.watches, summary.enabled, summary.failing) == (5, 4, 1)
    assert summary.statuses == {Status.NEW: 2, Status.FAILED: 1, None: 1}
    assert (summary.pending, summary.dead) == (1, 1)


def test_an_empty_store_sums_to_nothing(store: Store):
    summary = store.summary()
    assert (summary.watches, summary.enabled, summary.failing, summary.statuses) == (0, 0, 0, {})
    assert (summary.pending, summary.dead) == (0, 0)


def test_watches_are_listed_a_page_at_a_time(store: Store):
    ids = [
        store.ensure_watch(Target(f"https://x.example/{i}", "web"), 60, T0, i % 3 != 0).id
        for i in range(7)
    ]
    enabled = [w for i, w in enumerate(ids) if i % 3 != 0]
    assert [w.id for w in store.list_watches(limit=3)] == enabled[:3]
    assert [w.id for w in store.list_watches(limit=3, offset=3)] == enabled[3:]
    assert [w.id for w in store.list_watches(True, limit=2, offset=5)] == ids[5:]
    assert [w.id for w in store.list_watches(True, offset=6)] == ids[6:]
    assert store.list_watches(limit=3, offset=10) == []


def test_the_config_digest_is_kept_until_replaced(db_url: str):
    store = Store(db_url)
    assert store.config_digest() == ""
    store.set_config_digest("sha256:one")
    store.set_config_digest("sha256:two")
    store.close()
    reopened = Store(db_url)
    assert reopened.config_digest() == "sha256:two"
    reopened.close()


def test_a_check_decided_before_the_watch_was_disabled_is_refused(store: Store):
    watch = store.ensure_watch(TARGET, 600, T0, enable=True)
    plan = planned(watch, T0, post("A"), EventKind.NEW)  # decided while it was enabled
    store.disable_watch(watch.id)
    assert store.apply(plan) is None  # applied, it would have scheduled the watch again
    assert not store.get_watch(watch.id).enabled
