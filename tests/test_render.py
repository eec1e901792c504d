from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser

import pytest
import regex

from watcher.differ import added, diff_texts, removed
from watcher.model import Diff, EventKind
from watcher.render import FORMATS, LIMITS, MAX_PARTS, Alert, format_for_url, measure, render

ZWSP, WJ = "\u200b", "\u2060"
GRAPHEME = regex.compile(r"\X")
OLD_AT = datetime(2025, 6, 1, 14, 2, tzinfo=UTC)
NEW_AT = datetime(2025, 6, 1, 15, 40, tzinfo=UTC)
LINK = "https://mastodon.social/@alice/110"
HUG = {"slack-mrkdwn", "discord-md"}  # marks hug visible text
SPECIALS = "<b> *bold* ~x~ _u_ `c` & [a](b) 👨‍👩‍👧 🇨🇳"

Chars = list[tuple[str, str]]  # (character, style) — what a reader sees


def alert(kind: EventKind, **fields: object) -> Alert:
    base: dict[str, object] = {
        "platform": "mastodon",
        "author": "@alice@mastodon.social",
        "link": LINK,
        "at": NEW_AT,
    }
    return Alert(kind, **(base | fields))  # type: ignore[arg-type]


@cache
def diff_of(old: str, new: str) -> Diff:
    return diff_texts(old, new)


def edit(old: str, new: str, **fields: object) -> Alert:
    return alert(
        EventKind.EDITED,
        old_at=OLD_AT,
        new_at=NEW_AT,
        old_text=old,
        new_text=new,
        diff=diff_of(old, new),
        **fields,
    )


# --- un-render: what each channel would show, character by character, with its style --------


class TagReader(HTMLParser):
    """Collects text by the set of open tags; fails on unknown or unbalanced tags."""

    def __init__(self, styles: dict[tuple[str, ...], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.styles = styles
        self.stack: list[str] = []
        self.chars: Chars = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.chars.append(("\n", self.style()))
            return
        self.stack.append(tag)
        assert tuple(self.stack) in self.styles, f"unexpected tags {self.stack}"

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.chars += [(char, self.style()) for char in data]

    def style(self) -> str:
        return self.styles[tuple(self.stack)]


TG_STYLES = {
    (): "plain",
    ("b",): "strong",
    ("b", "u"): "added",
    ("s",): "removed",
    ("blockquote",): "quote",
    ("a",): "link",
}
HTML_STYLES = {
    (): "plain",
    ("strong",): "strong",
    ("ins",): "added",
    ("del",): "removed",
    ("blockquote",): "quote",
    ("a",): "link",
}
FRAME = ('<div style="white-space:pre-wrap">', "</div>")


def read_tags(body: str, styles: dict[tuple[str, ...], str]) -> Chars:
    reader = TagReader(styles)
    reader.feed(body)
    reader.close()
    assert not reader.stack, f"unclosed {reader.stack}"
    return reader.chars


def slack_spans(text: str) -> list[tuple[int, int]]:
    """Pairs of mark characters that a Slack-like parser turns into formatting.

    The model (an assumption about Slack, documented in watcher.render): a mark character opens
    when it follows the start, a space or a non-alphanumeric character and visible text follows
    it; it closes when visible text precedes it and the end, a space or a non-alphanumeric
    character follows. Zero-width space counts as a space; word joiner as visible.
    """
    spaces = set(" \t\n") | {ZWSP}
    spans: list[tuple[int, int]] = []
    open_at: dict[str, int] = {}
    for i, char in enumerate(text):
        if char == "\n":
            open_at.clear()
        if char not in "*~_`":
            continue
        prev, nxt = text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""
        can_open = (not prev or not prev.isalnum()) and bool(nxt) and nxt not in spaces
        can_close = bool(prev) and prev not in spaces and (not nxt or not nxt.isalnum())
        if char in open_at and can_close and i > open_at[char] + 1:
            spans.append((open_at.pop(char), i))
        elif can_open:
            open_at[char] = i
    return spans


LINKED = "\ue000"  # stands for a character of a `<url>` while marks are read


def read_slack(body: str) -> Chars:
    """A `<url>` shows its URL, in the style of the marks around it (bold, struck or plain)."""
    links: list[str] = []

    def hold(found: re.Match[str]) -> str:
        links.append(found.group()[1:-1].replace("&amp;", "&"))
        return LINKED * len(links[-1])

    text = re.sub(r"<[^<>]*>", hold, body)
    styles = ["plain"] * len(text)
    for a, b in slack_spans(text):
        styles[a + 1 : b] = [{"*": "bold", "~": "removed"}[text[a]]] * (b - a - 1)
        styles[a] = styles[b] = "mark"
    styled = [
        (char, style)
        for char, style in zip(text, styles, strict=True)
        if style != "mark" and char not in (ZWSP, WJ)
    ]
    linked = iter("".join(links))
    return [(next(linked) if c == LINKED else c, s) for c, s in unescape_entities(styled)]


def unescape_entities(chars: Chars) -> Chars:
    out: Chars = []
    i = 0
    while i < len(chars):
        for entity, char in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
            if "".join(c for c, _ in chars[i : i + len(entity)]) == entity:
                out.append((char, chars[i][1]))
                i += len(entity)
                break
        else:
            out.append(chars[i])
            i += 1
    return out


# Discord's link rule, then the punctuation it leaves out of a link's end (shown as is).
DISCORD_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s][.,:;\"')\]]*")


def read_discord(body: str) -> Chars:
    chars: Chars = []
    bold = strike = False
    i = 0
    while i < len(body):
        style = "bold" if bold else "removed" if strike else "plain"
        url = DISCORD_URL.match(body, i)
        if url:
            chars += [(c, style) for c in url.group()]
            i = url.end()
        elif body[i] == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
            chars.append((body[i + 1], style))
            i += 2
        elif body.startswith("**", i):
            bold, i = not bold, i + 2
        elif body.startswith("~~", i):
            strike, i = not strike, i + 2
        elif body[i] == "<":
            end = body.index(">", i)
            chars += [(c, "link") for c in body[i + 1 : end]]
            i = end + 1
        else:
            assert body[i] not in "*_~`|<>#[]@", f"unescaped {body[i]!r} at {i}: {body!r}"
            chars.append((body[i], style))
            i += 1
    assert not bold and not strike, f"unclosed mark in {body!r}"
    return chars


def read_text(body: str) -> Chars:
    chars: Chars = []
    for match in re.finditer(r"\[-(.*?)-\]|\{\+(.*?)\+\}|(.)", body, re.DOTALL):
        style = "removed" if match[1] is not None else "added" if match[2] is not None else ""
        chars += [(c, style or "plain") for c in match.group(match.lastindex or 0)]
    return chars


def unrender(fmt: str, body: str) -> Chars:
    if fmt == "telegram-html":
        return read_tags(body, TG_STYLES)
    if fmt == "html":
        assert body.startswith(FRAME[0]) and body.endswith(FRAME[1])
        return read_tags(body[len(FRAME[0]) : -len(FRAME[1])], HTML_STYLES)
    if fmt == "slack-mrkdwn":
        return read_slack(body)
    if fmt == "discord-md":
        return read_discord(body)
    return read_text(body)


def read_parts(fmt: str, parts: tuple[str, ...]) -> list[Chars]:
    """What readers see of each part, without the part numbers (checked here) and, after the
    first part, the header's first line that each part repeats."""
    out = []
    headline = ""
    for number, body in enumerate(parts, 1):
        part = unrender(fmt, body)
        if len(parts) > 1:
            prefix = f"({number}/{len(parts)}) "
            assert "".join(c for c, _ in part[: len(prefix)]) == prefix
            part = part[len(prefix) :]
        if len(parts) > 1 and number == 1:
            headline = plain(part).split("\n")[0] + "\n"
        elif len(parts) > 1 and plain(part).startswith(headline):  # unless it is too long
            part = part[len(headline) :]
        out.append(part)
    return out


def seen(fmt: str, parts: tuple[str, ...]) -> Chars:
    """All parts as one reader's view."""
    return [char for part in read_parts(fmt, parts) for char in part]


def plain(chars: Chars) -> str:
    return "".join(c for c, _ in chars)


def expected(fmt: str, pieces: list[tuple[str, str]]) -> Chars:
    """(text, style) pieces as `fmt` can show them."""
    out: Chars = []
    for text, style in pieces:
        shown = style
        if fmt in HUG and style in ("added", "strong"):
            shown = "bold"
        if fmt in ("text", "slack-mrkdwn", "discord-md") and style == "quote":
            shown = "plain"
        if fmt in HUG and style in ("added", "removed"):  # edge whitespace stays outside marks
            for line in re.split(r"(\n)", text):
                core = line.strip()
                lead = len(line) - len(line.lstrip())
                out += [(c, "plain") for c in line[:lead]] + [(c, shown) for c in core]
                out += [(c, "plain") for c in line[lead + len(core) :]]
        else:
            out += [(c, shown) for c in text]
    return out


def diff_pieces(old: str, new: str) -> list[tuple[str, str]]:
    names = {-1: "removed", 0: "plain", 1: "added"}
    return [(text, names[op]) for op, text in diff_of(old, new)]


def check_parts(fmt: str, parts: tuple[str, ...], limit: int) -> Chars:
    """Every part within the limit, well-formed and numbered; returns what readers see."""
    assert parts
    for body in parts:
        assert measure(fmt, body) <= limit
    per_part = read_parts(fmt, parts)
    # No grapheme cluster (emoji, flag, accented letter) was split between parts.
    clusters = [cluster for part in per_part for cluster in GRAPHEME.findall(plain(part))]
    assert clusters == GRAPHEME.findall("".join(clusters))
    return [char for part in per_part for char in part]


# --- API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("tgram://123:abc/456", "telegram-html"),
        ("TGRAM://123:abc/456", "telegram-html"),
        ("slack://T1/B2/C3", "slack-mrkdwn"),
        ("https://hooks.slack.com/services/T1/B2/C3", "slack-mrkdwn"),
        ("discord://1/abc", "discord-md"),
        ("https://discord.com/api/webhooks/1/abc", "discord-md"),
        ("mailto://user:pw@example.com", "html"),
        ("mailtos://user:pw@example.com", "html"),
        ("json://localhost:8080/hook", "text"),
        ("ntfy://topic", "text"),
    ],
)
def test_format_for_url(url: str, fmt: str) -> None:
    assert format_for_url(url) == fmt


def test_limits_and_measure() -> None:
    assert FORMATS == ("telegram-html", "slack-mrkdwn", "discord-md", "html", "text")
    assert LIMITS == {
        "telegram-html": 4096,
        "slack-mrkdwn": 3000,
        "discord-md": 2000,
        "html": 100_000,
        "text": 4000,
    }
    assert measure("telegram-html", "a👍中") == 4  # the emoji is two UTF-16 units
    assert measure("text", "a👍中") == 3


def test_unknown_format_and_tiny_limit() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(alert(EventKind.NEW, new_text="x"), "markdown")
    with pytest.raises(ValueError, match="below the minimum"):
        render(alert(EventKind.NEW, new_text="x"), "text", limit=50)


# --- header ---------------------------------------------------------------------------------

HEADERS = [
    (EventKind.NEW, "🆕", "New"),
    (EventKind.EDITED, "✏️", "Edited"),
    (EventKind.DELETED, "🗑", "Deleted"),
    (EventKind.REMOVED, "🚫", "Removed by the platform"),
    (EventKind.RESTORED, "♻️", "Restored"),
    (EventKind.HIDDEN, "🙈", "Hidden"),
    (EventKind.BLOCKED, "⛔", "Blocked"),
    (EventKind.BROKEN, "🔧", "Broken"),
]
LINK_SYNTAX = {
    "telegram-html": f'<a href="{LINK}">{LINK}</a>',
    "slack-mrkdwn": f"<{LINK}>",
    "discord-md": f"<{LINK}>",
    "html": f'<a href="{LINK}">{LINK}</a>',
    "text": LINK,
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("kind", "emoji", "word"), HEADERS)
def test_header(fmt: str, kind: EventKind, emoji: str, word: str) -> None:
    event = alert(
        kind,
        old_at=OLD_AT,
        new_at=NEW_AT,
        old_text="before",
        new_text="after",
        detail="some detail",
    )
    (body,) = render(event, fmt)
    first_line, when = plain(unrender(fmt, body)).split("\n")[:2]
    assert first_line == f"{emoji} {word} — @alice@mastodon.social on Mastodon"
    assert when == WHEN[kind]
    assert LINK_SYNTAX[fmt] in body
    assert "some detail" in plain(unrender(fmt, body))


# The second line: when it happened (changed by issue 13: it was the first line's end).
WHEN = {
    EventKind.NEW: "Found 2025-06-01 15:40 UTC",
    EventKind.EDITED: "Edited between 2025-06-01 14:02 and 15:40 UTC",
    EventKind.DELETED: "Gone by 2025-06-01 15:40 UTC",
    EventKind.REMOVED: "Gone by 2025-06-01 15:40 UTC",
    EventKind.RESTORED: "Back 2025-06-01 15:40 UTC",
    EventKind.HIDDEN: "Since 2025-06-01 15:40 UTC",
    EventKind.BLOCKED: "Since 2025-06-01 15:40 UTC",
    EventKind.BROKEN: "Since 2025-06-01 15:40 UTC",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_without_author(fmt: str) -> None:
    """A web page without an author and a title: the site says where."""
    (body,) = render(alert(EventKind.NEW, author="", platform="web", new_text="hi"), fmt)
    shown = plain(unrender(fmt, body))
    assert shown.startswith("🆕 New on mastodon.social\nFound 2025-06-01 15:40 UTC\n")


def test_header_is_bold_and_author_is_escaped() -> None:
    event = alert(EventKind.NEW, author="<i>@everyone*", new_text="hi")
    assert render(event, "telegram-html")[0].startswith("<b>🆕 New</b> — &lt;i&gt;@everyone*")
    assert render(event, "discord-md")[0].startswith(r"**🆕 New** — \<i\>\@everyone\*")


# --- marks ----------------------------------------------------------------------------------

MARKS = {
    "telegram-html": "the <s>quick</s><b><u>slow</u></b> brown fox",
    "slack-mrkdwn": f"the {ZWSP}~quick~{ZWSP}{ZWSP}*slow*{ZWSP} brown fox",
    "discord-md": "the ~~quick~~**slow** brown fox",
    "html": (
        'the <del style="color:#a0101c;background:#fde4e4">quick</del>'
        '<ins style="color:#0a5c1a;background:#dff5e1">slow</ins> brown fox'
    ),
    "text": "the [-quick-]{+slow+} brown fox",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_marks(fmt: str) -> None:
    (body,) = render(edit("the quick brown fox", "the slow brown fox"), fmt)
    assert MARKS[fmt] in body


@pytest.mark.parametrize("fmt", sorted(HUG))
def test_marks_hug_text(fmt: str) -> None:
    """Whitespace moves outside a mark, and a mark never spans a line break."""
    old, new = "alpha omega", "alpha beta gamma\ndelta omega"
    (body,) = render(edit(old, new), fmt)
    if fmt == "discord-md":
        assert body.endswith("alpha **beta gamma**\n**delta** omega")
    else:
        assert body.endswith(f"alpha {ZWSP}*beta gamma*{ZWSP}\n{ZWSP}*delta*{ZWSP} omega")
    chars = seen(fmt, (body,))
    assert chars[-len(new) :] == expected(fmt, diff_pieces(old, new))
    assert ("\n", "plain") in chars[-len(new) :]


# --- edits: whole text, passages, more changes ----------------------------------------------

WORDS = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()


def words(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(WORDS) for _ in range(count)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_short_edit_shows_whole_text(fmt: str) -> None:
    old = "Start of the post. " + " ".join(words(random.Random(1), 40)) + " the end."
    new = old.replace("the end", "THE END")
    parts = render(edit(old, new), fmt)
    assert len(parts) == 1
    chars = seen(fmt, parts)
    assert chars[-len(old) - 7 :] == expected(fmt, diff_pieces(old, new))


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_edit_shows_passages(fmt: str) -> None:
    rng = random.Random(2)
    old = "FIRSTWORD " + " ".join(words(rng, 400)) + " middle " + " ".join(words(rng, 400))
    new = old.replace(" middle ", " CENTRE ")
    parts = render(edit(old, new), fmt)
    text = plain(seen(fmt, parts))
    assert len(parts) == 1
    assert "FIRSTWORD" not in text
    assert "…" in text
    assert "middle" in text and "CENTRE" in text
    assert "more change" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_changes_are_counted(fmt: str) -> None:
    rng = random.Random(3)
    old_words = words(rng, 3000)
    new_words = [w.upper() if i % 10 == 5 else w for i, w in enumerate(old_words)]
    limit = 600
    parts = render(edit(" ".join(old_words), " ".join(new_words)), fmt, limit)
    assert 1 < len(parts) <= MAX_PARTS
    chars = check_parts(fmt, parts, limit)
    shown = plain(chars)
    found = re.search(r"… (\d+) more changes: ", shown)
    assert found and shown.endswith(LINK)
    body = "".join("+" if style in ("added", "bold") else "." for _, style in chars)
    body = body[shown.index("\n\n") :]  # after the header
    shown_changes = len(re.findall(r"\++", body))  # runs of added text
    assert shown_changes >= 5
    assert shown_changes + int(found[1]) == 300


@pytest.mark.parametrize("fmt", FORMATS)
def test_short_edit_that_does_not_fit_shows_passages(fmt: str) -> None:
    old = " ".join(words(random.Random(6), 90))
    new = old[:10] + " NEW " + old[10:-10] + " END " + old[-10:]
    assert len(old) < 600
    parts = render(edit(old, new), fmt, 250)
    shown = plain(check_parts(fmt, parts, 250))
    assert "…" in shown and "NEW" in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_huge_change_is_cut(fmt: str) -> None:
    old = "keep " + "本" * 30_000 + " keep"
    new = "keep new keep"
    parts = render(edit(old, new), fmt, 1000)
    assert len(parts) <= MAX_PARTS
    shown = plain(check_parts(fmt, parts, 1000))
    assert "… 1 more change" in shown


# --- deleted, restored, new, problems -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_deletion_quotes_full_text(fmt: str) -> None:
    text = "\n".join(f"line {i}: {SPECIALS}" for i in range(120))
    event = alert(EventKind.DELETED, old_at=OLD_AT, old_text=text, detail="HTTP 404 Not Found")
    parts = render(event, fmt, 1000)
    assert len(parts) > 3
    chars = check_parts(fmt, parts, 1000)
    assert "Mastodon answered 404 Not Found\n" in plain(chars)
    assert "Last version, stored 2025-06-01 14:02 UTC:\n" in plain(chars)
    assert chars[-len(text) :] == expected(fmt, [(text, "quote")])


@pytest.mark.parametrize("fmt", FORMATS)
def test_restored_says_how_long_it_was_gone(fmt: str) -> None:
    event = alert(EventKind.RESTORED, new_text="back again", detail="gone for 2h 30m")
    (body,) = render(event, fmt)
    shown = plain(unrender(fmt, body))
    assert "\ngone for 2h 30m\n" in shown
    assert shown.endswith("\n\nback again")


@pytest.mark.parametrize("fmt", FORMATS)
def test_restored_with_changes_shows_the_diff(fmt: str) -> None:
    old, new = "it was here", "it is here"
    event = alert(
        EventKind.RESTORED, old_text=old, new_text=new, diff=diff_of(old, new), detail="gone"
    )
    chars = seen(fmt, render(event, fmt))
    assert chars[-len("it wasis here") :] == expected(fmt, diff_pieces(old, new))


@pytest.mark.parametrize("fmt", FORMATS)
def test_new_post(fmt: str) -> None:
    chars = seen(fmt, render(alert(EventKind.NEW, new_text=SPECIALS), fmt))
    assert chars[-len(SPECIALS) :] == expected(fmt, [(SPECIALS, "plain")])


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_new_post_is_cut(fmt: str) -> None:
    text = " ".join(words(random.Random(4), 3000))
    parts = render(alert(EventKind.NEW, new_text=text), fmt, 500)
    assert len(parts) == MAX_PARTS
    shown = plain(check_parts(fmt, parts, 500))
    found = re.search(r"…\n\n… (\d+) more characters: ", shown)
    assert found
    body = shown[shown.index("\n\n") + 2 : found.start()]
    assert text.startswith(body) and len(body) + int(found[1]) == len(text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", [EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN])
def test_problems_are_one_short_message(fmt: str, kind: EventKind) -> None:
    (body,) = render(alert(kind, detail="captcha <b>" + "x" * 3000), fmt)
    shown = plain(unrender(fmt, body))
    assert "captcha <b>x" in shown and shown.endswith("x…\n")
    assert len(shown) < 800


# --- escaping -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_specials_round_trip(fmt: str) -> None:
    """Post text shows exactly as written; only our marks format it."""
    old = f"a {SPECIALS} z"
    new = f"a {SPECIALS.replace('~x~', '~y~ *new*')} z [-not a mark-]"
    chars = seen(fmt, render(edit(old, new), fmt))
    if fmt == "text":  # no escaping in plain text: our markers and the post's look alike
        assert plain(chars).endswith("z [-not a mark-]")
        return
    pieces = diff_pieces(old, new)
    edges = [text.strip()[:: len(text.strip()) - 1] for text, style in pieces if style != "plain"]
    assert any(c in "*~" for edge in edges for c in edge)  # marks around the post's mark chars
    assert chars[-len(plain(expected(fmt, pieces))) :] == expected(fmt, pieces)


def test_slack_post_marks_cannot_format() -> None:
    """Post `*bold*` and `~x~` stay literal under the Slack model; our marks do format."""
    (body,) = render(edit("*bold* and ~x~ stay", "*bold* and ~x~ still stay"), "slack-mrkdwn")
    tail = body[body.index("\n\n") :]
    spans = slack_spans(tail)
    assert [tail[a + 1 : b] for a, b in spans] == ["still"]  # only ours
    assert f"{ZWSP}*{ZWSP}bold{ZWSP}*{ZWSP}" in tail and f"{ZWSP}~{ZWSP}x{ZWSP}~{ZWSP}" in tail
    # A mark around a fenced character gets a word joiner, so it still touches visible text.
    (body,) = render(edit("x", "x *"), "slack-mrkdwn")
    assert body.endswith(f" {ZWSP}*{WJ}{ZWSP}*{ZWSP}{WJ}*{ZWSP}")
    tail = body[body.index("\n\n") :]
    assert [tail[a : b + 1] for a, b in slack_spans(tail)] == [f"*{WJ}{ZWSP}*{ZWSP}{WJ}*"]


def test_discord_keeps_urls_raw_and_escapes_lists() -> None:
    text = "see https://en.wikipedia.org/wiki/Foo_(bar). and\n1. first\n# not a heading"
    (body,) = render(alert(EventKind.NEW, new_text=text), "discord-md")
    assert "https://en.wikipedia.org/wiki/Foo_(bar). and\n1\\. first\n\\# not" in body
    assert plain(seen("discord-md", (body,))).endswith(text)


# --- limits ---------------------------------------------------------------------------------

MIXED = ["word", "text", "更新", "内容", "👨‍👩‍👧", "🇨🇳", "é", "e\u0301", "*", "_", "&", "<", "\n"]


def mixed_text(rng: random.Random, size: int) -> str:
    pieces: list[str] = []
    length = 0
    while length < size:
        piece = rng.choice(MIXED) + rng.choice([" ", "", "", "。"])
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces)[:size]


@pytest.fixture(scope="module")
def long_edit() -> tuple[str, str, list[str]]:
    rng = random.Random(5)
    old = mixed_text(rng, 20_000)
    new = old
    changes = []
    for i in range(15):
        at = new.find(" ", 1300 * i + 100) + 1
        word = f"CHANGE{i}"
        new = new[:at] + word + " " + new[at:]
        changes.append(word)
    return old, new, changes


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_mixed_edit_within_limits(fmt: str, long_edit: tuple[str, str, list[str]]) -> None:
    old, new, changes = long_edit
    assert len(old) == 20_000
    for limit in (LIMITS[fmt], 700):
        parts = render(edit(old, new), fmt, limit)
        shown = plain(check_parts(fmt, parts, limit))
        assert len(parts) <= MAX_PARTS
        missing = [word for word in changes if word not in shown]
        assert not missing or "more change" in shown
        if limit == LIMITS[fmt] and fmt != "discord-md":
            assert not missing


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_mixed_deletion_is_complete(fmt: str, long_edit: tuple[str, str, list[str]]) -> None:
    old = long_edit[0]
    parts = render(alert(EventKind.REMOVED, old_text=old), fmt)
    chars = check_parts(fmt, parts, LIMITS[fmt])
    assert plain(chars).endswith(old)
    if fmt != "html":
        assert len(parts) > 4


def test_telegram_counts_utf16() -> None:
    text = "👍" * 3000  # 3,000 characters, 6,000 UTF-16 units
    parts = render(alert(EventKind.DELETED, old_text=text), "telegram-html")
    assert len(parts) == 2
    assert all(measure("telegram-html", p) <= 4096 for p in parts)


# --- property-style -------------------------------------------------------------------------

ALPHABET = [*MIXED, " ", " ", "a", "b", "~", "`", ">", "#", "-", "[", "]", "(", ")", "@", ":"]
ALPHABET += ["1.", "|", "\\", "&amp;", "https://x.org/a_b", "\t"]


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(size))


def test_random_texts_and_limits() -> None:
    rng = random.Random(20250601)
    whole = 0
    for _ in range(100):
        fmt = rng.choice(FORMATS)
        limit = rng.randint(200, 5000)
        old = random_text(rng, rng.randint(0, 800))
        kind = rng.choice([EventKind.EDITED, EventKind.DELETED, EventKind.NEW])
        if kind is EventKind.EDITED:
            new = random_text(rng, 4) + old[: len(old) // 2] + random_text(rng, 30)
            event = edit(old, new)
        else:
            event = alert(kind, old_text=old, new_text=old, author=random_text(rng, 10))
        parts = render(event, fmt, limit)
        chars = check_parts(fmt, parts, limit)
        shown = plain(chars)
        if fmt == "text":
            continue
        if kind is EventKind.DELETED:
            assert shown.endswith(old)
            if old:
                assert chars[-len(old) :] == expected(fmt, [(old, "quote")])
        elif kind is EventKind.NEW and len(parts) < MAX_PARTS:
            assert shown.endswith(old)
        elif kind is EventKind.EDITED and "…" not in shown:  # the whole text, with marks
            whole += 1
            pieces = diff_pieces(old, new)
            assert chars[-len(plain(expected(fmt, pieces))) :] == expected(fmt, pieces)
        elif kind is EventKind.EDITED and "more change" not in shown:
            diff = diff_of(old, new)
            for piece in [*removed(diff), *added(diff)]:
                assert piece.strip() in shown
    assert whole >= 10  # the exact check ran often enough


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (EventKind.DELETED, "🗑 Account gone"),
        (EventKind.REMOVED, "🚫 Account suspended"),
        (EventKind.HIDDEN, "🙈 Account hidden"),
        (EventKind.RESTORED, "♻️ Account back"),
    ],
)
def test_an_account_event_says_it_is_about_the_account(kind: EventKind, label: str) -> None:
    (body,) = render(alert(kind, account=True, old_text="@alice", detail="why"), "text")
    assert body.startswith(f"{label} — @alice@mastodon.social on Mastodon\n")
