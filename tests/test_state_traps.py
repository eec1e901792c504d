"""State that makes sense (issue 13, item 1), through the CLI on a real SQLite file: what
`check` keeps and `add` adopts, what `list` shows, alerts stuck behind a removed channel, and
`remove` by URL with a question before `--purge`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.conftest import applied, planned
from tests.fakeplatform import PROFILE, FakeAccount
from tests.server import FakeSite, Reply
from tests.test_cli import HTML, Cli, page
from watcher.cli import cli
from watcher.errors import UsageError
from watcher.model import EventKind, Post, Status, Target
from watcher.store import Store

HANDLE = "@ann@social.example"


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


@pytest.fixture
def account(site: FakeSite) -> FakeAccount:
    """Two recent posts and one older than the follow window (7 days)."""
    fake = FakeAccount(site)
    fake.post("an old post", age=timedelta(days=10))
    fake.post("posted two hours ago", age=timedelta(hours=2))
    fake.post("posted just now", age=timedelta(minutes=5))
    return fake


def wide(run: Cli, *args: str) -> str:
    """A command's output on a terminal wide enough for its tables not to wrap."""
    argv = [*args, "--db", run.db, "-c", str(run.config)]
    return run.runner.invoke(cli, argv, env={"COLUMNS": "250"}).stdout


def by_url(listed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {w["url"]: w for w in listed}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- check, then add ---------------------------------------------------------------------------


def test_a_check_says_it_does_not_follow_posts_not_that_they_are_old(
    run: Cli, account: FakeAccount
):
    result = run("check", HANDLE)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("    not followed\n") == 3
    assert "older than the follow window" not in result.stdout
    assert f"a one-off check records posts without following them: `watcher add {HANDLE}`" in (
        result.stdout
    )
    run("add", HANDLE)
    again = run("check", HANDLE)
    assert "not followed" not in again.stdout and "records posts" not in again.stdout


def test_add_after_check_follows_the_recent_posts_the_check_recorded(
    run: Cli, account: FakeAccount
):
    run("check", HANDLE)
    added = run("add", HANDLE)
    assert added.exit_code == 0, added.output
    assert "kept by a check until now: scheduled" in added.stdout
    assert "following 2 of its recorded posts" in added.stdout
    assert "1 older than the follow window stay recorded, not followed" in added.stdout
    posts = by_url(run.json("list", "--all"))
    young, recent, old = (posts[f"{PROFILE}/{ident}"] for ident in account.listed())
    assert (young["enabled"], recent["enabled"], old["enabled"]) == (True, True, False)
    assert (young["schedule"], old["schedule"]) == ("follow", "ended")
    # Scheduled by age: a post younger than an hour every 2 minutes, one of 2 hours every ~6.
    now = datetime.now(UTC)
    assert at(young["next_check_at"]) <= now + timedelta(seconds=121)
    assert at(recent["next_check_at"]) <= now + timedelta(seconds=7 * 60)
    # The trap this closes: an edit to a post the check listed is detected by the daemon.
    account.edit(account.listed()[1], "posted two hours ago, then edited")
    checked = run("run", "--once", "--all")
    assert checked.exit_code == 0, checked.output
    assert "1 changed" in checked.stdout
    events = run.json("history", str(recent["id"]))["events"]
    assert [e["kind"] for e in events] == ["edited", "new"]


def test_add_of_an_account_removed_before_follows_its_recent_posts_again(
    run: Cli, account: FakeAccount
):
    run("add", HANDLE)
    run("run", "--once")
    run("remove", HANDLE)
    assert all(not w["enabled"] for w in run.json("list", "--all"))
    assert "following 2 of its recorded posts" in run("add", HANDLE).stdout


def test_add_of_an_existing_watch_updates_and_reschedules_it(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>x</p>"), HTML)
    url = f"{site.url}/p"
    run("check", url)
    added = run("add", url, "--interval", "1m")
    assert "every 1m (kept by a check until now: scheduled, first check now)" in added.stdout
    (watch,) = run.json("list")
    assert (watch["interval"], watch["schedule"]) == (60.0, "interval")
    assert at(watch["next_check_at"]) <= datetime.now(UTC)  # due now, as a new watch is
    site.reply("/q", 200, page("<p>y</p>"), HTML)
    run("add", f"{site.url}/q", "--interval", "1h")
    run("run", "--once")  # checked now; next check in about an hour
    updated = run("add", f"{site.url}/q", "--interval", "1m")
    assert "every 1m (updated: next check" in updated.stdout
    watch = by_url(run.json("list"))[f"{site.url}/q"]
    assert watch["interval"] == 60.0
    assert at(watch["next_check_at"]) <= datetime.now(UTC) + timedelta(minutes=1)


# -- what check keeps, and what list shows ------------------------------------------------------


def test_list_shows_what_a_check_kept_as_unscheduled(
    run: Cli, site: FakeSite, account: FakeAccount
):
    site.reply("/p", 200, page("<p>kept</p>"), HTML)
    run("check", f"{site.url}/p")
    run("check", HANDLE)
    listed = run.json("list")
    assert [w["schedule"] for w in listed] == ["unscheduled"] * 5  # the page, account, 3 posts
    assert [w["enabled"] for w in listed] == [False] * 5
    table = wide(run, "list")
    assert table.count("unscheduled") == 5
    assert "no watches yet" not in table


def test_a_check_that_saw_nothing_keeps_nothing(run: Cli, site: FakeSite):
    site.reply("/gone", 404, "not found", HTML)
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    failed = run("check", f"{site.url}/gone")
    assert "nothing seen, so nothing kept" in failed.stdout
    assert run.json("check", f"{site.url}/gone")["watch_id"] is None
    broken = run("check", f"{site.url}/p", "--selector", ".no-such-thing")
    assert broken.exit_code == 3
    assert run("check", "notaurl").exit_code == 2
    assert run.json("list", "--all") == []
    assert "no watch" in run("history", f"{site.url}/p").stderr  # nothing left to pick from


def test_list_tells_watches_of_one_url_apart(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    url = f"{site.url}/p"
    run("check", url)
    run("check", url, "--selector", "article")
    table = wide(run, "list")
    assert "reads" in table.splitlines()[0] and "selector article" in table
    ambiguous = run("history", url)
    assert ambiguous.exit_code == 2
    assert "1 (web), 2 (web, selector 'article'); give the id" in ambiguous.stderr


def test_a_removed_check_only_watch_leaves_the_list(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    run("check", f"{site.url}/p")
    assert run("remove", f"{site.url}/p").exit_code == 0
    assert run.json("list") == []
    assert [w["schedule"] for w in run.json("list", "--all")] == ["removed"]


# -- remove ------------------------------------------------------------------------------------


def test_remove_takes_a_url_and_purge_asks_first(
    run: Cli, site: FakeSite, monkeypatch: pytest.MonkeyPatch
):
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    url = f"{site.url}/p"
    run("add", url)
    assert "watch 1 stopped; its 0 versions are kept" in run("remove", url).stdout
    run("check", url)
    refused = run("remove", url, "--purge")  # no terminal to ask on, and no --yes
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines() == [
        "watcher: error: --purge deletes stored versions and events for good: add --yes"
    ]
    monkeypatch.setattr("watcher.cli.watches._interactive", lambda: True)
    declined = run.runner.invoke(
        cli, ["remove", url, "--purge", "--db", run.db, "-c", str(run.config)], input="n\n"
    )
    assert declined.exit_code == 1
    assert "with its 1 stored version and events?" in declined.stderr
    assert "nothing deleted" in declined.stderr
    assert len(run.json("list", "--all")) == 1
    accepted = run.runner.invoke(
        cli, ["remove", url, "--purge", "--db", run.db, "-c", str(run.config)], input="y\n"
    )
    assert accepted.exit_code == 0, accepted.output
    assert "watch 1 deleted with its 1 version\n" in accepted.stdout
    assert run.json("list", "--all") == []


def test_purge_with_yes_asks_nothing(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    run("check", f"{site.url}/p")
    purged = run("remove", "1", "--purge", "--yes")
    assert purged.exit_code == 0 and "deleted with its 1 version\n" in purged.stdout


# -- alerts stuck behind a removed channel -------------------------------------------------------


class Env:
    """A config with two channels on a local receiver and one watched page."""

    def __init__(self, tmp: Path, site: FakeSite, receiver: FakeSite) -> None:
        self.site, self.receiver = site, receiver
        self.config, self.db = tmp / "c.toml", str(tmp / "w.db")
        self.write(channels=("ops", "old"))

    def write(self, channels: tuple[str, ...]) -> None:
        host = self.receiver.url.split("//")[1]
        text = '[daemon]\nretry_base = "1ms"\nmax_attempts = 3\n'
        for name in channels:
            text += f'[[channels]]\nname = "{name}"\nurl = "json://{host}/{name}"\n'
        text += f'[[watches]]\nurl = "{self.site.url}/post"\ninterval = "1h"\n'
        self.config.write_text(text, encoding="utf-8")

    def __call__(self, *args: str) -> Result:
        argv = [*args, "-c", str(self.config), "--db", self.db]
        return CliRunner().invoke(cli, argv, env={"COLUMNS": "250"})

    def undelivered(self) -> list[dict[str, Any]]:
        return list(json.loads(self("deliveries", "--json").stdout))

    def edit(self, text: str) -> None:
        self.site.set("/post", Reply(200, page(f"<p>{text}</p>"), HTML))
        self("check", f"{self.site.url}/post")  # records the edit and its alerts, sends none


@pytest.fixture
def env(tmp_path: Path, site: FakeSite) -> Iterator[Env]:
    with FakeSite().running() as receiver:
        receiver.reply("/ops", 200, "ok")
        receiver.reply("/old", 500, "down")
        yield Env(tmp_path, site, receiver)


def test_alerts_for_a_removed_channel_are_retired_not_retried(env: Env):
    env.site.set("/post", Reply(200, page("<p>one</p>"), HTML))
    env("run", "--once")
    env.edit("two")
    env.edit("three")
    env("run", "--once")  # the first alert to "old" fails; the second waits behind it
    stuck = [(d["channel"], d["attempts"]) for d in env.undelivered()]
    assert stuck == [("old", 1), ("old", 0)]
    env.write(channels=("ops",))
    retired = env("run", "--once")
    assert "2 dead" in retired.stdout
    undelivered = env.undelivered()
    assert [d["state"] for d in undelivered] == ["dead", "dead"]
    reason = "retired: channel 'old' is no longer in the config"
    assert {d["last_error"] for d in undelivered} == {reason}
    assert reason in env("status").stdout
    hits = env.receiver.hits("/old")
    retry = env("deliveries", "--retry")
    assert retry.exit_code == 0, retry.output
    assert "retried 0: 0 sent, 0 failed" in retry.stdout
    assert env.receiver.hits("/old") == hits  # never retried
    assert [d["state"] for d in env.undelivered()] == ["dead", "dead"]
    dropped = env("deliveries", "--dead")
    assert "dropped 2 dead alerts" in dropped.stdout
    assert "all alerts delivered" in dropped.stdout


def test_retry_retires_the_dead_alerts_of_a_removed_channel(env: Env):
    env.site.set("/post", Reply(200, page("<p>one</p>"), HTML))
    env("run", "--once")
    env.edit("two")
    for _ in range(3):
        env("run", "--once")  # max_attempts = 3: dead
    assert [(d["state"], d["attempts"]) for d in env.undelivered()] == [("dead", 3)]
    env.write(channels=("ops",))
    retry = env("deliveries", "--retry")
    assert "retired 1 alert whose channel is no longer in the config" in retry.stdout
    assert env.undelivered()[0]["last_error"].startswith("retired: channel 'old'")


def test_deliveries_drop_one_and_retry_exits_1_when_sending_fails(env: Env):
    env.site.set("/post", Reply(200, page("<p>one</p>"), HTML))
    env("run", "--once")
    env.receiver.reply("/ops", 500, "down")
    env.edit("two")
    env.edit("three")
    ids = [d["id"] for d in env.undelivered()]
    assert len(ids) == 4  # two edits, two channels
    failed = env("deliveries", "--retry")
    assert failed.exit_code == 1
    assert "failed" in failed.stdout
    assert env("deliveries", "--drop", "999").exit_code == 2
    dropped = env("deliveries", "--drop", str(ids[0]), "--drop", str(ids[1]))
    assert "dropped 2 alerts" in dropped.stdout
    assert [d["id"] for d in env.undelivered()] == ids[2:]
    env.receiver.reply("/ops", 200, "ok")
    env.receiver.reply("/old", 200, "ok")
    assert env("deliveries", "--retry").exit_code == 0
    assert env.undelivered() == []
    events = json.loads(env("history", "1", "--json").stdout)["events"]
    assert [e["kind"] for e in events] == ["edited", "edited", "new"]  # dropping kept them


# -- the same rules in the store, on SQLite and PostgreSQL ---------------------------------------

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.close()


def test_store_keeps_only_what_a_check_saw(store: Store):
    seen, failed, added = (Target(f"https://x.example/{n}", "web") for n in ("seen", "bad", "add"))
    kept = store.ensure_watch(seen, 60, T0, enable=False)
    applied(store, planned(kept, T0, Post("1", seen.url, "text"), EventKind.NEW, ("chat",)))
    gone = store.ensure_watch(failed, 60, T0, enable=False)
    broken = replace(gone.state, status=Status.BROKEN)
    applied(store, planned(gone, T0, kind=EventKind.BROKEN, channels=("chat",), state=broken))
    mine = store.ensure_watch(added, 60, T0, enable=True)
    assert [store.discard_unseen(w.id) for w in (kept, gone, mine)] == [False, True, False]
    assert [w.id for w in store.list_watches(include_disabled=True)] == [kept.id, mine.id]
    assert [d.watch.id for d in store.undelivered()] == [kept.id]  # the broken alert went too
    assert [w.id for w in store.list_watches()] == [mine.id]
    assert [w.id for w in store.list_watches(unscheduled=True)] == [kept.id, mine.id]
    store.disable_watch(kept.id)  # removed: no longer listed as unscheduled
    assert [w.id for w in store.list_watches(unscheduled=True)] == [mine.id]


def test_store_retires_retries_and_drops_alerts_by_channel(store: Store):
    target = Target("https://x.example/p", "web")
    watch = store.ensure_watch(target, 60, T0, enable=True)
    applied(store, planned(watch, T0, Post("1", target.url, "a"), EventKind.NEW, ("ops", "old")))
    ops, _ = store.undelivered()  # to "ops", then to "old"
    assert store.retire_channel("old", "retired: gone") == 1
    assert store.retire_channel("old", "retired: gone") == 0  # counted once
    assert store.undelivered_channels() == ["old", "ops"]
    assert store.retry_deliveries(T0, {"ops"}) == 1
    states = {d.channel: (d.state.value, d.last_error) for d in store.undelivered()}
    assert states == {"ops": ("pending", ""), "old": ("dead", "retired: gone")}
    with pytest.raises(UsageError, match="no undelivered alert 99"):
        store.drop_deliveries([ops.id, 99])
    assert len(store.undelivered()) == 2  # nothing dropped
    assert store.drop_dead() == 1
    assert store.drop_deliveries([ops.id]) == 1
    assert store.undelivered() == [] and len(store.events(watch.id)) == 1


def test_a_config_account_follows_what_a_check_recorded(run: Cli, account: FakeAccount):
    """The same trap through the config file: a [[watches]] entry that turns a check-only
    account on makes it follow the recent posts the check recorded."""
    run("check", HANDLE)
    text = run.config.read_text(encoding="utf-8")
    run.config.write_text(text + f'\n[[watches]]\nurl = "{HANDLE}"\n', encoding="utf-8")
    assert run("run", "--once").exit_code == 0
    posts = by_url(run.json("list", "--all"))
    young, recent, old = (posts[f"{PROFILE}/{ident}"] for ident in account.listed())
    assert (young["enabled"], recent["enabled"], old["enabled"]) == (True, True, False)


def test_a_post_a_check_kept_is_followed_once_its_account_lists_it(run: Cli, account: FakeAccount):
    young = account.listed()[0]
    url = f"{PROFILE}/{young}"
    assert run("check", url).exit_code == 0
    run("add", HANDLE)
    assert run("run", "--once", "--all").exit_code == 0
    post = by_url(run.json("list", "--all"))[url]
    assert post["enabled"] is True and post["schedule"] == "follow"
