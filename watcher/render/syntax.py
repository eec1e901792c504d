"""How each format escapes text and marks it (see the package docstring for the rules)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import regex

from watcher.render.segments import WJ, ZWSP, Style, measure


@dataclass(frozen=True, slots=True)
class Syntax:
    name: str
    escape: Callable[[str], str]  # one unit, without context
    link: Callable[[str], str]
    marks: Mapping[Style, tuple[str, str]]
    units: regex.Pattern[str]  # alternatives: a group "url", or any other unit
    raw_url: Callable[[str], str | None] = lambda url: None  # a URL as is, if it can be
    url_end: str = ""  # what may follow a raw URL besides whitespace
    # Every URL this way, wherever it stands (Slack's `<url>`: no escape inside, no fence).
    any_url: Callable[[str], str] | None = None
    own: Callable[[str], str] | None = None  # escapes our own words and times, if not `escape`
    frame: tuple[str, str] = ("", "")  # around every part
    hug: bool = False  # marks must touch visible text, one line each (Slack, Discord)

    def wrap(self, style: Style, inner: str) -> str:
        if style not in self.marks or not inner:
            return inner
        left, right = self.marks[style]
        if self.hug and inner.startswith(ZWSP):
            left += WJ
        if self.hug and inner.endswith(ZWSP):
            right = WJ + right
        return left + inner + right

    def overhead(self, style: Style) -> int:
        """The most a mark adds around a piece."""
        probe = ZWSP + "x" + ZWSP
        return measure(self.name, self.wrap(style, probe)) - measure(self.name, probe)


GRAPHEME = regex.compile(r"\X")
# Units: a URL; a piece of a word (up to 16 clusters, never a URL's start), ending at a CJK
# sentence mark (so a part can end after one); one cluster (a whitespace character). Parts are
# cut only between units, so never inside a cluster.
_CJK_STOP = "。！？"
_CHUNK = (
    rf"(?:(?:(?!\s|https?://|[{_CJK_STOP}])\X){{0,15}}[{_CJK_STOP}]|(?:(?!\s|https?://)\X){{1,16}})"
)
_PLAIN_UNITS = regex.compile(rf"{_CHUNK}|\X")
# Slack: a URL up to a space, `<`, `>` or `|` (which would end `<url>`), without trailing
# punctuation or mark characters (those stay text after it, fenced).
_SLACK_UNITS = regex.compile(
    rf"(?P<url>(?=https?://[^\s<>|])(?:(?![\s<>|])\X)+(?<![.,:;!?'\")\]*_~`]))|{_CHUNK}|\X"
)
# Discord: a URL up to the next space or "<", as Discord's own link rule reads it; a digit
# and the dot after it stay together (the dot gets escaped).
_DISCORD_UNITS = regex.compile(
    rf"(?P<url>(?=https?://[^\s<])(?:(?![\s<])\X)+)|{_CHUNK}(?:(?<=[0-9])\.(?!\p{{M}}))?|\X"
)


def _translator(table: Mapping[str, str]) -> Callable[[str], str]:
    codes = str.maketrans(dict(table))
    return lambda text: text.translate(codes)


_html_escape = _translator({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_email_escape = _translator({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "<br>", "\r": ""})
_slack_chars = _translator(
    {"&": "&amp;", "<": "&lt;", ">": ZWSP + "&gt;"} | {c: ZWSP + c + ZWSP for c in "*_~`:"}
)
# A colon between digits is a time ("11:25"), not an `:emoji:`'s edge: left unfenced.
_CLOCK_COLON = regex.compile(r"(?<=[0-9]):(?=[0-9])")


def _slack_escape(text: str) -> str:
    return ":".join(_slack_chars(piece) for piece in _CLOCK_COLON.split(text))


_discord_chars = _translator({c: "\\" + c for c in "\\*_~`|<>#-[]()@:"})
_DIGIT_DOT = regex.compile(r"(?<=[0-9])\.")


def _discord_escape(text: str) -> str:
    return _DIGIT_DOT.sub(r"\\.", _discord_chars(text))


# Our own words and times: only what could format or mention (a time's colon, a date's
# hyphens stay as they are, so "11:25" reads as written even where markdown is not rendered).
_discord_own_chars = _translator({c: "\\" + c for c in "\\*_~`|<>@#"})


def _discord_own(text: str) -> str:
    return _DIGIT_DOT.sub(r"\\.", _discord_own_chars(text))


def _tg_link(url: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'


_URL_QUOTES = {" ": "%20", "<": "%3C", ">": "%3E"}
_SLACK_URL_QUOTES = _URL_QUOTES | {"|": "%7C", "&": "&amp;"}


def _angle_url(url: str, table: Mapping[str, str] = _URL_QUOTES) -> str:
    """`<url>`: a link in Slack, a link without preview in Discord."""
    return "<" + "".join(table.get(char, char) for char in url) + ">"


def _slack_url(url: str) -> str:
    """A URL as Slack's explicit link: nothing inside is escaped or fenced, so it stays the
    URL it was (copied from Slack it still works), inside a mark or before any character."""
    return _angle_url(url, _SLACK_URL_QUOTES)


# `@everyone` and `@here` must not reach Discord as they are. In text `\@` escapes them; a URL
# is left unescaped (to stay a link), so there the `@` is percent-encoded, which most servers read
# as the same path. Only these two words: `/@alice` stays as it is.
_DISCORD_URL_PINGS = regex.compile(r"@(?=everyone|here)", regex.IGNORECASE)


def _discord_url(url: str) -> str:
    return _DISCORD_URL_PINGS.sub("%40", url)


def _discord_raw(url: str) -> str | None:
    return None if "**" in url or "~~" in url else _discord_url(url)


def _discord_link(url: str) -> str:
    return _angle_url(_discord_url(url))


_TG_MARKS = {
    Style.STRONG: ("<b>", "</b>"),
    Style.REMOVED: ("<s>", "</s>"),
    Style.ADDED: ("<b><u>", "</u></b>"),
    Style.QUOTE: ("<blockquote>", "</blockquote>"),
}
_HTML_QUOTE = '<blockquote style="margin:0;padding-left:8px;border-left:3px solid #ccc">'
_HTML_MARKS = {
    Style.STRONG: ("<strong>", "</strong>"),
    Style.REMOVED: ('<del style="color:#a0101c;background:#fde4e4">', "</del>"),
    Style.ADDED: ('<ins style="color:#0a5c1a;background:#dff5e1">', "</ins>"),
    Style.QUOTE: (_HTML_QUOTE, "</blockquote>"),
}
_SLACK_MARKS = {
    Style.STRONG: (ZWSP + "*", "*" + ZWSP),
    Style.REMOVED: (ZWSP + "~", "~" + ZWSP),
    Style.ADDED: (ZWSP + "*", "*" + ZWSP),
}
_DISCORD_MARKS = {
    Style.STRONG: ("**", "**"),
    Style.REMOVED: ("~~", "~~"),
    Style.ADDED: ("**", "**"),
}
_TEXT_MARKS = {Style.REMOVED: ("[-", "-]"), Style.ADDED: ("{+", "+}")}

SYNTAX: dict[str, Syntax] = {
    "telegram-html": Syntax("telegram-html", _html_escape, _tg_link, _TG_MARKS, _PLAIN_UNITS),
    "slack-mrkdwn": Syntax(
        "slack-mrkdwn",
        _slack_escape,
        _slack_url,
        _SLACK_MARKS,
        _SLACK_UNITS,
        any_url=_slack_url,
        own=_html_escape,
        hug=True,
    ),
    "discord-md": Syntax(
        "discord-md",
        _discord_escape,
        _discord_link,
        _DISCORD_MARKS,
        _DISCORD_UNITS,
        _discord_raw,
        own=_discord_own,
        hug=True,
    ),
    "html": Syntax(
        "html",
        _email_escape,
        _tg_link,
        _HTML_MARKS,
        _PLAIN_UNITS,
        frame=('<div style="white-space:pre-wrap">', "</div>"),
    ),
    "text": Syntax("text", lambda text: text, lambda url: url, _TEXT_MARKS, _PLAIN_UNITS),
}
