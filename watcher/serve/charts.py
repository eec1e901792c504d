"""Charts as inline SVG geometry (pure): numbers in, coordinates out. The templates draw
them with plain SVG elements, so a chart needs no script and no image request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT, PAD = 300.0, 80.0, 4.0


@dataclass(frozen=True, slots=True)
class Line:
    """One counter over time: a polyline, its first and last values and times."""

    name: str
    points: str  # "x,y x,y ..." in a WIDTH × HEIGHT box
    low: int
    high: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what a tooltip (<title>) says
    value: int


@dataclass(frozen=True, slots=True)
class Bars:
    name: str
    bars: tuple[Bar, ...]
    high: int


def line(name: str, samples: Sequence[tuple[datetime, int]]) -> Line | None:
    """A counter's samples (oldest first) as a line; None with fewer than one sample."""
    if not samples:
        return None
    times = [at.timestamp() for at, _ in samples]
    values = [v for _, v in samples]
    t0, span = times[0], (times[-1] - times[0]) or 1.0
    low, high = min(values), max(values)
    rise = (high - low) or 1
    coords = [
        (
            PAD + (t - t0) / span * (WIDTH - 2 * PAD),
            HEIGHT - PAD - (v - low) / rise * (HEIGHT - 2 * PAD),
        )
        for t, v in zip(times, values, strict=True)
    ]
    if len(coords) == 1:  # one sample: a flat line across, not an invisible dot
        coords.append((WIDTH - PAD, coords[0][1]))
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return Line(name, points, low, high, samples[0][0], samples[-1][0])


def counter_lines(samples: Sequence[tuple[datetime, dict[str, int]]]) -> tuple[Line, ...]:
    """One line per counter a watch's samples name, in name order."""
    names = sorted({name for _, values in samples for name in values})
    drawn = (line(n, [(at, v[n]) for at, v in samples if n in v]) for n in names)
    return tuple(d for d in drawn if d is not None)


def bars(name: str, values: Sequence[tuple[str, int]]) -> Bars:
    """Labelled values (e.g. per day) as bars scaled to the highest."""
    high = max((v for _, v in values), default=0)
    step = WIDTH / max(len(values), 1)
    drawn = []
    for i, (label, value) in enumerate(values):
        height = (value / high * (HEIGHT - 2 * PAD)) if high else 0.0
        y = HEIGHT - PAD - height
        drawn.append(Bar(i * step + 1, y, max(step - 2, 1.0), height, label, value))
    return Bars(name, tuple(drawn), high)
