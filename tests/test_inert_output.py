"""Hostile text reaches the terminal inert: post text, titles, URLs and servers' messages are
printed as text through `check`, `history`, `diff`, `list`, `status` and `stats` — never read as
rich markup, their control and bidi characters shown (`\\x1b`, `<U+202E>`) instead of obeyed —
while watcher's own colours still work and `--json` keeps the exact data.

Through the real CLI (click's CliRunner) against pages, feeds and API answers on FakeSite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result

from tests.server import FakeSite
from tests.test_cli import HTML, JSON, Cli, page
from watcher.controls import visible

# name: (raw text a hostile post or server sends, what the terminal must show instead)
SAMPLES = {
    "clear-screen": ("\x1b[2J", "\\x1b[2J"),
    "colour": ("\x1b[31m", "\\x1b[31m"),
    "osc8-hyperlink": (
        "\x1b]8;;https://evil.example\aCLICK\x1b]8;;\a",
        "\\x1b]8;;https://evil.example\\x07CLICK\\x1b]8;;\\x07",
    ),
    "osc0-title": ("\x1b]0;pwned\a", "\\x1b]0;pwned\\x07"),
    "right-to-left-override": ("\u202e", "<U+202E>"),
    "rich-link": ("[link=https://evil.example]CLICK ME[/link]",) * 2,
    "rich-closing-tag": ("[/bold]",) * 2,
}
HOSTILE = [pytest.param(raw, shown, id=name) for name, (raw, shown) in SAMPLES.items()]
# XML 1.0 cannot carry C0 controls (a feed with one is refused as not XML), so feeds try the rest.
XML_SAFE = [
    pytest.param(raw, shown, id=name)
    for name, (raw, shown) in SAMPLES.items()
    if not re.search("[\x00-\x1f]", raw)
]

# What must never reach the terminal raw: C0 controls but newline and tab, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile("\x1b\\[[0-9;]*m")  # colour and style sequences, as rich writes its own
RSS = {"content-type": "application/rss+xml; charset=utf-8"}
STATUS_ID = "110000000000000001"


class Terminal(Cli):
    """The CLI with a wide, plain output (a table never cuts what a test looks for)."""

    def __init__(self, tmp_path: Path, site: FakeSite, **env: str | None) -> None:
        super().__init__(tmp_path, site)
        plain: dict[str, str | None] = {"COLUMNS": "1000", "FORCE_COLOR": None, "NO_COLOR": None}
        plain |= {"TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None}
        self.runner.env = plain | env


@pytest.fixture
def run(tmp_path: Path, site: FakeSite) -> Terminal:
    return Terminal(tmp_path, site)


def shows(result: Result, shown: str, code: int) -> None:
    """The command ended as it should, printed `shown` literally and nothing a terminal obeys."""
    assert not isinstance(result.exception, Exception), repr(result.exception)  # MarkupError
    assert result.exit_code == code, result.output
    assert not RAW.search(result.output), repr(result.output)
    assert shown in result.output, result.output


def rss(title: str, item: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://blog.example/</link><item><title>{item}</title>"
        "<link>https://blog.example/p/1</link><guid>item-1</guid>"
        f"<pubDate>Thu, 01 May 2025 08:00:00 GMT</pubDate><description>{item}</description>"
        "</item></channel></rss>"
    )


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_post_text_and_title_are_inert_in_check_history_and_diff(
    run: Terminal, site: FakeSite, raw: str, shown: str
):
    url = f"{site.url}/p"
    site.reply("/p", 200, page(f"<p>before {raw} after</p>", title=f"Title {raw}"), HTML)
    shows(run("check", url), shown, 0)
    site.reply("/p", 200, page(f"<p>before {raw} after {raw} again</p>", f"Title {raw}"), HTML)
    shows(run("check", url), shown, 1)  # the added words carry it too
    shows(run("history", "1"), shown, 0)
    shows(run("diff", "1"), shown, 0)
    shows(run("check", url), shown, 0)  # unchanged


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_a_url_is_inert_in_add_list_status_and_stats(
    run: Terminal, site: FakeSite, raw: str, shown: str
):
    raw, shown = raw.replace(" ", "%20"), shown.replace(" ", "%20")  # a URL has no spaces
    url = f"{site.url}/feed.xml?tag={raw}"
    shows(run("add", url), shown, 0)
    shows(run("list"), shown, 0)
    shows(run("status"), shown, 0)
    shows(run("stats", "1"), shown, 0)
    shows(run("history", "1"), shown, 0)


@pytest.mark.parametrize(("raw", "shown"), XML_SAFE)
def test_a_feed_title_is_inert_in_check_and_the_item_in_history(
    run: Terminal, site: FakeSite, raw: str, shown: str
):
    site.reply("/feed.xml", 200, rss(f"Feed {raw}", f"Item {raw}"), RSS)
    url = f"{site.url}/feed.xml"
    shows(run("check", url), shown, 0)
    shows(run("check", url), shown, 0)  # and the check was stored once
    (account, item) = run.json("list", "--all")
    shows(run("history", str(item["id"])), shown, 0)
    shows(run("stats", str(account["id"])), url, 0)


def test_a_url_that_answers_500_does_not_break_check_or_status(run: Terminal, site: FakeSite):
    for path in ("/e500/[/bold]", "/e500/%5B/bold%5D"):  # asked for as given, or as redirected
        site.reply(path, 500, "oops", HTML)
    site.reply("/r", 302, "", {"location": "/e500/[/bold]"})
    for url in (f"{site.url}/e500/[/bold]", f"{site.url}/r"):
        run("add", url)
        shows(run("check", url), "HTTP 500", 3)
    status = run("status")
    shows(status, f"{site.url}/e500/[/bold]", 0)
    assert status.output.count("backing off: HTTP 500") == 2


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_a_server_message_is_inert_in_check_and_status(
    run: Terminal, site: FakeSite, raw: str, shown: str
):
    body = json.dumps({"error": f"login {raw} first"})
    site.reply(f"/api/v1/statuses/{STATUS_ID}", 401, body, JSON)
    url = f"https://social.example/@ann/{STATUS_ID}"
    run("add", url)
    shows(run("check", url), f"login {shown} first", 3)
    shows(run("status"), f"login {shown} first", 0)


def test_an_error_line_is_inert(run: Terminal):
    result = run("check", "https://social.example/\x1b[2J\u202e", "--platform", "mastodon")
    shows(result, "\\x1b[2J<U+202E>", 2)
    assert result.output.startswith("watcher: error: ")


def test_on_a_colour_terminal_own_colours_stay_and_hostile_sequences_do_not(
    tmp_path: Path, site: FakeSite
):
    run = Terminal(tmp_path, site, FORCE_COLOR="1", TERM="xterm-256color")
    hostile = "\x1b[2J\x1b]8;;https://evil.example\aCLICK\x1b]8;;\a\x1b]0;pwned\a\u202e"
    hostile += "[link=https://evil.example]CLICK ME[/link][/bold]"
    site.reply("/p", 200, page(f"<p>before {hostile} after</p>"), HTML)
    run("check", f"{site.url}/p")
    site.reply("/p", 200, page(f"<p>before {hostile} after more</p>"), HTML)
    edited = run("check", f"{site.url}/p")
    assert edited.exit_code == 1, edited.output
    assert SGR.search(edited.output)  # watcher's own colours: the status, the diff
    assert "{+" not in edited.output  # colour carries the change: no textual marks
    uncoloured = SGR.sub("", edited.output)
    assert not RAW.search(uncoloured), repr(uncoloured)
    assert visible(hostile) in uncoloured


def test_json_keeps_the_exact_text(run: Terminal, site: FakeSite):
    raw = "\x1b[2J \u202e [/bold]"
    site.reply("/p", 200, page(f"<p>before {raw} after</p>"), HTML)
    data = run.json("check", f"{site.url}/p")
    assert raw in data["post"]["text"]


def test_visible_spells_out_controls_and_keeps_every_other_character():
    controls = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t\r"]
    bidi = ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F))]
    bidi += [chr(c) for c in range(0x2066, 0x206A)]
    for char in controls + bidi:
        shown = visible(char)
        assert shown != char and not RAW.search(shown)
    assert visible("\x1b") == "\\x1b" and visible("\x9b") == "\\x9b"
    assert visible("\u202e") == "<U+202E>"
    assert visible("safe\rEVIL\r\nnext") == "safe\nEVIL\nnext"  # nothing overwrites its line
    text = "Hello\tworld\n莫言说：第二段 😀 שלום مرحبا [b]x[/b]"
    assert visible(text) == text
