"""Cutting styled segments into escaped units and packing them into well-formed parts."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from watcher.render.segments import Segment, Style, measure
from watcher.render.syntax import GRAPHEME, SYNTAX, Syntax


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text cut into units, each escaped on its own."""

    sources: tuple[str, ...]
    rendered: tuple[str, ...]
    sums: tuple[int, ...]  # sums[k]: measured length of the first k rendered units
    space: tuple[int, ...]  # per unit: 2 a line break, 1 other whitespace, 0 anything else
    raw: frozenset[int] = frozenset()  # units that are URLs left raw
    # How good a place to end a part after each unit is: 3 a line break, 2 a sentence's end,
    # 1 another space, 0 inside a word.
    ranks: tuple[int, ...] = ()


_CLOSERS = "\"')]’”»」』"  # may follow a sentence's last mark: 'he said "no." Then'


def _ends_sentence(src: str) -> bool:
    return src.rstrip(_CLOSERS).endswith((".", "!", "?", "…"))


def _ranks(sources: Sequence[str], space: Sequence[int]) -> tuple[int, ...]:
    ranks = []
    for k, src in enumerate(sources):
        if space[k] == 2:
            ranks.append(3)
        elif space[k]:  # a space after a sentence mark
            ranks.append(2 if k and _ends_sentence(sources[k - 1]) else 1)
        else:  # CJK: no space after a sentence mark, which ends its unit (render.syntax)
            ranks.append(2 if src.endswith(("。", "！", "？")) else 0)
    return tuple(ranks)


def _make_tokens(
    fmt: str, pairs: Sequence[tuple[str, str]], raw: frozenset[int] = frozenset()
) -> Tokens:
    sums = [0]
    for _, rendered in pairs:
        sums.append(sums[-1] + measure(fmt, rendered))
    space = tuple(
        2 if src in ("\n", "\r\n", "\r") else 1 if src.isspace() else 0 for src, _ in pairs
    )
    sources, units = tuple(src for src, _ in pairs), tuple(unit for _, unit in pairs)
    return Tokens(sources, units, tuple(sums), space, raw, _ranks(sources, space))


@lru_cache(maxsize=4096)
def tokens(text: str, fmt: str, tail: int, own: bool = False) -> Tokens:
    """`text` as units. A URL is one unit, left raw (so the channel links it) only where the
    channel's link detection cannot run into what follows: before whitespace (or `url_end`),
    or at the end of the text if `tail` is 2 (what follows is whitespace or nothing). `tail`
    0: no raw URL (inside marks, whose closing characters would join the URL). A format with
    `any_url` writes every URL its way. `own`: our own words, escaped with `Syntax.own`."""
    syn = SYNTAX[fmt]
    escape = (syn.own or syn.escape) if own else syn.escape
    pairs: list[tuple[str, str]] = []
    raw: set[int] = set()
    for match in syn.units.finditer(text):
        unit, after = match.group(), text[match.end() : match.end() + 1]
        if match.lastgroup == "url" and syn.any_url is not None:
            pairs.append((unit, syn.any_url(unit)))
            continue
        if match.lastgroup == "url" and tail:
            free = tail == 2 if not after else after.isspace() or after in syn.url_end
            as_is = syn.raw_url(unit) if free else None
            if as_is is not None:
                raw.add(len(pairs))
                pairs.append((unit, as_is))
                continue
        pairs.append((unit, escape(unit)))
    return _make_tokens(fmt, pairs, frozenset(raw))


def keep(toks: Tokens, stop: int) -> int:
    """How many units a segment cut after `stop` units shows: not a raw URL at the cut, which
    something else would follow."""
    keep = min(stop, len(toks.rendered))
    while 0 < keep < len(toks.rendered) and keep - 1 in toks.raw:
        keep -= 1
    return keep


@lru_cache(maxsize=64)
def _link_tokens(url: str, fmt: str) -> Tokens:
    return _make_tokens(fmt, [(url, SYNTAX[fmt].link(url))])


_Run = tuple[Style, Tokens, int, int]  # units lo:hi of a segment, in one style


def _runs(segments: Sequence[Segment], syn: Syntax) -> list[_Run]:
    runs: list[_Run] = []
    for index, seg in enumerate(segments):
        if seg.style is Style.LINK:
            toks = _link_tokens(seg.text, syn.name)
        else:
            after = segments[index + 1].text[:1] if index + 1 < len(segments) else " "
            tail = 0 if seg.style in syn.marks else 2 if after.isspace() else 1
            toks = tokens(seg.text, syn.name, tail, seg.own)
        hi = len(toks.rendered) if seg.stop is None else keep(toks, seg.stop)
        lo = 0
        if syn.hug and seg.style in syn.marks:  # one mark per line
            for k in range(hi):
                if toks.space[k] == 2:
                    runs += [(seg.style, toks, lo, k)] if lo < k else []
                    runs.append((Style.PLAIN, toks, k, k + 1))
                    lo = k + 1
        if lo < hi:
            runs.append((seg.style, toks, lo, hi))
    return runs


def pack_all(
    segments: list[Segment], syn: Syntax, limit: int, again: Sequence[Segment] = ()
) -> tuple[str, ...]:
    parts = pack(segments, syn, limit, None, again)
    assert parts is not None  # no part cap: always packs
    return parts


def pack(
    segments: list[Segment],
    syn: Syntax,
    limit: int,
    max_parts: int | None,
    again: Sequence[Segment] = (),
) -> tuple[str, ...] | None:
    """The parts, numbered when more than one; None if they would be more than `max_parts`.
    Each part after the first starts with `again` (the one-line header: a part read alone on
    a phone still says what it is about), unless that line would take a quarter of a part."""
    runs = _runs(segments, syn)
    start, end = syn.frame
    budget = limit - measure(syn.name, start + end)
    single = _split(runs, syn, budget, 1)
    if single is not None:
        return (start + single[0] + end,)
    repeat = _line(again, syn)
    if measure(syn.name, repeat) * 4 > budget:
        repeat = ""
    digits = 1
    while max_parts is None or max_parts > 1:
        cap = 10**digits - 1 if max_parts is None else min(max_parts, 10**digits - 1)
        widest = measure(syn.name, f"({'9' * digits}/{'9' * digits}) {repeat}")
        bodies = _split(runs, syn, budget - widest, cap)
        if bodies is not None:
            total = len(bodies)
            return tuple(
                f"{start}({i}/{total}) {repeat if i > 1 else ''}{b}{end}"
                for i, b in enumerate(bodies, 1)
            )
        if max_parts is not None and max_parts <= cap:
            break
        digits += 1
    return None


def _line(segments: Sequence[Segment], syn: Syntax) -> str:
    """`segments` rendered as one piece (a short line of our own: never cut)."""
    if not segments:
        return ""
    rendered = _split(_runs(segments, syn), syn, 1 << 30, 1)
    return rendered[0] if rendered else ""


def _split(runs: Sequence[_Run], syn: Syntax, budget: int, max_parts: int) -> list[str] | None:
    """Greedy packing of runs into parts of at most `budget`; None past `max_parts` parts."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    todo = list(reversed(runs))
    while todo:
        style, toks, lo, hi = todo.pop()
        over = syn.overhead(style)
        while lo < hi:
            room = budget - used - over
            end = max(lo, bisect_right(toks.sums, toks.sums[lo] + room, lo, hi + 1) - 1)
            cut = hi if end == hi else _cut(toks, lo, end)
            if (
                cut < hi
                and current
                and (cut == lo or (not toks.ranks[cut - 1] and 2 * room < budget))
            ):
                cut = lo  # nothing fits, or only by cutting a word near the end: next part
            if cut == lo:
                if not current:  # one unit wider than a whole part
                    todo += [(style, toks, lo + 1, hi), _shatter(style, toks, lo, syn)]
                    break
            else:
                piece = _emit(syn, style, toks, lo, cut)
                current.append(piece)
                used += measure(syn.name, piece)
                lo = cut
                if lo == hi:
                    break
            parts.append("".join(current))
            current, used = [], 0
            if len(parts) >= max_parts:
                return None
    if current:
        parts.append("".join(current))
    return parts


def _cut(toks: Tokens, lo: int, end: int) -> int:
    """Where to end a part within units lo:end: after a line break, else after a sentence,
    else after a space, in the second half of the room; else at `end` (a cluster edge: a
    word longer than half a part, or CJK text without a sentence mark)."""
    floor = lo + (end - lo) // 2
    for rank in (3, 2, 1):
        for k in range(end, floor, -1):
            if toks.ranks[k - 1] == rank:
                return k
    return end


def _shatter(style: Style, toks: Tokens, index: int, syn: Syntax) -> _Run:
    """A unit that fits no part, as smaller units: a link as plain text, a URL as clusters,
    a cluster as code points."""
    source = toks.sources[index]
    if style is Style.LINK:
        plain = tokens(source, syn.name, 0)
        return (Style.PLAIN, plain, 0, len(plain.rendered))
    pieces = GRAPHEME.findall(source)
    if len(pieces) == 1:
        pieces = list(source)
    if len(pieces) == 1:
        raise ValueError(f"limit too small for {syn.name}")
    return (style, _make_tokens(syn.name, [(p, syn.escape(p)) for p in pieces]), 0, len(pieces))


def _emit(syn: Syntax, style: Style, toks: Tokens, lo: int, hi: int) -> str:
    """Units lo:hi in their style; for hugging marks, edge whitespace goes outside the mark."""
    first, last = lo, hi
    if syn.hug and style in syn.marks:
        while first < last and toks.space[first]:
            first += 1
        while last > first and toks.space[last - 1]:
            last -= 1
    rendered = toks.rendered
    inner = syn.wrap(style, "".join(rendered[first:last]))
    return "".join(rendered[lo:first]) + inner + "".join(rendered[last:hi])
