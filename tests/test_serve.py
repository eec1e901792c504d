"""`watcher serve` over HTTP (issue 11): every page and its JSON twin on a real SQLite file and
on the local PostgreSQL, each opened read-only as the command opens it; filters, search and
paging, the token (bearer and login cookie) and the limit on wrong ones, the security headers,
hostile text escaped, secrets masked, and the command's refusals. What does not depend on the
database runs on SQLite only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from tests.conftest import NOW, pg_schema, require_pg
from tests.serve_data import HOSTILE, SECRET_URL, Site, write_site
from watcher.app import App
from watcher.cli import cli
from watcher.serve import create_app, read_only_url
from watcher.serve.guard import COOKIE, Attempts, client_key, session_value
from watcher.settings import ChannelSettings, Settings

TOKEN = "a-long-enough-token-0123456789"
SETTINGS = Settings(channels=(ChannelSettings("chat", SECRET_URL),), timezone="Asia/Shanghai")


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Site]:
    url = f"sqlite:///{tmp_path_factory.mktemp('serve') / 'w.db'}"
    with App(SETTINGS, url, clock=lambda: NOW) as app:
        site = write_site(app.store)
    return url, site


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Iterator[tuple[str, Site]]:
    """The dataset on a SQLite file and in a fresh schema of the local PostgreSQL: the pages'
    queries must read alike on both."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_db")
        return
    require_pg()
    with pg_schema() as url:
        with App(SETTINGS, url, clock=lambda: NOW) as app:
            site = write_site(app.store)
        yield url, site


def _served(url: str) -> Iterator[App]:
    """The app over `url` opened as `watcher serve` opens it: read-only."""
    with App(SETTINGS, read_only_url(url), clock=lambda: NOW) as running:
        yield running


@pytest.fixture(scope="module")
def app(db: tuple[str, Site]) -> Iterator[App]:
    yield from _served(db[0])


@pytest.fixture(scope="module")
def site(db: tuple[str, Site]) -> Site:
    return db[1]


@pytest.fixture(scope="module")
def client(app: App) -> TestClient:
    """The dashboard on each backend."""
    return TestClient(create_app(app), follow_redirects=False)


@pytest.fixture(scope="module")
def sqlite_app(sqlite_db: tuple[str, Site]) -> Iterator[App]:
    yield from _served(sqlite_db[0])


@pytest.fixture(scope="module")
def local(sqlite_app: App) -> TestClient:
    """The dashboard on SQLite only, for what does not depend on the database."""
    return TestClient(create_app(sqlite_app), follow_redirects=False)


@pytest.fixture(scope="module")
def guarded(sqlite_app: App) -> TestClient:
    return TestClient(create_app(sqlite_app, TOKEN), follow_redirects=False)


# -- pages and twins ------------------------------------------------------------------------


def test_every_page_and_twin_answers_with_the_security_headers(
    client: TestClient, site: Site
) -> None:
    paths = ["/", f"/watch/{site.edited}", f"/account/{site.account}", "/health", "/login"]
    for path in [*paths, "/api/changes", f"/api/watch/{site.edited}"]:
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # nothing may run: default-src 'none' covers scripts
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    for path in paths:
        assert "<script" not in client.get(path).text.replace("&lt;script", "")


def test_the_changes_feed_is_newest_first_and_its_twin_holds_the_same(
    client: TestClient, site: Site
) -> None:
    data = client.get("/api/changes").json()
    times = [c["at"] for c in data["changes"]]
    assert times == sorted(times, reverse=True) and data["total"] >= 6
    html = client.get("/").text
    for change in data["changes"]:
        assert f'href="/watch/{change["watch"]["id"]}"' in html


def test_changes_filter_by_kind_account_platform_and_date(client: TestClient, site: Site) -> None:
    edited = client.get("/api/changes?kind=edited").json()["changes"]
    assert {c["kind"] for c in edited} == {"edited"}
    assert {c["watch"]["id"] for c in edited} == {site.edited, site.hostile}
    mine = client.get(f"/api/changes?account={site.account}").json()["changes"]
    assert mine and all(site.hostile != c["watch"]["id"] for c in mine)
    kinds = {c["kind"] for c in mine}
    assert {"edited", "deleted", "restored", "removed", "silent", "back"} <= kinds
    mastodon = client.get("/api/changes?platform=mastodon").json()["changes"]
    assert {c["watch"]["id"] for c in mastodon} == {site.hostile}
    day = client.get("/api/changes?since=2025-05-29&until=2025-05-29").json()["changes"]
    assert {c["kind"] for c in day} == {"edited", "silent"}  # Beijing days (the page's zone)


def test_search_finds_stored_text_and_a_typed_wildcard_is_literal(
    client: TestClient, site: Site
) -> None:
    found = client.get("/api/changes", params={"q": "alan KAY"}).json()["changes"]
    assert {c["watch"]["id"] for c in found} == {site.edited}
    assert client.get("/api/changes", params={"q": "%"}).json()["total"] == 0
    assert client.get("/api/changes", params={"q": "a_an"}).json()["total"] == 0  # not "alan"
    assert client.get("/api/changes", params={"q": "__pwned"}).json()["total"] == 2
    html = client.get("/", params={"q": "Alan Kay"}).text
    assert f'href="/watch/{site.edited}"' in html and 'value="Alan Kay"' in html


def test_paging_goes_through_every_change_once(client: TestClient) -> None:
    total = client.get("/api/changes").json()["total"]
    seen, offset = [], 0
    while offset is not None:
        page = client.get(f"/api/changes?per=2&offset={offset}").json()
        seen += [(c["at"], c["watch"]["id"], c["kind"]) for c in page["changes"]]
        offset = page["next_offset"]
    assert len(seen) == total == len(set(seen))
    html = client.get("/?per=2&offset=2").text
    assert "per=2&amp;offset=0" in html and "per=2&amp;offset=4" in html  # newer, older
    beyond = client.get(f"/api/changes?offset={total + 5}").json()
    assert beyond["changes"] == [] and beyond["total"] == total  # still says how many there are
    assert client.get("/api/changes", params={"q": "no such words"}).json()["total"] == 0


@pytest.mark.parametrize(
    "query", ["per=abc", "offset=-1", "kind=exploded", "since=yesterday", "account=x"]
)
def test_a_bad_filter_is_a_400_saying_which(local: TestClient, query: str) -> None:
    assert local.get(f"/?{query}").status_code == 400
    r = local.get(f"/api/changes?{query}")
    assert r.status_code == 400 and query.split("=")[0] in r.json()["error"]


def test_a_watch_shows_versions_the_diff_both_ways_counters_and_status(
    client: TestClient, site: Site
) -> None:
    html = client.get(f"/watch/{site.edited}").text
    assert "<del>“The best way to predict the future is to invent it.” —— Alan Kay </del>" in html
    assert html.count("<del>") == 2  # inline and the old side
    assert 'class="diff old"' in html and 'class="diff new"' in html
    assert "<svg" in html and "attitudes_count: 5 – 5" in html  # one sample: a flat line
    data = client.get(f"/api/watch/{site.edited}").json()
    assert [r["number"] for r in data["revisions"]] == [2, 1]
    assert data["diff"]["old"] == 1 and data["diff"]["new"] == 2
    assert {p["mark"] for p in data["diff"]["pieces"]} == {"same", "del"}
    assert data["watch"]["status"] == "edited" and data["account_id"] == site.account


def test_a_watch_compares_any_two_versions(client: TestClient, site: Site) -> None:
    data = client.get(f"/api/watch/{site.edited}?old=2&new=1").json()
    assert [p["mark"] for p in data["diff"]["pieces"] if p["mark"] != "same"] == ["ins"]
    assert client.get(f"/watch/{site.edited}?old=9").status_code == 404


def test_counters_over_time_are_an_inline_svg_line(client: TestClient, site: Site) -> None:
    account = client.get(f"/api/account/{site.account}").json()
    post = next(p["id"] for p in account["posts"] if p["metrics"].get("attitudes_count") == 5000)
    html = client.get(f"/watch/{post}").text
    assert "<polyline" in html and "attitudes_count: 2,000 – 5,000" in html


def test_an_unknown_watch_is_a_404_page_and_twin(client: TestClient) -> None:
    for path in ("/watch/99999", "/account/99999", "/nowhere"):
        assert client.get(path).status_code == 404
    r = client.get("/api/watch/99999")
    assert r.status_code == 404 and "99999" in r.json()["error"]


def test_an_account_shows_posts_activity_silences_and_the_week(
    client: TestClient, site: Site
) -> None:
    html = client.get(f"/account/{site.account}").text
    assert html.count('class="bar"') == 2 * 14  # posts and interactions, 14 days each
    assert "40 posts (the week before: 25)" in html
    data = client.get(f"/api/account/{site.account}").json()
    assert data["post_count"] == 65 and len(data["activity"]) == 14
    assert [e["kind"] for e in data["silences"]] == ["back", "silent"]
    assert data["week"]["posts"] == 40 and len(data["week"]["top"]) == 3
    assert client.get(f"/account/{site.hostile}").status_code == 404  # a post


def test_health_shows_trouble_and_undelivered_without_secrets(
    client: TestClient, site: Site
) -> None:
    html = client.get("/health").text
    data = client.get("/api/health").json()
    assert [w["id"] for w in data["troubled"]] == [site.failing]
    assert data["troubled"][0]["last_error"].startswith("timed out")
    assert [d["channel"] for d in data["undelivered"]] == ["chat"]
    assert data["summary"]["pending"] == 1 and "daemons" in data
    for text in (html, str(data), client.get(f"/watch/{site.failing}").text):
        assert "AAHsecretBotTokenValue" not in text and "123456789:" not in text
    assert "timed out" in html


def test_hostile_post_text_is_shown_escaped(client: TestClient, site: Site) -> None:
    html = client.get(f"/watch/{site.hostile}").text
    assert "<script>document" not in html and "<img src=x" not in html
    assert "&lt;script&gt;document.title" in html and "onerror=&#34;" in html
    assert "&lt;b&gt;mallory&lt;/b&gt;" in html
    changes = client.get("/").text
    assert "<script>document" not in changes and "&lt;svg onload" in changes
    assert client.get(f"/api/watch/{site.hostile}").json()["revisions"][0]["post"]["text"] == (
        f"goodbye {HOSTILE} and more"
    )


def test_no_route_changes_state(local: TestClient, sqlite_db: tuple[str, Site]) -> None:
    for path in ("/", f"/watch/{sqlite_db[1].edited}", "/api/changes", "/health"):
        assert local.post(path).status_code == 405
        assert local.delete(path).status_code == 405


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM event",
        "UPDATE watch SET enabled = false",
        "INSERT INTO meta (key, value) VALUES ('written', 'by serve')",
        "CREATE TABLE planted (id integer)",
    ],
)
def test_the_store_is_opened_read_only(app: App, sql: str) -> None:
    """Whatever a page's code ran by mistake, the database would refuse it: SQLite's file is
    opened read-only, PostgreSQL's session starts every transaction read-only."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match=r"readonly|read-only"), app.store.engine.begin() as conn:
        conn.execute(text(sql))
    with app.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM meta WHERE key = 'written'")).scalar() == 0


def test_pages_are_read_a_few_at_a_time(sqlite_app: App) -> None:
    """Each read under way holds a database connection and its rows: however many clients
    ask at once, a few reads run and the rest wait, so the process stays small."""
    from anyio import to_thread

    def readers() -> float:
        return to_thread.current_default_thread_limiter().total_tokens

    with TestClient(create_app(sqlite_app)) as running:  # as uvicorn runs it: with lifespan
        assert running.portal is not None
        assert 1 <= running.portal.call(readers) <= 4
        assert running.get("/").status_code == 200


def test_read_only_urls() -> None:
    pg = read_only_url("postgresql+psycopg://u:pw@h/db?options=-csearch_path%3Dx")
    assert "default_transaction_read_only" in pg and "search_path" in pg and "pw" in pg
    assert read_only_url("sqlite:///:memory:") == "sqlite:///:memory:"


# -- the token ----------------------------------------------------------------------------


def test_without_the_token_pages_go_to_the_login_form_and_twins_say_401(
    guarded: TestClient,
) -> None:
    r = guarded.get("/health")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fhealth"
    r = guarded.get("/api/health")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert "content-security-policy" in r.headers
    assert guarded.get("/login").status_code == 200
    assert guarded.get("/static/style.css").status_code == 200


@pytest.mark.parametrize("given", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_missing_or_wrong_bearer_is_refused(guarded: TestClient, given: str) -> None:
    headers = {"authorization": given} if given else {}
    assert guarded.get("/api/changes", headers=headers).status_code == 401


def test_the_right_bearer_reads(guarded: TestClient, sqlite_db: tuple[str, Site]) -> None:
    headers = {"authorization": f"Bearer {TOKEN}"}
    edited = sqlite_db[1].edited
    assert guarded.get(f"/api/watch/{edited}", headers=headers).status_code == 200
    assert guarded.get("/", headers=headers).status_code == 200


def test_the_login_form_sets_a_cookie_that_is_not_the_token(sqlite_app: App) -> None:
    browser = TestClient(create_app(sqlite_app, TOKEN), follow_redirects=False)
    wrong = browser.post("/login", data={"token": "nope", "next": "/health"})
    assert wrong.status_code == 403 and COOKIE not in wrong.cookies
    r = browser.post("/login", data={"token": TOKEN, "next": "/health"})
    assert r.status_code == 303 and r.headers["location"] == "/health"
    cookie = r.headers["set-cookie"]
    assert (
        TOKEN not in cookie and "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    )
    assert browser.get("/health").status_code == 200
    assert browser.get("/api/health").status_code == 200
    forged = TestClient(create_app(sqlite_app, TOKEN), cookies={COOKIE: session_value("other")})
    assert forged.get("/api/health").status_code == 401


def test_after_login_only_a_path_of_this_site_is_followed(guarded: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = guarded.post("/login", data={"token": TOKEN, "next": target})
        assert r.headers["location"] == "/"


# -- wrong tokens: a few a minute per client address ---------------------------------------


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


ADDRESS = "203.0.113.7"


def _counted(app: App, clock: Clock) -> TestClient:
    """A client of a dashboard whose wrong-token count runs on `clock`."""
    web = create_app(app, TOKEN, Attempts(clock=clock))
    return TestClient(web, follow_redirects=False, client=(ADDRESS, 40000))


def _login(browser: TestClient, token: str) -> int:
    return int(browser.post("/login", data={"token": token, "next": "/"}).status_code)


def test_five_wrong_tokens_in_a_minute_make_the_address_wait(sqlite_app: App) -> None:
    clock = Clock()
    browser = _counted(sqlite_app, clock)
    for _ in range(5):
        clock.now += 5
        assert _login(browser, "guess") == 403
    r = browser.post("/login", data={"token": TOKEN, "next": "/"})  # even the right one waits
    assert r.status_code == 429 and r.headers["retry-after"] == "40"  # the first is 20 s old
    assert "try again in 40 s" in r.text and COOKIE not in r.cookies
    assert "content-security-policy" in r.headers
    clock.now += 40  # the first wrong one is a minute old: one more try
    assert _login(browser, "guess") == 403
    assert browser.post("/login", data={"token": TOKEN}).headers["retry-after"] == "5"
    clock.now += 5
    assert _login(browser, TOKEN) == 303


def test_a_right_token_forgets_the_wrong_ones(sqlite_app: App) -> None:
    browser = _counted(sqlite_app, Clock())
    for _ in range(2):
        assert [_login(browser, "guess") for _ in range(4)] == [403] * 4
        assert _login(browser, TOKEN) == 303


def test_wrong_bearer_tokens_count_too_and_share_the_count_with_the_form(sqlite_app: App) -> None:
    clock = Clock()
    api = _counted(sqlite_app, clock)
    wrong, right = {"authorization": "Bearer guess"}, {"authorization": f"Bearer {TOKEN}"}
    assert [api.get("/api/changes", headers=wrong).status_code for _ in range(3)] == [401] * 3
    assert [_login(api, "guess") for _ in range(2)] == [403] * 2
    r = api.get("/api/changes", headers=right)
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    assert "try again in 60 s" in r.json()["error"]
    page = api.get("/", headers=right)
    assert page.status_code == 429 and page.text.startswith("Too many wrong tokens")
    assert _login(api, TOKEN) == 429
    # What is not a token guess goes on as before: a logged-in browser, a proxy's Basic login.
    logged_in = TestClient(api.app, cookies={COOKIE: session_value(TOKEN)}, client=(ADDRESS, 1))
    assert logged_in.get("/").status_code == 200
    assert api.get("/api/changes", headers={"authorization": "Basic eDp5"}).status_code == 401
    clock.now += 60
    assert api.get("/api/changes", headers=right).status_code == 200


def test_other_addresses_are_counted_apart_and_an_ipv6_network_as_one(sqlite_app: App) -> None:
    clock = Clock()
    web = create_app(sqlite_app, TOKEN, Attempts(clock=clock))

    def login(address: str, token: str) -> int:
        client = TestClient(web, follow_redirects=False, client=(address, 40000))
        return _login(client, token)

    assert [login(f"2001:db8::{n}", "guess") for n in range(1, 6)] == [403] * 5
    assert login("2001:db8::99", TOKEN) == 429  # the same /64: one machine's to choose from
    assert login("2001:db8:0:1::1", TOKEN) == 303
    assert login("198.51.100.1", TOKEN) == 303


def test_the_count_remembers_a_bounded_number_of_addresses() -> None:
    clock = Clock()
    attempts = Attempts(limit=1, window=60, most=3, clock=clock)
    for address in ("a", "b", "c"):
        attempts.failed(address)
    assert attempts.wait("a") == 60
    attempts.failed("d")  # a fourth: the one that failed longest ago is forgotten
    assert len(attempts) == 3 and attempts.wait("a") == 0 and attempts.wait("d") == 60
    clock.now += 60
    assert [attempts.wait(x) for x in "bcd"] == [0, 0, 0] and len(attempts) == 0


def test_client_addresses_as_counted() -> None:
    assert client_key("198.51.100.1") == "198.51.100.1"
    assert client_key("::ffff:198.51.100.1") == "198.51.100.1"
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff") == "2001:db8::/64"
    assert client_key(None) == "" and client_key("testclient") == "testclient"


# -- the command --------------------------------------------------------------------------


def _invoke(tmp_path: Path, *args: str, toml: str = "") -> tuple[int, str]:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "-c", str(config), *args])
    return result.exit_code, result.output


def test_a_non_local_host_without_a_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        code, output = _invoke(tmp_path, "--host", host, "--db", str(tmp_path / "w.db"))
        assert code == 2 and len(output.strip().splitlines()) == 1
        assert "[serve] token" in output and "Traceback" not in output
    assert not (tmp_path / "w.db").exists()


def test_a_missing_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, output = _invoke(tmp_path, "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no database" in output and len(output.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


def test_a_token_from_the_environment_lets_it_listen_beyond_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_db: tuple[str, Site]
) -> None:
    import watcher.cli.serve as command

    served: list[tuple[str, str, int]] = []
    monkeypatch.setattr(
        command, "run", lambda s, url, host, port: served.append((s.serve.token, host, port))
    )
    monkeypatch.setenv("WATCHER_TOKEN", TOKEN)
    toml = '[serve]\ntoken = "${WATCHER_TOKEN}"\n'
    code, output = _invoke(
        tmp_path, "--host", "0.0.0.0", "--port", "9000", "--db", sqlite_db[0], toml=toml
    )
    assert code == 0, output
    assert served == [(TOKEN, "0.0.0.0", 9000)]
