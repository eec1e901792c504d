"""Pure rendering: an alert → one or more message bodies in a channel's markup, within its limit.

Safe by construction. A message is first built as *segments*: plain text plus one style
(strong, removed, added, quote, link) and no markup at all. Only at the end is each segment cut
into atomic *units* — a piece of a word of up to 16 grapheme clusters, one whitespace
character, or a whole URL — each escaped on its own, and the units packed into parts. Every
piece of a part carries its own opening and closing mark, so a part never ends inside a tag, a
mark, an escape sequence or a grapheme cluster (emoji, flags, CJK), and needs nothing from its
neighbours. Parts end after a line break, else a sentence (". ", "。"), else a space, when one
is in the second half of the part (a word is cut only when longer than that); they are numbered
"(1/3) ", and each part after the first repeats the header's first line (what happened, who),
so a part read alone on a phone still says what it is about; both count towards the limit.
A very long added block in an edit shows its start, "(+N characters: link)".

`message` adds what apprise sends beside the bodies: a title (that first line, plain text) and
a notification type (`render.header`: losing something is a warning).

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
  joiner (U+2060, invisible, not a space) goes between a mark and a fenced character. No fence
  lands inside a time or a URL: a colon between digits ("11:25") is not fenced, our own times
  are not fenced at all (`Segment.own`), and every URL is written `<url>`, Slack's explicit
  link, inside which nothing is escaped (so a link copied from Slack still works).
- discord-md: a backslash before each of ``\\ * _ ~ ` | < > # - [ ] ( ) @ :`` and before the
  dot of "1." (lists). Discord links a URL before it reads markdown, up to the next space, and
  would swallow escapes and our marks with it: so a URL stays raw only where a space or the
  end follows it (and not in a mark); elsewhere its escaped colon keeps it from being a link.
  Marks `~~removed~~`, `**added**`, hugging text as in Slack.
- html (e-mail): `& < >` become entities, line breaks `<br>`, each part a `white-space:pre-wrap`
  block (runs of spaces survive); `<del>`/`<ins>` with inline colours.
- text: nothing to escape; marks `[-removed-]` and `{+added+}`.

Before any of this, controls and bidi controls are spelled out in every format (`render.inert`),
and in discord-md a URL's `@everyone`/`@here` gets `%40`: no text can ping (see also `notify`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from watcher.differ import changed, diff_texts, excerpt
from watcher.model import QUOTED_KINDS, Diff, EventKind
from watcher.render.header import first_line, header, notify_type, stamp, title, zone
from watcher.render.inert import inert
from watcher.render.pack import keep, pack, pack_all, tokens
from watcher.render.passages import OP_STYLES, change_ends, hunk_segments, more
from watcher.render.quoted import quoted_line
from watcher.render.segments import Segment, Style, measure
from watcher.render.syntax import SYNTAX, Syntax

__all__ = [
    "FORMATS",
    "LIMITS",
    "Alert",
    "Message",
    "format_for_url",
    "measure",
    "message",
    "render",
]

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


@dataclass(frozen=True, slots=True)
class Alert:
    """One event, with what a reader needs to see it. Times are aware (UTC); the channel's
    time zone is given to `render`."""

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
    account: bool = False  # about a whole account (its text is its handle), not a post
    title: str = ""  # the post's or page's title (a web page's says who, having no author)
    posted_at: datetime | None = None  # when the post was published, by the platform's clock
    seen_at: datetime | None = None  # deleted/removed: when the post was last known visible
    gone_at: datetime | None = None  # deleted/removed: the first check that found it gone
    gap: float | None = None  # silent: seconds without a post so far; back: the whole silence
    usual: float | None = None  # silent: posts a day while the account posts
    # quoted_*: the post the watched one reposts or quotes (old_text: its last stored text,
    # the evidence; new_text: its text now, or the notice in its place)
    quoted_author: str = ""
    quoted_link: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """What a channel is sent for one alert: apprise's title (one line, plain text: what
    happened and who) and notification type (info, success, warning), and the bodies."""

    title: str
    type: str
    bodies: tuple[str, ...]


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


def _evidence(alert: Alert, tz: tzinfo) -> list[Segment]:
    stored = f", stored {stamp(alert.old_at, tz)}" if alert.old_at else ""
    if not alert.old_text:
        return [Segment(f"\n(no text was stored{stored})", own=True)]
    return [Segment(f"\nLast version{stored}:\n", own=True), Segment(alert.old_text, Style.QUOTE)]


# --- the message for each kind ---------------------------------------------------------------


def message(alert: Alert, fmt: str, limit: int | None = None, tz: str = "UTC") -> Message:
    """The title, notification type and bodies for `alert` in format `fmt`, times in `tz`."""
    bodies = render(alert, fmt, limit, tz)
    return Message(title(inert(alert)), notify_type(alert.kind.value), bodies)


def render(alert: Alert, fmt: str, limit: int | None = None, tz: str = "UTC") -> tuple[str, ...]:
    """The bodies to send, in order, each within `limit` (default `LIMITS[fmt]`), with times
    in the time zone `tz` (an IANA name)."""
    if fmt not in SYNTAX:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    limit = LIMITS[fmt] if limit is None else limit
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is below the minimum {MIN_LIMIT}")
    alert = inert(alert)  # controls and bidi controls shown, never obeyed (see render.inert)
    local = zone(tz)
    parts = _Parts(SYNTAX[fmt], limit, first_line(alert))
    head = header(alert, local)
    if alert.kind in (EventKind.DELETED, EventKind.REMOVED):
        return parts.all(head + _evidence(alert, local))
    if alert.kind in (EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN):
        return parts.all(head)
    if alert.kind in QUOTED_KINDS:
        head += quoted_line(alert)
        if alert.kind not in (EventKind.QUOTED_EDITED, EventKind.QUOTED_RESTORED):
            return parts.all(head + _evidence(alert, local))
    diff = alert.diff
    if diff is None and alert.kind in (EventKind.EDITED, EventKind.QUOTED_EDITED):
        diff = diff_texts(alert.old_text, alert.new_text)
    if diff and changed(diff):
        return _diff_parts(head, diff, alert.link, parts)
    return _text_parts(head, alert.new_text, alert.link, parts)


@dataclass(frozen=True, slots=True)
class _Parts:
    """Packs segments for one channel: its syntax and limit, and the line each part repeats."""

    syn: Syntax
    limit: int
    again: Sequence[Segment]

    def fit(self, segments: list[Segment], max_parts: int | None) -> tuple[str, ...] | None:
        return pack(segments, self.syn, self.limit, max_parts, self.again)

    def all(self, segments: list[Segment]) -> tuple[str, ...]:
        return pack_all(segments, self.syn, self.limit, self.again)


def _diff_parts(head: list[Segment], diff: Diff, link: str, parts: _Parts) -> tuple[str, ...]:
    """The whole text with marks when short; else the changed passages, as many as fit."""
    head = [*head, Segment("\n")]
    if sum(len(text) for _, text in diff) <= SHORT_TEXT:
        whole = parts.fit(head + [Segment(t, OP_STYLES[op]) for op, t in diff], 1)
        if whole:
            return whole
    hunks = excerpt(diff, CONTEXT)
    counts = [len(change_ends(hunk.ops)) for hunk in hunks]

    def passages(k: int) -> tuple[str, ...] | None:
        body = hunk_segments(hunks[:k], link) + more(sum(counts[k:]), "change", link)
        return parts.fit(head + body, MAX_PARTS)

    found = _largest(passages, 1, len(hunks))
    if found:
        return found
    # The first passage alone is too long: as much of it as fits, cut at a unit.
    first, ends = hunks[0], change_ends(hunks[0].ops)
    sizes = [len(tokens(text, parts.syn.name, 1).rendered) for _, text in first.ops]

    def cut_passage(units: int) -> tuple[str, ...] | None:
        body = [] if first.starts_at_beginning else [Segment("…")]
        taken = 0  # ops shown whole
        for (op, text), size in zip(first.ops, sizes, strict=True):
            if units <= 0:
                break
            body.append(Segment(text, OP_STYLES[op], stop=min(size, units)))
            taken += size <= units
            units -= size
        shown = sum(1 for end in ends if end < taken)
        body += [Segment("…"), *more(sum(counts) - shown, "change", link)]
        return parts.fit(head + body, MAX_PARTS)

    return _largest(cut_passage, 0, sum(sizes)) or parts.all(head)


def _text_parts(head: list[Segment], text: str, link: str, parts: _Parts) -> tuple[str, ...]:
    """The text in full if it fits MAX_PARTS, else as much as fits and how much is missing."""
    if not text:
        return parts.all(head)
    head = [*head, Segment("\n")]
    toks = tokens(text, parts.syn.name, 1)  # as when "…" follows it

    def upto(units: int) -> tuple[str, ...] | None:
        if units >= len(toks.rendered):
            return parts.fit([*head, Segment(text)], MAX_PARTS)
        rest = len(text) - sum(len(src) for src in toks.sources[: keep(toks, units)])
        body = [Segment(text, stop=units), Segment("…"), *more(rest, "character", link)]
        return parts.fit(head + body, MAX_PARTS)

    return _largest(upto, 0, len(toks.rendered)) or parts.all(head)


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
