"""The motivating case end to end through the pure stages: a quote silently removed on Weibo.

The payloads live in the shared fixtures (../shared/fixtures/scenarios/weibo_quote_removed/) and
are read in place, never copied into this repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.server import FakeSite
from tests.shared import SHARED_FIXTURES, require
from watcher.cli import cli
from watcher.differ import added, changed, diff_texts, removed
from watcher.model import Post
from watcher.normalize import content_hash, html_to_text

SCENARIO = SHARED_FIXTURES / "scenarios" / "weibo_quote_removed"
JSON = {"content-type": "application/json; charset=utf-8"}
QUOTE = "莫言说过：“诋毁，本身就是一种仰望。”"  # the README's expected removed text, modulo spaces


@pytest.fixture(scope="module")
def scenario() -> Path:
    return require(SCENARIO)


def load(folder: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))["data"]
    return data


def text_of(folder: Path, name: str) -> str:
    return html_to_text(load(folder, name)["text"])


def post_of(folder: Path, name: str) -> Post:
    data = load(folder, name)
    counters = ("reposts_count", "comments_count", "attitudes_count")
    return Post(
        id=str(data["id"]),
        url=f"https://m.weibo.cn/detail/{data['id']}",
        text=html_to_text(data["text"]),
        author=data["user"]["screen_name"],
        metrics={key: int(data[key]) for key in counters},
    )


def test_the_removed_quote_is_exactly_what_the_diff_removes(scenario: Path) -> None:
    before, after = text_of(scenario, "before.json"), text_of(scenario, "after.json")
    diff = diff_texts(before, after)
    assert changed(diff)
    assert "".join(removed(diff)).strip() == QUOTE
    assert added(diff) == ()
    unchanged = "".join(text for op, text in diff if op == 0)
    assert "[加油]" in unchanged
    assert "#小米SU7#" in unchanged


def test_counters_alone_do_not_change_the_content_hash(scenario: Path) -> None:
    after = post_of(scenario, "after.json")
    counters_only = post_of(scenario, "after_counters_only.json")
    assert after.metrics != counters_only.metrics  # the fixture really moved the counters
    assert content_hash(after) == content_hash(counters_only)
    assert not changed(diff_texts(after.text, counters_only.text))
    assert content_hash(post_of(scenario, "before.json")) != content_hash(after)


def test_end_to_end_through_the_cli(scenario: Path, site: FakeSite, tmp_path: Path) -> None:
    """The scenario served as JSON and checked with `--platform json --field data.text`:
    one edit whose removed text is the quote; counters alone are no edit; Weibo's `ok:0`
    answer (HTTP 200) is not a deletion through the generic json source."""
    url = f"{site.url}/statuses/show?id=PvXr2dQ8L"
    args = ["check", url, "-p", "json", "-f", "data.text", "--db", str(tmp_path / "w.db")]
    args += ["--json"]
    runner = CliRunner()

    def check(name: str) -> tuple[int, dict[str, Any]]:
        site.reply("/statuses/show", 200, (scenario / name).read_bytes(), JSON)
        result = runner.invoke(cli, args)
        return result.exit_code, json.loads(result.stdout)

    assert check("before.json")[1]["status"] == "new"
    code, edited = check("after.json")
    assert (code, edited["status"]) == (1, "edited")
    removed_text = "".join(text for op, text in edited["diff"] if op == -1)
    assert removed_text.strip() == QUOTE
    assert [text for op, text in edited["diff"] if op == 1] == []
    code, counters = check("after_counters_only.json")
    assert (code, counters["status"], counters["revision"]) == (0, "unchanged", 2)
    code, gone = check("deleted.json")
    assert code == 3 and gone["status"] == "broken"


# --- the same scenario through the weibo source -------------------------------------------------


def test_end_to_end_through_the_weibo_source(
    scenario: Path, site: FakeSite, tmp_path: Path
) -> None:
    """The URL a user would paste, checked by the `weibo` source against FakeSite standing in
    for m.weibo.cn: the quote's removal is one edit, counters are nothing, and `ok:0`/20101
    is a deletion once a second fetch confirms it."""
    config = tmp_path / "c.toml"
    config.write_text(
        f'[detect]\nconfirm_pause = 0.01\n[platforms.weibo]\nbase_url = "{site.url}"\n',
        encoding="utf-8",
    )
    url = "https://weibo.com/1749127163/PvXr2dQ8L"
    args = ["check", url, "--db", str(tmp_path / "w.db"), "-c", str(config), "--json"]
    runner = CliRunner()

    def check(name: str) -> tuple[int, dict[str, Any]]:
        site.reply("/statuses/show", 200, (scenario / name).read_bytes(), JSON)
        result = runner.invoke(cli, args)
        return result.exit_code, json.loads(result.stdout)

    code, first = check("before.json")
    assert (code, first["status"], first["platform"]) == (0, "new", "weibo")
    assert first["post"]["author"] == "雷军"
    assert first["post"]["id"] == "5172004418290751"
    assert site.requests[-1][0] == "/statuses/show?id=PvXr2dQ8L"

    code, edited = check("after.json")
    assert (code, edited["status"]) == (1, "edited")
    assert "".join(text for op, text in edited["diff"] if op == -1).strip() == QUOTE
    assert [text for op, text in edited["diff"] if op == 1] == []
    assert edited["post"]["metrics"]["attitudes_count"] == 320877

    code, counters = check("after_counters_only.json")
    assert (code, counters["status"], counters["revision"]) == (0, "unchanged", 2)

    before = site.hits("/statuses/show")
    code, gone = check("deleted.json")
    assert (code, gone["status"]) == (1, "deleted")
    assert site.hits("/statuses/show") - before == 2  # the second fetch is the confirmation
