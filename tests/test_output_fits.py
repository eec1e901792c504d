"""Output that fits (issue 13, item 4): tables in 80 and 120 columns with URLs whole on lines
of their own, long errors under their row, pipes given whole lines, history previews that show
what changed, times to the second in `--tz` or the config's zone, and `--json` on the commands
that change watches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from rich.cells import cell_len

from tests.server import FakeSite
from tests.test_cli import HTML, Cli, page
from watcher.cli import cli

LONG_QUERY = "?utm_source=newsletter&utm_medium=email&utm_campaign=" + "a-very-long-campaign-" * 4
NAME = "The company blog of a firm with a remarkably long name"


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


def on_terminal(run: Cli, columns: int, *args: str) -> str:
    """What a terminal `columns` wide shows of the command, without its styles."""
    env = {"TTY_COMPATIBLE": "1", "NO_COLOR": "1", "COLUMNS": str(columns)}
    result = run.runner.invoke(cli, [*args, "--db", run.db, "-c", str(run.config)], env=env)
    assert result.exit_code == 0, result.output
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


def piped(run: Cli, *args: str) -> Result:
    """The command as a pipe gets it, even where the environment claims 80 columns."""
    env = {"TTY_COMPATIBLE": "0", "COLUMNS": "80"}
    return run.runner.invoke(cli, [*args, "--db", run.db, "-c", str(run.config)], env=env)


@pytest.fixture
def three(run: Cli, site: FakeSite) -> dict[str, str]:
    """A named watch, one with a very long URL, and one failing with a long error."""
    site.reply("/blog", 200, page("<p>We grew 30 percent this year.</p>"), HTML)
    site.reply("/blog" + LONG_QUERY, 200, page("<p>Same post, tracked link.</p>"), HTML)
    site.reply("/gone", 404, "not here", HTML)
    urls = {
        "named": f"{site.url}/blog",
        "long": f"{site.url}/blog{LONG_QUERY}",
        "failing": f"{site.url}/gone",
    }
    assert run("add", urls["named"], "--name", NAME, "--tag", "news").exit_code == 0
    for key in ("long", "failing"):
        assert run("add", urls[key]).exit_code == 0
    assert run("run", "--once", "--all").exit_code == 0
    return urls


def rows_and_urls(text: str, urls: dict[str, str]) -> tuple[list[str], list[str]]:
    lines = text.splitlines()
    return [ln for ln in lines if ln.strip() not in urls.values()], [ln.strip() for ln in lines]


@pytest.mark.parametrize("columns", [80, 120])
def test_list_fits_the_terminal_and_keeps_every_url_whole(
    run: Cli, three: dict[str, str], columns: int
):
    shown = on_terminal(run, columns, "list")
    table, stripped = rows_and_urls(shown, three)
    # Every URL is on a line of its own, whole; every other line fits.
    assert all(url in stripped for url in three.values())
    assert all(cell_len(line) <= columns for line in table), table
    # One line per watch, under a header: 1 + 3 rows + 3 URLs.
    assert len(shown.splitlines()) == 7
    if columns == 80:
        assert NAME not in shown and "The company blog" in shown  # cut with …
    else:
        assert NAME in shown


def test_status_puts_a_long_error_under_its_row_not_in_a_narrow_column(
    run: Cli, three: dict[str, str]
):
    shown = on_terminal(run, 80, "status")
    lines = shown.splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.strip() == three["failing"]) - 1
    assert re.match(r"\s*3\s+failed\b", lines[row]), lines[row]
    problem = " ".join(ln.strip() for ln in lines[row + 2 :])
    assert "failed check" in problem and "404" in problem
    table, _ = rows_and_urls(shown, three)
    # A long URL inside a wrapped sentence may overflow; nothing else does.
    assert all(cell_len(ln) <= 80 for ln in table if "http" not in ln), table


def test_a_pipe_gets_whole_lines_whatever_columns_says(run: Cli, three: dict[str, str]):
    listed = piped(run, "list").stdout
    assert NAME in listed and "…" not in listed
    assert any(len(line) > 80 for line in listed.splitlines())
    status = piped(run, "status").stdout
    error = next(ln for ln in status.splitlines() if "failed check" in ln)
    assert three["failing"] in error  # the error on one line, its URL in it


def test_history_previews_show_the_first_change(run: Cli, site: FakeSite):
    words = " ".join(f"word{i}" for i in range(80))
    site.reply("/p", 200, page(f"<p>{words} We grew 30 percent.</p>"), HTML)
    run("check", f"{site.url}/p")
    site.reply("/p", 200, page(f"<p>{words} We grew 35 percent, a record.</p>"), HTML)
    run("check", f"{site.url}/p")
    history = piped(run, "history", f"{site.url}/p").stdout
    edited = history.split("edited", 1)[1].splitlines()[1]
    assert "[-30-]{+35+} percent{+, a record+}" in edited
    assert edited.strip().startswith("…")  # the change, not the first 100 characters
    assert "1 event" not in history and "2 versions, 2 events" in history
    narrow = on_terminal(run, 80, "history", f"{site.url}/p")
    assert all(cell_len(line) <= 80 for line in narrow.splitlines() if "http" not in line)


def test_plurals_are_right(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>once</p>"), HTML)
    run("check", f"{site.url}/p")
    assert "1 version, 1 event" in piped(run, "history", f"{site.url}/p").stdout
    removed = run("remove", f"{site.url}/p")
    assert "its 1 version is kept" in removed.stdout


def test_times_have_seconds_and_follow_tz_or_the_config(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>once</p>"), HTML)
    run("check", f"{site.url}/p")
    utc = re.search(
        r"(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d) UTC", piped(run, "history", "1").stdout
    )
    assert utc is not None
    shanghai = piped(run, "history", "1", "--tz", "Asia/Shanghai").stdout
    hour = (int(utc[2]) + 8) % 24
    assert re.search(rf" {hour:02d}:{utc[3]}:{utc[4]} CST", shanghai), shanghai
    run.config.write_text('[defaults]\ntimezone = "Asia/Tokyo"\n', encoding="utf-8")
    assert " JST" in piped(run, "history", "1").stdout
    assert "last check (JST)" in piped(run, "list").stdout


def test_a_bad_tz_is_one_line_and_exit_2(run: Cli, site: FakeSite):
    result = run("list", "--tz", "Mars/Olympus")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "watcher: error: --tz: unknown time zone 'Mars/Olympus' "
        "(an IANA name such as UTC, Europe/Berlin, Asia/Shanghai)"
    ]


def test_commands_that_change_watches_print_json(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>once</p>"), HTML)
    url = f"{site.url}/p"
    added = run.json("add", url, "--name", "Blog")
    assert (added["watch"]["url"], added["watch"]["name"], added["before"]) == (url, "Blog", None)
    again = run.json("add", url, "--interval", "1m")
    assert (again["before"], again["watch"]["interval"]) == ("interval", 60)
    paused = run.json("pause", url)
    assert paused["changed"] and paused["watch"]["paused"]
    resumed = run.json("resume", url)
    assert resumed["changed"] and not resumed["watch"]["paused"]
    edited = run.json("edit", url, "--name", "Blog 2")
    assert edited["watch"]["name"] == "Blog 2" and edited["changes"] == ["name 'Blog 2'"]
    removed = run.json("remove", url)
    assert removed == {"id": added["watch"]["id"], "url": url, "purged": False, "versions": 0}
    for result in (run("add", url, "--json"), run("remove", url, "--purge", "--yes", "--json")):
        json.loads(result.stdout)  # stdout is the JSON alone
