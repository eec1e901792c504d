"""Rich renderables for the terminal: posts, statuses and coloured word diffs.

When the output is not a colour terminal (a pipe, a file, NO_COLOR), diffs also carry textual
marks (`[-removed-]{+added+}`), so the change survives without colour.

Post text, titles, authors, URLs and server messages are untrusted: they reach the terminal only
through `inert` (or `visible`), never as rich markup and never as raw control sequences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from rich.console import Console
from rich.text import Text

from watcher.controls import visible
from watcher.differ import excerpt
from watcher.model import Diff, Event, EventKind, Post, Status

SHORT_TEXT = 800  # characters: a diff this short is shown whole, a longer one as excerpts
CONTEXT = 60  # characters of unchanged text around each change in an excerpt
PREVIEW = 160  # characters of a changed passage or a text in a one-line preview
PREVIEW_CONTEXT = 30  # characters of unchanged text on either side of it

STATUS_LABELS = {
    Status.NEW: ("🆕 first snapshot", "bold cyan"),
    Status.UNCHANGED: ("✔ unchanged", "green"),
    Status.EDITED: ("✏️  edited", "bold yellow"),
    Status.DELETED: ("🗑  deleted", "bold red"),
    Status.REMOVED: ("🚫 removed by the platform", "bold red"),
    Status.RESTORED: ("♻️  restored", "bold magenta"),
    Status.UNCONFIRMED: ("? gone signal, not yet confirmed", "yellow"),
    Status.FAILED: ("⚠ could not observe (failed)", "yellow"),
    Status.BLOCKED: ("⚠ could not observe (blocked)", "yellow"),
    Status.RATE_LIMITED: ("⚠ could not observe (rate limited)", "yellow"),
    Status.BROKEN: ("⚠ could not observe (extraction broken)", "yellow"),
    Status.HIDDEN: ("⚠ could not observe (hidden)", "yellow"),
}


# What happened to the post a checked post quotes or reposts: its own events, never the post's.
QUOTED_LABELS = {
    EventKind.QUOTED_EDITED: "↪ the quoted post was edited",
    EventKind.QUOTED_DELETED: "↪ the quoted post was deleted",
    EventKind.QUOTED_REMOVED: "↪ the quoted post was removed by the platform",
    EventKind.QUOTED_HIDDEN: "↪ the quoted post is hidden",
    EventKind.QUOTED_RESTORED: "↪ the quoted post is back",
}


def quoted_lines(events: Iterable[Event]) -> list[Text]:
    """A line per quoted-post event of a check, with its detail (the platform's words)."""
    lines = []
    for event in events:
        label = QUOTED_LABELS.get(event.kind)
        if label is not None:
            line = Text(label, style="bold magenta")
            if event.detail:
                line.append(f": {visible(event.detail)}", style="dim")
            lines.append(line)
    return lines


def inert(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: printed as it is (a `Text`, so `[link=...]` or
    `[/bold]` in a post is never read as rich markup), its controls made visible."""
    return Text(visible(text), style=style)


@dataclass(frozen=True, slots=True)
class Times:
    """How a command shows moments: in one time zone (`--tz`, else the config's), to the
    second (two events a few seconds apart must read apart). `now` makes table cells short."""

    zone: tzinfo = UTC
    now: datetime | None = None

    def at(self, moment: datetime | None) -> str:
        """`2026-11-27 14:51:45 UTC`."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or "")

    def short(self, moment: datetime | None) -> str:
        """For a table cell, whose header names the zone: `14:51:45` today, `Nov 27 14:51`
        this year, `2025-11-27` before."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        today = (self.now or datetime.now(UTC)).astimezone(self.zone)
        if local.date() == today.date():
            return local.strftime("%H:%M:%S")
        return local.strftime("%b %d %H:%M" if local.year == today.year else "%Y-%m-%d")

    @property
    def name(self) -> str:
        """The zone's abbreviation now, for a column header: `UTC`, `CST`."""
        return (self.now or datetime.now(UTC)).astimezone(self.zone).tzname() or str(self.zone)


def status_text(status: Status, reason: str = "") -> Text:
    label, style = STATUS_LABELS[status]
    text = Text(label, style=style)
    if reason:
        text.append(f": {visible(reason)}", style="dim")
    return text


def post_header(post: Post, platform: str, times: Times) -> Text:
    posted = f"posted {times.at(post.created_at)}" if post.created_at else ""
    parts = [platform, post.author, posted]
    if post.edited_at or post.platform_edited:
        parts.append(f"edited {times.at(post.edited_at)}" if post.edited_at else "marked edited")
    return inert(" · ".join(p for p in parts if p), style="dim")


def post_body(post: Post) -> Text:
    return inert(post.document)


def diff_text(diff: Diff, marks: bool) -> Text:
    """The diff inline when short, else only the changed passages with context."""
    total = sum(len(piece) for _, piece in diff)
    if total <= SHORT_TEXT:
        return _ops_text(diff, marks)
    out = Text()
    for hunk in excerpt(diff, CONTEXT):
        if not hunk.starts_at_beginning:
            out.append("…", style="dim")
        out.append_text(_ops_text(hunk.ops, marks))
        if not hunk.ends_at_end:
            out.append("…\n", style="dim")
    return out


def first_change(diff: Diff, marks: bool) -> Text:
    """A one-line preview of what changed: the diff's first changed passage with a little
    text either side, and how many more there are."""
    hunks = excerpt(diff, PREVIEW_CONTEXT)
    if not hunks:
        return Text("no change in the text", style="dim")
    first = hunks[0]
    out = Text()
    out.append("" if first.starts_at_beginning else "…", style="dim")
    out.append_text(_ops_text(tuple((op, _flat(piece)) for op, piece in first.ops), marks))
    if not first.ends_at_end:
        out.append("…", style="dim")
    if len(hunks) > 1:
        more = len(hunks) - 1
        out.append(f"  (+{more} more change{'' if more == 1 else 's'})", style="dim")
    return out


def text_preview(text: str) -> Text:
    """A one-line preview of a text: its start, flattened."""
    return inert(_flat(text), style="dim")


def _flat(text: str) -> str:
    """`text` on one line (each run of white space one space), cut at PREVIEW characters."""
    flat = re.sub(r"\s+", " ", text)
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def _ops_text(diff: Diff, marks: bool) -> Text:
    out = Text()
    for op, raw in diff:
        piece = visible(raw)
        if op < 0:
            out.append(f"[-{piece}-]" if marks else piece, style="strike red")
        elif op > 0:
            out.append(f"{{+{piece}+}}" if marks else piece, style="bold green")
        else:
            out.append(piece)
    return out


# -- progress on stderr (the caller shows it only when stderr is a terminal) ------------------


@contextmanager
def waiting(label: str) -> Iterator[None]:
    """A spinner, `label` and the seconds waited, while a command waits for an answer (a slow
    host, a timeout, the pause before a gone signal is checked again); gone when it ends."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False))
    with Progress(*columns, TimeElapsedColumn(), console=_stderr(), transient=True) as shown:
        shown.add_task(visible(label), total=None)
        yield


@contextmanager
def counting(label: str) -> Iterator[Callable[[int, int], None]]:
    """`label done/total`, a bar and the time taken, for bulk work; yields the function that
    moves it on (done, total). Log lines written to stderr meanwhile print above it."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False))
    bar = (MofNCompleteColumn(), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, *bar, console=_stderr(), transient=True) as shown:
        task = shown.add_task(visible(label), total=None)

        def moved(done: int, total: int) -> None:
            shown.update(task, completed=done, total=total)

        yield moved


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, markup=False, emoji=False)
