"""What people coming from urlwatch or changedetection.io expect (issue 13, item 6), through the
CLI on a real SQLite file: `import` of their lists, names and tags, `pause`/`resume`, `edit`
without losing history, and shell completion."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.fakeplatform import FakeAccount
from tests.server import FakeSite
from tests.test_cli import HTML, Cli, page
from watcher.cli import cli
from watcher.model import Target
from watcher.store import Store, SyncEntry

HANDLE = "@ann@social.example"
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    cli_ = Cli(tmp_path, site)
    with cli_.config.open("a", encoding="utf-8") as f:  # channels to alert (never sent here)
        for name in ("ops", "team"):
            f.write(f'[[channels]]\nname = "{name}"\nurl = "json://127.0.0.1:9/{name}"\n')
    return cli_


def listed(run: Cli, *args: str) -> dict[str, dict[str, Any]]:
    return {w["url"]: w for w in run.json("list", *args)}


def wide(run: Cli, *args: str) -> str:
    """A command's output on a terminal wide enough for its tables not to wrap."""
    argv = [*args, "--db", run.db, "-c", str(run.config)]
    return run.runner.invoke(cli, argv, env={"COLUMNS": "250"}).stdout


def imported(run: Cli, text: str, *args: str) -> Result:
    return run.runner.invoke(
        cli, ["import", "-", *args, "--db", run.db, "-c", str(run.config)], input=text
    )


# -- import --------------------------------------------------------------------------------

URL_LIST = """\
# exported from somewhere
https://example.com/a

https://example.com/b news, ceo watch
https://mastodon.social/@Gargron/109
not a url
https://example.com/a
https://weibo.com/1234567890/AbCdEfGhI
https://mastodon.social/@Gargron
ftp://example.com/x
"""


def test_import_a_url_list_recognises_platforms_and_reports_bad_lines(run: Cli):
    result = imported(run, URL_LIST, "--interval", "1h", "--channel", "ops")

    assert result.exit_code == 1  # some lines were bad
    assert result.stdout.strip() == (
        "imported 5: 2 mastodon, 2 web, 1 weibo; 1 repeated; 2 skipped (lines 6, 10)"
    )
    assert "watcher: line 6: not an http(s) URL: 'not'" in result.stderr
    assert "watcher: line 10: not an http(s) URL: 'ftp://example.com/x'" in result.stderr
    watches = listed(run)
    assert {url: (w["platform"], w["kind"]) for url, w in watches.items()} == {
        "https://example.com/a": ("web", "post"),
        "https://example.com/b": ("web", "post"),
        "https://mastodon.social/@Gargron/109": ("mastodon", "post"),
        "https://weibo.com/1234567890/AbCdEfGhI": ("weibo", "post"),
        "https://mastodon.social/@Gargron": ("mastodon", "account"),
    }
    assert {w["interval"] for w in watches.values()} == {3600.0}
    assert {tuple(w["channels"]) for w in watches.values()} == {("ops",)}
    # changedetection.io's tags after the URL
    assert watches["https://example.com/b"]["tags"] == ["news", "ceo watch"]


def test_import_again_adds_nothing_twice_and_exits_0(run: Cli):
    run("add", "https://example.com/a", "--interval", "5m")
    first = imported(run, "https://example.com/a\nhttps://example.com/b\n")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "imported 1: 1 web; 1 already watched"
    again = imported(run, "https://example.com/a\nhttps://example.com/b\n")
    assert again.stdout.strip() == "imported 0; 2 already watched"
    watches = listed(run)
    assert len(watches) == 2
    assert watches["https://example.com/a"]["interval"] == 300.0  # left as it was


URLS_YAML = """\
name: "Example \\"A\\""
url: https://example.com/a
---
name: 'It''s B'  # quoted
kind: url
url: "https://example.com/b"
filter:
  - css: main
  - html2text
max_tries: 3
headers: {"x": "y"}
---
command: ls -l
---
name: no url here
---
kind: browser
navigate: https://example.com/c   # rendered in a browser by urlwatch
"""


def test_import_urlwatch_yaml_keeps_url_and_name(run: Cli, tmp_path: Path):
    urls = tmp_path / "urls.yaml"
    urls.write_text(URLS_YAML, encoding="utf-8")
    result = run("import", str(urls))
    assert result.exit_code == 1
    assert result.stdout.strip() == "imported 3: 3 web; 2 skipped (lines 13, 15)"
    assert "line 13: a shell command job, not a URL" in result.stderr
    assert "line 15: a job without `url:`" in result.stderr
    names = {url: w["name"] for url, w in listed(run).items()}
    assert names == {
        "https://example.com/a": 'Example "A"',
        "https://example.com/b": "It's B",
        "https://example.com/c": None,
    }


def test_import_dry_run_changes_nothing(run: Cli):
    result = imported(run, "https://example.com/a\nhttps://mastodon.social/@Gargron\n", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "would import 2: 1 mastodon, 1 web"
    assert run.json("list", "--all") == []


def test_import_json_summary_and_refusals(run: Cli):
    data = json.loads(imported(run, "https://example.com/a\nnope\n", "--json").stdout)
    assert data == {
        "imported": 1,
        "platforms": {"web": 1},
        "already_watched": 0,
        "repeated": 0,
        "skipped": [{"line": 2, "reason": "not an http(s) URL: 'nope'"}],
        "dry_run": False,
    }
    assert imported(run, "https://example.com/x\n", "--channel", "nobody").exit_code == 2
    assert imported(run, "https://example.com/x\n", "--tag", "a,b").exit_code == 2
    bad = imported(run, "https://example.com/y bad\x1btag\n")
    assert bad.exit_code == 1 and "line 1: tag" in bad.stderr and "\x1b" not in bad.output
    assert run.runner.invoke(cli, ["import", "-", "--db", run.db], input=b"\xff\xfe").exit_code == 2


# -- names and tags --------------------------------------------------------------------------


def test_add_names_and_tags_a_watch_and_list_and_status_filter_by_tag(run: Cli):
    added = run("add", "https://example.com/a", "--name", "Acme blog", "-t", "News", "-t", "ceo")
    assert added.exit_code == 0, added.output
    assert "watch 1 (Acme blog [News, ceo]):" in added.stdout
    run("add", "https://example.com/b", "--tag", "other")
    run("add", "https://example.com/a", "--tag", "news", "--tag", "more")  # tags are added

    (a, b) = run.json("list")
    assert (a["name"], a["tags"], b["name"], b["tags"]) == (
        "Acme blog",
        ["News", "ceo", "more"],
        None,
        ["other"],
    )
    assert "Acme blog [News, ceo, more]" in wide(run, "list")
    assert [w["id"] for w in run.json("list", "--tag", "news")] == [1]  # any case
    assert "no watches tagged 'nope'" in run("list", "--tag", "nope").stdout

    status = run.json("status", "--tag", "OTHER")
    assert [w["id"] for w in status["watches"]] == [2]
    assert (status["tag"], status["tagged"]) == ("OTHER", 1)
    text = wide(run, "status", "--tag", "ceo")
    assert "Acme blog [News, ceo, more]" in text and "example.com/b" not in text
    assert "tagged 'x'" in wide(run, "status", "--tag", "x")


def test_status_tag_pages_through_the_tagged_watches(run: Cli):
    for n in range(3):
        run("add", f"https://example.com/{n}", "--tag", "t")
    run("add", "https://example.com/other")
    text = wide(run, "status", "--tag", "t", "--limit", "2")
    assert "watches 1–2 of 3 enabled tagged 't'; 1 more: `watcher status --offset 2" in text
    assert "--limit 2 --tag t`" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", ""], "--name must not be empty"),
        (["--name", "two\nlines"], "a name is one line"),
        (["--tag", "a,b"], "no comma"),
        (["--tag", " "], "a tag is 1 to 50"),
    ],
)
def test_bad_names_and_tags_are_refused(run: Cli, args: list[str], message: str):
    result = run("add", "https://example.com/a", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert run.json("list", "--all") == []  # nothing half-added


# -- pause and resume -----------------------------------------------------------------------


def test_pause_stops_checks_and_resume_restarts_them(run: Cli, site: FakeSite):
    site.reply("/a", 200, page("<p>a</p>"), HTML)
    site.reply("/b", 200, page("<p>b</p>"), HTML)
    run("add", f"{site.url}/a")
    run("add", f"{site.url}/b")
    paused = run("pause", "1")
    assert paused.exit_code == 0, paused.output
    assert paused.stdout.strip() == "watch 1 paused; its 0 versions are kept (`watcher resume 1`)"
    assert "is paused already" in run("pause", f"{site.url}/a").stdout
    run("remove", "2")
    # paused is listed (and distinct from removed, which only --all lists)
    assert [(w["id"], w["schedule"], w["paused"]) for w in run.json("list")] == [
        (1, "paused", True)
    ]
    assert [w["schedule"] for w in run.json("list", "--all")] == ["paused", "removed"]
    assert "paused" in wide(run, "list")

    run("run", "--once", "--all")
    assert site.hits("/a") == 0

    resumed = run("resume", "1")
    assert resumed.stdout.strip() == "watch 1 resumed: next check now"
    assert "is not paused" in run("resume", "1").stdout
    assert run("resume", "2").exit_code == 2  # removed, not paused: `add` schedules it
    assert run("pause", "2").exit_code == 2
    run("run", "--once")
    assert site.hits("/a") == 1
    assert [w["schedule"] for w in run.json("list")] == ["interval"]


def test_add_of_a_paused_watch_schedules_it_again(run: Cli):
    run("add", "https://example.com/a")
    run("pause", "1")
    again = run("add", "https://example.com/a")
    assert "(was paused: scheduled again, first check now)" in again.stdout
    assert [(w["enabled"], w["paused"]) for w in run.json("list")] == [(True, False)]


def test_pausing_an_account_pauses_the_posts_it_follows(run: Cli, site: FakeSite):
    account = FakeAccount(site)
    account.post("one", age=timedelta(hours=1))
    account.post("two", age=timedelta(minutes=5))
    run("add", HANDLE)
    run("run", "--once")
    assert [w["schedule"] for w in run.json("list")] == ["interval", "follow", "follow"]

    assert "paused with 2 posts it follows" in run("pause", HANDLE).stdout
    assert [w["schedule"] for w in run.json("list")] == ["paused"] * 3
    assert "resumed with 2 posts it follows" in run("resume", HANDLE).stdout
    assert [w["schedule"] for w in run.json("list")] == ["interval", "follow", "follow"]


def test_a_paused_config_watch_stays_paused_through_config_syncs(db_url: str):
    target = Target("https://example.com/a", "web")
    store = Store(db_url)
    try:
        store.sync_config([SyncEntry(target, 600, ())], T0, lambda _: T0)
        watch = store.find_watch(target)
        assert watch is not None
        store.pause_watch(watch.id)
        report = store.sync_config([SyncEntry(target, 60, ())], T0, lambda _: T0)
        assert report.changed == 1  # the new interval is taken ...
        again = store.get_watch(watch.id)
        assert (again.interval, again.enabled, again.paused) == (60, False, True)  # ... not run
        store.sync_config([], T0, lambda _: T0)  # gone from the file: removed, not paused
        gone = store.get_watch(watch.id)
        assert (gone.enabled, gone.paused) == (False, False)
    finally:
        store.close()


def test_tags_filter_on_every_backend(db_url: str):
    store = Store(db_url)
    try:
        ids = [
            store.ensure_watch(Target(f"https://x.example/{n}", "web"), 60, T0, True).id
            for n in range(3)
        ]
        from watcher.store import WatchEdit

        store.edit_watch(ids[0], WatchEdit(tags=("Ünïcode", "b")), T0)
        store.edit_watch(ids[2], WatchEdit(tags=("ünïcode",)), T0)
        assert store.tagged("ÜNÏCODE") == [ids[0], ids[2]]
        assert store.tagged("b") == [ids[0]]
        assert store.tagged("%") == []
    finally:
        store.close()


# -- edit -----------------------------------------------------------------------------------


def test_edit_changes_a_watch_and_keeps_its_history(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>kept text</p>"), HTML)
    url = f"{site.url}/p"
    run("add", url, "--tag", "old")
    assert run("check", url).exit_code == 0

    edited = run(
        "edit", url, "-i", "1h", "--channel", "ops", "--name", "Page", "-t", "new", "--untag", "old"
    )
    assert edited.exit_code == 0, edited.output
    assert edited.stdout.strip() == "watch 1: every 1h; alerts ops; name 'Page'; tags new"
    (w,) = run.json("list")
    assert (w["interval"], w["channels"], w["name"], w["tags"]) == (
        3600.0,
        ["ops"],
        "Page",
        ["new"],
    )
    assert run("edit", "1", "--all-channels").stdout.strip() == "watch 1: alerts every channel"
    assert run("edit", "1", "--name", "").stdout.strip() == "watch 1: no name"

    # A new selector keeps the versions; the next check compares with the last stored text.
    said = run("edit", "1", "--selector", "footer")
    assert said.stdout.strip() == (
        "watch 1: reads 'footer'; the next check compares it with version 1"
    )
    changed = run("check", url, "--selector", "footer")
    assert changed.exit_code == 1, changed.output  # an edit: the footer's text, not the post's
    history = run.json("history", "1")
    assert [r["number"] for r in history["revisions"]] == [2, 1]
    assert history["revisions"][1]["post"]["text"] == "kept text"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to change"),
        (["--untag", "nope"], "watch 1 has no tag 'nope'"),
        (["--channel", "nobody"], "no channel 'nobody'"),
        (["--channel", "ops", "--all-channels"], "contradict"),
        (["--field", "a"], "--field does not apply to platform web"),
        (["--selector", "main"], "watch 2 already reads that"),
        (["--interval", "5x"], "--interval"),
    ],
)
def test_edit_refusals(run: Cli, args: list[str], message: str):
    run("add", "https://example.com/a")
    run("add", "https://example.com/a", "--selector", "main")
    result = run("edit", "1", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_edit_refuses_what_the_config_file_owns_and_an_accounts_selector(run: Cli, site: FakeSite):
    FakeAccount(site)
    with run.config.open("a", encoding="utf-8") as f:
        f.write('[[watches]]\nurl = "https://example.com/c"\n')
    run("run", "--once")
    run("add", HANDLE)
    refused = run("edit", "https://example.com/c", "--interval", "1h")
    assert refused.exit_code == 2 and "comes from the config file" in refused.stderr
    assert run("edit", "https://example.com/c", "--name", "C").exit_code == 0  # a label is ours
    account = run("edit", HANDLE, "--selector", "main")
    assert account.exit_code == 2 and "is an account" in account.stderr


# -- shell completion ----------------------------------------------------------------------


def test_shell_completion_script_and_answers():
    runner = CliRunner()
    script = runner.invoke(cli, [], prog_name="watcher", env={"_WATCHER_COMPLETE": "bash_source"})
    assert script.exit_code == 0
    assert "_watcher_completion()" in script.stdout
    assert "complete -o nosort -F _watcher_completion watcher" in script.stdout
    env = {"_WATCHER_COMPLETE": "bash_complete", "COMP_WORDS": "watcher pa", "COMP_CWORD": "1"}
    answer = runner.invoke(cli, [], prog_name="watcher", env=env)
    assert answer.stdout.split() == ["plain,pause"]
