"""The motivating case end to end through the pure stages: a quote silently removed on Weibo.

The payloads live in the shared fixtures (../shared/fixtures/scenarios/weibo_quote_removed/) and
are read in place, never copied into this repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from watcher.differ import added, changed, diff_texts, removed
from watcher.model import Post
from watcher.normalize import content_hash, html_to_text

SCENARIO = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "fixtures"
    / "scenarios"
    / "weibo_quote_removed"
)
QUOTE = "莫言说过：“诋毁，本身就是一种仰望。”"  # the README's expected removed text, modulo spaces


@pytest.fixture(scope="module")
def scenario() -> Path:
    if not SCENARIO.is_dir():
        reason = f"shared scenario fixtures not found at {SCENARIO}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run this test, so check out the shared fixtures")
        pytest.skip(reason)
    return SCENARIO


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
