"""`watcher digest` (issue 10, item 2): the synthetic week of `conftest.write_week` printed as
JSON, text that fits 80 columns, Markdown and HTML that quote hostile posts as text, sparklines
in every format, and one-line usage errors; and the digest as each channel format's message."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from tests.conftest import ACCOUNT, Week, cst, write_week
from watcher.app import App
from watcher.cli import cli
from watcher.digest import Photo, iso_week
from watcher.render import FORMATS, LIMITS
from watcher.render.digest import digest_message, render_digest, sparkline
from watcher.settings import Settings
from watcher.store import Store

HOSTILE = (
    "<script>alert(1)</script> **bold** [x](javascript:alert(1)) `code` _it_ \x1b[31mred "
    "<img src=x onerror=alert(1)> &amp; | table | # heading"
)
LONG = (
    "雷军："
    + "小米汽车的交付进度比预期快很多，感谢每一位用户的耐心等待。" * 6
    + " and an English tail"
)


class Run:
    def __init__(self, tmp_path: Path) -> None:
        self.db = str(tmp_path / "w.db")
        self.config = tmp_path / "c.toml"
        self.config.write_text("", encoding="utf-8")

    def __call__(self, *args: str) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["digest", *args, "--db", self.db, "-c", str(self.config)])


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)


@pytest.fixture
def week(run: Run) -> Week:
    store = Store(f"sqlite:///{run.db}")
    try:
        written = write_week(store)
        written.post("long", cst(28, 10), LONG, likes=100_000, reposts=1, replies=1)
        images = {"images": 1}
        written.post("hostile", cst(29, 10), HOSTILE, likes=90_000, **images)
        return written
    finally:
        store.close()


def printed(run: Run, *args: str) -> str:
    result = run(ACCOUNT, "--week", "2025-W22", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_is_one_object_with_every_part(run: Run, week: Week):
    data = json.loads(printed(run, "--json", "--top", "3"))
    assert set(data) >= {
        "account",
        "period",
        "posts",
        "previous_posts",
        "per_day",
        "top",
        "photo",
        "edits",
        "deletions",
        "restorations",
        "silences",
    }
    assert data["account"]["author"] == "雷军" and data["period"]["tz"] == "Asia/Shanghai"
    assert (data["posts"], data["previous_posts"], len(data["top"])) == (42, 25, 3)
    assert [t["url"] for t in data["top"]] == [week.urls[n] for n in ("long", "hostile", "A")]
    assert data["top"][1]["text"] == HOSTILE  # JSON carries the text as it is
    image = "https://wx1.sinaimg.cn/large/5066.jpg"
    assert data["photo"] == {"url": image, "post_url": week.urls["hostile"]}
    assert "invent it." in " ".join(data["edits"][0]["removed"])
    assert set(data["per_day"][0]) == {"date", "posts", "interactions"}
    assert data["sparklines"]["posts"] == sparkline([d["posts"] for d in data["per_day"]])


def test_since_and_until_name_the_same_week(run: Run, week: Week):
    by_week = json.loads(printed(run, "--json"))
    result = run(ACCOUNT, "--since", "2025-05-26", "--until", "2025-06-01", "--json")
    assert json.loads(result.stdout) == by_week


def test_text_fits_80_columns_with_sparklines_and_every_section(run: Run, week: Week):
    text = printed(run)
    for line in text.splitlines():
        assert cell_len(line) <= 80 or line.strip().startswith("https://"), line
    assert "posts         42 (previous week: 25, +17)" in text
    assert re.search(r"^ {14}[▁▂▃▅▇]{7}$", text, re.MULTILINE)
    for title in ("Top posts", "Most engaging post with an image", "Edits", "Deletions"):
        assert f"\n{title}" in text
    assert "小米汽车" in text and "\x1b" not in text  # the escape is spelled out, not sent
    assert "removed: “The best way to predict the future is to invent it.”" in text


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_quote_hostile_posts_as_text(run: Run, week: Week, fmt: str):
    out = printed(run, "--format", fmt)
    assert "<script>" not in out and "<img src=x" not in out and "\x1b" not in out
    assert '="javascript' not in out and "(<javascript" not in out  # no link or image to it
    assert sparkline([8, 6, 1, 1, 10, 9, 7]) in out  # posts per day (one of ours on Wed, Thu)
    if fmt == "md":
        assert r"\*\*bold\*\*" in out and r"\[x\]\(javascript\:alert\(1\)\)" in out
        assert "![image](<https://wx1.sinaimg.cn/large/5066.jpg>)" in out
    else:
        assert "&lt;script&gt;" in out and "**bold**" in out
        assert '<img src="https://wx1.sinaimg.cn/large/5066.jpg"' in out


def test_an_image_or_link_that_is_not_http_is_shown_as_text(run: Run, week: Week):
    with App(Settings(), db=run.db) as app:
        found = app.digest(ACCOUNT, iso_week("2025-W22", "Asia/Shanghai"), 3, None)
    bad = replace(found, photo=Photo("javascript:alert(1)", "javascript:alert(2)"))
    markdown, html = render_digest(bad, "markdown"), render_digest(bad, "html")
    assert "(<javascript" not in markdown and r"javascript\:alert\(1\)" in markdown
    assert 'src="javascript' not in html and 'href="javascript' not in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--week", "2025-W60"), "--week 2025-W60: 2025 has no week 60"),
        (("--week", "May"), "is not an ISO week"),
        (("--week", "2025-W22", "--since", "2025-05-01"), "--week or --since/--until"),
        (("--until", "2025-05-01"), "--until needs --since"),
        (("--since", "2025-06-02", "--until", "2025-06-01"), "--until must come after --since"),
        (("--since", "last tuesday"), "--since 'last tuesday': give an ISO date or time"),
        (("--json", "--format", "md"), "--json or --format, not both"),
        (("--tz", "Mars/Olympus"), "--tz"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    run: Run, week: Week, args: tuple[str, ...], message: str
):
    result = run(ACCOUNT, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_post_or_an_unknown_account_is_refused(run: Run, week: Week):
    result = run(week.urls["A"])
    assert result.exit_code == 2 and "is a post, not an account" in result.stderr
    result = run("https://weibo.com/u/1")
    assert result.exit_code == 2 and "no watch for" in result.stderr


def test_the_default_is_the_last_full_week_in_the_accounts_zone(run: Run, week: Week):
    result = run(ACCOUNT, "--json")
    period = json.loads(result.stdout)["period"]
    assert period["tz"] == "Asia/Shanghai" and period["start"].endswith("T00:00:00+08:00")
    result = run(ACCOUNT, "--week", "--tz", "UTC", "--json")  # a bare --week: the same
    assert json.loads(result.stdout)["period"]["tz"] == "UTC"


def test_sparklines():
    assert (sparkline([]), sparkline([0, 0])) == ("", "▁▁")
    assert sparkline([0, 1, 2, 3, 4]) == "▁▂▃▅▇"
    assert sparkline([1, 1000]) == "▂▇"  # a day with anything never looks empty


def test_an_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown digest format"):
        render_digest(None, "pdf")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_channel_gets_the_digest_in_its_format_within_its_limit(run: Run, week: Week, fmt: str):
    with App(Settings(), db=run.db) as app:
        found = app.digest(ACCOUNT, iso_week("2025-W22", "Asia/Shanghai"), 5, None)
    sent = digest_message(found, fmt)
    assert (sent.title, sent.type) == ("📊 Weekly digest — 雷军 on Weibo", "info")
    assert all(len(body) <= LIMITS[fmt] for body in sent.bodies)
    whole = "".join(sent.bodies)
    assert "\x1b" not in whole and "\\x1b" in whole  # spelled out
    if fmt != "text":  # elsewhere a tag in a post is text: escaped as the format escapes
        assert not re.search(r"(?<!\\)<(script|img src=x)", whole)
    assert sparkline([8, 6, 1, 1, 10, 9, 7]) in whole
    assert "invent it." in whole and "m.weibo.cn/detail/5066" in whole
    short = digest_message(found, fmt, limit=700).bodies
    assert len(short) > 1 and all(len(body) <= 700 for body in short)
    assert "(2/" in short[1][:50] and "Weekly digest" in short[1][:100]  # it says what it is
