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

Before any of this, controls and bidi controls are spelled out in every format (`render.inert`),
and in discord-md a URL's `@everyone`/`@here` gets `%40`: no text can ping (see also `notify`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from watcher.differ import Hunk, changed, diff_texts, excerpt
from watcher.model import Diff, EventKind
from watcher.render.inert import inert
from watcher.render.pack import keep, pack, pack_all, tokens
from watcher.render.segments import Segment, Style, measure
from watcher.render.syntax import GRAPHEME, SYNTAX, Syntax

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
    account: bool = False  # about a whole account (its text is its handle), not a post


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
    "x": "X",
    "web": "the web",
    "json": "JSON",
    "feed": "a feed",
}


# An account's own events: its text is its handle, so an edit is a rename.
_ACCOUNT_LABELS = {
    EventKind.EDITED: "✏️ Account renamed",
    EventKind.DELETED: "🗑 Account gone",
    EventKind.REMOVED: "🚫 Account suspended",
    EventKind.RESTORED: "♻️ Account back",
    EventKind.HIDDEN: "🙈 Account hidden",
    EventKind.BLOCKED: "⛔ Account blocked",
    EventKind.BROKEN: "🔧 Account unreadable",
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
    label = (_ACCOUNT_LABELS if alert.account else _LABELS).get(alert.kind, _LABELS[alert.kind])
    head = [Segment(label, Style.STRONG), Segment(f"{who}{where} · {when}\n")]
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
    for match in GRAPHEME.finditer(text):
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
    if fmt not in SYNTAX:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    limit = LIMITS[fmt] if limit is None else limit
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is below the minimum {MIN_LIMIT}")
    alert = inert(alert)  # controls and bidi controls shown, never obeyed (see render.inert)
    syn, head = SYNTAX[fmt], _header(alert)
    if alert.kind in (EventKind.DELETED, EventKind.REMOVED):
        return pack_all(head + _evidence(alert), syn, limit)
    if alert.kind in (EventKind.HIDDEN, EventKind.BLOCKED, EventKind.BROKEN):
        return pack_all(head, syn, limit)
    diff = alert.diff
    if diff is None and alert.kind is EventKind.EDITED:
        diff = diff_texts(alert.old_text, alert.new_text)
    if diff and changed(diff):
        return _diff_parts(head, diff, alert.link, syn, limit)
    return _text_parts(head, alert.new_text, alert.link, syn, limit)


def _diff_parts(
    head: list[Segment], diff: Diff, link: str, syn: Syntax, limit: int
) -> tuple[str, ...]:
    """The whole text with marks when short; else the changed passages, as many as fit."""
    head = [*head, Segment("\n")]
    if sum(len(text) for _, text in diff) <= SHORT_TEXT:
        whole = pack(head + [Segment(t, _OP_STYLES[op]) for op, t in diff], syn, limit, 1)
        if whole:
            return whole
    hunks = excerpt(diff, CONTEXT)
    counts = [len(_change_ends(hunk.ops)) for hunk in hunks]

    def passages(k: int) -> tuple[str, ...] | None:
        body = _hunk_segments(hunks[:k]) + _more(sum(counts[k:]), "change", link)
        return pack(head + body, syn, limit, MAX_PARTS)

    found = _largest(passages, 1, len(hunks))
    if found:
        return found
    # The first passage alone is too long: as much of it as fits, cut at a unit.
    first, ends = hunks[0], _change_ends(hunks[0].ops)
    sizes = [len(tokens(text, syn.name, 1).rendered) for _, text in first.ops]

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
        return pack(head + body, syn, limit, MAX_PARTS)

    return _largest(cut_passage, 0, sum(sizes)) or pack_all(head, syn, limit)


def _text_parts(
    head: list[Segment], text: str, link: str, syn: Syntax, limit: int
) -> tuple[str, ...]:
    """The text in full if it fits MAX_PARTS, else as much as fits and how much is missing."""
    if not text:
        return pack_all(head, syn, limit)
    head = [*head, Segment("\n")]
    toks = tokens(text, syn.name, 1)  # as when "…" follows it

    def upto(units: int) -> tuple[str, ...] | None:
        if units >= len(toks.rendered):
            return pack([*head, Segment(text)], syn, limit, MAX_PARTS)
        rest = len(text) - sum(len(src) for src in toks.sources[: keep(toks, units)])
        body = [Segment(text, stop=units), Segment("…"), *_more(rest, "character", link)]
        return pack(head + body, syn, limit, MAX_PARTS)

    return _largest(upto, 0, len(toks.rendered)) or pack_all(head, syn, limit)


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
