"""A diff as the pages draw it: pieces marked removed, same or added (pure).

The diff itself is `watcher.differ.diff_texts`, the terminal's: words, one token per CJK
character. The templates turn removed pieces into <del> and added ones into <ins>, escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher.differ import ADDED, REMOVED, diff_texts
from watcher.model import Diff

MARK = {REMOVED: "del", 0: "same", ADDED: "ins"}


@dataclass(frozen=True, slots=True)
class Piece:
    mark: str  # "del", "same" or "ins"
    text: str


@dataclass(frozen=True, slots=True)
class DiffView:
    """Two versions' difference: `inline` reads as one text; `old` and `new` are the two
    sides of a side-by-side view (removed pieces on the left, added on the right)."""

    inline: tuple[Piece, ...]
    old: tuple[Piece, ...]
    new: tuple[Piece, ...]

    @property
    def changed(self) -> bool:
        return any(p.mark != "same" for p in self.inline)


def diff_view(old: str, new: str) -> DiffView:
    return view_of(diff_texts(old, new))


def view_of(diff: Diff) -> DiffView:
    inline = tuple(Piece(MARK[op], text) for op, text in diff)
    return DiffView(
        inline,
        tuple(p for p in inline if p.mark != "ins"),
        tuple(p for p in inline if p.mark != "del"),
    )
