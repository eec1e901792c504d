"""Every command and every exit code, through the local fake site and a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.server import FakeSite, Reply
from watcher.cli import cli

HTML = {"content-type": "text/html; charset=utf-8"}
JSON = {"content-type": "application/json"}


def page(body: str, title: str = "Post") -> str:
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home · About</nav>"
        f"<article>{body}</article><footer>© 2026</footer></body></html>"
    )


class Cli:
    def __init__(self, tmp_path: Path, site: FakeSite) -> None:
        self.db = str(tmp_path / "w.db")
        self.config = tmp_path / "c.toml"
        self.config.write_text(
            f'[detect]\nconfirm_pause = 0.01\n[platforms.mastodon]\nbase_url = "{site.url}"\n',
            encoding="utf-8",
        )
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(cli, [*args, "--db", self.db, "-c", str(self.config)])

    def json(self, *args: str) -> Any:
        result = self(*args, "--json")
        return json.loads(result.stdout)


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Cli:
    return Cli(tmp_path, site)


def test_first_check_prints_the_post_and_stores_revision_1(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Hello world</p>"), HTML)
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 0, result.output
    assert "first snapshot" in result.stdout
    assert "Hello world" in result.stdout
    assert "Home · About" not in result.stdout
    assert "revision 1" in result.stdout


def test_json_contract(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Hello world</p>"), HTML)
    data = run.json("check", f"{site.url}/p")
    assert set(data) >= {"watch_id", "url", "platform", "status", "revision", "post", "diff"}
    assert (data["status"], data["revision"], data["platform"]) == ("new", 1, "web")
    assert set(data["post"]) >= {
        "id",
        "url",
        "author",
        "created_at",
        "edited_at",
        "text",
        "metrics",
    }
    assert data["diff"] is None
    site.reply("/p", 200, page("<p>Hello brave world</p>"), HTML)
    data = run.json("check", f"{site.url}/p")
    assert data["status"] == "edited"
    assert data["revision"] == 2
    assert [1, "brave "] in data["diff"] or [1, " brave"] in data["diff"]
    assert all(op in (-1, 0, 1) for op, _ in data["diff"])


def test_unchanged_adds_no_revision(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Same</p>"), HTML)
    run("check", f"{site.url}/p")
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 0
    assert "unchanged" in result.stdout
    assert run.json("check", f"{site.url}/p")["revision"] == 1


def test_edit_exits_1_with_a_word_diff(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>The colour is blue.</p>"), HTML)
    run("check", f"{site.url}/p")
    site.reply("/p", 200, page("<p>The colour is grey.</p>"), HTML)
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 1
    assert "edited" in result.stdout
    assert "[-blue-]{+grey+}" in result.stdout


def test_long_text_shows_only_changed_passages(run: Cli, site: FakeSite):
    words = [f"word{i}" for i in range(600)]
    site.reply("/p", 200, page("<p>" + " ".join(words) + "</p>"), HTML)
    run("check", f"{site.url}/p")
    words[300] = "CHANGED"
    site.reply("/p", 200, page("<p>" + " ".join(words) + "</p>"), HTML)
    result = run("check", f"{site.url}/p")
    assert "[-word300-]{+CHANGED+}" in result.stdout
    assert "word5 " not in result.stdout  # far from the change: trimmed
    assert "…" in result.stdout


def test_deletion_is_confirmed_by_a_second_fetch(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Evidence</p>"), HTML)
    run("check", f"{site.url}/p")
    site.reply("/p", 404, "not found", HTML)
    before = site.hits("/p")
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 1, result.output
    assert site.hits("/p") - before == 2
    assert "deleted" in result.stdout
    assert "Evidence" in result.stdout  # the last stored text is the proof
    again = run("check", f"{site.url}/p")
    assert again.exit_code == 0
    assert "still gone" in again.stdout
    site.reply("/p", 200, page("<p>Evidence</p>"), HTML)
    restored = run("check", f"{site.url}/p")
    assert restored.exit_code == 1
    assert "restored" in restored.stdout


def test_a_blip_of_404_is_not_a_deletion(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>Still here</p>"), HTML)
    run("check", f"{site.url}/p")
    replies = iter([Reply(404, "gone?", HTML), Reply(200, page("<p>Still here</p>"), HTML)])
    site.set("/p", lambda _path: next(replies))
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.stdout


@pytest.mark.parametrize(
    "reply,status",
    [
        (Reply(503, "busy", HTML), "failed"),
        (Reply(500, "oops", HTML), "failed"),
        (Reply(403, "login", HTML), "blocked"),
        (Reply(429, "slow down", {**HTML, "retry-after": "60"}), "rate_limited"),
        (Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(100), {"content-type": "image/png"}), "failed"),
    ],
)
def test_could_not_observe_exits_3(run: Cli, site: FakeSite, reply: Reply, status: str):
    site.reply("/p", 200, page("<p>Here</p>"), HTML)
    run("check", f"{site.url}/p")
    site.set("/p", reply)
    result = run("check", f"{site.url}/p")
    assert result.exit_code == 3, result.output
    assert run.json("check", f"{site.url}/p")["status"] == status


def test_selector_and_broken_selector(run: Cli, site: FakeSite):
    site.reply("/p", 200, page('<p class="c">Only this</p><p>not this</p>'), HTML)
    result = run("check", f"{site.url}/p", "--selector", "p.c")
    assert "Only this" in result.stdout and "not this" not in result.stdout
    site.reply("/p", 200, page("<p>no class</p>"), HTML)
    result = run("check", f"{site.url}/p", "--selector", "p.c")
    assert result.exit_code == 3
    assert "matched nothing" in result.stdout


def test_json_platform_with_field(run: Cli, site: FakeSite):
    site.reply("/api/7.json", 200, json.dumps({"data": {"text": "<p>Hi <b>there</b></p>"}}), JSON)
    data = run.json("check", f"{site.url}/api/7.json", "--platform", "json", "--field", "data.text")
    assert data["status"] == "new"
    assert data["post"]["text"] == "Hi there"


def test_mastodon_url_is_detected(run: Cli, site: FakeSite):
    status = {
        "id": "42",
        "created_at": "2026-08-01T13:54:00.505Z",
        "edited_at": None,
        "content": "<p>Toot toot</p>",
        "spoiler_text": "",
        "url": "https://mastodon.example/@alice/42",
        "account": {"acct": "alice", "username": "alice"},
        "media_attachments": [],
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
    }
    site.reply("/api/v1/statuses/42", 200, json.dumps(status), JSON)
    data = run.json("check", "https://mastodon.example/@alice/42")
    assert data["platform"] == "mastodon"
    assert data["post"]["text"] == "Toot toot"
    assert data["post"]["metrics"]["favourites_count"] == 3
    site.reply("/api/v1/statuses/42", 200, json.dumps(status | {"favourites_count": 30}), JSON)
    assert run.json("check", "https://mastodon.example/@alice/42")["status"] == "unchanged"
    history = run.json("history", "1")
    assert [m["values"]["favourites_count"] for m in history["metrics"]] == [3, 30]
    assert "favourites_count 3 → 30" in run("history", "1").stdout


def test_history_and_diff(run: Cli, site: FakeSite):
    url = f"{site.url}/p"
    for text in ("one two three", "one 2 three", "one 2 three four"):
        site.reply("/p", 200, page(f"<p>{text}</p>"), HTML)
        run("check", url)
    history = run("history", url)
    assert history.exit_code == 0
    assert history.stdout.index("rev 2 → 3") < history.stdout.index("new")
    data = run.json("history", "1")
    assert [r["number"] for r in data["revisions"]] == [3, 2, 1]
    assert [e["kind"] for e in data["events"]] == ["edited", "edited", "new"]
    assert "three{+ four+}" in run("diff", url).stdout
    assert "[-two-]{+2+}" in run("diff", "1", "1", "2").stdout
    whole = run.json("diff", "1", "1")
    assert (whole["from"], whole["to"]) == (1, 3)


def test_diff_needs_two_versions(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>x</p>"), HTML)
    run("check", f"{site.url}/p")
    result = run("diff", "1")
    assert result.exit_code == 2
    assert "1 stored version" in result.stderr
    assert run("diff", "1", "1", "9").exit_code == 2


def test_add_list_remove(run: Cli, site: FakeSite):
    added = run("add", f"{site.url}/a", "--interval", "5m")
    assert added.exit_code == 0 and "every 5m" in added.stdout
    run("add", f"{site.url}/b", "--selector", "main")
    listed = run.json("list")
    assert [(w["id"], w["interval"]) for w in listed] == [(1, 300.0), (2, 600.0)]
    assert run("remove", "1").exit_code == 0
    assert [w["id"] for w in run.json("list")] == [2]
    assert [w["id"] for w in run.json("list", "--all")] == [1, 2]
    purged = run("remove", "2", "--purge", "--yes")
    assert "deleted" in purged.stdout
    assert [w["id"] for w in run.json("list", "--all")] == [1]
    assert "watch" in run("list").stdout  # the empty-list hint
    assert run("remove", "9").exit_code == 2


def test_check_does_not_schedule_but_add_does(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>x</p>"), HTML)
    run("check", f"{site.url}/p")
    assert [(w["enabled"], w["schedule"]) for w in run.json("list")] == [(False, "unscheduled")]
    run("add", f"{site.url}/p")
    assert [(w["revisions"], w["schedule"]) for w in run.json("list")] == [(1, "interval")]


@pytest.mark.parametrize(
    "args,message",
    [
        (["check", "notaurl"], "not an http(s) URL"),
        (["check", "ftp://example.com/x"], "not an http(s) URL"),
        (["check", "https://example.com/x", "--platform", "nope"], "unknown platform 'nope'"),
        (["check", "https://example.com/x", "--selector", "p[["], "selector"),
        (["check", "https://example.com/x", "--field", "a..b"], "field"),
        (["add", "https://example.com/x", "--interval", "5x"], "--interval"),
        (["history", "https://never.example/"], "no watch"),
        (["history", "77"], "no watch with id 77"),
        (["check", "https://example.com/x", "-p", "mastodon"], "not a Mastodon status URL"),
        (
            ["check", "https://example.com/x", "-p", "json", "-s", "p"],
            "--selector does not apply to platform json",
        ),
        (
            ["add", "https://example.com/x", "-p", "web", "-f", "a"],
            "--field does not apply to platform web",
        ),
        (["check"], "Missing argument"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run: Cli, args: list[str], message: str):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_unusable_db_path_exits_2(tmp_path: Path, site: FakeSite):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["list", "--db", str(blocker / "w.db")])
    assert result.exit_code == 2
    assert "database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_config_exits_2_naming_the_key(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text("[http]\ntimout = 3\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["list", "-c", str(config), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "http.timout" in result.stderr


def test_bad_input_loses_nothing_stored(run: Cli, site: FakeSite):
    site.reply("/p", 200, page("<p>keep me</p>"), HTML)
    run("check", f"{site.url}/p")
    run("check", "notaurl")
    site.reply("/p", 200, "x" * 1000, {"content-type": "application/octet-stream"})
    run("check", f"{site.url}/p")
    assert run.json("history", "1")["revisions"][0]["post"]["text"] == "keep me"


def test_huge_response_is_refused(run: Cli, site: FakeSite):
    site.reply("/big", 200, b"<html>" + b"x" * (50 * 1024 * 1024), HTML)
    data = run.json("check", f"{site.url}/big")
    assert data["status"] == "failed"
    assert "cap" in data["reason"]


def test_redirect_loop_is_failed(run: Cli, site: FakeSite):
    site.reply("/a", 302, "", {"location": "/b"})
    site.reply("/b", 302, "", {"location": "/a"})
    result = run("check", f"{site.url}/a")
    assert result.exit_code == 3
    assert "redirect" in result.stdout


def test_gbk_page_and_emoji(run: Cli, site: FakeSite):
    body = page("<p>小米交付量超过2.8万台 👨‍👩‍👧 🇨🇳</p>").replace(
        "<head>", '<head><meta charset="gbk">'
    )
    site.reply("/gbk", 200, body.encode("gb18030"), {"content-type": "text/html"})
    data = run.json("check", f"{site.url}/gbk")
    assert "小米交付量超过2.8万台 👨‍👩‍👧 🇨🇳" in data["post"]["text"]


def test_commands_reach_the_database_only_through_the_app():
    """The CLI calls app-level names (`watcher/views.py`), never the store's."""
    sources = sorted((Path(__file__).parent.parent / "watcher" / "cli").glob("*.py"))
    assert {path.name for path in sources} >= {"base.py", "daemon.py", "posts.py"}
    mentions = {path.name for path in sources if ".store" in path.read_text(encoding="utf-8")}
    assert mentions == set()
