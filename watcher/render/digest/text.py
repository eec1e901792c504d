"""A digest as plain text in 80 columns (CJK counted two wide): a post is a clipped,
word-wrapped preview; only a URL, printed whole on its own line, may run longer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len

from watcher.controls import visible_url
from watcher.render.digest.words import (
    TABLE_DAYS,
    Item,
    flat,
    period_line,
    posts_figure,
    sections,
    sparkline,
    who,
)
from watcher.render.syntax import GRAPHEME

if TYPE_CHECKING:
    from watcher.digest import Digest

WIDTH = 80  # columns
BARS_PER_LINE = 60
_INDENT = "      "


def as_text(d: Digest) -> str:
    """The digest as lines of at most 80 columns (but URLs)."""
    lines = [*_wrap(flat("Digest: " + who(d)), WIDTH), period_line(d.period)]
    lines.append(visible_url(d.account.url))
    lines += ["", f"{'posts':<14}{posts_figure(d)}"]
    lines += _bars([day.posts for day in d.per_day])
    lines += [f"{'interactions':<14}{d.interactions:,}"]
    lines += _bars([day.interactions for day in d.per_day])
    if 1 < len(d.per_day) <= TABLE_DAYS:
        lines += ["", f"{'day':<16}{'posts':>7}{'interactions':>15}"]
        lines += [
            f"{day.date:%a %Y-%m-%d}  {day.posts:>7,}{day.interactions:>15,}" for day in d.per_day
        ]
    for section in sections(d):
        lines += ["", section.title + ("" if section.items else ": none")]
        for index, item in enumerate(section.items, 1):
            lines += _text_item(item, index if section.numbered else 0)
    return "\n".join(lines) + "\n"


def _bars(values: Sequence[float]) -> list[str]:
    line = sparkline(values)
    chunks = [line[i : i + BARS_PER_LINE] for i in range(0, len(line), BARS_PER_LINE)]
    return [" " * 14 + chunk for chunk in chunks]


def _text_item(item: Item, number: int) -> list[str]:
    lines = []
    if item.head:
        lines.append(f"  {number}. {item.head}" if number else f"  {item.head}")
    if item.detail:
        lines.append(_INDENT + item.detail)
    for label, text in item.quotes:
        if text.strip():
            quoted = f"{label}: {flat(text)}" if label else flat(text)
            lines += [_INDENT + line for line in _wrap(quoted, WIDTH - len(_INDENT))]
    lines += [_INDENT + visible_url(url) for url in (item.image, *item.links) if url]
    return lines


def _wrap(text: str, room: int) -> list[str]:
    """`text` in lines of at most `room` cells, broken at spaces, or inside a word (at a
    grapheme) wider than a line, such as a run of Chinese."""
    lines: list[str] = []
    line = ""
    for word in re.findall(r"\S+\s*", text):
        if cell_len(line + word.rstrip()) <= room:
            line += word
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for grapheme in GRAPHEME.findall(word):
            if cell_len(line + grapheme.rstrip()) > room:
                lines.append(line.rstrip())
                line = ""
            line += grapheme
    return [*lines, line.rstrip()] if line.strip() else lines
