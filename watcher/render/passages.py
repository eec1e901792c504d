"""The body of an edit: its changed passages, a very long added block capped, and how much
more there is. Segments only (see `watcher.render`)."""

from __future__ import annotations

from collections.abc import Iterable

from watcher.differ import Hunk
from watcher.model import Diff
from watcher.render.segments import Segment, Style
from watcher.render.syntax import GRAPHEME

ADDED_CHARS = 1000  # an added block longer than this shows this much, "+N characters", the link
OP_STYLES = {-1: Style.REMOVED, 0: Style.PLAIN, 1: Style.ADDED}


def more(count: int, what: str, link: str) -> list[Segment]:
    if not count:
        return []
    note = f"\n\n… {count} more {what}{'s' if count != 1 else ''}"
    if not link:
        return [Segment(note, own=True)]
    return [Segment(note + ": ", own=True), Segment(link, Style.LINK)]


def hunk_segments(hunks: Iterable[Hunk], link: str) -> list[Segment]:
    out: list[Segment] = []
    for hunk in hunks:
        if out:
            out.append(Segment("\n"))
        if not hunk.starts_at_beginning:
            out.append(Segment("…"))
        for op, text in hunk.ops:
            out += _capped(text, link) if op == 1 else [Segment(text, OP_STYLES[op])]
        if not hunk.ends_at_end:
            out.append(Segment("…"))
    return out


def _capped(added: str, link: str) -> list[Segment]:
    """An added block; a very long one as its start, how much more, and where to read it."""
    if len(added) <= ADDED_CHARS:
        return [Segment(added, Style.ADDED)]
    shown = _word_start(added, ADDED_CHARS)
    note = [Segment(f"… (+{len(added) - len(shown):,} characters", own=True)]
    if link:
        note += [Segment(": ", own=True), Segment(link, Style.LINK)]
    return [Segment(shown, Style.ADDED), *note, Segment(")\n", own=True)]


def _word_start(text: str, size: int) -> str:
    """At most `size` characters of `text`, ending after a line, a sentence or a word when one
    ends in the second half (else at a grapheme cluster)."""
    end = 0
    for match in GRAPHEME.finditer(text):
        if match.end() > size:
            break
        end = match.end()
    head = text[:end]
    for stops in (("\n",), ("。", "！", "？", ". ", "! ", "? "), (" ", "\t")):
        cut = max(head.rfind(stop) + len(stop) for stop in stops)
        if cut > size // 2:
            return head[:cut].rstrip()
    return head


def change_ends(ops: Diff) -> list[int]:
    """Indexes of the ops that end a change (a run of removed/added ops)."""
    return [i for i, (op, _) in enumerate(ops) if op and (i + 1 == len(ops) or ops[i + 1][0] == 0)]
