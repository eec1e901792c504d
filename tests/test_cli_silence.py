"""Silence from the command line and the config file: `add --silence`, `edit --silence`,
`[[watches]] silence`, each refused with one line where it does not apply; `history` of an
account lists its `silent` and `back` events; `stats` shows the threshold in force, how it was
found, the median gap and the interactions of the last week (and `--json` says the same)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakeplatform import PROFILE, FakeAccount
from tests.server import FakeSite
from tests.test_cli import Cli
from watcher.config import parse_settings
from watcher.errors import ConfigError

HANDLE = "@ann@social.example"


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


@pytest.fixture
def account(site: FakeSite) -> FakeAccount:
    """Six posts a day for five days, the last 30 hours ago: silent past its 24 h floor."""
    fake = FakeAccount(site, page_size=40)
    for n in range(30, 0, -1):
        fake.post(f"toot {31 - n}", age=timedelta(hours=26 + 4 * n))
    return fake


def one_line(result_output: str) -> str:
    lines = result_output.strip().splitlines()
    assert len(lines) == 1, result_output
    return lines[0]


# -- add and edit ----------------------------------------------------------------------------


def test_an_account_is_auto_by_default_and_takes_a_duration_or_off(run: Cli) -> None:
    assert run.json("add", HANDLE)["watch"]["silence"] == "auto"
    assert run.json("add", HANDLE, "--silence", "30h")["watch"]["silence"] == 108000.0
    assert run.json("add", HANDLE)["watch"]["silence"] == 108000.0  # kept when not given
    assert run.json("add", HANDLE, "--silence", "OFF")["watch"]["silence"] == "off"
    (listed,) = run.json("list")
    assert (listed["silence"], listed["silent_since"]) == ("off", None)


def test_edit_changes_the_silence_and_says_so(run: Cli) -> None:
    run("add", HANDLE)
    result = run("edit", "1", "--silence", "2d")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "watch 1: silence 2d"
    assert run.json("edit", "1", "--silence", "auto")["watch"]["silence"] == "auto"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", f"{PROFILE}/110000000000000001", "--silence", "auto"], "--silence applies to"),
        (["add", HANDLE, "--silence", "sometimes"], '--silence: must be "auto", "off" or a'),
        (["add", HANDLE, "--silence", "10m"], "--silence: a silence threshold must be at least"),
    ],
)
def test_add_refuses_a_silence_it_cannot_use(run: Cli, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in one_line(result.stderr)


def test_edit_refuses_a_silence_for_a_post(run: Cli) -> None:
    run("add", f"{PROFILE}/110000000000000001")
    result = run("edit", "1", "--silence", "3d")
    assert result.exit_code == 2
    assert "watch 1 is a post: --silence applies to accounts" in one_line(result.stderr)


def test_a_config_watch_has_its_silence_changed_in_the_file(run: Cli) -> None:
    config = run.config.read_text(encoding="utf-8")
    config += f'\n[[watches]]\nurl = "{HANDLE}"\nsilence = "3d"\n'
    run.config.write_text(config, encoding="utf-8")
    assert run("run", "--once").exit_code in (0, 3)  # synced (the fake lists nothing)
    (listed,) = run.json("list")
    assert listed["silence"] == 3 * 86400.0
    result = run("edit", "1", "--silence", "off")
    assert result.exit_code == 2
    assert "change its interval, channels, selector, field, filters or silence there" in (
        result.stderr
    )


# -- the config file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sometimes", 'watches[0].silence: must be "auto", "off" or a duration such as 30h or 3d'),
        ("30m", "watches[0].silence: a silence threshold must be at least 1h"),
        (True, "watches[0].silence: must be"),
    ],
)
def test_a_bad_silence_in_the_config_is_one_line_naming_file_and_key(
    value: object, problem: str
) -> None:
    data = {"watches": [{"url": "https://social.example/@ann", "silence": value}]}
    with pytest.raises(ConfigError) as error:
        parse_settings(data, "watcher.toml")
    assert str(error.value).startswith(f"watcher.toml: {problem}")
    assert "\n" not in str(error.value)


def test_config_silence_values() -> None:
    def silence(value: object) -> str:
        data = {"watches": [{"url": "https://social.example/@ann", "silence": value}]}
        return parse_settings(data).watches[0].silence

    assert [silence(v) for v in ("auto", "Off", "30h", "1d12h", 7200)] == [
        "auto",
        "off",
        "108000",
        "129600",
        "7200",
    ]
    bare = parse_settings({"watches": [{"url": "https://social.example/@ann"}]})
    assert bare.watches[0].silence == ""  # not given: "auto" for an account


def test_silence_on_a_post_in_the_config_is_refused_at_sync(run: Cli) -> None:
    config = run.config.read_text(encoding="utf-8")
    config += f'\n[[watches]]\nurl = "{PROFILE}/110000000000000001"\nsilence = "auto"\n'
    run.config.write_text(config, encoding="utf-8")
    result = run("run", "--once")
    assert result.exit_code == 2
    assert one_line(result.stderr).endswith(
        "watches[0].silence: applies to accounts; this URL is a single post"
    )
    assert str(run.config) in result.stderr


# -- history and stats -----------------------------------------------------------------------


def test_history_and_stats_of_a_silent_account(run: Cli, account: FakeAccount) -> None:
    run("add", PROFILE)
    run("check", PROFILE)  # the first listing: 30 h without a post is a silence, recorded
    fresh = account.post("back again", age=timedelta(0))
    run("check", PROFILE)  # ... and its end
    history = run("history", PROFILE)
    assert history.exit_code == 0, history.output
    lines = history.stdout.splitlines()
    back = next(line for line in lines if "  back " in line)
    assert "(back after 1d 6h; first post " + fresh + ")" in back
    silent = next(line for line in lines if "  silent " in line)
    assert "(no post for 1d 6h; threshold 1d; usually 6.00 posts a day; last post " in silent
    kinds = [e["kind"] for e in run.json("history", PROFILE)["events"]]
    assert kinds[:2] == ["back", "silent"]  # newest first

    # Counters move: the newest post gained 7 favourites and 3 boosts since it was first read.
    account.posts[0] |= {"favourites_count": 7, "reblogs_count": 3}
    assert run("check", account.posts[0]["url"]).exit_code == 0

    stats = run("stats", PROFILE)
    assert stats.exit_code == 0, stats.output
    shown = dict(
        (line[:16].strip(), line[16:]) for line in stats.stdout.splitlines()[1:] if line[:16]
    )
    assert shown["silent after"] == (
        "1d · auto: the 1d floor; twice the 90th percentile of 30 gaps in the last 30 days is 8h"
    )
    assert shown["median gap"] == "4h"
    assert shown["interactions"] == "10 in the last 7 days (1 a day)"
    assert "silent now" not in shown  # it came back

    figures = run.json("stats", PROFILE)
    assert figures["silence_threshold"] == {
        "setting": "auto",
        "seconds": 86400.0,
        "rule": "auto: the 1d floor; twice the 90th percentile of 30 gaps in the last 30 days"
        " is 8h",
        "gaps": 30,
        "percentile_90_seconds": pytest.approx(4 * 3600.0),
    }
    assert figures["median_gap_seconds"] == pytest.approx(4 * 3600.0)
    assert figures["interactions"] == {
        "days": 7,
        "total": 10,
        "per_day": pytest.approx(10 / 7, abs=1e-3),
    }
    assert figures["silent_since"] is None


def test_stats_say_when_a_silence_is_announced(run: Cli, account: FakeAccount) -> None:
    run("add", PROFILE, "--silence", "2h")
    run("check", PROFILE)
    stats = run("stats", PROFILE)
    assert "silent after    2h · set for this account" in stats.stdout
    assert "silent now      announced; no post since " in stats.stdout
    assert run.json("stats", PROFILE)["silent_since"] is not None
