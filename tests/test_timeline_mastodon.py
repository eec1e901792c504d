"""The `mastodon` source's account timeline: account URLs, the page, and every refusal, on our
own Mastodon-shaped payloads served by FakeSite."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.fakeplatform import PROFILE, FakeAccount, mastodon_settings
from tests.live import live, replayed, request_key
from tests.server import FakeSite, Reply
from watcher.app import App
from watcher.errors import FetchError, TransportError, UsageError
from watcher.model import (
    Blocked,
    EventKind,
    Failed,
    Gone,
    Page,
    RateLimited,
    Seen,
    Status,
    Target,
    TimelineObservation,
    Watch,
)
from watcher.settings import PlatformSettings
from watcher.sources.common import Request, Response
from watcher.sources.mastodon import ACCOUNT_TTL, MastodonSource, status_id

PAYLOADS = FIXTURES / "mastodon"
JSON = {"content-type": "application/json; charset=utf-8"}
ANN = "109000000000000001"
LOOKUP = "/api/v1/accounts/lookup"
STATUSES = f"/api/v1/accounts/{ANN}/statuses"
URL = "https://social.example/@ann"


def payload(name: str, status: int = 200) -> Reply:
    return Reply(status, (PAYLOADS / name).read_bytes(), JSON)


def error(status: int, message: str) -> Reply:
    return Reply(status, json.dumps({"error": message}).encode(), JSON)


# --- account URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://social.example/@ann", "@ann@social.example"),
        ("https://social.example/@ann/", "@ann@social.example"),
        ("https://social.example/@ann?utm_source=x", "@ann@social.example"),
        ("https://social.example/@ann@other.example", "@ann@other.example"),
        ("https://social.example/users/ann", "@ann@social.example"),
        ("http://localhost:3000/@mastodonpy_test", "@mastodonpy_test@localhost"),
        ("@ann@social.example", "@ann@social.example"),
        (" @jane_doe@fosstodon.org ", "@jane_doe@fosstodon.org"),
        # Not accounts: posts, other pages, e-mail addresses, other schemes.
        ("https://social.example/@ann/110000000000000001", None),
        ("https://social.example/users/ann/statuses/42", None),
        # Not Mastodon at all: sites with /@user pages of their own.
        ("https://medium.com/@someone", None),
        ("https://www.youtube.com/@channel", None),
        ("https://www.tiktok.com/@someone/video/7300000000000000000", None),
        ("https://social.example/web/statuses/42", None),
        ("https://social.example/@ann/with_replies", None),
        ("https://social.example/users/ann@other.example", None),
        ("https://social.example/about", None),
        ("ann@social.example", None),
        ("@ann", None),
        ("ftp://social.example/@ann", None),
    ],
)
def test_account_ref(url: str, expected: str | None) -> None:
    assert MastodonSource.account_ref(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://mastodon.social/@Gargron/109318821117356215",
        "https://social.example/users/ann/statuses/42",
        "https://social.example/web/@ann/42",
    ],
)
def test_post_urls_are_not_accounts(url: str) -> None:
    assert status_id(url) is not None
    assert MastodonSource.account_ref(url) is None


def test_account_urls_are_not_posts() -> None:
    for url in (URL, "https://social.example/users/ann", "@ann@social.example"):
        assert status_id(url) is None


# --- the page ---------------------------------------------------------------------------------


def read(site: FakeSite, url: str = URL) -> TimelineObservation:
    source = live(MastodonSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(url, "mastodon"))


def serve_ann(site: FakeSite, statuses: Reply | None = None) -> None:
    site.set(LOOKUP, payload("account_ann.json"))
    site.set(STATUSES, statuses or payload("account_statuses_ann.json"))


def test_page_lists_own_posts_newest_first(site: FakeSite) -> None:
    serve_ann(site)
    page = read(site)
    assert isinstance(page, Page), page
    # The boost (…04) is left out: it is alice's post, which its URL would follow by her id.
    assert page.ids == ("110000000000000003", "110000000000000002", "110000000000000001")
    assert page.account == "@ann@social.example"
    assert [post.created_at for post in page.posts] == [
        datetime(2025, 6, 1, 15, tzinfo=UTC),
        datetime(2025, 6, 1, 14, 30, tzinfo=UTC),
        datetime(2025, 6, 1, 14, 2, tzinfo=UTC),
    ]
    assert page.posts[0].text == "Which editor?\nvim\nemacs"
    assert page.posts[1].title == "spoilers: season finale"
    assert page.posts[1].media == ("111000000000000001", "111000000000000002")
    assert page.posts[1].media_urls == (
        "https://files.social.example/a.png",
        "https://files.social.example/b.mp4",
    )


def test_requests_lookup_then_the_first_page_without_boosts(site: FakeSite) -> None:
    serve_ann(site)
    read(site)
    paths = [path for path, _ in site.requests]
    assert paths == [
        f"{LOOKUP}?acct=ann",
        f"{STATUSES}?limit=20&exclude_reblogs=true",
    ]


def test_a_later_check_reuses_the_looked_up_account(site: FakeSite) -> None:
    serve_ann(site)
    source = live(MastodonSource(PlatformSettings(base_url=site.url)))
    for _ in range(3):
        assert isinstance(source.timeline(Target(URL, "mastodon")), Page)
    assert (site.hits(LOOKUP), site.hits(STATUSES)) == (1, 3)  # one request per later check


@pytest.mark.parametrize(
    "odd", [Reply(200, b"[]", JSON), error(404, "Record not found"), error(503, "down")]
)
def test_an_odd_page_looks_the_account_up_again_at_once(site: FakeSite, odd: Reply) -> None:
    serve_ann(site)
    source = live(MastodonSource(PlatformSettings(base_url=site.url)))
    source.timeline(Target(URL, "mastodon"))
    site.set(STATUSES, odd)
    site.set(LOOKUP, payload("account_suspended.json"))
    result = source.timeline(Target(URL, "mastodon"))
    assert isinstance(result, Gone) and result.removed  # said now, not an hour later
    assert site.hits(LOOKUP) == 2


def test_the_looked_up_account_expires(site: FakeSite) -> None:
    serve_ann(site)
    now = [1000.0]
    source = live(MastodonSource(PlatformSettings(base_url=site.url), clock=lambda: now[0]))
    source.timeline(Target(URL, "mastodon"))
    now[0] += ACCOUNT_TTL
    source.timeline(Target(URL, "mastodon"))  # an hour is still trusted
    now[0] += 1
    source.timeline(Target(URL, "mastodon"))
    assert site.hits(LOOKUP) == 2


def test_boosts_are_dropped_even_if_the_instance_ignores_the_parameter(site: FakeSite) -> None:
    boost = json.loads((PAYLOADS / "account_statuses_ann.json").read_text())[:1]
    serve_ann(site, Reply(200, json.dumps(boost).encode(), JSON))
    assert read(site) == Page((), "@ann@social.example")


def test_empty_page_is_a_page(site: FakeSite) -> None:
    serve_ann(site, Reply(200, b"[]", JSON))
    assert read(site) == Page((), "@ann@social.example")


def test_typed_handle_is_read_like_the_account_url(site: FakeSite) -> None:
    serve_ann(site)
    assert read(site, "@ann@social.example") == read(site, URL)


def not_found(request: Request) -> Response:
    return Response(request.url, 404, {}, b'{"error":"Record not found"}')


def test_remote_account_url_asks_its_home_instance() -> None:
    target = Target("https://social.example/@ann@other.example", "x")
    _, asked = replayed(MastodonSource().timeline(target), not_found)
    assert [request.url for request in asked] == ["https://other.example/api/v1/accounts/lookup"]


def test_the_account_url_origin_is_the_default_base() -> None:
    target = Target("http://localhost:3000/@ann", "mastodon")
    _, asked = replayed(MastodonSource().timeline(target), not_found)
    assert [request.url for request in asked] == ["http://localhost:3000/api/v1/accounts/lookup"]


def test_base_url_is_used(site: FakeSite) -> None:
    serve_ann(site)
    assert isinstance(read(site, "https://unreachable.invalid/@ann"), Page)
    assert site.hits(LOOKUP) == 1


def test_not_an_account_is_a_usage_error(site: FakeSite) -> None:
    source = live(MastodonSource(PlatformSettings(base_url=site.url)))
    with pytest.raises(UsageError, match="not a Mastodon account"):
        source.timeline(Target("https://social.example/@ann/42", "mastodon"))


# --- what a timeline post is: the same Post a direct fetch makes -------------------------------


def test_timeline_posts_equal_their_direct_fetch(site: FakeSite) -> None:
    serve_ann(site)
    page = read(site)
    assert isinstance(page, Page)
    statuses = json.loads((PAYLOADS / "account_statuses_ann.json").read_text())
    source = live(MastodonSource(PlatformSettings(base_url=site.url)))
    for post, status in zip(page.posts, statuses[1:], strict=True):
        site.set(f"/api/v1/statuses/{post.id}", Reply(200, json.dumps(status).encode(), JSON))
        direct = source.fetch(Target(post.url, "mastodon"))
        assert direct == Seen(post)
        assert dict(direct.post.metrics) == dict(post.metrics)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        (error(404, "Record not found"), Gone("HTTP 404: Record not found")),
        (error(410, "Gone"), Gone("HTTP 410: Gone")),
        (
            payload("account_suspended.json"),
            Gone("account spammer is suspended", removed=True),
        ),
        (
            error(401, "This API requires an authenticated user"),
            Blocked(
                "HTTP 401 from {site}/api/v1/accounts/lookup?acct=ann: the instance requires "
                "login (This API requires an authenticated user)"
            ),
        ),
        (error(429, "Too many requests"), RateLimited("HTTP 429: Too many requests")),
        (error(503, "down"), Failed("HTTP 503 from {site}/api/v1/accounts/lookup?acct=ann")),
        (Reply(200, b'{"error":"?"}', JSON), None),
        (Reply(200, b"<html>maintenance</html>", {"content-type": "text/html"}), None),
    ],
)
def test_lookup_refusals(site: FakeSite, lookup: Reply, expected: TimelineObservation) -> None:
    site.set(LOOKUP, lookup)
    result = read(site)
    if expected is None:  # an unexpected shape: no answer, never a Page nor Gone
        assert isinstance(result, Failed), result
    else:
        assert _fill(result, site) == expected
    assert site.hits(STATUSES) == 0


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (error(404, "Record not found"), Gone),
        (error(429, "Too many requests"), RateLimited),
        (error(401, "login"), Blocked),
        (error(500, "oops"), Failed),
        (error(502, "bad gateway"), Failed),
        (Reply(200, b'{"id": "1"}', JSON), Failed),
        (Reply(200, b'[{"id": "1"}]', JSON), Failed),
        (Reply(200, b"not json", JSON), Failed),
    ],
)
def test_statuses_refusals(site: FakeSite, statuses: Reply, expected: type) -> None:
    serve_ann(site, statuses)
    assert isinstance(read(site), expected)


def test_rate_limit_reset_is_the_retry_after(site: FakeSite) -> None:
    site.set(LOOKUP, Reply(429, b'{"error":"Too many requests"}', {**JSON, "retry-after": "30"}))
    assert read(site) == RateLimited("HTTP 429: Too many requests", 30.0)


def _fill(result: TimelineObservation, site: FakeSite) -> TimelineObservation:
    """The observation with the test server's address put back as `{site}`."""
    if isinstance(result, Blocked | Failed):
        return type(result)(result.reason.replace(site.url, "{site}"))
    return result


# --- deeper pages: max_id ---------------------------------------------------------------------

FIRST = f"{STATUSES}?limit=20&exclude_reblogs=true"
NEWEST = ("110000000000000003", "110000000000000002", "110000000000000001")
OLDER = ("109990000000000002", "109990000000000001")


def before(max_id: str) -> str:
    return f"{FIRST}&max_id={max_id}"


def read_pages(site: FakeSite, pages: int) -> TimelineObservation:
    source = live(MastodonSource(PlatformSettings(base_url=site.url + "/")))
    return source.timeline(Target(URL, "mastodon"), pages)


def listed(site: FakeSite, pages: int) -> Page:
    result = read_pages(site, pages)
    assert isinstance(result, Page), result
    return result


def statuses(*items: object) -> Reply:
    return Reply(200, json.dumps(list(items)).encode(), JSON)


def test_one_page_is_the_single_listing_request_as_before(site: FakeSite) -> None:
    serve_ann(site)
    site.set(before(NEWEST[-1]), payload("account_statuses_ann_older.json"))
    assert listed(site, 1).ids == NEWEST
    assert [path for path, _ in site.requests] == [f"{LOOKUP}?acct=ann", FIRST]


@pytest.mark.parametrize("pages", [2, 3])
def test_next_page_is_before_the_last_listed_status(site: FakeSite, pages: int) -> None:
    serve_ann(site)
    site.set(before(NEWEST[-1]), payload("account_statuses_ann_older.json"))
    site.set(before(OLDER[-1]), statuses())
    result = listed(site, pages)
    assert result.ids == NEWEST + OLDER
    assert result.account == "@ann@social.example"
    asked = [before(NEWEST[-1]), before(OLDER[-1])][: pages - 1]
    assert [path for path, _ in site.requests][1:] == [FIRST, *asked]


def test_a_page_of_boosts_alone_moves_the_cursor_on(site: FakeSite) -> None:
    boost = json.loads((PAYLOADS / "account_statuses_ann.json").read_text())[0]
    serve_ann(site)
    site.set(before(NEWEST[-1]), statuses({**boost, "id": "109995000000000001"}))
    site.set(before("109995000000000001"), payload("account_statuses_ann_older.json"))
    assert listed(site, 3).ids == NEWEST + OLDER


def test_a_post_listed_again_keeps_its_first_listing(site: FakeSite) -> None:
    page_one = json.loads((PAYLOADS / "account_statuses_ann.json").read_text())
    older = json.loads((PAYLOADS / "account_statuses_ann_older.json").read_text())
    moved = {**page_one[-1], "content": "<p>listed again</p>"}  # the timeline shifted
    serve_ann(site)
    site.set(before(NEWEST[-1]), statuses(moved, *older))
    result = listed(site, 2)
    assert result.ids == NEWEST + OLDER
    assert result.posts[2] == listed(site, 1).posts[2]


def test_a_page_that_only_repeats_ends_the_reading(site: FakeSite) -> None:
    serve_ann(site)
    site.set(before(NEWEST[-1]), payload("account_statuses_ann.json"))
    assert listed(site, 5).ids == NEWEST
    assert site.hits(STATUSES) == 2


def test_link_header_without_next_ends_the_reading(site: FakeSite) -> None:
    # Mastodon leaves rel="next" out when the page came back short: the end of the timeline.
    prev = f'<https://social.example{FIRST}&min_id={NEWEST[0]}>; rel="prev"'
    body = (PAYLOADS / "account_statuses_ann.json").read_bytes()
    serve_ann(site, Reply(200, body, {**JSON, "link": prev}))
    site.set(before(NEWEST[-1]), payload("account_statuses_ann_older.json"))
    assert listed(site, 3).ids == NEWEST
    assert site.hits(STATUSES) == 1


def test_link_header_with_next_is_followed(site: FakeSite) -> None:
    link = f'<https://social.example{before(NEWEST[-1])}>; rel="next"'
    body = (PAYLOADS / "account_statuses_ann.json").read_bytes()
    serve_ann(site, Reply(200, body, {**JSON, "link": link}))
    site.set(before(NEWEST[-1]), payload("account_statuses_ann_older.json"))
    assert listed(site, 2).ids == NEWEST + OLDER


@pytest.mark.parametrize(
    "later",
    [
        error(500, "Internal Server Error"),
        Reply(429, b'{"error":"Too many requests"}', {**JSON, "retry-after": "30"}),
        error(404, "Record not found"),
        Reply(200, b"<html>maintenance</html>", {"content-type": "text/html"}),
    ],
)
def test_trouble_on_a_later_page_keeps_the_pages_before(
    site: FakeSite, later: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    serve_ann(site)
    site.set(before(NEWEST[-1]), later)
    site.set(before(OLDER[-1]), payload("account_statuses_ann_older.json"))
    with caplog.at_level(logging.DEBUG, "watcher.sources.mastodon"):
        assert read_pages(site, 3) == read_pages(site, 1)
    assert site.hits(before(OLDER[-1])) == 0
    assert "timeline page 2" in caplog.text


# --- sans-I/O: the flow's requests, answered with no server -------------------------------------

ORIGIN = "https://social.example"


def answer(name: str, status: int = 200) -> Response:
    return Response(
        "recorded", status, {"content-type": "application/json"}, (PAYLOADS / name).read_bytes()
    )


def listing(max_id: str = "") -> str:
    """The `request_key` of a statuses page of ann's on her own instance."""
    query = "exclude_reblogs=true&limit=20" + (f"&max_id={max_id}" if max_id else "")
    return f"{ORIGIN}{STATUSES}?{query}"


ANSWERS: dict[str, Response | FetchError] = {
    f"{ORIGIN}{LOOKUP}?acct=ann": answer("account_ann.json"),
    listing(): answer("account_statuses_ann.json"),
    listing(NEWEST[-1]): answer("account_statuses_ann_older.json"),
    listing(OLDER[-1]): Response("recorded", 200, {}, b"[]"),
}


def test_flow_looks_up_then_reads_each_page_before_the_last_listed() -> None:
    result, asked = replayed(MastodonSource().timeline(Target(URL, "mastodon"), 3), ANSWERS)
    assert isinstance(result, Page) and result.ids == NEWEST + OLDER
    assert [request_key(request) for request in asked] == [
        f"{ORIGIN}{LOOKUP}?acct=ann",
        listing(),
        listing(NEWEST[-1]),
        listing(OLDER[-1]),
    ]


def test_flow_with_a_transport_error_on_page_two_keeps_page_one() -> None:
    answers = {**ANSWERS, listing(NEWEST[-1]): TransportError("connection reset")}
    result, asked = replayed(MastodonSource().timeline(Target(URL, "mastodon"), 3), answers)
    assert isinstance(result, Page) and result.ids == NEWEST
    assert request_key(asked[-1]) == listing(NEWEST[-1])  # and nothing asked after it


def test_flow_with_a_transport_error_on_the_lookup_is_failed_and_remembers_nothing() -> None:
    source = MastodonSource()
    answers = {**ANSWERS, f"{ORIGIN}{LOOKUP}?acct=ann": TransportError("timed out")}
    result, asked = replayed(source.timeline(Target(URL, "mastodon")), answers)
    assert result == Failed("timed out") and len(asked) == 1
    _, asked = replayed(source.timeline(Target(URL, "mastodon")), ANSWERS)
    assert len(asked) == 2  # looked up again: a failed lookup is never remembered


def test_flow_reuses_the_account_until_a_page_looks_odd() -> None:
    source = MastodonSource()
    replayed(source.timeline(Target(URL, "mastodon")), ANSWERS)
    _, asked = replayed(source.timeline(Target(URL, "mastodon")), ANSWERS)
    assert [request_key(request) for request in asked] == [listing()]
    empty = {**ANSWERS, listing(): Response("recorded", 200, {}, b"[]")}
    _, asked = replayed(source.timeline(Target(URL, "mastodon")), empty)
    assert [request_key(request) for request in asked] == [
        listing(),
        f"{ORIGIN}{LOOKUP}?acct=ann",
        listing(),
    ]


# --- followed posts, end to end: counters sampled, media kept -----------------------------------


@pytest.fixture
def followed(tmp_path: Path, site: FakeSite) -> Iterator[tuple[App, FakeAccount, Watch]]:
    """ann's account with three posts (the newest with a picture), watched and checked once."""
    fake = FakeAccount(site)
    for n in range(1, 4):
        fake.post(f"post number {n}", age=timedelta(minutes=30 - n))
        fake.posts[0]["favourites_count"] = n
    fake.posts[0]["media_attachments"] = [
        {"id": "m1", "type": "image", "url": "https://files.social.example/cat.png"}
    ]
    with App(mastodon_settings(site), db=str(tmp_path / "watcher.db")) as app:
        account = app.store.ensure_watch(app.target(PROFILE), 300.0, app.clock(), True)
        app.check_once(account)
        yield app, fake, account


def test_every_followed_post_is_sampled_from_the_timelines_counters(
    followed: tuple[App, FakeAccount, Watch],
) -> None:
    app, fake, account = followed
    posts = {w.post_id: w for w in app.store.children(account.id)}
    assert len(posts) == 3
    for status in fake.posts:  # each first snapshot, as listed, is a sample
        samples = app.store.metric_samples(posts[status["id"]].id)
        assert [values for _, values in samples] == [
            {"favourites_count": status["favourites_count"]}
        ]
    assert fake.status_hits() == 0  # from the listing alone


def test_a_followed_posts_checks_sample_its_counters_when_they_change(
    followed: tuple[App, FakeAccount, Watch],
) -> None:
    app, fake, account = followed
    newest = fake.posts[0]
    child = next(w for w in app.store.children(account.id) if w.post_id == newest["id"])
    app.check_once(app.store.get_watch(child.id))  # the same counters: no new sample
    assert len(app.store.metric_samples(child.id)) == 1
    newest["favourites_count"] = 40
    app.check_once(app.store.get_watch(child.id))
    samples = app.store.metric_samples(child.id)
    assert [values for _, values in samples] == [{"favourites_count": 3}, {"favourites_count": 40}]


def test_a_followed_posts_media_urls_are_stored_and_a_cdn_move_is_no_edit(
    followed: tuple[App, FakeAccount, Watch],
) -> None:
    app, fake, account = followed
    newest = fake.posts[0]
    child = next(w for w in app.store.children(account.id) if w.post_id == newest["id"])
    assert app.store.revision(child.id, 1).post.media_urls == (
        "https://files.social.example/cat.png",
    )
    newest["media_attachments"][0]["url"] = "https://cdn.social.example/cat.png"
    result = app.check_once(app.store.get_watch(child.id))
    assert result.status is Status.UNCHANGED
    assert result.post is not None
    assert result.post.media_urls == ("https://cdn.social.example/cat.png",)
    assert app.store.get_watch(child.id).revisions == 1
    assert app.store.events(child.id)[-1].kind is EventKind.NEW  # no edit recorded
