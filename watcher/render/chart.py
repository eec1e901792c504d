"""A digest's chart as a PNG: posts per day as bars, interactions per day as a line on a second
axis. matplotlib is an optional extra (`pip install 'watcher[chart]'`): without it there is no
picture (None), and a digest goes out with its text sparkline only.

Pure in effect: bytes in memory, no file, no display (a bare `Figure`, never pyplot, so no
window or global backend is involved). Labels are ASCII: matplotlib's default font has no CJK.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

WIDTH, HEIGHT, DPI = 8.0, 3.2, 100  # inches and dots per inch: 800 × 320 pixels, phone-sized
POSTS_COLOUR, INTERACTIONS_COLOUR = "#4C72B0", "#DD8452"


def available() -> bool:
    """Whether charts can be drawn here (matplotlib is installed)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def chart_png(
    days: Sequence[date], posts: Sequence[int], interactions: Sequence[int], title: str
) -> bytes | None:
    """The chart of one period, or None without matplotlib (or with no days)."""
    if not days or not available():
        return None
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    bars = figure.add_subplot()
    labels = [d.strftime("%a %d") for d in days]
    bars.bar(labels, posts, color=POSTS_COLOUR, label="posts")
    bars.set_ylabel("posts", color=POSTS_COLOUR)
    bars.set_ylim(bottom=0)
    line = bars.twinx()
    line.plot(labels, interactions, color=INTERACTIONS_COLOUR, marker="o", label="interactions")
    line.set_ylabel("interactions", color=INTERACTIONS_COLOUR)
    line.set_ylim(bottom=0)
    bars.set_title(title, fontsize=11)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
