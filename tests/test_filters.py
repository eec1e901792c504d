"""Per-watch filters (`ignore`, `min_change`) through the CLI on a real SQLite file and pages
served over local HTTP: ignored text never makes an edit and is never stored, small edits add
up against the stored version until they are reported, a pattern that backtracks on hostile
text leaves the check unobserved (never an edit), and the settings come from `add`, `edit`,
the config file, and an account to the posts it discovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.fakeplatform import FakeAccount
from tests.server import FakeSite
from tests.test_cli import HTML, Cli, page
from watcher.config import parse_settings
from watcher.detect import Outcome
from watcher.errors import ConfigError
from watcher.filters import changed_characters, held_back, ignoring
from watcher.model import Filters, Gone, Post, Presence, Revision, Seen, Status, WatchState

HANDLE = "@ann@social.example"
QUOTE = r"Quote of the day: [^\n]*"
HOSTILE = "(a+)+$"  # backtracks for ever on a long run of a's that does not end the text
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


def history(run: Cli, ref: str) -> dict[str, Any]:
    data: dict[str, Any] = run.json("history", ref)
    return data


def kinds(run: Cli, ref: str) -> list[str]:
    """The watch's events, oldest first."""
    return [e["kind"] for e in reversed(history(run, ref)["events"])]


def texts(run: Cli, ref: str) -> list[str]:
    """The watch's stored versions' text, oldest first."""
    return [r["post"]["text"] for r in reversed(history(run, ref)["revisions"])]


def watches(run: Cli) -> dict[str, dict[str, Any]]:
    return {w["url"]: w for w in run.json("list")}


# -- ignore ---------------------------------------------------------------------------------


def test_a_rotating_footer_that_is_ignored_never_makes_an_edit(run: Cli, site: FakeSite):
    url = f"{site.url}/p"
    site.reply("/p", 200, page("<p>Report text.</p><p>Quote of the day: Be kind.</p>"), HTML)
    assert run("add", url, "--ignore", QUOTE).exit_code == 0
    assert run("check", url).exit_code == 0

    site.reply("/p", 200, page("<p>Report text.</p><p>Quote of the day: Be brief.</p>"), HTML)
    same = run.json("check", url)
    assert (same["status"], same["revision"]) == ("unchanged", 1)

    site.reply("/p", 200, page("<p>Report, revised.</p><p>Quote of the day: Be bold.</p>"), HTML)
    edited = run("check", url)
    assert edited.exit_code == 1, edited.output
    assert texts(run, url) == ["Report text.", "Report, revised."]  # never the quote
    assert kinds(run, url) == ["new", "edited"]
    (w,) = run.json("list")
    assert (w["ignore"], w["min_change"]) == (QUOTE, 0)


def test_a_pattern_that_backtracks_leaves_the_check_unobserved_and_the_pass_goes_on(
    run: Cli, site: FakeSite
):
    site.reply("/hostile", 200, page("<p>Fine text</p>"), HTML)
    site.reply("/calm", 200, page("<p>Calm text</p>"), HTML)
    hostile, calm = f"{site.url}/hostile", f"{site.url}/calm"
    run("add", hostile, "--ignore", HOSTILE)
    run("add", calm)
    run("run", "--once", "--all")
    assert [w["status"] for w in watches(run).values()] == ["new", "new"]

    site.reply("/hostile", 200, page(f"<p>{'a' * 5000}!</p>"), HTML)
    site.reply("/calm", 200, page("<p>Calm text, edited</p>"), HTML)
    passed = run("run", "--once", "--all")
    assert "Traceback" not in passed.output
    listed = watches(run)
    assert listed[calm]["status"] == "edited"  # the other watch was checked all the same
    assert listed[hostile]["status"] == "broken"
    assert "ignore pattern took longer than 1s" in listed[hostile]["last_error"]
    assert kinds(run, hostile) == ["new", "broken"]  # not an edit, not a deletion
    assert texts(run, hostile) == ["Fine text"]

    checked = run("check", hostile)
    assert checked.exit_code == 3, checked.output  # not observed
    assert "ignore pattern took longer" in checked.stdout


# -- min_change -----------------------------------------------------------------------------


def test_small_edits_add_up_against_the_stored_version_until_reported(run: Cli, site: FakeSite):
    url = f"{site.url}/p"
    site.reply("/p", 200, page("<p>We ship on Monday.</p>"), HTML)
    run("add", url, "--min-change", "10")
    run("check", url)

    site.reply("/p", 200, page("<p>We ship on Monday!!</p>"), HTML)  # 3 characters: . → !!
    small = run.json("check", url)
    assert (small["status"], small["revision"]) == ("unchanged", 1)
    assert small["reason"] == "3 characters changed since version 1; min_change is 10"
    assert texts(run, url) == ["We ship on Monday."]
    again = run.json("check", url)  # still compared with version 1, still held back
    assert (again["status"], again["revision"]) == ("unchanged", 1)

    site.reply("/p", 200, page("<p>We ship on Tuesday!!</p>"), HTML)  # now 16 since version 1
    edited = run.json("check", url)
    assert (edited["status"], edited["revision"]) == ("edited", 2)
    changes = [(op, text) for op, text in edited["diff"] if op]
    assert changes == [(-1, "Monday."), (1, "Tuesday!!")]  # both changes, from version 1
    assert texts(run, url) == ["We ship on Monday.", "We ship on Tuesday!!"]
    assert kinds(run, url) == ["new", "edited"]


def test_changed_characters_count_the_words_a_diff_shows():
    assert changed_characters("the colour red", "the color red") == 11
    assert changed_characters("same", "same") == 0
    assert changed_characters("", "新しい") == 3


def test_first_snapshots_restorations_and_big_edits_are_never_held_back():
    stored = Revision(1, 1, Post("1", "u", "text"), "h1", T0)
    post = Post("1", "u", "text!")
    before = WatchState(Presence.VISIBLE, Status.UNCHANGED, "h1")
    for status in (Status.NEW, Status.RESTORED):
        outcome = Outcome(WatchState(Presence.VISIBLE, status, "h2"), status)
        assert held_back(before, outcome, stored, post, 100) is outcome
    edited = Outcome(WatchState(Presence.VISIBLE, Status.EDITED, "h2"), Status.EDITED)
    assert held_back(before, edited, stored, post, 1) is edited
    kept = held_back(before, edited, stored, post, 2)
    assert (kept.status, kept.state.content_hash, kept.events) == (Status.UNCHANGED, "h1", ())
    assert not kept.store_revision


def test_ignoring_touches_only_what_was_seen():
    gone = Gone("404")
    assert ignoring(gone, "x") is gone
    seen = Seen(Post("1", "u", "a  x  b", title="x title"))
    assert ignoring(seen, "x") == Seen(Post("1", "u", "a b", title="title"))  # folded again
    assert ignoring(seen, "") is seen


# -- add, edit, list ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ignore", "(unclosed"], "--ignore: bad regex: missing )"),
        (["--ignore", "x" * 1001], "--ignore: must be at most 1,000 characters"),
        (["--min-change", "-1"], "--min-change"),
        (["--min-change", "100001"], "--min-change"),
    ],
)
def test_bad_filter_options_are_one_usage_error(run: Cli, args: list[str], message: str):
    for command in (["add", "https://example.com/a"], ["edit", "1"]):
        result = run(*command, *args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output
    assert run.json("list", "--all") == []  # nothing half-added


def test_add_and_edit_set_and_clear_the_filters(run: Cli, site: FakeSite):
    url = f"{site.url}/p"
    site.reply("/p", 200, page("<p>text</p>"), HTML)
    run("add", url, "--ignore", "ad: .*")
    run("check", url)
    run("add", url, "--min-change", "5")  # adding again changes what it names, keeps the rest
    (w,) = run.json("list")
    assert (w["ignore"], w["min_change"]) == ("ad: .*", 5)

    said = run("edit", url, "--ignore", "promo", "--min-change", "20")
    assert said.exit_code == 0, said.output
    assert said.stdout.strip() == (
        "watch 1: ignores 'promo'; the next check compares what is left with version 1;"
        " reports edits of 20+ characters"
    )
    cleared = run("edit", "1", "--ignore", "", "--min-change", "0")
    assert cleared.stdout.strip() == (
        "watch 1: ignores nothing; the next check compares what is left with version 1;"
        " reports every edit"
    )
    (w,) = run.json("list")
    assert (w["ignore"], w["min_change"]) == (None, 0)
    assert run("edit", "1", "--min-change", "0").stdout.strip() == "watch 1: nothing changed"


# -- the config file ------------------------------------------------------------------------


def test_config_watches_take_their_filters_from_the_file(run: Cli, site: FakeSite):
    site.reply("/c", 200, page("<p>text</p>"), HTML)
    url = f"{site.url}/c"
    config = run.config.read_text(encoding="utf-8")
    entry = f'[[watches]]\nurl = "{url}"\nignore = "ad: .*"\nmin_change = 7\n'
    run.config.write_text(config + entry, encoding="utf-8")
    run("run", "--once")
    (w,) = run.json("list")
    assert (w["ignore"], w["min_change"]) == ("ad: .*", 7)
    refused = run("edit", url, "--min-change", "1")
    assert refused.exit_code == 2 and "comes from the config file" in refused.stderr

    run.config.write_text(config + entry.replace("7", "8"), encoding="utf-8")
    run("run", "--once")
    assert run.json("list")[0]["min_change"] == 8


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"ignore": "(a"}, "c.toml: watches[1].ignore: bad regex: missing )"),
        ({"ignore": 3}, "watches[1].ignore: must be a str, not an integer"),
        ({"min_change": -1}, "watches[1].min_change: must be 0 to 100,000, not -1"),
        ({"min_change": 100_001}, "watches[1].min_change: must be 0 to 100,000, not 100,001"),
        ({"min_change": "5"}, "watches[1].min_change: must be a int, not a string"),
    ],
)
def test_bad_filters_in_the_config_name_the_file_and_the_key(entry: dict[str, Any], message: str):
    data = {"watches": [{"url": "https://x.example/1"}, {"url": "https://x.example/2"} | entry]}
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "c.toml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_config_filters_parse():
    entry = {"url": "https://x.example/1", "ignore": r"\d+ views", "min_change": 20}
    (watch,) = parse_settings({"watches": [entry]}).watches
    assert watch.filters == Filters(r"\d+ views", 20)
    (plain,) = parse_settings({"watches": [{"url": "https://x.example/1"}]}).watches
    assert plain.filters == Filters()


# -- accounts -------------------------------------------------------------------------------


def test_posts_an_account_discovers_take_its_filters(run: Cli, site: FakeSite):
    account = FakeAccount(site)
    ident = account.post("Launch day. [sponsored: Acme]", age=timedelta(minutes=5))
    sponsored = r"\s*\[sponsored: [^\]]*\]"
    run("add", HANDLE, "--ignore", sponsored, "--min-change", "10")
    run("run", "--once")
    post = next(w for w in run.json("list") if w["kind"] == "post")
    assert (post["ignore"], post["min_change"]) == (sponsored, 10)
    assert texts(run, str(post["id"])) == ["Launch day."]

    account.edit(ident, "Launch day. [sponsored: Other]")  # only what the account ignores
    run("run", "--once", "--all")
    account.edit(ident, "Launch day! [sponsored: Other]")  # under 10 characters
    run("run", "--once", "--all")
    assert kinds(run, str(post["id"])) == ["new"]
    assert run.json("history", str(post["id"]))["watch"]["status"] == "unchanged"  # checked

    run("edit", HANDLE, "--min-change", "0", "--ignore", "")  # passed on to its posts
    post = next(w for w in run.json("list") if w["kind"] == "post")
    assert (post["ignore"], post["min_change"]) == (None, 0)
