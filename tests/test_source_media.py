"""Media URLs, from answers to the store: only bounded http(s) URLs are kept, they are never
content (a CDN move is no edit), every revision keeps them, and a revision stored before they
were kept (schema 4) reads as having none. Each platform's own fields are tested with its
source (tests/test_source_<platform>.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from tests.conftest import applied, planned
from watcher import serialize
from watcher.detect import detect
from watcher.model import EventKind, Post, Seen, Status, Target, WatchState
from watcher.normalize import canonical, content_hash
from watcher.sources.common import MAX_MEDIA_URLS, MAX_URL_LENGTH, media_urls
from watcher.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TARGET = Target("https://social.example/@ann/1", "mastodon")
PICTURES = ("https://cdn.example/a.jpg", "https://cdn.example/b.mp4?token=x")


def post(text: str = "two pictures", urls: tuple[str, ...] = PICTURES) -> Post:
    return Post(id="1", url=TARGET.url, text=text, created_at=T0, media=("a", "b"), media_urls=urls)


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "ftp://cdn.example/a.jpg",
        "//cdn.example/a.jpg",  # no scheme
        "/file/a.jpg",
        "https://",
        "https:///a.jpg",
        "https://cdn.example/a b.jpg",
        "https://cdn.example/a.jpg\nSet-Cookie: x",
        "https://cdn.example/a\x00.jpg",
        "https://cdn.example/" + "a" * MAX_URL_LENGTH,
        "",
    ],
)
def test_only_plain_bounded_http_urls_are_kept(address: str) -> None:
    assert media_urls([address, "https://cdn.example/ok.jpg"]) == ("https://cdn.example/ok.jpg",)


def test_kept_urls_are_in_order_once_each_and_at_most_the_cap() -> None:
    many = [f"https://cdn.example/{n}.jpg" for n in range(MAX_MEDIA_URLS + 5)]
    kept = media_urls([many[1], None, 42, {"url": many[0]}, " HTTP://CDN.example/x.jpg ", *many])
    assert kept[:3] == (many[1], "HTTP://CDN.example/x.jpg", many[0])
    assert len(kept) == MAX_MEDIA_URLS
    assert len(set(kept)) == MAX_MEDIA_URLS


def test_a_url_at_the_length_cap_is_kept() -> None:
    longest = "https://cdn.example/" + "a" * (MAX_URL_LENGTH - len("https://cdn.example/"))
    assert media_urls([longest]) == (longest,)


# --- never content ----------------------------------------------------------------------------


def test_media_urls_are_not_content() -> None:
    moved = post(urls=("https://other-cdn.example/a.jpg?sig=2", "https://other-cdn.example/b.mp4"))
    assert moved == post()
    assert content_hash(moved) == content_hash(post())
    assert content_hash(post(urls=())) == content_hash(post())
    assert "cdn.example" not in post().document  # diffs and readers see the media ids only


def test_a_cdn_move_alone_is_an_unchanged_check() -> None:
    first = detect(WatchState(), Seen(post()), T0)
    moved = post(urls=("https://cdn2.example/a.jpg", "https://cdn2.example/b.mp4"))
    again = detect(first.state, Seen(moved), T0)
    assert (first.status, again.status) == (Status.NEW, Status.UNCHANGED)
    assert not again.store_revision


def test_canonical_keeps_them() -> None:
    assert canonical(post(text="  two  pictures ")).media_urls == PICTURES


# --- stored with every revision ---------------------------------------------------------------


def test_every_revision_keeps_its_media_urls(db_url: str) -> None:
    store = Store(db_url)
    try:
        watch = store.ensure_watch(TARGET, 60, T0, True)
        watch = applied(store, planned(watch, T0, post(), EventKind.NEW))
        applied(store, planned(watch, T0, post("edited", urls=()), EventKind.EDITED))
        first, second = store.revision(watch.id, 1), store.revision(watch.id, 2)
        assert first.post.media_urls == PICTURES
        assert second.post.media_urls == ()
        assert [r.post.media_urls for r in store.revisions(watch.id)] == [(), PICTURES]
    finally:
        store.close()


def test_a_revision_stored_before_media_urls_reads_as_none(db_url: str) -> None:
    store = Store(db_url)
    try:
        watch = store.ensure_watch(TARGET, 60, T0, True)
        applied(store, planned(watch, T0, post(), EventKind.NEW))
    finally:
        store.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:  # as schema 4 left it: no media_urls on revisions
        conn.exec_driver_sql("ALTER TABLE revision DROP COLUMN media_urls")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA user_version = 4")
        else:
            conn.exec_driver_sql("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    engine.dispose()
    store = Store(db_url)  # upgraded in place
    try:
        (old,) = store.revisions(watch.id)
        assert (old.post.text, old.post.media, old.post.media_urls) == (
            "two pictures",
            ("a", "b"),
            (),
        )
        assert old.content_hash == store.get_watch(watch.id).state.content_hash
        watch = store.get_watch(watch.id)
        applied(store, planned(watch, T0, post("edited"), EventKind.EDITED))
        assert store.revision(watch.id, 2).post.media_urls == PICTURES
    finally:
        store.close()


# --- in JSON ----------------------------------------------------------------------------------


def test_post_json_lists_media_and_where_they_are_seen(db_url: str) -> None:
    store = Store(db_url)
    try:
        watch = store.ensure_watch(TARGET, 60, T0, True)
        applied(store, planned(watch, T0, post(), EventKind.NEW))
        shown = serialize.revision_json(store.revision(watch.id, 1))
    finally:
        store.close()
    assert shown["post"]["media"] == ["a", "b"]
    assert shown["post"]["media_urls"] == list(PICTURES)
    assert serialize.post_json(replace(post(), media_urls=()))["media_urls"] == []
