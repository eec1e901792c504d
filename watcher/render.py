"""Pure rendering: an alert → one or more message bodies in a channel's markup, within its limit.

Safe by construction. A message is first built as *segments*: plain text plus one style
(strong, removed, added, quote, link) and no markup at all. Only at the end is each segment cut
into atomic *units* — a piece of a word of up to 16 grapheme clusters, one whitespace
character, or a whole URL — each escaped on its own, and the units packed into parts. Every
piece of a part carries its own opening and closing mark, so a part never ends inside a tag, a
mark, an escape sequence or a grapheme cluster (emoji, flags, CJK), and needs nothing from its
neighbours. Parts are cut at a line break or a space when one is near, and numbered "(1/3) ",
which counts towards the limit.

Post text is untrusted and must arrive exactly as written, with only our marks as formatting:

- telegram-html: `& < >` become entities (`"` too in attributes). Removed `<s>`, added
  `<b><u>` (bold and underlined, so it differs from the bold header). Telegram counts UTF-16
  code units; `measure` does too, over the whole HTML, entities included.
- slack-mrkdwn: `& < >` become `&amp; &lt; &gt;` (Slack's only escapes). Slack has no escape
  for `* _ ~ ` :`, so each of them in post text gets a zero-width space (U+200B) on both sides,
  and `>` one before it: a mark character opens only when visible text follows it and closes
  only when visible text precedes it, so a fenced one can do neither, and `:tada:` or a leading
  `>` no longer turn into an emoji or a quote, while the text looks the same. Our own
  `~removed~` and `*added*` get U+200B outside (so they also work inside a word, as in Chinese
  text) and hug visible text: whitespace moves outside the mark, one mark per line, and a word
  joiner (U+2060, invisible, not a space) goes between a mark and a fenced character.
- discord-md: a backslash before each of ``\\ * _ ~ ` | < > # - [ ] ( ) @ :`` and before the
  dot of "1." (lists). Discord links a URL before it reads markdown, up to the next space, and
  would swallow escapes and our marks with it: so a URL stays raw only where a space or the
  end follows it (and not in a mark); elsewhere its escaped colon keeps it from being a link.
  Marks `~~removed~~`, `**added**`, hugging text as in Slack.
- html (e-mail): `& < >` become entities, line breaks `<br>`, each part a `white-space:pre-wrap`
  block (runs of spaces survive); `<del>`/`<ins>` with inline colours.
- text: nothing to escape; marks `[-removed-]` and `{+added+}`.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache

import regex

from watcher.differ import Hunk, changed, diff_texts, excerpt
from watcher.model import Diff, EventKind

__all__ = ["FORMATS", "LIMITS", "Alert", "format_for_url", "measure", "render"]

FORMATS = ("telegram-html", "slack-mrkdwn", "discord-md", "html", "text")
LIMITS: dict[str, int] = {
    "telegram-html": 4096,
    "slack-mrkdwn": 3000,  # a Block Kit section's text
    "discord-md": 2000,
    "html": 100_000,
    "text": 4000,
}
MIN_LIMIT = 200  # below this the widest escape, mark and part number might not fit
SHORT_TEXT = 600  # characters: an edit this short is shown whole, with inline marks
CONTEXT = 60  # characters of unchanged text around each change of a longer edit
MAX_PARTS = 3  # parts an edit or a new text may take; a deleted text (evidence) is never cut
DETAIL_CHARS = 500  # a blocked/broken/hidden reason is cut here

ZWSP, WJ = "\u200b", "\u2060"


@dataclass(frozen=True, slots=True)
class Alert:
    """One event, with what a reader needs to see it. Times are aware (UTC)."""

    kind: EventKind
    platform: str  # "mastodon", "web", ...
    author: str  # "" when unknown
    link: str  # the post's URL
    at: datetime  # when the event was detected
    old_at: datetime | None = None  # when the older compared version was first stored
    new_at: datetime | None = None  # when the newer version was stored
    old_text: str = ""  # edited: before; deleted/removed: the last stored text (the evidence)
    new_text: str = ""  # new, edited, restored: the current text
    detail: str = ""  # "gone for 2h 30m", the gone reason, the blocked reason
    diff: Diff | None = None  # old → new (edited; restored with changes)


def measure(fmt: str, text: str) -> int:
    """The length a channel counts: UTF-16 code units for Telegram, characters otherwise."""
    return len(text.encode("utf-16-le")) // 2 if fmt == "telegram-html" else len(text)


def format_for_url(apprise_url: str) -> str:
    """The body format that suits an apprise URL's service."""
    url = apprise_url.strip().lower()
    if url.startswith("tgram://"):
        return "telegram-html"
    if url.startswith(("slack://", "https://hooks.slack.com/")):
        return "slack-mrkdwn"
    if url.startswith(
        ("discord://", "https://discord.com/api/webhooks/", "https://discordapp.com/api/webhooks/")
    ):
        return "discord-md"
    if url.startswith(("mailto://", "mailtos://")):
        return "html"
    return "text"


# --- segments: what the message says, without markup ----------------------------------------


class Style(Enum):
    PLAIN = "plain"
    STRONG = "strong"
    REMOVED = "removed"
    ADDED = "added"
    QUOTE = "quote"
    LINK = "link"  # text is the URL


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    style: Style = Style.PLAIN
    stop: int | None = None  # keep only the first `stop` units (they depend on the format)


_OP_STYLES = {-1: Style.REMOVED, 0: Style.PLAIN, 1: Style.ADDED}
_LABELS = {
    EventKind.NEW: "🆕 New",
    EventKind.EDITED: "✏️ Edited",
    EventKind.DELETED: "🗑 Deleted",
    EventKind.REMOVED: "🚫 Removed by the platform",
    EventKind.RESTORED: "♻️ Restored",
    EventKind.HIDDEN: "🙈 Hidden",
    EventKind.BLOCKED: "⛔ Blocked",
    EventKind.BROKEN: "🔧 Broken",
}
_PLATFORMS = {
    "mastodon": "Mastodon",
    "weibo": "Weibo",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "hn": "Hacker News",
    "hackernews": "Hacker News",
    "telegram": "Telegram",
    "web": "the web",
    "json": "JSON",
    "feed": "a feed",
}


def _when(moment: datetime) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _header(alert: Alert) -> list[Segment]:
    who = f" — {alert.author} on " if alert.author else " on "
    where = _PLATFORMS.get(alert.platform.lower(), alert.platform or "the web")
    if alert.kind is EventKind.EDITED and alert.old_at and alert.new_at:
        when = f"{_when(alert.old_at)} → {_when(alert.new_at)}"
    else:
        when = _when(alert.at)
    head = [Segment(_LABELS[alert.kind], Style.STRONG), Segment(f"{who}{where} · {when}\n")]
    if alert.link:
        head += [Segment(alert.link, Style.LINK), Segment("\n")]
    if alert.detail:
        detail = alert.detail
        if alert.kind in (EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN):
            detail = _clip(detail, DETAIL_CHARS)
        head.append(Segment(detail + "\n"))
    return head


def _clip(text: str, size: int) -> str:
    if len(text) <= size:
        return text
    end = 0
    for match in _GRAPHEME.finditer(text):
        if match.end() > size:
            break
        end = match.end()
    return text[:end] + "…"


def _evidence(alert: Alert) -> list[Segment]:
    stored = f", stored {_when(alert.old_at)}" if alert.old_at else ""
    if not alert.old_text:
        return [Segment(f"\n(no text was stored{stored})")]
    return [Segment(f"\nLast version{stored}:\n"), Segment(alert.old_text, Style.QUOTE)]


def _more(count: int, what: str, link: str) -> list[Segment]:
    if not count:
        return []
    note = f"\n\n… {count} more {what}{'s' if count != 1 else ''}"
    return [Segment(note + ": "), Segment(link, Style.LINK)] if link else [Segment(note)]


def _hunk_segments(hunks: Iterable[Hunk]) -> list[Segment]:
    out: list[Segment] = []
    for hunk in hunks:
        if out:
            out.append(Segment("\n"))
        if not hunk.starts_at_beginning:
            out.append(Segment("…"))
        out += [Segment(text, _OP_STYLES[op]) for op, text in hunk.ops]
        if not hunk.ends_at_end:
            out.append(Segment("…"))
    return out


def _change_ends(ops: Diff) -> list[int]:
    """Indexes of the ops that end a change (a run of removed/added ops)."""
    return [i for i, (op, _) in enumerate(ops) if op and (i + 1 == len(ops) or ops[i + 1][0] == 0)]


# --- the message for each kind ---------------------------------------------------------------


def render(alert: Alert, fmt: str, limit: int | None = None) -> tuple[str, ...]:
    """The bodies to send, in order, each within `limit` (default `LIMITS[fmt]`)."""
    if fmt not in _SYNTAX:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    limit = LIMITS[fmt] if limit is None else limit
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is below the minimum {MIN_LIMIT}")
    syn, head = _SYNTAX[fmt], _header(alert)
    if alert.kind in (EventKind.DELETED, EventKind.REMOVED):
        return _pack_all(head + _evidence(alert), syn, limit)
    if alert.kind in (EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN):
        return _pack_all(head, syn, limit)
    diff = alert.diff
    if diff is None and alert.kind is EventKind.EDITED:
        diff = diff_texts(alert.old_text, alert.new_text)
    if diff and changed(diff):
        return _diff_parts(head, diff, alert.link, syn, limit)
    return _text_parts(head, alert.new_text, alert.link, syn, limit)


def _diff_parts(
    head: list[Segment], diff: Diff, link: str, syn: _Syntax, limit: int
) -> tuple[str, ...]:
    """The whole text with marks when short; else the changed passages, as many as fit."""
    head = [*head, Segment("\n")]
    if sum(len(text) for _, text in diff) <= SHORT_TEXT:
        whole = _pack(head + [Segment(t, _OP_STYLES[op]) for op, t in diff], syn, limit, 1)
        if whole:
            return whole
    hunks = excerpt(diff, CONTEXT)
    counts = [len(_change_ends(hunk.ops)) for hunk in hunks]

    def passages(k: int) -> tuple[str, ...] | None:
        body = _hunk_segments(hunks[:k]) + _more(sum(counts[k:]), "change", link)
        return _pack(head + body, syn, limit, MAX_PARTS)

    found = _largest(passages, 1, len(hunks))
    if found:
        return found
    # The first passage alone is too long: as much of it as fits, cut at a unit.
    first, ends = hunks[0], _change_ends(hunks[0].ops)
    sizes = [len(_tokens(text, syn.name, 1).rendered) for _, text in first.ops]

    def cut_passage(units: int) -> tuple[str, ...] | None:
        body = [] if first.starts_at_beginning else [Segment("…")]
        taken = 0  # ops shown whole
        for (op, text), size in zip(first.ops, sizes, strict=True):
            if units <= 0:
                break
            body.append(Segment(text, _OP_STYLES[op], stop=min(size, units)))
            taken += size <= units
            units -= size
        shown = sum(1 for end in ends if end < taken)
        body += [Segment("…"), *_more(sum(counts) - shown, "change", link)]
        return _pack(head + body, syn, limit, MAX_PARTS)

    return _largest(cut_passage, 0, sum(sizes)) or _pack_all(head, syn, limit)


def _text_parts(
    head: list[Segment], text: str, link: str, syn: _Syntax, limit: int
) -> tuple[str, ...]:
    """The text in full if it fits MAX_PARTS, else as much as fits and how much is missing."""
    if not text:
        return _pack_all(head, syn, limit)
    head = [*head, Segment("\n")]
    toks = _tokens(text, syn.name, 1)  # as when "…" follows it

    def upto(units: int) -> tuple[str, ...] | None:
        if units >= len(toks.rendered):
            return _pack([*head, Segment(text)], syn, limit, MAX_PARTS)
        rest = len(text) - sum(len(src) for src in toks.sources[: _keep(toks, units)])
        body = [Segment(text, stop=units), Segment("…"), *_more(rest, "character", link)]
        return _pack(head + body, syn, limit, MAX_PARTS)

    return _largest(upto, 0, len(toks.rendered)) or _pack_all(head, syn, limit)


def _largest(
    attempt: Callable[[int], tuple[str, ...] | None], lo: int, hi: int
) -> tuple[str, ...] | None:
    """`attempt(n)` for the largest n in [lo, hi] where it succeeds (trying `hi` first)."""
    best = attempt(hi) if hi >= lo else None
    if best is not None:
        return best
    hi -= 1
    while lo <= hi:
        mid = (lo + hi) // 2
        got = attempt(mid)
        if got is None:
            hi = mid - 1
        else:
            best, lo = got, mid + 1
    return best


# --- syntax: how each format escapes text and marks it ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Syntax:
    name: str
    escape: Callable[[str], str]  # one unit, without context
    link: Callable[[str], str]
    marks: Mapping[Style, tuple[str, str]]
    units: regex.Pattern[str]  # alternatives: a group "url", or any other unit
    raw_url: Callable[[str], str | None] = lambda url: None  # a URL as is, if it can be
    url_end: str = ""  # what may follow a raw URL besides whitespace
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


_GRAPHEME = regex.compile(r"\X")
# Units: a URL; a piece of a word (up to 16 clusters, never a URL's start); one cluster (a
# whitespace character). Parts are cut only between units, so never inside a cluster.
_CHUNK = r"(?:(?!\s|https?://)\X){1,16}"
_PLAIN_UNITS = regex.compile(rf"{_CHUNK}|\X")
# Slack: a URL without trailing punctuation or mark characters (those get fenced).
_SLACK_UNITS = regex.compile(
    rf"(?P<url>(?=https?://[^\s<>])(?:(?![\s<>])\X)+(?<![.,:;!?'\")\]*_~`|]))|{_CHUNK}|\X"
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
_slack_escape = _translator(
    {"&": "&amp;", "<": "&lt;", ">": ZWSP + "&gt;"} | {c: ZWSP + c + ZWSP for c in "*_~`:"}
)
_discord_chars = _translator({c: "\\" + c for c in "\\*_~`|<>#-[]()@:"})
_DIGIT_DOT = regex.compile(r"(?<=[0-9])\.")


def _discord_escape(text: str) -> str:
    return _DIGIT_DOT.sub(r"\\.", _discord_chars(text))


def _tg_link(url: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'


_URL_QUOTES = {" ": "%20", "<": "%3C", ">": "%3E"}
_SLACK_URL_QUOTES = _URL_QUOTES | {"|": "%7C", "&": "&amp;"}


def _angle_url(url: str, table: Mapping[str, str] = _URL_QUOTES) -> str:
    """`<url>`: a link in Slack, a link without preview in Discord."""
    return "<" + "".join(table.get(char, char) for char in url) + ">"


def _slack_raw(url: str) -> str | None:
    return None if any(c in url for c in "*~`") else url.replace("&", "&amp;")


def _discord_raw(url: str) -> str | None:
    return None if "**" in url or "~~" in url else url


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

_SYNTAX: dict[str, _Syntax] = {
    "telegram-html": _Syntax("telegram-html", _html_escape, _tg_link, _TG_MARKS, _PLAIN_UNITS),
    "slack-mrkdwn": _Syntax(
        "slack-mrkdwn",
        _slack_escape,
        lambda url: _angle_url(url, _SLACK_URL_QUOTES),
        _SLACK_MARKS,
        _SLACK_UNITS,
        _slack_raw,
        url_end=".,;:!?'\")]",
        hug=True,
    ),
    "discord-md": _Syntax(
        "discord-md",
        _discord_escape,
        _angle_url,
        _DISCORD_MARKS,
        _DISCORD_UNITS,
        _discord_raw,
        hug=True,
    ),
    "html": _Syntax(
        "html",
        _email_escape,
        _tg_link,
        _HTML_MARKS,
        _PLAIN_UNITS,
        frame=('<div style="white-space:pre-wrap">', "</div>"),
    ),
    "text": _Syntax("text", lambda text: text, lambda url: url, _TEXT_MARKS, _PLAIN_UNITS),
}


# --- units and packing -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tokens:
    """A text cut into units, each escaped on its own."""

    sources: tuple[str, ...]
    rendered: tuple[str, ...]
    sums: tuple[int, ...]  # sums[k]: measured length of the first k rendered units
    space: tuple[int, ...]  # per unit: 2 a line break, 1 other whitespace, 0 anything else
    raw: frozenset[int] = frozenset()  # units that are URLs left raw


def _make_tokens(
    fmt: str, pairs: Sequence[tuple[str, str]], raw: frozenset[int] = frozenset()
) -> _Tokens:
    sums = [0]
    for _, rendered in pairs:
        sums.append(sums[-1] + measure(fmt, rendered))
    space = tuple(
        2 if src in ("\n", "\r\n", "\r") else 1 if src.isspace() else 0 for src, _ in pairs
    )
    sources, units = tuple(src for src, _ in pairs), tuple(unit for _, unit in pairs)
    return _Tokens(sources, units, tuple(sums), space, raw)


@lru_cache(maxsize=4096)
def _tokens(text: str, fmt: str, tail: int) -> _Tokens:
    """`text` as units. A URL is one unit, left raw (so the channel links it) only where the
    channel's link detection cannot run into what follows: before whitespace (or `url_end`),
    or at the end of the text if `tail` is 2 (what follows is whitespace or nothing). `tail`
    0: no raw URL (inside marks, whose closing characters would join the URL)."""
    syn = _SYNTAX[fmt]
    pairs: list[tuple[str, str]] = []
    raw: set[int] = set()
    for match in syn.units.finditer(text):
        unit, after = match.group(), text[match.end() : match.end() + 1]
        if match.lastgroup == "url" and tail:
            free = tail == 2 if not after else after.isspace() or after in syn.url_end
            as_is = syn.raw_url(unit) if free else None
            if as_is is not None:
                raw.add(len(pairs))
                pairs.append((unit, as_is))
                continue
        pairs.append((unit, syn.escape(unit)))
    return _make_tokens(fmt, pairs, frozenset(raw))


def _keep(toks: _Tokens, stop: int) -> int:
    """How many units a segment cut after `stop` units shows: not a raw URL at the cut, which
    something else would follow."""
    keep = min(stop, len(toks.rendered))
    while 0 < keep < len(toks.rendered) and keep - 1 in toks.raw:
        keep -= 1
    return keep


@lru_cache(maxsize=64)
def _link_tokens(url: str, fmt: str) -> _Tokens:
    return _make_tokens(fmt, [(url, _SYNTAX[fmt].link(url))])


_Run = tuple[Style, _Tokens, int, int]  # units lo:hi of a segment, in one style


def _runs(segments: Sequence[Segment], syn: _Syntax) -> list[_Run]:
    runs: list[_Run] = []
    for index, seg in enumerate(segments):
        if seg.style is Style.LINK:
            toks = _link_tokens(seg.text, syn.name)
        else:
            after = segments[index + 1].text[:1] if index + 1 < len(segments) else " "
            tail = 0 if seg.style in syn.marks else 2 if after.isspace() else 1
            toks = _tokens(seg.text, syn.name, tail)
        hi = len(toks.rendered) if seg.stop is None else _keep(toks, seg.stop)
        lo = 0
        if syn.hug and seg.style in syn.marks:  # one mark per line
            for k in range(hi):
                if toks.space[k] == 2:
                    runs += [(seg.style, toks, lo, k)] if lo < k else []
                    runs.append((Style.PLAIN, toks, k, k + 1))
                    lo = k + 1
        if lo < hi:
            runs.append((seg.style, toks, lo, hi))
    return runs


def _pack_all(segments: list[Segment], syn: _Syntax, limit: int) -> tuple[str, ...]:
    parts = _pack(segments, syn, limit, None)
    assert parts is not None  # no part cap: always packs
    return parts


def _pack(
    segments: list[Segment], syn: _Syntax, limit: int, max_parts: int | None
) -> tuple[str, ...] | None:
    """The parts, numbered when more than one; None if they would be more than `max_parts`."""
    runs = _runs(segments, syn)
    start, end = syn.frame
    budget = limit - measure(syn.name, start + end)
    single = _split(runs, syn, budget, 1)
    if single is not None:
        return (start + single[0] + end,)
    digits = 1
    while max_parts is None or max_parts > 1:
        cap = 10**digits - 1 if max_parts is None else min(max_parts, 10**digits - 1)
        widest = measure(syn.name, f"({'9' * digits}/{'9' * digits}) ")
        bodies = _split(runs, syn, budget - widest, cap)
        if bodies is not None:
            total = len(bodies)
            return tuple(f"{start}({i}/{total}) {b}{end}" for i, b in enumerate(bodies, 1))
        if max_parts is not None and max_parts <= cap:
            break
        digits += 1
    return None


def _split(runs: Sequence[_Run], syn: _Syntax, budget: int, max_parts: int) -> list[str] | None:
    """Greedy packing of runs into parts of at most `budget`; None past `max_parts` parts."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    todo = list(reversed(runs))
    while todo:
        style, toks, lo, hi = todo.pop()
        over = syn.overhead(style)
        while lo < hi:
            room = budget - used - over
            end = max(lo, bisect_right(toks.sums, toks.sums[lo] + room, lo, hi + 1) - 1)
            cut = hi if end == hi else _cut(toks, lo, end)
            if (
                cut < hi
                and current
                and (cut == lo or (not toks.space[cut - 1] and 2 * room < budget))
            ):
                cut = lo  # nothing fits, or only by cutting a word near the end: next part
            if cut == lo:
                if not current:  # one unit wider than a whole part
                    todo += [(style, toks, lo + 1, hi), _shatter(style, toks, lo, syn)]
                    break
            else:
                piece = _emit(syn, style, toks, lo, cut)
                current.append(piece)
                used += measure(syn.name, piece)
                lo = cut
                if lo == hi:
                    break
            parts.append("".join(current))
            current, used = [], 0
            if len(parts) >= max_parts:
                return None
    if current:
        parts.append("".join(current))
    return parts


def _cut(toks: _Tokens, lo: int, end: int) -> int:
    """Where to end a part within units lo:end: after a line break, else after a space, in
    the second half of the room; else at `end` (a cluster edge, fine for CJK)."""
    floor = lo + (end - lo) // 2
    for kind in (2, 1):
        for k in range(end, floor, -1):
            if toks.space[k - 1] == kind:
                return k
    return end


def _shatter(style: Style, toks: _Tokens, index: int, syn: _Syntax) -> _Run:
    """A unit that fits no part, as smaller units: a link as plain text, a URL as clusters,
    a cluster as code points."""
    source = toks.sources[index]
    if style is Style.LINK:
        plain = _tokens(source, syn.name, 0)
        return (Style.PLAIN, plain, 0, len(plain.rendered))
    pieces = _GRAPHEME.findall(source)
    if len(pieces) == 1:
        pieces = list(source)
    if len(pieces) == 1:
        raise ValueError(f"limit too small for {syn.name}")
    return (style, _make_tokens(syn.name, [(p, syn.escape(p)) for p in pieces]), 0, len(pieces))


def _emit(syn: _Syntax, style: Style, toks: _Tokens, lo: int, hi: int) -> str:
    """Units lo:hi in their style; for hugging marks, edge whitespace goes outside the mark."""
    first, last = lo, hi
    if syn.hug and style in syn.marks:
        while first < last and toks.space[first]:
            first += 1
        while last > first and toks.space[last - 1]:
            last -= 1
    rendered = toks.rendered
    inner = syn.wrap(style, "".join(rendered[first:last]))
    return "".join(rendered[lo:first]) + inner + "".join(rendered[last:hi])
