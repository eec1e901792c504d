"""Rich renderables for the terminal: posts, statuses and coloured word diffs.

When the output is not a colour terminal (a pipe, a file, NO_COLOR), diffs also carry textual
marks (`[-removed-]{+added+}`), so the change survives without colour.

Post text, titles, authors, URLs and server messages are untrusted: they reach the terminal only
through `inert` (or `visible`), never as rich markup and never as raw control sequences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from rich.console import Console
from rich.text import Text

from watcher.controls import visible
from watcher.differ import excerpt
from watcher.model import Diff, Post, Status

SHORT_TEXT = 800  # characters: a diff this short is shown whole, a longer one as excerpts
CONTEXT = 60  # characters of unchanged text around each change in an excerpt

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


def inert(text: str, style: str = "") -> Text:
    """Untrusted text for the terminal: printed as it is (a `Text`, so `[link=...]` or
    `[/bold]` in a post is never read as rich markup), its controls made visible."""
    return Text(visible(text), style=style)


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def status_text(status: Status, reason: str = "") -> Text:
    label, style = STATUS_LABELS[status]
    text = Text(label, style=style)
    if reason:
        text.append(f": {visible(reason)}", style="dim")
    return text


def post_header(post: Post, platform: str) -> Text:
    parts = [platform, post.author, f"posted {when(post.created_at)}" if post.created_at else ""]
    if post.edited_at or post.platform_edited:
        parts.append(f"edited {when(post.edited_at)}" if post.edited_at else "marked edited")
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
