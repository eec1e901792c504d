"""Bluesky posts checked in batches: one app.bsky.feed.getPosts request for up to 25 posts,
getPostThread only for a post the batch left out (its answer is the gone signal); and the
daemon grouping due Bluesky watches so that they share those requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from tests.test_conformance import recorded_reply
from watcher.app import App
from watcher.errors import FetchError, HostBackoff, TransportError
from watcher.model import Gone, Observation, RateLimited, Seen, Status, Target, Watch
from watcher.notify import Notifier
from watcher.outbox import Outbox
from watcher.scheduler import Daemon
from watcher.settings import DetectSettings, PlatformSettings, Settings
from watcher.sources.bluesky import BlueskySource
from watcher.sources.common import Request, Response

JSON = {"content-type": "application/json; charset=utf-8"}
DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
HANDLE = "ann.example.com"
POSTS = "/xrpc/app.bsky.feed.getPosts"
THREAD = "/xrpc/app.bsky.feed.getPostThread"
RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"


class FakeBluesky:
    """An AppView with one author's posts: getPosts hydrates the live ones and drops the
    rest; getPostThread answers NotFound for a deleted one."""

    def __init__(self, site: FakeSite) -> None:
        self.site = site
        self.texts: dict[str, str] = {}  # rkey → text
        self.deleted: set[str] = set()
        site.set(POSTS, self._posts)
        site.set(THREAD, self._thread)
        site.set(RESOLVE, Reply(200, json.dumps({"did": DID}), JSON))

    def post(self, rkey: str, text: str) -> str:
        self.texts[rkey] = text
        return f"https://bsky.app/profile/{DID}/post/{rkey}"

    def view(self, rkey: str) -> dict[str, object]:
        return {
            "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
            "cid": f"cid-{rkey}",
            "author": {"did": DID, "handle": HANDLE},
            "record": {
                "$type": "app.bsky.feed.post",
                "text": self.texts[rkey],
                "createdAt": "2026-11-23T10:00:00.000Z",
            },
            "likeCount": len(rkey),
        }

    def _live(self, uri: str) -> str | None:
        rkey = uri.rsplit("/", 1)[1]
        return rkey if rkey in self.texts and rkey not in self.deleted else None

    def _posts(self, path: str) -> Reply:
        uris = parse_qs(urlsplit(path).query).get("uris", [])
        if len(uris) > 25:
            return Reply(400, json.dumps({"error": "InvalidRequest"}), JSON)
        views = [self.view(rkey) for uri in uris if (rkey := self._live(uri))]
        return Reply(200, json.dumps({"posts": views}), JSON)

    def _thread(self, path: str) -> Reply:
        uri = parse_qs(urlsplit(path).query)["uri"][0]
        rkey = self._live(uri)
        if rkey is None:
            error = {"error": "NotFound", "message": f"Post not found: {uri}"}
            return Reply(400, json.dumps(error), JSON)
        thread = {"$type": "app.bsky.feed.defs#threadViewPost", "post": self.view(rkey)}
        return Reply(200, json.dumps({"thread": thread}), JSON)


@pytest.fixture
def bluesky(site: FakeSite) -> FakeBluesky:
    return FakeBluesky(site)


def fetch_many(site: FakeSite, urls: list[str]) -> list[Observation]:
    source = live(BlueskySource(PlatformSettings(base_url=site.url)))
    return source.fetch_many([Target(url, "bluesky") for url in urls])


def fetch_one(site: FakeSite, url: str) -> Observation:
    return live(BlueskySource(PlatformSettings(base_url=site.url))).fetch(Target(url, "bluesky"))


# --- the source ----------------------------------------------------------------------------


def test_a_batch_is_one_request_and_equals_fetching_each_alone(
    site: FakeSite, bluesky: FakeBluesky
) -> None:
    urls = [bluesky.post(f"3k{n:02d}", f"post {n}") for n in range(3)]
    batch = fetch_many(site, urls)
    assert (site.hits(POSTS), site.hits(THREAD)) == (1, 0)
    assert batch == [fetch_one(site, url) for url in urls]
    assert all(isinstance(obs, Seen) for obs in batch)


def test_a_post_the_batch_leaves_out_is_asked_alone_for_its_gone_signal(
    site: FakeSite, bluesky: FakeBluesky
) -> None:
    urls = [bluesky.post(f"3k{n:02d}", f"post {n}") for n in range(3)]
    bluesky.deleted.add("3k01")
    batch = fetch_many(site, urls)
    assert [type(obs) for obs in batch] == [Seen, Gone, Seen]
    assert (site.hits(POSTS), site.hits(THREAD)) == (1, 1)


def test_handles_are_resolved_once_and_posts_asked_by_did(
    site: FakeSite, bluesky: FakeBluesky
) -> None:
    bluesky.post("3k00", "by handle")
    bluesky.post("3k01", "by handle too")
    urls = [f"https://bsky.app/profile/{HANDLE}/post/3k0{n}" for n in range(2)]
    assert all(isinstance(obs, Seen) for obs in fetch_many(site, urls))
    assert (site.hits(RESOLVE), site.hits(POSTS)) == (1, 1)


@pytest.mark.parametrize(
    "answer",
    [
        Reply(500, "upstream trouble"),
        Reply(200, "<html>not json</html>", {"content-type": "text/html"}),
        Reply(200, json.dumps({"feed": []}), JSON),
    ],
)
def test_an_unreadable_batch_falls_back_to_one_request_per_post(
    site: FakeSite, bluesky: FakeBluesky, answer: Reply
) -> None:
    urls = [bluesky.post(f"3k{n:02d}", f"post {n}") for n in range(3)]
    site.set(POSTS, answer)
    assert all(isinstance(obs, Seen) for obs in fetch_many(site, urls))
    assert site.hits(THREAD) == 3


def test_a_rate_limited_batch_holds_for_every_post(site: FakeSite, bluesky: FakeBluesky) -> None:
    urls = [bluesky.post(f"3k{n:02d}", f"post {n}") for n in range(3)]
    limited = Reply(429, json.dumps({"error": "RateLimitExceeded"}), JSON | {"retry-after": "30"})
    site.set(POSTS, limited)
    batch = fetch_many(site, urls)
    assert all(isinstance(obs, RateLimited) and obs.retry_after == 30 for obs in batch)
    assert site.hits(THREAD) == 0


# --- sans-I/O: the batch flow's requests, answered with no server -----------------------------

BASE = "http://appview.test"
RKEYS = ("3k00", "3k01", "3k02")


def at(rkey: str) -> str:
    return f"at://{DID}/app.bsky.feed.post/{rkey}"


def json_answer(body: object, status: int = 200) -> Response:
    return Response(BASE, status, dict(JSON), json.dumps(body).encode())


def posts_key(rkeys: tuple[str, ...] = RKEYS) -> str:
    return f"{BASE}{POSTS}?{urlencode([('uris', at(rkey)) for rkey in rkeys])}"


def thread_key(rkey: str) -> str:
    params = {"uri": at(rkey), "depth": "0", "parentHeight": "0"}
    return request_key(Request(BASE + THREAD, params))


def view(rkey: str) -> dict[str, object]:
    record = {"text": f"post {rkey}", "createdAt": "2026-11-23T10:00:00.000Z"}
    return {"uri": at(rkey), "author": {"did": DID, "handle": HANDLE}, "record": record}


def thread(rkey: str) -> Response:
    return json_answer(
        {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view(rkey)}}
    )


def observe_batch(
    answers: dict[str, Response | FetchError], rkeys: tuple[str, ...] = RKEYS
) -> tuple[list[Observation], list[str]]:
    source = BlueskySource(PlatformSettings(base_url=BASE))
    targets = [Target(f"https://bsky.app/profile/{DID}/post/{rkey}", "bluesky") for rkey in rkeys]
    result, asked = replayed(source.observe_many(targets), answers)
    return result, [request_key(r) for r in asked]


def test_a_left_out_post_is_asked_alone_after_the_batch() -> None:
    not_found = {"error": "NotFound", "message": f"Post not found: {at('3k01')}"}
    answers: dict[str, Response | FetchError] = {
        posts_key(): json_answer({"posts": [view("3k00"), view("3k02")]}),
        thread_key("3k01"): json_answer(not_found, 400),
    }
    batch, asked = observe_batch(answers)
    assert asked == [posts_key(), thread_key("3k01")]
    assert [type(obs) for obs in batch] == [Seen, Gone, Seen]
    assert batch[1] == Gone(f"NotFound: Post not found: {at('3k01')}")


def test_a_batch_by_handle_resolves_the_handle_once_first() -> None:
    resolve = request_key(Request(BASE + RESOLVE, {"handle": HANDLE}))
    answers: dict[str, Response | FetchError] = {
        resolve: json_answer({"did": DID}),
        posts_key(("3k00", "3k01")): json_answer({"posts": [view("3k00"), view("3k01")]}),
    }
    source = BlueskySource(PlatformSettings(base_url=BASE))
    targets = [Target(f"https://bsky.app/profile/{HANDLE}/post/3k0{n}", "bluesky") for n in (0, 1)]
    batch, asked = replayed(source.observe_many(targets), answers)
    assert [request_key(r) for r in asked] == [resolve, posts_key(("3k00", "3k01"))]
    assert all(isinstance(obs, Seen) for obs in batch)


def test_a_transport_error_on_the_batch_falls_back_to_one_request_per_post() -> None:
    answers: dict[str, Response | FetchError] = {posts_key(): TransportError("reset")}
    answers |= {thread_key(rkey): thread(rkey) for rkey in RKEYS}
    batch, asked = observe_batch(answers)
    assert asked == [posts_key(), *(thread_key(rkey) for rkey in RKEYS)]
    assert all(isinstance(obs, Seen) for obs in batch)


def test_a_host_backoff_on_the_batch_holds_for_every_post() -> None:
    answers: dict[str, Response | FetchError] = {posts_key(): HostBackoff("wait", 30.0)}
    batch, asked = observe_batch(answers)
    assert asked == [posts_key()]
    assert batch == [RateLimited("wait", 30.0)] * 3


# --- the recordings (../shared/fixtures/platforms/bluesky) -----------------------------------

DRIL = "did:plc:6wpkkitfdkgthatfvspcfmjo"
DRIL_POST = f"https://bsky.app/profile/{DRIL}/post/3lirwer3l4s2r"


def test_recorded_get_posts_gives_the_post(site: FakeSite) -> None:
    site.set(POSTS, recorded_reply("bluesky", "getPosts_reconstructed.json"))
    second = f"https://bsky.app/profile/{DRIL}/post/3lirwer3l4s2s"  # not in the answer
    site.set(THREAD, recorded_reply("bluesky", "getPostThread_notfound_reconstructed.json"))
    found, left_out = fetch_many(site, [DRIL_POST, second])
    assert isinstance(found, Seen)
    assert found.post.text.startswith("quick update: the man makig dog noises")
    assert found.post.author == "@dril.bsky.social"
    assert dict(found.post.metrics)["likeCount"] == 16695
    assert isinstance(left_out, Gone)  # from getPostThread, never from getPosts


def test_recorded_empty_get_posts_is_no_gone_signal_by_itself(site: FakeSite) -> None:
    site.set(POSTS, recorded_reply("bluesky", "getPosts_missing_reconstructed.json"))
    site.set(THREAD, recorded_reply("bluesky", "rate_limited_429_reconstructed.json"))
    batch = fetch_many(site, [DRIL_POST, DRIL_POST.replace("3lirwer3l4s2r", "3lirwer3l4s2s")])
    # Both were left out; the lone asks were rate limited (the first 429 pauses the host, so
    # the second is not even sent): nothing is known, nothing is gone.
    assert all(isinstance(obs, RateLimited) for obs in batch)
    assert site.hits(THREAD) == 1


# --- the daemon groups due Bluesky watches --------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, site: FakeSite) -> Iterator[App]:
    settings = Settings(
        platforms={"bluesky": PlatformSettings(base_url=site.url)},
        detect=DetectSettings(confirm_deletions=2),
    )
    with App(settings, db=str(tmp_path / "watcher.db")) as running:
        yield running


def watch_posts(app: App, bluesky: FakeBluesky, count: int) -> list[Watch]:
    urls = [bluesky.post(f"3k{n:03d}", f"post {n}") for n in range(count)]
    now = app.clock()
    return [app.store.ensure_watch(app.target(url), 60.0, now, True) for url in urls]


def run_pass(app: App) -> int:
    outbox = Outbox(app.store, Notifier(), app.settings, app.clock)
    return Daemon(app, outbox).run_once(everything=True).checked


def test_thirty_due_posts_take_two_batch_requests(
    app: App, site: FakeSite, bluesky: FakeBluesky
) -> None:
    watch_posts(app, bluesky, 30)
    assert run_pass(app) == 30
    assert (site.hits(POSTS), site.hits(THREAD)) == (2, 0)  # 25 + 5


def test_a_deleted_post_in_a_batch_is_confirmed_by_its_own_gone_signal(
    app: App, site: FakeSite, bluesky: FakeBluesky
) -> None:
    watches = watch_posts(app, bluesky, 10)
    run_pass(app)
    bluesky.deleted.add("3k004")
    run_pass(app)
    assert app.store.get_watch(watches[4].id).state.status is Status.UNCONFIRMED
    run_pass(app)
    statuses = [app.store.get_watch(w.id).state.status for w in watches]
    assert statuses == [Status.UNCHANGED] * 4 + [Status.DELETED] + [Status.UNCHANGED] * 5
    assert site.hits(THREAD) == 2  # only the deleted post, once per pass


def test_batches_keep_accounts_and_other_platforms_apart(app: App, bluesky: FakeBluesky) -> None:
    posts = watch_posts(app, bluesky, 27)
    account = app.store.ensure_watch(
        app.target(f"https://bsky.app/profile/{HANDLE}"), 60.0, app.clock(), True
    )
    web = app.store.ensure_watch(app.target("https://example.com/a"), 60.0, app.clock(), True)
    groups = app.batches([*posts[:3], account, web, *posts[3:]])
    assert [len(g) for g in groups] == [25, 1, 1, 2]
    assert groups[1] == [account] and groups[2] == [web]


def test_each_post_of_a_batch_keeps_the_batch_answer_as_its_evidence(
    app: App, site: FakeSite, bluesky: FakeBluesky
) -> None:
    watches = watch_posts(app, bluesky, 3)
    run_pass(app)
    bluesky.texts["3k001"] = "post 1, edited"
    run_pass(app)
    kept = [[c for _, c in app.store.captures(w.id)] for w in watches]
    assert [len(k) for k in kept] == [1, 2, 1]  # first snapshots, then the edited post's answer
    assert all(POSTS in c.url for k in kept for c in k)
    assert b"post 1, edited" in kept[1][1].body and b"post 2" in kept[1][1].body
    assert [r for r, _ in app.store.captures(watches[1].id)] == [1, 2]
