"""Issue 14 on Weibo: a repost whose original (its quoted post) is deleted, removed, hidden and
restored. Weibo answers with the repost unchanged and a notice in `retweeted_status.text`:
each notice is the quoted post's presence and one event, never the repost's text, and the
repost itself is never deleted by it.

The payloads are the real `statuses_show.json` recording (a repost, read in place from the
shared fixtures) with its `retweeted_status` replaced the way Weibo does it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.server import FakeSite
from tests.shared import SHARED_FIXTURES, require
from watcher.cli import cli
from watcher.model import QuotedPresence
from watcher.sources.weibo.notices import notice_presence

RECORDING = SHARED_FIXTURES / "platforms" / "weibo" / "statuses_show.json"
JSON = {"content-type": "application/json; charset=utf-8"}
URL = "https://m.weibo.cn/status/HyZVegYAP"
ORIGINAL = "4383404751066167"

DELETED = "抱歉，此微博已被作者删除。查看帮助：<a href='https://t.cn/x'>网页链接</a>"
HALF_YEAR = "抱歉，作者已设置仅展示半年内微博，此微博已不可见。"
COMPLAINTS = "该微博因被多人投诉，根据《微博社区公约》，已被删除。"
VIOLATION = "抱歉，此微博因违反《微博社区公约》已被删除。"
PERMISSION = "由于作者设置，你暂时没有这条微博的查看权限哦。查看帮助：网页链接"
BLOGGER = "根据博主设置，此内容无法访问"
ACCOUNT = "抱歉，该账号因被投诉违反法律法规和《微博社区公约》的相关规定，现已无法查看。"


@pytest.mark.parametrize(
    ("notice", "presence"),
    [
        (DELETED, QuotedPresence.DELETED),
        (COMPLAINTS, QuotedPresence.REMOVED),
        (VIOLATION, QuotedPresence.REMOVED),
        (PERMISSION, QuotedPresence.HIDDEN),
        (HALF_YEAR, QuotedPresence.HIDDEN),
        (BLOGGER, QuotedPresence.HIDDEN),
        (ACCOUNT, QuotedPresence.ACCOUNT_REMOVED),
        ("抱歉，此微博暂时无法显示。", QuotedPresence.UNKNOWN),  # not guessed
    ],
)
def test_every_known_notice_is_a_presence_and_an_unknown_one_is_not_guessed(
    notice: str, presence: QuotedPresence
) -> None:
    assert notice_presence({"user": None, "deleted": "1"}, notice) is presence


def test_a_visible_original_is_no_notice() -> None:
    assert notice_presence({"user": {"screen_name": "upupming"}}, "今天天气不错") is None


# --- a watched repost, end to end ----------------------------------------------------------


@pytest.fixture(scope="module")
def recording() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(require(RECORDING).read_text(encoding="utf-8"))
    return body


def answer(recording: dict[str, Any], notice: str | None = None) -> bytes:
    """The recorded repost; with `notice`, its original replaced as Weibo shows a gone one."""
    body = copy.deepcopy(recording)
    if notice is not None:
        original = body["data"]["retweeted_status"]
        keep = {key: original[key] for key in ("id", "mid", "created_at")}
        body["data"]["retweeted_status"] = keep | {"text": notice, "user": None, "deleted": "1"}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class Repost:
    """The recorded repost watched through the `weibo` source, on FakeSite."""

    def __init__(self, site: FakeSite, tmp_path: Path, recording: dict[str, Any]) -> None:
        config = tmp_path / "c.toml"
        config.write_text(
            f'[detect]\nconfirm_pause = 0.01\n[platforms.weibo]\nbase_url = "{site.url}"\n',
            encoding="utf-8",
        )
        self.site, self.recording, self.runner = site, recording, CliRunner()
        self.common = ["--db", str(tmp_path / "w.db"), "-c", str(config)]

    def check(self, notice: str | None = None) -> tuple[int, dict[str, Any]]:
        self.site.reply("/statuses/show", 200, answer(self.recording, notice), JSON)
        result = self.runner.invoke(cli, ["check", URL, *self.common, "--json"])
        return result.exit_code, json.loads(result.stdout)

    def events(self) -> list[dict[str, Any]]:
        result = self.runner.invoke(cli, ["history", URL, *self.common, "--json"])
        events: list[dict[str, Any]] = json.loads(result.stdout)["events"]
        return events[::-1]  # oldest first


@pytest.fixture
def repost(site: FakeSite, tmp_path: Path, recording: dict[str, Any]) -> Repost:
    return Repost(site, tmp_path, recording)


def test_each_notice_is_one_event_of_the_quoted_post_never_an_edit(repost: Repost) -> None:
    code, first = repost.check()
    assert (code, first["status"]) == (0, "new")
    assert first["post"]["text"] == "转发微博"
    assert first["post"]["quoted"]["id"] == ORIGINAL
    assert first["post"]["quoted"]["author"] == "upupming"
    assert first["post"]["quoted"]["presence"] == "visible"
    steps = [
        (DELETED, "quoted_deleted", "deleted"),
        (COMPLAINTS, "quoted_removed", "removed"),
        (HALF_YEAR, "quoted_hidden", "hidden"),
        (None, "quoted_restored", "visible"),
    ]
    for notice, kind, presence in steps:
        before = len(repost.events())
        code, result = repost.check(notice)
        assert (code, result["status"]) == (1, "unchanged"), kind
        assert result["post"]["text"] == "转发微博"  # never the notice's words
        assert result["post"]["quoted"]["presence"] == presence
        assert [e["kind"] for e in repost.events()[before:]] == [kind]
    kinds = [e["kind"] for e in repost.events()]
    assert "edited" not in kinds and "deleted" not in kinds


def test_a_reworded_notice_of_the_same_presence_is_nothing(repost: Repost) -> None:
    """The issue's second false edit: Weibo rewording its notice."""
    repost.check()
    repost.check(PERMISSION)
    code, result = repost.check(HALF_YEAR)
    assert (code, result["status"]) == (0, "unchanged")
    assert [e["kind"] for e in repost.events()] == ["new", "quoted_hidden"]


def test_an_unknown_notice_is_stored_as_said_without_an_event(repost: Repost) -> None:
    repost.check()
    code, result = repost.check("抱歉，此微博暂时无法显示。")
    assert code == 0
    assert result["post"]["quoted"] == {
        "id": ORIGINAL,
        "url": f"https://m.weibo.cn/detail/{ORIGINAL}",
        "author": None,
        "presence": "unknown",
        "text": None,
        "notice": "抱歉，此微博暂时无法显示。",
    }
    assert [e["kind"] for e in repost.events()] == ["new"]
    assert result["revision"] == 2  # stored, so the words are kept


def test_the_repost_is_deleted_only_on_its_own_gone_signal(repost: Repost, site: FakeSite) -> None:
    repost.check()
    repost.check(DELETED)
    gone = json.dumps({"ok": 0, "errno": "20101", "msg": "该微博不存在"}).encode()
    site.reply("/statuses/show", 200, gone, JSON)
    result = CliRunner().invoke(cli, ["check", URL, *repost.common, "--json"])
    assert json.loads(result.stdout)["status"] == "deleted"
    assert [e["kind"] for e in repost.events()] == ["new", "quoted_deleted", "deleted"]


def test_history_keeps_the_quoted_posts_last_text_as_evidence(repost: Repost) -> None:
    repost.check()
    repost.check(DELETED)
    result = repost.runner.invoke(cli, ["diff", URL, *repost.common, "--json"])
    diff = json.loads(result.stdout)["diff"]
    removed = "".join(text for op, text in diff if op == -1)
    added = "".join(text for op, text in diff if op == 1)
    assert "#️*️0️9️" in removed  # the original's (long) text, as last stored
    assert "此微博已被作者删除" in added
    assert "转发微博" in "".join(text for op, text in diff if op == 0)


def test_a_check_says_what_happened_to_the_quoted_post(repost: Repost) -> None:
    """`check` of a repost whose original went: unchanged itself, and a line (and a JSON event)
    about the quoted post, so exit code 1 is explained."""
    repost.check()
    code, result = repost.check(DELETED)
    assert code == 1 and [e["kind"] for e in result["events"]] == ["quoted_deleted"]
    repost.site.reply("/statuses/show", 200, answer(repost.recording, None), JSON)
    shown = repost.runner.invoke(cli, ["check", URL, *repost.common])
    assert shown.exit_code == 1
    assert "unchanged" in shown.stdout and "↪ the quoted post is back" in shown.stdout
