"""Accounts from the command line: `add` of every account form, `check` of an account, and
`stats`, through the Mastodon-shaped fake platform and a real SQLite file."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakeplatform import PROFILE, FakeAccount
from tests.server import FakeSite
from tests.test_cli import Cli


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


@pytest.fixture
def account(site: FakeSite) -> FakeAccount:
    fake = FakeAccount(site)
    for n in range(1, 4):
        fake.post(f"post number {n}", age=timedelta(hours=10 - 3 * n))
    return fake


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("@ann@social.example", "mastodon"),
        ("https://social.example/@ann", "mastodon"),
        ("https://weibo.com/u/1749127163", "weibo"),
        ("https://bsky.app/profile/jay.bsky.team", "bluesky"),
        ("https://www.reddit.com/user/spez", "reddit"),
        ("https://t.me/s/durov", "telegram"),
        ("https://blog.example/feed.xml", "feed"),
    ],
)
def test_add_an_account_by_any_form(run: Cli, url: str, platform: str):
    result = run("add", url)
    assert result.exit_code == 0, result.output
    assert f"{platform} account {url}" in result.stdout
    (listed,) = run.json("list")
    assert listed["kind"] == "account"


def test_a_feed_with_field_is_one_item_not_an_account(run: Cli):
    result = run("add", "https://blog.example/feed.xml", "--field", "https://blog.example/p/1")
    assert result.exit_code == 0, result.output
    assert run.json("list")[0]["kind"] == "post"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "@ann"], "not an http(s) URL or a @user@instance handle"),
        (["add", "@ann@social.example", "--platform", "web"], "not an http(s) URL or a"),
        (["add", "https://social.example/@ann/110000000000000001", "--pages", "2"], "--pages"),
        (["add", "@ann@social.example", "--pages", "0"], "--pages"),
    ],
)
def test_account_usage_errors_exit_2_with_one_line(run: Cli, args: list[str], message: str):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_check_an_account_lists_and_records_its_posts(run: Cli, account: FakeAccount):
    result = run("check", "@ann@social.example")
    assert result.exit_code == 0, result.output
    assert "mastodon account @ann@social.example · 3 posts listed" in result.stdout
    assert len(re.findall(r"^new +\d+ ", result.stdout, re.MULTILINE)) == 3
    account.delete(account.listed()[1])
    again = run.json("check", "@ann@social.example")
    (suspect,) = again["suspects"]
    assert suspect["status"] == "deleted"  # a one-off check confirms at once
    assert again["listed"] == 2 and again["new"] == []


def test_stats(run: Cli, account: FakeAccount):
    run("check", PROFILE)
    account.delete(account.listed()[1])
    run("check", PROFILE)
    result = run("stats", PROFILE)
    assert result.exit_code == 0, result.output
    assert "deletions       1 by the author" in result.stdout
    figures = run.json("stats", PROFILE)
    assert figures["posts"] == 3
    assert figures["deletions"] == 1 and figures["edits"] == 0
    assert figures["longest_silence"]["seconds"] == pytest.approx(3 * 3600, abs=5)
    assert figures["posts_last_7_days"] == 3


def test_stats_of_a_post_is_a_usage_error(run: Cli, account: FakeAccount):
    run("check", PROFILE)
    result = run("stats", "2")
    assert result.exit_code == 2
    assert "is a post, not an account" in result.output
