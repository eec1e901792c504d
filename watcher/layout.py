"""Tables for a terminal of any width: short cells in aligned columns, and what is long on
lines of its own under its row.

A URL cut to fit a column is useless and an error wrapped into a 9-character column turns one
row into twenty, so a row here is its short cells on one line; its URL follows on a line of
its own, never cut (the terminal wraps it, a pipe gets it whole), and a note (an error) is
word-wrapped across the full width. Only columns marked `shrink` (names, labels) give up width
when the terminal is narrow, cut with "…"; with no width (a pipe, a file) nothing is cut.

Cells are untrusted (names, URLs, servers' words): their controls are made visible here, so
what is measured is what is printed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from watcher.controls import visible

GAP = "  "
INDENT = "    "  # where a row's URL and note start
MIN_SHRUNK = 6  # a shrinkable column keeps at least this many cells


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    shrink: bool = False  # may be cut with "…" when the terminal is too narrow
    right: bool = False  # numbers line up on the right


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    url: str = ""  # on a line of its own under the row, whole
    note: str = ""  # on lines of its own under the row, word-wrapped


def table(columns: Sequence[Column], rows: Sequence[Row], width: int | None) -> list[str]:
    """The lines of the table: a header, then each row with its URL and note under it.
    `width`: the terminal's columns, or None for output that is not a terminal."""
    cells = [[visible(cell) for cell in row.cells] for row in rows]
    widths = _widths(columns, cells, width)
    lines = [_line(columns, [c.header for c in columns], widths)]
    for row, shown in zip(rows, cells, strict=True):
        lines.append(_line(columns, shown, widths))
        if row.url:
            lines.append(INDENT + visible(row.url))
        if row.note:
            lines.extend(_wrapped(visible(row.note), width))
    return lines


def _widths(columns: Sequence[Column], cells: list[list[str]], width: int | None) -> list[int]:
    natural = [
        max([cell_len(c.header), *(cell_len(row[i]) for row in cells)])
        for i, c in enumerate(columns)
    ]
    if width is None:
        return natural
    excess = sum(natural) + len(GAP) * (len(columns) - 1) - width
    widths = list(natural)
    # Take the excess from the shrinkable columns, widest first, down to MIN_SHRUNK each.
    for i in sorted(range(len(columns)), key=lambda i: -natural[i]):
        if excess <= 0:
            break
        if columns[i].shrink and widths[i] > MIN_SHRUNK:
            taken = min(excess, widths[i] - MIN_SHRUNK)
            widths[i] -= taken
            excess -= taken
    return widths


def _line(columns: Sequence[Column], cells: Sequence[str], widths: Sequence[int]) -> str:
    parts = []
    for column, cell, size in zip(columns, cells, widths, strict=True):
        if cell_len(cell) > size:
            cell = set_cell_size(cell, size - 1) + "…"
        pad = " " * (size - cell_len(cell))
        parts.append(pad + cell if column.right else cell + pad)
    return GAP.join(parts).rstrip()


def _wrapped(note: str, width: int | None) -> list[str]:
    if width is None:
        return [INDENT + line for line in note.splitlines() or [""]]
    room = max(width - len(INDENT), 20)
    # A URL in a note is one long word: it overflows its line rather than being cut.
    lines = textwrap.wrap(note, room, break_long_words=False, break_on_hyphens=False)
    return [INDENT + line for line in lines]
